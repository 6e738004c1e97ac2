// AwsIpRanges: the address ranges AWS publishes as ip-ranges.json
// (https://ip-ranges.amazonaws.com/ip-ranges.json), which the user downloads and hands to
// Vigil with --aws-ip-ranges. Instance credentials used from outside these ranges are
// UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS. Immutable after
// parsing and thread-safe to read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "intel/ip_matcher.h"

namespace vigil {

class AwsIpRanges {
 public:
  // Parses the JSON document: "prefixes"[].ip_prefix and "ipv6_prefixes"[].ipv6_prefix.
  // InvalidInput naming the problem when the text is not that document or a prefix is
  // malformed.
  static StatusOr<AwsIpRanges> Parse(std::string_view json_text);
  // Reads and parses a file.
  static StatusOr<AwsIpRanges> Load(const std::string& path);

  // True when `address` (IPv4 dotted quad or IPv6 text) is in a published range.
  bool Contains(std::string_view address) const;

  size_t ipv4_prefix_count() const { return ipv4_prefixes_; }
  size_t ipv6_prefix_count() const { return ipv6_.size(); }

 private:
  struct Ipv6Prefix {
    std::array<uint8_t, 16> address{};
    int length = 0;
  };

  IpMatcher ipv4_;
  size_t ipv4_prefixes_ = 0;
  std::vector<Ipv6Prefix> ipv6_;  // a few thousand; checked in turn (rare lookups)
};

}  // namespace vigil
