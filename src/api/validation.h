// GuardDuty's validation rules that are more than a type and a length: names, tags,
// list locations and the shape of FindingCriteria. Each failure is an InvalidInput
// status whose message names the parameter.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/status.h"
#include "store/records.h"

namespace vigil::api {

inline constexpr size_t kMaxTagsPerResource = 50;

// Filter names: 3-64 characters of [A-Za-z0-9._-].
Status ValidateFilterName(std::string_view name, std::string_view parameter);

// Tag keys: 1-128 characters matching ^(?!aws:)[a-zA-Z+-=._:/]+$ (the model's pattern,
// where "+-=" is the character range '+'..'=' and so admits digits); values ≤ 256.
Status ValidateTagKey(std::string_view key, std::string_view parameter);
// 1-50 tags (the model's TagMap has at least one), each key and value valid.
Status ValidateTags(const Tags& tags, std::string_view parameter);

// True when `location` is an absolute URI (RFC 3986) such as s3://bucket/key,
// https://s3.amazonaws.com/bucket/key or file:///path.
bool IsUri(std::string_view location);

// Checks the structure of a FindingCriteria object: {"criterion": {attribute: Condition}}
// with known Condition operators, string lists for (not)equals, integers for comparisons.
Status ValidateFindingCriteria(const boost::json::object& criteria, std::string_view parameter);

}  // namespace vigil::api
