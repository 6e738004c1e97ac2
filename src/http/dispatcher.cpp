#include "http/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/digest.h"
#include "core/ids.h"
#include "core/json_input.h"
#include "http/percent.h"

namespace vigil::http {

namespace {

struct WireError {
  int http_status;
  const char* header_type;  // X-Amzn-ErrorType: what SDKs report as the error code
  const char* body_type;    // __type: GuardDuty's finer-grained type
};

WireError WireErrorFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidInput:
    case StatusCode::kNotFound:
      return {400, "BadRequestException", "InvalidInputException"};
    case StatusCode::kAlreadyExists:
      return {400, "BadRequestException", "EntityAlreadyExistsException"};
    case StatusCode::kLimitExceeded:
      return {400, "BadRequestException", "LimitExceededException"};
    case StatusCode::kAccessDenied:
      return {400, "BadRequestException", "AccessDeniedException"};
    case StatusCode::kPayloadTooLarge:
      return {413, "BadRequestException", "PayloadTooLargeException"};
    case StatusCode::kUnknownOperation:
      return {404, "UnknownOperationException", "UnknownOperationException"};
    case StatusCode::kServiceUnavailable:
      return {503, "ServiceUnavailableException", "ServiceUnavailableException"};
    case StatusCode::kMissingAuthentication:
      return {403, "MissingAuthenticationTokenException", "MissingAuthenticationTokenException"};
    case StatusCode::kIncompleteSignature:
      return {403, "IncompleteSignatureException", "IncompleteSignatureException"};
    case StatusCode::kUnrecognizedClient:
      return {403, "UnrecognizedClientException", "UnrecognizedClientException"};
    case StatusCode::kInvalidSignature:
      return {403, "InvalidSignatureException", "InvalidSignatureException"};
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return {500, "InternalServerErrorException", "InternalException"};
}

// The access key id a failed request named, fit for a log line: its text comes from the
// client, so anything but a plausible key id is not repeated.
std::string LoggableAccessKey(std::string_view authorization) {
  const std::string key = IdentityFromAuthorization(authorization, {}).access_key_id;
  const bool plausible = !key.empty() && key.size() <= 128 &&
                         std::all_of(key.begin(), key.end(),
                                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
  return plausible ? key : "-";
}

// The body of a request whose signature covers the body's own SHA-256: held until it has
// all arrived and the signature holds, so nothing unverified reaches the route. Only then
// is the route's sink opened (a refusal from it could otherwise tell an unsigned caller
// what exists) and given the body.
class HeldBodySink final : public BodySink {
 public:
  HeldBodySink(const BodySinkFactory& open, const Request& request, const SigV4Verifier& verifier,
               SignatureClaim claim, size_t limit)
      : open_(open),
        request_(request),
        verifier_(verifier),
        claim_(std::move(claim)),
        limit_(limit) {}

  Status Write(std::string_view piece) override {
    if (body_.size() + piece.size() > limit_) {
      return Status(StatusCode::kPayloadTooLarge,
                    "A streamed body larger than " + std::to_string(limit_) +
                        " bytes must declare its SHA-256 in a signed x-amz-content-sha256 "
                        "header, so that it can be verified as it arrives.");
    }
    hash_.Update(piece);
    body_.append(piece);
    return Status::Ok();
  }

  StatusOr<Response> Finish() override {
    VIGIL_RETURN_IF_ERROR(verifier_.VerifyBody(claim_, hash_.FinishHex()));
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<BodySink> sink, open_(request_));
    // In pieces of the size the server reads, as the route would have had them.
    static constexpr size_t kPiece = 256 * 1024;
    for (size_t offset = 0; offset < body_.size(); offset += kPiece) {
      VIGIL_RETURN_IF_ERROR(sink->Write(std::string_view(body_).substr(offset, kPiece)));
    }
    std::string().swap(body_);
    return sink->Finish();
  }

 private:
  const BodySinkFactory& open_;
  const Request& request_;
  const SigV4Verifier& verifier_;
  const SignatureClaim claim_;
  const size_t limit_;
  Sha256 hash_;
  std::string body_;
};

// The body of a request whose verified signature covers a declared SHA-256: passed on as
// it arrives (the sender is known), and checked at the end against the declared hash, so
// a body changed on the way is refused before the route finishes with it.
class CheckedBodySink final : public BodySink {
 public:
  CheckedBodySink(std::unique_ptr<BodySink> sink, const SigV4Verifier& verifier,
                  SignatureClaim claim)
      : sink_(std::move(sink)), verifier_(verifier), claim_(std::move(claim)) {}

  Status Write(std::string_view piece) override {
    hash_.Update(piece);
    return sink_->Write(piece);
  }

