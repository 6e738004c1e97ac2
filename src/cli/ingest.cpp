#include "cli/ingest.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/aws_credentials.h"
#include "cli/ingest_client.h"
#include "cli/log_files.h"

namespace vigil {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kRedrawInterval = std::chrono::milliseconds(250);

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.size() > scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), url.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status::InvalidInput("cannot read the file: " + ec.message());
  std::ifstream file(path, std::ios::binary);
  std::string content(size, '\0');
  if (!file.read(content.data(), static_cast<std::streamsize>(size))) {
    return Status::InvalidInput("cannot read the file");
  }
  return content;
}

// The state of one `vigil ingest` run: which files are taken, what the server said so
// far, and its display. Workers take files and report results; the main thread redraws.
// Thread-safe.
class IngestRun {
 public:
  IngestRun(std::vector<fs::path> files, bool terminal)
      : files_(std::move(files)), terminal_(terminal), start_(Clock::now()) {}

  // The index of the next file to send; nullopt once every file is taken or the server
  // turned out to be unreachable (the files left are not sent).
  std::optional<size_t> TakeFile() {
    std::lock_guard lock(mutex_);
    if (unreachable_ || taken_ == files_.size()) return std::nullopt;
    return taken_++;
  }

  const fs::path& file(size_t index) const { return files_[index]; }

  void Finish(size_t index, const PostResult& result) {
    std::lock_guard lock(mutex_);
    ++finished_;
    if (result.outcome == PostResult::Outcome::kIngested) {
      const IngestCounts& counts = result.counts;
      records_ += counts.records;
      rejected_ += counts.rejected;
      created_ += counts.findings_created;
      updated_ += counts.findings_updated;
      if (!terminal_) {
        std::string line = files_[index].string() + ": " + std::to_string(counts.records) +
                           " records, " + std::to_string(counts.rejected) + " rejected, " +
                           std::to_string(counts.findings_created) + " findings created, " +
                           std::to_string(counts.findings_updated) + " updated";
        if (!counts.first_rejection.empty()) {
          line += " (first rejected record " + counts.first_rejection + ")";
        }
        std::cerr << line << std::endl;
      }
    } else {
      failures_.emplace_back(index, result.error);
      if (result.outcome == PostResult::Outcome::kUnreachable) unreachable_ = true;
      if (!terminal_)
        std::cerr << files_[index].string() << ": failed: " << result.error << std::endl;
    }
    changed_.notify_one();
  }

  // Until every taken file is finished (and no more will be taken): redraws the
  // progress line on a terminal.
  void WaitForAll() {
    std::unique_lock lock(mutex_);
    while (!AllFinished()) {
      if (terminal_) Draw();
      changed_.wait_for(lock, kRedrawInterval);
    }
    if (terminal_) {
      Draw();
      std::fputs("\n", stderr);
    }
  }

  // Prints the summary; returns the exit code.
  int Summarize() {
    std::lock_guard lock(mutex_);
    const size_t ingested = finished_ - failures_.size();
    std::fprintf(stderr,
                 "ingested %zu of %zu files: %zu records, %zu rejected, %zu findings created, "
                 "%zu updated (%.1f s, %.0f records/s)\n",
                 ingested, files_.size(), records_, rejected_, created_, updated_, Seconds(),
                 RecordsPerSecond());
    std::sort(failures_.begin(), failures_.end());
    for (const auto& [index, error] : failures_) {
      std::cerr << "failed: " << files_[index].string() << ": " << error << "\n";
    }
    const size_t not_sent = files_.size() - taken_;
    if (not_sent > 0) {
      std::cerr << "not sent: " << not_sent << " files, as the server could not be reached\n";
    }
    return failures_.empty() && not_sent == 0 ? 0 : 1;
  }

 private:
  bool AllFinished() const {
    return finished_ == taken_ && (unreachable_ || taken_ == files_.size());
  }

  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  double RecordsPerSecond() const {
    const double seconds = Seconds();
    return seconds > 0 ? static_cast<double>(records_) / seconds : 0;
  }

  void Draw() const {
    // \r and "erase to end of line": the line shrinks cleanly when numbers get shorter.
    std::fprintf(stderr,
                 "\r\x1b[K[%zu/%zu files] %zu records (%.0f/s), %zu rejected, findings %zu "
                 "created %zu updated, %zu failed",
                 finished_, files_.size(), records_, RecordsPerSecond(), rejected_, created_,
                 updated_, failures_.size());
    std::fflush(stderr);
  }

  const std::vector<fs::path> files_;
  const bool terminal_;
  const Clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t taken_ = 0;
  size_t finished_ = 0;
  bool unreachable_ = false;
  size_t records_ = 0, rejected_ = 0, created_ = 0, updated_ = 0;
  std::vector<std::pair<size_t, std::string>> failures_;  // (file index, error)
};

void SendFiles(const IngestTarget& target, IngestRun& run) {
  IngestClient client(target, RetryPolicy{});
  while (const std::optional<size_t> index = run.TakeFile()) {
    auto body = ReadWholeFile(run.file(*index));
    if (!body.ok()) {
      run.Finish(*index, PostResult{PostResult::Outcome::kFailed, {}, body.status().message()});
      continue;
    }
    run.Finish(*index, client.Post(*body));
  }
}

}  // namespace

int RunIngest(const IngestOptions& options) {
  if (!IsHttpUrl(options.endpoint)) {
    std::cerr << "vigil ingest: --endpoint must be an http:// or https:// URL, got '"
              << options.endpoint << "'\n";
    return 2;
  }
  const std::optional<LogSource> source = ParseLogSource(options.source);
  if (!source) {
    std::cerr << "vigil ingest: --source must be flowlogs, cloudtrail or dns, got '"
              << options.source << "'\n";
    return 2;
  }
  if (options.detector_id.empty()) {
    std::cerr << "vigil ingest: --detector-id is empty\n";
    return 2;
  }
  if (options.parallel == 0) {
    std::cerr << "vigil ingest: --parallel must be at least 1\n";
    return 2;
  }
  const LogFiles log_files = FindLogFiles(options.paths, *source);
  for (const std::string& path : log_files.unreadable) {
    std::cerr << "vigil ingest: cannot read " << path << "\n";
  }
  if (!log_files.unreadable.empty()) return 2;  // before sending anything: a typo, most likely
  if (log_files.files.empty()) {
    std::cerr << "vigil ingest: no " << options.source << " log files in the paths given\n";
    return 2;
  }

  IngestTarget target{options.endpoint, options.detector_id, options.source, options.region,
                      std::nullopt};
  if (options.sign) {
    auto credentials = FindAwsCredentials(ProcessEnvironment());
    if (!credentials.ok()) {
      std::cerr << "vigil ingest: " << credentials.status().message()
                << " (or pass --no-sign to send unsigned requests)\n";
      return 2;
    }
    target.credentials = std::move(*credentials);
  }

  const size_t workers = std::min(options.parallel, log_files.files.size());
  IngestRun run(log_files.files, isatty(STDERR_FILENO) != 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) {
    threads.emplace_back([&target, &run] { SendFiles(target, run); });
  }
  run.WaitForAll();
  for (std::thread& thread : threads) thread.join();
  return run.Summarize();
}

}  // namespace vigil
