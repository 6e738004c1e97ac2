#include "core/status.h"

namespace vigil {

namespace {
const char* CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidInput:
      return "InvalidInput";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kLimitExceeded:
      return "LimitExceeded";
    case StatusCode::kAccessDenied:
      return "AccessDenied";
    case StatusCode::kPayloadTooLarge:
      return "PayloadTooLarge";
    case StatusCode::kUnknownOperation:
      return "UnknownOperation";
    case StatusCode::kServiceUnavailable:
      return "ServiceUnavailable";
    case StatusCode::kMissingAuthentication:
      return "MissingAuthentication";
    case StatusCode::kIncompleteSignature:
      return "IncompleteSignature";
    case StatusCode::kUnrecognizedClient:
      return "UnrecognizedClient";
    case StatusCode::kInvalidSignature:
      return "InvalidSignature";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace vigil
