#include "http/request_limits.h"

#include <string>

namespace vigil::http {
namespace {

Rejection TargetTooLong(const RequestLimits& limits) {
  return {414, Status::InvalidInput("The request URI exceeds the limit of " +
                                    std::to_string(limits.max_target_bytes) + " bytes.")};
}

}  // namespace

std::optional<Rejection> CheckRequestHead(
    std::string_view target,
    const std::vector<std::pair<std::string_view, std::string_view>>& headers,
    const RequestLimits& limits) {
  if (target.size() > limits.max_target_bytes) return TargetTooLong(limits);
  if (headers.size() > limits.max_header_count) {
    return Rejection{431, Status::InvalidInput("The request has more than " +
                                               std::to_string(limits.max_header_count) +
                                               " header fields, the limit.")};
  }
  for (const auto& [name, value] : headers) {
    if (name.size() + value.size() > limits.max_field_bytes) {
      // The name only, cut short: it is the client's text.
      return Rejection{
          431, Status::InvalidInput("The request header field " + std::string(name.substr(0, 64)) +
                                    " exceeds the limit of " +
                                    std::to_string(limits.max_field_bytes) + " bytes.")};
    }
  }
  return std::nullopt;
}

std::optional<Rejection> CheckRequestLine(std::string_view request_start,
                                          const RequestLimits& limits) {
  const std::string_view line = request_start.substr(0, request_start.find("\r\n"));
  // "METHOD SP target SP HTTP/1.1": the target starts after the first space and runs to
  // the next one (or to the end of what arrived).
  const size_t start = line.find(' ');
  if (start == std::string_view::npos) return std::nullopt;
  const size_t end = line.find(' ', start + 1);
  const size_t length = (end == std::string_view::npos ? line.size() : end) - start - 1;
  if (length > limits.max_target_bytes) return TargetTooLong(limits);
  return std::nullopt;
}

}  // namespace vigil::http
