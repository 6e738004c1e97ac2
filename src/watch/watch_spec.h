// What `vigil serve --watch SOURCE=DIR[:DETECTOR_ID]` names, and which files under a
// watched folder are logs. Pure functions over text; FolderWatcher does the I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "detect/detection_engine.h"

namespace vigil {

struct WatchSpec {
  LogSource source = LogSource::kFlowLogs;
  std::string directory;    // as written; made absolute before watching
  std::string detector_id;  // empty: the detector of the server's default account and region
};

// Parses "SOURCE=DIR[:DETECTOR_ID]", SOURCE one of flowlogs, cloudtrail, dns. Text after
// the last ':' is a detector id (32 lowercase hex) unless it contains a '/', so
// directories with a ':' in their last component need the detector id spelled out.
// InvalidInput with a message saying what is wrong.
StatusOr<WatchSpec> ParseWatchSpec(std::string_view text);

// The entries of VIGIL_WATCH: separated by commas or newlines, trimmed, blanks dropped.
std::vector<std::string> SplitWatchList(std::string_view text);

// InvalidInput when one folder is inside (or is) another: a file would be read twice.
// The directories must be absolute and normalized.
Status CheckDistinctFolders(const std::vector<WatchSpec>& specs);

// Whether a path relative to a watched folder is to be left alone: anything under a
// CloudTrail-Digest directory (signatures of log files, not events), hidden names
// ('.' first; uploaders such as rsync write their temporary files so) and names
// ending ".tmp" or ".partial" (files still being written under another name).
bool IsSkippedPath(std::string_view relative_path);

// "flowlogs", "cloudtrail" or "dns", as in ParseLogSource.
std::string_view LogSourceName(LogSource source);

}  // namespace vigil
