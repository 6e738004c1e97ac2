#include "watch/folder_watcher.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "detect/log_paths.h"

namespace vigil {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// What a directory's watch reports: files closed after writing or renamed into it, and
// new sub-directories (IN_CREATE, IN_MOVED_TO with IN_ISDIR). Symbolic links to
// directories are not followed anywhere, so a link cannot loop or leave the folder.
constexpr uint32_t kDirectoryEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR;
// How often files found by a scan are looked at again while they settle.
constexpr milliseconds kSettleCheck{250};

std::string ErrnoText() { return std::strerror(errno); }

int64_t ModifiedNanos(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// The path below `root` ("a/b.log" for "/root/a/b.log").
std::string_view Relative(const std::string& root, const std::string& path) {
  const size_t skip = root.size() + (root.ends_with('/') ? 0 : 1);
  return path.size() > skip ? std::string_view(path).substr(skip) : std::string_view();
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

FolderWatcher::FolderWatcher(std::vector<WatchSpec> folders, Store& store, DetectionEngine& engine,
                             const Clock& clock, WatchOptions options)
    : store_(store), engine_(engine), clock_(clock), options_(std::move(options)) {
  for (WatchSpec& spec : folders) {
    Folder folder;
    folder.spec = std::move(spec);
    folders_.push_back(std::move(folder));
  }
}

FolderWatcher::~FolderWatcher() {
  Stop();
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status FolderWatcher::Start() {
  if (thread_.joinable()) return Status::Internal("the folder watcher is already running");
  for (Folder& folder : folders_) {
    const std::string& root = folder.spec.directory;
    VIGIL_ASSIGN_OR_RETURN(std::vector<ProcessedFileRecord> processed,
                           store_.ListProcessedFiles(root == "/" ? "" : root));
    std::lock_guard lock(mutex_);
    for (ProcessedFileRecord& file : processed) {
      FolderProgress& totals = folder.totals;
      totals.records += file.records;
      totals.rejected += file.rejected;
      totals.findings_created += file.findings_created;
      totals.findings_updated += file.findings_updated;
      if (file.processed_at >= totals.last_processed_at) {
        totals.last_processed_at = file.processed_at;
        folder.detector_id = file.detector_id;
      }
      std::string path = file.path;
      folder.processed.emplace(std::move(path), std::move(file));
    }
  }
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) return Status::Internal("cannot start inotify: " + ErrnoText());
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::Internal("cannot create an eventfd: " + ErrnoText());
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void FolderWatcher::Stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof(one));
  }
}

std::vector<FolderProgress> FolderWatcher::Progress() const {
  std::lock_guard lock(mutex_);
  std::vector<FolderProgress> progress;
  for (const Folder& folder : folders_) {
    FolderProgress entry = folder.totals;
    entry.source = std::string(LogSourceName(folder.spec.source));
    entry.directory = folder.spec.directory;
    entry.detector_id =
        folder.spec.detector_id.empty() ? folder.detector_id : folder.spec.detector_id;
    entry.files_processed = folder.processed.size();
    entry.files_seen = folder.processed.size();
    for (const auto& [path, file] : folder.pending) {
      ++(file.error.empty() ? entry.files_pending : entry.files_failed);
      if (!folder.processed.contains(path)) ++entry.files_seen;
    }
    if (entry.files_failed > 0) entry.last_error = folder.last_error;
    progress.push_back(std::move(entry));
  }
  return progress;
}

void FolderWatcher::Run() {
  Rescan();
  while (!stopping_) {
    CheckSettling();
    ProcessReady();
    if (stopping_) break;
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int waited = poll(fds, 2, static_cast<int>(NextWake().count()));
    if (stopping_) break;
    if (waited > 0 && (fds[0].revents & POLLIN)) ReadEvents();
    if (SteadyClock::now() >= next_rescan_) Rescan();
  }
}

void FolderWatcher::Rescan() {
  for (size_t i = 0; i < folders_.size() && !stopping_; ++i) {
    ScanTree(i, folders_[i].spec.directory);
  }
  next_rescan_ = SteadyClock::now() + options_.rescan_interval;
}

void FolderWatcher::ScanTree(size_t folder, const std::string& directory) {
  const std::string& root = folders_[folder].spec.directory;
  std::vector<std::string> directories{directory};
  while (!directories.empty() && !stopping_) {
    const std::string current = std::move(directories.back());
    directories.pop_back();
    // Watch first, then list: a file landing in between is seen by one or the other.
    const int wd = inotify_add_watch(inotify_fd_, current.c_str(), kDirectoryEvents);
    if (wd >= 0) {
      watches_[wd] = {folder, current};
    } else if (errno == ENOSPC) {
      spdlog::warn(
          "watch: cannot watch {} (raise fs.inotify.max_user_watches); it is rescanned "
          "every {} s",
          current, options_.rescan_interval.count() / 1000);
    }
    std::error_code ec;
    fs::directory_iterator entries(current, ec);
    if (ec) {
      spdlog::warn("watch: cannot list {}: {}", current, ec.message());
      continue;
    }
    for (const fs::directory_entry& entry : entries) {
      std::string path = entry.path().string();
      if (IsSkippedPath(Relative(root, path))) continue;
      const fs::file_status status = entry.symlink_status(ec);
      if (ec) continue;
      if (fs::is_directory(status)) {
        directories.push_back(std::move(path));
      } else if (fs::is_regular_file(status)) {
        Observe(folder, path, false);
      }
    }
  }
}

void FolderWatcher::ReadEvents() {
  alignas(inotify_event) char buffer[64 * 1024];
  while (!stopping_) {
    const ssize_t length = read(inotify_fd_, buffer, sizeof(buffer));
    if (length <= 0) return;  // EAGAIN: drained
    for (const char* at = buffer; at < buffer + length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(at);
      at += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        spdlog::warn("watch: inotify queue overflow; rescanning");
        next_rescan_ = SteadyClock::now();
        continue;
      }
      const auto watched = watches_.find(event->wd);
      if (watched == watches_.end()) continue;
      if (event->mask & IN_IGNORED) {  // the directory is gone
        watches_.erase(watched);
        continue;
      }
      if (event->len == 0) continue;
      const size_t folder = watched->second.folder;
      const std::string path = watched->second.path + "/" + event->name;
      if (IsSkippedPath(Relative(folders_[folder].spec.directory, path))) continue;
      if (event->mask & IN_ISDIR) {
        // Files may have landed before the new directory's watch: ScanTree lists them.
        if (event->mask & (IN_CREATE | IN_MOVED_TO)) ScanTree(folder, path);
      } else if (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
        Observe(folder, path, true);
      }
    }
  }
}

