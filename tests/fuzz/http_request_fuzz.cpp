// libFuzzer target for the whole HTTP request path: any bytes are what a client sends on
// one connection, one or more pipelined requests. Each goes through Beast's request parser
// with the server's limits and the server's head checks (http/request_limits.h), then the
// Dispatcher with the route table `vigil serve` uses (api::RegisterRoutes) over an
// in-memory SQLite store: routing, identity, query, JSON body and the real handler
// (streamed routes, /_vigil/ingest, through their body sinks).
//
// Every input starts from the same store: empty but for one detector with a known id in
// the default account, so requests can reach the handlers behind a detector.
// Invariants: every answer has a status the server can send and a request id; no handler
// fails with an internal error (500); an error answer is GuardDuty's JSON error shape; a
// JSON answer parses. Crashes, sanitizer reports (leaks included) and broken invariants
// abort.
#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/routes.h"
#include "api/services.h"
#include "core/time.h"
#include "detect/detection_engine.h"
#include "findings/finding_service.h"
#include "fuzz_support.h"
#include "http/dispatcher.h"
#include "http/metrics.h"
#include "http/request_limits.h"
#include "http/router.h"
#include "store/store.h"

namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;
using vigil::fuzz::Require;

// The server's defaults (ServerOptions), smaller bodies aside: inputs are small anyway.
constexpr uint32_t kHeaderLimitBytes = 64 * 1024;
constexpr size_t kBodyLimitBytes = 1024 * 1024;
constexpr std::string_view kIngestPrefix = "/_vigil/ingest/";
constexpr size_t kMaxRequestsPerInput = 8;
// The detector every input finds in place; the seed corpus uses its id.
constexpr std::string_view kDetectorId = "12abc34d567e8fa901bc2d34e56789f0";

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

// What `vigil serve` builds around its Dispatcher, over an in-memory store.
struct Stack {
  Stack() {
    spdlog::set_level(spdlog::level::off);
    auto opened = vigil::OpenSqliteStore(":memory:");
    Require(opened.ok());
    store = std::move(*opened);
    findings = std::make_unique<vigil::FindingService>(*store);
    engine = std::make_unique<vigil::DetectionEngine>(*store, *findings, nullptr, clock);
    services.store = store.get();
    services.findings = findings.get();
    services.engine = engine.get();
    services.max_ingest_bytes = kBodyLimitBytes;
    vigil::api::RegisterRoutes(router, services);
    metrics = std::make_unique<vigil::http::Metrics>(vigil::http::MetricSlots(router));
    services.metrics = metrics.get();
    dispatcher = std::make_unique<vigil::http::Dispatcher>(
        router, *metrics, clock, vigil::http::IdentityDefaults{"123456789012", "us-east-1"});
  }

  // Back to the state every input starts from.
  void Reset() {
    Require(store->Reset().ok());
    vigil::DetectorRecord detector;
    detector.id = std::string(kDetectorId);
    detector.account = "123456789012";
    detector.region = "us-east-1";
    detector.created_at = detector.updated_at = clock.NowMillis();
    Require(store->CreateDetector(detector, {}, {}).ok());
  }

  vigil::ManualClock clock{1767225600000};  // 2026-01-01T00:00:00Z
  std::unique_ptr<vigil::Store> store;
  std::unique_ptr<vigil::FindingService> findings;
  std::unique_ptr<vigil::DetectionEngine> engine;
  vigil::api::Services services;
  vigil::http::Router router;
  std::unique_ptr<vigil::http::Metrics> metrics;
  std::unique_ptr<vigil::http::Dispatcher> dispatcher;
};

// Aborts (after printing the answer, for whoever reads the crash) unless `condition`.
void RequireOf(bool condition, const vigil::http::OutgoingResponse& response) {
  if (condition) return;
  std::fprintf(stderr, "broken invariant; answer %d %s: %s\n", response.status,
               response.error_type.c_str(), response.body.substr(0, 2000).c_str());
  std::abort();
}

