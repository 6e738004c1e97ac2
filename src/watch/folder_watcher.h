// FolderWatcher: `vigil serve --watch`. Feeds the log files that land in watched folders
// (S3-style trees such as AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/) to the
// detection engine, each file once, across restarts.
//
// One thread serves every folder. It learns of files from inotify (watches on every
// directory of each tree, added as directories appear) and from a full rescan at start
// and every `rescan_interval`, which also covers an overflowing inotify queue. A file a
// writer closed (IN_CLOSE_WRITE) or renamed into place (IN_MOVED_TO) is read at once; one
// only a scan found is read when its size and mtime have stood still for `settle_time`,
// so a half-written file is not read early.
//
// A file is identified by its absolute path, size and mtime. The record that it was
// processed is committed in the transaction that stores its findings (or on its own when
// it produced none), so a restart neither repeats nor skips a file; a file rewritten with
// new content is read again. A file that cannot be processed yet (no detector, a
// disabled one, a store error) waits and is retried every `retry_interval`; one whose
// content is refused (not gzip nor text, too large) is retried when it changes.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "detect/detection_engine.h"
#include "store/store.h"
#include "watch/watch_spec.h"

namespace vigil {

struct WatchOptions {
  // Whose detector takes the files of a folder without a DETECTOR_ID.
  std::string default_account;
  std::string default_region;
  size_t max_file_bytes = size_t{256} << 20;      // larger files are refused
  size_t max_content_bytes = size_t{2560} << 20;  // after decompression
  std::chrono::milliseconds settle_time{2000};
  std::chrono::milliseconds rescan_interval{30000};
  std::chrono::milliseconds retry_interval{5000};
};

// What one watched folder has done, counting files processed before a restart too.
struct FolderProgress {
  std::string source;       // flowlogs, cloudtrail, dns
  std::string directory;    // absolute
  std::string detector_id;  // as configured, else the default detector once found; "" if none
  size_t files_seen = 0;    // distinct log files known: processed, waiting or failing
  size_t files_processed = 0;
  size_t files_failed = 0;   // whose last attempt failed (they are retried)
  size_t files_pending = 0;  // waiting to settle or to be read
  int64_t records = 0;
  int64_t rejected = 0;
  int64_t findings_created = 0;
  int64_t findings_updated = 0;
  std::string last_error;         // of the latest failure while any file is failing
  int64_t last_processed_at = 0;  // epoch milliseconds; 0 before the first file
};

class FolderWatcher {
 public:
  // Borrows the store, engine and clock, which must outlive the watcher. The folders'
  // directories must be absolute, normalized and distinct (CheckDistinctFolders).
  FolderWatcher(std::vector<WatchSpec> folders, Store& store, DetectionEngine& engine,
                const Clock& clock, WatchOptions options);
  // Stops and joins the thread; a file being processed is finished first.
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  // Reads what the store says was processed and starts the thread (the first rescan
  // runs on it). Internal when inotify cannot be set up or the store cannot be read.
  Status Start();
  // Asks the thread to stop after the file in hand. Idempotent; thread-safe once Start
  // has returned.
  void Stop();

  // A snapshot, one entry per folder in the order given. Thread-safe.
  std::vector<FolderProgress> Progress() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // A log file not processed in its current form.
  struct PendingFile {
    int64_t size = -1;
    int64_t modified_at = -1;  // nanoseconds
    SteadyTime stable_since;   // when size or mtime last changed
    bool closed = false;       // inotify said the writer is done with it
    std::string error;         // of the last attempt; empty if none failed
    bool refused = false;      // the content was refused: retried only when it changes
    SteadyTime retry_at;
  };
  struct Folder {
    WatchSpec spec;
    std::string detector_id;                               // the detector files last went to
    std::map<std::string, ProcessedFileRecord> processed;  // by absolute path
    std::map<std::string, PendingFile> pending;
    FolderProgress totals;  // the counters only; the rest is derived in Progress()
    std::string last_error;
  };
  struct WatchedDirectory {
    size_t folder = 0;
    std::string path;
  };

  void Run();
  // Watches `directory` and the directories under it, and observes the files found.
  void ScanTree(size_t folder, const std::string& directory);
  void Rescan();
  void ReadEvents();
  // Notes the current size and mtime of `path`; `closed`: an event said it is complete.
  void Observe(size_t folder, const std::string& path, bool closed);
  // Re-observes the files waiting to settle.
  void CheckSettling();
  // Processes every file that is ready, in path order; stops early when asked to.
  void ProcessReady();
  void Process(size_t folder, const std::string& path);
  void Fail(Folder& folder, const std::string& path, const std::string& error, bool refused);
  StatusOr<DetectorRecord> DetectorFor(const Folder& folder);
  // How long the loop may sleep before something is due.
  std::chrono::milliseconds NextWake() const;

  Store& store_;
  DetectionEngine& engine_;
  const Clock& clock_;
  const WatchOptions options_;

  mutable std::mutex mutex_;  // guards folders_ (written by the thread, read by Progress)
  std::vector<Folder> folders_;

  // Used by the thread only.
  std::map<int, WatchedDirectory> watches_;  // by inotify watch descriptor
  SteadyTime next_rescan_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd Stop() writes to

  std::atomic_bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vigil
