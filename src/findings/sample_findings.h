// GuardDuty's generated sample findings (CreateSampleFindings): a complete Finding of a
// catalogue type filled with GuardDuty's placeholder values ("GeneratedFinding...",
// i-99999999, 198.51.100.0), and service.additionalInfo marking it as a sample.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "findings/finding_types.h"

namespace vigil {

// Where a finding lives and when it is made.
struct FindingOrigin {
  std::string account;
  std::string region;
  std::string detector_id;
  std::string finding_id;  // 32 lowercase hex
  int64_t now_millis = 0;  // createdAt, updatedAt, eventFirstSeen and eventLastSeen
};

// The sample finding of `type`: the full Finding shape (lowerCamel), with id/arn from
// `origin`, schemaVersion "2.0", partition for the region, severity/title/description/
// resource/action/resourceRole from the catalogue row, service.count 1, archived false,
// serviceName "guardduty", featureName, and service.additionalInfo
// {"value": "{\"sample\":true}", "type": "default"}. ".Custom" types also carry
// threatListName in additionalInfo and service.evidence.threatIntelligenceDetails.
boost::json::object BuildSampleFinding(const FindingTypeInfo& type, const FindingOrigin& origin);

}  // namespace vigil