void CheckResponse(const vigil::http::OutgoingResponse& response) {
  RequireOf(response.status >= 200 && response.status <= 599, response);
  RequireOf(response.status != 500, response);  // an internal error is a bug the input found
  RequireOf(!response.request_id.empty(), response);
  if (response.content_type != "application/json" || response.status == 204) return;
  json::error_code ec;
  const json::value body = json::parse(response.body, ec);
  RequireOf(!ec, response);
  if (response.status < 400) return;
  RequireOf(!response.error_type.empty() && body.is_object(), response);
  const json::value* message = body.as_object().if_contains("message");
  const json::value* type = body.as_object().if_contains("__type");
  RequireOf(message != nullptr && message->is_string() && !message->as_string().empty(), response);
  RequireOf(type != nullptr && type->is_string() && !type->as_string().empty(), response);
}

// What the server answers itself, before dispatch.
vigil::http::OutgoingResponse Rejected(int http_status, const vigil::Status& status) {
  vigil::http::OutgoingResponse response = vigil::http::ErrorResponse(status, "fuzz-request");
  response.status = http_status;
  return response;
}

Headers HeadersOf(const bhttp::fields& fields) {
  Headers headers;
  for (const auto& field : fields) headers.emplace_back(field.name_string(), field.value());
  return headers;
}

// Parses and answers the request at the start of `input`; the bytes it used, or nullopt
// when the connection would end there (a refusal closes it, as does an incomplete request).
std::optional<size_t> ServeOne(Stack& stack, std::string_view input) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kHeaderLimitBytes);
  parser.body_limit(kBodyLimitBytes);
  parser.eager(true);
  const vigil::http::RequestLimits limits;
  boost::beast::error_code ec;
  size_t used = 0;
  while (!parser.is_done()) {
    const std::string_view rest = input.substr(used);
    const size_t parsed = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    used += parsed;
    if (ec == bhttp::error::need_more && used == input.size() && parser.is_header_done()) {
      parser.put_eof(ec);  // the input ends within the body
    }
    if (ec || parsed == 0) break;
  }
  if (!ec && !parser.is_done()) return std::nullopt;
  if (ec == bhttp::error::header_limit) {
    const std::string_view target = parser.get().target();
    if (auto rejection = target.empty() ? vigil::http::CheckRequestLine(input, limits)
                                        : vigil::http::CheckRequestHead(target, {}, limits)) {
      CheckResponse(Rejected(rejection->http_status, rejection->status));
    } else {
      CheckResponse(Rejected(431, vigil::Status::InvalidInput("headers over the limit")));
    }
    return std::nullopt;
  }
  if (ec == bhttp::error::body_limit) {
    CheckResponse(Rejected(413, vigil::Status(vigil::StatusCode::kPayloadTooLarge, "too large")));
    return std::nullopt;
  }
  if (ec == bhttp::error::need_more || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec) {
    CheckResponse(Rejected(400, vigil::Status::InvalidInput("not HTTP: " + ec.message())));
    return std::nullopt;
  }
  Require(parser.is_done());
  auto& request = parser.get();
  const Headers headers = HeadersOf(request);
  if (auto rejection = vigil::http::CheckRequestHead(request.target(), headers, limits)) {
    CheckResponse(Rejected(rejection->http_status, rejection->status));
    return std::nullopt;
  }
  const vigil::http::IncomingRequest incoming{
      request.method_string(), request.target(), request[bhttp::field::authorization], {}, headers};
  if (request.target().starts_with(kIngestPrefix)) {
    if (auto streaming = stack.dispatcher->OpenStream(incoming)) {
      // The body in two pieces, as the server hands them over.
      const std::string_view body = request.body();
      streaming->Write(body.substr(0, body.size() / 2));
      streaming->Write(body.substr(body.size() / 2));
      if (!streaming->answered()) streaming->Finish();
      Require(streaming->answered());
      CheckResponse(streaming->TakeResponse());
      return request.keep_alive() ? std::optional(used) : std::nullopt;
    }
  }
  vigil::http::IncomingRequest whole = incoming;
  whole.body = std::move(request.body());
  CheckResponse(stack.dispatcher->Handle(std::move(whole)));
  return request.keep_alive() ? std::optional(used) : std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Stack stack;
  stack.Reset();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (size_t served = 0; served < kMaxRequestsPerInput && !input.empty(); ++served) {
    const std::optional<size_t> used = ServeOne(stack, input);
    if (!used || *used == 0) break;
    input.remove_prefix(*used);
  }
  return 0;
}
