#include "cli/aws_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vigil {

namespace {

std::string_view Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// An unset and an empty variable mean the same: AWS tools treat `KEY=` as not set.
std::optional<std::string> NonEmpty(const Environment& environment, const char* name) {
  std::optional<std::string> value = environment(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace

Environment ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<AwsCredentials> ParseCredentialsFile(std::string_view text,
                                                   std::string_view profile) {
  std::optional<AwsCredentials> found;
  bool in_profile = false;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = Trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = Trim(line.substr(1, line.size() - 2)) == profile;
      if (in_profile && !found) found.emplace();
      continue;
    }
    const size_t equals = line.find('=');
    if (!in_profile || equals == std::string_view::npos) continue;
    const std::string_view key = Trim(line.substr(0, equals));
    const std::string value(Trim(line.substr(equals + 1)));
    if (key == "aws_access_key_id") found->access_key_id = value;
    if (key == "aws_secret_access_key") found->secret_access_key = value;
    if (key == "aws_session_token") found->session_token = value;
  }
  return found;
}

StatusOr<AwsCredentials> FindAwsCredentials(const Environment& environment) {
  const std::optional<std::string> key = NonEmpty(environment, "AWS_ACCESS_KEY_ID");
  const std::optional<std::string> secret = NonEmpty(environment, "AWS_SECRET_ACCESS_KEY");
  if (key || secret) {
    if (!key || !secret) {
      return Status::InvalidInput(
          std::string(key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is set but " +
          (key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not");
    }
    return AwsCredentials{*key, *secret, NonEmpty(environment, "AWS_SESSION_TOKEN").value_or("")};
  }

  const std::string profile = NonEmpty(environment, "AWS_PROFILE").value_or("default");
  std::string path;
  if (auto file = NonEmpty(environment, "AWS_SHARED_CREDENTIALS_FILE")) {
    path = *file;
  } else if (auto home = NonEmpty(environment, "HOME")) {
    path = *home + "/.aws/credentials";
  }
  const std::string nothing_found =
      "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put them in "
      "profile '" +
      profile + "' of " + (path.empty() ? std::string("~/.aws/credentials") : path);
  std::ifstream file(path);
  if (path.empty() || !file) return Status::InvalidInput(nothing_found);
  std::stringstream text;
  text << file.rdbuf();
  const std::optional<AwsCredentials> credentials = ParseCredentialsFile(text.str(), profile);
  if (!credentials) return Status::InvalidInput(nothing_found);
  if (credentials->access_key_id.empty() || credentials->secret_access_key.empty()) {
    return Status::InvalidInput("profile '" + profile + "' of " + path +
                                " lacks aws_access_key_id or aws_secret_access_key");
  }
  return *credentials;
}

}  // namespace vigil
