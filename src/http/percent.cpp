#include "http/percent.h"

#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

namespace vigil::http {

std::optional<std::string> DecodePathSegment(std::string_view encoded) {
  auto validated = boost::urls::make_pct_string_view(encoded);
  if (!validated) return std::nullopt;
  return validated->decode();
}

std::optional<std::vector<std::pair<std::string, std::string>>> DecodeQuery(
    std::string_view encoded) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (encoded.empty()) return pairs;
  auto params = boost::urls::parse_query(encoded);
  if (!params) return std::nullopt;
  for (const auto& param : *params) {
    // Form-style '+' for space, as AWS SDKs and browsers may send.
    boost::urls::encoding_opts options;
    options.space_as_plus = true;
    pairs.emplace_back(param.key.decode(options), param.has_value ? param.value.decode(options) : "");
  }
  return pairs;
}

}  // namespace vigil::http
