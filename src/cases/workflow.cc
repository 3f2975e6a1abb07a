#include "cases/workflow.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace shequ::cases {

namespace {

const std::vector<std::string_view> kOpenStates = {"reported", "filed", "dispatched", "handled",
                                                   "suspended"};
const std::vector<std::string_view> kEveryCaseRole = {"dispatcher",          "department_staff",
                                                      "neighborhood_worker", "grid_worker",
                                                      "supervisor",          "resident"};

// Chinese names of the states and of the requests that wait for a supervisor, for messages.
const std::vector<std::pair<std::string_view, std::string_view>> kChineseNames = {
    {"reported", "上报"},        {"filed", "立案"},
    {"not_filed", "不予立案"},   {"dispatched", "处置中"},
    {"handled", "已处置待核查"}, {"closed", "结案"},
    {"suspended", "挂账"},       {"void", "作废"},
    {"extension", "延期"},       {"suspension", "挂账"}};

std::string_view Chinese(std::string_view code) {
  for (const auto& [name, zh] : kChineseNames)
    if (name == code) return zh;
  return code;
}

bool Contains(const std::vector<std::string_view>& list, std::string_view item) {
  return std::ranges::find(list, item) != list.end();
}

bool HoldsAny(const std::vector<std::string>& case_roles,
              const std::vector<std::string_view>& roles) {
  return std::ranges::any_of(case_roles,
                             [&](const std::string& role) { return Contains(roles, role); });
}

Status Conflict(std::string zh, std::string en) {
  return {Code::kConflict, {std::move(zh), std::move(en)}};
}

Status CheckCaller(const Transition& t, const CaseFacts& facts,
                   const std::vector<std::string>& case_roles) {
  if (!HoldsAny(case_roles, t.roles)) {
    return {Code::kForbidden,
            {fmt::format("您的角色不能对案件执行“{}”", t.zh),
             fmt::format("Your role may not take the action {} on cases", t.action)}};
  }
  if (t.reporter_only && !facts.caller_is_reporter) {
    return {Code::kForbidden,
            {fmt::format("只有上报人可以对案件执行“{}”", t.zh),
             fmt::format("Only the reporter of the case may {}", t.action)}};
  }
  if (t.caller_must_own && !facts.caller_owns) {
    return {Code::kForbidden,
            {"该案件不由您所在的部门或居民区承办",
             "The case is not owned by your department or neighborhood"}};
  }
  return Status::Ok();
}

Status CheckPending(const Transition& t, const CaseFacts& facts) {
  if (!t.needs_pending.empty() && facts.pending_request != t.needs_pending) {
    return Conflict(fmt::format("该案件没有待审批的{}申请", Chinese(t.needs_pending)),
                    fmt::format("The case has no pending {} request", t.needs_pending));
  }
  if (!t.sets_pending.empty() && !facts.pending_request.empty()) {
    return Conflict(fmt::format("该案件已有待审批的{}申请", Chinese(facts.pending_request)),
                    fmt::format("A {} request is already pending", facts.pending_request));
  }
  return Status::Ok();
}

Status CheckRating(const Transition& t, const CaseFacts& facts) {
  if (t.once && facts.rated)
    return Conflict("您已评价过该案件", "You have already rated this case");
  if (!t.within_reopen_window) return Status::Ok();
  if (!facts.rated_unsatisfied_at) {
    return Conflict("只有评价为不满意的案件才能重新办理",
                    "Only a case rated 'unsatisfied' can be reopened");
  }
  if (facts.now - *facts.rated_unsatisfied_at > kReopenWindow) {
    return Conflict("评价不满意 7 天后不能再重新办理",
                    "A case can be reopened only within 7 days of rating it 'unsatisfied'");
  }
  return Status::Ok();
}

Status CheckCase(const Transition& t, const CaseFacts& facts) {
  if (!Contains(t.from, facts.state)) {
    return Conflict(
        fmt::format("案件当前状态为“{}”，不能执行“{}”", Chinese(facts.state), t.zh),
        fmt::format("The action {} is not allowed while the case is {}", t.action, facts.state));
  }
  SHEQU_RETURN_IF_ERROR(CheckPending(t, facts));
  return CheckRating(t, facts);
}

Status CheckInput(const Transition& t, const ActionInput& input) {
  if (t.note_required && !input.has_note) {
    return Status::Invalid("note", {fmt::format("执行“{}”需要填写说明", t.zh),
                                    fmt::format("The action {} needs a note", t.action)});
  }
  if (t.needs_owner && !input.has_owner) {
    return Status::Invalid("owner", {"请选择承办的部门或居民区",
                                     "Choose the department or neighborhood to own the case"});
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> CaseRolesOf(std::string_view account_role) {
  if (account_role == "district_admin") return {"supervisor"};
  if (account_role == "subdistrict_admin") return {"supervisor", "dispatcher"};
  for (std::string_view same :
       {"dispatcher", "department_staff", "neighborhood_worker", "grid_worker", "resident"}) {
    if (account_role == same) return {std::string(same)};
  }
  return {};
}

const std::vector<Transition>& Transitions() {
  // Department staff and neighborhood workers act only on cases their unit owns; requests wait
  // for a supervisor (a district or subdistrict administrator).
  static const std::vector<Transition> table = {
      {.action = "file",
       .zh = "立案",
       .from = {"reported"},
       .to = "filed",
       .roles = {"dispatcher"}},
      {.action = "decline",
       .zh = "不予立案",
       .from = {"reported"},
       .to = "not_filed",
       .roles = {"dispatcher"},
       .note_required = true},
      {.action = "dispatch",
       .zh = "派遣",
       .from = {"filed"},
       .to = "dispatched",
       .roles = {"dispatcher"},
       .needs_owner = true},
      {.action = "send_back",
       .zh = "回退",
       .from = {"dispatched"},
       .to = "filed",
       .roles = {"department_staff"},
       .note_required = true,
       .caller_must_own = true},
      {.action = "handle",
       .zh = "处置反馈",
       .from = {"dispatched"},
       .to = "handled",
       .roles = {"department_staff", "neighborhood_worker"},
       .note_required = true,
       .caller_must_own = true},
      {.action = "verify_pass",
       .zh = "核查通过",
       .from = {"handled"},
       .to = "closed",
       .roles = {"grid_worker", "dispatcher"}},
      {.action = "verify_fail",
       .zh = "核查不通过",
       .from = {"handled"},
       .to = "dispatched",
       .roles = {"grid_worker", "dispatcher"},
       .note_required = true,
       .counts_rework = true},
      // A grid worker who can fix what they found on the spot closes it at once (自处理).
      {.action = "self_handle",
       .zh = "自处理",
       .from = {"reported"},
       .to = "closed",
       .roles = {"grid_worker"},
       .reporter_only = true},
      {.action = "request_extension",
       .zh = "申请延期",
       .from = {"dispatched"},
       .roles = {"department_staff", "neighborhood_worker"},
       .caller_must_own = true,
       .sets_pending = "extension"},
      {.action = "approve_extension",
       .zh = "批准延期",
       .from = {"dispatched"},
       .roles = {"supervisor"},
       .needs_pending = "extension"},
      {.action = "reject_extension",
       .zh = "驳回延期",
       .from = {"dispatched"},
       .roles = {"supervisor"},
       .needs_pending = "extension"},
      {.action = "request_suspension",
       .zh = "申请挂账",
       .from = {"dispatched"},
       .roles = {"department_staff", "neighborhood_worker"},
       .caller_must_own = true,
       .sets_pending = "suspension"},
      {.action = "approve_suspension",
       .zh = "批准挂账",
       .from = {"dispatched"},
       .to = "suspended",
       .roles = {"supervisor"},
       .needs_pending = "suspension"},
      {.action = "reject_suspension",
       .zh = "驳回挂账",
       .from = {"dispatched"},
       .roles = {"supervisor"},
       .needs_pending = "suspension"},
      {.action = "resume",
       .zh = "恢复处置",
       .from = {"suspended"},
       .to = "dispatched",
       .roles = {"supervisor"}},
      // Voiding is for duplicates, which show before anyone works on them.
      {.action = "request_void",
       .zh = "申请作废",
       .from = {"reported", "filed"},
       .roles = {"dispatcher"},
       .sets_pending = "void"},
      {.action = "approve_void",
       .zh = "批准作废",
       .from = {"reported", "filed"},
       .to = "void",
       .roles = {"supervisor"},
       .needs_pending = "void"},
      {.action = "reject_void",
       .zh = "驳回作废",
       .from = {"reported", "filed"},
       .roles = {"supervisor"},
       .needs_pending = "void"},
      {.action = "supervise",
       .zh = "督办",
       .from = kOpenStates,
       .roles = {"supervisor"},
       .raises_priority = true},
      {.action = "urge",
       .zh = "催办",
       .from = kOpenStates,
       .roles = {"supervisor", "dispatcher"},
       .raises_priority = true},
      // Whoever reported the case rates it, whatever their role: a resident, or a grid worker
      // for what they found.
      {.action = "rate",
       .zh = "评价",
       .from = {"closed"},
       .roles = kEveryCaseRole,
       .reporter_only = true,
       .once = true},
      {.action = "reopen",
       .zh = "重新办理",
       .from = {"closed"},
       .to = "filed",
       .roles = kEveryCaseRole,
       .reporter_only = true,
       .within_reopen_window = true},
  };
  return table;
}

Result<const Transition*> Check(std::string_view action, const CaseFacts& facts,
                                const std::vector<std::string>& case_roles,
                                const ActionInput& input) {
  const std::vector<Transition>& table = Transitions();
  auto t = std::ranges::find(table, action, &Transition::action);
  if (t == table.end()) {
    return Status::Invalid("action", {fmt::format("没有“{}”这个案件操作", action),
                                      fmt::format("There is no case action {}", action)});
  }
  SHEQU_RETURN_IF_ERROR(CheckCaller(*t, facts, case_roles));
  SHEQU_RETURN_IF_ERROR(CheckCase(*t, facts));
  SHEQU_RETURN_IF_ERROR(CheckInput(*t, input));
  return &*t;
}

std::vector<std::string_view> AllowedActions(const CaseFacts& facts,
                                             const std::vector<std::string>& case_roles) {
  const ActionInput complete{.has_note = true, .has_owner = true};
  std::vector<std::string_view> allowed;
  for (const Transition& t : Transitions())
    if (Check(t.action, facts, case_roles, complete).ok()) allowed.push_back(t.action);
  return allowed;
}

std::string_view StateAfter(const Transition& t, std::string_view state) {
  return t.to.empty() ? state : t.to;
}

std::string_view PendingAfter(const Transition& t, std::string_view state,
                              std::string_view pending) {
  if (!t.sets_pending.empty()) return t.sets_pending;
  if (!t.needs_pending.empty() || StateAfter(t, state) != state) return {};
  return pending;
}

}  // namespace shequ::cases
