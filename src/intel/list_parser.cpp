// intel/: threat and trusted lists — fetching, parsing (this file) and the compiled
// matchers detection rules consult.
//
// The parsers work on string_views into the caller's buffer and reuse one cell vector
// per file, so a 35 MB list costs one pass and allocations only for what is kept
// (ranges and domain strings). Bad input is counted and reported, never thrown.
#include "intel/list_parser.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <pugixml.hpp>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The reference's iSIGHT column positions, used when a FIRE_EYE file has no header.
constexpr size_t kFireEyeDefaultCidrColumn = 31;
constexpr size_t kFireEyeDefaultDomainColumn = 32;
constexpr size_t kFireEyeDefaultIpColumn = 35;
constexpr size_t kNoColumn = static_cast<size_t>(-1);
// iSIGHT headers have 47 columns; reading more of a first line that is one huge row of
// commas would only cost memory.
constexpr size_t kMaxFireEyeHeaderCells = 1024;

// The list separator CybOX uses inside one value ("a##comma##b").
constexpr std::string_view kStixListDelimiter = "##comma##";

constexpr size_t kMaxDomainLength = 253;
constexpr size_t kMaxLabelLength = 63;

constexpr std::array<std::string_view, 6> kFormatNames = {"TXT",         "STIX",        "OTX_CSV",
                                                          "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

// Reasons end up in API responses and logs, so the echoed text is bounded and kept to
// printable ASCII whatever bytes the file holds.
std::string Quote(std::string_view text) {
  constexpr size_t kMaxQuotedLength = 80;
  std::string quoted = "'";
  const size_t shown = std::min(text.size(), kMaxQuotedLength);
  for (size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    quoted += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > shown) quoted += "...";
  quoted += '\'';
  return quoted;
}

// Counts every bad line; builds the report (a string) only for the first few, so a file
// of garbage costs no more than a file of good lines.
template <typename MakeBadLine>
void RecordBadLine(ParsedList& list, MakeBadLine&& make_bad_line) {
  ++list.bad_line_count;
  if (list.bad_lines.size() < ParsedList::kMaxReportedBadLines) {
    list.bad_lines.push_back(make_bad_line());
  }
}

// Yields trimmed lines with their 1-based numbers; a BOM before the first line is dropped.
class LineReader {
 public:
  explicit LineReader(std::string_view content) : rest_(content) {
    if (rest_.starts_with(kUtf8Bom)) rest_.remove_prefix(kUtf8Bom.size());
  }

  bool Next(std::string_view& line) {
    if (exhausted_) return false;
    ++line_number_;
    const void* newline = std::memchr(rest_.data(), '\n', rest_.size());
    if (newline == nullptr) {
      line = Trim(rest_);
      exhausted_ = true;
      return true;
    }
    const size_t length = static_cast<const char*>(newline) - rest_.data();
    line = Trim(rest_.substr(0, length));
    rest_.remove_prefix(length + 1);
    // A final '\n' ends the last line rather than starting an empty one.
    if (rest_.empty()) exhausted_ = true;
    return true;
  }

  size_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  size_t line_number_ = 0;
  bool exhausted_ = false;
};

// Splits a CSV line into at most `max_cells` trimmed cells. A cell in double quotes may
// hold commas; its quotes are removed ("" escapes stay as they are: indicators never hold
// quotes). Reuses `cells` so rows cost no allocation.
void SplitCsvLine(std::string_view line, size_t max_cells, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t pos = 0;
  while (cells.size() < max_cells) {
    while (pos < line.size() && IsSpace(line[pos])) ++pos;
    size_t next_comma;
    if (pos < line.size() && line[pos] == '"') {
      size_t close = pos + 1;
      while (close < line.size()) {
        if (line[close] == '"') {
          if (close + 1 < line.size() && line[close + 1] == '"') {
            close += 2;
            continue;
          }
          break;
        }
        ++close;
      }
      cells.push_back(Trim(line.substr(pos + 1, close - pos - 1)));
      next_comma = close < line.size() ? line.find(',', close) : std::string_view::npos;
    } else {
      next_comma = line.find(',', pos);
      const size_t end = next_comma == std::string_view::npos ? line.size() : next_comma;
      cells.push_back(Trim(line.substr(pos, end - pos)));
    }
    if (next_comma == std::string_view::npos) break;
    pos = next_comma + 1;
  }
}

// Which kinds of indicator a value may be.
enum class Accept { kIpv4, kDomain, kIpv4OrDomain };

bool AcceptsIpv4(Accept accept) { return accept != Accept::kDomain; }
bool AcceptsDomain(Accept accept) { return accept != Accept::kIpv4; }

// A hostname of two or more letter/digit/hyphen labels whose last label is not all
// digits (so "1.2.3.999" is a bad address, not a domain). `name` has no trailing dot.
bool IsDomainName(std::string_view name) {
  if (name.empty() || name.size() > kMaxDomainLength) return false;
  size_t label_length = 0;
  size_t dots = 0;
  bool label_all_digits = true;
  for (const char c : name) {
    if (c == '.') {
      if (label_length == 0) return false;
      ++dots;
      label_length = 0;
      label_all_digits = true;
      continue;
    }
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '-') return false;
    if (++label_length > kMaxLabelLength) return false;
    label_all_digits = label_all_digits && IsDigit(c);
  }
  return dots > 0 && label_length > 0 && !label_all_digits;
}

