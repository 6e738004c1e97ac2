#include "findings/criteria.h"

#include <algorithm>
#include <array>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <system_error>

#include "core/time.h"

namespace vigil {

namespace json = boost::json;

namespace {

constexpr size_t kMaxCriterionAttributes = 50;
constexpr size_t kMaxConditionValues = 50;

enum class Operator {
  kEquals,
  kNotEquals,
  kGreaterThan,
  kGreaterThanOrEqual,
  kLessThan,
  kLessThanOrEqual,
};

struct OperatorSpelling {
  std::string_view name;
  Operator op = Operator::kEquals;
};

// The deprecated spellings and the current ones mean the same operator.
constexpr std::array<OperatorSpelling, 12> kOperators = {{
    {"eq", Operator::kEquals},
    {"equals", Operator::kEquals},
    {"neq", Operator::kNotEquals},
    {"notEquals", Operator::kNotEquals},
    {"gt", Operator::kGreaterThan},
    {"greaterThan", Operator::kGreaterThan},
    {"gte", Operator::kGreaterThanOrEqual},
    {"greaterThanOrEqual", Operator::kGreaterThanOrEqual},
    {"lt", Operator::kLessThan},
    {"lessThan", Operator::kLessThan},
    {"lte", Operator::kLessThanOrEqual},
    {"lessThanOrEqual", Operator::kLessThanOrEqual},
}};

const OperatorSpelling* FindOperator(std::string_view name) {
  for (const OperatorSpelling& spelling : kOperators) {
    if (spelling.name == name) return &spelling;
  }
  return nullptr;
}

// The wire error text GuardDuty uses (api/ formats it the same way; findings/ sits below it).
Status InvalidParameter(std::string_view name, std::string_view detail) {
  return Status::InvalidInput("The request is rejected because the parameter " + std::string(name) +
                              " has an invalid value: " + std::string(detail));
}

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Criterion timestamps: epoch milliseconds, or ISO-8601 as the finding shows them.
std::optional<int64_t> ParseTimestamp(std::string_view text) {
  if (std::optional<int64_t> millis = ParseInteger(text)) return millis;
  return ParseIsoMillis(text);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
  });
}

// A criterion value in the canonical text ConditionMatches expects, or an error detail.
StatusOr<std::string> NormalizeValue(AttributeKind kind, std::string_view value,
                                     const std::string& operator_path) {
  switch (kind) {
    case AttributeKind::kString:
      return std::string(value);
    case AttributeKind::kBoolean:
      if (EqualsIgnoringCase(value, "true")) return std::string("true");
      if (EqualsIgnoringCase(value, "false")) return std::string("false");
      return InvalidParameter(operator_path,
                              "'" + std::string(value) + "' is not a boolean (true or false).");
    case AttributeKind::kNumber:
      if (!ParseNumber(value)) {
        return InvalidParameter(operator_path, "'" + std::string(value) + "' is not a number.");
      }
      return std::string(value);
    case AttributeKind::kTimestamp:
      if (std::optional<int64_t> millis = ParseTimestamp(value)) return std::to_string(*millis);
      return InvalidParameter(
          operator_path,
          "'" + std::string(value) + "' is neither epoch milliseconds nor an ISO-8601 time.");
  }
  return std::string(value);
}

Status ParseValueList(const CriterionAttribute& attribute, const json::value& list,
                      const std::string& operator_path, std::vector<std::string>& values) {
  if (!list.is_array()) return InvalidParameter(operator_path, "expected a list of strings.");
  const json::array& elements = list.get_array();
  if (elements.size() > kMaxConditionValues) {
    return InvalidParameter(operator_path, "at most 50 values are allowed.");
  }
  for (const json::value& element : elements) {
    if (!element.is_string()) return InvalidParameter(operator_path, "expected a list of strings.");
    VIGIL_ASSIGN_OR_RETURN(std::string value,
                           NormalizeValue(attribute.kind, element.get_string(), operator_path));
    // eq and equals both given: one list, each value once.
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      values.push_back(std::move(value));
    }
  }
  return Status::Ok();
}

