#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "store/database.h"

namespace shequ::store {
namespace {

class SqliteConnection : public Connection {
 public:
  SqliteConnection(const std::string& path, std::shared_ptr<std::timed_mutex> writers) : writers_(std::move(writers)) {
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw SystemError("cannot open SQLite database " + path + ": " + message);
    }
    // Without a busy timeout most concurrent writers fail with "database is
    // locked" (measured in shared/STACK.md).
    sqlite3_busy_timeout(db_, 10000);
    // A 64 MB page cache per connection (default 2 MB): a bulk import into
    // the registry's indexes otherwise spills to the WAL all the time
    // (1,000,000 persons: 53 s with the default, 39 s with this). Temporary
    // files in memory: every multi-row INSERT keeps a statement journal of
    // the pages it changes, and on disk those were 6 of every 7 writes of
    // that import (7.8 million pwrite calls, 1.1 million in memory; 34 s → 30 s).
    // The price: sorts and temporary tables of big statements (an index built
    // over a district's persons) take memory instead of disk while they run.
    ExecuteScript(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
  }

  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  bool Healthy() const override { return true; }

  Rows Query(std::string_view sql, const Params& params) override {
    sqlite3_stmt* stmt = Prepare(sql, params);
    Rows rows;
    int rc;
    try {
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) rows.emplace_back(ReadRow(stmt));
    } catch (...) {  // out of memory reading a row: no open read, no pointers to `params` left
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      throw;
    }
    Finish(stmt, rc);
    return rows;
  }

  int64_t Execute(std::string_view sql, const Params& params) override {
    sqlite3_stmt* stmt = Prepare(sql, params);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    Finish(stmt, rc);
    return sqlite3_changes64(db_);
  }

  void ExecuteScript(std::string_view sql) override {
    char* error = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw SystemError("SQLite: " + message);
    }
  }

  // BEGIN IMMEDIATE takes the write lock at once, so two writers never both
  // read and then deadlock on upgrading. Writers of this process first queue
  // on a mutex: SQLite's busy handler would have them sleep and poll (1 to
  // 100 ms a time), which made the slowest requests wait far longer than needed.
  void Begin(bool write) override {
    if (write && writers_) {
      if (!writers_->try_lock_for(std::chrono::seconds(10))) throw SystemError("SQLite: no write turn within 10 s");
      writing_ = true;
    }
    try {
      ExecuteScript(write ? "BEGIN IMMEDIATE" : "BEGIN");
    } catch (...) {
      EndTurn();
      throw;
    }
  }
  void Commit() override {
    ExecuteScript("COMMIT");
    EndTurn();
  }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) ExecuteScript("ROLLBACK");
    EndTurn();
  }
  void SerializeOn(std::string_view) override {}

 private:
  sqlite3_stmt* Prepare(std::string_view sql, const Params& params) {
    std::string key(sql);
    sqlite3_stmt*& stmt = statements_[key];
    if (stmt == nullptr) {
      if (sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        statements_.erase(key);
        throw SystemError(std::string("SQLite prepare: ") + sqlite3_errmsg(db_) + " in: " + key);
      }
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) Bind(stmt, static_cast<int>(i + 1), params[i]);
    return stmt;
  }

  static void Bind(sqlite3_stmt* stmt, int index, const Value& v) {
    if (auto p = std::get_if<int64_t>(&v)) {
      sqlite3_bind_int64(stmt, index, *p);
    } else if (auto p = std::get_if<double>(&v)) {
      sqlite3_bind_double(stmt, index, *p);
    } else if (auto p = std::get_if<std::string>(&v)) {
      // Not copied: `params` outlives every step of the statement, and
      // Finish unbinds before the caller's values go away.
      sqlite3_bind_text(stmt, index, p->data(), static_cast<int>(p->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(stmt, index);
    }
  }

  static Row ReadRow(sqlite3_stmt* stmt) {
    int n = sqlite3_column_count(stmt);
    std::vector<Value> cells;
    cells.reserve(n);
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER:
          cells.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
          break;
        case SQLITE_FLOAT:
          cells.emplace_back(sqlite3_column_double(stmt, i));
          break;
        case SQLITE_NULL:
          cells.emplace_back(std::monostate{});
          break;
        default: {
          auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
          cells.emplace_back(std::string(text, sqlite3_column_bytes(stmt, i)));
        }
      }
    }
    return Row(std::move(cells));
  }

  void Finish(sqlite3_stmt* stmt, int rc) {
    if (rc == SQLITE_DONE) {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      return;
    }
    int extended = sqlite3_extended_errcode(db_);
    std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw UniqueViolation(message);
    }
    throw SystemError("SQLite: " + message);
  }

  void EndTurn() {
    if (!writing_) return;
    writing_ = false;
    writers_->unlock();
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::shared_ptr<std::timed_mutex> writers_;  // shared by the connections of one Database
  bool writing_ = false;
};

}  // namespace

std::unique_ptr<Connection> OpenSqlite(const std::string& path, std::shared_ptr<std::timed_mutex> writers) {
  return std::make_unique<SqliteConnection>(path, std::move(writers));
}

}  // namespace shequ::store
