// GuardDuty list pagination: maxResults 1-50 (default 50) and an opaque nextToken.
//
// A token encodes the last key of the page it ends (keyset pagination), so pages stay
// consistent while resources are added or removed between calls.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::api {

struct PageRequest {
  size_t limit = 50;
  std::string after;  // return keys strictly greater than this; "" = from the start
};

// Builds a PageRequest from the raw maxResults / nextToken parameters (either may be
// absent). InvalidInput naming maxResults or nextToken when one is bad.
StatusOr<PageRequest> MakePageRequest(std::optional<std::string_view> max_results,
                                      std::optional<std::string_view> next_token);

// The token that resumes after `last_key`.
std::string EncodePageToken(std::string_view last_key);
// The key a token resumes after; nullopt when the token is not one of ours.
std::optional<std::string> DecodePageToken(std::string_view token);

// Offset tokens, for lists ordered by something other than a unique key (ListFindings).
std::string EncodeOffsetToken(size_t offset);
// The offset a token resumes at; nullopt when the token is not one of ours.
std::optional<size_t> DecodeOffsetToken(std::string_view token);

}  // namespace vigil::api
