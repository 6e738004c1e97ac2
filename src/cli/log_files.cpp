#include "cli/log_files.h"

#include <algorithm>

namespace vigil {

namespace fs = std::filesystem;

LogFiles FindLogFiles(const std::vector<std::string>& paths, LogSource source) {
  LogFiles found;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && IsLogFileOf(entry.path(), source)) {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      found.files.insert(found.files.end(), files.begin(), files.end());
    } else if (fs::is_regular_file(path, ec)) {
      found.files.emplace_back(path);
    } else {
      found.unreadable.push_back(path);
    }
  }
  return found;
}

}  // namespace vigil
