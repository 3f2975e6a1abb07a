#pragma once
// XLSX exports of the registry lists a user can see. Masked by default; an
// unmasked export waits for a second account with export.approve, and every
// step (request, decision, download) is audited.
#include "people/people.h"

namespace shequ::people {

class Exports {
 public:
  explicit Exports(Registry& registry) : registry_(registry) {}

  Result<boost::json::object> Request(const Caller& caller, const boost::json::object& body);
  Result<boost::json::object> Decide(const Caller& caller, int64_t id, bool approve);
  // The workbook bytes; only for the account that asked, once it is ready.
  Result<std::string> File(const Caller& caller, int64_t id);

 private:
  Registry& registry_;
};

void AddExportRoutes(http::Router& router, Exports& exports);

}  // namespace shequ::people