void FolderWatcher::Observe(size_t index, const std::string& path, bool closed) {
  // Another service's logs in the same AWSLogs/ tree are not this folder's source.
  if (!IsLogFileOf(path, folders_[index].spec.source)) return;
  struct stat st;
  const bool present = stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  std::lock_guard lock(mutex_);
  Folder& folder = folders_[index];
  if (!present) {
    folder.pending.erase(path);
    return;
  }
  const int64_t size = st.st_size;
  const int64_t modified_at = ModifiedNanos(st);
  const auto done = folder.processed.find(path);
  if (done != folder.processed.end() && done->second.size == size &&
      done->second.modified_at == modified_at) {
    folder.pending.erase(path);
    return;
  }
  auto [entry, inserted] = folder.pending.try_emplace(path);
  PendingFile& file = entry->second;
  if (inserted || file.size != size || file.modified_at != modified_at) {
    file.size = size;
    file.modified_at = modified_at;
    file.stable_since = SteadyClock::now();
    file.closed = closed;
    if (file.refused) {  // new content deserves a new try
      file.refused = false;
      file.error.clear();
    }
  } else if (closed) {
    file.closed = true;
  }
}

void FolderWatcher::CheckSettling() {
  const SteadyClock::time_point now = SteadyClock::now();
  std::vector<std::pair<size_t, std::string>> unsettled;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < folders_.size(); ++i) {
      for (const auto& [path, file] : folders_[i].pending) {
        if (!file.closed && !file.refused && now - file.stable_since < options_.settle_time) {
          unsettled.emplace_back(i, path);
        }
      }
    }
  }
  for (const auto& [folder, path] : unsettled) Observe(folder, path, false);
}

milliseconds FolderWatcher::NextWake() const {
  const SteadyClock::time_point now = SteadyClock::now();
  SteadyClock::time_point wake = next_rescan_;
  std::lock_guard lock(mutex_);
  for (const Folder& folder : folders_) {
    for (const auto& [path, file] : folder.pending) {
      if (file.error.empty()) {
        wake = std::min(wake, now + kSettleCheck);  // settling
      } else if (!file.refused) {
        wake = std::min(wake, file.retry_at);
      }
    }
  }
  return std::clamp(std::chrono::ceil<milliseconds>(wake - now), milliseconds(0),
                    options_.rescan_interval);
}

void FolderWatcher::ProcessReady() {
  const SteadyClock::time_point now = SteadyClock::now();
  std::vector<std::pair<size_t, std::string>> ready;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < folders_.size(); ++i) {
      for (const auto& [path, file] : folders_[i].pending) {
        if (file.refused || (!file.error.empty() && now < file.retry_at)) continue;
        if (file.closed || now - file.stable_since >= options_.settle_time) {
          ready.emplace_back(i, path);
        }
      }
    }
  }
  for (const auto& [folder, path] : ready) {
    if (stopping_) return;
    Process(folder, path);
  }
}

