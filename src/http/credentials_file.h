// The credentials file of `vigil serve --auth sigv4 --credentials FILE`: the access keys
// that may sign requests, their secrets, and the account each acts as. JSON or TOML:
//
//   {"principals": [{"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "...",
//                    "accountId": "111122223333"}]}
//
//   [[principals]]
//   access_key_id = "AKIAEXAMPLE"
//   secret_access_key = "..."
//   account_id = "111122223333"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::http {

// One access key and the account its requests act as.
struct Principal {
  std::string access_key_id;      // 1-128 letters, digits or '_'
  std::string secret_access_key;  // never logged
  std::string account_id;         // 12 digits
};

enum class CredentialsFormat { kJson, kToml };

// Reads the credentials file at `path`: JSON when its name ends in ".json" or its first
// non-blank character is '{', TOML otherwise. Strict: unknown keys, missing or malformed
// fields, duplicate access keys and an empty list are errors. Errors: InvalidInput
// "PATH:LINE: what is wrong" (no line when the file cannot be read at all).
StatusOr<std::vector<Principal>> LoadCredentialsFile(const std::string& path);

// Parses credentials already read; `name` stands for the file in error messages.
StatusOr<std::vector<Principal>> ParseCredentials(std::string_view text, CredentialsFormat format,
                                                  std::string_view name);

}  // namespace vigil::http