// Adds a domain or "*.domain" to `list`, lowercased and without one trailing dot.
bool AddDomain(std::string_view text, ParsedList& list) {
  if (text.ends_with('.')) text.remove_suffix(1);
  const bool wildcard = text.starts_with("*.");
  const std::string_view name = wildcard ? text.substr(2) : text;
  if (!IsDomainName(name)) return false;
  std::string& domain = list.domains.emplace_back(text.size(), '\0');
  std::transform(text.begin(), text.end(), domain.begin(), ToLowerAscii);
  return true;
}

// Adds `value` to `list` when it is an indicator `accept` allows; an IPv6 value where
// addresses are allowed is counted as ignored. False when the value is bad.
bool AddIndicator(std::string_view value, Accept accept, ParsedList& list) {
  if (AcceptsIpv4(accept)) {
    if (const std::optional<Ipv4Range> range = ParseIpv4Entry(value)) {
      list.ranges.push_back(*range);
      return true;
    }
    if (LooksLikeIpv6(value)) {
      ++list.ipv6_ignored;
      return true;
    }
  }
  return AcceptsDomain(accept) && AddDomain(value, list);
}

// Why AddIndicator refused `value`: specific when it is an almost-valid address entry.
std::string DescribeBadIndicator(std::string_view value, Accept accept) {
  if (value.empty()) return "empty indicator";
  if (AcceptsIpv4(accept)) {
    if (const size_t slash = value.find('/'); slash != std::string_view::npos) {
      if (ParseIpv4Address(value.substr(0, slash))) {
        return "CIDR prefix length must be 0-32: " + Quote(value);
      }
    } else if (const size_t dash = value.find('-'); dash != std::string_view::npos) {
      const auto first = ParseIpv4Address(Trim(value.substr(0, dash)));
      const auto last = ParseIpv4Address(Trim(value.substr(dash + 1)));
      if (first && last) return "range starts after it ends: " + Quote(value);
    }
  }
  switch (accept) {
    case Accept::kIpv4:
      return "not an IPv4 address or CIDR: " + Quote(value);
    case Accept::kDomain:
      return "not a domain: " + Quote(value);
    case Accept::kIpv4OrDomain:
      break;
  }
  return "not an IPv4 address, CIDR or domain: " + Quote(value);
}

// One value on one line: added, or recorded as bad.
void AddIndicatorOrRecordBad(std::string_view value, Accept accept, size_t line, ParsedList& list) {
  if (AddIndicator(value, accept, list)) return;
  RecordBadLine(list, [&] { return BadLine{line, DescribeBadIndicator(value, accept)}; });
}

// ---- Line formats ----

bool IsCommentLine(std::string_view line) { return line.starts_with('#'); }

void ParseTxt(std::string_view content, ParsedList& list) {
  LineReader reader(content);
  std::string_view line;
  while (reader.Next(line)) {
    if (line.empty() || IsCommentLine(line)) continue;
    ++list.lines;
    AddIndicatorOrRecordBad(line, Accept::kIpv4OrDomain, reader.line_number(), list);
  }
}

