#pragma once
// The life of a case (一网统管): intake → file → dispatch → handle → report back → verify & close
// → evaluate, with the side roads of send-back, extension, suspension and voiding. Every allowed
// move is one row of one table, Transitions(); the store, the HTTP routes and the UI's buttons all
// ask Check or AllowedActions, so a rule changes in one place.
//
// States (code names): "reported" 上报, "filed" 立案, "not_filed" 不予立案, "dispatched"
// 派遣/处置中, "handled" 已处置待核查 (the department's feedback 反馈 is in), "closed" 结案,
// "suspended" 挂账, "void" 作废. The open states are reported, filed, dispatched, handled and
// suspended.
//
// Case roles (code names): "dispatcher", "department_staff", "neighborhood_worker",
// "grid_worker", "supervisor", "resident". They are what a caller may do to cases, derived from
// the account's role by CaseRolesOf; one account may hold several.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace shequ::cases {

// The case roles of an account role: district_admin → supervisor; subdistrict_admin →
// supervisor and dispatcher; dispatcher, department_staff, neighborhood_worker, grid_worker and
// resident → the role of the same name; any other role (hotline_operator, auditor …) → none.
std::vector<std::string> CaseRolesOf(std::string_view account_role);

// The reporter may reopen a case this long after rating it 'unsatisfied', the end included.
inline constexpr std::chrono::hours kReopenWindow{7 * 24};

// One action and where it may be taken. Check enforces the fields up to `needs_owner`; `to` and
// the pending fields also tell the caller what to store (StateAfter, PendingAfter), and the last
// two what else to record.
struct Transition {
  std::string_view action;
  std::string_view zh;                  // its Chinese name, for messages
  std::vector<std::string_view> from;   // the states it may be taken in
  std::string_view to;                  // the state after; empty: unchanged
  std::vector<std::string_view> roles;  // holding any one of these case roles suffices
  bool note_required = false;           // the caller must give a note (reason, evidence)
  bool reporter_only = false;           // only the person who reported the case
  bool caller_must_own = false;         // the caller's department or neighborhood must own the case
  bool once = false;                    // refused once the reporter has rated the latest closing
  bool within_reopen_window = false;    // only within kReopenWindow of an 'unsatisfied' rating
  std::string_view needs_pending;       // this request must be pending: the action answers it
  std::string_view sets_pending;        // the request it opens; refused while any is pending
  bool needs_owner = false;      // the input must name the department or neighborhood to own it
  bool counts_rework = false;    // one more rework (返工), for the rework rate
  bool raises_priority = false;  // the case moves up its owner's queue
};

// The table, in the order the UI shows the actions.
const std::vector<Transition>& Transitions();

// What Check needs to know about the case and the caller.
struct CaseFacts {
  std::string state;
  std::string pending_request;  // "", "extension", "suspension" or "void"
  bool caller_is_reporter = false;
  bool caller_owns = false;  // the caller's department or neighborhood owns the case
  bool rated = false;        // the reporter has rated the case since it was last closed
  // When the reporter rated the latest closing 'unsatisfied'; nullopt when they did not.
  std::optional<TimePoint> rated_unsatisfied_at;
  TimePoint now;
};

// What the caller brings with the action.
struct ActionInput {
  bool has_note = false;
  bool has_owner = false;  // names the department or neighborhood to dispatch to
};

// The row of `action` when a caller holding `case_roles` may take it on a case with `facts`
// and `input`; otherwise why not, checked in this order:
//   an unknown action: a validation Status naming the field "action";
//   none of the roles, not the reporter, or not the owner where the row asks: kForbidden (403);
//   a state, pending request, earlier rating or expired reopen window that does not allow it:
//     kConflict (409);
//   no note or no owner where the row asks: a validation Status naming "note" or "owner".
// The returned pointer points into Transitions() and lives as long as the program.
Result<const Transition*> Check(std::string_view action, const CaseFacts& facts,
                                const std::vector<std::string>& case_roles,
                                const ActionInput& input);

// The actions Check would allow once the caller gives whatever input they need, in table order:
// the one-click buttons the UI shows for this case.
std::vector<std::string_view> AllowedActions(const CaseFacts& facts,
                                             const std::vector<std::string>& case_roles);

// The state after taking `t` in `state`.
std::string_view StateAfter(const Transition& t, std::string_view state);

// The pending request after taking `t` with `pending` pending: the one `t` opens, none when `t`
// answers it or moves the case to another state (an answer would no longer fit), else unchanged.
std::string_view PendingAfter(const Transition& t, std::string_view state,
                              std::string_view pending);

}  // namespace shequ::cases
