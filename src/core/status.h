// Status and StatusOr: how errors cross module boundaries in Vigil.
//
// A Status is either OK or a code plus a human-readable message. Only the http/
// layer turns a Status into a wire error (HTTP status, X-Amzn-ErrorType, __type);
// everything below it speaks Status. Plain value types, cheap to copy when OK.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace vigil {

enum class StatusCode {
  kOk = 0,
  kInvalidInput,        // a parameter has a bad value, type or is missing
  kNotFound,            // the named resource does not exist for this caller
  kAlreadyExists,       // a resource with this name already exists
  kLimitExceeded,       // a GuardDuty quota would be exceeded
  kAccessDenied,        // the caller may not touch this resource
  kPayloadTooLarge,     // request body over the configured limit
  kUnknownOperation,    // no route for this method and path
  kServiceUnavailable,  // the server is at a capacity limit (--max-connections); retry later
  // A request that failed authentication (--auth sigv4); each is one of AWS's 403 types.
  kMissingAuthentication,  // neither an Authorization header nor a presigned query
  kIncompleteSignature,    // a signature that is malformed or lacks a part
  kUnrecognizedClient,     // an access key (or security token) that is not known
  kInvalidSignature,       // a wrong signature, scope, or a request too old or too new
  kInternal,               // a bug or an environment failure (disk, SQLite)
};

class Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message) {
    return Status(StatusCode::kInvalidInput, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status AlreadyExists(std::string message) {
    return Status(StatusCode::kAlreadyExists, std::move(message));
  }
  static Status LimitExceeded(std::string message) {
    return Status(StatusCode::kLimitExceeded, std::move(message));
  }
  static Status AccessDenied(std::string message) {
    return Status(StatusCode::kAccessDenied, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }

  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a value or a non-OK Status. Accessing the value of an error is a bug.
template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT
  StatusOr(T value) : value_(std::move(value)) {}                                  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vigil

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define VIGIL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::vigil::Status vigil_status_ = (expr);        \
    if (!vigil_status_.ok()) return vigil_status_; \
  } while (0)

#define VIGIL_CONCAT_INNER(a, b) a##b
#define VIGIL_CONCAT(a, b) VIGIL_CONCAT_INNER(a, b)
// Declares `lhs` from a StatusOr expression, returning its Status on error.
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL(VIGIL_CONCAT(vigil_statusor_, __LINE__), lhs, expr)
#define VIGIL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