// "indicator#reliability#risk#type#country#city#lat,lon#x": '#' separates fields, so
// only a line that starts with '#' is a comment.
void ParseAlienVault(std::string_view content, ParsedList& list) {
  LineReader reader(content);
  std::string_view line;
  while (reader.Next(line)) {
    if (line.empty() || IsCommentLine(line)) continue;
    ++list.lines;
    const std::string_view indicator = Trim(line.substr(0, line.find('#')));
    AddIndicatorOrRecordBad(indicator, Accept::kIpv4OrDomain, reader.line_number(), list);
  }
}

// "Indicator type, Indicator, Description" rows; the header is optional.
void ParseOtxCsv(std::string_view content, ParsedList& list) {
  LineReader reader(content);
  std::string_view line;
  std::vector<std::string_view> cells;
  bool first_data_line = true;
  while (reader.Next(line)) {
    if (line.empty() || IsCommentLine(line)) continue;
    SplitCsvLine(line, 2, cells);
    if (std::exchange(first_data_line, false) &&
        (EqualsIgnoringCase(cells[0], "Indicator type") || EqualsIgnoringCase(cells[0], "type"))) {
      continue;
    }
    ++list.lines;
    const size_t line_number = reader.line_number();
    if (cells.size() < 2) {
      RecordBadLine(list, [&] {
        return BadLine{line_number, "expected 'type, indicator, description': " + Quote(line)};
      });
      continue;
    }
    const std::string_view type = cells[0];
    const std::string_view indicator = cells[1];
    if (EqualsIgnoringCase(type, "IPv4") || EqualsIgnoringCase(type, "CIDR")) {
      AddIndicatorOrRecordBad(indicator, Accept::kIpv4, line_number, list);
    } else if (EqualsIgnoringCase(type, "Domain name") || EqualsIgnoringCase(type, "domain") ||
               EqualsIgnoringCase(type, "hostname")) {
      AddIndicatorOrRecordBad(indicator, Accept::kDomain, line_number, list);
    } else if (EqualsIgnoringCase(type, "IPv6")) {
      ++list.ipv6_ignored;
    } else {
      RecordBadLine(list, [&] {
        return BadLine{line_number, "unsupported indicator type " + Quote(type)};
      });
    }
  }
}

// "ip, category, score, first_seen, last_seen, ports (|)" (or "domain, ..."): the
// indicator is the first column.
void ParseProofPoint(std::string_view content, ParsedList& list) {
  LineReader reader(content);
  std::string_view line;
  std::vector<std::string_view> cells;
  bool first_data_line = true;
  while (reader.Next(line)) {
    if (line.empty() || IsCommentLine(line)) continue;
    SplitCsvLine(line, 1, cells);
    if (std::exchange(first_data_line, false) &&
        (EqualsIgnoringCase(cells[0], "ip") || EqualsIgnoringCase(cells[0], "domain"))) {
      continue;
    }
    ++list.lines;
    AddIndicatorOrRecordBad(cells[0], Accept::kIpv4OrDomain, reader.line_number(), list);
  }
}

struct FireEyeColumns {
  size_t cidr = kFireEyeDefaultCidrColumn;
  size_t ip = kFireEyeDefaultIpColumn;
  size_t domain = kFireEyeDefaultDomainColumn;

  // How many leading cells a row needs to reach every indicator column.
  size_t CellsNeeded() const {
    size_t needed = 0;
    for (const size_t column : {cidr, ip, domain}) {
      if (column != kNoColumn) needed = std::max(needed, column + 1);
    }
    return needed;
  }
};

// The indicator columns a header names; nullopt when the line is not a header.
std::optional<FireEyeColumns> ReadFireEyeHeader(const std::vector<std::string_view>& cells) {
  FireEyeColumns columns{kNoColumn, kNoColumn, kNoColumn};
  bool is_header = !cells.empty() && EqualsIgnoringCase(cells[0], "reportId");
  for (size_t i = 0; i < cells.size(); ++i) {
    size_t* column = EqualsIgnoringCase(cells[i], "cidr")     ? &columns.cidr
                     : EqualsIgnoringCase(cells[i], "ip")     ? &columns.ip
                     : EqualsIgnoringCase(cells[i], "domain") ? &columns.domain
                                                              : nullptr;
    if (column != nullptr && *column == kNoColumn) {
      *column = i;
      is_header = true;
    }
  }
  if (!is_header) return std::nullopt;
  // A header naming none of them says nothing about where they are: keep the defaults.
  if (columns.CellsNeeded() == 0) return FireEyeColumns{};
  return columns;
}

