#include "http/percent.h"

#include <boost/url/pct_string_view.hpp>

namespace vigil::http {

std::optional<std::string> DecodePathSegment(std::string_view encoded) {
  auto validated = boost::urls::make_pct_string_view(encoded);
  if (!validated) return std::nullopt;
  return validated->decode();
}

namespace {

// Decodes a query name or value: form-style '+' is a space, then percent escapes.
// ('+' becomes "%20" before decoding so an encoded "%2B" still decodes to '+'.)
std::optional<std::string> DecodeQueryComponent(std::string_view encoded) {
  std::string spaced;
  spaced.reserve(encoded.size());
  for (char c : encoded) {
    if (c == '+') {
      spaced += "%20";
    } else {
      spaced += c;
    }
  }
  return DecodePathSegment(spaced);
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> DecodeQuery(
    std::string_view encoded) {
  // Split by hand: decoding the params of Boost.URL 1.81's parse_query intermittently gave
  // the last value bytes from beyond the query string (seen in the integration tests).
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!encoded.empty()) {
    const size_t end = encoded.find('&');
    const std::string_view pair = encoded.substr(0, end);
    encoded = end == std::string_view::npos ? std::string_view() : encoded.substr(end + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    auto name = DecodeQueryComponent(pair.substr(0, equals));
    auto value = DecodeQueryComponent(equals == std::string_view::npos ? std::string_view()
                                                                       : pair.substr(equals + 1));
    if (!name || !value) return std::nullopt;
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return pairs;
}

}  // namespace vigil::http
