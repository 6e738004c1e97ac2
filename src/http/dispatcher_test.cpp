#include "http/dispatcher.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/digest.h"

namespace vigil::http {
namespace {

namespace json = boost::json;

constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/guardduty/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc";

// The parsed JSON body of a response; a failed expectation when it is not JSON.
json::object BodyObject(const OutgoingResponse& response) {
  boost::system::error_code ec;
  json::value value = json::parse(response.body, ec);
  EXPECT_FALSE(ec) << "body is not JSON: " << response.body;
  if (ec || !value.is_object()) {
    ADD_FAILURE() << "body is not a JSON object: " << response.body;
    return {};
  }
  return value.as_object();
}

std::string StringMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return "<absent>";
  return std::string(value->as_string());
}

// Collects a streamed body; a piece with "bad" in it fails.
class CollectingSink : public BodySink {
 public:
  explicit CollectingSink(std::string id) : id_(std::move(id)) {}
  Status Write(std::string_view piece) override {
    if (piece.find("bad") != std::string_view::npos) return Status::InvalidInput("bad piece");
    body_.append(piece);
    return Status::Ok();
  }
  StatusOr<Response> Finish() override {
    Response response;
    response.body = id_ + ":" + body_;
    response.content_type = "text/plain";
    return response;
  }

 private:
  std::string id_;
  std::string body_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    spdlog::set_level(spdlog::level::off);
    router_.Add("GET", "/ok", "Ok", [](const Request&) -> StatusOr<Response> {
      Response response;
      response.body = R"({"ok":true})";
      return response;
    });
    router_.Add("POST", "/invalid", "Invalid", [](const Request&) -> StatusOr<Response> {
      return Status::InvalidInput("The request is rejected because the parameter name is bad.");
    });
    router_.Add("GET", "/missing/{id}", "Missing",
                [](const Request& request) -> StatusOr<Response> {
                  return Status::NotFound("no such thing: " + request.Label("id"));
                });
    router_.Add("POST", "/limit", "Limit", [](const Request&) -> StatusOr<Response> {
      return Status::LimitExceeded("too many detectors");
    });
    router_.Add("GET", "/internal", "Internal", [](const Request&) -> StatusOr<Response> {
      return Status::Internal("disk I/O error at /var/lib/vigil/secret.db");
    });
    router_.Add("GET", "/throw", "Throw", [](const Request&) -> StatusOr<Response> {
      throw std::runtime_error("secret exception text");
    });
    router_.Add("POST", "/echo/{id}", "Echo", [this](const Request& request) -> StatusOr<Response> {
      seen_ = request;
      Response response;
      response.status = 204;
      response.content_type = "text/plain";
      return response;
    });
    router_.Add(
        "POST", "/upload/{id}", "Upload",
        [](const Request&) -> StatusOr<Response> { return Status::Internal("whole body"); },
        [this](const Request& request) -> StatusOr<std::unique_ptr<BodySink>> {
          if (request.Label("id") == "refuse") return Status::InvalidInput("not here");
          seen_ = request;
          return std::unique_ptr<BodySink>(new CollectingSink(request.Label("id")));
        });
    metrics_ = std::make_unique<Metrics>(MetricSlots(router_));
    dispatcher_ = std::make_unique<Dispatcher>(router_, *metrics_, clock_, IdentityDefaults());
  }
  ~DispatcherTest() override { spdlog::set_level(spdlog::level::info); }

  OutgoingResponse Send(std::string_view method, std::string_view target,
                        std::string_view authorization = "", std::string body = "") {
    return dispatcher_->Handle(IncomingRequest{method, target, authorization, std::move(body)});
  }

  Router router_;
  ManualClock clock_{1516744412815};
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Dispatcher> dispatcher_;
  Request seen_;
};

TEST_F(DispatcherTest, SuccessReturnsHandlerResponse) {
  const OutgoingResponse response = Send("GET", "/ok");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"ok":true})");
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.error_type, "");
  EXPECT_FALSE(response.request_id.empty());
}

TEST_F(DispatcherTest, EachResponseHasItsOwnRequestId) {
  const OutgoingResponse first = Send("GET", "/ok");
  const OutgoingResponse second = Send("GET", "/ok");
  EXPECT_FALSE(first.request_id.empty());
  EXPECT_NE(first.request_id, second.request_id);
}

TEST_F(DispatcherTest, NoContentResponsePassesThrough) {
  const OutgoingResponse response = Send("POST", "/echo/x", "", "{}");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.content_type, "text/plain");
}