// iSIGHT CSV: a row may carry a cidr, an ip and a domain; each one is an entry. Rows with
// none (file or email indicators) are read and skipped.
void ParseFireEye(std::string_view content, ParsedList& list) {
  LineReader reader(content);
  std::string_view line;
  std::vector<std::string_view> cells;
  FireEyeColumns columns;
  bool first_data_line = true;
  while (reader.Next(line)) {
    if (line.empty() || IsCommentLine(line)) continue;
    if (std::exchange(first_data_line, false)) {
      SplitCsvLine(line, kMaxFireEyeHeaderCells, cells);
      if (const std::optional<FireEyeColumns> header = ReadFireEyeHeader(cells)) {
        columns = *header;
        continue;
      }
    }
    ++list.lines;
    const size_t line_number = reader.line_number();
    const size_t cells_needed = columns.CellsNeeded();
    SplitCsvLine(line, cells_needed, cells);
    if (cells.size() < cells_needed) {
      RecordBadLine(list, [&] {
        return BadLine{line_number, "expected at least " + std::to_string(cells_needed) +
                                        " columns, found " + std::to_string(cells.size())};
      });
      continue;
    }
    // One report per row, for its first bad cell; the row's good cells still count.
    bool row_reported_bad = false;
    const auto add_cell = [&](size_t column, Accept accept, std::string_view column_name) {
      if (column == kNoColumn || cells[column].empty()) return;
      const std::string_view value = cells[column];
      if (AddIndicator(value, accept, list) || std::exchange(row_reported_bad, true)) return;
      RecordBadLine(list, [&] {
        return BadLine{line_number, std::string(column_name) +
                                        " column: " + DescribeBadIndicator(value, accept)};
      });
    };
    add_cell(columns.cidr, Accept::kIpv4, "cidr");
    add_cell(columns.ip, Accept::kIpv4, "ip");
    add_cell(columns.domain, Accept::kDomain, "domain");
  }
}

// ---- STIX 1.x ----

std::string_view LocalName(std::string_view qualified_name) {
  const size_t colon = qualified_name.rfind(':');
  return colon == std::string_view::npos ? qualified_name : qualified_name.substr(colon + 1);
}

std::string_view NamePrefix(std::string_view qualified_name) {
  const size_t colon = qualified_name.find(':');
  return colon == std::string_view::npos ? std::string_view() : qualified_name.substr(0, colon);
}

// True when an attribute whose local name is "type" (xsi:type under any prefix) ends
// with `suffix`.
bool HasTypeEndingWith(const pugi::xml_node& node, std::string_view suffix) {
  for (const pugi::xml_attribute& attribute : node.attributes()) {
    if (LocalName(attribute.name()) == "type" &&
        std::string_view(attribute.value()).ends_with(suffix)) {
      return true;
    }
  }
  return false;
}

enum class StixValueKind { kNone, kAddress, kIpv6Address, kDomain };

// What an element holds. Addresses: Address_Value in an AddressObject whose category is
// IPv4 (or absent; IPv6 is counted as ignored; e-mail, MAC and the like are not ours).
// Domains: DomainNameObj:Value, a Value inside a Domain_Name, a bare Domain_Name, or a
// URIObj:Value of type "Domain Name".
StixValueKind ClassifyStixElement(const pugi::xml_node& element) {
  const std::string_view name = element.name();
  const std::string_view local_name = LocalName(name);
  const pugi::xml_node parent = element.parent();
  if (local_name == "Address_Value") {
    const std::string_view category = parent.attribute("category").value();
    if (category.empty() || category == "ipv4-addr" || category == "ipv4-net") {
      return StixValueKind::kAddress;
    }
    if (category == "ipv6-addr" || category == "ipv6-net") return StixValueKind::kIpv6Address;
    return StixValueKind::kNone;
  }
  if (local_name == "Domain_Name") {
    return element.find_child(
               [](const pugi::xml_node& child) { return child.type() == pugi::node_element; })
               ? StixValueKind::kNone  // its Value child is the value
               : StixValueKind::kDomain;
  }
  if (local_name == "Value") {
    if (NamePrefix(name) == "DomainNameObj" || LocalName(parent.name()) == "Domain_Name" ||
        HasTypeEndingWith(parent, "DomainNameObjectType") ||
        std::string_view(parent.attribute("type").value()) == "Domain Name") {
      return StixValueKind::kDomain;
    }
  }
  return StixValueKind::kNone;
}

