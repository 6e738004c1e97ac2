// GuardDuty's validation rules that are more than a type and a length: names, tags,
// and list locations. Each failure is an InvalidInput
// status whose message names the parameter.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/json_input.h"
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

// Reads member `name` of `in` as a GuardDuty TagMap, validated with ValidateTags; a
// problem is recorded in `in`.
std::optional<Tags> ReadTags(JsonReader& in, std::string_view name, Presence presence);

// True when `location` is an absolute URI (RFC 3986) such as s3://bucket/key,
// https://s3.amazonaws.com/bucket/key or file:///path.
bool IsUri(std::string_view location);

}  // namespace vigil::api
