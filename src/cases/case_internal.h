#pragma once
// Shared by the cases module's own files only; not part of its interface.
#include <map>
#include <memory>
#include <string>

#include "cases/calendar.h"
#include "cases/cases.h"
#include "cases/grid_locator.h"
#include "store/database.h"

namespace shequ::cases::internal {

struct Category {
  std::string code, family, major, name, name_en, urgency, handle_unit;
  double file_hours = 0, dispatch_hours = 0, handle_limit = 0;
  bool active = true;
  int64_t version = 1;
};

}  // namespace shequ::cases::internal

namespace shequ::cases {

// What the service reads on every request and reloads when an admin edits it.
struct CaseService::Snapshot {
  std::shared_ptr<const WorkCalendar> calendar;
  std::map<std::string, internal::Category> categories;
  std::unique_ptr<GridLocator> grids;
};

}  // namespace shequ::cases

namespace shequ::cases::internal {

constexpr std::string_view kOpenStates = "('reported', 'filed', 'dispatched', 'handled', 'suspended')";

// The WHERE condition (on cases aliased `c`) that limits a query to what the
// caller may see: staff their territory; department staff only what their
// department owns; residents only what they reported.
std::string AccessFilter(const Principal& who, const std::optional<std::string>& department, store::Params& params);

// The limit of the step that begins in `state` at `start` (reported: filing;
// filed: dispatch; dispatched: handling; handled: verification); nullopt for a
// state without one.
struct StepClock {
  std::string warn_at, due_at;  // FormatUtc
};
std::optional<StepClock> StepLimit(const WorkCalendar& calendar, const Category& category, std::string_view state,
                                   TimePoint start);

// The neighborhood segment of a case's area path, "" above neighborhood level.
std::string NeighborhoodOf(const std::string& area_path);

Status Invalid(std::string field, std::string zh, std::string en);

}  // namespace shequ::cases::internal
