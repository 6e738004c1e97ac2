// Reading GuardDuty request bodies: parse a JSON object, then read typed members.
//
// JsonReader records the first problem it meets (wrong type, missing required member,
// value out of range) as an InvalidInput status naming the parameter by its wire path
// ("dataSources.s3Logs.enable"), so a handler reads every member and checks once:
//
//   JsonReader in(body);
//   std::optional<bool> enable = in.Bool("enable", Presence::kRequired);
//   VIGIL_RETURN_IF_ERROR(in.status());
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil {

enum class Presence { kRequired, kOptional };

// Bounds on a request body's JSON, so that a hostile body can exhaust neither the stack
// nor memory: both are checked while parsing, which stops at the first value too many.
struct JsonLimits {
  size_t max_depth = 64;  // nesting of objects and arrays, the body's own object included
  // Values at every depth (object members and array elements), the body's object excluded.
  size_t max_elements = 100'000;
};

// The limits ParseBodyObject applies (`vigil serve --max-json-depth/--max-json-elements`).
// Set once at start-up, before any request is served.
void SetJsonBodyLimits(JsonLimits limits);

// Parses a request body that must be a JSON object; an empty body reads as {}. Errors:
// InvalidInput for malformed JSON, another type than an object, or a body beyond `limits`
// (by default those of SetJsonBodyLimits).
StatusOr<boost::json::object> ParseBodyObject(std::string_view body);
StatusOr<boost::json::object> ParseBodyObject(std::string_view body, const JsonLimits& limits);

// Serializes a response object.
std::string ToJson(const boost::json::value& value);

// "The request is rejected because the parameter NAME has an invalid value: DETAIL"
Status InvalidParameter(std::string_view name, std::string_view detail);

class JsonReader {
 public:
  // Borrows `object`. `prefix` ("dataSources.s3Logs") is prepended to member names in errors.
  explicit JsonReader(const boost::json::object& object, std::string prefix = "");

  std::optional<bool> Bool(std::string_view name, Presence presence);
  std::optional<int64_t> Integer(std::string_view name, Presence presence, int64_t min,
                                 int64_t max);
  // A string whose length (in bytes) lies within [min_length, max_length].
  std::optional<std::string> String(std::string_view name, Presence presence, size_t min_length,
                                    size_t max_length);
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(std::string_view name, Presence presence,
                                  std::span<const std::string_view> allowed);
  // A list of strings: [min_items, max_items] items, each [min_length, max_length] bytes.
  std::optional<std::vector<std::string>> StringList(std::string_view name, Presence presence,
                                                     size_t min_items, size_t max_items,
                                                     size_t min_length, size_t max_length);
  // A nested object; nullptr when absent (or on error).
  const boost::json::object* Object(std::string_view name, Presence presence);

  // Records `status` unless an earlier problem was recorded.
  void Fail(Status status);
  // The wire path of member `name` ("prefix.name").
  std::string PathOf(std::string_view name) const;
  const Status& status() const { return status_; }

 private:
  // The member, or nullptr; records "missing" when required and absent.
  const boost::json::value* Find(std::string_view name, Presence presence);

  const boost::json::object& object_;
  std::string prefix_;
  Status status_;
};

}  // namespace vigil
