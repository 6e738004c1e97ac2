#include "store/schema.h"

#include <string>

namespace vigil {

namespace {

// Append-only: never edit a migration that has shipped; add a new one.
constexpr const char* kMigrations[] = {
    // 1: control plane.
    R"sql(
CREATE TABLE detectors (
  id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  finding_publishing_frequency TEXT NOT NULL,
  s3_logs INTEGER NOT NULL,
  kubernetes_audit_logs INTEGER NOT NULL,
  malware_protection_ebs_volumes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX detectors_by_scope ON detectors(account, region);

CREATE TABLE filters (
  detector_id TEXT NOT NULL REFERENCES detectors(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  action TEXT NOT NULL,
  rank INTEGER NOT NULL,
  finding_criteria TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (detector_id, name)
);

CREATE TABLE threat_lists (
  kind INTEGER NOT NULL,
  detector_id TEXT NOT NULL REFERENCES detectors(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  location TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, detector_id, id)
);

CREATE TABLE tags (
  detector_id TEXT NOT NULL REFERENCES detectors(id) ON DELETE CASCADE,
  kind INTEGER NOT NULL,
  child TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (detector_id, kind, child, key)
);

CREATE TABLE client_tokens (
  scope TEXT NOT NULL,
  operation TEXT NOT NULL,
  token TEXT NOT NULL,
  resource_key TEXT NOT NULL,
  PRIMARY KEY (scope, operation, token)
);
)sql",
    // 2: findings. Indexed columns for the common criteria, the criteria projection
    // beside them, and the (compressed) document in its own table so scans skip it.
    R"sql(
-- Findings name their detector by a small integer: a 32-character id repeated in the
-- row and in every index would cost ~200 bytes per finding.
CREATE TABLE detector_keys (
  key INTEGER PRIMARY KEY,
  detector_id TEXT NOT NULL UNIQUE REFERENCES detectors(id) ON DELETE CASCADE
);

CREATE TABLE findings (
  finding_key INTEGER PRIMARY KEY,
  detector_key INTEGER NOT NULL REFERENCES detector_keys(key) ON DELETE CASCADE,
  id TEXT NOT NULL,
  aggregation_key TEXT NOT NULL,
  account_id TEXT,
  region TEXT,
  type TEXT NOT NULL,
  severity REAL NOT NULL,
  resource_type TEXT,
  instance_id TEXT,
  access_key_id TEXT,
  action_type TEXT,
  remote_ip TEXT,
  threat_list_name TEXT,
  archived INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  feedback_comments TEXT,
  projection BLOB NOT NULL
);
CREATE UNIQUE INDEX findings_by_id ON findings(detector_key, id);
CREATE UNIQUE INDEX findings_by_aggregation ON findings(detector_key, aggregation_key);
CREATE INDEX findings_by_updated ON findings(detector_key, updated_at);
CREATE INDEX findings_by_severity ON findings(detector_key, severity);
CREATE INDEX findings_by_type ON findings(detector_key, type, updated_at);
CREATE INDEX findings_by_instance ON findings(instance_id) WHERE instance_id IS NOT NULL;
CREATE INDEX findings_by_access_key ON findings(access_key_id) WHERE access_key_id IS NOT NULL;
CREATE INDEX findings_by_remote_ip ON findings(remote_ip) WHERE remote_ip IS NOT NULL;

CREATE TABLE finding_documents (
  finding_key INTEGER PRIMARY KEY REFERENCES findings(finding_key) ON DELETE CASCADE,
  document BLOB NOT NULL
);
)sql",
    // 3: CloudTrail events already ingested, so a re-delivered file counts once.
    R"sql(
CREATE TABLE ingested_events (
  detector_id TEXT NOT NULL REFERENCES detectors(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (detector_id, event_id)
) WITHOUT ROWID;
CREATE INDEX ingested_events_by_age ON ingested_events(seen_at);
)sql",
    // 4: publishing destinations (S3 exports of findings).
    R"sql(
CREATE TABLE publishing_destinations (
  detector_id TEXT NOT NULL REFERENCES detectors(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  destination_arn TEXT NOT NULL,
  kms_key_arn TEXT NOT NULL,
  status TEXT NOT NULL,
  failure_started_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (detector_id, id)
);
)sql",
    // 5: publishing. Each finding knows whether it has changes not yet published and when
    // it was last published; what is published waits in the outbox until its sink (a
    // file, a webhook, an S3 destination) has taken it, so nothing is lost to a restart.
    R"sql(
ALTER TABLE findings ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN publish_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX findings_to_publish ON findings(detector_key, published_at)
  WHERE publish_pending = 1;

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sink TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX outbox_by_sink ON outbox(sink, seq);
)sql",
    // 6: log files the folder watcher (vigil serve --watch) has processed, so a restart
    // neither skips nor repeats one. Not tied to a detector: a file is read once.
    R"sql(
CREATE TABLE processed_files (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  detector_id TEXT NOT NULL,
  records INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  findings_created INTEGER NOT NULL,
  findings_updated INTEGER NOT NULL,
  processed_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 7: multi-account. A member record belongs to an administrator account in a region
    // (not to its detector) and doubles as the invitation the member sees; the member's
    // detector is looked up by (account_id, region). One delegated administrator per
    // region, with the organization configuration it manages.
    R"sql(
CREATE TABLE members (
  administrator TEXT NOT NULL,
  region TEXT NOT NULL,
  account_id TEXT NOT NULL,
  email TEXT NOT NULL,
  relationship_status TEXT NOT NULL,
  invitation_id TEXT NOT NULL,
  invited_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  via_organization INTEGER NOT NULL,
  PRIMARY KEY (administrator, region, account_id)
) WITHOUT ROWID;
CREATE INDEX members_by_account ON members(account_id, region);

CREATE TABLE organization_admins (
  region TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  auto_enable INTEGER NOT NULL,
  s3_logs INTEGER NOT NULL,
  kubernetes_audit_logs INTEGER NOT NULL,
  malware_protection_ebs_volumes INTEGER NOT NULL,
  enabled_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 8: usage counters (GetUsageStatistics): what each detector ingested per day, data
    // source and resource; resource '' holds a data source's totals. Malware scan
    // settings (Get/UpdateMalwareScanSettings), one JSON document per detector.
    R"sql(
CREATE TABLE usage_counters (
  detector_id TEXT NOT NULL REFERENCES detectors(id) ON DELETE CASCADE,
  day INTEGER NOT NULL,
  data_source TEXT NOT NULL,
  resource TEXT NOT NULL,
  records INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (detector_id, day, data_source, resource)
) WITHOUT ROWID;

CREATE TABLE malware_scan_settings (
  detector_id TEXT PRIMARY KEY REFERENCES detectors(id) ON DELETE CASCADE,
  settings TEXT NOT NULL
) WITHOUT ROWID;
)sql",
};

constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);

Status Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown SQLite error";
    sqlite3_free(error);
    return Status::Internal("schema migration failed: " + message);
  }
  return Status::Ok();
}

int UserVersion(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  int version = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    version = sqlite3_column_int(statement, 0);
  }
  sqlite3_finalize(statement);
  return version;
}

}  // namespace

int LatestSchemaVersion() { return kMigrationCount; }

Status MigrateSchema(sqlite3* db) {
  const int current = UserVersion(db);
  if (current < 0) return Status::Internal("cannot read the schema version");
  if (current > kMigrationCount) {
    return Status::Internal("the database has schema version " + std::to_string(current) +
                            ", newer than this build of Vigil understands (" +
                            std::to_string(kMigrationCount) + ")");
  }
  if (current == kMigrationCount) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  for (int version = current; version < kMigrationCount; ++version) {
    Status status = Exec(db, kMigrations[version]);
    if (!status.ok()) {
      Exec(db, "ROLLBACK");
      return status;
    }
  }
  const std::string set_version = "PRAGMA user_version = " + std::to_string(kMigrationCount);
  Status status = Exec(db, set_version.c_str());
  if (!status.ok()) {
    Exec(db, "ROLLBACK");
    return status;
  }
  return Exec(db, "COMMIT");
}

}  // namespace vigil
