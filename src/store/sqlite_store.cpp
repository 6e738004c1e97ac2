// SQLite implementation of Store's control plane (detectors, filters, threat lists,
// tags, client tokens) over one SqliteDatabase connection.
#include <algorithm>
#include <string_view>
#include <utility>

#include "store/sqlite_database.h"
#include "store/sqlite_findings.h"
#include "store/sqlite_members.h"
#include "store/sqlite_usage.h"
#include "store/store.h"

namespace vigil {

namespace {

int KindColumn(ThreatListKind kind) { return kind == ThreatListKind::kIpSet ? 0 : 1; }
int KindColumn(ResourceKind kind) { return static_cast<int>(kind); }

// Members, invitations and the organization are SqliteMemberStore's (sqlite_members.cpp).
class SqliteStore final : public SqliteMemberStore {
 public:
  explicit SqliteStore(std::unique_ptr<SqliteDatabase> database)
      : SqliteMemberStore(*database),
        database_(std::move(database)),
        db_(*database_),
        findings_(db_),
        usage_(db_) {}

  StatusOr<std::string> CreateDetector(const DetectorRecord& detector, const Tags& tags,
                                       const ClientToken& token) override {
    auto lock = db_.Lock();
    return db_.InTransaction<std::string>([&]() -> StatusOr<std::string> {
      if (auto earlier = ClaimedResource(token); !earlier.empty()) {
        auto row = db_.Prepare("SELECT 1 FROM detectors WHERE id = ?");
        if (row.Bind(earlier).Next()) return earlier;
      }
      auto existing = db_.Prepare("SELECT 1 FROM detectors WHERE account = ? AND region = ?");
      if (existing.Bind(detector.account, detector.region).Next()) {
        return Status::LimitExceeded(
            "The request is rejected because a detector already exists for the current "
            "account.");
      }
      VIGIL_RETURN_IF_ERROR(existing.status());
      const DataSourceSettings& sources = detector.data_sources;
      VIGIL_RETURN_IF_ERROR(
          db_.Prepare("INSERT INTO detectors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
              .Bind(detector.id, detector.account, detector.region, detector.enabled,
                    detector.finding_publishing_frequency, sources.s3_logs,
                    sources.kubernetes_audit_logs, sources.malware_protection_ebs_volumes,
                    detector.created_at, detector.updated_at)
              .Run());
      VIGIL_RETURN_IF_ERROR(InsertTags({detector.id, ResourceKind::kDetector, ""}, tags));
      VIGIL_RETURN_IF_ERROR(RecordClaim(token, detector.id));
      return detector.id;
    });
  }

  StatusOr<DetectorRecord> GetDetector(const std::string& account, const std::string& region,
                                       const std::string& detector_id) override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT enabled, finding_publishing_frequency, s3_logs, kubernetes_audit_logs, "
        "malware_protection_ebs_volumes, created_at, updated_at FROM detectors "
        "WHERE id = ? AND account = ? AND region = ?");
    if (!query.Bind(detector_id, account, region).Next()) {
      VIGIL_RETURN_IF_ERROR(query.status());
      return DetectorNotOwned();
    }
    DetectorRecord detector;
    detector.id = detector_id;
    detector.account = account;
    detector.region = region;
    detector.enabled = query.Bool(0);
    detector.finding_publishing_frequency = query.Text(1);
    detector.data_sources = {query.Bool(2), query.Bool(3), query.Bool(4)};
    detector.created_at = query.Int(5);
    detector.updated_at = query.Int(6);
    return detector;
  }

  Status UpdateDetector(const DetectorRecord& detector) override {
    auto lock = db_.Lock();
    const DataSourceSettings& sources = detector.data_sources;
    return ExpectOneChange(
        db_.Prepare("UPDATE detectors SET enabled = ?, finding_publishing_frequency = ?, "
                    "s3_logs = ?, kubernetes_audit_logs = ?, malware_protection_ebs_volumes = ?, "
                    "updated_at = ? WHERE id = ?")
            .Bind(detector.enabled, detector.finding_publishing_frequency, sources.s3_logs,
                  sources.kubernetes_audit_logs, sources.malware_protection_ebs_volumes,
                  detector.updated_at, detector.id)
            .Run(),
        DetectorNotOwned());
  }

