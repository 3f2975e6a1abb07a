#pragma once
// Numbered SQL migrations compiled into the binary: one file per number and
// dialect under store/migrations/{sqlite,postgresql}/NNNN_name.sql, or one
// dialect-neutral file (reference rows) under store/migrations/common/.
// A module adds tables by adding the next number in both folders.
#include <string>
#include <vector>

#include "store/database.h"

namespace shequ::store {

struct Migration {
  int version;
  std::string name;  // file name without .sql
  std::string_view sql;
};

// The migrations of one dialect, in order.
std::vector<Migration> MigrationsFor(Dialect dialect);

// Applies every migration not yet recorded in schema_migrations, each in its
// own transaction; returns the names applied.
std::vector<std::string> Migrate(Database& db);

}  // namespace shequ::store
