// The findings half of the SQLite store: upserts by aggregation key, queries that
// push indexed conditions into SQL and hand the rest to a C++ predicate over each
// row's projection (registered as the SQL function vigil_residual), statistics,
// batch updates and purging. Callers hold the database's lock.
#pragma once

#include <variant>

#include "store/sqlite_database.h"
#include "store/store.h"

namespace vigil {

class SqliteFindingTable {
 public:
  // Registers the SQL functions on `database`, which must outlive this.
  explicit SqliteFindingTable(SqliteDatabase& database);

  // `then`, when given, runs in the upsert's transaction after the findings are written;
  // its failure rolls the findings back too.
  using UpsertFollowUp = std::function<Status(const std::vector<Store::UpsertOutcome>&)>;
  StatusOr<std::vector<Store::UpsertOutcome>> Upsert(const std::vector<FindingRecord>& incoming,
                                                     const Store::FindingMerge& merge,
                                                     const UpsertFollowUp& then = nullptr);
  StatusOr<std::vector<FindingRecord>> Get(const std::vector<std::string>& detector_ids,
                                           const std::vector<std::string>& ids);
  StatusOr<FindingIdPage> QueryIds(const FindingQuery& query);
  StatusOr<std::vector<std::pair<double, int64_t>>> CountBySeverity(const FindingQuery& query);
  Status Update(const std::vector<std::string>& detector_ids, const std::vector<std::string>& ids,
                const std::function<void(FindingRecord&)>& change);
  StatusOr<int64_t> PurgeUpdatedBefore(int64_t cutoff_millis);
  StatusOr<std::vector<FindingRecord>> ToPublish(const std::string& detector_id,
                                                 int64_t published_before, size_t limit);
  // Marks findings published; the caller holds a transaction.
  Status MarkPublished(const std::vector<PublishedFinding>& published, int64_t now_millis);

 private:
  // The WHERE clause of `query` and the values to bind, in order.
  struct WhereClause {
    std::string sql;
    std::vector<std::variant<std::string, double, int64_t>> values;  // one per '?', in order
  };
  static WhereClause BuildWhere(const FindingQuery& query, const std::vector<int64_t>& keys);
  static void BindWhere(vigil::Query& statement, const WhereClause& where);

  // The integer keys of those detectors that have findings (for reads).
  std::vector<int64_t> DetectorKeys(const std::vector<std::string>& detector_ids);
  // The key of `detector_id`, made on its first finding. NotFound for a missing detector.
  StatusOr<int64_t> DetectorKeyForWrite(const std::string& detector_id);

  // Inserts (no `finding_key`) or replaces the finding row and its document.
  Status Write(const FindingRecord& record, int64_t detector_key,
               std::optional<int64_t> finding_key);

  static void ResidualFunction(sqlite3_context* context, int argc, sqlite3_value** argv);
  static void SortKeyFunction(sqlite3_context* context, int argc, sqlite3_value** argv);

  SqliteDatabase& db_;
  const FindingQuery* active_query_ = nullptr;  // set while a query runs
};

}  // namespace vigil
