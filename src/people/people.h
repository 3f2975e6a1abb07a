#pragma once
// The registry (一标三实): standard addresses, compounds, buildings, dwellings,
// persons with their residencies and care tags, and organizations. The
// module's public header: other modules use only this.
//
// Every function takes the caller and limits what it reads and writes to the
// caller's territory; a record outside it answers not-found. Answers are the
// API's JSON shapes (docs/api-registry.md), shared by the routes and exports.
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/paging.h"
#include "core/principal.h"
#include "core/vault.h"
#include "http/router.h"
#include "store/database.h"

namespace shequ::people {

using shequ::Caller;  // who asks, under which request (core/principal.h)
// What a caller may see of the registry: their area's subtree.
inline store::Scope ScopeOf(const Caller& caller) { return store::Scope::Subtree(caller.who.area_path); }

using Filters = std::map<std::string, std::string>;

// Who a registry person is, for linking their account to them.
struct PersonRef {
  int64_t id = 0;
  std::string name, birth_date, area_code;
};

class Registry {
 public:
  Registry(store::Database& db, const Vault& vault, const audit::Trail& trail, const Clock& clock)
      : db_(db), vault_(vault), trail_(trail), clock_(clock) {}

  // ---- Persons (实有人口)
  Result<boost::json::object> ListPersons(const Caller& caller, const Filters& filters, const Paging& paging);
  // Audited: every read of one person's record.
  Result<boost::json::object> GetPerson(const Caller& caller, int64_t id);
  Result<boost::json::object> CreatePerson(const Caller& caller, const boost::json::object& body);
  Result<boost::json::object> UpdatePerson(const Caller& caller, int64_t id, const boost::json::object& body);
  // The full document number or phone; audited with the reason.
  Result<std::string> Unmask(const Caller& caller, int64_t id, std::string_view field, std::string_view reason);
  Result<boost::json::object> SetCareTag(const Caller& caller, int64_t id, std::string_view tag, std::string_view reason);
  Result<boost::json::object> RemoveCareTag(const Caller& caller, int64_t id, std::string_view tag, std::string_view reason);

  // ---- Residencies (以房管人): moving never overwrites, it closes and opens rows.
  Result<boost::json::object> MoveIn(const Caller& caller, const boost::json::object& body);
  Result<boost::json::object> MoveOut(const Caller& caller, int64_t residency_id, const boost::json::object& body);

  // ---- Places (实有房屋) and organizations (实有单位)
  Result<boost::json::object> ListDwellings(const Caller& caller, const Filters& filters, const Paging& paging);
  Result<boost::json::object> GetDwelling(const Caller& caller, int64_t id);
  Result<boost::json::object> GetBuilding(const Caller& caller, int64_t id);
  Result<boost::json::object> ListCompounds(const Caller& caller, const Filters& filters, const Paging& paging);
  Result<boost::json::object> GetCompound(const Caller& caller, int64_t id);
  Result<boost::json::object> ListOrganizations(const Caller& caller, const Filters& filters, const Paging& paging);
  Result<boost::json::object> GetOrganization(const Caller& caller, int64_t id);
  Result<boost::json::object> CreateOrganization(const Caller& caller, const boost::json::object& body);

  // The one person with this phone (exact, by its lookup hash); nullopt when
  // nobody or more than one person has it.
  std::optional<PersonRef> FindByPhone(std::string_view phone);
  // The first person (by id) living under `area_code` born between `from` and
  // `to` (inclusive, "YYYY-MM-DD"): for demo accounts.
  std::optional<PersonRef> FindBornBetween(const std::string& area_code, const std::string& from, const std::string& to);

  store::Database& db() { return db_; }
  const Vault& vault() const { return vault_; }
  const audit::Trail& trail() const { return trail_; }
  std::string Today() const;

 private:
  store::Database& db_;
  const Vault& vault_;
  const audit::Trail& trail_;
  const Clock& clock_;
};

// The /api/v1 registry routes.
void AddRoutes(http::Router& router, Registry& registry);

// ---- Demo data: compounds, buildings, dwellings, persons, residencies and
// organizations for every neighborhood that has grids. `persons_target` is
// about 690,000 for the Changning district demo. Deterministic per seed.
struct DemoCounts {
  int64_t compounds = 0, buildings = 0, dwellings = 0, persons = 0, organizations = 0;
};
DemoCounts CreateDemoRegistry(store::Database& db, const Vault& vault, uint64_t seed, int64_t persons_target,
                              const std::function<void(int64_t done, int64_t total)>& progress = {});

}  // namespace shequ::people
