#include "core/json_input.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_stack.hpp>

#include "core/utf8.h"

namespace vigil {

namespace json = boost::json;

namespace {

JsonLimits body_limits;  // written once before serving, then only read

// Boost.JSON's own handler (what json::parse uses: every event onto a value_stack) plus a
// count of values, so a body with too many fails as soon as it has one too many instead of
// after it has been built in memory.
class CountingHandler {
 public:
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  CountingHandler(size_t max_elements, unsigned char* buffer, size_t size)
      : stack(json::storage_ptr(), buffer, size), max_values_(max_elements + 1) {}

  json::value_stack stack;
  bool too_many() const { return too_many_; }

  // value_stack requires reset() before the first value of a document is pushed.
  bool on_document_begin(json::error_code&) {
    stack.reset();
    return true;
  }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code& ec) { return Count(ec); }
  bool on_object_end(size_t n, json::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code& ec) { return Count(ec); }
  bool on_array_end(size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code& ec) {
    if (!Count(ec)) return false;
    stack.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t i, json::string_view, json::error_code& ec) {
    if (!Count(ec)) return false;
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, json::error_code& ec) {
    if (!Count(ec)) return false;
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code& ec) {
    if (!Count(ec)) return false;
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code& ec) {
    if (!Count(ec)) return false;
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code& ec) {
    if (!Count(ec)) return false;
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // Counts one more value (the document's own included, hence max_elements + 1).
  bool Count(json::error_code& ec) {
    if (++values_ <= max_values_) return true;
    too_many_ = true;
    ec = json::error::exception;  // any error stops the parser; too_many_ says which
    return false;
  }

  size_t values_ = 0;
  const size_t max_values_;
  bool too_many_ = false;
};

}  // namespace

void SetJsonBodyLimits(JsonLimits limits) { body_limits = limits; }

StatusOr<json::object> ParseBodyObject(std::string_view body) {
  return ParseBodyObject(body, body_limits);
}

StatusOr<json::object> ParseBodyObject(std::string_view body, const JsonLimits& limits) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json::parse_options options;
  options.max_depth = limits.max_depth;
  unsigned char scratch[BOOST_JSON_STACK_BUFFER_SIZE];
  json::basic_parser<CountingHandler> parser(options, limits.max_elements, scratch,
                                             sizeof(scratch));
  json::error_code ec;
  const size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && consumed < body.size()) ec = json::error::extra_data;
  if (parser.handler().too_many()) {
    return Status::InvalidInput("The request is rejected because the request body has more than " +
                                std::to_string(limits.max_elements) +
                                " JSON elements (members and array items).");
  }
  if (ec == json::error::too_deep) {
    return Status::InvalidInput(
        "The request is rejected because the request body nests JSON deeper than " +
        std::to_string(limits.max_depth) + " levels.");
  }
  if (ec) {
    return Status::InvalidInput(
        "The request is rejected because the request body is not valid "
        "JSON: " +
        ec.message() + ".");
  }
  json::value value = parser.handler().stack.release();
  if (!value.is_object()) {
    return Status::InvalidInput(
        "The request is rejected because the request body must be a JSON object.");
  }
  return std::move(value.as_object());
}

std::string ToJson(const json::value& value) {
  // Strings that are not UTF-8 (quoting log or list lines) get U+FFFD for their bad bytes,
  // so the document is valid JSON. Outside strings a serialized document is ASCII, so
  // repairing it whole repairs them without a second walk.
  return ValidUtf8(json::serialize(value));
}

Status InvalidParameter(std::string_view name, std::string_view detail) {
  return Status::InvalidInput("The request is rejected because the parameter " + std::string(name) +
                              " has an invalid value: " + std::string(detail));
}

JsonReader::JsonReader(const json::object& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

void JsonReader::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
}

std::string JsonReader::PathOf(std::string_view name) const {
  return prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
}

