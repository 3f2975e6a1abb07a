#include "services/application_flow.h"

#include <algorithm>

namespace shequ::services {

const std::vector<ApplicationTransition>& ApplicationTransitions() {
  static const std::vector<ApplicationTransition> table = {
      {"accept", "受理", {"submitted"}, "accepted", {"handler"}},
      {"return", "退回补正", {"submitted"}, "returned", {"handler"}, true},
      {"resubmit", "补正后重新提交", {"returned"}, "submitted", {"applicant", "proxy"}},
      {"approve", "审核通过", {"accepted"}, "approved", {"handler"}},
      {"refuse", "不予批准", {"accepted"}, "refused", {"handler"}, true},
      {"complete", "办结", {"approved"}, "done", {"handler"}},
      {"withdraw", "撤回", {"submitted", "returned"}, "withdrawn", {"applicant", "proxy"}},
  };
  return table;
}

namespace {

bool Holds(const ApplicationTransition& t, const ApplicationFacts& facts) {
  return std::any_of(t.relations.begin(), t.relations.end(), [&](std::string_view r) {
    return std::find(facts.relations.begin(), facts.relations.end(), r) != facts.relations.end();
  });
}

bool From(const ApplicationTransition& t, std::string_view state) {
  return std::find(t.from.begin(), t.from.end(), state) != t.from.end();
}

}  // namespace

Result<const ApplicationTransition*> CheckApplicationAction(std::string_view action, const ApplicationFacts& facts,
                                                            bool has_note) {
  const auto& table = ApplicationTransitions();
  auto it = std::find_if(table.begin(), table.end(), [&](const auto& t) { return t.action == action; });
  if (it == table.end()) {
    return Status::Invalid("action", {"没有这个操作", "No such action"});
  }
  if (!Holds(*it, facts)) {
    return Status(Code::kForbidden, {"您不能对这件申请“" + std::string(it->zh) + "”",
                                     "You may not " + std::string(action) + " this application"});
  }
  if (!From(*it, facts.state)) {
    return Status(Code::kConflict, {"申请当前的状态不能“" + std::string(it->zh) + "”",
                                    "The application's state does not allow " + std::string(action)});
  }
  if (it->note_required && !has_note) {
    return it->action == "return"
               ? Status::Invalid("note", {"请写明需要补正的材料或内容", "Say what is missing (note)"})
               : Status::Invalid("note", {"请写明不予批准的理由", "Give the reason for refusing (note)"});
  }
  return &*it;
}

std::vector<std::string_view> AllowedApplicationActions(const ApplicationFacts& facts) {
  std::vector<std::string_view> out;
  for (const auto& t : ApplicationTransitions()) {
    if (Holds(t, facts) && From(t, facts.state)) out.push_back(t.action);
  }
  return out;
}

}  // namespace shequ::services
