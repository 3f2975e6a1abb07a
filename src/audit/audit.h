#pragma once
// Tamper-evident audit trail. Each row carries the hash of the row before it
// and a SHA-256 over its own canonical form, so a changed, removed or inserted
// row breaks the chain at that point. The database refuses UPDATE and DELETE
// (triggers); Verify catches what someone with file access did anyway.
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/principal.h"
#include "http/event_hub.h"
#include "http/router.h"
#include "store/database.h"

namespace shequ::audit {

struct Entry {
  std::string account;  // username, or "system" for the command line
  std::string role;
  std::string action;   // e.g. "auth.login", "auth.login_failed", "account.create"
  std::string object;   // e.g. "account:jiangsu", "area:310105002"
  std::string area_code;
  std::string area_path;
  std::string request_id;
  boost::json::object details;
};

// An entry for something `caller` did during `request_id`.
Entry By(const Principal& caller, std::string_view request_id, std::string action,
         std::string object);

class Trail {
 public:
  // `hub` may be null (command line): then no live events are sent.
  Trail(const Clock& clock, http::EventHub* hub) : clock_(clock), hub_(hub) {}

  // REQUIRES: `conn` is inside a write transaction, which then also holds the
  // row: nothing is audited for a change that rolls back. Returns the seq.
  int64_t Append(store::Connection& conn, const Entry& entry) const;

 private:
  const Clock& clock_;
  http::EventHub* hub_;
};

struct VerifyReport {
  int64_t rows = 0;
  int64_t first_broken_seq = 0;  // 0 when the chain is intact
  std::string reason;
  bool ok() const { return first_broken_seq == 0; }
};

// Walks the whole chain in order.
VerifyReport Verify(store::Database& db);

// GET /api/v1/audit.
void AddRoutes(http::Router& router, store::Database& db);

}  // namespace shequ::audit
