// UsageTally: what one ingested batch adds to its detector's usage counters (the figures
// GetUsageStatistics answers with): bytes of log text analyzed, records parsed, and
// records per resource. The resource of a record is what GuardDuty's usage names for
// that data source, as far as the log says:
//   flow logs   the instance (instance-id), else the network interface (interface-id)
//   CloudTrail  the access key (accessKeyId), else the principal's ARN, else principalId
//   DNS logs    the instance (srcids.instance), else the VPC (vpc_id)
// Records naming none count toward their data source only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "detect/text_hash.h"
#include "ingest/records.h"
#include "store/usage_records.h"

namespace vigil {

enum class LogSource;

// FLOW_LOGS, CLOUD_TRAIL or DNS_LOGS: the model's DataSource of a log source.
std::string_view UsageDataSource(LogSource source);

class UsageTally {
 public:
  UsageTally() = default;
  // Not copyable: the last-resource shortcut points into this tally's own map.
  UsageTally(const UsageTally&) = delete;
  UsageTally& operator=(const UsageTally&) = delete;

  void AddBytes(size_t bytes) { bytes_ += static_cast<int64_t>(bytes); }
  void Add(std::span<const FlowRecord> records);
  void Add(std::span<const CloudTrailEvent> events);
  void Add(std::span<const DnsQuery> queries);

  // The batch to record for `detector_id`, `source` and `day`.
  UsageBatch ToBatch(const std::string& detector_id, LogSource source, int64_t day) const;

 private:
  void AddRecord(std::string_view resource);

  int64_t bytes_ = 0;
  int64_t records_ = 0;
  std::unordered_map<std::string, int64_t, TextHash, std::equal_to<>> by_resource_;
  // The last resource counted (its key in by_resource_, whose nodes do not move): logs
  // often hold runs of one resource's records, which then cost no hash lookup.
  std::string_view last_resource_;
  int64_t* last_count_ = nullptr;
};

}  // namespace vigil