  StatusOr<Response> Finish() override {
    VIGIL_RETURN_IF_ERROR(verifier_.VerifyBody(claim_, hash_.FinishHex()));
    return sink_->Finish();
  }

 private:
  std::unique_ptr<BodySink> sink_;
  const SigV4Verifier& verifier_;
  const SignatureClaim claim_;
  Sha256 hash_;
};

}  // namespace

OutgoingResponse ErrorResponse(const Status& status, std::string request_id) {
  const WireError wire = WireErrorFor(status.code());
  const std::string message =
      status.code() == StatusCode::kInternal
          ? "The request failed because of an internal error (request id " + request_id + ")."
          : status.message();
  OutgoingResponse response;
  response.status = wire.http_status;
  response.error_type = wire.header_type;
  // The message may quote client input in any bytes (a percent-decoded path label need not
  // be UTF-8); ToJson escapes it and repairs what is not UTF-8.
  response.body = ToJson(boost::json::object{{"message", message}, {"__type", wire.body_type}});
  response.request_id = std::move(request_id);
  return response;
}

std::vector<std::string> MetricSlots(const Router& router) {
  std::vector<std::string> slots;
  for (const Route& route : router.routes()) slots.push_back(route.operation);
  slots.push_back("UnknownOperation");
  return slots;
}

Dispatcher::Dispatcher(const Router& router, Metrics& metrics, const Clock& clock,
                       IdentityDefaults defaults, AuthOptions auth)
    : router_(router),
      metrics_(metrics),
      clock_(clock),
      defaults_(std::move(defaults)),
      auth_(auth) {}

void Dispatcher::RecordRejected(int http_status) const {
  metrics_.Record(router_.routes().size(), http_status, 0);
}

StatusOr<const Route*> Dispatcher::Resolve(IncomingRequest& incoming, Request& request, Call& call,
                                           HeadAuthentication* head) const {
  call.started = std::chrono::steady_clock::now();
  call.metrics_slot = router_.routes().size();
  request.method = std::string(incoming.method);
  request.context = RequestContext{defaults_.account, defaults_.region, NewRequestId(), &clock_};

  const size_t query_start = incoming.target.find('?');
  const std::string_view raw_path = incoming.target.substr(0, query_start);
  const std::string_view raw_query = query_start == std::string_view::npos
                                         ? std::string_view()
                                         : incoming.target.substr(query_start + 1);

  auto match = router_.Find(request.method, raw_path);
  if (match.ok()) {
    call.metrics_slot = match->route->index;
    call.operation = match->route->operation;
  }
  // Before anything is said about the path, so an unsigned caller learns nothing of it.
  VIGIL_RETURN_IF_ERROR(Authenticate(incoming, match.ok() ? match->route : nullptr, request, head));
  request.body = std::move(incoming.body);
  if (!match.ok()) return match.status();
  request.labels = std::move(match->labels);
  auto query = DecodeQuery(raw_query);
  if (!query) {
    return Status::InvalidInput(
        "The request is rejected because its query string is not correctly percent-encoded.");
  }
  request.query = std::move(*query);
  return match->route;
}

Status Dispatcher::Authenticate(const IncomingRequest& incoming, const Route* route,
                                Request& request, HeadAuthentication* head) const {
  if (auth_.verifier == nullptr) {
    const Identity identity = IdentityFromAuthorization(incoming.authorization, defaults_);
    request.context.account = identity.account;
    request.context.region = identity.region;
    return Status::Ok();
  }
  // Until a signature says otherwise, the request acts for no account.
  request.context.account = "-";
  request.context.region = "-";
  if (route != nullptr && route->anonymous) return Status::Ok();
  const RequestHead request_head{incoming.method, incoming.target, incoming.headers};
  StatusOr<SignatureClaim> claim = [&]() -> StatusOr<SignatureClaim> {
    if (head == nullptr) return auth_.verifier->Verify(request_head, incoming.body);
    VIGIL_ASSIGN_OR_RETURN(SignatureClaim read, auth_.verifier->Read(request_head));
    VIGIL_ASSIGN_OR_RETURN(head->coverage, auth_.verifier->VerifyHead(read));
    return read;
  }();
  if (!claim.ok()) {
    // For the operator: the messages hold no secret and no signature.
    spdlog::info("authentication failed request_id={} access_key_id={}: {}",
                 request.context.request_id, LoggableAccessKey(incoming.authorization),
                 claim.status().message());
    return claim.status();
  }
  request.context.account = claim->principal->account_id;
  request.context.region = claim->region;
  if (head != nullptr) head->claim = std::move(*claim);
  return Status::Ok();
}

