// Which list locations a server accepts (`vigil serve --list-location PREFIX`).
//
// IPSet and ThreatIntelSet locations are chosen by callers, and Vigil reads them with its
// own rights. With no prefix configured every location is accepted (the historical
// behaviour, right for a single trusted user). With prefixes, a location is accepted only
// when its canonical form starts with one of them: file paths with symlinks and `..`
// resolved, URLs normalized (dot segments removed, scheme and host lowercased), S3 forms
// as s3://bucket/key. A prefix meant as a folder should end with '/'.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil {

// The form a location is compared in: file:///canonical/path, a normalized http(s) URL,
// or s3://bucket/key for every S3 form. InvalidInput when it is none of these.
StatusOr<std::string> CanonicalListLocation(std::string_view location);

class ListLocationPolicy {
 public:
  // Accepts every location.
  ListLocationPolicy() = default;
  // InvalidInput naming a prefix that is not a file, http(s) or s3 location.
  static StatusOr<ListLocationPolicy> FromPrefixes(const std::vector<std::string>& prefixes);

  bool restricts() const { return !prefixes_.empty(); }

  // Ok, or InvalidInput saying the location lies outside what the server allows.
  Status Check(std::string_view location) const;

 private:
  std::vector<std::string> prefixes_;  // canonical
};

}  // namespace vigil
