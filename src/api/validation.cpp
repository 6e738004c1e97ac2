#include "api/validation.h"

#include <array>
#include <boost/url/parse.hpp>

#include "api/json_input.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

bool IsFilterNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsTagKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '+' && c <= '=') || c == '.' ||
         c == '_' || c == ':' || c == '/';
}

constexpr std::array<std::string_view, 4> kListOperators = {"eq", "neq", "equals", "notEquals"};
constexpr std::array<std::string_view, 8> kNumberOperators = {
    "gt", "gte", "lt", "lte", "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual"};
constexpr size_t kMaxCriterionAttributes = 50;
constexpr size_t kMaxConditionValues = 50;

template <size_t N>
bool Contains(const std::array<std::string_view, N>& words, std::string_view word) {
  for (std::string_view candidate : words) {
    if (candidate == word) return true;
  }
  return false;
}

Status ValidateCondition(const json::value& condition, const std::string& path) {
  if (!condition.is_object() || condition.as_object().empty()) {
    return InvalidParameter(path, "a condition must be an object with at least one operator.");
  }
  for (const auto& member : condition.as_object()) {
    const std::string_view op = member.key();
    const std::string op_path = path + "." + std::string(op);
    if (Contains(kListOperators, op)) {
      if (!member.value().is_array())
        return InvalidParameter(op_path, "expected a list of strings.");
      const json::array& values = member.value().as_array();
      if (values.size() > kMaxConditionValues) {
        return InvalidParameter(op_path, "at most 50 values are allowed.");
      }
      for (const json::value& value : values) {
        if (!value.is_string()) return InvalidParameter(op_path, "expected a list of strings.");
      }
    } else if (Contains(kNumberOperators, op)) {
      if (!member.value().is_int64()) return InvalidParameter(op_path, "expected an integer.");
    } else {
      return InvalidParameter(path, "unknown condition operator '" + std::string(op) + "'.");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateFilterName(std::string_view name, std::string_view parameter) {
  if (name.size() < 3 || name.size() > 64) {
    return InvalidParameter(parameter, "length must be between 3 and 64.");
  }
  for (char c : name) {
    if (!IsFilterNameChar(c)) {
      return InvalidParameter(parameter, "only letters, digits, '.', '_' and '-' are allowed.");
    }
  }
  return Status::Ok();
}

Status ValidateTagKey(std::string_view key, std::string_view parameter) {
  if (key.empty() || key.size() > 128) {
    return InvalidParameter(parameter, "tag key length must be between 1 and 128.");
  }
  if (key.starts_with("aws:")) {
    return InvalidParameter(parameter, "tag keys must not start with 'aws:'.");
  }
  for (char c : key) {
    if (!IsTagKeyChar(c)) {
      return InvalidParameter(
          parameter, "tag key '" + std::string(key) + "' must match ^(?!aws:)[a-zA-Z+-=._:/]+$.");
    }
  }
  return Status::Ok();
}

Status ValidateTags(const Tags& tags, std::string_view parameter) {
  if (tags.empty()) return InvalidParameter(parameter, "at least one tag is required.");
  if (tags.size() > kMaxTagsPerResource) {
    return InvalidParameter(parameter, "a resource can have at most 50 tags.");
  }
  for (const auto& [key, value] : tags) {
    VIGIL_RETURN_IF_ERROR(ValidateTagKey(key, parameter));
    if (value.size() > 256) {
      return InvalidParameter(parameter,
                              "the value of tag '" + key + "' is longer than 256 characters.");
    }
  }
  return Status::Ok();
}

bool IsUri(std::string_view location) {
  auto uri = boost::urls::parse_uri(location);
  return uri && uri->has_scheme() && (uri->has_authority() || !uri->encoded_path().empty());
}

Status ValidateFindingCriteria(const json::object& criteria, std::string_view parameter) {
  const std::string base(parameter);
  for (const auto& member : criteria) {
    if (member.key() != "criterion") {
      return InvalidParameter(base, "unknown member '" + std::string(member.key()) + "'.");
    }
  }
  const json::value* criterion = criteria.if_contains("criterion");
  if (criterion == nullptr || criterion->is_null()) return Status::Ok();
  if (!criterion->is_object()) return InvalidParameter(base + ".criterion", "expected an object.");
  if (criterion->as_object().size() > kMaxCriterionAttributes) {
    return InvalidParameter(base + ".criterion", "at most 50 attributes are allowed.");
  }
  for (const auto& attribute : criterion->as_object()) {
    if (attribute.key().empty()) {
      return InvalidParameter(base + ".criterion", "attribute names must not be empty.");
    }
    VIGIL_RETURN_IF_ERROR(
        ValidateCondition(attribute.value(), base + ".criterion." + std::string(attribute.key())));
  }
  return Status::Ok();
}

}  // namespace vigil::api
