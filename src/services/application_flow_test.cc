// The application table, action by state by relation: what is allowed, and
// why the rest is refused.
#include <gtest/gtest.h>

#include "services/application_flow.h"

namespace shequ::services {
namespace {

const std::vector<std::string> kStates = {"submitted", "returned", "accepted", "approved", "refused", "done", "withdrawn"};
const std::vector<std::string> kRelations = {"applicant", "proxy", "handler"};

struct Allowed {
  std::string action, from, relation, to;
};
// Written out by hand from the procedure (not derived from the table under test).
const std::vector<Allowed> kAllowed = {
    {"accept", "submitted", "handler", "accepted"},   {"return", "submitted", "handler", "returned"},
    {"resubmit", "returned", "applicant", "submitted"}, {"resubmit", "returned", "proxy", "submitted"},
    {"approve", "accepted", "handler", "approved"},   {"refuse", "accepted", "handler", "refused"},
    {"complete", "approved", "handler", "done"},      {"withdraw", "submitted", "applicant", "withdrawn"},
    {"withdraw", "submitted", "proxy", "withdrawn"},  {"withdraw", "returned", "applicant", "withdrawn"},
    {"withdraw", "returned", "proxy", "withdrawn"},
};

const Allowed* Find(const std::string& action, const std::string& from, const std::string& relation) {
  for (const auto& a : kAllowed)
    if (a.action == action && a.from == from && a.relation == relation) return &a;
  return nullptr;
}

bool AnyRelationMayIn(const std::string& action, const std::string& state) {
  for (const auto& a : kAllowed)
    if (a.action == action && a.from == state) return true;
  return false;
}

bool RelationMayAnywhere(const std::string& action, const std::string& relation) {
  for (const auto& a : kAllowed)
    if (a.action == action && a.relation == relation) return true;
  return false;
}

TEST(ApplicationFlowTest, EveryActionStateAndRelation) {
  for (const auto& t : ApplicationTransitions()) {
    std::string action(t.action);
    for (const auto& state : kStates) {
      for (const auto& relation : kRelations) {
        SCOPED_TRACE(action + " in " + state + " by " + relation);
        Result<const ApplicationTransition*> r = CheckApplicationAction(action, {state, {relation}}, true);
        const Allowed* expected = Find(action, state, relation);
        if (expected) {
          ASSERT_TRUE(r.ok()) << r.status().message().en;
          EXPECT_EQ((*r)->to, expected->to);
        } else if (!RelationMayAnywhere(action, relation)) {
          EXPECT_EQ(r.status().code(), Code::kForbidden);
        } else {
          EXPECT_EQ(r.status().code(), Code::kConflict);
        }
      }
    }
  }
}

TEST(ApplicationFlowTest, TheTableHasExactlyTheAllowedMoves) {
  size_t moves = 0;
  for (const auto& t : ApplicationTransitions()) moves += t.from.size() * t.relations.size();
  EXPECT_EQ(moves, kAllowed.size());
}

TEST(ApplicationFlowTest, ReturnAndRefuseNeedANote) {
  Result<const ApplicationTransition*> ret = CheckApplicationAction("return", {"submitted", {"handler"}}, false);
  ASSERT_EQ(ret.status().code(), Code::kValidation);
  EXPECT_EQ(ret.status().fields().at(0).field, "note");
  Result<const ApplicationTransition*> refuse = CheckApplicationAction("refuse", {"accepted", {"handler"}}, false);
  ASSERT_EQ(refuse.status().code(), Code::kValidation);
  EXPECT_EQ(refuse.status().fields().at(0).field, "note");
  EXPECT_NE(refuse.status().fields().at(0).message.zh.find("理由"), std::string::npos);
  EXPECT_TRUE(CheckApplicationAction("approve", {"accepted", {"handler"}}, false).ok());
}

TEST(ApplicationFlowTest, UnknownActionNamesTheField) {
  Result<const ApplicationTransition*> r = CheckApplicationAction("stamp", {"submitted", {"handler"}}, true);
  ASSERT_EQ(r.status().code(), Code::kValidation);
  EXPECT_EQ(r.status().fields().at(0).field, "action");
}

TEST(ApplicationFlowTest, AllowedActionsAreWhatCheckAccepts) {
  for (const auto& state : kStates) {
    for (const auto& relation : kRelations) {
      std::vector<std::string_view> allowed = AllowedApplicationActions({state, {relation}});
      for (const auto& t : ApplicationTransitions()) {
        bool listed = std::find(allowed.begin(), allowed.end(), t.action) != allowed.end();
        EXPECT_EQ(listed, Find(std::string(t.action), state, relation) != nullptr) << t.action << " " << state << " " << relation;
      }
    }
  }
  // Nobody acts on a finished application.
  for (const char* state : {"refused", "done", "withdrawn"}) {
    EXPECT_TRUE(AllowedApplicationActions({state, {"applicant", "proxy", "handler"}}).empty()) << state;
    EXPECT_FALSE(AnyRelationMayIn("withdraw", state));
  }
}

}  // namespace
}  // namespace shequ::services
