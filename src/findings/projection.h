// FindingProjection: the values of every FindingCriteria attribute a finding has,
// extracted once when the finding is written and stored beside it, so criteria are
// evaluated without parsing the finding's JSON (a scan of a million findings reads
// a few hundred bytes per finding instead of a few kilobytes).
//
// Values are text: strings as they are, numbers in shortest form ("8", "5.5"),
// booleans "true"/"false", timestamps as epoch milliseconds ("1516744412815").
// A list-valued path (networkInterfaces, tags, securityGroups...) yields one value
// per element. The encoding is private to this file's implementation.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

enum class AttributeKind {
  kString,
  kNumber,     // compared as numbers
  kBoolean,    // "true" / "false"
  kTimestamp,  // ISO-8601 string in the finding, epoch milliseconds in criteria
};

// A FindingCriteria attribute: a dotted lowerCamel path into the Finding. `id` is
// stable across versions (the stored projection uses it): append, never renumber.
struct CriterionAttribute {
  std::string_view path;
  uint16_t id = 0;
  AttributeKind kind = AttributeKind::kString;
};

// Every attribute FindingCriteria may name (reference/guardduty-api.md 7b and
// reference/guardduty-detection.md section 4, including the other protection plans' fields).
std::span<const CriterionAttribute> CriterionAttributes();

// The attribute at `path`, or nullptr when FindingCriteria does not allow it.
const CriterionAttribute* FindCriterionAttribute(std::string_view path);

// Read-only view of an encoded projection. Borrows the encoded bytes.
class FindingProjection {
 public:
  // Extracts every catalogue attribute present in `finding` and encodes them.
  static std::string Encode(const boost::json::object& finding);

  explicit FindingProjection(std::string_view encoded) : encoded_(encoded) {}

  // Calls `visit` with each value of attribute `id`, in document order; stops early
  // when `visit` returns false.
  void ForEachValue(uint16_t id, const std::function<bool(std::string_view)>& visit) const;
  // The first value of attribute `id`, if any.
  std::optional<std::string_view> FirstValue(uint16_t id) const;

 private:
  std::string_view encoded_;
};

}  // namespace vigil
