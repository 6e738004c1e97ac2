#include "watch/watch_spec.h"

#include <algorithm>

namespace vigil {

namespace {

bool IsDetectorId(std::string_view text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string_view Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

StatusOr<WatchSpec> ParseWatchSpec(std::string_view text) {
  const size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    return Status::InvalidInput("expected SOURCE=DIR[:DETECTOR_ID], got '" + std::string(text) +
                                "'");
  }
  WatchSpec spec;
  const std::string_view source_name = text.substr(0, equals);
  const std::optional<LogSource> source = ParseLogSource(source_name);
  if (!source) {
    return Status::InvalidInput("the source '" + std::string(source_name) +
                                "' is not one of flowlogs, cloudtrail, dns");
  }
  spec.source = *source;
  std::string_view directory = text.substr(equals + 1);
  const size_t colon = directory.rfind(':');
  if (colon != std::string_view::npos && directory.find('/', colon) == std::string_view::npos) {
    const std::string_view detector_id = directory.substr(colon + 1);
    if (!IsDetectorId(detector_id)) {
      return Status::InvalidInput("the detector id '" + std::string(detector_id) +
                                  "' is not 32 lowercase hexadecimal characters");
    }
    spec.detector_id = std::string(detector_id);
    directory = directory.substr(0, colon);
  }
  if (directory.empty()) return Status::InvalidInput("the directory is missing");
  spec.directory = std::string(directory);
  return spec;
}

std::vector<std::string> SplitWatchList(std::string_view text) {
  std::vector<std::string> entries;
  while (!text.empty()) {
    const size_t end = text.find_first_of(",\n");
    const std::string_view entry = Trim(text.substr(0, end));
    if (!entry.empty()) entries.emplace_back(entry);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return entries;
}

Status CheckDistinctFolders(const std::vector<WatchSpec>& specs) {
  const auto inside = [](const std::string& inner, const std::string& outer) {
    const std::string prefix = outer == "/" ? outer : outer + "/";
    return inner.compare(0, prefix.size(), prefix) == 0;
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    for (size_t j = i + 1; j < specs.size(); ++j) {
      const std::string& a = specs[i].directory;
      const std::string& b = specs[j].directory;
      if (a == b) return Status::InvalidInput(a + " is watched twice");
      if (inside(a, b) || inside(b, a)) {
        const bool a_inner = inside(a, b);
        return Status::InvalidInput((a_inner ? a : b) + " is inside " + (a_inner ? b : a) +
                                    ", which is watched too");
      }
    }
  }
  return Status::Ok();
}

bool IsSkippedPath(std::string_view relative_path) {
  while (!relative_path.empty()) {
    const size_t slash = relative_path.find('/');
    const std::string_view name = relative_path.substr(0, slash);
    if (name == "CloudTrail-Digest") return true;
    if (slash != std::string_view::npos) {
      relative_path.remove_prefix(slash + 1);
    } else {
      relative_path = {};
    }
    if (name.starts_with('.')) return true;
    if (slash == std::string_view::npos && (name.ends_with(".tmp") || name.ends_with(".partial"))) {
      return true;
    }
  }
  return false;
}

std::string_view LogSourceName(LogSource source) {
  switch (source) {
    case LogSource::kFlowLogs:
      return "flowlogs";
    case LogSource::kCloudTrail:
      return "cloudtrail";
    case LogSource::kDns:
      return "dns";
  }
  return "";
}

}  // namespace vigil
