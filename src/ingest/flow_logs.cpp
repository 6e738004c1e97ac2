// ingest/: log record parsers (flow logs, CloudTrail, DNS) and the sources feeding them.
//
// VPC Flow Logs parsing is driven by the field order, never by the version number: a
// custom format's version only names the newest field it uses. Each format is compiled
// once into field kinds, so a line costs one split plus a switch per field; records view
// the text instead of copying it.
#include "ingest/flow_logs.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/lines.h"
#include "intel/list_parser.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {
namespace {

enum class FlowField : uint8_t {
  kIgnored,  // unknown names and fields no rule reads: kept in the format, never copied
  kAccountId,
  kInterfaceId,
  kSourceAddress,
  kDestinationAddress,
  kSourcePort,
  kDestinationPort,
  kProtocol,
  kPackets,
  kBytes,
  kStart,
  kEnd,
  kAction,
  kLogStatus,
  kVpcId,
  kSubnetId,
  kInstanceId,
  kTcpFlags,
  kPacketSourceAddress,
  kPacketDestinationAddress,
  kFlowDirection,
};

struct NamedField {
  std::string_view name;
  FlowField field;
};

constexpr NamedField kReadFields[] = {
    {"account-id", FlowField::kAccountId},
    {"interface-id", FlowField::kInterfaceId},
    {"srcaddr", FlowField::kSourceAddress},
    {"dstaddr", FlowField::kDestinationAddress},
    {"srcport", FlowField::kSourcePort},
    {"dstport", FlowField::kDestinationPort},
    {"protocol", FlowField::kProtocol},
    {"packets", FlowField::kPackets},
    {"bytes", FlowField::kBytes},
    {"start", FlowField::kStart},
    {"end", FlowField::kEnd},
    {"action", FlowField::kAction},
    {"log-status", FlowField::kLogStatus},
    {"vpc-id", FlowField::kVpcId},
    {"subnet-id", FlowField::kSubnetId},
    {"instance-id", FlowField::kInstanceId},
    {"tcp-flags", FlowField::kTcpFlags},
    {"pkt-srcaddr", FlowField::kPacketSourceAddress},
    {"pkt-dstaddr", FlowField::kPacketDestinationAddress},
    {"flow-direction", FlowField::kFlowDirection},
};

// Names a header line may use besides the ones a FlowRecord reads: their presence is what
// tells a header from a data line whose first value happens not to be a number.
constexpr std::string_view kOtherKnownNames[] = {
    "version",
    "type",
    "region",
    "az-id",
    "sublocation-type",
    "sublocation-id",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
    "traffic-path",
    "reject-reason",
    "resource-id",
    "encryption-status",
};

FlowField FieldFromName(std::string_view name) {
  for (const NamedField& known : kReadFields) {
    if (known.name == name) return known.field;
  }
  return FlowField::kIgnored;
}

bool IsKnownFieldName(std::string_view name) {
  if (FieldFromName(name) != FlowField::kIgnored) return true;
  return std::find(std::begin(kOtherKnownNames), std::end(kOtherKnownNames), name) !=
         std::end(kOtherKnownNames);
}

// Splitting is most of the work per line, so it goes 64 bytes at a time: a bit mask of the
// separators in a block, then one step per field boundary instead of one per byte.
constexpr size_t kBlockBytes = 64;

// Bit i is set when block[i] is a space or a tab.
uint64_t SeparatorMask(const char* block) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  uint64_t mask = 0;
  for (size_t lane = 0; lane < kBlockBytes / 16; ++lane) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * lane));
    const __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(bytes, space), _mm_cmpeq_epi8(bytes, tab));
    mask |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(hits))} << (16 * lane);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (size_t i = 0; i < kBlockBytes; ++i) {
    mask |= uint64_t{block[i] == ' ' || block[i] == '\t'} << i;
  }
  return mask;
#endif
}

