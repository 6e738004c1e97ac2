// CloudTrail events with simdjson On-Demand, in one forward pass per document.
//
// Every document is walked once in the order it is written: the top-level object is read
// as an event while its keys are scanned for "Records" (an S3 log file) and "detail" (an
// EventBridge envelope), so no shape needs deciding before reading, and nothing is parsed
// twice. Fields are copied out as they pass; requestParameters and responseElements are
// kept as their raw spans, minified.
//
// JSON lines are parsed one line at a time rather than as a document stream: a malformed
// line then costs only itself (a stream's stage 1 can let one bad line swallow the next),
// and the line number of every reject is known without mapping offsets back to lines.
// Documents written back to back without newlines do go through a stream, as nothing
// marks where one ends.
//
// Each thread keeps its parser and input copy between calls (see Scratch), so calls on
// different threads are independent and calls on one thread reuse warm memory.
#include "ingest/cloudtrail.h"

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/time.h"
#include "intel/list_parser.h"

namespace vigil {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// A reason quotes at most this much of an offending value.
constexpr size_t kMaxQuotedValue = 64;

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && IsJsonWhitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsJsonWhitespace(text.back())) text.remove_suffix(1);
  return text;
}

std::string Quote(std::string_view text) {
  if (text.size() > kMaxQuotedValue) {
    return "\"" + std::string(text.substr(0, kMaxQuotedValue)) + "...\"";
  }
  return "\"" + std::string(text) + "\"";
}

// ParseIsoMillis takes CloudTrail's own forms ("...54Z", "...54.123Z"); other producers
// (CloudWatch exports, hand-made files) also write 1-9 fraction digits or a numeric
// offset, which are normalized to that form here.
std::optional<int64_t> ParseEventTime(std::string_view text) {
  if (std::optional<int64_t> millis = ParseIsoMillis(text)) return millis;
  constexpr size_t kSecondsLength = 19;  // "2014-03-06T21:22:54"
  if (text.size() <= kSecondsLength) return std::nullopt;
  char normalized[] = "0000-00-00T00:00:00.000Z";
  std::memcpy(normalized, text.data(), kSecondsLength);
  size_t pos = kSecondsLength;
  if (text[pos] == '.') {
    ++pos;
    const size_t fraction_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    const size_t digits = pos - fraction_start;
    if (digits == 0 || digits > 9) return std::nullopt;
    std::memcpy(normalized + kSecondsLength + 1, text.data() + fraction_start,
                digits < 3 ? digits : 3);
  }
  int64_t offset_minutes = 0;
  const std::string_view zone = text.substr(pos);
  if (zone != "Z") {
    // "+hh:mm" or "-hh:mm".
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
      return std::nullopt;
    }
    for (const size_t i : {1u, 2u, 4u, 5u}) {
      if (zone[i] < '0' || zone[i] > '9') return std::nullopt;
    }
    const int64_t hours = (zone[1] - '0') * 10 + (zone[2] - '0');
    const int64_t minutes = (zone[4] - '0') * 10 + (zone[5] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    offset_minutes = (hours * 60 + minutes) * (zone[0] == '-' ? -1 : 1);
  }
  const std::optional<int64_t> local = ParseIsoMillis(std::string_view(normalized));
  if (!local) return std::nullopt;
  return *local - offset_minutes * 60 * 1000;
}

// The keys the reader acts on, at any level; each level acts only on its own.
enum class Key {
  kOther,
  // event
  kEventId,
  kEventTime,
  kEventSource,
  kEventName,
  kEventType,
  kEventCategory,
  kAwsRegion,
  kRecipientAccountId,
  kSourceIpAddress,
  kUserAgent,
  kErrorCode,
  kReadOnly,
  kUserIdentity,
  kAdditionalEventData,
  kRequestParameters,
  kResponseElements,
  // top level
  kRecords,
  kDetail,
  // userIdentity
  kType,
  kPrincipalId,
  kArn,
  kAccountId,
  kAccessKeyId,
  kUserName,
  kInvokedBy,
  kSessionContext,
  kSessionIssuer,
  // additionalEventData, responseElements
  kMfaUsed,
};

