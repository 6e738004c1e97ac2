// Which files hold logs of a source, by their path. Folders are often S3 log buckets
// copied to disk, where AWS lays logs out as
//   AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/...
//   AWSLogs/[o-ORG/]ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/...
//   AWSLogs/[o-ORG/]ACCOUNT/vpcdnsquerylogs/VPC/YYYY/MM/DD/...
// next to CloudTrail-Digest (signatures) and other services' folders. Used by the log
// commands (`vigil scan`, `vigil ingest`) and by watched folders.
#pragma once

#include <filesystem>

#include "detect/detection_engine.h"

namespace vigil {

// Whether a file found in a folder holds logs of `source`: false for CloudTrail-Digest
// files and for files in another service's folder of an AWSLogs/ layout; true for files
// outside that layout. Looks at the path only.
bool IsLogFileOf(const std::filesystem::path& file, LogSource source);

}  // namespace vigil