TEST_F(DispatcherTest, InvalidInputIs400BadRequestWithInvalidInputException) {
  const OutgoingResponse response = Send("POST", "/invalid");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_type, "BadRequestException");
  EXPECT_FALSE(response.request_id.empty());
  const json::object body = BodyObject(response);
  EXPECT_EQ(StringMember(body, "message"),
            "The request is rejected because the parameter name is bad.");
  EXPECT_EQ(StringMember(body, "__type"), "InvalidInputException");
}

TEST_F(DispatcherTest, NotFoundIs400InvalidInputExceptionNot404) {
  const OutgoingResponse response = Send("GET", "/missing/abc");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_type, "BadRequestException");
  const json::object body = BodyObject(response);
  EXPECT_EQ(StringMember(body, "message"), "no such thing: abc");
  EXPECT_EQ(StringMember(body, "__type"), "InvalidInputException");
}

TEST_F(DispatcherTest, LimitExceededIs400WithLimitExceededException) {
  const OutgoingResponse response = Send("POST", "/limit");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_type, "BadRequestException");
  const json::object body = BodyObject(response);
  EXPECT_EQ(StringMember(body, "message"), "too many detectors");
  EXPECT_EQ(StringMember(body, "__type"), "LimitExceededException");
}

TEST_F(DispatcherTest, InternalErrorIs500AndHidesItsDetail) {
  const OutgoingResponse response = Send("GET", "/internal");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.error_type, "InternalServerErrorException");
  EXPECT_FALSE(response.request_id.empty());
  const json::object body = BodyObject(response);
  EXPECT_NE(StringMember(body, "message"), "<absent>");
  EXPECT_EQ(response.body.find("secret"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("disk I/O"), std::string::npos) << response.body;
}

TEST_F(DispatcherTest, HandlerExceptionBecomes500WithoutLeakingItsText) {
  OutgoingResponse response;
  ASSERT_NO_THROW(response = Send("GET", "/throw"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.error_type, "InternalServerErrorException");
  const json::object body = BodyObject(response);
  EXPECT_NE(StringMember(body, "message"), "<absent>");
  EXPECT_NE(StringMember(body, "__type"), "<absent>");
  EXPECT_EQ(response.body.find("secret exception text"), std::string::npos) << response.body;
}

TEST_F(DispatcherTest, UnknownRouteIs404UnknownOperationException) {
  const OutgoingResponse response = Send("GET", "/no/such/path");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.error_type, "UnknownOperationException");
  EXPECT_FALSE(response.request_id.empty());
  const json::object body = BodyObject(response);
  EXPECT_EQ(StringMember(body, "__type"), "UnknownOperationException");
  EXPECT_NE(StringMember(body, "message"), "<absent>");
}

TEST_F(DispatcherTest, WrongMethodIsUnknownOperation) {
  const OutgoingResponse response = Send("DELETE", "/ok");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.error_type, "UnknownOperationException");
}

