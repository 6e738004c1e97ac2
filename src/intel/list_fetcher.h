// Fetching list files from the locations GuardDuty accepts: file:///abs/path,
// http(s):// URLs, and S3 — s3://bucket/key and the https forms
// (https://s3.amazonaws.com/bucket/key, https://s3-REGION.amazonaws.com/bucket/key,
// https://bucket.s3.amazonaws.com/key, https://bucket.s3[-.]REGION.amazonaws.com/key).
// S3 objects are read from --s3-root (bucket = sub-folder) or from an S3-compatible
// --s3-endpoint with SigV4 signing from the standard AWS credential environment.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "intel/list_locations.h"

namespace vigil {

struct FetchOptions {
  std::string s3_root;      // a folder whose sub-folders are buckets
  std::string s3_endpoint;  // e.g. http://127.0.0.1:9000 (path-style requests)
  std::string s3_region = "us-east-1";
  size_t max_bytes = 35 * 1000 * 1000;  // GuardDuty's 35 MB per list file
  std::chrono::seconds timeout{30};
  // Where lists may be read from; a restricted policy also turns off HTTP redirects.
  ListLocationPolicy locations;
  // When set and true, a fetch in progress gives up within about a second (shutdown).
  const std::atomic_bool* cancel = nullptr;
};

// An S3 object named by a location.
struct S3Object {
  std::string bucket;
  std::string key;
  std::string region;  // when the location names one
};

// The bucket and key when `location` is one of the S3 forms above.
std::optional<S3Object> ParseS3Location(std::string_view location);

// Reads the whole list file at `location`. Errors (as text a user can act on): an
// unsupported scheme, a missing file, an HTTP error status, a timeout, a file over
// max_bytes, an S3 location with neither s3_root nor s3_endpoint configured, or a
// location outside options.locations.
StatusOr<std::string> FetchList(std::string_view location, const FetchOptions& options);

}  // namespace vigil
