#include "core/json_input.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace vigil {

namespace json = boost::json;

StatusOr<json::object> ParseBodyObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  boost::system::error_code ec;
  // Bounded nesting: hostile bodies cannot exhaust the stack.
  json::parse_options options;
  options.max_depth = 64;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) {
    return Status::InvalidInput(
        "The request is rejected because the request body is not valid "
        "JSON: " +
        ec.message() + ".");
  }
  if (!value.is_object()) {
    return Status::InvalidInput(
        "The request is rejected because the request body must be a JSON object.");
  }
  return std::move(value.as_object());
}

std::string ToJson(const json::value& value) { return json::serialize(value); }

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