// Splits on runs of spaces or tabs. Stores at most `capacity` fields in `out` and returns
// how many the line has, so a line with too many fields is told apart without storing them.
// Bytes from the line's end up to `readable_end` may be read (and are ignored), which saves
// copying the last partial block of every line but the file's last.
size_t SplitFields(std::string_view line, const char* readable_end, std::string_view* out,
                   size_t capacity) {
  const char* const data = line.data();
  const size_t size = line.size();
  size_t started = 0;  // fields begun; out[i] holds field i's start until its end is seen
  size_t ended = 0;
  uint64_t previous_is_separator = 1;  // the line starts as if after a separator
  char tail[kBlockBytes];
  for (size_t block_start = 0; block_start < size; block_start += kBlockBytes) {
    const size_t remaining = size - block_start;
    const char* block = data + block_start;
    uint64_t past_line_end = 0;
    if (remaining < kBlockBytes) {
      past_line_end = ~uint64_t{0} << remaining;
      if (static_cast<size_t>(readable_end - block) < kBlockBytes) {
        std::memcpy(tail, block, remaining);
        block = tail;  // the bytes after `remaining` are masked as separators
      }
    }
    const uint64_t separators = SeparatorMask(block) | past_line_end;
    const uint64_t after_separator = (separators << 1) | previous_is_separator;
    previous_is_separator = separators >> (kBlockBytes - 1);
    // Starts and ends in two tight loops; every end's start was recorded before it.
    for (uint64_t starts = ~separators & after_separator; starts != 0; starts &= starts - 1) {
      if (started < capacity) {
        out[started] = std::string_view(data + block_start + std::countr_zero(starts), 0);
      }
      ++started;
    }
    for (uint64_t ends = separators & ~after_separator; ends != 0; ends &= ends - 1) {
      if (ended < capacity) {
        const char* const end = data + block_start + std::countr_zero(ends);
        out[ended] = std::string_view(out[ended].data(), end - out[ended].data());
      }
      ++ended;
    }
  }
  // The last field reaches the end of a line made of whole blocks.
  if (ended < started && ended < capacity) {
    out[ended] = std::string_view(out[ended].data(), data + size - out[ended].data());
  }
  return started;
}

// "${name}" → "name"; a bare name as is; "" for a malformed token.
std::string_view StripPlaceholder(std::string_view token) {
  std::string_view name = token;
  if (token.starts_with("${")) {
    if (!token.ends_with('}') || token.size() < 4) return "";
    name = token.substr(2, token.size() - 3);
  }
  return name.find_first_of("${}") == std::string_view::npos ? name : "";
}

