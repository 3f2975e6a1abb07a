#pragma once
// The store interface the project owns. Two implementations: SQLite (embedded
// default) and PostgreSQL. SQL is written once with `?` placeholders and runs
// on both; the PostgreSQL side rewrites them to $1, $2, ...
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace shequ::store {

enum class Dialect { kSqlite, kPostgres };

using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Params = std::vector<Value>;

class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cells_.at(i)); }
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  std::string Text(size_t i) const;  // "" for NULL
  std::optional<std::string> OptText(size_t i) const;
  size_t size() const { return cells_.size(); }

 private:
  std::vector<Value> cells_;
};
using Rows = std::vector<Row>;

// A unique or primary-key constraint refused a write. Thrown (a race the
// caller could not check for beforehand); the HTTP edge answers 409.
class UniqueViolation : public SystemError {
 public:
  using SystemError::SystemError;
};

// One open connection. Used by one thread at a time (the pool guarantees it).
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual Rows Query(std::string_view sql, const Params& params = {}) = 0;
  // Returns the number of rows changed.
  virtual int64_t Execute(std::string_view sql, const Params& params = {}) = 0;
  // Several statements, no parameters (migrations).
  virtual void ExecuteScript(std::string_view sql) = 0;
  // Appends rows to `table`: `values` holds them one after another, each
  // `columns.size()` long. Multi-row INSERTs here; PostgreSQL streams them
  // with COPY, which its server ingests several times faster.
  virtual void InsertRows(const std::string& table, const std::vector<std::string>& columns, const Params& values);
  virtual void Begin(bool write) = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  // Inside a write transaction: waits until no other transaction holds `name`.
  // SQLite's BEGIN IMMEDIATE already serialises writers, PostgreSQL takes an
  // advisory transaction lock.
  virtual void SerializeOn(std::string_view name) = 0;
  // False once the connection is unusable; the pool then drops it.
  virtual bool Healthy() const = 0;

  // Runs `fn` after the current transaction commits, not at all if it rolls
  // back: for side effects outside the database (live events).
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }

 private:
  friend class Transaction;
  std::vector<std::function<void()>> after_commit_;
};

// Rolls back unless Commit() was called, so a failure half-way writes nothing.
class Transaction {
 public:
  enum Kind { kRead, kWrite };
  Transaction(Connection& conn, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

struct PoolStats {
  size_t size = 0;
  size_t in_use = 0;
  uint64_t waits = 0;  // acquisitions that had to wait for a free connection
};

class Database {
 public:
  // `url` is "sqlite:PATH" or "postgresql://...". Throws SystemError when the
  // database cannot be opened.
  static std::unique_ptr<Database> Open(const std::string& url, size_t pool_size);
  // A Status for a URL of neither form, before anything is opened.
  static Status CheckUrl(const std::string& url);

  class Lease {
   public:
    Lease(Database& db, std::unique_ptr<Connection> conn) : db_(&db), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    Database* db_;
    std::unique_ptr<Connection> conn_;
  };

  Lease Acquire();
  Dialect dialect() const { return dialect_; }
  std::string_view name() const { return dialect_ == Dialect::kSqlite ? "sqlite" : "postgresql"; }
  const std::string& url() const { return url_; }
  PoolStats stats();

 private:
  Database(std::string url, Dialect dialect, std::function<std::unique_ptr<Connection>()> open,
           size_t pool_size);
  void Release(std::unique_ptr<Connection> conn);

  std::string url_;
  Dialect dialect_;
  std::function<std::unique_ptr<Connection>()> open_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t size_;
  size_t opened_ = 0;
  size_t in_use_ = 0;
  uint64_t waits_ = 0;
};

// `writers`, shared by the connections of one pool, queues their write transactions.
std::unique_ptr<Connection> OpenSqlite(const std::string& path, std::shared_ptr<std::timed_mutex> writers = nullptr);
std::unique_ptr<Connection> OpenPostgres(const std::string& url);

// Runs `fn(conn)` in a write transaction on a pooled connection; commits when
// it returns an ok Status (or a Result holding a value), rolls back otherwise.
template <class F>
auto WithWrite(Database& db, F&& fn) -> decltype(fn(std::declval<Connection&>())) {
  auto lease = db.Acquire();
  Transaction tx(*lease, Transaction::kWrite);
  auto result = fn(*lease);
  if (result.ok()) tx.Commit();
  return result;
}

template <class F>
auto WithRead(Database& db, F&& fn) -> decltype(fn(std::declval<Connection&>())) {
  auto lease = db.Acquire();
  Transaction tx(*lease, Transaction::kRead);
  auto result = fn(*lease);
  tx.Commit();
  return result;
}

}  // namespace shequ::store
