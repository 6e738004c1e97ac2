// Transparent gzip: log files arrive gzip-compressed or plain, told apart by magic bytes.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// True when `content` starts with the gzip magic bytes (1f 8b).
bool IsGzip(std::string_view content);

// The content, inflated when it is gzip (concatenated members too), as is otherwise.
// InvalidInput for corrupt gzip or when the result would exceed `max_bytes`.
StatusOr<std::string> MaybeGunzip(std::string_view content, size_t max_bytes);

}  // namespace vigil