// Both spellings of a bound given: keep the stricter, which is what requiring both means.
void MergeBound(std::optional<int64_t>& bound, int64_t value, bool keep_larger) {
  if (!bound || (keep_larger ? value > *bound : value < *bound)) bound = value;
}

StatusOr<Condition> ParseCondition(const CriterionAttribute& attribute, const json::value& input,
                                   const std::string& path) {
  const json::object* operators = input.if_object();
  if (operators == nullptr || operators->empty()) {
    return InvalidParameter(path, "a condition must be an object with at least one operator.");
  }
  Condition condition;
  condition.attribute = &attribute;
  for (const auto& member : *operators) {
    const OperatorSpelling* spelling = FindOperator(member.key());
    if (spelling == nullptr) {
      return InvalidParameter(path,
                              "unknown condition operator '" + std::string(member.key()) + "'.");
    }
    const std::string operator_path = path + "." + std::string(member.key());
    if (spelling->op == Operator::kEquals || spelling->op == Operator::kNotEquals) {
      VIGIL_RETURN_IF_ERROR(ParseValueList(
          attribute, member.value(), operator_path,
          spelling->op == Operator::kEquals ? condition.equals : condition.not_equals));
      continue;
    }
    if (!member.value().is_int64()) return InvalidParameter(operator_path, "expected an integer.");
    const int64_t bound = member.value().get_int64();
    switch (spelling->op) {
      case Operator::kGreaterThan:
        MergeBound(condition.greater_than, bound, /*keep_larger=*/true);
        break;
      case Operator::kGreaterThanOrEqual:
        MergeBound(condition.greater_than_or_equal, bound, /*keep_larger=*/true);
        break;
      case Operator::kLessThan:
        MergeBound(condition.less_than, bound, /*keep_larger=*/false);
        break;
      case Operator::kLessThanOrEqual:
        MergeBound(condition.less_than_or_equal, bound, /*keep_larger=*/false);
        break;
      case Operator::kEquals:
      case Operator::kNotEquals:
        break;
    }
  }
  return condition;
}

// ---- Evaluation ----
//
// Numbers and timestamps compare as doubles: epoch milliseconds stay exact up to 2^53
// (the year 285616), and GuardDuty's severities and ports are small.

// Does one finding value equal one criterion value?
bool ValueEquals(AttributeKind kind, std::string_view value, std::optional<double> number,
                 std::string_view criterion) {
  switch (kind) {
    case AttributeKind::kString:
      return value == criterion;
    case AttributeKind::kBoolean:
      return EqualsIgnoringCase(value, criterion);
    case AttributeKind::kNumber: {
      if (!number) return false;
      const std::optional<double> wanted = ParseNumber(criterion);
      if (!wanted) return false;
      // An integral criterion names the whole unit: severity "8" matches 8.0 through 8.9.
      if (std::floor(*wanted) == *wanted) return *number >= *wanted && *number < *wanted + 1;
      return *number == *wanted;
    }
    case AttributeKind::kTimestamp: {
      if (!number) return false;
      const std::optional<int64_t> wanted = ParseTimestamp(criterion);
      return wanted && *number == static_cast<double>(*wanted);
    }
  }
  return false;
}

bool EqualsAny(AttributeKind kind, std::string_view value, std::optional<double> number,
               const std::vector<std::string>& criteria) {
  for (const std::string& criterion : criteria) {
    if (ValueEquals(kind, value, number, criterion)) return true;
  }
  return false;
}

bool HasBounds(const Condition& condition) {
  return condition.greater_than || condition.greater_than_or_equal || condition.less_than ||
         condition.less_than_or_equal;
}

bool WithinBounds(double number, const Condition& condition) {
  const auto as_double = [](int64_t bound) { return static_cast<double>(bound); };
  return (!condition.greater_than || number > as_double(*condition.greater_than)) &&
         (!condition.greater_than_or_equal ||
          number >= as_double(*condition.greater_than_or_equal)) &&
         (!condition.less_than || number < as_double(*condition.less_than)) &&
         (!condition.less_than_or_equal || number <= as_double(*condition.less_than_or_equal));
}