// Turns pugixml's byte offsets into line numbers. Offsets arrive in document order, so
// counting newlines from the previous offset keeps the whole file one pass.
class OffsetToLine {
 public:
  explicit OffsetToLine(std::string_view content) : content_(content) {}

  size_t LineAt(ptrdiff_t offset) {
    if (offset < 0) return 0;
    const size_t target = std::min(static_cast<size_t>(offset), content_.size());
    if (target < counted_up_to_) {
      counted_up_to_ = 0;
      line_ = 1;
    }
    line_ += std::count(content_.begin() + counted_up_to_, content_.begin() + target, '\n');
    counted_up_to_ = target;
    return line_;
  }

 private:
  std::string_view content_;
  size_t counted_up_to_ = 0;
  size_t line_ = 1;
};

// Splits a CybOX value into its list items: "##comma##" always separates; with
// apply_condition="ANY" a plain comma does too.
void SplitStixList(std::string_view value, bool comma_separates,
                   std::vector<std::string_view>& items) {
  items.clear();
  const bool has_delimiter = value.find(kStixListDelimiter) != std::string_view::npos;
  const std::string_view delimiter =
      has_delimiter || !comma_separates ? kStixListDelimiter : std::string_view(",");
  while (true) {
    const size_t end = value.find(delimiter);
    items.push_back(Trim(value.substr(0, end)));
    if (end == std::string_view::npos) break;
    value.remove_prefix(end + delimiter.size());
  }
}

void ParseStixValue(const pugi::xml_node& element, StixValueKind kind, OffsetToLine& lines,
                    std::vector<std::string_view>& items, ParsedList& list) {
  const pugi::xml_text text_node = element.text();
  const std::string_view text = Trim(text_node.get());
  const std::string_view condition = element.attribute("condition").value();
  const auto record_bad = [&](const auto& make_reason) {
    RecordBadLine(list, [&] {
      // The text's own offset: a value may sit lines below its element's start tag.
      const pugi::xml_node data = text_node.data();
      return BadLine{lines.LineAt(data ? data.offset_debug() : element.offset_debug()),
                     make_reason()};
    });
  };

  if (!condition.empty() && condition != "Equals" && condition != "InclusiveBetween") {
    ++list.lines;
    record_bad([&] { return "condition " + Quote(condition) + " is not supported"; });
    return;
  }
  if (condition == "InclusiveBetween" && kind != StixValueKind::kDomain) {
    ++list.lines;
    if (kind == StixValueKind::kIpv6Address) {
      ++list.ipv6_ignored;
      return;
    }
    SplitStixList(text, /*comma_separates=*/true, items);
    const auto first = items.size() == 2 ? ParseIpv4Address(items[0]) : std::nullopt;
    const auto last = items.size() == 2 ? ParseIpv4Address(items[1]) : std::nullopt;
    if (first && last && *first <= *last) {
      list.ranges.push_back(Ipv4Range{*first, *last});
    } else if (items.size() == 2 && LooksLikeIpv6(items[0]) && LooksLikeIpv6(items[1])) {
      ++list.ipv6_ignored;
    } else {
      record_bad([&] {
        return "InclusiveBetween needs 'first##comma##last' IPv4 addresses: " + Quote(text);
      });
    }
    return;
  }

  const bool comma_separates =
      std::string_view(element.attribute("apply_condition").value()) == "ANY";
  SplitStixList(text, comma_separates, items);
  const bool single_item = items.size() == 1;
  const Accept accept = kind == StixValueKind::kDomain ? Accept::kDomain : Accept::kIpv4;
  for (const std::string_view item : items) {
    // "a##comma##b##comma##" is a list with a trailing delimiter, not an empty entry.
    if (item.empty() && !single_item) continue;
    ++list.lines;
    if (kind == StixValueKind::kIpv6Address) {
      ++list.ipv6_ignored;
    } else if (!AddIndicator(item, accept, list)) {
      record_bad([&] { return DescribeBadIndicator(item, accept); });
    }
  }
}

