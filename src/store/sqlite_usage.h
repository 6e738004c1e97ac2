// The usage half of the SQLite store: per-detector, per-day ingest counters
// (usage_counters) and each detector's malware scan settings. Callers hold the
// database's lock.
#pragma once

#include "store/sqlite_database.h"
#include "store/usage_records.h"

namespace vigil {

class SqliteUsageTable {
 public:
  // Borrows `database`, which must outlive this.
  explicit SqliteUsageTable(SqliteDatabase& database) : db_(database) {}

  // Adds `batch` to its day's counters in one transaction. NotFound for a missing detector.
  Status Record(const UsageBatch& batch);
  // The counters of `detector_ids` from `from_day` on, summed per (detector, data source,
  // resource), ordered by detector, data source and resource.
  StatusOr<std::vector<UsageRow>> Read(const std::vector<std::string>& detector_ids,
                                       int64_t from_day);

  // The detector's malware scan settings document; "" when never set.
  StatusOr<std::string> MalwareScanSettings(const std::string& detector_id);
  Status SetMalwareScanSettings(const std::string& detector_id, const std::string& settings_json);

 private:
  SqliteDatabase& db_;
};

}  // namespace vigil
