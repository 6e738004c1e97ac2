// Which files the log commands (`vigil scan`, `vigil ingest`) read: the files a user
// names, and the files under the directories a user names, walked recursively.
//
// Directories are often S3 log buckets copied to disk, where AWS lays logs out as
//   AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/...
//   AWSLogs/[o-ORG/]ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/...
//   AWSLogs/[o-ORG/]ACCOUNT/vpcdnsquerylogs/VPC/YYYY/MM/DD/...
// next to CloudTrail-Digest (signatures) and other services' folders. Inside that layout
// only the folder of the source being read is taken, so one AWSLogs/ tree serves every
// source. Files named explicitly are always taken.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "detect/detection_engine.h"

namespace vigil {

struct LogFiles {
  // In the order of the paths given; each directory's files sorted by path.
  std::vector<std::filesystem::path> files;
  // The paths that are neither a regular file nor a directory (missing, unreadable).
  std::vector<std::string> unreadable;
};

// Collects the log files of `source` among `paths` (files or directories).
LogFiles FindLogFiles(const std::vector<std::string>& paths, LogSource source);

// Whether a file found while walking a directory holds logs of `source`: false for
// CloudTrail-Digest files and for files in another service's folder of an AWSLogs/
// layout; true for files outside that layout. Looks at the path only.
bool IsLogFileOf(const std::filesystem::path& file, LogSource source);

}  // namespace vigil
