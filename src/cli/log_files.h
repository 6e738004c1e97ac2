// Which files the log commands (`vigil scan`, `vigil ingest`) read: the files a user
// names (always taken), and under the directories a user names, walked recursively, the
// files that hold the source's logs (detect/log_paths.h: in an AWSLogs/ tree only the
// source's service folder, never CloudTrail-Digest), so one AWSLogs/ tree serves every
// source.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "detect/log_paths.h"

namespace vigil {

struct LogFiles {
  // In the order of the paths given; each directory's files sorted by path.
  std::vector<std::filesystem::path> files;
  // The paths that are neither a regular file nor a directory (missing, unreadable).
  std::vector<std::string> unreadable;
};

// Collects the log files of `source` among `paths` (files or directories); in
// directories, the files IsLogFileOf (detect/log_paths.h) takes.
LogFiles FindLogFiles(const std::vector<std::string>& paths, LogSource source);

}  // namespace vigil
