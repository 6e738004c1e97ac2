// Percent-decoding of URI path segments and query strings (RFC 3986), via Boost.URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::http {

// Decodes one path segment. '+' stays '+'. nullopt when an escape is malformed.
std::optional<std::string> DecodePathSegment(std::string_view encoded);

// Splits a raw query string ("a=1&b=x%20y&b=z") into decoded name/value pairs, in order.
// nullopt when an escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> DecodeQuery(
    std::string_view encoded);

}  // namespace vigil::http
