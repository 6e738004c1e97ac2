#include "core/arn.h"

#include <array>
#include <utility>
#include <vector>

namespace vigil {

namespace {

constexpr std::array<std::pair<ResourceKind, std::string_view>, 4> kChildKinds = {{
    {ResourceKind::kFilter, "filter"},
    {ResourceKind::kIpSet, "ipset"},
    {ResourceKind::kThreatIntelSet, "threatintelset"},
    {ResourceKind::kFinding, "finding"},
}};

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string PartitionForRegion(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

std::string_view KindPathWord(ResourceKind kind) {
  for (const auto& [candidate, word] : kChildKinds) {
    if (candidate == kind) return word;
  }
  return "detector";
}

std::string FormatArn(const ResourceName& name) {
  std::string arn = "arn:" + name.partition + ":guardduty:" + name.region + ":" + name.account +
                    ":detector/" + name.detector_id;
  if (name.kind != ResourceKind::kDetector) {
    arn += "/";
    arn += KindPathWord(name.kind);
    arn += "/";
    arn += name.child;
  }
  return arn;
}

std::string DetectorArn(std::string_view region, std::string_view account,
                        std::string_view detector_id) {
  return FormatArn(ResourceName{PartitionForRegion(region), std::string(region),
                                std::string(account), std::string(detector_id),
                                ResourceKind::kDetector, ""});
}

StatusOr<ResourceName> ParseArn(std::string_view arn, std::string_view parameter) {
  const auto invalid = [&] {
    return Status::InvalidInput("The request is rejected because the parameter " +
                                std::string(parameter) + " has an invalid value: '" +
                                std::string(arn.substr(0, 300)) + "' is not a GuardDuty ARN.");
  };
  // arn:partition:guardduty:region:account:resource — the resource may contain ':' only
  // inside a filter name, which GuardDuty forbids, so a plain split is exact.
  const std::vector<std::string_view> fields = Split(arn, ':');
  if (fields.size() != 6 || fields[0] != "arn" || fields[1].empty() || fields[2] != "guardduty" ||
      fields[3].empty() || !AllDigits(fields[4])) {
    return invalid();
  }
  const std::vector<std::string_view> path = Split(fields[5], '/');
  if ((path.size() != 2 && path.size() != 4) || path[0] != "detector" || path[1].empty()) {
    return invalid();
  }
  ResourceName name{std::string(fields[1]), std::string(fields[3]),  std::string(fields[4]),
                    std::string(path[1]),   ResourceKind::kDetector, ""};
  if (path.size() == 4) {
    bool known = false;
    for (const auto& [kind, word] : kChildKinds) {
      if (path[2] == word) {
        name.kind = kind;
        known = true;
      }
    }
    if (!known || path[3].empty()) return invalid();
    name.child = std::string(path[3]);
  }
  return name;
}

}  // namespace vigil