void ParseStix(std::string_view content, ParsedList& list) {
  std::string_view body = content;
  if (body.starts_with(kUtf8Bom)) body.remove_prefix(kUtf8Bom.size());
  if (Trim(body).empty()) return;  // an empty file is an empty list, as in other formats

  OffsetToLine lines(content);
  pugi::xml_document document;
  const pugi::xml_parse_result result = document.load_buffer(
      content.data(), content.size(), pugi::parse_default, pugi::encoding_auto);
  if (!result) {
    RecordBadLine(list, [&] {
      return BadLine{lines.LineAt(result.offset),
                     std::string("malformed XML: ") + result.description()};
    });
    return;
  }

  // Iterative depth-first walk: hostile nesting depth must not exhaust the stack.
  std::vector<std::string_view> items;
  pugi::xml_node node = document.first_child();
  while (node) {
    if (node.type() == pugi::node_element) {
      if (const StixValueKind kind = ClassifyStixElement(node); kind != StixValueKind::kNone) {
        ParseStixValue(node, kind, lines, items, list);
      }
    }
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node && node != document && !node.next_sibling()) node = node.parent();
    node = (node && node != document) ? node.next_sibling() : pugi::xml_node();
  }
}

}  // namespace

std::optional<ListFormat> ParseListFormat(std::string_view name) {
  for (size_t i = 0; i < kFormatNames.size(); ++i) {
    if (kFormatNames[i] == name) return static_cast<ListFormat>(i);
  }
  return std::nullopt;
}

std::string_view ListFormatName(ListFormat format) {
  const auto index = static_cast<size_t>(format);
  return index < kFormatNames.size() ? kFormatNames[index] : std::string_view();
}

namespace {

constexpr size_t kMinAddressLength = 7;   // 0.0.0.0
constexpr size_t kMaxAddressLength = 15;  // 255.255.255.255
// ParseAddressAt reads this many bytes from the start of the text, whatever its length.
constexpr ptrdiff_t kAddressReadBytes = 18;

// Bits i < 16 set when data[i] is a '.' / an ASCII digit.
struct AddressMasks {
  uint32_t dots;
  uint32_t digits;
};
AddressMasks MasksOf(const char* data) {
#if defined(__SSE2__)
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data));
  const __m128i offsets = _mm_sub_epi8(bytes, _mm_set1_epi8('0'));
  // Unsigned offset <= 9: min(offset, 9) == offset.
  const __m128i digits = _mm_cmpeq_epi8(_mm_min_epu8(offsets, _mm_set1_epi8(9)), offsets);
  return {static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('.')))),
          static_cast<uint32_t>(_mm_movemask_epi8(digits))};
#else
  AddressMasks masks{0, 0};
  for (int i = 0; i < 16; ++i) {
    masks.dots |= uint32_t{data[i] == '.'} << i;
    masks.digits |= uint32_t{data[i] >= '0' && data[i] <= '9'} << i;
  }
  return masks;
#endif
}

// The value of the octet of `length` (1-3, checked) digits at `digits` (checked), plus
// kBadOctet for a leading zero ("010" is octal to inet_aton and decimal to others:
// refuse to guess). A weight table rather than a loop: octet lengths are random, and
// mispredicting them was the cost of a digit-by-digit parser.
constexpr uint32_t kBadOctet = 1 << 16;
[[gnu::always_inline]] inline uint32_t Octet(const char* digits, unsigned length) {
  static constexpr uint32_t kWeights[4][3] = {{0, 0, 0}, {1, 0, 0}, {10, 1, 0}, {100, 10, 1}};
  const uint32_t* weights = kWeights[length];
  const uint32_t d0 = static_cast<unsigned char>(digits[0]) - uint32_t{'0'};
  const uint32_t d1 = static_cast<unsigned char>(digits[1]) - uint32_t{'0'};
  const uint32_t d2 = static_cast<unsigned char>(digits[2]) - uint32_t{'0'};
  const uint32_t value = d0 * weights[0] + d1 * weights[1] + d2 * weights[2];
  return value + ((length > 1 && d0 == 0) ? kBadOctet : 0);
}

