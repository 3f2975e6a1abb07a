#pragma once
// Wiring: opens the store, applies migrations, and gives every module its
// routes. The only place that knows all modules.
#include <memory>
#include <string>
#include <thread>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/cases.h"
#include "services/services.h"
#include "http/event_hub.h"
#include "http/metrics.h"
#include "core/vault.h"
#include "http/router.h"
#include "people/export.h"
#include "people/import.h"
#include "people/people.h"
#include "territory/territory.h"
#include "store/database.h"

namespace shequ {

struct AppConfig {
  std::string db_url;
  size_t db_pool = 8;
  auth::AuthConfig auth;
  size_t body_limit = 16 * 1024;  // default for JSON routes
  std::string key_file;           // personal-data keys; empty: DefaultKeyFile(db_url)
  std::string message_driver = "log";  // how registration codes reach phones (auth::MakeMessageSender)
  // The service guides and their search index (about 0.3 s): commands that
  // neither serve nor touch guides (import, accounts, audit, backup) skip it.
  bool load_catalog = true;
};

// "<sqlite file>.key" beside a SQLite database, "var/shequ.key" otherwise.
std::string DefaultKeyFile(const std::string& db_url);

class App {
 public:
  // Throws SystemError when the database cannot be opened or migrated.
  explicit App(const AppConfig& config);

  store::Database& db() { return *db_; }
  const http::Router& router() const { return router_; }
  http::EventHub& hub() { return hub_; }
  http::Metrics& metrics() { return metrics_; }
  const audit::Trail& trail() const { return trail_; }
  const Vault& vault() const { return *vault_; }
  people::Registry& registry() { return registry_; }
  cases::CaseService& cases() { return cases_; }
  services::Catalog& catalog() { return catalog_; }
  services::Applications& applications() { return applications_; }
  // The migrations this start applied (names), oldest first.
  const std::vector<std::string>& applied_migrations() const { return applied_migrations_; }

  // Work a serving process does besides answering requests: deadline
  // warnings of cases every 30 s. Stops when the App goes.
  void StartBackgroundWork();

 private:
  void AddCoreRoutes();

  std::unique_ptr<store::Database> db_;
  std::vector<std::string> applied_migrations_;
  std::unique_ptr<Vault> vault_;
  http::EventHub hub_;
  http::Metrics metrics_;
  audit::Trail trail_;
  auth::AuthService auth_;
  territory::TreeCache tree_;
  people::Registry registry_;
  people::Exports exports_;
  http::Router router_;
  cases::CaseService cases_;
  services::Catalog catalog_;
  services::Applications applications_;
  std::unique_ptr<auth::MessageSender> messages_;
  auth::Registration registration_;
  people::ImportJobs imports_;  // its running imports finish before the rest goes
  std::jthread deadline_watch_;  // last: stops first
};

// The text of an embedded file (src/ relative path); throws when missing.
std::string_view Embedded(std::string_view path);

// Consistent copy of a live database: SQLite's online backup API, or
// pg_dump (custom format) for PostgreSQL. Writes to `out` atomically.
Status Backup(store::Database& db, const std::string& out);

}  // namespace shequ
