// Who sent a request, read from its SigV4 Authorization header without verifying it
// (the default `--auth none` mode): the credential scope names the access key and region.
#pragma once

#include <string>
#include <string_view>

namespace vigil::http {

struct IdentityDefaults {
  std::string account = "123456789012";
  std::string region = "us-east-1";
};

struct Identity {
  std::string access_key_id;  // empty when the request had no Authorization header
  std::string account;
  std::string region;
};

// Parses "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...".
// An access key id of exactly 12 digits is the account; otherwise the default account.
// Without a parsable credential scope the default region applies.
Identity IdentityFromAuthorization(std::string_view authorization,
                                   const IdentityDefaults& defaults);

}  // namespace vigil::http
