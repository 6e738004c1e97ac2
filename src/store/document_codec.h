// Compression of stored finding documents: zlib with a preset dictionary of the Finding
// shape's member names and GuardDuty's common values, so each ~2-3 KB document stores in
// a few hundred bytes while staying individually readable. The first byte names the
// codec, so the dictionary can change in a later version without breaking old rows.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// Compresses a finding's JSON for storage.
std::string CompressDocument(std::string_view json);

// Restores the JSON. Internal error when `stored` is corrupt or of an unknown codec.
StatusOr<std::string> DecompressDocument(std::string_view stored);

}  // namespace vigil
