#include "cases/workflow.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

namespace shequ::cases {
namespace {

using Roles = std::vector<std::string>;
using Names = std::vector<std::string_view>;

const Names kStates = {"reported", "filed",  "not_filed", "dispatched",
                       "handled",  "closed", "suspended", "void"};
const Names kOpen = {"reported", "filed", "dispatched", "handled", "suspended"};
const Names kCaseRoles = {"dispatcher",  "department_staff", "neighborhood_worker",
                          "grid_worker", "supervisor",       "resident"};
const Names kActions = {"file",
                        "decline",
                        "dispatch",
                        "send_back",
                        "handle",
                        "verify_pass",
                        "verify_fail",
                        "self_handle",
                        "request_extension",
                        "approve_extension",
                        "reject_extension",
                        "request_suspension",
                        "approve_suspension",
                        "reject_suspension",
                        "resume",
                        "request_void",
                        "approve_void",
                        "reject_void",
                        "supervise",
                        "urge",
                        "rate",
                        "reopen"};

const TimePoint kNow = *ParseUtc("2025-06-10T02:00:00.000Z");
const ActionInput kComplete{.has_note = true, .has_owner = true};

using Triple = std::tuple<std::string_view, std::string_view, std::string_view>;

// Written from the rules of the brief, not from Transitions(), so that a wrong row fails.
std::set<Triple> AllowedTriples() {
  std::set<Triple> allowed;
  auto allow = [&](std::string_view action, const Names& states, const Names& roles) {
    for (std::string_view state : states)
      for (std::string_view role : roles) allowed.emplace(action, state, role);
  };
  allow("file", {"reported"}, {"dispatcher"});
  allow("decline", {"reported"}, {"dispatcher"});
  allow("dispatch", {"filed"}, {"dispatcher"});
  allow("send_back", {"dispatched"}, {"department_staff"});
  allow("handle", {"dispatched"}, {"department_staff", "neighborhood_worker"});
  allow("verify_pass", {"handled"}, {"grid_worker", "dispatcher"});
  allow("verify_fail", {"handled"}, {"grid_worker", "dispatcher"});
  allow("self_handle", {"reported"}, {"grid_worker"});
  allow("request_extension", {"dispatched"}, {"department_staff", "neighborhood_worker"});
  allow("approve_extension", {"dispatched"}, {"supervisor"});
  allow("reject_extension", {"dispatched"}, {"supervisor"});
  allow("request_suspension", {"dispatched"}, {"department_staff", "neighborhood_worker"});
  allow("approve_suspension", {"dispatched"}, {"supervisor"});
  allow("reject_suspension", {"dispatched"}, {"supervisor"});
  allow("resume", {"suspended"}, {"supervisor"});
  allow("request_void", {"reported", "filed"}, {"dispatcher"});
  allow("approve_void", {"reported", "filed"}, {"supervisor"});
  allow("reject_void", {"reported", "filed"}, {"supervisor"});
  allow("supervise", kOpen, {"supervisor"});
  allow("urge", kOpen, {"supervisor", "dispatcher"});
  allow("rate", {"closed"}, kCaseRoles);
  allow("reopen", {"closed"}, kCaseRoles);
  return allowed;
}

// The facts under which only the state and the role can stand in the way of `action`: the caller
// reported the case and owns it, the request an answer needs is pending, and a reopen follows an
// 'unsatisfied' rating of yesterday.
CaseFacts Favourable(std::string_view action, std::string_view state) {
  CaseFacts facts{
      .state = std::string(state), .caller_is_reporter = true, .caller_owns = true, .now = kNow};
  for (std::string_view answer : {"approve_", "reject_"}) {
    if (action.starts_with(answer)) facts.pending_request = action.substr(answer.size());
  }
  if (action == "reopen") {
    facts.rated = true;
    facts.rated_unsatisfied_at = kNow - std::chrono::hours(24);
  }
  return facts;
}

CaseFacts Facts(std::string_view state) { return {.state = std::string(state), .now = kNow}; }

// The one field a validation failure names.
std::string FailedField(const Status& status) {
  EXPECT_EQ(status.code(), Code::kValidation);
  EXPECT_EQ(status.fields().size(), 1u);
  return status.fields().empty() ? "" : status.fields()[0].field;
}

// ---- The whole table

TEST(WorkflowTest, TableHasExactlyTheKnownActionsInOrder) {
  Names actions;
  for (const Transition& t : Transitions()) actions.push_back(t.action);
  EXPECT_EQ(actions, kActions);
}

TEST(WorkflowTest, EveryActionInEveryStateForEveryRole) {
  const std::set<Triple> allowed = AllowedTriples();
  auto role_may_ever = [&](std::string_view action, std::string_view role) {
    for (std::string_view state : kStates)
      if (allowed.contains({action, state, role})) return true;
    return false;
  };
  int checked = 0;
  for (std::string_view action : kActions) {
    for (std::string_view state : kStates) {
      for (std::string_view role : kCaseRoles) {
        SCOPED_TRACE(std::string(action) + " in " + std::string(state) + " as " +
                     std::string(role));
        Result<const Transition*> r =
            Check(action, Favourable(action, state), {std::string(role)}, kComplete);
        ++checked;
        if (allowed.contains({action, state, role})) {
          ASSERT_TRUE(r.ok()) << r.status().message().en;
          EXPECT_EQ((*r)->action, action);
        } else {
          ASSERT_FALSE(r.ok());
          // A role that may never take the action hears so before anything about the case.
          EXPECT_EQ(r.status().code(),
                    role_may_ever(action, role) ? Code::kConflict : Code::kForbidden);
          EXPECT_FALSE(r.status().message().zh.empty());
          EXPECT_FALSE(r.status().message().en.empty());
        }
      }
    }
  }
  EXPECT_EQ(checked, 22 * 8 * 6);
}

TEST(WorkflowTest, AccountsWithoutCaseRolesMayDoNothing) {
  for (std::string_view action : kActions) {
    for (std::string_view state : kStates) {
      Result<const Transition*> r = Check(action, Favourable(action, state), {}, kComplete);
      ASSERT_FALSE(r.ok()) << action << " in " << state;
      EXPECT_EQ(r.status().code(), Code::kForbidden);
    }
  }
}

TEST(WorkflowTest, TheTargetStatesAndSideEffects) {
  const std::vector<std::tuple<std::string_view, std::string_view, std::string_view>> moves = {
      {"file", "reported", "filed"},
      {"decline", "reported", "not_filed"},
      {"dispatch", "filed", "dispatched"},
      {"send_back", "dispatched", "filed"},
      {"handle", "dispatched", "handled"},
      {"verify_pass", "handled", "closed"},
      {"verify_fail", "handled", "dispatched"},
      {"self_handle", "reported", "closed"},
      {"request_extension", "dispatched", "dispatched"},
      {"approve_suspension", "dispatched", "suspended"},
      {"reject_suspension", "dispatched", "dispatched"},
      {"resume", "suspended", "dispatched"},
      {"approve_void", "filed", "void"},
      {"reject_void", "filed", "filed"},
      {"supervise", "handled", "handled"},
      {"rate", "closed", "closed"},
      {"reopen", "closed", "filed"},
  };
  const Roles everyone(kCaseRoles.begin(), kCaseRoles.end());
  for (const auto& [action, from, to] : moves) {
    Result<const Transition*> r = Check(action, Favourable(action, from), everyone, kComplete);
    ASSERT_TRUE(r.ok()) << action << ": " << r.status().message().en;
    EXPECT_EQ(StateAfter(**r, from), to) << action;
    EXPECT_EQ((*r)->counts_rework, action == "verify_fail") << action;
    EXPECT_EQ((*r)->raises_priority, action == "supervise") << action;
  }
}

// ---- Particular rules

TEST(WorkflowTest, ReasonsAndEvidenceNeedANote) {
  const std::vector<std::tuple<std::string_view, std::string_view, std::string>> needs_note = {
      {"decline", "reported", "dispatcher"},
      {"send_back", "dispatched", "department_staff"},
      {"handle", "dispatched", "neighborhood_worker"},
      {"verify_fail", "handled", "grid_worker"},
  };
  for (const auto& [action, state, role] : needs_note) {
    CaseFacts facts = Favourable(action, state);
    EXPECT_EQ(FailedField(Check(action, facts, {role}, {.has_note = false}).status()), "note")
        << action;
    EXPECT_TRUE(Check(action, facts, {role}, {.has_note = true}).ok()) << action;
  }
  EXPECT_TRUE(Check("file", Facts("reported"), {"dispatcher"}, {}).ok());
}

TEST(WorkflowTest, DispatchNeedsAnOwner) {
  EXPECT_EQ(FailedField(Check("dispatch", Facts("filed"), {"dispatcher"}, {}).status()), "owner");
  EXPECT_TRUE(Check("dispatch", Facts("filed"), {"dispatcher"}, {.has_owner = true}).ok());
}

TEST(WorkflowTest, NoteIsCheckedOnlyAfterRoleAndState) {
  EXPECT_EQ(Check("decline", Facts("reported"), {"resident"}, {}).status().code(),
            Code::kForbidden);
  EXPECT_EQ(Check("decline", Facts("filed"), {"dispatcher"}, {}).status().code(), Code::kConflict);
}

TEST(WorkflowTest, OnlyTheReporterSelfHandlesRatesAndReopens) {
  CaseFacts reported = Favourable("self_handle", "reported");
  reported.caller_is_reporter = false;
  EXPECT_EQ(Check("self_handle", reported, {"grid_worker"}, kComplete).status().code(),
            Code::kForbidden);
  for (std::string_view action : {"rate", "reopen"}) {
    CaseFacts closed = Favourable(action, "closed");
    closed.caller_is_reporter = false;
    EXPECT_EQ(Check(action, closed, {"resident"}, kComplete).status().code(), Code::kForbidden)
        << action;
  }
}

TEST(WorkflowTest, DepartmentsAndNeighborhoodsActOnlyOnCasesTheyOwn) {
  for (std::string_view action :
       {"send_back", "handle", "request_extension", "request_suspension"}) {
    CaseFacts facts = Favourable(action, "dispatched");
    facts.caller_owns = false;
    Result<const Transition*> r = Check(action, facts, {"department_staff"}, kComplete);
    EXPECT_EQ(r.status().code(), Code::kForbidden) << action;
  }
  // Owning is no condition for the dispatcher or a supervisor.
  EXPECT_TRUE(Check("urge", Facts("dispatched"), {"dispatcher"}, kComplete).ok());
}

TEST(WorkflowTest, ReopenWithinSevenDaysOfAnUnsatisfiedRating) {
  CaseFacts facts = Favourable("reopen", "closed");
  Roles resident = {"resident"};
  facts.rated_unsatisfied_at = kNow - std::chrono::days(7);
  EXPECT_TRUE(Check("reopen", facts, resident, kComplete).ok());
  facts.rated_unsatisfied_at = kNow - std::chrono::days(7) - std::chrono::seconds(1);
  EXPECT_EQ(Check("reopen", facts, resident, kComplete).status().code(), Code::kConflict);
  facts.rated_unsatisfied_at = std::nullopt;  // rated, but not 'unsatisfied'
  EXPECT_EQ(Check("reopen", facts, resident, kComplete).status().code(), Code::kConflict);
}

TEST(WorkflowTest, AnAnswerNeedsItsRequestPending) {
  for (std::string_view kind : {"extension", "suspension", "void"}) {
    std::string state = kind == "void" ? "filed" : "dispatched";
    for (std::string answer : {"approve_", "reject_"}) {
      answer += kind;
      CaseFacts facts = Facts(state);
      EXPECT_EQ(Check(answer, facts, {"supervisor"}, kComplete).status().code(), Code::kConflict)
          << answer;
      facts.pending_request = kind == "extension" ? "suspension" : "extension";
      EXPECT_EQ(Check(answer, facts, {"supervisor"}, kComplete).status().code(), Code::kConflict)
          << answer << " with another request pending";
      facts.pending_request = kind;
      EXPECT_TRUE(Check(answer, facts, {"supervisor"}, kComplete).ok()) << answer;
    }
  }
}

TEST(WorkflowTest, OneRequestAtATime) {
  CaseFacts facts = Favourable("request_extension", "dispatched");
  facts.pending_request = "suspension";
  EXPECT_EQ(Check("request_extension", facts, {"department_staff"}, kComplete).status().code(),
            Code::kConflict);
  facts.pending_request = "extension";
  EXPECT_EQ(Check("request_extension", facts, {"department_staff"}, kComplete).status().code(),
            Code::kConflict);
}

TEST(WorkflowTest, RateOnlyOnce) {
  CaseFacts facts = Favourable("rate", "closed");
  EXPECT_TRUE(Check("rate", facts, {"resident"}, kComplete).ok());
  facts.rated = true;
  EXPECT_EQ(Check("rate", facts, {"resident"}, kComplete).status().code(), Code::kConflict);
}

TEST(WorkflowTest, UnknownActionIsAValidationError) {
  EXPECT_EQ(FailedField(Check("delete", Facts("reported"), {"supervisor"}, kComplete).status()),
            "action");
}

TEST(WorkflowTest, PendingRequestAfterAnAction) {
  auto pending_after = [](std::string_view action, std::string_view state,
                          std::string_view pending) {
    CaseFacts facts = Favourable(action, state);
    facts.pending_request = std::string(pending);
    Result<const Transition*> r =
        Check(action, facts, {"dispatcher", "supervisor", "department_staff"}, kComplete);
    EXPECT_TRUE(r.ok()) << action << ": " << r.status().message().en;
    return r.ok() ? std::string(PendingAfter(**r, state, pending)) : "?";
  };
  EXPECT_EQ(pending_after("request_extension", "dispatched", ""), "extension");
  EXPECT_EQ(pending_after("approve_extension", "dispatched", "extension"), "");
  EXPECT_EQ(pending_after("reject_suspension", "dispatched", "suspension"), "");
  EXPECT_EQ(pending_after("supervise", "dispatched", "extension"), "extension");
  EXPECT_EQ(pending_after("handle", "dispatched", "extension"), "");  // moot once handled
  EXPECT_EQ(pending_after("file", "reported", "void"), "");
}

// ---- Roles and buttons

TEST(WorkflowTest, CaseRolesOfAccountRoles) {
  EXPECT_EQ(CaseRolesOf("district_admin"), Roles{"supervisor"});
  EXPECT_EQ(CaseRolesOf("subdistrict_admin"), (Roles{"supervisor", "dispatcher"}));
  for (const char* same :
       {"dispatcher", "department_staff", "neighborhood_worker", "grid_worker", "resident"}) {
    EXPECT_EQ(CaseRolesOf(same), Roles{same});
  }
  EXPECT_EQ(CaseRolesOf("hotline_operator"), Roles{});
  EXPECT_EQ(CaseRolesOf("auditor"), Roles{});
  EXPECT_EQ(CaseRolesOf(""), Roles{});
}

TEST(WorkflowTest, AllowedActionsAreTheButtonsToShow) {
  EXPECT_EQ(AllowedActions(Facts("reported"), {"dispatcher"}),
            (Names{"file", "decline", "request_void", "urge"}));
  EXPECT_EQ(AllowedActions(Facts("reported"), CaseRolesOf("subdistrict_admin")),
            (Names{"file", "decline", "request_void", "supervise", "urge"}));

  CaseFacts found = Facts("reported");
  found.caller_is_reporter = true;
  EXPECT_EQ(AllowedActions(found, {"grid_worker"}), Names{"self_handle"});

  CaseFacts dispatched = Facts("dispatched");
  EXPECT_EQ(AllowedActions(dispatched, {"department_staff"}), Names{});
  dispatched.caller_owns = true;
  EXPECT_EQ(AllowedActions(dispatched, {"department_staff"}),
            (Names{"send_back", "handle", "request_extension", "request_suspension"}));
  EXPECT_EQ(AllowedActions(dispatched, {"neighborhood_worker"}),
            (Names{"handle", "request_extension", "request_suspension"}));

  dispatched.pending_request = "extension";
  EXPECT_EQ(AllowedActions(dispatched, {"supervisor"}),
            (Names{"approve_extension", "reject_extension", "supervise", "urge"}));

  CaseFacts closed = Facts("closed");
  closed.caller_is_reporter = true;
  EXPECT_EQ(AllowedActions(closed, {"resident"}), Names{"rate"});
  EXPECT_EQ(AllowedActions(Facts("void"), CaseRolesOf("subdistrict_admin")), Names{});
}

}  // namespace
}  // namespace shequ::cases
