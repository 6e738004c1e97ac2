// SqliteDatabase: one SQLite connection in WAL mode with cached prepared statements,
// serialized by a mutex — the plumbing under the SQLite Store.
//
// SQLite allows one writer at a time anyway and these statements take microseconds,
// so one connection is both the simplest and a fast design. synchronous=FULL makes
// every acknowledged commit durable. Callers hold Lock() around any use.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace vigil {

// Binds as a BLOB rather than TEXT.
struct Blob {
  std::string_view bytes;
};

// A cached prepared statement in use: binds parameters 1..n, steps, reads columns,
// and resets itself when it goes out of scope so the cache can hand it out again.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  ~Query() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  template <typename... Args>
  Query& Bind(const Args&... args) {
    int index = 0;
    (BindOne(++index, args), ...);
    return *this;
  }
  // Binds parameter `index` (1-based) alone, for statements built at run time.
  template <typename Arg>
  Query& BindAt(int index, const Arg& arg) {
    BindOne(index, arg);
    return *this;
  }

  // True when a row is available; false when done or on error (see status()).
  bool Next();
  // Runs a statement that returns no rows.
  Status Run();
  const Status& status() const { return status_; }

  std::string Text(int column) const;
  std::string_view BlobView(int column) const;  // valid until the next Next()
  int64_t Int(int column) const { return sqlite3_column_int64(statement_, column); }
  double Double(int column) const { return sqlite3_column_double(statement_, column); }
  bool Bool(int column) const { return Int(column) != 0; }
  bool IsNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

 private:
  void BindOne(int index, std::string_view text);
  void BindOne(int index, const std::string& text) { BindOne(index, std::string_view(text)); }
  void BindOne(int index, const char* text) { BindOne(index, std::string_view(text)); }
  void BindOne(int index, Blob blob);
  void BindOne(int index, int64_t number) { sqlite3_bind_int64(statement_, index, number); }
  void BindOne(int index, int number) { sqlite3_bind_int64(statement_, index, number); }
  void BindOne(int index, size_t number) {
    sqlite3_bind_int64(statement_, index, static_cast<int64_t>(number));
  }
  void BindOne(int index, double number) { sqlite3_bind_double(statement_, index, number); }
  void BindOne(int index, bool flag) { sqlite3_bind_int(statement_, index, flag ? 1 : 0); }
  void BindOne(int index, std::nullopt_t) { sqlite3_bind_null(statement_, index); }

  sqlite3* db_;
  sqlite3_stmt* statement_;
  Status status_;
};

class SqliteDatabase {
 public:
  // Opens (creating and migrating as needed) the database at `path`; ":memory:" gives a
  // private in-memory database.
  static StatusOr<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);
  ~SqliteDatabase();

  std::unique_lock<std::mutex> Lock() { return std::unique_lock(mutex_); }

  // The cached statement for `sql`, which must be a string literal (its address is
  // the cache key). Compiled on first use.
  Query Prepare(const char* sql);
  // A statement built at run time; compiled each call and finalized with the Query.
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> Compile(const std::string& sql);
  Query Use(sqlite3_stmt* statement) { return Query(db_, statement); }

  Status Exec(const std::string& sql);
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() { return db_; }

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename T, typename Body>
  StatusOr<T> InTransaction(Body body) {
    VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    StatusOr<T> result = body();
    if (!result.ok()) {
      Exec("ROLLBACK");
      return result;
    }
    Status committed = Exec("COMMIT");
    if (!committed.ok()) {
      Exec("ROLLBACK");
      return committed;
    }
    return result;
  }

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}

  std::mutex mutex_;
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

Status SqliteError(sqlite3* db, std::string_view what);

}  // namespace vigil
