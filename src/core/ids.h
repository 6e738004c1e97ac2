// Resource identifiers as GuardDuty issues them: 32 lowercase hex characters.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Returns a new random 128-bit id as 32 lowercase hex characters. Thread-safe.
std::string NewResourceId();

// Returns a new request id in the UUID text form AWS uses for x-amzn-RequestId.
std::string NewRequestId();

// True when `id` is exactly 32 lowercase hex characters.
bool IsResourceId(std::string_view id);

// True when `text` is an AWS account id: exactly 12 digits.
bool IsAccountId(std::string_view text);

}  // namespace vigil
