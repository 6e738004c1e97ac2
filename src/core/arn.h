// GuardDuty ARNs: arn:PARTITION:guardduty:REGION:ACCOUNT:detector/ID[/KIND/CHILD].
//
// Children are nested under their detector (".../detector/ID/filter/NAME"), as in
// GuardDuty, so one detector id scopes everything below it.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

enum class ResourceKind { kDetector, kFilter, kIpSet, kThreatIntelSet, kFinding };

// The parts of a GuardDuty ARN. `child` is empty for a detector.
struct ResourceName {
  std::string partition;
  std::string region;
  std::string account;
  std::string detector_id;
  ResourceKind kind = ResourceKind::kDetector;
  std::string child;
};

// "aws", or "aws-cn" / "aws-us-gov" for regions in those partitions.
std::string PartitionForRegion(std::string_view region);

// The path word GuardDuty uses for a child kind ("filter", "ipset", ...).
std::string_view KindPathWord(ResourceKind kind);

// Formats the ARN of `name`.
std::string FormatArn(const ResourceName& name);

// Convenience for a detector's own ARN.
std::string DetectorArn(std::string_view region, std::string_view account,
                        std::string_view detector_id);

// Parses a GuardDuty ARN. InvalidInput naming `parameter` when it is not one.
StatusOr<ResourceName> ParseArn(std::string_view arn, std::string_view parameter);

}  // namespace vigil
