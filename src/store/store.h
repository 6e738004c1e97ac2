// Store: the system of record for Vigil's control plane.
//
// Every method is a single atomic transaction; a write has been committed when it
// returns OK. Implementations are thread-safe. Errors: NotFound for a missing row,
// AlreadyExists / LimitExceeded for uniqueness and quota checks that must be atomic
// with the insert, Internal for storage failures.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/finding_records.h"
#include "store/member_store.h"
#include "store/records.h"
#include "store/usage_records.h"

namespace vigil {

// One page of keys in ascending order; `has_more` when keys follow the last one.
struct KeyPage {
  std::vector<std::string> keys;
  bool has_more = false;
};

// Store includes MemberStore (store/member_store.h): members, invitations, organization.
class Store : public MemberStore {
 public:
  // Detectors. CreateDetector fails with LimitExceeded when (account, region) has one.
  // Returns the id of the stored detector (an earlier one when `token` matched).
  virtual StatusOr<std::string> CreateDetector(const DetectorRecord& detector, const Tags& tags,
                                               const ClientToken& token) = 0;
  // NotFound unless the detector exists and belongs to (account, region).
  virtual StatusOr<DetectorRecord> GetDetector(const std::string& account,
                                               const std::string& region,
                                               const std::string& detector_id) = 0;
  virtual Status UpdateDetector(const DetectorRecord& detector) = 0;
  // Deletes the detector with all of its children and their tags, and its account's
  // member records in its region. InvalidInput while that account has invited or
  // associated members (GuardDuty refuses that too).
  virtual Status DeleteDetector(const std::string& detector_id) = 0;
  virtual StatusOr<KeyPage> ListDetectorIds(const std::string& account, const std::string& region,
                                            const std::string& after, size_t limit) = 0;

  // Filters, keyed by (detector, name). CreateFilter enforces `max_filters` per detector.
  virtual StatusOr<std::string> CreateFilter(const FilterRecord& filter, const Tags& tags,
                                             size_t max_filters, const ClientToken& token) = 0;
  virtual StatusOr<FilterRecord> GetFilter(const std::string& detector_id,
                                           const std::string& name) = 0;
  virtual Status UpdateFilter(const FilterRecord& filter) = 0;
  virtual Status DeleteFilter(const std::string& detector_id, const std::string& name) = 0;
  // Every filter of the detector, in rank order (then name).
  virtual StatusOr<std::vector<FilterRecord>> ListFilters(const std::string& detector_id) = 0;
  virtual StatusOr<KeyPage> ListFilterNames(const std::string& detector_id,
                                            const std::string& after, size_t limit) = 0;

  // IPSets and ThreatIntelSets, keyed by (kind, detector, id); `max_per_detector` per kind.
  virtual StatusOr<std::string> CreateThreatList(const ThreatListRecord& list, const Tags& tags,
                                                 size_t max_per_detector,
                                                 const ClientToken& token) = 0;
  virtual StatusOr<ThreatListRecord> GetThreatList(ThreatListKind kind,
                                                   const std::string& detector_id,
                                                   const std::string& id) = 0;
  virtual Status UpdateThreatList(const ThreatListRecord& list) = 0;
  virtual Status DeleteThreatList(ThreatListKind kind, const std::string& detector_id,
                                  const std::string& id) = 0;
  // Sets a list's status only while it is `expected`, so a loader finishing late cannot
  // undo a user's newer change. OK (and no change) when the status differs.
  virtual Status SetThreatListStatus(ThreatListKind kind, const std::string& detector_id,
                                     const std::string& id, const std::string& expected,
                                     const std::string& status) = 0;
  // Every threat list of every detector (loading them all at start-up).
  virtual StatusOr<std::vector<ThreatListRecord>> ListAllThreatLists() = 0;
  virtual StatusOr<KeyPage> ListThreatListIds(ThreatListKind kind, const std::string& detector_id,
                                              const std::string& after, size_t limit) = 0;

  // Publishing destinations, keyed by (detector, id); `max_per_detector` per detector.
  virtual StatusOr<std::string> CreatePublishingDestination(
      const PublishingDestinationRecord& destination, size_t max_per_detector,
      const ClientToken& token) = 0;
  virtual StatusOr<PublishingDestinationRecord> GetPublishingDestination(
      const std::string& detector_id, const std::string& id) = 0;
  // Replaces the destination's properties, status and failure time.
  virtual Status UpdatePublishingDestination(const PublishingDestinationRecord& destination) = 0;
  virtual Status DeletePublishingDestination(const std::string& detector_id,
                                             const std::string& id) = 0;
  // Sets the publishing status and failure time, unless the destination was changed
  // (its updated_at differs from `seen_updated_at`) since the caller read it.
  virtual Status SetPublishingStatus(const std::string& detector_id, const std::string& id,
                                     int64_t seen_updated_at, const std::string& status,
                                     int64_t failure_started_at) = 0;
  virtual StatusOr<KeyPage> ListPublishingDestinationIds(const std::string& detector_id,
                                                         const std::string& after,
                                                         size_t limit) = 0;

  // Tags of any taggable resource. NotFound when the resource does not exist;
  // TagResource fails with LimitExceeded when the merged set would exceed `max_tags`.
  virtual StatusOr<Tags> GetTags(const ResourceRef& resource) = 0;
  virtual Status TagResource(const ResourceRef& resource, const Tags& tags, size_t max_tags) = 0;
  virtual Status UntagResource(const ResourceRef& resource,
                               const std::vector<std::string>& keys) = 0;

