// Request limits: what the server refuses from a request's head alone, before routing.
//
// The total size of the headers and of the body are enforced by the HTTP parser while it
// reads (server.cpp); the limits here are checked once the head has been parsed, which
// that total size keeps bounded. Shared by the server and the HTTP request fuzz target so
// both refuse alike.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil::http {

struct RequestLimits {
  size_t max_target_bytes = 8 * 1024;  // request-target: path and query (414 beyond)
  size_t max_header_count = 100;       // header fields (431 beyond)
  size_t max_field_bytes = 8 * 1024;   // one header field, name and value (431 beyond)
};

// A request the server answers itself, with this HTTP status and error, then closes.
struct Rejection {
  int http_status = 400;
  Status status;
};

// The first limit the head breaks, if any: 414 for the target, 431 for the headers.
std::optional<Rejection> CheckRequestHead(
    std::string_view target,
    const std::vector<std::pair<std::string_view, std::string_view>>& headers,
    const RequestLimits& limits);

// For a request whose head outgrew its limit before its request line ended: 414 when
// `request_start` (its first bytes) opens with a target longer than the limit allows;
// nullopt when something else is what is too large.
std::optional<Rejection> CheckRequestLine(std::string_view request_start,
                                          const RequestLimits& limits);

}  // namespace vigil::http
