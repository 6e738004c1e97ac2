// Dispatcher: turns one complete HTTP request into one response, independent of
// sockets. Routes it, authenticates it (--auth sigv4), builds its RequestContext, calls
// the handler, maps a non-OK Status to the AWS rest-json error shape, records metrics and
// logs one line. A route with a BodySink has its body streamed in instead
// (StreamingRequest), answered alike.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/metrics.h"
#include "http/request_identity.h"
#include "http/router.h"
#include "http/sigv4.h"

namespace vigil::http {

struct IncomingRequest {
  std::string_view method;
  std::string_view target;         // raw request-target: path plus optional "?query"
  std::string_view authorization;  // Authorization header, may be empty
  std::string body;
  // Every header as received, Authorization included: what --auth sigv4 verifies.
  std::vector<std::pair<std::string_view, std::string_view>> headers = {};
};

struct OutgoingResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string request_id;  // x-amzn-RequestId
  std::string error_type;  // X-Amzn-ErrorType; empty on success
};

// Builds the AWS error response for `status` (never OK): HTTP status, X-Amzn-ErrorType
// and a {"message","__type"} body. Internal errors hide their detail from the client.
OutgoingResponse ErrorResponse(const Status& status, std::string request_id);

// How requests are authenticated.
struct AuthOptions {
  // nullptr: `--auth none`, where the Authorization header names the account and region
  // unchecked (IdentityFromAuthorization). Otherwise every request but those of anonymous
  // routes must carry a signature this verifier accepts. Borrowed.
  const SigV4Verifier* verifier = nullptr;
  // A streamed body whose signature covers its own SHA-256 can be verified only once it has
  // all arrived, so it is held until then, up to this size; larger ones must declare their
  // hash in a signed x-amz-content-sha256 header (vigil ingest does).
  size_t max_held_body_bytes = 10 * 1024 * 1024;
};

class StreamingRequest;

// The slots a Dispatcher over `router` records into: each route's operation, in route
// order, then "UnknownOperation" for requests no route matched. Build its Metrics with them.
std::vector<std::string> MetricSlots(const Router& router);

class Dispatcher {
 public:
  // Borrows all arguments; they must outlive the dispatcher. Thread-safe.
  // `metrics` has MetricSlots(router).
  Dispatcher(const Router& router, Metrics& metrics, const Clock& clock, IdentityDefaults defaults,
             AuthOptions auth = {});

  // Never throws: exceptions from handlers become 500 InternalServerErrorException.
  OutgoingResponse Handle(IncomingRequest request) const;

  // For a request (headers only, body empty) whose route takes its body through a
  // BodySink: the request with its sink open, or already answered when the route refused
  // it. nullptr when the route takes whole bodies, or nothing matches: call Handle once
  // the body is in. The dispatcher must outlive the result.
  std::unique_ptr<StreamingRequest> OpenStream(IncomingRequest request) const;

  // Records a request the server answered itself (413, 431...) under the unmatched slot.
  void RecordRejected(int http_status) const;

 private:
  friend class StreamingRequest;

  // What the answer to one request is accounted under.
  struct Call {
    std::chrono::steady_clock::time_point started;
    size_t metrics_slot = 0;
    std::string_view operation = "UnknownOperation";
  };

  // With --auth sigv4, what OpenStream learns from a request's head.
  struct HeadAuthentication {
    std::optional<SignatureClaim> claim;  // empty: not authenticated (anonymous route)
    PayloadCoverage coverage = PayloadCoverage::kUnsigned;
  };

  // Fills `request` (identity, context, labels, query) from `incoming` and finds its route.
  // Authenticates the request first: whole (Handle), or as far as its head allows when
  // `head` is given (OpenStream), which then says what is left to check.
  StatusOr<const Route*> Resolve(IncomingRequest& incoming, Request& request, Call& call,
                                 HeadAuthentication* head = nullptr) const;
  // Sets the account and region of `request`, from its verified signature with --auth sigv4.
  Status Authenticate(const IncomingRequest& incoming, const Route* route, Request& request,
                      HeadAuthentication* head) const;
  // Maps `result` to the response, records metrics and logs the request's line.
  OutgoingResponse Answer(const Call& call, const Request& request,
                          StatusOr<Response> result) const;

  const Router& router_;
  Metrics& metrics_;
  const Clock& clock_;
  IdentityDefaults defaults_;
  AuthOptions auth_;
};

// A request whose body is read in pieces into its route's BodySink: answered, counted and
// logged as Handle would. Used by one thread at a time.
class StreamingRequest {
 public:
  // A request dropped before its answer (connection lost, timeout) is logged as abandoned.
  ~StreamingRequest();
  StreamingRequest(const StreamingRequest&) = delete;
  StreamingRequest& operator=(const StreamingRequest&) = delete;

  // True once the answer is known: the sink refused the request or a piece, or Finish
  // or Fail ran. Before the body is complete, this means the rest is not needed.
  bool answered() const { return response_.has_value(); }
  // Passes the next piece of the body to the sink; ignored once answered.
  void Write(std::string_view piece);
  // The whole body has arrived: the sink's response.
  void Finish();
  // The server stopped reading the body (over the limit, malformed): answers `status`.
  void Fail(const Status& status);
  // The answer; requires answered().
  OutgoingResponse TakeResponse();

 private:
  friend class Dispatcher;
  StreamingRequest(const Dispatcher& dispatcher, Dispatcher::Call call, Request request);
  void Answer(StatusOr<Response> result);

  const Dispatcher& dispatcher_;
  const Dispatcher::Call call_;
  Request request_;
  std::unique_ptr<BodySink> sink_;
  std::optional<OutgoingResponse> response_;
};

}  // namespace vigil::http