  // Findings. Upserts by (detector, aggregation key), all in one transaction: a new key
  // inserts the incoming record; an existing one replaces the stored finding with
  // merge(existing, incoming), which must keep the id. Returns, for each incoming record
  // in order, the stored record and whether it was created. NotFound when a detector
  // does not exist (and nothing is written). With `batch`, the same transaction records
  // its event ids as seen and its watched file as processed (replacing an earlier record
  // of the same path; findings_created and findings_updated are counted from this
  // upsert), so a batch's findings and its bookkeeping are committed together or not at
  // all; `incoming` may then be empty.
  using FindingMerge = std::function<StatusOr<FindingRecord>(const FindingRecord& existing,
                                                             const FindingRecord& incoming)>;
  struct UpsertOutcome {
    FindingRecord stored;
    bool created = false;
  };
  virtual StatusOr<std::vector<UpsertOutcome>> UpsertFindings(
      const std::vector<FindingRecord>& incoming, const FindingMerge& merge,
      const IngestedBatch* batch = nullptr) = 0;
  // The findings with these ids among `detector_ids`, in no particular order; unknown
  // ids are skipped.
  virtual StatusOr<std::vector<FindingRecord>> GetFindings(
      const std::vector<std::string>& detector_ids, const std::vector<std::string>& ids) = 0;
  // One page of ids matching `query`, in its sort order.
  virtual StatusOr<FindingIdPage> QueryFindings(const FindingQuery& query) = 0;
  // (severity, count) of every finding matching `query` (offset and limit ignored).
  virtual StatusOr<std::vector<std::pair<double, int64_t>>> CountFindingsBySeverity(
      const FindingQuery& query) = 0;
  // Applies `change` to each named finding in one transaction (archive, feedback...);
  // `change` must keep id and aggregation key. Unknown ids are skipped.
  virtual Status UpdateFindings(const std::vector<std::string>& detector_ids,
                                const std::vector<std::string>& ids,
                                const std::function<void(FindingRecord&)>& change) = 0;
  // Deletes findings last updated before `cutoff_millis`; returns how many.
  virtual StatusOr<int64_t> PurgeFindingsUpdatedBefore(int64_t cutoff_millis) = 0;

  // Publishing. The findings of `detector_id` with unpublished changes that were last
  // published at or before `published_before` (never-published ones always), oldest
  // change first.
  virtual StatusOr<std::vector<FindingRecord>> FindingsToPublish(const std::string& detector_id,
                                                                 int64_t published_before,
                                                                 size_t limit) = 0;
  // In one transaction: marks `published` as published at `now_millis` (a finding
  // changed since the version published stays pending) and queues `entries`.
  virtual Status RecordPublication(const std::vector<PublishedFinding>& published,
                                   int64_t now_millis, const std::vector<OutboxEntry>& entries) = 0;
  // The oldest `limit` entries queued for `sink`, in order.
  virtual StatusOr<std::vector<OutboxEntry>> PeekOutbox(const std::string& sink, size_t limit) = 0;
  // Removes the entries of `sink` up to and including `through_seq` (delivered).
  virtual Status RemoveFromOutbox(const std::string& sink, int64_t through_seq) = 0;
  // Every sink with queued entries.
  virtual StatusOr<std::vector<std::string>> OutboxSinks() = 0;
  // Every detector and every publishing destination (the publisher visits them all).
  virtual StatusOr<std::vector<DetectorRecord>> ListAllDetectors() = 0;
  virtual StatusOr<std::vector<PublishingDestinationRecord>> ListAllPublishingDestinations() = 0;

  // Whether each event id (CloudTrail eventID), in order, was recorded for the detector
  // by an earlier batch (UpsertFindings): a re-delivered event counts once.
  virtual StatusOr<std::vector<bool>> EventIdsSeen(const std::string& detector_id,
                                                   const std::vector<std::string>& event_ids) = 0;
  // Forgets event ids recorded before `cutoff_millis`.
  virtual Status PurgeEventIdsBefore(int64_t cutoff_millis) = 0;

  // Every file the folder watcher processed (recorded by UpsertFindings with its batch)
  // under `directory` (an absolute path without a trailing '/'), in path order.
  virtual StatusOr<std::vector<ProcessedFileRecord>> ListProcessedFiles(
      const std::string& directory) = 0;

  // Usage counters (GetUsageStatistics). RecordUsage adds a batch to its day's counters
  // (NotFound for a missing detector); ReadUsage sums the counters of `detector_ids` from
  // `from_day` on per (detector, data source, resource).
  virtual Status RecordUsage(const UsageBatch& batch) = 0;
  virtual StatusOr<std::vector<UsageRow>> ReadUsage(const std::vector<std::string>& detector_ids,
                                                    int64_t from_day) = 0;

  // A detector's malware scan settings as a JSON document ("" when never set); the
  // detector must exist (callers check it).
  virtual StatusOr<std::string> GetMalwareScanSettings(const std::string& detector_id) = 0;
  virtual Status SetMalwareScanSettings(const std::string& detector_id,
                                        const std::string& settings_json) = 0;

  // Refreshes the query planner's statistics (SQLite ANALYZE, sampled): without them it
  // may pick an index that filters where one that sorts is far faster. Takes about a
  // second at a million findings; run at start and periodically.
  virtual Status RefreshStatistics() = 0;

  // Drops every row (the test-suite reset endpoint).
  virtual Status Reset() = 0;
  // Bytes the store occupies (database pages), for metrics.
  virtual int64_t SizeBytes() = 0;
};

// NotFound with GuardDuty's message for a detector the caller does not own (or that
// does not exist): every store method that checks a detector answers with it.
Status DetectorNotOwned();

// Opens (creating and migrating as needed) the SQLite store at `path`;
// ":memory:" gives a private in-memory database.
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace vigil