  Status DeleteDetector(const std::string& detector_id) override {
    auto lock = db_.Lock();
    auto deleted = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      VIGIL_RETURN_IF_ERROR(ReleaseMembersOfDetector(detector_id));
      // Children and tags go with it through ON DELETE CASCADE, in the same statement.
      VIGIL_RETURN_IF_ERROR(
          ExpectOneChange(db_.Prepare("DELETE FROM detectors WHERE id = ?").Bind(detector_id).Run(),
                          DetectorNotOwned()));
      return true;
    });
    return deleted.status();
  }

  StatusOr<KeyPage> ListDetectorIds(const std::string& account, const std::string& region,
                                    const std::string& after, size_t limit) override {
    auto lock = db_.Lock();
    return ReadPage(
        db_.Prepare("SELECT id FROM detectors WHERE account = ? AND region = ? AND id > ? "
                    "ORDER BY id LIMIT ?")
            .Bind(account, region, after, limit + 1),
        limit);
  }

  StatusOr<std::string> CreateFilter(const FilterRecord& filter, const Tags& tags,
                                     size_t max_filters, const ClientToken& token) override {
    auto lock = db_.Lock();
    return db_.InTransaction<std::string>([&]() -> StatusOr<std::string> {
      if (auto earlier = ClaimedResource(token); !earlier.empty()) {
        auto row = db_.Prepare("SELECT 1 FROM filters WHERE detector_id = ? AND name = ?");
        if (row.Bind(filter.detector_id, earlier).Next()) return earlier;
      }
      VIGIL_RETURN_IF_ERROR(RequireDetector(filter.detector_id));
      auto duplicate = db_.Prepare("SELECT 1 FROM filters WHERE detector_id = ? AND name = ?");
      if (duplicate.Bind(filter.detector_id, filter.name).Next()) {
        return Status::AlreadyExists("The request is rejected because a filter named '" +
                                     filter.name + "' already exists (parameter name).");
      }
      auto count = db_.Prepare("SELECT COUNT(*) FROM filters WHERE detector_id = ?");
      count.Bind(filter.detector_id).Next();
      if (static_cast<size_t>(count.Int(0)) >= max_filters) {
        return Status::LimitExceeded("The request is rejected because the filter limit of " +
                                     std::to_string(max_filters) +
                                     " per detector has been exceeded.");
      }
      VIGIL_RETURN_IF_ERROR(db_.Prepare("INSERT INTO filters VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                                .Bind(filter.detector_id, filter.name, filter.description,
                                      filter.action, filter.rank, filter.finding_criteria_json,
                                      filter.created_at, filter.updated_at)
                                .Run());
      VIGIL_RETURN_IF_ERROR(
          InsertTags({filter.detector_id, ResourceKind::kFilter, filter.name}, tags));
      VIGIL_RETURN_IF_ERROR(RecordClaim(token, filter.name));
      return filter.name;
    });
  }

  StatusOr<FilterRecord> GetFilter(const std::string& detector_id,
                                   const std::string& name) override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT description, action, rank, finding_criteria, created_at, updated_at "
        "FROM filters WHERE detector_id = ? AND name = ?");
    if (!query.Bind(detector_id, name).Next()) {
      VIGIL_RETURN_IF_ERROR(query.status());
      return NoSuchResource("filter", name);
    }
    return FilterRecord{
        detector_id,   name,         query.Text(0), query.Text(1), static_cast<int>(query.Int(2)),
        query.Text(3), query.Int(4), query.Int(5)};
  }

  Status UpdateFilter(const FilterRecord& filter) override {
    auto lock = db_.Lock();
    return ExpectOneChange(
        db_.Prepare(
               "UPDATE filters SET description = ?, action = ?, rank = ?, finding_criteria = ?, "
               "updated_at = ? WHERE detector_id = ? AND name = ?")
            .Bind(filter.description, filter.action, filter.rank, filter.finding_criteria_json,
                  filter.updated_at, filter.detector_id, filter.name)
            .Run(),
        NoSuchResource("filter", filter.name));
  }

  Status DeleteFilter(const std::string& detector_id, const std::string& name) override {
    auto lock = db_.Lock();
    auto deleted = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      VIGIL_RETURN_IF_ERROR(
          ExpectOneChange(db_.Prepare("DELETE FROM filters WHERE detector_id = ? AND name = ?")
                              .Bind(detector_id, name)
                              .Run(),
                          NoSuchResource("filter", name)));
      VIGIL_RETURN_IF_ERROR(DeleteTags({detector_id, ResourceKind::kFilter, name}));
      return true;
    });
    return deleted.status();
  }

  StatusOr<std::vector<FilterRecord>> ListFilters(const std::string& detector_id) override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT name, description, action, rank, finding_criteria, created_at, updated_at "
        "FROM filters WHERE detector_id = ? ORDER BY rank, name");
    query.Bind(detector_id);
    std::vector<FilterRecord> filters;
    while (query.Next()) {
      filters.push_back(FilterRecord{detector_id, query.Text(0), query.Text(1), query.Text(2),
                                     static_cast<int>(query.Int(3)), query.Text(4), query.Int(5),
                                     query.Int(6)});
    }
    VIGIL_RETURN_IF_ERROR(query.status());
    return filters;
  }

  StatusOr<KeyPage> ListFilterNames(const std::string& detector_id, const std::string& after,
                                    size_t limit) override {
    auto lock = db_.Lock();
    return ReadPage(db_.Prepare("SELECT name FROM filters WHERE detector_id = ? AND name > ? "
                                "ORDER BY name LIMIT ?")
                        .Bind(detector_id, after, limit + 1),
                    limit);
  }

  StatusOr<std::string> CreateThreatList(const ThreatListRecord& list, const Tags& tags,
                                         size_t max_per_detector,
                                         const ClientToken& token) override {
    auto lock = db_.Lock();
    const int kind = KindColumn(list.kind);
    return db_.InTransaction<std::string>([&]() -> StatusOr<std::string> {
      if (auto earlier = ClaimedResource(token); !earlier.empty()) {
        auto row =
            db_.Prepare("SELECT 1 FROM threat_lists WHERE kind = ? AND detector_id = ? AND id = ?");
        if (row.Bind(kind, list.detector_id, earlier).Next()) return earlier;
      }
      VIGIL_RETURN_IF_ERROR(RequireDetector(list.detector_id));
      auto count =
          db_.Prepare("SELECT COUNT(*) FROM threat_lists WHERE kind = ? AND detector_id = ?");
      count.Bind(kind, list.detector_id).Next();
      if (static_cast<size_t>(count.Int(0)) >= max_per_detector) {
        return Status::LimitExceeded(
            std::string("The request is rejected because the limit of ") +
            std::to_string(max_per_detector) +
            (list.kind == ThreatListKind::kIpSet ? " IPSet" : " ThreatIntelSets") +
            " per detector has been reached.");
      }
      VIGIL_RETURN_IF_ERROR(
          db_.Prepare("INSERT INTO threat_lists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
              .Bind(kind, list.detector_id, list.id, list.name, list.format, list.location,
                    list.status, list.created_at, list.updated_at)
              .Run());
      VIGIL_RETURN_IF_ERROR(
          InsertTags({list.detector_id, ResourceKindOf(list.kind), list.id}, tags));
      VIGIL_RETURN_IF_ERROR(RecordClaim(token, list.id));
      return list.id;
    });
  }

  StatusOr<ThreatListRecord> GetThreatList(ThreatListKind kind, const std::string& detector_id,
                                           const std::string& id) override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT name, format, location, status, created_at, updated_at FROM threat_lists "
        "WHERE kind = ? AND detector_id = ? AND id = ?");
    if (!query.Bind(KindColumn(kind), detector_id, id).Next()) {
      VIGIL_RETURN_IF_ERROR(query.status());
      return NoSuchResource(ListWord(kind), id);
    }
    return ThreatListRecord{kind,          detector_id,   id,
                            query.Text(0), query.Text(1), query.Text(2),
                            query.Text(3), query.Int(4),  query.Int(5)};
  }

  Status UpdateThreatList(const ThreatListRecord& list) override {
    auto lock = db_.Lock();
    return ExpectOneChange(
        db_.Prepare("UPDATE threat_lists SET name = ?, location = ?, status = ?, updated_at = ? "
                    "WHERE kind = ? AND detector_id = ? AND id = ?")
            .Bind(list.name, list.location, list.status, list.updated_at, KindColumn(list.kind),
                  list.detector_id, list.id)
            .Run(),
        NoSuchResource(ListWord(list.kind), list.id));
  }

  Status DeleteThreatList(ThreatListKind kind, const std::string& detector_id,
                          const std::string& id) override {
    auto lock = db_.Lock();
    auto deleted = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      VIGIL_RETURN_IF_ERROR(ExpectOneChange(
          db_.Prepare("DELETE FROM threat_lists WHERE kind = ? AND detector_id = ? AND id = ?")
              .Bind(KindColumn(kind), detector_id, id)
              .Run(),
          NoSuchResource(ListWord(kind), id)));
      VIGIL_RETURN_IF_ERROR(DeleteTags({detector_id, ResourceKindOf(kind), id}));
      return true;
    });
    return deleted.status();
  }

  Status SetThreatListStatus(ThreatListKind kind, const std::string& detector_id,
                             const std::string& id, const std::string& expected,
                             const std::string& status) override {
    auto lock = db_.Lock();
    return db_
        .Prepare(
            "UPDATE threat_lists SET status = ? WHERE kind = ? AND detector_id = ? AND id = ? "
            "AND status = ?")
        .Bind(status, KindColumn(kind), detector_id, id, expected)
        .Run();
  }

  StatusOr<std::vector<ThreatListRecord>> ListAllThreatLists() override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT kind, detector_id, id, name, format, location, status, created_at, updated_at "
        "FROM threat_lists ORDER BY detector_id, kind, id");
    std::vector<ThreatListRecord> lists;
    while (query.Next()) {
      lists.push_back(ThreatListRecord{
          query.Int(0) == 0 ? ThreatListKind::kIpSet : ThreatListKind::kThreatIntelSet,
          query.Text(1), query.Text(2), query.Text(3), query.Text(4), query.Text(5), query.Text(6),
          query.Int(7), query.Int(8)});
    }
    VIGIL_RETURN_IF_ERROR(query.status());
    return lists;
  }

  StatusOr<KeyPage> ListThreatListIds(ThreatListKind kind, const std::string& detector_id,
                                      const std::string& after, size_t limit) override {
    auto lock = db_.Lock();
    return ReadPage(db_.Prepare("SELECT id FROM threat_lists WHERE kind = ? AND detector_id = ? "
                                "AND id > ? ORDER BY id LIMIT ?")
                        .Bind(KindColumn(kind), detector_id, after, limit + 1),
                    limit);
  }

  StatusOr<std::string> CreatePublishingDestination(const PublishingDestinationRecord& destination,
                                                    size_t max_per_detector,
                                                    const ClientToken& token) override {
    auto lock = db_.Lock();
    return db_.InTransaction<std::string>([&]() -> StatusOr<std::string> {
      if (auto earlier = ClaimedResource(token); !earlier.empty()) {
        auto row =
            db_.Prepare("SELECT 1 FROM publishing_destinations WHERE detector_id = ? AND id = ?");
        if (row.Bind(destination.detector_id, earlier).Next()) return earlier;
      }
      VIGIL_RETURN_IF_ERROR(RequireDetector(destination.detector_id));
      auto count =
          db_.Prepare("SELECT COUNT(*) FROM publishing_destinations WHERE detector_id = ?");
      count.Bind(destination.detector_id).Next();
      if (static_cast<size_t>(count.Int(0)) >= max_per_detector) {
        return Status::LimitExceeded("The request is rejected because the limit of " +
                                     std::to_string(max_per_detector) +
                                     " publishing destination per detector has been reached.");
      }
      VIGIL_RETURN_IF_ERROR(
          db_.Prepare("INSERT INTO publishing_destinations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
              .Bind(destination.detector_id, destination.id, destination.type,
                    destination.destination_arn, destination.kms_key_arn, destination.status,
                    destination.failure_started_at, destination.created_at, destination.updated_at)
              .Run());
      VIGIL_RETURN_IF_ERROR(RecordClaim(token, destination.id));
      return destination.id;
    });
  }

  StatusOr<PublishingDestinationRecord> GetPublishingDestination(const std::string& detector_id,
                                                                 const std::string& id) override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT type, destination_arn, kms_key_arn, status, failure_started_at, created_at, "
        "updated_at FROM publishing_destinations WHERE detector_id = ? AND id = ?");
    if (!query.Bind(detector_id, id).Next()) {
      VIGIL_RETURN_IF_ERROR(query.status());
      return NoSuchResource("publishing destination", id);
    }
    return PublishingDestinationRecord{
        detector_id,   id,           query.Text(0), query.Text(1), query.Text(2),
        query.Text(3), query.Int(4), query.Int(5),  query.Int(6)};
  }

  Status UpdatePublishingDestination(const PublishingDestinationRecord& destination) override {
    auto lock = db_.Lock();
    return ExpectOneChange(
        db_.Prepare("UPDATE publishing_destinations SET destination_arn = ?, kms_key_arn = ?, "
                    "status = ?, failure_started_at = ?, updated_at = ? "
                    "WHERE detector_id = ? AND id = ?")
            .Bind(destination.destination_arn, destination.kms_key_arn, destination.status,
                  destination.failure_started_at, destination.updated_at, destination.detector_id,
                  destination.id)
            .Run(),
        NoSuchResource("publishing destination", destination.id));
  }

  Status DeletePublishingDestination(const std::string& detector_id,
                                     const std::string& id) override {
    auto lock = db_.Lock();
    return ExpectOneChange(
        db_.Prepare("DELETE FROM publishing_destinations WHERE detector_id = ? AND id = ?")
            .Bind(detector_id, id)
            .Run(),
        NoSuchResource("publishing destination", id));
  }

  Status SetPublishingStatus(const std::string& detector_id, const std::string& id,
                             int64_t seen_updated_at, const std::string& status,
                             int64_t failure_started_at) override {
    auto lock = db_.Lock();
    return db_
        .Prepare(
            "UPDATE publishing_destinations SET status = ?, failure_started_at = ? "
            "WHERE detector_id = ? AND id = ? AND updated_at = ?")
        .Bind(status, failure_started_at, detector_id, id, seen_updated_at)
        .Run();
  }

  StatusOr<KeyPage> ListPublishingDestinationIds(const std::string& detector_id,
                                                 const std::string& after, size_t limit) override {
    auto lock = db_.Lock();
    return ReadPage(db_.Prepare("SELECT id FROM publishing_destinations WHERE detector_id = ? "
                                "AND id > ? ORDER BY id LIMIT ?")
                        .Bind(detector_id, after, limit + 1),
                    limit);
  }

  StatusOr<Tags> GetTags(const ResourceRef& resource) override {
    auto lock = db_.Lock();
    VIGIL_RETURN_IF_ERROR(RequireResource(resource));
    auto query =
        db_.Prepare("SELECT key, value FROM tags WHERE detector_id = ? AND kind = ? AND child = ?");
    query.Bind(resource.detector_id, KindColumn(resource.kind), resource.child);
    Tags tags;
    while (query.Next()) tags.emplace(query.Text(0), query.Text(1));
    VIGIL_RETURN_IF_ERROR(query.status());
    return tags;
  }

  Status TagResource(const ResourceRef& resource, const Tags& tags, size_t max_tags) override {
    auto lock = db_.Lock();
    auto tagged = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      VIGIL_RETURN_IF_ERROR(RequireResource(resource));
      VIGIL_RETURN_IF_ERROR(InsertTags(resource, tags));
      auto count =
          db_.Prepare("SELECT COUNT(*) FROM tags WHERE detector_id = ? AND kind = ? AND child = ?");
      count.Bind(resource.detector_id, KindColumn(resource.kind), resource.child).Next();
      if (static_cast<size_t>(count.Int(0)) > max_tags) {
        return Status::LimitExceeded(
            "The request is rejected because the parameter tags would "
            "give the resource more than " +
            std::to_string(max_tags) + " tags.");
      }
      return true;
    });
    return tagged.status();
  }

  Status UntagResource(const ResourceRef& resource, const std::vector<std::string>& keys) override {
    auto lock = db_.Lock();
    auto untagged = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      VIGIL_RETURN_IF_ERROR(RequireResource(resource));
      for (const std::string& key : keys) {
        VIGIL_RETURN_IF_ERROR(
            db_.Prepare(
                   "DELETE FROM tags WHERE detector_id = ? AND kind = ? AND child = ? AND key = ?")
                .Bind(resource.detector_id, KindColumn(resource.kind), resource.child, key)
                .Run());
      }
      return true;
    });
    return untagged.status();
  }

  StatusOr<std::vector<UpsertOutcome>> UpsertFindings(const std::vector<FindingRecord>& incoming,
                                                      const FindingMerge& merge,
                                                      const IngestedBatch* batch) override {
    auto lock = db_.Lock();
    if (batch == nullptr) return findings_.Upsert(incoming, merge);
    return findings_.Upsert(incoming, merge, [&](const std::vector<UpsertOutcome>& outcomes) {
      return WriteBatch(*batch, outcomes);
    });
  }

  StatusOr<std::vector<FindingRecord>> GetFindings(const std::vector<std::string>& detector_ids,
                                                   const std::vector<std::string>& ids) override {
    auto lock = db_.Lock();
    return findings_.Get(detector_ids, ids);
  }

  StatusOr<FindingIdPage> QueryFindings(const FindingQuery& query) override {
    auto lock = db_.Lock();
    return findings_.QueryIds(query);
  }

  StatusOr<std::vector<std::pair<double, int64_t>>> CountFindingsBySeverity(
      const FindingQuery& query) override {
    auto lock = db_.Lock();
    return findings_.CountBySeverity(query);
  }

  Status UpdateFindings(const std::vector<std::string>& detector_ids,
                        const std::vector<std::string>& ids,
                        const std::function<void(FindingRecord&)>& change) override {
    auto lock = db_.Lock();
    return findings_.Update(detector_ids, ids, change);
  }

  StatusOr<int64_t> PurgeFindingsUpdatedBefore(int64_t cutoff_millis) override {
    auto lock = db_.Lock();
    return findings_.PurgeUpdatedBefore(cutoff_millis);
  }

  StatusOr<std::vector<FindingRecord>> FindingsToPublish(const std::string& detector_id,
                                                         int64_t published_before,
                                                         size_t limit) override {
    auto lock = db_.Lock();
    return findings_.ToPublish(detector_id, published_before, limit);
  }

  Status RecordPublication(const std::vector<PublishedFinding>& published, int64_t now_millis,
                           const std::vector<OutboxEntry>& entries) override {
    auto lock = db_.Lock();
    auto recorded = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      VIGIL_RETURN_IF_ERROR(findings_.MarkPublished(published, now_millis));
      for (const OutboxEntry& entry : entries) {
        VIGIL_RETURN_IF_ERROR(db_.Prepare("INSERT INTO outbox (sink, payload) VALUES (?, ?)")
                                  .Bind(entry.sink, entry.payload)
                                  .Run());
      }
      return true;
    });
    return recorded.status();
  }

  StatusOr<std::vector<OutboxEntry>> PeekOutbox(const std::string& sink, size_t limit) override {
    auto lock = db_.Lock();
    auto query = db_.Prepare("SELECT seq, payload FROM outbox WHERE sink = ? ORDER BY seq LIMIT ?");
    query.Bind(sink, limit);
    std::vector<OutboxEntry> entries;
    while (query.Next()) entries.push_back({query.Int(0), sink, query.Text(1)});
    VIGIL_RETURN_IF_ERROR(query.status());
    return entries;
  }

  Status RemoveFromOutbox(const std::string& sink, int64_t through_seq) override {
    auto lock = db_.Lock();
    return db_.Prepare("DELETE FROM outbox WHERE sink = ? AND seq <= ?")
        .Bind(sink, through_seq)
        .Run();
  }

  StatusOr<std::vector<std::string>> OutboxSinks() override {
    auto lock = db_.Lock();
    auto query = db_.Prepare("SELECT DISTINCT sink FROM outbox");
    std::vector<std::string> sinks;
    while (query.Next()) sinks.push_back(query.Text(0));
    VIGIL_RETURN_IF_ERROR(query.status());
    return sinks;
  }

  StatusOr<std::vector<DetectorRecord>> ListAllDetectors() override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT id, account, region, enabled, finding_publishing_frequency, s3_logs, "
        "kubernetes_audit_logs, malware_protection_ebs_volumes, created_at, updated_at "
        "FROM detectors ORDER BY id");
    std::vector<DetectorRecord> detectors;
    while (query.Next()) {
      DetectorRecord detector;
      detector.id = query.Text(0);
      detector.account = query.Text(1);
      detector.region = query.Text(2);
      detector.enabled = query.Bool(3);
      detector.finding_publishing_frequency = query.Text(4);
      detector.data_sources = {query.Bool(5), query.Bool(6), query.Bool(7)};
      detector.created_at = query.Int(8);
      detector.updated_at = query.Int(9);
      detectors.push_back(std::move(detector));
    }
    VIGIL_RETURN_IF_ERROR(query.status());
    return detectors;
  }

  StatusOr<std::vector<PublishingDestinationRecord>> ListAllPublishingDestinations() override {
    auto lock = db_.Lock();
    auto query = db_.Prepare(
        "SELECT detector_id, id, type, destination_arn, kms_key_arn, status, failure_started_at, "
        "created_at, updated_at FROM publishing_destinations ORDER BY detector_id, id");
    std::vector<PublishingDestinationRecord> destinations;
    while (query.Next()) {
      destinations.push_back({query.Text(0), query.Text(1), query.Text(2), query.Text(3),
                              query.Text(4), query.Text(5), query.Int(6), query.Int(7),
                              query.Int(8)});
    }
    VIGIL_RETURN_IF_ERROR(query.status());
    return destinations;
  }

  StatusOr<std::vector<bool>> EventIdsSeen(const std::string& detector_id,
                                           const std::vector<std::string>& event_ids) override {
    auto lock = db_.Lock();
    std::vector<bool> seen;
    seen.reserve(event_ids.size());
    for (const std::string& event_id : event_ids) {
      auto query =
          db_.Prepare("SELECT 1 FROM ingested_events WHERE detector_id = ? AND event_id = ?");
      seen.push_back(query.Bind(detector_id, event_id).Next());
      VIGIL_RETURN_IF_ERROR(query.status());
    }
    return seen;
  }

  Status PurgeEventIdsBefore(int64_t cutoff_millis) override {
    auto lock = db_.Lock();
    return db_.Prepare("DELETE FROM ingested_events WHERE seen_at < ?").Bind(cutoff_millis).Run();
  }

  StatusOr<std::vector<ProcessedFileRecord>> ListProcessedFiles(
      const std::string& directory) override {
    auto lock = db_.Lock();
    // The paths under "dir/" are those from "dir/" up to "dir0" ('0' follows '/'), so the
    // primary key's index answers this.
    auto query = db_.Prepare(
        "SELECT path, size, modified_at, detector_id, records, rejected, findings_created, "
        "findings_updated, processed_at FROM processed_files WHERE path >= ? AND path < ? "
        "ORDER BY path");
    query.Bind(directory + "/", directory + "0");
    std::vector<ProcessedFileRecord> files;
    while (query.Next()) {
      files.push_back({query.Text(0), query.Int(1), query.Int(2), query.Text(3), query.Int(4),
                       query.Int(5), query.Int(6), query.Int(7), query.Int(8)});
    }
    VIGIL_RETURN_IF_ERROR(query.status());
    return files;
  }

  Status RecordUsage(const UsageBatch& batch) override {
    auto lock = db_.Lock();
    return usage_.Record(batch);
  }

  StatusOr<std::vector<UsageRow>> ReadUsage(const std::vector<std::string>& detector_ids,
                                            int64_t from_day) override {
    auto lock = db_.Lock();
    return usage_.Read(detector_ids, from_day);
  }

  StatusOr<std::string> GetMalwareScanSettings(const std::string& detector_id) override {
    auto lock = db_.Lock();
    return usage_.MalwareScanSettings(detector_id);
  }

  Status SetMalwareScanSettings(const std::string& detector_id,
                                const std::string& settings_json) override {
    auto lock = db_.Lock();
    return usage_.SetMalwareScanSettings(detector_id, settings_json);
  }

  Status RefreshStatistics() override {
    auto lock = db_.Lock();
    return db_.Exec("PRAGMA analysis_limit = 1000; ANALYZE;");
  }

  Status Reset() override {
    auto lock = db_.Lock();
    auto reset = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
      for (const char* table :
           {"ingested_events", "processed_files", "finding_documents", "findings", "detector_keys",
            "tags", "filters", "threat_lists", "publishing_destinations", "outbox", "detectors",
            "client_tokens", "members", "organization_admins"}) {
        VIGIL_RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + table));
      }
      return true;
    });
    return reset.status();
  }

  int64_t SizeBytes() override {
    auto lock = db_.Lock();
    auto pages = db_.Prepare("PRAGMA page_count");
    auto page_size = db_.Prepare("PRAGMA page_size");
    if (!pages.Next() || !page_size.Next()) return 0;
    return pages.Int(0) * page_size.Int(0);
  }

 private:
  static std::string_view ListWord(ThreatListKind kind) {
    return kind == ThreatListKind::kIpSet ? "IPSet" : "ThreatIntelSet";
  }

  static ResourceKind ResourceKindOf(ThreatListKind kind) {
    return kind == ThreatListKind::kIpSet ? ResourceKind::kIpSet : ResourceKind::kThreatIntelSet;
  }

  static Status NoSuchResource(std::string_view what, std::string_view key) {
    return Status::NotFound("The request is rejected since no such resource found: " +
                            std::string(what) + " '" + std::string(key) + "'.");
  }

  // Callers hold the lock (and, with findings, the transaction).
  // The bookkeeping of an ingested batch, in the transaction of its findings' upsert.
  Status WriteBatch(const IngestedBatch& batch, const std::vector<UpsertOutcome>& outcomes) {
    // Findings check their detector as they are written; a batch without any must too
    // (a detector deleted while its batch was evaluated).
    VIGIL_RETURN_IF_ERROR(RequireDetector(batch.detector_id));
    for (const std::string& event_id : batch.event_ids) {
      VIGIL_RETURN_IF_ERROR(db_.Prepare("INSERT OR IGNORE INTO ingested_events VALUES (?, ?, ?)")
                                .Bind(batch.detector_id, event_id, batch.seen_at)
                                .Run());
    }
    if (!batch.processed_file) return Status::Ok();
    ProcessedFileRecord file = *batch.processed_file;
    file.findings_created = std::count_if(outcomes.begin(), outcomes.end(),
                                          [](const UpsertOutcome& o) { return o.created; });
    file.findings_updated = static_cast<int64_t>(outcomes.size()) - file.findings_created;
    return WriteProcessedFile(file);
  }

  Status WriteProcessedFile(const ProcessedFileRecord& file) {
    return db_
        .Prepare(
            "INSERT OR REPLACE INTO processed_files (path, size, modified_at, detector_id, "
            "records, rejected, findings_created, findings_updated, processed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .Bind(file.path, file.size, file.modified_at, file.detector_id, file.records, file.rejected,
              file.findings_created, file.findings_updated, file.processed_at)
        .Run();
  }

  // OK when the statement that gave `status` changed a row, else `if_missing`.
  Status ExpectOneChange(Status status, Status if_missing) {
    VIGIL_RETURN_IF_ERROR(status);
    return db_.Changes() == 0 ? if_missing : Status::Ok();
  }

  StatusOr<KeyPage> ReadPage(Query& query, size_t limit) {
    KeyPage page;
    while (query.Next()) {
      if (page.keys.size() == limit) {
        page.has_more = true;
        break;
      }
      page.keys.push_back(query.Text(0));
    }
    VIGIL_RETURN_IF_ERROR(query.status());
    return page;
  }
  StatusOr<KeyPage> ReadPage(Query&& query, size_t limit) { return ReadPage(query, limit); }

  Status RequireDetector(const std::string& detector_id) {
    auto query = db_.Prepare("SELECT 1 FROM detectors WHERE id = ?");
    if (query.Bind(detector_id).Next()) return Status::Ok();
    VIGIL_RETURN_IF_ERROR(query.status());
    return DetectorNotOwned();
  }

  Status RequireResource(const ResourceRef& resource) {
    switch (resource.kind) {
      case ResourceKind::kDetector:
        return RequireDetector(resource.detector_id);
      case ResourceKind::kFilter: {
        auto query = db_.Prepare("SELECT 1 FROM filters WHERE detector_id = ? AND name = ?");
        if (query.Bind(resource.detector_id, resource.child).Next()) return Status::Ok();
        return NoSuchResource("filter", resource.child);
      }
      case ResourceKind::kIpSet:
      case ResourceKind::kThreatIntelSet: {
        const ThreatListKind kind = resource.kind == ResourceKind::kIpSet
                                        ? ThreatListKind::kIpSet
                                        : ThreatListKind::kThreatIntelSet;
        auto query =
            db_.Prepare("SELECT 1 FROM threat_lists WHERE kind = ? AND detector_id = ? AND id = ?");
        if (query.Bind(KindColumn(kind), resource.detector_id, resource.child).Next()) {
          return Status::Ok();
        }
        return NoSuchResource(KindPathWord(resource.kind), resource.child);
      }
      case ResourceKind::kFinding:
        break;
    }
    return NoSuchResource(KindPathWord(resource.kind), resource.child);
  }

  Status InsertTags(const ResourceRef& resource, const Tags& tags) {
    for (const auto& [key, value] : tags) {
      VIGIL_RETURN_IF_ERROR(
          db_.Prepare("INSERT INTO tags VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                      "(detector_id, kind, child, key) DO UPDATE SET value = excluded.value")
              .Bind(resource.detector_id, KindColumn(resource.kind), resource.child, key, value)
              .Run());
    }
    return Status::Ok();
  }

  Status DeleteTags(const ResourceRef& resource) {
    return db_.Prepare("DELETE FROM tags WHERE detector_id = ? AND kind = ? AND child = ?")
        .Bind(resource.detector_id, KindColumn(resource.kind), resource.child)
        .Run();
  }

  // The resource key an earlier create with this token made, or "" if none.
  std::string ClaimedResource(const ClientToken& token) {
    if (token.token.empty()) return "";
    auto query = db_.Prepare(
        "SELECT resource_key FROM client_tokens WHERE scope = ? AND operation = ? AND token = ?");
    return query.Bind(token.scope, token.operation, token.token).Next() ? query.Text(0) : "";
  }

  Status RecordClaim(const ClientToken& token, const std::string& resource_key) {
    if (token.token.empty()) return Status::Ok();
    return db_.Prepare("INSERT OR REPLACE INTO client_tokens VALUES (?, ?, ?, ?)")
        .Bind(token.scope, token.operation, token.token, resource_key)
        .Run();
  }

  std::unique_ptr<SqliteDatabase> database_;
  SqliteDatabase& db_;  // *database_, named for brevity
  SqliteFindingTable findings_;
  SqliteUsageTable usage_;
};

}  // namespace

Status DetectorNotOwned() {
  return Status::NotFound(
      "The request is rejected because the input detectorId is not owned by the current "
      "account.");
}

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDatabase> database, SqliteDatabase::Open(path));
  return std::unique_ptr<Store>(new SqliteStore(std::move(database)));
}

}  // namespace vigil
