#include "store/bulk_insert.h"

#include <fmt/format.h>

namespace shequ::store {

BulkInsert::BulkInsert(Connection& conn, std::string table, std::vector<std::string> columns, size_t rows_per_batch)
    : conn_(conn), table_(std::move(table)), columns_(std::move(columns)), per_batch_(rows_per_batch) {}

BulkInsert::~BulkInsert() {
  if (pending_rows_ == 0) return;
  try {
    Flush();
  } catch (...) {
    // The caller's transaction rolls back; nothing half-written survives.
  }
}

void BulkInsert::Add(Params row) {
  if (row.size() != columns_.size()) throw SystemError("BulkInsert: wrong number of values for " + table_);
  for (auto& v : row) pending_.push_back(std::move(v));
  if (++pending_rows_ == per_batch_) Flush();
}

void BulkInsert::Flush() {
  if (pending_rows_ == 0) return;
  for (BulkInsert* parent : parents_) parent->Flush();
  conn_.InsertRows(table_, columns_, pending_);
  rows_ += static_cast<int64_t>(pending_rows_);
  pending_.clear();
  pending_rows_ = 0;
}

int64_t ReserveIds(Connection& conn, const std::string& table, int64_t count) {
  // SQLite's write transaction already excludes other writers; PostgreSQL's
  // identity sequence would hand the same ids to a concurrent insert.
  if (conn.dialect() == Dialect::kPostgres) conn.Execute(fmt::format("LOCK TABLE {} IN EXCLUSIVE MODE", table));
  int64_t first = conn.Query(fmt::format("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", table))[0].Int(0);
  if (conn.dialect() == Dialect::kPostgres) {
    conn.Query(fmt::format("SELECT setval(pg_get_serial_sequence('{}', 'id'), ?, false)", table), {first + count});
  }
  return first;
}

void AdvanceIdSequence(Connection& conn, const std::string& table) {
  if (conn.dialect() != Dialect::kPostgres) return;
  conn.Query(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                         table));
}

}  // namespace shequ::store