bool IsNumber(std::string_view token) {
  return !token.empty() &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A header line: its first token is not a number and every token is a field name (lowercase
// letters, digits, '-', '_', optionally inside ${}), at least one of them a known one. The
// second condition keeps a data line of a custom format that starts with an address or an
// id (not a number either) from being taken for a header.
bool LooksLikeHeader(std::string_view line) {
  constexpr size_t kMaxHeaderFields = 128;
  std::string_view tokens[kMaxHeaderFields];
  const size_t count = SplitFields(line, line.data() + line.size(), tokens, kMaxHeaderFields);
  if (count == 0 || count > kMaxHeaderFields || IsNumber(tokens[0])) return false;
  bool has_known_name = false;
  for (size_t i = 0; i < count; ++i) {
    const std::string_view name = StripPlaceholder(tokens[i]);
    if (name.empty()) return false;
    bool has_letter = false;
    for (const char c : name) {
      if (c >= 'a' && c <= 'z') {
        has_letter = true;
      } else if (!((c >= '0' && c <= '9') || c == '-' || c == '_')) {
        return false;
      }
    }
    if (!has_letter) return false;
    has_known_name = has_known_name || IsKnownFieldName(name);
  }
  return has_known_name;
}

// Rejection reasons quote the offending text, bounded so a hostile line cannot make the
// report large.
std::string Quote(std::string_view text) {
  constexpr size_t kMaxQuoted = 64;
  std::string quoted = "'";
  quoted.append(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) quoted.append("...");
  quoted.push_back('\'');
  return quoted;
}

// Eight bytes as a little-endian word: byte i of the text is byte i of the word.
uint64_t LoadLittleEndian(const char* data) {
  uint64_t word;
  std::memcpy(&word, data, sizeof(word));
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

// Up to eight decimal digits read as one little-endian word (SWAR): counters and ports
// have random lengths, and a digit loop mispredicted its exit on most of them. `word`
// holds the text from its first digit; its bytes past `length` are ignored.
[[gnu::always_inline]] inline bool ParseEightDigits(uint64_t word, size_t length, uint64_t& out) {
  constexpr uint64_t kZeros = 0x3030303030303030;  // '0' in every byte
  const unsigned padding_bits = 8 * static_cast<unsigned>(8 - length);
  word <<= padding_bits;  // the digits in the high bytes, in order
  if (padding_bits != 0) word |= kZeros >> (64 - padding_bits);
  // Every byte in '0'..'9': high nibble 3, and adding 6 does not carry into it.
  if ((((word & 0xF0F0F0F0F0F0F0F0) | (((word + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) !=
       0x3333333333333333)) {
    return false;
  }
  // Pairs, then quads, then the eight digits (the first byte is the most significant).
  word = ((word & 0x0F0F0F0F0F0F0F0F) * 2561) >> 8;
  word = ((word & 0x00FF00FF00FF00FF) * 6553601) >> 16;
  out = ((word & 0x0000FFFF0000FFFF) * 42949672960001) >> 32;
  return true;
}

// A non-negative decimal of at most 18 digits (no int64 overflow; flow log counters and
// times are far shorter), no sign, no spaces. Bytes up to `readable_end` may be read past
// the text (and are ignored): up to 16 digits are then read as one or two words.
template <typename Integer>
[[gnu::always_inline]] inline bool ParseDecimal(std::string_view text, const char* readable_end,
                                                Integer max, Integer& out) {
  constexpr size_t kMaxDigits = 18;
  constexpr size_t kWordDigits = 8;
  const size_t size = text.size();
  if (size == 0 || size > kMaxDigits) return false;
  int64_t value = 0;
  if (size <= 2 * kWordDigits && readable_end - text.data() >= ptrdiff_t{2 * kWordDigits}) {
    // The digits before the last eight, then the last eight (times have ten).
    const size_t high_digits = size > kWordDigits ? size - kWordDigits : 0;
    uint64_t high = 0;
    uint64_t low = 0;
    if (high_digits != 0 && !ParseEightDigits(LoadLittleEndian(text.data()), high_digits, high)) {
      return false;
    }
    if (!ParseEightDigits(LoadLittleEndian(text.data() + high_digits), size - high_digits, low)) {
      return false;
    }
    value = static_cast<int64_t>(high * 100'000'000 + low);
  } else {
    for (const char c : text) {
      const unsigned digit = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
      if (digit > 9) return false;
      value = value * 10 + digit;
    }
  }
  if (value > static_cast<int64_t>(max)) return false;
  out = static_cast<Integer>(value);
  return true;
}

// A format compiled for the line loop: one kind per position.
struct CompiledFormat {
  std::vector<FlowField> fields;
  size_t log_status_index = std::numeric_limits<size_t>::max();
};

CompiledFormat Compile(const FlowLogFormat& format) {
  CompiledFormat compiled;
  compiled.fields.reserve(format.fields().size());
  for (const std::string& name : format.fields()) {
    const FlowField field = FieldFromName(name);
    if (field == FlowField::kLogStatus) compiled.log_status_index = compiled.fields.size();
    compiled.fields.push_back(field);
  }
  return compiled;
}

// Fills `record` from a line's fields (already counted against the format). Returns the
// rejection reason, or "" when the record is good.
std::string FillRecord(const CompiledFormat& format, const std::string_view* values,
                       const char* readable_end, FlowRecord& record) {
  constexpr int32_t kMaxPort = 65535;
  constexpr int32_t kMaxProtocol = 255;
  constexpr int32_t kMaxTcpFlags = 255;
  constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
  std::string_view source_address;
  std::string_view destination_address;
  std::string_view packet_source_address;
  std::string_view packet_destination_address;
  const auto bad = [](std::string_view name, std::string_view value) {
    return "bad " + std::string(name) + " " + Quote(value);
  };

  for (size_t i = 0; i < format.fields.size(); ++i) {
    const std::string_view value = values[i];
    const FlowField field = format.fields[i];
    if (field == FlowField::kIgnored) continue;
    // "-": the field does not apply to this record; the record's defaults say so.
    if (value == "-") continue;
    switch (field) {
      case FlowField::kIgnored:
      case FlowField::kLogStatus:  // checked by the caller
        break;
      case FlowField::kAccountId:
        record.account_id = value;
        break;
      case FlowField::kInterfaceId:
        record.interface_id = value;
        break;
      case FlowField::kVpcId:
        record.vpc_id = value;
        break;
      case FlowField::kSubnetId:
        record.subnet_id = value;
        break;
      case FlowField::kInstanceId:
        record.instance_id = value;
        break;
      case FlowField::kSourceAddress:
        source_address = value;
        break;
      case FlowField::kDestinationAddress:
        destination_address = value;
        break;
      case FlowField::kPacketSourceAddress:
        packet_source_address = value;
        break;
      case FlowField::kPacketDestinationAddress:
        packet_destination_address = value;
        break;
      case FlowField::kSourcePort:
        if (!ParseDecimal(value, readable_end, kMaxPort, record.source_port)) {
          return bad("srcport", value);
        }
        break;
      case FlowField::kDestinationPort:
        if (!ParseDecimal(value, readable_end, kMaxPort, record.destination_port)) {
          return bad("dstport", value);
        }
        break;
      case FlowField::kProtocol:
        if (!ParseDecimal(value, readable_end, kMaxProtocol, record.protocol)) {
          return bad("protocol", value);
        }
        break;
      case FlowField::kTcpFlags:
        if (!ParseDecimal(value, readable_end, kMaxTcpFlags, record.tcp_flags)) {
          return bad("tcp-flags", value);
        }
        break;
      case FlowField::kPackets:
        if (!ParseDecimal(value, readable_end, kMaxInt64, record.packets)) {
          return bad("packets", value);
        }
        break;
      case FlowField::kBytes:
        if (!ParseDecimal(value, readable_end, kMaxInt64, record.bytes)) return bad("bytes", value);
        break;
      case FlowField::kStart:
        if (!ParseDecimal(value, readable_end, kMaxInt64, record.start)) return bad("start", value);
        break;
      case FlowField::kEnd:
        if (!ParseDecimal(value, readable_end, kMaxInt64, record.end)) return bad("end", value);
        break;
      case FlowField::kAction:
        if (value == "ACCEPT") {
          record.accepted = true;
        } else if (value != "REJECT") {
          return bad("action", value);
        }
        break;
      case FlowField::kFlowDirection:
        if (value == "ingress") {
          record.direction = FlowRecord::Direction::kIngress;
        } else if (value == "egress") {
          record.direction = FlowRecord::Direction::kEgress;
        } else {
          return bad("flow-direction", value);
        }
        break;
    }
  }

  record.logged_source = source_address;
  record.logged_destination = destination_address;
  record.source = packet_source_address.empty() ? source_address : packet_source_address;
  record.destination =
      packet_destination_address.empty() ? destination_address : packet_destination_address;
  uint32_t address = 0;
  if (ParseIpv4Address(record.source, readable_end, address)) record.source_v4 = address;
  if (ParseIpv4Address(record.destination, readable_end, address)) {
    record.destination_v4 = address;
  }
  return {};
}

}  // namespace

FlowLogFormat FlowLogFormat::Default() {
  FlowLogFormat format;
  format.fields_ = {"version", "account-id", "interface-id", "srcaddr",   "dstaddr",
                    "srcport", "dstport",    "protocol",     "packets",   "bytes",
                    "start",   "end",        "action",       "log-status"};
  return format;
}

StatusOr<FlowLogFormat> FlowLogFormat::Parse(std::string_view format) {
  constexpr size_t kMaxFields = 1024;
  std::vector<std::string_view> tokens(kMaxFields);
  const size_t count =
      SplitFields(format, format.data() + format.size(), tokens.data(), kMaxFields);
  if (count == 0) return Status::InvalidInput("The flow log format is empty.");
  if (count > kMaxFields) {
    return Status::InvalidInput("The flow log format has more than " + std::to_string(kMaxFields) +
                                " fields.");
  }
  FlowLogFormat parsed;
  parsed.fields_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const std::string_view name = StripPlaceholder(tokens[i]);
    if (name.empty()) {
      return Status::InvalidInput("Bad field in the flow log format: " + Quote(tokens[i]));
    }
    parsed.fields_.emplace_back(name);
  }
  return parsed;
}

struct FlowLogReader::State {
  CompiledFormat compiled;
  // One slot more than the format has, so SplitFields can report "too many" cheaply.
  std::vector<std::string_view> values;
  bool seen_first_line = false;
  std::string_view header_line;
  size_t line_number = 0;
  size_t line_start = 0;
};

FlowLogReader::FlowLogReader(std::string_view content, const std::optional<FlowLogFormat>& format)
    : content_(content), state_(std::make_unique<State>()) {
  state_->compiled = Compile(format ? *format : FlowLogFormat::Default());
  state_->values.resize(state_->compiled.fields.size() + 1);
}

FlowLogReader::~FlowLogReader() = default;

bool FlowLogReader::Next(std::vector<FlowRecord>& records, size_t max_records) {
  records.clear();
  State& state = *state_;
  const std::string_view content = content_;
  while (records.size() < max_records && state.line_start < content.size()) {
    size_t line_end = content.find('\n', state.line_start);
    if (line_end == std::string_view::npos) line_end = content.size();
    std::string_view line = content.substr(state.line_start, line_end - state.line_start);
    state.line_start = line_end + 1;
    ++state.line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);

    const size_t count = SplitFields(line, content.data() + content.size(), state.values.data(),
                                     state.values.size());
    if (count == 0) continue;  // blank

    if (!state.seen_first_line) {
      state.seen_first_line = true;
      if (LooksLikeHeader(line)) {
        StatusOr<FlowLogFormat> header = FlowLogFormat::Parse(line);
        if (header.ok()) {
          state.compiled = Compile(*header);
          state.values.assign(state.compiled.fields.size() + 1, std::string_view());
          state.header_line = line;
          ++tally_.skipped;
          continue;
        }
      }
    } else if (!state.header_line.empty() && line == state.header_line) {
      // Files concatenated before upload repeat their header.
      ++tally_.skipped;
      continue;
    }

    const CompiledFormat& compiled = state.compiled;
    if (count != compiled.fields.size()) {
      tally_.Reject(state.line_number, "expected " + std::to_string(compiled.fields.size()) +
                                           " fields, found " + std::to_string(count));
      continue;
    }
    if (compiled.log_status_index < count) {
      const std::string_view status = state.values[compiled.log_status_index];
      if (status == "NODATA" || status == "SKIPDATA") {
        ++tally_.skipped;
        continue;
      }
    }
    // Copied from a default record: value-initializing one in place compiled to a
    // `rep stos`, slow to start, that took 8% of parsing.
    static constexpr FlowRecord kAbsent{};
    FlowRecord& record = records.emplace_back(kAbsent);
    std::string reason =
        FillRecord(compiled, state.values.data(), content.data() + content.size(), record);
    if (!reason.empty()) {
      records.pop_back();
      tally_.Reject(state.line_number, std::move(reason));
    }
  }
  return !records.empty();
}

ParseResult<FlowRecord> ParseFlowLogs(std::string_view content,
                                      const std::optional<FlowLogFormat>& format) {
  ParseResult<FlowRecord> result;
  // Every line is at most one record: reserving for all of them avoids moving records as
  // the vector grows.
  result.records.reserve(CountLines(content));
  FlowLogReader reader(content, format);
  reader.Next(result.records, std::numeric_limits<size_t>::max());
  static_cast<ParseTally&>(result) = reader.tally();
  return result;
}

}  // namespace vigil