// A switch on the length keeps this to one or a few comparisons per key.
Key ClassifyKey(std::string_view key) {
  switch (key.size()) {
    case 3:
      if (key == "arn") return Key::kArn;
      break;
    case 4:
      if (key == "type") return Key::kType;
      break;
    case 6:
      if (key == "detail") return Key::kDetail;
      break;
    case 7:
      if (key == "eventID") return Key::kEventId;
      if (key == "Records") return Key::kRecords;
      if (key == "MFAUsed") return Key::kMfaUsed;
      break;
    case 8:
      if (key == "readOnly") return Key::kReadOnly;
      if (key == "userName") return Key::kUserName;
      break;
    case 9:
      if (key == "eventTime") return Key::kEventTime;
      if (key == "eventName") return Key::kEventName;
      if (key == "eventType") return Key::kEventType;
      if (key == "awsRegion") return Key::kAwsRegion;
      if (key == "userAgent") return Key::kUserAgent;
      if (key == "errorCode") return Key::kErrorCode;
      if (key == "accountId") return Key::kAccountId;
      if (key == "invokedBy") return Key::kInvokedBy;
      break;
    case 11:
      if (key == "eventSource") return Key::kEventSource;
      if (key == "principalId") return Key::kPrincipalId;
      if (key == "accessKeyId") return Key::kAccessKeyId;
      break;
    case 12:
      if (key == "userIdentity") return Key::kUserIdentity;
      break;
    case 13:
      if (key == "eventCategory") return Key::kEventCategory;
      if (key == "sessionIssuer") return Key::kSessionIssuer;
      break;
    case 14:
      if (key == "sessionContext") return Key::kSessionContext;
      break;
    case 15:
      if (key == "sourceIPAddress") return Key::kSourceIpAddress;
      break;
    case 16:
      if (key == "responseElements") return Key::kResponseElements;
      break;
    case 17:
      if (key == "requestParameters") return Key::kRequestParameters;
      break;
    case 18:
      if (key == "recipientAccountId") return Key::kRecipientAccountId;
      break;
    case 19:
      if (key == "additionalEventData") return Key::kAdditionalEventData;
      break;
    default:
      break;
  }
  return Key::kOther;
}

