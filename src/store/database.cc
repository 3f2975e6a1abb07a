#include "store/database.h"

#include <fmt/format.h>

namespace shequ::store {

int64_t Row::Int(size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::stoll(*p);
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::stod(*p);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return fmt::format("{}", *p);
  return {};
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

void Connection::InsertRows(const std::string& table, const std::vector<std::string>& columns, const Params& values) {
  // 500 rows a statement keeps within SQLite's 32,766 parameters for rows of up to 65 columns.
  constexpr size_t kRowsPerStatement = 500;
  std::string one = "(?";
  for (size_t i = 1; i < columns.size(); ++i) one += ",?";
  one += ")";
  const size_t rows = values.size() / columns.size();
  for (size_t first = 0; first < rows; first += kRowsPerStatement) {
    size_t count = std::min(kRowsPerStatement, rows - first);
    std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", table, fmt::join(columns, ", "));
    for (size_t i = 0; i < count; ++i) sql += (i ? "," : "") + one;
    if (count == rows) {  // the common case: no copy of the values
      Execute(sql, values);
      return;
    }
    Execute(sql, Params(values.begin() + static_cast<ptrdiff_t>(first * columns.size()),
                        values.begin() + static_cast<ptrdiff_t>((first + count) * columns.size())));
  }
}

Transaction::Transaction(Connection& conn, Kind kind) : conn_(conn) { conn_.Begin(kind == kWrite); }

Transaction::~Transaction() {
  if (!open_) return;
  conn_.after_commit_.clear();
  try {
    conn_.Rollback();
  } catch (...) {
    // The connection is broken; the pool's next use reports it.
  }
}

void Transaction::Commit() {
  conn_.Commit();
  open_ = false;
  auto callbacks = std::move(conn_.after_commit_);
  conn_.after_commit_.clear();
  for (auto& fn : callbacks) fn();
}

Status Database::CheckUrl(const std::string& url) {
  if (url.starts_with("sqlite:") && url.size() > 7) return Status::Ok();
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return Status::Ok();
  return Status::Invalid("db", {"数据库地址应为 sqlite:路径 或 postgresql://…",
                                "The database must be sqlite:PATH or a postgresql:// URL"});
}

std::unique_ptr<Database> Database::Open(const std::string& url, size_t pool_size) {
  if (!CheckUrl(url).ok()) throw SystemError("unsupported database URL: " + url);
  std::unique_ptr<Database> db;
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    auto writers = std::make_shared<std::timed_mutex>();
    db.reset(new Database(url, Dialect::kSqlite, [path, writers] { return OpenSqlite(path, writers); }, pool_size));
  } else {
    db.reset(new Database(url, Dialect::kPostgres, [url] { return OpenPostgres(url); }, pool_size));
  }
  db->Acquire();  // fail now, not on the first request, when the database is unreachable
  return db;
}

Database::Database(std::string url, Dialect dialect,
                   std::function<std::unique_ptr<Connection>()> open, size_t pool_size)
    : url_(std::move(url)), dialect_(dialect), open_(std::move(open)), size_(pool_size) {}

Database::Lease Database::Acquire() {
  std::unique_lock lock(mutex_);
  if (idle_.empty() && opened_ >= size_) {
    ++waits_;
    available_.wait(lock, [this] { return !idle_.empty() || opened_ < size_; });
  }
  ++in_use_;
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++opened_;
  lock.unlock();
  try {
    return Lease(*this, open_());
  } catch (...) {
    std::lock_guard relock(mutex_);
    --opened_;
    --in_use_;
    throw;
  }
}

void Database::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (conn->Healthy()) {
      idle_.push_back(std::move(conn));
    } else {
      --opened_;  // the next Acquire opens a fresh one
    }
  }
  available_.notify_one();
}

Database::Lease::~Lease() {
  if (conn_) db_->Release(std::move(conn_));
}

PoolStats Database::stats() {
  std::lock_guard lock(mutex_);
  return {size_, in_use_, waits_};
}

}  // namespace shequ::store
