// Route 53 Resolver query logs with simdjson On-Demand, one document per line. Lines are
// parsed one by one rather than as a document stream: a malformed line then costs only
// itself, and its line number is known without mapping stream offsets back to lines.
#include "ingest/dns_logs.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/lines.h"
#include "intel/list_parser.h"

namespace vigil {
namespace {

namespace ondemand = simdjson::ondemand;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int64_t DaysInMonth(int64_t year, int64_t month) {
  constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `pos`.
bool ReadDigits(std::string_view text, size_t& pos, size_t count, int64_t& out) {
  if (text.size() - pos < count) return false;
  int64_t value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected) return false;
  ++pos;
  return true;
}

// "2021-02-04T17:51:55Z" → epoch milliseconds. Tolerates what log shippers produce around
// that form: any number of fraction digits (milliseconds kept), a lowercase 't' or a space
// for 'T', a "+hh:mm"/"-hh:mm" offset or no zone at all (taken as UTC).
std::optional<int64_t> ParseQueryTimestamp(std::string_view text) {
  size_t pos = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, month) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return std::nullopt;
  }
  ++pos;
  if (!ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, minute) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, second)) {
    return std::nullopt;
  }
  int64_t millis = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int64_t sign = text[pos] == '+' ? 1 : -1;
      ++pos;
      int64_t offset_hours = 0, offset_rest = 0;
      if (!ReadDigits(text, pos, 2, offset_hours) || !Expect(text, pos, ':') ||
          !ReadDigits(text, pos, 2, offset_rest) || offset_hours > 23 || offset_rest > 59) {
        return std::nullopt;
      }
      offset_minutes = sign * (offset_hours * 60 + offset_rest);
    }
  }
  if (pos != text.size()) return std::nullopt;
  // Second 60 is a leap second, which log writers do emit.
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  const int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return (seconds - offset_minutes * 60) * 1000 + millis;
}