// The key as written, read in place: CloudTrail keys carry no escapes, and unescaping
// each one would copy it. Stage 1 has checked the string closes, so the scan stops.
error_code ReadKey(ondemand::field& field, std::string_view& key) {
  const char* const start = field.key().raw();
  const char* end = start;
  while (*end != '"' && *end != '\\') ++end;
  if (*end == '"') {
    key = std::string_view(start, static_cast<size_t>(end - start));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(key);
}

// Reads a string value into `text`. A value of another type (null, a number) counts as
// absent: INCORRECT_TYPE leaves the value unread, and the iteration skips it.
error_code ReadStringView(ondemand::value& value, std::string_view& text, bool& present) {
  const error_code error = value.get_string().get(text);
  present = error == simdjson::SUCCESS;
  return error == simdjson::INCORRECT_TYPE ? simdjson::SUCCESS : error;
}

error_code ReadString(ondemand::value& value, std::string& out) {
  std::string_view text;
  bool present = false;
  SIMDJSON_TRY(ReadStringView(value, text, present));
  if (present) out.assign(text);
  return simdjson::SUCCESS;
}

// An object value, or absent when the value is of another type.
error_code ReadObject(ondemand::value& value, ondemand::object& object, bool& present) {
  const error_code error = value.get_object().get(object);
  present = error == simdjson::SUCCESS;
  return error == simdjson::INCORRECT_TYPE ? simdjson::SUCCESS : error;
}

// Reads fields of `object`, calling on_field(Key, value) for each; stops at the first
// error `on_field` returns.
template <typename OnField>
error_code ForEachField(ondemand::object& object, OnField&& on_field) {
  for (simdjson::simdjson_result<ondemand::field> field_result : object) {
    SIMDJSON_TRY(field_result.error());
    // In place: copying the field out stalls on store forwarding, measurably per key.
    ondemand::field& field = field_result.value_unsafe();
    std::string_view key;
    SIMDJSON_TRY(ReadKey(field, key));
    SIMDJSON_TRY(on_field(ClassifyKey(key), field.value()));
  }
  return simdjson::SUCCESS;
}

// An event while it is being read. The string_views point into the parser's string
// buffer, which holds until the next document starts.
struct EventFields {
  CloudTrailEvent event;
  bool has_event_name = false;
  bool has_event_source = false;
  bool has_event_time = false;
  std::string_view event_time_text;
  std::string_view session_issuer_user_name;
};

// Reads the documents of one call into `result`.
class CloudTrailReader {
 public:
  CloudTrailReader(ondemand::parser& parser, ParseResult<CloudTrailEvent>& result)
      : parser_(parser), result_(result) {}

  // Reads the JSON documents in the `length` bytes at `data`, of which `capacity` bytes
  // are readable (at least length + SIMDJSON_PADDING). Normally that is one document;
  // documents written back to back (Kinesis Data Firehose concatenates EventBridge events
  // without a separator) go on through a document stream over the rest, so stage 1 runs
  // once more rather than once per document. `line` is the line in a JSON-lines file,
  // which every reject then reports, or 0 in a whole file, where rejects report the
  // record's position in the file (one per event, one per element of Records).
  void ReadDocuments(const char* data, size_t length, size_t capacity, size_t line) {
    line_ = line;
    ondemand::document document;
    bool is_object = false;
    position_ = NextDocumentPosition();
    const size_t records_before = records_started_;
    const size_t results_before = result_.records.size() + result_.rejected;
    error_code error = parser_.iterate(data, length, capacity).get(document);
    if (!error) error = ReadRoot(document, is_object);
    if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT &&
        result_.records.size() + result_.rejected == results_before) {
      // A lone document's root must close at the end of the input, which complete
      // documents followed by a truncated one fail; a stream reads those and reports
      // the truncated tail.
      records_started_ = records_before;
      return ReadStream(data, length);
    }
    if (error) return ReportMalformed(error);
    if (!is_object) return;
    // OUT_OF_BOUNDS when nothing follows the document.
    const simdjson::simdjson_result<const char*> rest = document.current_location();
    if (rest.error()) return;
    const size_t offset = static_cast<size_t>(rest.value_unsafe() - data);
    ReadStream(data + offset, length - offset);
  }

 private:
  // Whether the top level was a log file or an envelope rather than an event.
  struct TopLevel {
    bool has_records = false;
    bool has_detail = false;
    EventFields detail;
  };

  size_t NextDocumentPosition() const { return line_ != 0 ? line_ : records_started_ + 1; }

  void ReportMalformed(error_code error) {
    std::string reason = "malformed JSON: ";
    reason += simdjson::error_message(error);
    if (line_ == 0 && (!result_.records.empty() || result_.rejected > 0)) {
      reason += " (the rest of the file is skipped)";
    }
    result_.Reject(position_, std::move(reason));
  }

  void ReadStream(const char* data, size_t length) {
    ondemand::document_stream stream;
    // One batch: the documents are already in memory, and a batch must hold the largest.
    error_code error =
        parser_.iterate_many(data, length, std::max(length, simdjson::dom::MINIMAL_BATCH_SIZE))
            .get(stream);
    if (!error) {
      for (simdjson::simdjson_result<ondemand::document_reference> document_result : stream) {
        position_ = NextDocumentPosition();
        ondemand::document_reference document;
        bool is_object = false;
        if ((error = std::move(document_result).get(document))) break;
        if ((error = ReadRoot(document, is_object))) break;
      }
    }
    if (error) return ReportMalformed(error);
    if (stream.truncated_bytes() > 0) {
      position_ = NextDocumentPosition();
      result_.Reject(position_, "malformed JSON: the input ends inside a document");
    }
  }

  // Reads one top-level value: a log file, an envelope or an event.
  template <typename Document>
  error_code ReadRoot(Document& document, bool& is_object) {
    ondemand::json_type type;
    SIMDJSON_TRY(document.type().get(type));
    is_object = type == ondemand::json_type::object;
    if (!is_object) {
      result_.Reject(position_, "top-level JSON value is not an object");
      ++records_started_;
      return simdjson::SUCCESS;
    }
    ondemand::object root;
    SIMDJSON_TRY(document.get_object().get(root));
    EventFields fields;
    TopLevel top_level;
    SIMDJSON_TRY(ReadEvent(root, fields, &top_level));
    if (top_level.has_records) return simdjson::SUCCESS;  // anything else there is no event
    ++records_started_;
    Finish(top_level.has_detail ? std::move(top_level.detail) : std::move(fields), position_);
    return simdjson::SUCCESS;
  }

  error_code ReadRecords(ondemand::array& records) {
    for (simdjson::simdjson_result<ondemand::value> element_result : records) {
      ++records_started_;
      position_ = line_ != 0 ? line_ : records_started_;
      ondemand::value element;
      SIMDJSON_TRY(std::move(element_result).get(element));
      ondemand::object object;
      bool is_object = false;
      SIMDJSON_TRY(ReadObject(element, object, is_object));
      if (!is_object) {
        result_.Reject(position_, "record is not a JSON object");
        continue;
      }
      EventFields fields;
      SIMDJSON_TRY(ReadEvent(object, fields, nullptr));
      Finish(std::move(fields), position_);
    }
    position_ = NextDocumentPosition();
    return simdjson::SUCCESS;
  }

  // Reads an event's fields; at the top level (`top_level` set) also a log file's
  // Records and an envelope's detail.
  error_code ReadEvent(ondemand::object& object, EventFields& fields, TopLevel* top_level) {
    CloudTrailEvent& event = fields.event;
    return ForEachField(object, [&](Key key, ondemand::value& value) -> error_code {
      switch (key) {
        case Key::kEventId:
          return ReadString(value, event.event_id);
        case Key::kEventTime:
          return ReadStringView(value, fields.event_time_text, fields.has_event_time);
        case Key::kEventSource:
          SIMDJSON_TRY(ReadString(value, event.event_source));
          fields.has_event_source = !event.event_source.empty();
          return simdjson::SUCCESS;
        case Key::kEventName:
          SIMDJSON_TRY(ReadString(value, event.event_name));
          fields.has_event_name = !event.event_name.empty();
          return simdjson::SUCCESS;
        case Key::kEventType:
          return ReadString(value, event.event_type);
        case Key::kEventCategory:
          return ReadString(value, event.event_category);
        case Key::kAwsRegion:
          return ReadString(value, event.aws_region);
        case Key::kRecipientAccountId:
          return ReadString(value, event.recipient_account_id);
        case Key::kSourceIpAddress:
          SIMDJSON_TRY(ReadString(value, event.source_ip));
          event.source_ip_v4 = ParseIpv4Address(event.source_ip);
          return simdjson::SUCCESS;
        case Key::kUserAgent:
          return ReadString(value, event.user_agent);
        case Key::kErrorCode:
          return ReadString(value, event.error_code);
        case Key::kReadOnly:
          return ReadReadOnly(value, event.read_only);
        case Key::kUserIdentity:
          return ReadUserIdentity(value, fields);
        case Key::kAdditionalEventData:
          return ReadAdditionalEventData(value, event.mfa_used);
        case Key::kRequestParameters:
          return ReadCompactJson(value, event.request_parameters, nullptr);
        case Key::kResponseElements:
          return ReadCompactJson(value, event.response_elements, &event.console_login_result);
        case Key::kRecords:
          return top_level != nullptr ? ReadTopLevelRecords(value, *top_level) : simdjson::SUCCESS;
        case Key::kDetail:
          return top_level != nullptr ? ReadDetail(value, *top_level) : simdjson::SUCCESS;
        default:
          return simdjson::SUCCESS;
      }
    });
  }

  error_code ReadTopLevelRecords(ondemand::value& value, TopLevel& top_level) {
    ondemand::array records;
    const error_code error = value.get_array().get(records);
    if (error == simdjson::INCORRECT_TYPE) return simdjson::SUCCESS;
    SIMDJSON_TRY(error);
    top_level.has_records = true;
    return ReadRecords(records);
  }

  error_code ReadDetail(ondemand::value& value, TopLevel& top_level) {
    ondemand::object detail;
    bool is_object = false;
    SIMDJSON_TRY(ReadObject(value, detail, is_object));
    if (!is_object) return simdjson::SUCCESS;
    top_level.has_detail = true;
    top_level.detail = EventFields();
    return ReadEvent(detail, top_level.detail, nullptr);
  }

  // readOnly is a boolean, though some exporters write it as a string.
  static error_code ReadReadOnly(ondemand::value& value, std::optional<bool>& read_only) {
    ondemand::json_type type;
    SIMDJSON_TRY(value.type().get(type));
    if (type == ondemand::json_type::boolean) {
      bool flag = false;
      SIMDJSON_TRY(value.get_bool().get(flag));
      read_only = flag;
    } else if (type == ondemand::json_type::string) {
      std::string_view text;
      SIMDJSON_TRY(value.get_string().get(text));
      if (text == "true") read_only = true;
      if (text == "false") read_only = false;
    }
    return simdjson::SUCCESS;
  }

  static error_code ReadUserIdentity(ondemand::value& value, EventFields& fields) {
    ondemand::object identity;
    bool is_object = false;
    SIMDJSON_TRY(ReadObject(value, identity, is_object));
    if (!is_object) return simdjson::SUCCESS;
    CloudTrailEvent& event = fields.event;
    return ForEachField(identity, [&](Key key, ondemand::value& field_value) -> error_code {
      switch (key) {
        case Key::kType:
          return ReadString(field_value, event.identity_type);
        case Key::kPrincipalId:
          return ReadString(field_value, event.principal_id);
        case Key::kArn:
          return ReadString(field_value, event.identity_arn);
        case Key::kAccountId:
          return ReadString(field_value, event.identity_account_id);
        case Key::kAccessKeyId:
          return ReadString(field_value, event.access_key_id);
        case Key::kUserName:
          return ReadString(field_value, event.user_name);
        case Key::kInvokedBy:
          return ReadString(field_value, event.invoked_by);
        case Key::kSessionContext:
          return ReadSessionContext(field_value, fields);
        default:
          return simdjson::SUCCESS;
      }
    });
  }

  static error_code ReadSessionContext(ondemand::value& value, EventFields& fields) {
    ondemand::object context;
    SIMDJSON_TRY(ReadObject(value, context, fields.event.has_session_context));
    if (!fields.event.has_session_context) return simdjson::SUCCESS;
    return ForEachField(context, [&](Key key, ondemand::value& context_value) -> error_code {
      if (key != Key::kSessionIssuer) return simdjson::SUCCESS;
      ondemand::object issuer;
      bool is_object = false;
      SIMDJSON_TRY(ReadObject(context_value, issuer, is_object));
      if (!is_object) return simdjson::SUCCESS;
      return ForEachField(issuer, [&](Key issuer_key, ondemand::value& issuer_value) {
        bool present = false;
        return issuer_key == Key::kUserName
                   ? ReadStringView(issuer_value, fields.session_issuer_user_name, present)
                   : simdjson::SUCCESS;
      });
    });
  }

  static error_code ReadAdditionalEventData(ondemand::value& value, std::string& mfa_used) {
    ondemand::object data;
    bool is_object = false;
    SIMDJSON_TRY(ReadObject(value, data, is_object));
    if (!is_object) return simdjson::SUCCESS;
    return ForEachField(data, [&](Key key, ondemand::value& data_value) {
      return key == Key::kMfaUsed ? ReadString(data_value, mfa_used) : simdjson::SUCCESS;
    });
  }

  // Keeps a value as compact JSON text ("" for null). With `console_login` set, also
  // reads the object's ConsoleLogin member: the raw span has been consumed by then, so
  // the object is rewound, but only when its text names the key.
  error_code ReadCompactJson(ondemand::value& value, std::string& out, std::string* console_login) {
    ondemand::json_type type;
    SIMDJSON_TRY(value.type().get(type));
    std::string_view raw;
    switch (type) {
      case ondemand::json_type::null:
        return simdjson::SUCCESS;
      case ondemand::json_type::object: {
        ondemand::object object;
        SIMDJSON_TRY(value.get_object().get(object));
        SIMDJSON_TRY(object.raw_json().get(raw));
        AssignMinified(TrimWhitespace(raw), out);
        if (console_login != nullptr && raw.find("ConsoleLogin") != std::string_view::npos) {
          SIMDJSON_TRY(object.reset().error());
          ondemand::value login;
          const error_code error = object.find_field("ConsoleLogin").get(login);
          if (error == simdjson::NO_SUCH_FIELD) return simdjson::SUCCESS;
          SIMDJSON_TRY(error);
          return ReadString(login, *console_login);
        }
        return simdjson::SUCCESS;
      }
      case ondemand::json_type::array: {
        ondemand::array array;
        SIMDJSON_TRY(value.get_array().get(array));
        SIMDJSON_TRY(array.raw_json().get(raw));
        break;
      }
      default:
        raw = value.raw_json_token();
        break;
    }
    AssignMinified(TrimWhitespace(raw), out);
    return simdjson::SUCCESS;
  }

  // Pretty-printed files leave whitespace in raw spans; the rules compare text, so it
  // goes. simdjson's minifier keeps whitespace inside strings.
  void AssignMinified(std::string_view raw, std::string& out) {
    if (minify_capacity_ < raw.size() + simdjson::SIMDJSON_PADDING) {
      minify_capacity_ = 2 * raw.size() + simdjson::SIMDJSON_PADDING;
      minify_buffer_ = std::make_unique<char[]>(minify_capacity_);
    }
    size_t length = 0;
    if (simdjson::minify(raw.data(), raw.size(), minify_buffer_.get(), length) !=
        simdjson::SUCCESS) {
      out.assign(raw);
      return;
    }
    out.assign(minify_buffer_.get(), length);
  }

  // Keeps the event, or rejects it when it lacks what makes it a CloudTrail event.
  void Finish(EventFields&& fields, size_t position) {
    std::string missing;
    const auto note_missing = [&missing](bool present, std::string_view name) {
      if (present) return;
      missing += missing.empty() ? "" : ", ";
      missing += name;
    };
    note_missing(fields.has_event_name, "eventName");
    note_missing(fields.has_event_source, "eventSource");
    note_missing(fields.has_event_time, "eventTime");
    if (!missing.empty()) {
      result_.Reject(position, "not a CloudTrail event: missing " + missing);
      return;
    }
    const std::optional<int64_t> event_time = ParseEventTime(fields.event_time_text);
    if (!event_time) {
      result_.Reject(position, "unparsable eventTime " + Quote(fields.event_time_text));
      return;
    }
    CloudTrailEvent& event = fields.event;
    event.event_time = *event_time;
    if (event.user_name.empty() && !fields.session_issuer_user_name.empty() &&
        (event.identity_type == "AssumedRole" || event.identity_type == "Role")) {
      event.user_name.assign(fields.session_issuer_user_name);
    }
    result_.records.push_back(std::move(event));
  }

  ondemand::parser& parser_;
  ParseResult<CloudTrailEvent>& result_;
  size_t line_ = 0;
  // Records begun in a whole file (each event, each element of Records).
  size_t records_started_ = 0;
  // Where an error found now would be reported.
  size_t position_ = 1;
  std::unique_ptr<char[]> minify_buffer_;
  size_t minify_capacity_ = 0;
};

