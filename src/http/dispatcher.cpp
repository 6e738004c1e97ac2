#include "http/dispatcher.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/ids.h"
#include "http/percent.h"

namespace vigil::http {

namespace {

// Minimal JSON string escaping for error messages (which may quote client input).
std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

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
  response.body =
      "{\"message\":\"" + JsonEscape(message) + "\",\"__type\":\"" + wire.body_type + "\"}";
  response.request_id = std::move(request_id);
  return response;
}

Dispatcher::Dispatcher(const Router& router, Metrics& metrics, const Clock& clock,
                       IdentityDefaults defaults)
    : router_(router), metrics_(metrics), clock_(clock), defaults_(std::move(defaults)) {}

void Dispatcher::RecordRejected(int http_status) const {
  metrics_.Record(router_.routes().size(), http_status, 0);
}

StatusOr<const Route*> Dispatcher::Resolve(IncomingRequest& incoming, Request& request,
                                           Call& call) const {
  call.started = std::chrono::steady_clock::now();
  call.metrics_slot = router_.routes().size();
  const Identity identity = IdentityFromAuthorization(incoming.authorization, defaults_);
  request.method = std::string(incoming.method);
  request.body = std::move(incoming.body);
  request.context = RequestContext{identity.account, identity.region, NewRequestId(), &clock_};

  const size_t query_start = incoming.target.find('?');
  const std::string_view raw_path = incoming.target.substr(0, query_start);
  const std::string_view raw_query = query_start == std::string_view::npos
                                         ? std::string_view()
                                         : incoming.target.substr(query_start + 1);

  auto match = router_.Find(request.method, raw_path);
  if (!match.ok()) return match.status();
  call.metrics_slot = match->route->index;
  call.operation = match->route->operation;
  request.labels = std::move(match->labels);
  auto query = DecodeQuery(raw_query);
  if (!query) {
    return Status::InvalidInput(
        "The request is rejected because its query string is not correctly percent-encoded.");
  }
  request.query = std::move(*query);
  return match->route;
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
  Call call;
  Request request;
  StatusOr<const Route*> route = Resolve(incoming, request, call);
  // Whatever is not a streaming route keeps the whole-body path, errors included.
  if (!route.ok() || !(*route)->open_body_sink) return nullptr;
  std::unique_ptr<StreamingRequest> stream(new StreamingRequest(*this, call, std::move(request)));
  StatusOr<std::unique_ptr<BodySink>> sink = [&]() -> StatusOr<std::unique_ptr<BodySink>> {
    try {
      return (*route)->open_body_sink(stream->request_);
    } catch (const std::exception& error) {
      return Status::Internal(error.what());
    }
  }();
  if (sink.ok()) {
    stream->sink_ = std::move(*sink);
  } else {
    stream->Answer(sink.status());
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
