#pragma once
// Services (一网通办): the district's service guides, found by residents
// asking in their own words, edited by district admins (versioned, audited),
// and marked per neighborhood for its doorstep station (家门口服务清单).
// When nothing fits, a resident's question becomes a consultation: a case of
// the 咨询 category for their neighborhood (cases module).
// The module's public header: other modules use only this.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/paging.h"
#include "core/principal.h"
#include "http/router.h"
#include "store/database.h"

namespace shequ::cases {
class CaseService;
}
namespace shequ::http {
class EventHub;
}
namespace shequ::people {
class Registry;
}

namespace shequ::services {

class GuideIndex;
class Segmenter;

class Catalog {
 public:
  Catalog(store::Database& db, const audit::Trail& trail, const Clock& clock);
  ~Catalog();

  // Adds the guides shipped with the program that the catalog lacks, then
  // (re)builds the search index from the catalog.
  void Load();

  // Guides for a question, best first: {"items":[{"id","name","category","score","highlight",…}],
  // "suggest_consultation"}. A validation Status for an empty or over-long question.
  Result<boost::json::object> Search(std::string_view question, size_t limit, const std::string& category = "") const;
  boost::json::object List(const std::string& category) const;
  Result<boost::json::object> Get(std::string_view code) const;
  // Replaces the guide's editable fields; `body` carries "version" and the fields.
  Result<boost::json::object> Update(const Principal& who, const std::string& request_id, const std::string& code,
                                     const boost::json::object& body);
  Result<boost::json::object> Versions(std::string_view code) const;
  // Demo: every neighborhood's doorstep station handles the guides marked
  // "doorstep" (only where the neighborhood has no list yet). Returns rows added.
  int64_t CreateDemoDoorstepLists();
  // The guides a neighborhood's doorstep station handles.
  Result<boost::json::object> Doorstep(const std::string& area_code) const;
  Result<boost::json::object> SetDoorstep(const Principal& who, const std::string& request_id,
                                          const std::string& area_code, const std::string& code, bool handled);

 private:
  struct State;
  std::shared_ptr<const State> state() const;
  void Index(store::Connection& conn, const std::string& code, const std::string& terms);

  store::Database& db_;
  const audit::Trail& trail_;
  const Clock& clock_;
  std::unique_ptr<Segmenter> segmenter_;
  mutable std::mutex mutex_;
  std::shared_ptr<const State> state_;
};

// Applications (申请) for the guides: online by the resident, or by a
// neighborhood or grid worker on a resident's behalf (代办) with the
// resident's consent; handled by the staff whose territory holds the
// applicant (application_flow.h has the steps). Every step is audited and
// announced live ("application" events); the time limit is the guide's
// working days from acceptance on the cases module's calendar.
class Applications {
 public:
  Applications(store::Database& db, const audit::Trail& trail, http::EventHub& hub, const Clock& clock,
               const Catalog& catalog, const cases::CaseService& cases, people::Registry& registry);

  // body: guide_code, form {key: answer}; for 代办 also person_id and
  // consent {method: signature|verbal|letter, note}.
  Result<boost::json::object> Apply(const Principal& who, const std::string& request_id,
                                    const boost::json::object& body);
  // Filters: state, guide, deadline (yellow|red), mine=1 (the caller's own or
  // proxied ones), area (a code inside the caller's territory).
  Result<boost::json::object> List(const Principal& who, const std::map<std::string, std::string>& filters,
                                   const Paging& paging);
  Result<boost::json::object> Get(const Principal& who, int64_t id);
  // body: action, version, note; resubmit may carry a corrected form.
  Result<boost::json::object> Act(const Principal& who, const std::string& request_id, int64_t id,
                                  const boost::json::object& body);
  // A PDF, JPEG or PNG of up to 5 MB, while the applicant may still change the application.
  Result<boost::json::object> AddMaterial(const Principal& who, const std::string& request_id, int64_t id,
                                          const std::string& name, std::string_view bytes);
  struct Material {
    std::string name, content_type, bytes;
  };
  Result<Material> GetMaterial(const Principal& who, int64_t id, int64_t material_id);
  // Marks accepted applications that crossed 80 % of their limit or the limit
  // since the last sweep and announces them ("application_deadline").
  int SweepDeadlines();

 private:
  store::Database& db_;
  const audit::Trail& trail_;
  http::EventHub& hub_;
  const Clock& clock_;
  const Catalog& catalog_;
  const cases::CaseService& cases_;
  people::Registry& registry_;
};

// /api/v1/services…, /api/v1/doorstep-services… and /api/v1/consultations.
void AddRoutes(http::Router& router, Catalog& catalog, cases::CaseService& cases);
// /api/v1/applications…
void AddApplicationRoutes(http::Router& router, Applications& applications);

}  // namespace shequ::services
