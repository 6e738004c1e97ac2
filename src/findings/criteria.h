// FindingCriteria: GuardDuty's finding query language, parsed, validated and evaluated.
//
//   {"criterion": {"severity": {"gte": 7}, "type": {"eq": ["Recon:EC2/Portscan"]}}}
//
// Attributes combine with AND; the values of one operator with OR. Through lists
// (networkInterfaces, tags, securityGroups...) a condition matches when any element
// does. Deprecated operators (eq, neq, gt, gte, lt, lte) and current ones (equals,
// notEquals, greaterThan, greaterThanOrEqual, lessThan, lessThanOrEqual) mean the same.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "findings/projection.h"

namespace vigil {

// One attribute's condition, operators merged from both spellings.
struct Condition {
  const CriterionAttribute* attribute = nullptr;
  std::vector<std::string> equals;      // matches when some value equals one of these
  std::vector<std::string> not_equals;  // matches when no value equals any of these
  std::optional<int64_t> greater_than;
  std::optional<int64_t> greater_than_or_equal;
  std::optional<int64_t> less_than;
  std::optional<int64_t> less_than_or_equal;
};

// Does the finding described by `projection` satisfy `condition`?
//  - strings and booleans: exact text equality ("true"/"false" for booleans);
//  - numbers: numeric equality, where an integral criterion value n also matches any
//    value in [n, n+1) (so severity eq ["7","8"] is GuardDuty's "High");
//  - timestamps: criterion values are epoch milliseconds (an ISO-8601 string in
//    equals/notEquals is accepted too);
//  - comparisons need a numeric (or timestamp) value; a finding without the attribute
//    fails equals and comparisons and passes notEquals.
bool ConditionMatches(const Condition& condition, const FindingProjection& projection);

class FindingCriteria {
 public:
  FindingCriteria() = default;

  // Parses a FindingCriteria object. InvalidInput naming `parameter` and the attribute
  // for an unknown attribute or operator, a value of the wrong type, more than 50
  // attributes, or more than 50 values in one list. An absent or empty criterion is
  // valid and matches everything.
  static StatusOr<FindingCriteria> Parse(const boost::json::object& criteria,
                                         std::string_view parameter);

  const std::vector<Condition>& conditions() const { return conditions_; }
  bool empty() const { return conditions_.empty(); }

  // True when every condition matches.
  bool Matches(const FindingProjection& projection) const;

 private:
  std::vector<Condition> conditions_;
};

}  // namespace vigil
