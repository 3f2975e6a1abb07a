#pragma once
// Many rows into one table with multi-row INSERTs: one round trip (and one
// statement) per batch instead of per row, on both stores.
#include <string>
#include <vector>

#include "store/database.h"

namespace shequ::store {

class BulkInsert {
 public:
  // REQUIRES: `conn` is inside a write transaction for as long as this lives.
  BulkInsert(Connection& conn, std::string table, std::vector<std::string> columns, size_t rows_per_batch = 250);
  ~BulkInsert();  // flushes; call Flush() yourself to see errors as exceptions before that
  void Add(Params row);
  // Flushes `parent` before every flush of this one, so rows that reference
  // parent rows (foreign keys) never arrive before them.
  void DependsOn(BulkInsert& parent) { parents_.push_back(&parent); }
  void Flush();
  int64_t rows() const { return rows_; }

 private:
  Connection& conn_;
  std::string table_;
  std::vector<std::string> columns_;
  size_t per_batch_;
  std::vector<BulkInsert*> parents_;
  Params pending_;
  size_t pending_rows_ = 0;
  int64_t rows_ = 0;
};

// The first of `count` consecutive ids of `table` that no other writer will
// use, for rows inserted with explicit ids. REQUIRES: a write transaction; on
// PostgreSQL the table is locked against other writers until it ends.
int64_t ReserveIds(Connection& conn, const std::string& table, int64_t count);

// After rows were inserted with explicit ids: PostgreSQL's identity sequence
// must move past them (SQLite needs nothing).
void AdvanceIdSequence(Connection& conn, const std::string& table);

}  // namespace shequ::store
