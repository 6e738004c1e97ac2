// Plain value types for Vigil's usage counters: what each detector ingested, per day,
// data source and resource (GetUsageStatistics reads them).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

// Days are counted from the Unix epoch (UTC): epoch milliseconds / 86,400,000.
inline int64_t UsageDay(int64_t epoch_millis) { return epoch_millis / 86'400'000; }

// What one ingested batch adds to a detector's counters for `day`.
struct UsageBatch {
  std::string detector_id;
  int64_t day = 0;
  std::string data_source;  // the model's DataSource: FLOW_LOGS, CLOUD_TRAIL, DNS_LOGS
  int64_t bytes = 0;        // log text analyzed (after decompression)
  int64_t records = 0;      // records parsed
  // Records per resource (instance, network interface, access key...); records that
  // name no resource are in `records` only.
  std::vector<std::pair<std::string, int64_t>> resource_records;
};

// A detector's counters for one data source and resource, summed over a range of days.
// `resource` is "" for the data source's totals (bytes and records); rows naming a
// resource count records only (bytes is 0: a record's share of the text is not kept).
struct UsageRow {
  std::string detector_id;
  std::string data_source;
  std::string resource;
  int64_t records = 0;
  int64_t bytes = 0;
};

}  // namespace vigil