// What one pass over an attribute's values has established. The visitor captures only a
// pointer to this, so std::function keeps it inline instead of allocating.
struct Evaluation {
  const Condition* condition = nullptr;
  AttributeKind kind = AttributeKind::kString;
  bool needs_number = false;
  bool has_bounds = false;
  bool equals_satisfied = false;  // some value equals a criterion value (or no equals)
  bool bounds_satisfied = false;  // some value lies within every bound (or no bounds)
  bool not_equals_violated = false;
};

bool VisitValue(Evaluation& state, std::string_view value) {
  const Condition& condition = *state.condition;
  std::optional<double> number;
  if (state.needs_number) number = ParseNumber(value);
  if (!state.equals_satisfied && EqualsAny(state.kind, value, number, condition.equals)) {
    state.equals_satisfied = true;
  }
  if (!condition.not_equals.empty() && EqualsAny(state.kind, value, number, condition.not_equals)) {
    state.not_equals_violated = true;
    return false;
  }
  // Bounds apply to one value at a time: ports [22, 8080] are not "between 100 and 1000".
  if (!state.bounds_satisfied && number && WithinBounds(*number, condition)) {
    state.bounds_satisfied = true;
  }
  // Keep going only while a later value could still change the outcome.
  return !(state.equals_satisfied && state.bounds_satisfied && condition.not_equals.empty());
}

}  // namespace

bool ConditionMatches(const Condition& condition, const FindingProjection& projection) {
  Evaluation state;
  state.condition = &condition;
  state.kind = condition.attribute ? condition.attribute->kind : AttributeKind::kString;
  state.has_bounds = HasBounds(condition);
  state.equals_satisfied = condition.equals.empty();
  state.bounds_satisfied = !state.has_bounds;
  if (state.equals_satisfied && state.bounds_satisfied && condition.not_equals.empty()) {
    return true;
  }
  state.needs_number = state.has_bounds || state.kind == AttributeKind::kNumber ||
                       state.kind == AttributeKind::kTimestamp;
  // Id 0 is never stored, so a condition without an attribute sees a missing attribute.
  const uint16_t id = condition.attribute ? condition.attribute->id : 0;
  Evaluation* evaluation = &state;
  projection.ForEachValue(
      id, [evaluation](std::string_view value) { return VisitValue(*evaluation, value); });
  return !state.not_equals_violated && state.equals_satisfied && state.bounds_satisfied;
}

StatusOr<FindingCriteria> FindingCriteria::Parse(const json::object& criteria,
                                                 std::string_view parameter) {
  const std::string base(parameter);
  for (const auto& member : criteria) {
    if (member.key() != "criterion") {
      return InvalidParameter(base, "unknown member '" + std::string(member.key()) + "'.");
    }
  }
  FindingCriteria result;
  const json::value* criterion = criteria.if_contains("criterion");
  if (criterion == nullptr || criterion->is_null()) return result;
  const json::object* attributes = criterion->if_object();
  if (attributes == nullptr) return InvalidParameter(base + ".criterion", "expected an object.");
  if (attributes->size() > kMaxCriterionAttributes) {
    return InvalidParameter(base + ".criterion", "at most 50 attributes are allowed.");
  }
  result.conditions_.reserve(attributes->size());
  for (const auto& member : *attributes) {
    const std::string path = base + ".criterion." + std::string(member.key());
    const CriterionAttribute* attribute = FindCriterionAttribute(member.key());
    if (attribute == nullptr) {
      return InvalidParameter(path, "unknown attribute '" + std::string(member.key()) + "'.");
    }
    VIGIL_ASSIGN_OR_RETURN(Condition condition, ParseCondition(*attribute, member.value(), path));
    result.conditions_.push_back(std::move(condition));
  }
  return result;
}

bool FindingCriteria::Matches(const FindingProjection& projection) const {
  for (const Condition& condition : conditions_) {
    if (!ConditionMatches(condition, projection)) return false;
  }
  return true;
}

}  // namespace vigil
