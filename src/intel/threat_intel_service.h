// ThreatIntelService: makes IPSets and ThreatIntelSets real. Loads each activated list
// off the request thread (fetch, parse, check GuardDuty's limits), moves its status
// from ACTIVATING to ACTIVE or ERROR, and compiles each detector's ACTIVE lists into a
// ThreatSnapshot that readers take without locking.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "intel/list_fetcher.h"
#include "intel/threat_snapshot.h"
#include "store/store.h"

namespace vigil {

// GuardDuty's quotas on list contents.
inline constexpr size_t kMaxTrustedListEntries = 2000;
inline constexpr size_t kMaxThreatListEntries = 250000;

// What the last load of a list found, for GET /_vigil/detectors/{id}/lists.
struct ListLoadReport {
  size_t lines = 0;
  size_t ip_ranges = 0;
  size_t domains = 0;
  size_t ipv6_ignored = 0;
  size_t bad_line_count = 0;
  std::vector<BadLine> bad_lines;  // the first ParsedList::kMaxReportedBadLines
  int64_t loaded_at = 0;           // epoch milliseconds; 0 = never loaded
  double load_millis = 0;
  std::string last_error;  // empty after a successful load
};

class ThreatIntelService {
 public:
  // Borrows `store` and `clock`, which must outlive the service.
  ThreatIntelService(Store& store, FetchOptions fetch_options, const Clock& clock);
  // Stops the loader; a fetch in progress is abandoned within about a second.
  ~ThreatIntelService();
  ThreatIntelService(const ThreatIntelService&) = delete;
  ThreatIntelService& operator=(const ThreatIntelService&) = delete;

  // Queues every ACTIVE or ACTIVATING list in the store, as after a restart.
  Status LoadAll();

  // A list was created, updated or deleted. With `reload` (activated) its file is read
  // again; otherwise it only leaves or stays out of the snapshot per its stored status.
  void ListChanged(const std::string& detector_id, ThreatListKind kind, const std::string& id,
                   bool reload);

  // The detector's current snapshot; never null (empty when it has no ACTIVE list).
  // Lock-free.
  std::shared_ptr<const ThreatSnapshot> Snapshot(const std::string& detector_id) const;

  // Ok when the server may read a list at `location` (--list-location); InvalidInput saying
  // why not otherwise. Create and Update check it so a caller hears at once.
  Status CheckLocation(std::string_view location) const {
    return fetch_options_.locations.Check(location);
  }

  // The last load report of a list, if it was loaded since start-up.
  std::optional<ListLoadReport> Report(const std::string& list_id) const;

  // Forgets every loaded list and snapshot (after the store was reset); a load in
  // progress is abandoned.
  void Reset();

  // Blocks until every queued change has been applied (tests, the CLI).
  void WaitIdle();

 private:
  struct Job {
    std::string detector_id;
    ThreatListKind kind;
    std::string id;
    bool reload = false;
    uint64_t generation = 0;  // of the list's changes; a newer job supersedes this one
    uint64_t epoch = 0;       // of Reset()s; a job from before a reset is dropped
  };
  struct Loaded {
    std::string detector_id;
    LoadedList list;
  };
  using SnapshotMap = std::unordered_map<std::string, std::shared_ptr<const ThreatSnapshot>>;

  void Run();
  void Apply(const Job& job);
  // Fetches and parses `record`'s file; the report says what happened.
  std::shared_ptr<const ParsedList> Load(const ThreatListRecord& record, ListLoadReport& report);
  void Recompile(const std::string& detector_id);

  Store& store_;
  FetchOptions fetch_options_;
  const Clock& clock_;

  mutable std::mutex mutex_;  // guards the queue, loaded_ and reports_
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::map<std::string, Loaded> loaded_;  // by list id: ACTIVE lists' content
  std::map<std::string, ListLoadReport> reports_;
  std::map<std::string, uint64_t> generations_;  // by list id: changes queued so far
  uint64_t epoch_ = 0;
  std::atomic_bool cancel_fetch_{false};  // set to abandon a fetch (shutdown, reset)

  std::atomic<std::shared_ptr<const SnapshotMap>> snapshots_;
  std::thread loader_;  // last: starts after everything it uses
};

}  // namespace vigil
