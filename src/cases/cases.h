#pragma once
// Cases (一网统管): a problem is reported, filed, dispatched to whoever owns
// it, handled, verified on site and closed on time, and the reporter rates
// the result. The module's public header: other modules use only this.
//
// Every read and write is limited to the caller's territory (a case belongs
// to the grid or neighborhood it lies in); department staff see only what
// their department owns, residents only what they reported. Answers are the
// API's JSON shapes (docs/api-cases.md).
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "audit/audit.h"
#include "cases/calendar.h"
#include "core/clock.h"
#include "core/paging.h"
#include "core/principal.h"
#include "core/vault.h"
#include "http/event_hub.h"
#include "http/router.h"
#include "store/database.h"

namespace shequ::cases {

class GridLocator;

using shequ::Caller;  // who asks, under which request (core/principal.h)

using Filters = std::map<std::string, std::string>;

// A new case as reported by a person or a device.
struct Report {
  std::string category_code, title, description, source, address;
  std::optional<double> lng, lat;
  std::string area_code;  // where no point is given: the grid or neighborhood
  std::string reporter_name, reporter_phone;  // hotline and Open311 callers
  std::string open311_client;
  bool handled_on_spot = false;  // 自处理: the grid worker reports and closes at once
  std::string note;              // with handled_on_spot: what was done
};

class CaseService {
 public:
  CaseService(store::Database& db, const Vault& vault, const audit::Trail& trail, http::EventHub& hub,
              const Clock& clock);
  ~CaseService();

  // Reads the calendar, the categories and the grid shapes again (after an
  // admin edited them, or the demo created them).
  void Reload();

  Result<boost::json::object> Create(const Caller& caller, const Report& report);
  Result<boost::json::object> List(const Caller& caller, const Filters& filters, const Paging& paging);
  Result<boost::json::object> Get(const Caller& caller, int64_t id);
  // One step of the case's life (workflow.h's table); `body` holds action,
  // version, note and, for dispatch, owner_kind/owner_code; rate takes satisfaction.
  Result<boost::json::object> Act(const Caller& caller, int64_t id, const boost::json::object& body);
  // A photo of the case (stage before, after or evidence) from anyone who may
  // see it; stored re-encoded without metadata (photos.h).
  Result<boost::json::object> AddPhoto(const Caller& caller, int64_t case_id, const std::string& stage,
                                       std::string_view bytes);
  // The JPEG of a photo, or its thumbnail, when the caller may see its case.
  Result<std::string> Photo(const Caller& caller, int64_t photo_id, bool thumbnail);
  // Cases of the same category within 50 m reported up to 72 hours before or
  // after this one (void and not-filed ones left out).
  Result<boost::json::object> PossibleDuplicates(const Caller& caller, int64_t id);
  // Counts by state and deadline colour in the caller's view, for the workbench.
  Result<boost::json::object> Counts(const Caller& caller);
  // 按期结案率, 结案率, 返工率, average handling hours, satisfaction; by department and area.
  Result<boost::json::object> Indicators(const Caller& caller, const Filters& filters);
  // The same as an XLSX workbook: overall, by department, by area.
  Result<std::string> IndicatorsWorkbook(const Caller& caller, const Filters& filters);

  boost::json::object Categories() const;
  Result<boost::json::object> UpdateCategory(const Caller& caller, const std::string& code,
                                             const boost::json::object& body);
  boost::json::object Calendar(int year) const;
  Result<boost::json::object> SetCalendarDay(const Caller& caller, const boost::json::object& body);
  // Grid polygons in the caller's territory, for the map (GeoJSON FeatureCollection).
  Result<boost::json::object> GridShapes(const Caller& caller);

  // Marks open cases whose step crossed 80 % of its limit (yellow) or the
  // limit (red) since the last sweep, and tells the people responsible live
  // ("case_deadline" events). Returns how many cases it marked.
  int SweepDeadlines();

  // The departments cases can be dispatched to.
  boost::json::object Departments();
  // The department the account belongs to, if any.
  std::optional<std::string> DepartmentOf(int64_t account_id);

  store::Database& db() { return db_; }
  const Clock& clock() const { return clock_; }
  std::shared_ptr<const WorkCalendar> calendar() const;

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot() const;

  store::Database& db_;
  const Vault& vault_;
  const audit::Trail& trail_;
  http::EventHub& hub_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
};

// The /api/v1 case routes.
void AddRoutes(http::Router& router, CaseService& cases);
// Open311 GeoReport v2 under /open311/v2/.
void AddOpen311Routes(http::Router& router, CaseService& cases);

// ---- Demo data: departments, the responsibility list, grid polygons, the
// Open311 key `demo-open311-key` (loopback only) and about a year of cases
// in every state. Deterministic per seed.
struct DemoCases {
  int64_t departments = 0, shapes = 0, cases = 0;
};
DemoCases CreateDemoCases(store::Database& db, const Vault& vault, const audit::Trail& trail, uint64_t seed,
                          int64_t cases_target,
                          const std::function<void(int64_t done, int64_t total)>& progress = {});

}  // namespace shequ::cases
