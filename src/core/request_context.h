// RequestContext: who is asking, where, and when — handed explicitly to every handler.
#pragma once

#include <string>

#include "core/time.h"

namespace vigil {

// Built by http/ for each request; handlers never consult globals for these.
// The clock is borrowed and outlives the request.
struct RequestContext {
  std::string account;     // 12-digit AWS account id of the caller
  std::string region;      // region of the request's SigV4 credential scope
  std::string request_id;  // echoed as x-amzn-RequestId
  const Clock* clock = nullptr;
};

}  // namespace vigil