// The address in data[0, size), 7 to 15 characters, with kAddressReadBytes readable:
// only digits and three dots, found as bit masks of the whole text.
bool ParseAddressAt(const char* data, size_t size, uint32_t& address) {
  const uint32_t in_text = (uint32_t{1} << size) - 1;
  const AddressMasks masks = MasksOf(data);
  const uint32_t dots = masks.dots & in_text;
  if (((masks.digits | dots) & in_text) != in_text) return false;
  // Exactly three dots: the lowest bit cleared three times (std::popcount is a call
  // without -mpopcnt).
  const uint32_t after_first = dots & (dots - 1);
  const uint32_t after_second = after_first & (after_first - 1);
  if (after_second == 0 || (after_second & (after_second - 1)) != 0) return false;
  const unsigned first_dot = std::countr_zero(dots);
  const unsigned second_dot = std::countr_zero(after_first);
  const unsigned third_dot = std::countr_zero(after_second);
  const unsigned lengths[4] = {first_dot, second_dot - first_dot - 1, third_dot - second_dot - 1,
                               static_cast<unsigned>(size) - third_dot - 1};
  for (const unsigned length : lengths) {
    if (length - 1 > 2) return false;  // an empty octet or more than three digits
  }
  const uint32_t a = Octet(data, lengths[0]);
  const uint32_t b = Octet(data + first_dot + 1, lengths[1]);
  const uint32_t c = Octet(data + second_dot + 1, lengths[2]);
  const uint32_t d = Octet(data + third_dot + 1, lengths[3]);
  if ((a | b | c | d) > 255) return false;  // a leading zero or a value past 255
  address = a << 24 | b << 16 | c << 8 | d;
  return true;
}

}  // namespace

bool ParseIpv4Address(std::string_view text, const char* readable_end, uint32_t& address) {
  if (text.size() < kMinAddressLength || text.size() > kMaxAddressLength) return false;
  if (readable_end - text.data() >= kAddressReadBytes) {
    return ParseAddressAt(text.data(), text.size(), address);
  }
  char padded[kAddressReadBytes] = {};
  std::memcpy(padded, text.data(), text.size());
  return ParseAddressAt(padded, text.size(), address);
}

std::optional<uint32_t> ParseIpv4Address(std::string_view text) {
  uint32_t address = 0;
  if (!ParseIpv4Address(text, text.data() + text.size(), address)) return std::nullopt;
  return address;
}

std::optional<Ipv4Range> ParseIpv4Entry(std::string_view text) {
  if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
    const std::optional<uint32_t> address = ParseIpv4Address(text.substr(0, slash));
    const std::string_view prefix_text = text.substr(slash + 1);
    if (!address || prefix_text.empty() || prefix_text.size() > 2) return std::nullopt;
    unsigned prefix_length = 0;
    const auto [end, error] =
        std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix_length);
    if (error != std::errc() || end != prefix_text.data() + prefix_text.size() ||
        prefix_length > 32) {
      return std::nullopt;
    }
    const uint32_t mask = prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - prefix_length);
    const uint32_t network = *address & mask;
    return Ipv4Range{network, network | ~mask};
  }
  if (const size_t dash = text.find('-'); dash != std::string_view::npos) {
    const std::optional<uint32_t> first = ParseIpv4Address(Trim(text.substr(0, dash)));
    const std::optional<uint32_t> last = ParseIpv4Address(Trim(text.substr(dash + 1)));
    if (!first || !last || *first > *last) return std::nullopt;
    return Ipv4Range{*first, *last};
  }
  const std::optional<uint32_t> address = ParseIpv4Address(text);
  if (!address) return std::nullopt;
  return Ipv4Range{*address, *address};
}

bool LooksLikeIpv6(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return IsHexDigit(c) || c == ':' || c == '.' || c == '/'; });
}

ParsedList ParseList(ListFormat format, std::string_view content) {
  ParsedList list;
  switch (format) {
    case ListFormat::kTxt:
      ParseTxt(content, list);
      break;
    case ListFormat::kStix:
      ParseStix(content, list);
      break;
    case ListFormat::kOtxCsv:
      ParseOtxCsv(content, list);
      break;
    case ListFormat::kAlienVault:
      ParseAlienVault(content, list);
      break;
    case ListFormat::kProofPoint:
      ParseProofPoint(content, list);
      break;
    case ListFormat::kFireEye:
      ParseFireEye(content, list);
      break;
  }
  return list;
}

}  // namespace vigil
