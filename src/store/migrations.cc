#include "store/migrations.h"

#include <algorithm>

#include "core/clock.h"
#include "core/embedded.h"

namespace shequ::store {

std::vector<Migration> MigrationsFor(Dialect dialect) {
  std::string prefix = dialect == Dialect::kSqlite ? "store/migrations/sqlite/"
                                                   : "store/migrations/postgresql/";
  // Files under common/ hold dialect-neutral SQL (reference rows) and take
  // version numbers of their own.
  const std::string common = "store/migrations/common/";
  std::vector<Migration> out;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    size_t skip = f.path.starts_with(prefix) ? prefix.size() : f.path.starts_with(common) ? common.size() : 0;
    if (skip == 0) continue;
    std::string file(f.path.substr(skip));
    std::string name = file.substr(0, file.size() - 4);  // drop ".sql"
    out.push_back({std::stoi(name.substr(0, 4)), name, f.content});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

std::vector<std::string> Migrate(Database& db) {
  auto conn = db.Acquire();
  conn->ExecuteScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  std::vector<std::string> applied;
  for (const Migration& m : MigrationsFor(db.dialect())) {
    Transaction tx(*conn, Transaction::kWrite);
    conn->SerializeOn("schema_migrations");  // two servers starting at once apply each file once
    if (!conn->Query("SELECT 1 FROM schema_migrations WHERE version = ?",
                     {static_cast<int64_t>(m.version)})
             .empty()) {
      continue;
    }
    conn->ExecuteScript(m.sql);
    conn->Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                  {static_cast<int64_t>(m.version), m.name, FormatUtc(Clock::System().Now())});
    tx.Commit();
    applied.push_back(m.name);
  }
  return applied;
}

}  // namespace shequ::store
