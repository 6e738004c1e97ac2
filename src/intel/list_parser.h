// Parsing GuardDuty threat and trusted list files in the six formats the API names
// (reference/guardduty-detection.md section 2): TXT, STIX, OTX_CSV, ALIEN_VAULT,
// PROOF_POINT, FIRE_EYE. A bad line is counted and reported with its number, never
// fatal; IPv6 entries are counted and ignored (GuardDuty lists are IPv4 only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class ListFormat { kTxt, kStix, kOtxCsv, kAlienVault, kProofPoint, kFireEye };

// "TXT" → kTxt ...; nullopt for a name that is not one of the six.
std::optional<ListFormat> ParseListFormat(std::string_view name);
std::string_view ListFormatName(ListFormat format);

// An inclusive range of IPv4 addresses in host byte order; a single address has first == last.
struct Ipv4Range {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const Ipv4Range&) const = default;
};

// Parses "198.51.100.1", "192.0.2.0/24" (host bits ignored) or "192.0.2.0-192.0.2.9".
std::optional<Ipv4Range> ParseIpv4Entry(std::string_view text);
// Parses a dotted-quad IPv4 address.
std::optional<uint32_t> ParseIpv4Address(std::string_view text);
// The same for hot loops (two per flow log record): false instead of nullopt, and no copy
// of the text when the 18 bytes from its start may be read, i.e. up to `readable_end`
// (bytes past the text are then read and ignored).
bool ParseIpv4Address(std::string_view text, const char* readable_end, uint32_t& address);
// True for text that looks like an IPv6 address or prefix.
bool LooksLikeIpv6(std::string_view text);

struct BadLine {
  size_t line = 0;  // 1-based line number in the file
  std::string reason;
};

struct ParsedList {
  static constexpr size_t kMaxReportedBadLines = 100;

  std::vector<Ipv4Range> ranges;     // in file order, duplicates kept
  std::vector<std::string> domains;  // lowercase, no trailing dot; "*.example.org" for wildcards
  size_t lines = 0;                  // non-blank, non-comment lines (or STIX values) read
  size_t ipv6_ignored = 0;
  size_t bad_line_count = 0;       // all of them
  std::vector<BadLine> bad_lines;  // the first kMaxReportedBadLines

  size_t entries() const { return ranges.size() + domains.size(); }
};

// Parses a whole list file. Tolerates a UTF-8 BOM, CRLF line ends, blank lines, '#'
// comment lines (except in ALIEN_VAULT, where '#' separates fields) and spaces around
// values. Never throws.
ParsedList ParseList(ListFormat format, std::string_view content);

}  // namespace vigil
