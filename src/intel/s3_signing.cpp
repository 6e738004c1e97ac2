#include "intel/s3_signing.h"

#include <cstdlib>

namespace vigil {

StatusOr<S3Signing> S3SigningFromEnvironment(const std::string& region, std::string_view purpose) {
  const char* key = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (key == nullptr || secret == nullptr) {
    return Status::InvalidInput(std::string(purpose) +
                                " needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  S3Signing signing{"aws:amz:" + region + ":s3", std::string(key) + ":" + secret, ""};
  if (const char* token = std::getenv("AWS_SESSION_TOKEN")) {
    signing.token_header = "x-amz-security-token: " + std::string(token);
  }
  return signing;
}

}  // namespace vigil
