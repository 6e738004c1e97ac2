// Dispatcher: turns one complete HTTP request into one response, independent of
// sockets. Routes it, builds its RequestContext, calls the handler, maps a non-OK
// Status to the AWS rest-json error shape, records metrics and logs one line.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "http/metrics.h"
#include "http/request_identity.h"
#include "http/router.h"

namespace vigil::http {

struct IncomingRequest {
  std::string_view method;
  std::string_view target;         // raw request-target: path plus optional "?query"
  std::string_view authorization;  // Authorization header, may be empty
  std::string body;
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

class Dispatcher {
 public:
  // Borrows all arguments; they must outlive the dispatcher. Thread-safe.
  // `metrics` has one slot per route plus a last slot for unmatched requests.
  Dispatcher(const Router& router, Metrics& metrics, const Clock& clock, IdentityDefaults defaults);

  // Never throws: exceptions from handlers become 500 InternalServerErrorException.
  OutgoingResponse Handle(IncomingRequest request) const;

  // Records a request the server answered itself (413, 431...) under the unmatched slot.
  void RecordRejected(int http_status) const;

 private:
  const Router& router_;
  Metrics& metrics_;
  const Clock& clock_;
  IdentityDefaults defaults_;
};

}  // namespace vigil::http
