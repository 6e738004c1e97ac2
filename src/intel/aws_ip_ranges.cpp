#include "intel/aws_ip_ranges.h"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "intel/list_parser.h"

namespace vigil {

namespace json = boost::json;

namespace {

bool ParseIpv6(std::string_view text, std::array<uint8_t, 16>& address) {
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string terminated(text);
  return inet_pton(AF_INET6, terminated.c_str(), address.data()) == 1;
}

// The strings under list[].field, or an error naming what is missing.
StatusOr<std::vector<std::string_view>> PrefixStrings(const json::object& document,
                                                      std::string_view list,
                                                      std::string_view field) {
  std::vector<std::string_view> prefixes;
  const json::value* entries = document.if_contains(list);
  if (entries == nullptr) return prefixes;
  if (!entries->is_array()) return Status::InvalidInput(std::string(list) + " is not a list");
  size_t index = 0;
  for (const json::value& entry : entries->as_array()) {
    const json::value* prefix = entry.is_object() ? entry.as_object().if_contains(field) : nullptr;
    if (prefix == nullptr || !prefix->is_string()) {
      return Status::InvalidInput(std::string(list) + "[" + std::to_string(index) + "] has no " +
                                  std::string(field));
    }
    prefixes.push_back(prefix->as_string());
    ++index;
  }
  return prefixes;
}

}  // namespace

StatusOr<AwsIpRanges> AwsIpRanges::Parse(std::string_view json_text) {
  boost::system::error_code ec;
  const json::value document = json::parse(json_text, ec);
  if (ec || !document.is_object()) {
    return Status::InvalidInput("not an ip-ranges.json document (expected a JSON object)");
  }
  const json::object& object = document.as_object();
  if (!object.contains("prefixes") && !object.contains("ipv6_prefixes")) {
    return Status::InvalidInput("not an ip-ranges.json document (no \"prefixes\")");
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string_view> v4,
                         PrefixStrings(object, "prefixes", "ip_prefix"));
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string_view> v6,
                         PrefixStrings(object, "ipv6_prefixes", "ipv6_prefix"));
  AwsIpRanges ranges;
  std::vector<IpMatcher::Entry> entries;
  entries.reserve(v4.size());
  for (std::string_view text : v4) {
    const std::optional<Ipv4Range> range =
        text.find('/') != std::string_view::npos ? ParseIpv4Entry(text) : std::nullopt;
    if (!range) return Status::InvalidInput("bad ip_prefix '" + std::string(text) + "'");
    entries.push_back({*range, 0});
  }
  ranges.ipv4_ = IpMatcher::Build(entries);
  ranges.ipv4_prefixes_ = entries.size();
  for (std::string_view text : v6) {
    const size_t slash = text.find('/');
    Ipv6Prefix prefix;
    const std::string_view length = slash == std::string_view::npos ? "" : text.substr(slash + 1);
    const auto [end, error] =
        std::from_chars(length.data(), length.data() + length.size(), prefix.length);
    if (slash == std::string_view::npos || error != std::errc() ||
        end != length.data() + length.size() || prefix.length < 0 || prefix.length > 128 ||
        !ParseIpv6(text.substr(0, slash), prefix.address)) {
      return Status::InvalidInput("bad ipv6_prefix '" + std::string(text) + "'");
    }
    ranges.ipv6_.push_back(prefix);
  }
  return ranges;
}

StatusOr<AwsIpRanges> AwsIpRanges::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  auto ranges = Parse(content.str());
  if (!ranges.ok()) return Status::InvalidInput(path + ": " + ranges.status().message());
  return ranges;
}

bool AwsIpRanges::Contains(std::string_view address) const {
  if (const std::optional<uint32_t> v4 = ParseIpv4Address(address)) {
    return ipv4_.Lookup(*v4) != 0;
  }
  std::array<uint8_t, 16> v6{};
  if (!ParseIpv6(address, v6)) return false;
  for (const Ipv6Prefix& prefix : ipv6_) {
    const int whole = prefix.length / 8;
    const int rest = prefix.length % 8;
    if (!std::equal(v6.begin(), v6.begin() + whole, prefix.address.begin())) continue;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
    if ((v6[whole] & mask) == (prefix.address[whole] & mask)) return true;
  }
  return false;
}

}  // namespace vigil