const json::value* JsonReader::Find(std::string_view name, Presence presence) {
  const json::value* value = object_.if_contains(name);
  if (value != nullptr && value->is_null()) value = nullptr;  // null reads as absent
  if (value == nullptr && presence == Presence::kRequired) {
    Fail(Status::InvalidInput("The request is rejected because the required parameter " +
                              PathOf(name) + " is missing."));
  }
  return value;
}

std::optional<bool> JsonReader::Bool(std::string_view name, Presence presence) {
  const json::value* value = Find(name, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    Fail(InvalidParameter(PathOf(name), "expected a boolean."));
    return std::nullopt;
  }
  return value->as_bool();
}

std::optional<int64_t> JsonReader::Integer(std::string_view name, Presence presence, int64_t min,
                                           int64_t max) {
  const json::value* value = Find(name, presence);
  if (value == nullptr) return std::nullopt;
  // Boost.JSON reads integers as int64 unless they only fit in uint64 (then out of range).
  if (!value->is_int64() && !value->is_uint64()) {
    Fail(InvalidParameter(PathOf(name), "expected an integer."));
    return std::nullopt;
  }
  const int64_t number = value->is_int64() ? value->as_int64() : INT64_MAX;
  if (value->is_uint64() || number < min || number > max) {
    Fail(InvalidParameter(PathOf(name), "must be between " + std::to_string(min) + " and " +
                                            std::to_string(max) + "."));
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> JsonReader::String(std::string_view name, Presence presence,
                                              size_t min_length, size_t max_length) {
  const json::value* value = Find(name, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Fail(InvalidParameter(PathOf(name), "expected a string."));
    return std::nullopt;
  }
  const json::string& text = value->as_string();
  if (text.size() < min_length || text.size() > max_length) {
    Fail(InvalidParameter(PathOf(name), "length must be between " + std::to_string(min_length) +
                                            " and " + std::to_string(max_length) + "."));
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<std::string> JsonReader::Enum(std::string_view name, Presence presence,
                                            std::span<const std::string_view> allowed) {
  std::optional<std::string> text = String(name, presence, 0, SIZE_MAX);
  if (!text) return std::nullopt;
  for (std::string_view candidate : allowed) {
    if (*text == candidate) return text;
  }
  std::string choices;
  for (std::string_view candidate : allowed) {
    if (!choices.empty()) choices += ", ";
    choices += candidate;
  }
  Fail(InvalidParameter(PathOf(name), "must be one of " + choices + "."));
  return std::nullopt;
}

std::optional<std::vector<std::string>> JsonReader::StringList(std::string_view name,
                                                               Presence presence, size_t min_items,
                                                               size_t max_items, size_t min_length,
                                                               size_t max_length) {
  const json::value* value = Find(name, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) {
    Fail(InvalidParameter(PathOf(name), "expected a list of strings."));
    return std::nullopt;
  }
  const json::array& items = value->as_array();
  if (items.size() < min_items || items.size() > max_items) {
    Fail(InvalidParameter(PathOf(name), "the list must have between " + std::to_string(min_items) +
                                            " and " + std::to_string(max_items) + " items."));
    return std::nullopt;
  }
  std::vector<std::string> strings;
  strings.reserve(items.size());
  for (const json::value& item : items) {
    if (!item.is_string() || item.as_string().size() < min_length ||
        item.as_string().size() > max_length) {
      Fail(InvalidParameter(PathOf(name), "each item must be a string of " +
                                              std::to_string(min_length) + " to " +
                                              std::to_string(max_length) + " characters."));
      return std::nullopt;
    }
    strings.emplace_back(item.as_string());
  }
  return strings;
}

const json::object* JsonReader::Object(std::string_view name, Presence presence) {
  const json::value* value = Find(name, presence);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    Fail(InvalidParameter(PathOf(name), "expected a JSON object."));
    return nullptr;
  }
  return &value->as_object();
}

}  // namespace vigil
