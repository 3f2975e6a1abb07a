#pragma once
// Shared set-up of the micro-benchmarks: SQLite databases in a temp folder
// (SHEQU_BENCH_DIR, else the system temp folder), created once per process
// and removed at exit.
#include <memory>
#include <string>

#include "store/database.h"

namespace shequ::bench {

// A migrated SQLite database holding the 长宁区 district demo (seed 1), the
// same data `shequ demo --scale district --seed 1` creates.
store::Database& DistrictDemo();

// A migrated SQLite database with no rows, new for each call (own file).
std::unique_ptr<store::Database> EmptyDatabase(const std::string& name);

}  // namespace shequ::bench
