// libFuzzer target for the threat list parsers: the first byte picks the format (its
// value modulo 6, so the seed files can start with the digits '0'..'5' in ListFormat
// order), the rest is the file. Crashes, sanitizer reports and broken invariants abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_support.h"
#include "intel/list_parser.h"

namespace {

constexpr int kFormatCount = 6;

bool IsLowercaseAscii(std::string_view text) {
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') return false;
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

using vigil::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto format = static_cast<vigil::ListFormat>(data[0] % kFormatCount);
  const std::string_view content(reinterpret_cast<const char*>(data + 1), size - 1);

  const vigil::ParsedList list = vigil::ParseList(format, content);

  Require(list.bad_lines.size() <= vigil::ParsedList::kMaxReportedBadLines);
  Require(list.bad_lines.size() <= list.bad_line_count);
  Require(list.bad_line_count == list.bad_lines.size() ||
          list.bad_lines.size() == vigil::ParsedList::kMaxReportedBadLines);
  for (const vigil::Ipv4Range& range : list.ranges) Require(range.first <= range.last);
  for (const std::string& domain : list.domains) {
    Require(!domain.empty() && domain.size() <= 255 && IsLowercaseAscii(domain));
    Require(domain.back() != '.');
  }
  size_t previous_line = 0;
  for (const vigil::BadLine& bad : list.bad_lines) {
    Require(!bad.reason.empty());
    // Line formats report in file order; XML values arrive in document order too.
    Require(bad.line >= previous_line);
    previous_line = bad.line;
  }
  // Every entry, ignored IPv6 value and bad line comes from a counted line, except a
  // FIRE_EYE row, which may hold up to three indicators.
  const size_t per_line = format == vigil::ListFormat::kFireEye ? 3 : 1;
  if (format != vigil::ListFormat::kStix || list.lines > 0) {
    Require(list.entries() + list.ipv6_ignored <= list.lines * per_line);
    Require(list.bad_line_count <= list.lines);
  }
  return 0;
}