// ASCII lowercase without a trailing dot: DNS names compare case-insensitively, and the
// rules and domain matchers see "example.com", not "Example.COM.".
void NormalizeQueryName(std::string_view name, std::string& out) {
  if (name.ends_with('.')) name.remove_suffix(1);
  out.resize(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
}

std::string JsonError(simdjson::error_code error) {
  return std::string("malformed JSON: ") + simdjson::error_message(error);
}

// Reads a string field into `out`. A value of another type leaves `out` as is (the field is
// optional to the rules); only a JSON error fails.
simdjson::error_code ReadOptionalString(ondemand::value& value, std::string& out) {
  std::string_view text;
  const simdjson::error_code error = value.get_string().get(text);
  if (error == simdjson::INCORRECT_TYPE) return simdjson::SUCCESS;
  if (error) return error;
  // clear + append: cheaper than assign's general replace on the fresh strings of a record.
  out.clear();
  out.append(text);
  return simdjson::SUCCESS;
}

// srcport is a string in the logs; a number is accepted too. Anything else leaves -1.
simdjson::error_code ReadPort(ondemand::value& value, int32_t& out) {
  ondemand::json_type type;
  if (const auto error = value.type().get(type)) return error;
  int64_t port = -1;
  if (type == ondemand::json_type::string) {
    std::string_view text;
    if (const auto error = value.get_string().get(text)) return error;
    const auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (parse_error != std::errc() || end != text.data() + text.size()) port = -1;
  } else if (type == ondemand::json_type::number) {
    if (value.get_int64().get(port)) port = -1;
  }
  if (port >= 0 && port <= 65535) out = static_cast<int32_t>(port);
  return simdjson::SUCCESS;
}

simdjson::error_code ReadSourceIds(ondemand::value& value, DnsQuery& query) {
  ondemand::object object;
  const simdjson::error_code error = value.get_object().get(object);
  if (error == simdjson::INCORRECT_TYPE) return simdjson::SUCCESS;
  if (error) return error;
  for (auto field_result : object) {
    if (const auto field_error = field_result.error()) return field_error;
    ondemand::field&& field = std::move(field_result).value_unsafe();
    if (field.key() == "instance") {
      if (const auto value_error = ReadOptionalString(field.value(), query.instance_id)) {
        return value_error;
      }
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code ReadAnswers(ondemand::value& value, DnsQuery& query) {
  ondemand::array array;
  const simdjson::error_code error = value.get_array().get(array);
  if (error == simdjson::INCORRECT_TYPE) return simdjson::SUCCESS;
  if (error) return error;
  for (auto element : array) {
    ondemand::value answer_value;
    if (const auto element_error = element.get(answer_value)) return element_error;
    ondemand::object answer;
    const simdjson::error_code object_error = answer_value.get_object().get(answer);
    if (object_error == simdjson::INCORRECT_TYPE) continue;
    if (object_error) return object_error;
    for (auto field_result : answer) {
      if (const auto field_error = field_result.error()) return field_error;
      ondemand::field&& field = std::move(field_result).value_unsafe();
      if (!(field.key() == "Rdata")) continue;
      std::string_view rdata;
      const simdjson::error_code rdata_error = field.value().get_string().get(rdata);
      if (rdata_error == simdjson::INCORRECT_TYPE) continue;
      if (rdata_error) return rdata_error;
      query.answers.emplace_back(rdata);
    }
  }
  return simdjson::SUCCESS;
}

// Fills `query` from one JSON document. Returns the rejection reason, "" when good.
std::string ReadQuery(ondemand::parser& parser, const simdjson::padded_string_view& line,
                      DnsQuery& query) {
  ondemand::document document;
  if (const auto error = parser.iterate(line).get(document)) return JsonError(error);
  ondemand::object object;
  if (const auto error = document.get_object().get(object)) {
    return error == simdjson::INCORRECT_TYPE ? "not a JSON object" : JsonError(error);
  }
  bool has_query_name = false;
  std::string_view timestamp;
  bool has_timestamp = false;
  for (auto field_result : object) {
    if (const auto error = field_result.error()) return JsonError(error);
    // In place rather than copied out of the result: the copy stalled on store forwarding.
    ondemand::field&& field = std::move(field_result).value_unsafe();
    // Raw keys compared in place: unescaping every key into a string showed up in profiles.
    // The first byte picks the few candidates.
    const ondemand::raw_json_string key = field.key();
    ondemand::value& value = field.value();
    simdjson::error_code error = simdjson::SUCCESS;
    switch (key.raw()[0]) {
      case 'q':
        if (key == "query_name") {
          std::string_view name;
          error = value.get_string().get(name);
          if (error == simdjson::INCORRECT_TYPE) return "query_name is not a string";
          if (!error) {
            NormalizeQueryName(name, query.query_name);
            has_query_name = true;
          }
        } else if (key == "query_timestamp") {
          // The view lives in the parser's string buffer until the next document.
          error = value.get_string().get(timestamp);
          if (error == simdjson::INCORRECT_TYPE) return "query_timestamp is not a string";
          has_timestamp = !error;
        } else if (key == "query_type") {
          error = ReadOptionalString(value, query.query_type);
        }
        break;
      case 's':
        if (key == "srcaddr") {
          error = ReadOptionalString(value, query.source);
        } else if (key == "srcport") {
          error = ReadPort(value, query.source_port);
        } else if (key == "srcids") {
          error = ReadSourceIds(value, query);
        }
        break;
      case 'a':
        if (key == "account_id") {
          error = ReadOptionalString(value, query.account_id);
        } else if (key == "answers") {
          error = ReadAnswers(value, query);
        }
        break;
      case 'r':
        if (key == "region") {
          error = ReadOptionalString(value, query.region);
        } else if (key == "rcode") {
          error = ReadOptionalString(value, query.rcode);
        }
        break;
      case 'v':
        if (key == "vpc_id") error = ReadOptionalString(value, query.vpc_id);
        break;
      case 't':
        if (key == "transport") error = ReadOptionalString(value, query.transport);
        break;
      default:
        break;
    }
    if (error) return JsonError(error);
  }
  // On-Demand reads lazily: a document that ends early or carries a second value after the
  // object shows up only here.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return "malformed JSON: content after the object";
  }
  if (!has_query_name) return "missing query_name";
  if (has_timestamp) {
    const std::optional<int64_t> millis = ParseQueryTimestamp(timestamp);
    if (!millis) {
      return "bad query_timestamp '" + std::string(timestamp.substr(0, 64)) + "'";
    }
    query.query_time = *millis;
  }
  if (!query.source.empty()) query.source_v4 = ParseIpv4Address(query.source);
  return {};
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

ParseResult<DnsQuery> ParseDnsLogs(std::string_view content) {
  ParseResult<DnsQuery> result;
  ondemand::parser parser;
  // Each line is copied into this buffer with SIMDJSON_PADDING zero bytes after it, so
  // simdjson never reads the next line (or past the caller's buffer) as padding.
  std::vector<char> padded;
  result.records.reserve(CountLines(content));

  size_t line_number = 0;
  size_t line_start = 0;
  while (line_start < content.size()) {
    size_t line_end = content.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = content.size();
    std::string_view line = content.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (IsBlank(line)) continue;

    const size_t needed = line.size() + simdjson::SIMDJSON_PADDING;
    if (padded.size() < needed) padded.resize(std::max(needed, padded.size() * 2));
    std::memcpy(padded.data(), line.data(), line.size());
    std::memset(padded.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    const simdjson::padded_string_view view(padded.data(), line.size(), padded.size());

    DnsQuery& query = result.records.emplace_back();
    std::string reason = ReadQuery(parser, view, query);
    if (!reason.empty()) {
      result.records.pop_back();
      result.Reject(line_number, std::move(reason));
    }
  }
  return result;
}

}  // namespace vigil
