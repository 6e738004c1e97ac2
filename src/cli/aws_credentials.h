// AWS credentials for Vigil's clients, found where the AWS CLI and SDKs look first: the
// standard environment variables, then a profile of the shared credentials file. (No
// SSO, assume-role or instance metadata: point Vigil at exported credentials for those.)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

// Looks up one environment variable; nullopt when it is unset. Injected so tests do not
// depend on (or change) the process environment.
using Environment = std::function<std::optional<std::string>(const char* name)>;

// The process environment (getenv).
Environment ProcessEnvironment();

// Reads section `[profile]` of a shared credentials file (INI: "[name]" headers,
// "key = value" lines, '#' and ';' comment lines) for aws_access_key_id,
// aws_secret_access_key and aws_session_token. nullopt when there is no such section;
// keys missing from the section are left empty.
std::optional<AwsCredentials> ParseCredentialsFile(std::string_view text, std::string_view profile);

// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN) when set; else
// the profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE (default
// $HOME/.aws/credentials). Errors name what was missing and where Vigil looked.
StatusOr<AwsCredentials> FindAwsCredentials(const Environment& environment);

}  // namespace vigil