// What one thread keeps between calls. The parser's index and string buffer and the
// padded copy of the input grow to the largest input, and fresh pages cost a fault each:
// a third of the time of a 50 MB file. They are kept for inputs up to
// kMaxRetainedInputBytes, so one huge upload does not pin its memory for good.
struct Scratch {
  ondemand::parser parser;
  std::unique_ptr<char[]> input;
  size_t input_capacity = 0;
};

constexpr size_t kMaxRetainedInputBytes = size_t{64} << 20;

// Under AddressSanitizer the input copy is sized to each call, so a read past its padding
// is reported rather than landing in an earlier, longer input.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kExactInputCopy = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kExactInputCopy = true;
#else
constexpr bool kExactInputCopy = false;
#endif
#else
constexpr bool kExactInputCopy = false;
#endif

Scratch& ThreadScratch() {
  static thread_local Scratch scratch;
  return scratch;
}

bool IsWholeObjectLine(std::string_view line) {
  line = TrimWhitespace(line);
  return line.size() >= 2 && line.front() == '{' && line.back() == '}';
}

// JSON lines when there are several non-blank lines and the first or the last is a whole
// object on its own. A pretty-printed document opens with "{" or '{"Records": [' and
// closes with "}" or "]}", so it is never taken for lines; a JSON-lines file with one
// truncated line at either end still is.
bool LooksLikeJsonLines(std::string_view content) {
  const std::string_view trimmed = TrimWhitespace(content);
  const size_t first_end = trimmed.find('\n');
  if (first_end == std::string_view::npos) return false;
  const std::string_view first_line = trimmed.substr(0, first_end);
  const std::string_view last_line = trimmed.substr(trimmed.rfind('\n') + 1);
  return IsWholeObjectLine(first_line) || IsWholeObjectLine(last_line);
}

}  // namespace

