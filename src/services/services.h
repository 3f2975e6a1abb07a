#pragma once
// Services (一网通办): the district's service guides, found by residents
// asking in their own words, edited by district admins (versioned, audited),
// and marked per neighborhood for its doorstep station (家门口服务清单).
// When nothing fits, a resident's question becomes a consultation: a case of
// the 咨询 category for their neighborhood (cases module).
// The module's public header: other modules use only this.
#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/principal.h"
#include "http/router.h"
#include "store/database.h"

namespace shequ::cases {
class CaseService;
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

// /api/v1/services…, /api/v1/doorstep-services… and /api/v1/consultations.
void AddRoutes(http::Router& router, Catalog& catalog, cases::CaseService& cases);

}  // namespace shequ::services