TEST_F(DispatcherTest, BadEscapeInALabelIs400InvalidInput) {
  const OutgoingResponse response = Send("GET", "/missing/a%G1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_type, "BadRequestException");
  EXPECT_EQ(StringMember(BodyObject(response), "__type"), "InvalidInputException");
}

TEST_F(DispatcherTest, DecodesLabelsAndQueryIntoTheRequest) {
  const OutgoingResponse response =
      Send("POST", "/echo/arn%3Aaws%2Fx?maxResults=5&tagKeys=a&tagKeys=b%20c&q=x+y", "",
           R"({"name":"n"})");
  ASSERT_EQ(response.status, 204) << response.body;
  EXPECT_EQ(seen_.method, "POST");
  EXPECT_EQ(seen_.Label("id"), "arn:aws/x");
  EXPECT_EQ(seen_.QueryValue("maxResults"), std::optional<std::string>("5"));
  EXPECT_EQ(seen_.QueryValues("tagKeys"), (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(seen_.QueryValue("q"), std::optional<std::string>("x y"));
  EXPECT_EQ(seen_.body, R"({"name":"n"})");
}

TEST_F(DispatcherTest, RequestWithoutQueryHasEmptyQuery) {
  Send("POST", "/echo/x");
  EXPECT_TRUE(seen_.query.empty());
  EXPECT_EQ(seen_.Label("id"), "x");
}

TEST_F(DispatcherTest, BadEscapeInTheQueryIs400InvalidInput) {
  const OutgoingResponse response = Send("POST", "/echo/x?maxResults=%G1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_type, "BadRequestException");
  EXPECT_EQ(StringMember(BodyObject(response), "__type"), "InvalidInputException");
}

TEST_F(DispatcherTest, AuthorizationHeaderSetsAccountAndRegionOfTheContext) {
  const OutgoingResponse response = Send("POST", "/echo/x", kAuthorization);
  ASSERT_EQ(response.status, 204);
  EXPECT_EQ(seen_.context.account, "111122223333");
  EXPECT_EQ(seen_.context.region, "eu-west-1");
  EXPECT_EQ(seen_.context.request_id, response.request_id);
  ASSERT_NE(seen_.context.clock, nullptr);
  EXPECT_EQ(seen_.context.clock->NowMillis(), 1516744412815);
}

TEST_F(DispatcherTest, MissingAuthorizationUsesTheDefaults) {
  ASSERT_EQ(Send("POST", "/echo/x").status, 204);
  EXPECT_EQ(seen_.context.account, "123456789012");
  EXPECT_EQ(seen_.context.region, "us-east-1");
}

TEST_F(DispatcherTest, ConfiguredDefaultsApplyWithoutAuthorization) {
  IdentityDefaults defaults;
  defaults.account = "444455556666";
  defaults.region = "sa-east-1";
  const Dispatcher dispatcher(router_, *metrics_, clock_, defaults);
  ASSERT_EQ(dispatcher.Handle(IncomingRequest{"POST", "/echo/x", "", ""}).status, 204);
  EXPECT_EQ(seen_.context.account, "444455556666");
  EXPECT_EQ(seen_.context.region, "sa-east-1");
}

TEST_F(DispatcherTest, MetricsCountRequestsAndErrorsPerOperation) {
  Send("GET", "/ok");
  Send("GET", "/ok");
  Send("POST", "/invalid");
  Send("GET", "/throw");
  Send("GET", "/nowhere");
  const std::string text = metrics_->RenderPrometheus(4096);
  EXPECT_NE(text.find("vigil_requests_total{operation=\"Ok\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_request_errors_total{operation=\"Ok\"} 0\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_requests_total{operation=\"Invalid\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_request_errors_total{operation=\"Invalid\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_request_errors_total{operation=\"Throw\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_requests_total{operation=\"Limit\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_requests_total{operation=\"UnknownOperation\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_request_errors_total{operation=\"UnknownOperation\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_request_duration_seconds_count{operation=\"Ok\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_store_size_bytes 4096\n"), std::string::npos) << text;
}

TEST_F(DispatcherTest, RecordRejectedCountsUnderTheUnmatchedSlot) {
  dispatcher_->RecordRejected(413);
  const std::string text = metrics_->RenderPrometheus(0);
  EXPECT_NE(text.find("vigil_requests_total{operation=\"UnknownOperation\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_request_errors_total{operation=\"UnknownOperation\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(DispatcherTest, AStreamingRouteTakesItsBodyInPieces) {
  std::unique_ptr<StreamingRequest> stream =
      dispatcher_->OpenStream(IncomingRequest{"POST", "/upload/a?x=1", kAuthorization, ""});
  ASSERT_NE(stream, nullptr);
  EXPECT_FALSE(stream->answered());
  EXPECT_EQ(seen_.context.account, "111122223333");
  EXPECT_EQ(seen_.context.region, "eu-west-1");
  EXPECT_EQ(seen_.QueryValue("x"), "1");
  stream->Write("he");
  stream->Write("llo");
  EXPECT_FALSE(stream->answered());
  stream->Finish();
  ASSERT_TRUE(stream->answered());
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "a:hello");
  EXPECT_EQ(response.request_id, seen_.context.request_id);
  const std::string text = metrics_->RenderPrometheus(0);
  EXPECT_NE(text.find("vigil_requests_total{operation=\"Upload\"} 1\n"), std::string::npos) << text;
}

TEST_F(DispatcherTest, OtherRoutesAndUnknownPathsTakeWholeBodies) {
  EXPECT_EQ(dispatcher_->OpenStream(IncomingRequest{"POST", "/echo/x", "", ""}), nullptr);
  EXPECT_EQ(dispatcher_->OpenStream(IncomingRequest{"POST", "/nowhere", "", ""}), nullptr);
  EXPECT_EQ(dispatcher_->OpenStream(IncomingRequest{"GET", "/upload/a", "", ""}), nullptr);
  // Nothing was answered, so nothing was counted: Handle answers those.
  EXPECT_NE(metrics_->RenderPrometheus(0).find(
                "vigil_requests_total{operation=\"UnknownOperation\"} 0\n"),
            std::string::npos);
}

TEST_F(DispatcherTest, ARefusedStreamIsAnsweredBeforeItsBody) {
  std::unique_ptr<StreamingRequest> stream =
      dispatcher_->OpenStream(IncomingRequest{"POST", "/upload/refuse", "", ""});
  ASSERT_NE(stream, nullptr);
  ASSERT_TRUE(stream->answered());
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(StringMember(BodyObject(response), "message"), "not here");
  EXPECT_NE(
      metrics_->RenderPrometheus(0).find("vigil_request_errors_total{operation=\"Upload\"} 1\n"),
      std::string::npos);
}

TEST_F(DispatcherTest, AFailedPieceAnswersAndTheRestIsIgnored) {
  std::unique_ptr<StreamingRequest> stream =
      dispatcher_->OpenStream(IncomingRequest{"POST", "/upload/a", "", ""});
  ASSERT_NE(stream, nullptr);
  stream->Write("good");
  stream->Write("bad");
  ASSERT_TRUE(stream->answered());
  stream->Write("more");
  stream->Finish();
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(StringMember(BodyObject(response), "message"), "bad piece");
}

TEST_F(DispatcherTest, TheServerEndsAStreamWithItsOwnError) {
  std::unique_ptr<StreamingRequest> stream =
      dispatcher_->OpenStream(IncomingRequest{"POST", "/upload/a", "", ""});
  ASSERT_NE(stream, nullptr);
  stream->Write("part");
  stream->Fail(Status(StatusCode::kPayloadTooLarge, "too big"));
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(StringMember(BodyObject(response), "message"), "too big");
}

TEST(ErrorResponseTest, EscapesQuotesNewlinesAndControlCharactersToValidJson) {
  const std::string message = "name \"a\\b\"\nline two\ttab\r\x01 end";
  const OutgoingResponse response = ErrorResponse(Status::InvalidInput(message), "req-1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.request_id, "req-1");
  const json::object body = BodyObject(response);
  EXPECT_EQ(StringMember(body, "message"), message);
  EXPECT_EQ(StringMember(body, "__type"), "InvalidInputException");
}

TEST(ErrorResponseTest, KeepsUtf8InMessages) {
  const std::string message = "filter 'caf\xC3\xA9' already exists";
  const OutgoingResponse response = ErrorResponse(Status::AlreadyExists(message), "req-2");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_type, "BadRequestException");
  EXPECT_EQ(StringMember(BodyObject(response), "message"), message);
}

TEST(ErrorResponseTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  // A percent-decoded path label may hold any bytes; the message quoting it stays JSON.
  const std::string message =
      "no such path /a\xFF\x8D/\xC3(\xE2\x82/\xC0\xAF/\xED\xA0\x80/\xF0\x9F\x98\x80 end";
  const OutgoingResponse response = ErrorResponse(Status::InvalidInput(message), "req-3");
  EXPECT_EQ(StringMember(BodyObject(response), "message"),
            "no such path /a\uFFFD\uFFFD/\uFFFD(\uFFFD\uFFFD/\uFFFD\uFFFD/\uFFFD\uFFFD\uFFFD/"
            "\xF0\x9F\x98\x80 end");
}

TEST(ErrorResponseTest, MapsEachCodeToItsWireError) {
  struct Case {
    Status status;
    int http_status;
    std::string error_type;
    std::string body_type;
  };
  const Case cases[] = {
      {Status::InvalidInput("x"), 400, "BadRequestException", "InvalidInputException"},
      {Status::NotFound("x"), 400, "BadRequestException", "InvalidInputException"},
      {Status::LimitExceeded("x"), 400, "BadRequestException", "LimitExceededException"},
      {Status(StatusCode::kUnknownOperation, "x"), 404, "UnknownOperationException",
       "UnknownOperationException"},
      {Status(StatusCode::kServiceUnavailable, "x"), 503, "ServiceUnavailableException",
       "ServiceUnavailableException"},
      {Status::Internal("x"), 500, "InternalServerErrorException", "InternalException"},
      {Status(StatusCode::kMissingAuthentication, "x"), 403, "MissingAuthenticationTokenException",
       "MissingAuthenticationTokenException"},
      {Status(StatusCode::kIncompleteSignature, "x"), 403, "IncompleteSignatureException",
       "IncompleteSignatureException"},
      {Status(StatusCode::kUnrecognizedClient, "x"), 403, "UnrecognizedClientException",
       "UnrecognizedClientException"},
      {Status(StatusCode::kInvalidSignature, "x"), 403, "InvalidSignatureException",
       "InvalidSignatureException"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    const OutgoingResponse response = ErrorResponse(c.status, "req");
    EXPECT_EQ(response.status, c.http_status);
    EXPECT_EQ(response.error_type, c.error_type);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(StringMember(BodyObject(response), "__type"), c.body_type);
  }
}

TEST(ErrorResponseTest, InternalErrorMessageDoesNotCarryTheDetail) {
  const OutgoingResponse response =
      ErrorResponse(Status::Internal("SQLITE_CORRUPT: database disk image is malformed"), "req-3");
  EXPECT_EQ(response.body.find("SQLITE_CORRUPT"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("malformed"), std::string::npos) << response.body;
}

// --auth sigv4: the dispatcher verifies signatures before anything else.

constexpr std::string_view kSecret = "alice-secret";
constexpr int64_t kNowMillis = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::string_view kNow = "20260101T000000Z";

// A request owning its text, signed as AKIAALICE for guardduty in eu-west-1.
struct SignedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // Signs over the body's hash, declared in x-amz-content-sha256 or not.
  SignedRequest(std::string method, std::string target, std::string body, bool declare_hash,
                std::string_view secret = kSecret)
      : method(std::move(method)), target(std::move(target)), body(std::move(body)) {
    headers = {{"Host", "127.0.0.1:8484"}, {"X-Amz-Date", std::string(kNow)}};
    std::string signed_headers = "host;x-amz-date";
    if (declare_hash) {
      headers.emplace_back("x-amz-content-sha256", Sha256Hex(this->body));
      signed_headers = "host;x-amz-content-sha256;x-amz-date";
    }
    const std::string scope = "20260101/eu-west-1/guardduty/aws4_request";
    const std::string canonical =
        CanonicalRequestHead(Head(), signed_headers, false) + Sha256Hex(this->body);
    const std::string signature = SigV4Signature(secret, "20260101", "eu-west-1", "guardduty",
                                                 StringToSign(kNow, scope, canonical));
    headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAALICE/" + scope +
                                              ", SignedHeaders=" + signed_headers +
                                              ", Signature=" + signature);
  }

  RequestHead Head() const {
    RequestHead head{method, target, {}};
    for (const auto& [name, value] : headers) head.headers.emplace_back(name, value);
    return head;
  }
  IncomingRequest Incoming(std::string sent_body) const {
    IncomingRequest incoming{method, target, "", std::move(sent_body), Head().headers};
    for (const auto& [name, value] : headers) {
      if (name == "Authorization") incoming.authorization = value;
    }
    return incoming;
  }
  IncomingRequest Incoming() const { return Incoming(body); }
};

class SigV4DispatcherTest : public DispatcherTest {
 protected:
  SigV4DispatcherTest()
      : sigv4_clock_(kNowMillis),
        verifier_({{"AKIAALICE", std::string(kSecret), "111122223333"}}, sigv4_clock_) {
    router_.Add(
        "GET", "/health", "Health", [](const Request&) -> StatusOr<Response> { return Response{}; },
        nullptr,
        /*anonymous=*/true);
    metrics_ = std::make_unique<Metrics>(MetricSlots(router_));
    dispatcher_ = std::make_unique<Dispatcher>(router_, *metrics_, clock_, IdentityDefaults(),
                                               AuthOptions{&verifier_, 16});
  }

  ManualClock sigv4_clock_;
  SigV4Verifier verifier_;
};

TEST_F(SigV4DispatcherTest, AnUnsignedRequestIs403MissingAuthenticationToken) {
  const OutgoingResponse response = Send("POST", "/echo/x");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.error_type, "MissingAuthenticationTokenException");
  const json::object body = BodyObject(response);
  EXPECT_EQ(StringMember(body, "message"), "Missing Authentication Token");
  EXPECT_EQ(StringMember(body, "__type"), "MissingAuthenticationTokenException");
  EXPECT_FALSE(response.request_id.empty());
}

TEST_F(SigV4DispatcherTest, UnknownPathsAreNotRevealedToUnsignedCallers) {
  EXPECT_EQ(Send("GET", "/no/such/path").status, 403);
  const SignedRequest signed_request("GET", "/no/such/path", "", false);
  EXPECT_EQ(dispatcher_->Handle(signed_request.Incoming()).status, 404);
}

TEST_F(SigV4DispatcherTest, AnonymousRoutesNeedNoSignature) {
  EXPECT_EQ(Send("GET", "/health").status, 200);
}

TEST_F(SigV4DispatcherTest, TheSignersAccountAndTheScopesRegionMakeTheContext) {
  const SignedRequest signed_request("POST", "/echo/x?a=1", R"({"n":1})", false);
  const OutgoingResponse response = dispatcher_->Handle(signed_request.Incoming());
  ASSERT_EQ(response.status, 204) << response.body;
  EXPECT_EQ(seen_.context.account, "111122223333");
  EXPECT_EQ(seen_.context.region, "eu-west-1");
  EXPECT_EQ(seen_.body, R"({"n":1})");
}

TEST_F(SigV4DispatcherTest, AChangedBodyIsAnInvalidSignature) {
  const SignedRequest signed_request("POST", "/echo/x", R"({"n":1})", false);
  const OutgoingResponse response = dispatcher_->Handle(signed_request.Incoming(R"({"n":2})"));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.error_type, "InvalidSignatureException");
}

TEST_F(SigV4DispatcherTest, AWrongSecretIsAnInvalidSignature) {
  const SignedRequest signed_request("POST", "/echo/x", "", false, "not-alice");
  EXPECT_EQ(dispatcher_->Handle(signed_request.Incoming()).error_type, "InvalidSignatureException");
}

TEST_F(SigV4DispatcherTest, ADeclaredHashLetsTheBodyStreamAndIsCheckedAtTheEnd) {
  const SignedRequest signed_request("POST", "/upload/a", "hello", true);
  std::unique_ptr<StreamingRequest> stream = dispatcher_->OpenStream(signed_request.Incoming(""));
  ASSERT_NE(stream, nullptr);
  ASSERT_FALSE(stream->answered());
  EXPECT_EQ(seen_.context.account, "111122223333");  // the route's sink is open already
  stream->Write("hel");
  stream->Write("lo");
  stream->Finish();
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "a:hello");

  std::unique_ptr<StreamingRequest> changed = dispatcher_->OpenStream(signed_request.Incoming(""));
  ASSERT_NE(changed, nullptr);
  changed->Write("jello");
  changed->Finish();
  EXPECT_EQ(changed->TakeResponse().error_type, "InvalidSignatureException");
}

TEST_F(SigV4DispatcherTest, AnUndeclaredHashHoldsTheBodyUntilItIsVerified) {
  const SignedRequest signed_request("POST", "/upload/a", "hello", false);
  std::unique_ptr<StreamingRequest> stream = dispatcher_->OpenStream(signed_request.Incoming(""));
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(seen_.method, "");  // nothing unverified has reached the route
  stream->Write("hel");
  stream->Write("lo");
  EXPECT_EQ(seen_.method, "");
  stream->Finish();
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "a:hello");
  EXPECT_EQ(seen_.context.account, "111122223333");

  seen_ = Request();
  std::unique_ptr<StreamingRequest> changed = dispatcher_->OpenStream(signed_request.Incoming(""));
  changed->Write("jello");
  changed->Finish();
  EXPECT_EQ(changed->TakeResponse().error_type, "InvalidSignatureException");
  EXPECT_EQ(seen_.method, "");  // the route never saw it
}

TEST_F(SigV4DispatcherTest, AHeldBodyHasALimit) {
  const SignedRequest signed_request("POST", "/upload/a", std::string(17, 'x'), false);
  std::unique_ptr<StreamingRequest> stream = dispatcher_->OpenStream(signed_request.Incoming(""));
  stream->Write(std::string(10, 'x'));
  EXPECT_FALSE(stream->answered());
  stream->Write(std::string(7, 'x'));
  ASSERT_TRUE(stream->answered());
  const OutgoingResponse response = stream->TakeResponse();
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(StringMember(BodyObject(response), "message").find("x-amz-content-sha256"),
            std::string::npos);
}

TEST_F(SigV4DispatcherTest, AnUnsignedStreamIsRefusedBeforeItsBody) {
  std::unique_ptr<StreamingRequest> stream =
      dispatcher_->OpenStream(IncomingRequest{"POST", "/upload/a", "", ""});
  ASSERT_NE(stream, nullptr);
  ASSERT_TRUE(stream->answered());
  EXPECT_EQ(stream->TakeResponse().status, 403);
}

}  // namespace
}  // namespace vigil::http