ParseResult<CloudTrailEvent> ParseCloudTrail(std::string_view content) {
  ParseResult<CloudTrailEvent> result;
  if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());
  if (TrimWhitespace(content).empty()) return result;

  // One padded copy serves every document: a line's padding is the rest of the input.
  Scratch& scratch = ThreadScratch();
  const size_t capacity = content.size() + simdjson::SIMDJSON_PADDING;
  if (scratch.input_capacity < capacity ||
      (kExactInputCopy && scratch.input_capacity != capacity)) {
    scratch.input = std::make_unique_for_overwrite<char[]>(capacity);
    scratch.input_capacity = capacity;
  }
  char* const data = scratch.input.get();
  std::memcpy(data, content.data(), content.size());
  std::memset(data + content.size(), ' ', simdjson::SIMDJSON_PADDING);
  // Realistic records are 1-2 KB. A large reservation is mapped, not touched, until used.
  result.records.reserve(content.size() / 1024);
  CloudTrailReader reader(scratch.parser, result);

  if (!LooksLikeJsonLines(content)) {
    reader.ReadDocuments(data, content.size(), capacity, 0);
  } else {
    size_t line_number = 0;
    size_t start = 0;
    while (start < content.size()) {
      ++line_number;
      size_t end = content.find('\n', start);
      if (end == std::string_view::npos) end = content.size();
      const std::string_view line = TrimWhitespace(content.substr(start, end - start));
      if (!line.empty()) {
        const size_t offset = static_cast<size_t>(line.data() - content.data());
        reader.ReadDocuments(data + offset, line.size(), capacity - offset, line_number);
      }
      start = end + 1;
    }
  }
  if (scratch.input_capacity > kMaxRetainedInputBytes) scratch = Scratch();
  return result;
}

}  // namespace vigil
