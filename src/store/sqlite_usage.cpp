#include "store/sqlite_usage.h"

#include "store/store.h"

namespace vigil {

Status SqliteUsageTable::Record(const UsageBatch& batch) {
  auto recorded = db_.InTransaction<bool>([&]() -> StatusOr<bool> {
    auto detector = db_.Prepare("SELECT 1 FROM detectors WHERE id = ?");
    if (!detector.Bind(batch.detector_id).Next()) {
      VIGIL_RETURN_IF_ERROR(detector.status());
      return DetectorNotOwned();
    }
    auto add = [&](const std::string& resource, int64_t records, int64_t bytes) {
      return db_
          .Prepare(
              "INSERT INTO usage_counters (detector_id, day, data_source, resource, records, "
              "bytes) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (detector_id, day, data_source, "
              "resource) DO UPDATE SET records = records + excluded.records, "
              "bytes = bytes + excluded.bytes")
          .Bind(batch.detector_id, batch.day, batch.data_source, resource, records, bytes)
          .Run();
    };
    VIGIL_RETURN_IF_ERROR(add("", batch.records, batch.bytes));
    for (const auto& [resource, records] : batch.resource_records) {
      if (!resource.empty()) VIGIL_RETURN_IF_ERROR(add(resource, records, 0));
    }
    return true;
  });
  return recorded.status();
}

StatusOr<std::vector<UsageRow>> SqliteUsageTable::Read(const std::vector<std::string>& detector_ids,
                                                       int64_t from_day) {
  std::vector<UsageRow> rows;
  for (const std::string& detector_id : detector_ids) {
    auto query = db_.Prepare(
        "SELECT data_source, resource, SUM(records), SUM(bytes) FROM usage_counters "
        "WHERE detector_id = ? AND day >= ? GROUP BY data_source, resource "
        "ORDER BY data_source, resource");
    query.Bind(detector_id, from_day);
    while (query.Next()) {
      rows.push_back({detector_id, query.Text(0), query.Text(1), query.Int(2), query.Int(3)});
    }
    VIGIL_RETURN_IF_ERROR(query.status());
  }
  return rows;
}

StatusOr<std::string> SqliteUsageTable::MalwareScanSettings(const std::string& detector_id) {
  auto query = db_.Prepare("SELECT settings FROM malware_scan_settings WHERE detector_id = ?");
  if (query.Bind(detector_id).Next()) return query.Text(0);
  VIGIL_RETURN_IF_ERROR(query.status());
  return std::string();
}

Status SqliteUsageTable::SetMalwareScanSettings(const std::string& detector_id,
                                                const std::string& settings_json) {
  return db_
      .Prepare(
          "INSERT INTO malware_scan_settings (detector_id, settings) VALUES (?, ?) "
          "ON CONFLICT (detector_id) DO UPDATE SET settings = excluded.settings")
      .Bind(detector_id, settings_json)
      .Run();
}

}  // namespace vigil
