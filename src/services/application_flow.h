#pragma once
// The life of an application (申请): submitted → accepted (受理) or returned
// for completion (补正) → approved or refused → done, or withdrawn by the
// applicant before acceptance. One table, Transitions(); the store, the
// routes and the pages' buttons all ask Check or AllowedActions.
//
// Who may act is a relation to the application, not only a role:
//   "applicant": the resident it is for (their account, or the registry person
//                their account is);
//   "proxy":     the worker who applied on their behalf (代办);
//   "handler":   staff with application.handle whose territory holds it. The
//                proxy of an application never handles it: one person does
//                not both apply and decide.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shequ::services {

struct ApplicationTransition {
  std::string_view action;
  std::string_view zh;
  std::vector<std::string_view> from;
  std::string_view to;
  std::vector<std::string_view> relations;  // any one suffices
  bool note_required = false;               // return: what is missing; refuse: why
};

const std::vector<ApplicationTransition>& ApplicationTransitions();

struct ApplicationFacts {
  std::string state;
  std::vector<std::string> relations;  // of the caller to the application
};

// The row when the caller may take `action`; otherwise: unknown action → a
// validation Status naming "action"; no fitting relation → kForbidden; a state
// that does not allow it → kConflict; a missing note → validation on "note".
Result<const ApplicationTransition*> CheckApplicationAction(std::string_view action, const ApplicationFacts& facts,
                                                            bool has_note);

// The actions the caller could take now, in table order.
std::vector<std::string_view> AllowedApplicationActions(const ApplicationFacts& facts);

}  // namespace shequ::services
