#include "store/sqlite_database.h"

#include <stdexcept>

#include "store/schema.h"

namespace vigil {

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::Internal(std::string(what) + ": " + sqlite3_errmsg(db));
}

bool Query::Next() {
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result != SQLITE_DONE) status_ = SqliteError(db_, "query failed");
  return false;
}

Status Query::Run() {
  while (Next()) {
  }
  return status_;
}

std::string Query::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return text ? std::string(text, sqlite3_column_bytes(statement_, column)) : std::string();
}

std::string_view Query::BlobView(int column) const {
  const void* bytes = sqlite3_column_blob(statement_, column);
  if (bytes == nullptr) return {};
  return {static_cast<const char*>(bytes),
          static_cast<size_t>(sqlite3_column_bytes(statement_, column))};
}

void Query::BindOne(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}

void Query::BindOne(int index, Blob blob) {
  sqlite3_bind_blob(statement_, index, blob.bytes.data(), static_cast<int>(blob.bytes.size()),
                    SQLITE_TRANSIENT);
}

StatusOr<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status status = Status::Internal("cannot open the store at " + path + ": " +
                                     (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  // A 256 MiB page cache and memory-mapped reads keep scans of large finding tables
  // off the read() path.
  const char* pragmas =
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
      "PRAGMA cache_size = -262144; PRAGMA mmap_size = 2147483648;";
  if (sqlite3_exec(db, pragmas, nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status status = SqliteError(db, "cannot configure the store at " + path);
    sqlite3_close(db);
    return status;
  }
  if (Status migrated = MigrateSchema(db); !migrated.ok()) {
    sqlite3_close(db);
    return migrated;
  }
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db));
}

SqliteDatabase::~SqliteDatabase() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

Query SqliteDatabase::Prepare(const char* sql) {
  auto [it, inserted] = statements_.try_emplace(sql, nullptr);
  if (inserted && sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &it->second,
                                     nullptr) != SQLITE_OK) {
    // A statement that does not compile is a programming error in the store.
    std::string message = sqlite3_errmsg(db_);
    statements_.erase(it);
    throw std::logic_error("SQLite cannot prepare '" + std::string(sql) + "': " + message);
  }
  return Query(db_, it->second);
}

std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> SqliteDatabase::Compile(
    const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr) !=
      SQLITE_OK) {
    throw std::logic_error("SQLite cannot prepare '" + sql + "': " + sqlite3_errmsg(db_));
  }
  return {statement, sqlite3_finalize};
}

Status SqliteDatabase::Exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, sql);
  }
  return Status::Ok();
}

}  // namespace vigil
