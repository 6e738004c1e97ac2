// What libcurl needs to sign an S3 request with SigV4 (CURLOPT_AWS_SIGV4), taken from
// the standard AWS credential environment. Shared by list fetching (GET) and finding
// exports (PUT) against an S3-compatible --s3-endpoint.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

struct S3Signing {
  std::string provider;      // CURLOPT_AWS_SIGV4: "aws:amz:REGION:s3"
  std::string credentials;   // CURLOPT_USERPWD: "KEY:SECRET"
  std::string token_header;  // "x-amz-security-token: ..." or "" without a session token
};

// From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. InvalidInput
// saying what `purpose` (e.g. "reading from --s3-endpoint") needs when a variable is unset.
StatusOr<S3Signing> S3SigningFromEnvironment(const std::string& region, std::string_view purpose);

}  // namespace vigil