void FolderWatcher::Process(size_t index, const std::string& path) {
  Folder& folder = folders_[index];
  PendingFile expected;
  {
    std::lock_guard lock(mutex_);
    const auto found = folder.pending.find(path);
    if (found == folder.pending.end()) return;
    expected = found->second;
  }
  // The file is read only as it was when it settled: a change since then (seen before or
  // after reading) means a writer is at it again, so it waits to settle anew.
  const auto unchanged = [&](const struct stat& st) {
    return st.st_size == expected.size && ModifiedNanos(st) == expected.modified_at;
  };
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || fstat(fd.get(), &st) != 0) {
    if (errno == ENOENT) {
      std::lock_guard lock(mutex_);
      folder.pending.erase(path);
    } else {
      Fail(folder, path, "cannot read it: " + ErrnoText(), false);
    }
    return;
  }
  if (!unchanged(st)) {
    Observe(index, path, false);
    return;
  }
  if (static_cast<uint64_t>(st.st_size) > options_.max_file_bytes) {
    Fail(folder, path,
         "it is larger than --max-ingest-bytes (" + std::to_string(options_.max_file_bytes) +
             " bytes)",
         true);
    return;
  }
  std::string content(static_cast<size_t>(st.st_size), '\0');
  size_t filled = 0;
  while (filled < content.size()) {
    const ssize_t got = read(fd.get(), content.data() + filled, content.size() - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      Fail(folder, path, "cannot read it: " + ErrnoText(), false);
      return;
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  char extra;
  if (filled != content.size() || read(fd.get(), &extra, 1) != 0 || fstat(fd.get(), &st) != 0 ||
      !unchanged(st)) {
    Observe(index, path, false);
    return;
  }

  auto detector = DetectorFor(folder);
  if (!detector.ok()) {
    Fail(folder, path, detector.status().message(), false);
    return;
  }
  ProcessedFileRecord record{path, expected.size,     expected.modified_at, detector->id, 0, 0, 0,
                             0,    clock_.NowMillis()};
  auto outcome =
      engine_.Ingest(*detector, folder.spec.source, content, options_.max_content_bytes, &record);
  if (!outcome.ok()) {
    // Content the engine refuses (not gzip nor text, too large) stays refused until the
    // file changes; anything else (the store) may pass on a later try.
    Fail(folder, path, outcome.status().message(),
         outcome.status().code() == StatusCode::kInvalidInput);
    return;
  }
  record.records = static_cast<int64_t>(outcome->records);
  record.rejected = static_cast<int64_t>(outcome->rejected);
  record.findings_created = static_cast<int64_t>(outcome->findings_created);
  record.findings_updated = static_cast<int64_t>(outcome->findings_updated);
  // The store recorded the file processed in the transaction of its findings.
  spdlog::info("watch: {} → detector {}: {} records, {} rejected, {} findings created, {} updated",
               path, record.detector_id, record.records, record.rejected, record.findings_created,
               record.findings_updated);

  std::lock_guard lock(mutex_);
  FolderProgress& totals = folder.totals;
  if (auto earlier = folder.processed.find(path); earlier != folder.processed.end()) {
    // A rewritten file: its record replaced the earlier one.
    totals.records -= earlier->second.records;
    totals.rejected -= earlier->second.rejected;
    totals.findings_created -= earlier->second.findings_created;
    totals.findings_updated -= earlier->second.findings_updated;
  }
  totals.records += record.records;
  totals.rejected += record.rejected;
  totals.findings_created += record.findings_created;
  totals.findings_updated += record.findings_updated;
  totals.last_processed_at = record.processed_at;
  folder.detector_id = record.detector_id;
  folder.processed[path] = std::move(record);
  folder.pending.erase(path);
}

void FolderWatcher::Fail(Folder& folder, const std::string& path, const std::string& error,
                         bool refused) {
  const std::string message = std::string(Relative(folder.spec.directory, path)) + ": " + error;
  std::lock_guard lock(mutex_);
  const auto found = folder.pending.find(path);
  if (found == folder.pending.end()) return;
  PendingFile& file = found->second;
  // Logged once per distinct error, not on every retry.
  if (file.error != error) {
    spdlog::warn("watch: {}: {}{}", path, error,
                 refused ? " (retried when the file changes)" : " (retried)");
  }
  file.error = error;
  file.refused = refused;
  file.retry_at = SteadyClock::now() + options_.retry_interval;
  folder.last_error = message;
}

StatusOr<DetectorRecord> FolderWatcher::DetectorFor(const Folder& folder) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<DetectorRecord> detectors, store_.ListAllDetectors());
  const std::string& wanted = folder.spec.detector_id;
  for (DetectorRecord& detector : detectors) {
    const bool match = wanted.empty() ? detector.account == options_.default_account &&
                                            detector.region == options_.default_region
                                      : detector.id == wanted;
    if (!match) continue;
    if (!detector.enabled) {
      return Status::InvalidInput("detector " + detector.id +
                                  " is disabled; files wait until it is enabled");
    }
    return std::move(detector);
  }
  if (!wanted.empty()) {
    return Status::NotFound("detector " + wanted + " does not exist; files wait for it");
  }
  return Status::NotFound("account " + options_.default_account + " has no detector in " +
                          options_.default_region +
                          "; files wait for one (or name one: --watch SOURCE=DIR:DETECTOR_ID)");
}

}  // namespace vigil
