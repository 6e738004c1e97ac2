// The catalogue of finding types Vigil can produce: one table in code, shared by
// CreateSampleFindings and the detection engine. Each row gives GuardDuty's exact type
// string, its default severity, the resource and action it describes, and the title
// and description templates.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

struct FindingTypeInfo {
  std::string_view type;           // e.g. "UnauthorizedAccess:EC2/SSHBruteForce"
  double severity = 0;             // default: Low 2, Medium 5, High 8 (GuardDuty's samples)
  std::string_view resource_type;  // "Instance", "AccessKey" or "S3Bucket"
  std::string_view
      action_type;  // "NETWORK_CONNECTION", "PORT_PROBE", "DNS_REQUEST", "AWS_API_CALL"
  std::string_view feature_name;   // "FlowLogs", "CloudTrail", "DnsLogs" or "S3DataEvents"
  std::string_view resource_role;  // "TARGET" or "ACTOR"
  // Templates with {placeholders}: {remoteIp}, {instanceId}, {accessKeyId}, {userName},
  // {api}, {serviceName}, {domain}, {port}, {threatListName}, {bucketName}.
  std::string_view title;
  std::string_view description;
};

// Every type, in catalogue order.
std::span<const FindingTypeInfo> FindingTypes();

// The row for `type`, or nullptr when Vigil does not produce it.
const FindingTypeInfo* FindFindingType(std::string_view type);

// Replaces each {name} in `text` with values.at(name); unknown placeholders stay as written.
std::string RenderTemplate(std::string_view text, const std::map<std::string, std::string>& values);

}  // namespace vigil
