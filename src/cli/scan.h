// `vigil scan`: the detection engine offline, for a pile of logs and no server. Runs
// the same parsers, rules, threat lists and aggregation in process (on an in-memory
// store) and prints the findings.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct ScanOptions {
  std::string source;  // flowlogs, cloudtrail or dns
  std::vector<std::string> threat_lists;
  std::vector<std::string> trusted_lists;
  std::string list_format = "TXT";
  std::string flowlog_format;
  std::string aws_ip_ranges;       // ip-ranges.json; "" leaves the OutsideAWS rule off
  std::string output = "json";     // json (JSON lines) or table
  std::vector<std::string> paths;  // files or directories (walked recursively)
};

// Returns the process exit code: 0 when every file was read, 1 otherwise, 2 for bad
// options or lists.
int RunScan(const ScanOptions& options);

}  // namespace vigil
