#include "detect/log_paths.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"

namespace vigil {

namespace {

namespace fs = std::filesystem;

// The folder AWS delivers `source` logs to under AWSLogs/ACCOUNT/.
std::string_view ServiceFolder(LogSource source) {
  switch (source) {
    case LogSource::kFlowLogs:
      return "vpcflowlogs";
    case LogSource::kCloudTrail:
      return "CloudTrail";
    case LogSource::kDns:
      return "vpcdnsquerylogs";
  }
  return "";
}

// The service folder of a file in an AWSLogs/[o-ORG/]ACCOUNT/SERVICE/... layout, or ""
// when the file is not in one.
std::string ServiceFolderOf(const fs::path& file) {
  std::vector<std::string> parts;
  for (const fs::path& part : file.parent_path()) parts.push_back(part.string());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] != "AWSLogs") continue;
    size_t at = i + 1;
    if (at < parts.size() && parts[at].starts_with("o-")) ++at;  // organization trails
    if (at + 1 < parts.size() && IsAccountId(parts[at])) return parts[at + 1];
  }
  return "";
}

}  // namespace

bool IsLogFileOf(const fs::path& file, LogSource source) {
  const std::string service = ServiceFolderOf(file);
  if (!service.empty()) return service == ServiceFolder(source);
  // Digest files are signatures over CloudTrail files, not events.
  return file.string().find("CloudTrail-Digest") == std::string::npos;
}

}  // namespace vigil