OutgoingResponse Dispatcher::Handle(IncomingRequest incoming) const {
  Call call;
  Request request;
  StatusOr<Response> result = [&]() -> StatusOr<Response> {
    VIGIL_ASSIGN_OR_RETURN(const Route* route, Resolve(incoming, request, call));
    try {
      return route->handler(request);
    } catch (const std::exception& error) {
      return Status::Internal(error.what());
    }
  }();
  return Answer(call, request, std::move(result));
}

std::unique_ptr<StreamingRequest> Dispatcher::OpenStream(IncomingRequest incoming) const {
  // Whatever is not a streaming route keeps the whole-body path, errors included.
  const auto match =
      router_.Find(incoming.method, incoming.target.substr(0, incoming.target.find('?')));
  if (!match.ok() || !match->route->open_body_sink) return nullptr;

  Call call;
  Request request;
  HeadAuthentication head;
  StatusOr<const Route*> route = Resolve(incoming, request, call, &head);
  std::unique_ptr<StreamingRequest> stream(new StreamingRequest(*this, call, std::move(request)));
  if (!route.ok()) {
    stream->Answer(route.status());  // refused before its body is read
    return stream;
  }
  const BodySinkFactory& open = (*route)->open_body_sink;
  if (head.claim && head.coverage == PayloadCoverage::kBodyHash) {
    stream->sink_ = std::make_unique<HeldBodySink>(
        open, stream->request_, *auth_.verifier, std::move(*head.claim), auth_.max_held_body_bytes);
    return stream;
  }
  StatusOr<std::unique_ptr<BodySink>> sink = [&]() -> StatusOr<std::unique_ptr<BodySink>> {
    try {
      return open(stream->request_);
    } catch (const std::exception& error) {
      return Status::Internal(error.what());
    }
  }();
  if (!sink.ok()) {
    stream->Answer(sink.status());
  } else if (head.claim && head.coverage == PayloadCoverage::kDeclared) {
    stream->sink_ = std::make_unique<CheckedBodySink>(std::move(*sink), *auth_.verifier,
                                                      std::move(*head.claim));
  } else {
    stream->sink_ = std::move(*sink);
  }
  return stream;
}

OutgoingResponse Dispatcher::Answer(const Call& call, const Request& request,
                                    StatusOr<Response> result) const {
  OutgoingResponse response;
  if (result.ok()) {
    response.status = result->status;
    response.body = std::move(result->body);
    response.content_type = std::move(result->content_type);
    response.request_id = request.context.request_id;
  } else {
    if (result.status().code() == StatusCode::kInternal) {
      spdlog::error("internal error operation={} request_id={}: {}", call.operation,
                    request.context.request_id, result.status().message());
    }
    response = ErrorResponse(result.status(), request.context.request_id);
  }

  const double latency =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call.started).count();
  metrics_.Record(call.metrics_slot, response.status, latency);
  spdlog::info(
      "request operation={} account={} region={} status={} latency_ms={:.3f} request_id={}",
      call.operation, request.context.account, request.context.region, response.status,
      latency * 1000, response.request_id);
  return response;
}

StreamingRequest::StreamingRequest(const Dispatcher& dispatcher, Dispatcher::Call call,
                                   Request request)
    : dispatcher_(dispatcher), call_(call), request_(std::move(request)) {}

StreamingRequest::~StreamingRequest() {
  if (answered()) return;
  const double latency =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call_.started).count();
  spdlog::info(
      "request operation={} account={} region={} abandoned before its answer latency_ms={:.3f} "
      "request_id={}",
      call_.operation, request_.context.account, request_.context.region, latency * 1000,
      request_.context.request_id);
}

void StreamingRequest::Write(std::string_view piece) {
  if (answered()) return;
  Status status;
  try {
    status = sink_->Write(piece);
  } catch (const std::exception& error) {
    status = Status::Internal(error.what());
  }
  if (!status.ok()) Answer(std::move(status));
}

void StreamingRequest::Finish() {
  if (answered()) return;
  StatusOr<Response> result = [&]() -> StatusOr<Response> {
    try {
      return sink_->Finish();
    } catch (const std::exception& error) {
      return Status::Internal(error.what());
    }
  }();
  Answer(std::move(result));
}

void StreamingRequest::Fail(const Status& status) {
  if (!answered()) Answer(status);
}

OutgoingResponse StreamingRequest::TakeResponse() { return std::move(*response_); }

void StreamingRequest::Answer(StatusOr<Response> result) {
  // The sink goes first: whatever it holds (a half-read batch) is released before the
  // answer leaves.
  sink_.reset();
  response_ = dispatcher_.Answer(call_, request_, std::move(result));
}

}  // namespace vigil::http
