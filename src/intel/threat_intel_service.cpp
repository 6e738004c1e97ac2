#include "intel/threat_intel_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace vigil {

namespace {

const std::shared_ptr<const ThreatSnapshot>& EmptySnapshot() {
  static const auto* empty = new std::shared_ptr<const ThreatSnapshot>(ThreatSnapshot::Build({}));
  return *empty;
}

std::string_view KindName(ThreatListKind kind) {
  return kind == ThreatListKind::kIpSet ? "IPSet" : "ThreatIntelSet";
}

}  // namespace

ThreatIntelService::ThreatIntelService(Store& store, FetchOptions fetch_options, const Clock& clock)
    : store_(store),
      fetch_options_(std::move(fetch_options)),
      clock_(clock),
      snapshots_(std::make_shared<const SnapshotMap>()),
      loader_([this] { Run(); }) {
  fetch_options_.cancel = &cancel_fetch_;
}

ThreatIntelService::~ThreatIntelService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancel_fetch_ = true;
  wake_.notify_all();
  loader_.join();
}

Status ThreatIntelService::LoadAll() {
  VIGIL_ASSIGN_OR_RETURN(std::vector<ThreatListRecord> lists, store_.ListAllThreatLists());
  for (const ThreatListRecord& list : lists) {
    if (list.status == "ACTIVE" || list.status == "ACTIVATING") {
      ListChanged(list.detector_id, list.kind, list.id, /*reload=*/true);
    }
  }
  return Status::Ok();
}

void ThreatIntelService::ListChanged(const std::string& detector_id, ThreatListKind kind,
                                     const std::string& id, bool reload) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{detector_id, kind, id, reload, ++generations_[id], epoch_});
  }
  wake_.notify_one();
}

std::shared_ptr<const ThreatSnapshot> ThreatIntelService::Snapshot(
    const std::string& detector_id) const {
  const std::shared_ptr<const SnapshotMap> snapshots = snapshots_.load();
  const auto found = snapshots->find(detector_id);
  return found == snapshots->end() ? EmptySnapshot() : found->second;
}

std::optional<ListLoadReport> ThreatIntelService::Report(const std::string& list_id) const {
  std::lock_guard lock(mutex_);
  const auto found = reports_.find(list_id);
  if (found == reports_.end()) return std::nullopt;
  return found->second;
}

void ThreatIntelService::Reset() {
  {
    std::lock_guard lock(mutex_);
    ++epoch_;
    queue_.clear();
    loaded_.clear();
    reports_.clear();
    generations_.clear();
    snapshots_.store(std::make_shared<const SnapshotMap>());
  }
  cancel_fetch_ = true;  // the loader drops what it was doing (its epoch is over)
  WaitIdle();
  cancel_fetch_ = false;
}

void ThreatIntelService::WaitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void ThreatIntelService::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const Job job = queue_.front();
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Apply(job);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

