// `vigil ingest`: sends log files to a running Vigil server, several at a time, and
// reports what the server made of them. Each file is one POST
// /_vigil/ingest/{detectorId}/{source}, sent whole (gzip files as they are), SigV4-signed
// with the caller's AWS credentials so the findings land in the caller's account.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct IngestOptions {
  std::string endpoint;  // http(s)://host:port of `vigil serve`
  std::string detector_id;
  std::string source;  // flowlogs, cloudtrail or dns
  std::string region = "us-east-1";
  size_t parallel = 4;             // files in flight at once
  bool sign = true;                // false: no Authorization header (--no-sign)
  std::vector<std::string> paths;  // files or directories (walked recursively)
};

// Returns the process exit code: 0 when every file was ingested, 1 when any failed, 2
// for bad options (an unknown source, an endpoint that is not http(s), paths without
// log files, no credentials to sign with). Progress goes to stderr: one updating line on
// a terminal, otherwise one line per file; then a summary.
int RunIngest(const IngestOptions& options);

}  // namespace vigil