void ThreatIntelService::Apply(const Job& job) {
  // Whether `job` is still the latest word on its list; a stale job changes nothing,
  // and neither does a load abandoned for shutdown (the list stays ACTIVATING and loads
  // after the restart).
  const auto current = [&] {
    std::lock_guard lock(mutex_);
    return job.epoch == epoch_ && generations_[job.id] == job.generation && !cancel_fetch_;
  };
  auto record = store_.GetThreatList(job.kind, job.detector_id, job.id);
  const bool active = record.ok() && (record->status == "ACTIVE" || record->status == "ACTIVATING");
  if (!active) {
    std::lock_guard lock(mutex_);
    if (job.epoch != epoch_) return;
    loaded_.erase(job.id);
    if (!record.ok()) reports_.erase(job.id);
  } else if (job.reload || record->status == "ACTIVATING") {
    ListLoadReport report;
    std::shared_ptr<const ParsedList> content = Load(*record, report);
    if (!current()) return;  // re-activated, deactivated or reset while loading
    const std::string status = content ? "ACTIVE" : "ERROR";
    {
      std::lock_guard lock(mutex_);
      reports_[job.id] = report;
      if (content) {
        const ListIdentity identity{record->id, record->name,
                                    record->kind == ThreatListKind::kIpSet};
        loaded_[job.id] = Loaded{job.detector_id, LoadedList{identity, content}};
      } else {
        loaded_.erase(job.id);
      }
    }
    // Publish before saying ACTIVE, so an ingest that sees ACTIVE also sees the list.
    Recompile(job.detector_id);
    // Compare-and-set from the status this load started from: a user's change since
    // then wins. (A list ACTIVE before a restart becomes ERROR if its file is gone.)
    if (Status set =
            store_.SetThreatListStatus(job.kind, job.detector_id, job.id, record->status, status);
        !set.ok()) {
      spdlog::error("cannot record the status of {} {}: {}", KindName(job.kind), job.id,
                    set.message());
    }
    return;
  }
  Recompile(job.detector_id);
}

std::shared_ptr<const ParsedList> ThreatIntelService::Load(const ThreatListRecord& record,
                                                           ListLoadReport& report) {
  const auto started = std::chrono::steady_clock::now();
  report.loaded_at = clock_.NowMillis();
  const auto finish = [&](std::string error) -> std::shared_ptr<const ParsedList> {
    report.load_millis =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    report.last_error = std::move(error);
    if (!report.last_error.empty()) {
      spdlog::warn("{} {} ({}) failed to load from {}: {}", KindName(record.kind), record.id,
                   record.name, record.location, report.last_error);
    }
    return nullptr;
  };
  const std::optional<ListFormat> format = ParseListFormat(record.format);
  if (!format) return finish("unknown format " + record.format);
  StatusOr<std::string> content = FetchList(record.location, fetch_options_);
  if (!content.ok()) return finish(content.status().message());
  auto parsed = std::make_shared<ParsedList>(ParseList(*format, *content));
  report.lines = parsed->lines;
  report.ip_ranges = parsed->ranges.size();
  report.domains = parsed->domains.size();
  report.ipv6_ignored = parsed->ipv6_ignored;
  report.bad_line_count = parsed->bad_line_count;
  report.bad_lines = parsed->bad_lines;
  const size_t limit =
      record.kind == ThreatListKind::kIpSet ? kMaxTrustedListEntries : kMaxThreatListEntries;
  if (parsed->entries() > limit) {
    return finish("the list has " + std::to_string(parsed->entries()) +
                  " entries, over GuardDuty's limit of " + std::to_string(limit) + " for an " +
                  std::string(KindName(record.kind)));
  }
  finish("");
  spdlog::info("{} {} ({}) loaded: {} entries, {} bad lines, {} IPv6 ignored, {:.1f} ms",
               KindName(record.kind), record.id, record.name, parsed->entries(),
               parsed->bad_line_count, parsed->ipv6_ignored, report.load_millis);
  return parsed;
}

void ThreatIntelService::Recompile(const std::string& detector_id) {
  std::vector<LoadedList> lists;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, loaded] : loaded_) {
      if (loaded.detector_id == detector_id) lists.push_back(loaded.list);
    }
  }
  // Trusted lists first: their indexes stay stable as threat lists come and go.
  std::stable_partition(lists.begin(), lists.end(),
                        [](const LoadedList& list) { return list.identity.trusted; });
  std::shared_ptr<const ThreatSnapshot> snapshot = ThreatSnapshot::Build(lists);
  // Writers (this thread, Reset) hold the mutex: copy, change, publish. Readers never lock.
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<SnapshotMap>(*snapshots_.load());
  if (lists.empty()) {
    next->erase(detector_id);
  } else {
    (*next)[detector_id] = std::move(snapshot);
  }
  snapshots_.store(std::move(next));
}

}  // namespace vigil
