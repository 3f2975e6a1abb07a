#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cases/case_internal.h"
#include "cases/photos.h"
#include "cases/workflow.h"
#include "core/crypto.h"
#include "core/json_input.h"

namespace shequ::cases {

using namespace internal;
namespace json = boost::json;

namespace {

constexpr std::string_view kCaseColumns =
    "c.id, c.category_code, c.title, c.description, c.source, c.state, c.pending_request, c.priority, c.lng, c.lat,"
    " c.address, c.area_code, c.area_path, c.owner_kind, c.owner_code, c.reporter_account_id, c.reporter_name,"
    " c.reporter_phone_masked, c.step_started_at, c.step_warn_at, c.step_due_at, c.reported_at, c.closed_at,"
    " c.rework_count, c.satisfaction, c.rated_at, c.merged_into, c.version, c.updated_at, c.handle_due_at,"
    " a.name, COALESCE(d.name, o.name), c.source";
constexpr std::string_view kCaseFrom =
    " FROM cases c JOIN areas a ON a.code = c.area_code"
    " LEFT JOIN departments d ON c.owner_kind = 'department' AND d.code = c.owner_code"
    " LEFT JOIN areas o ON c.owner_kind = 'neighborhood' AND o.code = c.owner_code";
enum Col {
  kId, kCategory, kTitle, kDescription, kSource, kState, kPending, kPriority, kLng, kLat, kAddress, kAreaCode,
  kAreaPath, kOwnerKind, kOwnerCode, kReporterId, kReporterName, kReporterPhone, kStepStarted, kStepWarn, kStepDue,
  kReportedAt, kClosedAt, kRework, kSatisfaction, kRatedAt, kMergedInto, kVersion, kUpdatedAt, kHandleDue, kAreaName,
  kOwnerName
};

std::string Now(const Clock& clock) { return FormatUtc(clock.Now()); }

json::value OptNumber(const store::Row& row, size_t i) {
  if (row.IsNull(i)) return nullptr;
  return row.Real(i);
}
json::value OptString(const store::Row& row, size_t i) {
  if (row.IsNull(i)) return nullptr;
  return json::string(row.Text(i));
}

struct Located {
  std::string area_code, area_path;
};

bool IsStaff(const Principal& who) { return who.role != "resident"; }

}  // namespace

// ---- Shared rules

namespace internal {

Status Invalid(std::string field, std::string zh, std::string en) {
  return Status::Invalid(std::move(field), {std::move(zh), std::move(en)});
}

std::string AccessFilter(const Principal& who, const std::optional<std::string>& department, store::Params& params) {
  if (who.role == "department_staff") {
    params.emplace_back(department.value_or(""));
    return "c.owner_kind = 'department' AND c.owner_code = ?";
  }
  if (who.role == "resident") {
    params.emplace_back(who.account_id);
    return "c.reporter_account_id = ?";
  }
  // Staff report inside their own territory, so their territory is all they need (and one
  // range keeps the queue's index usable).
  return store::Scope::Subtree(who.area_path).Filter("c.area_path", params);
}

std::optional<StepClock> StepLimit(const WorkCalendar& calendar, const Category& category, std::string_view state,
                                   TimePoint start) {
  TimePoint due;
  if (state == "reported") {
    due = calendar.AddWorkingHours(start, category.file_hours);
  } else if (state == "filed") {
    due = calendar.AddWorkingHours(start, category.dispatch_hours);
  } else if (state == "dispatched") {
    due = category.handle_unit == "days" ? calendar.AddWorkingDays(start, static_cast<int>(category.handle_limit))
                                         : calendar.AddWorkingHours(start, category.handle_limit);
  } else if (state == "handled") {
    due = calendar.AddWorkingHours(start, category.dispatch_hours);  // verification on site: as quick as dispatch
  } else {
    return std::nullopt;
  }
  return StepClock{FormatUtc(calendar.WarnAt(start, due)), FormatUtc(due)};
}

std::string NeighborhoodOf(const std::string& area_path) {
  // "/310105/310105002/310105002001/31010500200101/": district, subdistrict, neighborhood, grid.
  size_t pos = 0;
  for (int i = 0; i < 2; ++i) {
    pos = area_path.find('/', pos + 1);
    if (pos == std::string::npos) return "";
  }
  size_t end = area_path.find('/', pos + 1);
  return end == std::string::npos ? "" : area_path.substr(pos + 1, end - pos - 1);
}

}  // namespace internal

// ---- Service

CaseService::CaseService(store::Database& db, const Vault& vault, const audit::Trail& trail, http::EventHub& hub,
                         const Clock& clock)
    : db_(db), vault_(vault), trail_(trail), hub_(hub), clock_(clock) {}

CaseService::~CaseService() = default;

std::shared_ptr<const CaseService::Snapshot> CaseService::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::shared_ptr<const WorkCalendar> CaseService::calendar() const { return snapshot()->calendar; }

void CaseService::Reload() {
  auto next = std::make_shared<Snapshot>();
  auto conn = db_.Acquire();
  std::vector<SpecialDay> days;
  for (const auto& row : conn->Query("SELECT day, working, name FROM work_calendar_days ORDER BY day"))
    days.push_back({row.Text(0), row.Int(1) != 0, row.Text(2)});
  Result<WorkCalendar> calendar = WorkCalendar::Create(days);
  if (!calendar.ok()) throw SystemError("work_calendar_days: " + calendar.status().message().en);
  next->calendar = std::make_shared<const WorkCalendar>(std::move(*calendar));
  for (const auto& row : conn->Query("SELECT code, family, major, name, name_en, urgency, file_hours, dispatch_hours,"
                                     " handle_limit, handle_unit, active, version FROM case_categories ORDER BY code")) {
    next->categories[row.Text(0)] = {row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5),
                                     row.Text(9), row.Real(6), row.Real(7), row.Real(8), row.Int(10) != 0, row.Int(11)};
  }
  std::vector<GridShape> shapes;
  for (const auto& row : conn->Query("SELECT s.area_code, a.path, s.wkt FROM area_shapes s JOIN areas a ON a.code = s.area_code"
                                     " WHERE a.level = 'grid' ORDER BY s.area_code"))
    shapes.push_back({row.Text(0), row.Text(1), row.Text(2)});
  Result<std::unique_ptr<GridLocator>> grids = GridLocator::Create(shapes);
  if (!grids.ok()) throw SystemError("area_shapes: " + grids.status().message().en);
  next->grids = std::move(*grids);
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(next);
}

json::object CaseService::Departments() {
  json::array items;
  for (const auto& row : db_.Acquire()->Query("SELECT code, name, name_en, area_code FROM departments ORDER BY code"))
    items.push_back({{"code", row.Text(0)}, {"name", row.Text(1)}, {"name_en", row.Text(2)}, {"area_code", row.Text(3)}});
  return {{"items", std::move(items)}};
}

std::optional<std::string> CaseService::DepartmentOf(int64_t account_id) {
  auto conn = db_.Acquire();
  store::Rows rows = conn->Query("SELECT department_code FROM department_members WHERE account_id = ?", {account_id});
  if (rows.empty()) return std::nullopt;
  return rows[0].Text(0);
}

// ---- Reading

namespace {

json::object CaseJson(const store::Row& row, const std::string& now) {
  json::object c{{"id", row.Int(kId)},
                 {"category_code", row.Text(kCategory)},
                 {"title", row.Text(kTitle)},
                 {"description", row.Text(kDescription)},
                 {"source", row.Text(kSource)},
                 {"state", row.Text(kState)},
                 {"pending_request", row.Text(kPending)},
                 {"priority", row.Int(kPriority)},
                 {"lng", OptNumber(row, kLng)},
                 {"lat", OptNumber(row, kLat)},
                 {"address", row.Text(kAddress)},
                 {"area_code", row.Text(kAreaCode)},
                 {"area_name", row.Text(kAreaName)},
                 {"owner_kind", OptString(row, kOwnerKind)},
                 {"owner_code", OptString(row, kOwnerCode)},
                 {"owner_name", OptString(row, kOwnerName)},
                 {"reporter_name", row.Text(kReporterName)},
                 {"reporter_phone", OptString(row, kReporterPhone)},
                 {"step_started_at", row.Text(kStepStarted)},
                 {"step_due_at", OptString(row, kStepDue)},
                 {"handle_due_at", OptString(row, kHandleDue)},
                 {"deadline", DeadlineColour(row.Text(kStepWarn), row.Text(kStepDue), now)},
                 {"reported_at", row.Text(kReportedAt)},
                 {"closed_at", OptString(row, kClosedAt)},
                 {"rework_count", row.Int(kRework)},
                 {"satisfaction", OptString(row, kSatisfaction)},
                 {"rated_at", OptString(row, kRatedAt)},
                 {"merged_into", row.IsNull(kMergedInto) ? json::value(nullptr) : json::value(row.Int(kMergedInto))},
                 {"version", row.Int(kVersion)},
                 {"updated_at", row.Text(kUpdatedAt)}};
  return c;
}

}  // namespace

Result<json::object> CaseService::List(const Caller& caller, const Filters& filters, const Paging& paging) {
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  store::Params params;
  std::string where = " WHERE " + AccessFilter(caller.who, department, params);
  auto filter = [&](const char* key, const char* sql) {
    auto it = filters.find(key);
    if (it == filters.end() || it->second.empty()) return;
    where += sql;
    params.emplace_back(it->second);
  };
  filter("category", " AND c.category_code = ?");
  filter("source", " AND c.source = ?");
  filter("owner_code", " AND c.owner_code = ?");
  if (auto it = filters.find("mine"); it != filters.end() && it->second == "1") {
    where += " AND c.reporter_account_id = ?";
    params.emplace_back(caller.who.account_id);
  }
  std::string now = Now(clock_);
  if (auto it = filters.find("state"); it != filters.end() && !it->second.empty()) {
    std::vector<std::string> states;
    for (size_t from = 0; from <= it->second.size();) {
      size_t comma = std::min(it->second.find(',', from), it->second.size());
      states.push_back(it->second.substr(from, comma - from));
      from = comma + 1;
    }
    where += " AND c.state IN (" + store::InList(states, params) + ")";
  }
  if (auto it = filters.find("area"); it != filters.end() && !it->second.empty()) {
    store::Rows area = db_.Acquire()->Query("SELECT path FROM areas WHERE code = ?", {it->second});
    if (area.empty()) return Invalid("area", "没有这个区域代码", "No area has this code");
    where += " AND " + store::Scope::Subtree(area[0].Text(0)).Filter("c.area_path", params);
  }
  if (auto it = filters.find("deadline"); it != filters.end() && !it->second.empty()) {
    if (it->second == "red") {
      where += " AND c.step_due_at < ?";
      params.emplace_back(now);
    } else if (it->second == "yellow") {
      where += " AND c.step_warn_at <= ? AND c.step_due_at >= ?";
      params.emplace_back(now);
      params.emplace_back(now);
    } else {
      return Invalid("deadline", "deadline 只能是 red 或 yellow", "deadline must be red or yellow");
    }
    where += std::string(" AND c.state IN ") + std::string(kOpenStates);
  }
  if (auto it = filters.find("q"); it != filters.end() && !it->second.empty()) {
    where += " AND c.title LIKE ?";
    params.emplace_back("%" + it->second + "%");
  }
  std::string order = "c.priority DESC, c.id DESC";
  if (auto it = filters.find("sort"); it != filters.end() && it->second == "due") order = "c.step_due_at, c.id";
  auto conn = db_.Acquire();
  int64_t total = conn->Query("SELECT COUNT(*) FROM cases c" + where, params)[0].Int(0);
  store::Params page_params = params;
  page_params.emplace_back(paging.page_size);
  page_params.emplace_back(paging.offset());
  // The plain queue reads cases_queue from the top and stops after a page. Left to itself SQLite
  // prefers the territory's range index and sorts the whole territory (3 s for a district of
  // 1,000,000 cases), so that page query hides area_path from the planner; the count keeps it.
  // With filters (state, deadline, …) matching rows can be rare: the planner chooses.
  bool filtered = std::any_of(filters.begin(), filters.end(), [](const auto& f) {
    return f.first != "page" && f.first != "page_size" && f.first != "sort" && !f.second.empty();
  });
  std::string page_where = where;
  if (order.starts_with("c.priority") && !filtered) {
    for (size_t at = 0; (at = page_where.find("c.area_path", at)) != std::string::npos; at += 22)
      page_where.replace(at, 11, "(c.area_path || '')");
  }
  json::array items;
  for (const auto& row : conn->Query(fmt::format("SELECT {}{}{} ORDER BY {} LIMIT ? OFFSET ?", kCaseColumns, kCaseFrom,
                                                 page_where, order),
                                     page_params))
    items.push_back(CaseJson(row, now));
  return PageJson(std::move(items), total, paging);
}

Result<json::object> CaseService::Counts(const Caller& caller) {
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  store::Params params;
  std::string access = AccessFilter(caller.who, department, params);
  std::string now = Now(clock_);
  store::Params with_now = params;
  with_now.insert(with_now.begin(), {now, now, now});
  json::object by_state;
  int64_t yellow = 0, red = 0;
  auto conn = db_.Acquire();
  for (const auto& row : conn->Query(
           "SELECT c.state, COUNT(*), SUM(CASE WHEN c.step_due_at < ? THEN 1 ELSE 0 END),"
           " SUM(CASE WHEN c.step_warn_at <= ? AND c.step_due_at >= ? THEN 1 ELSE 0 END)"
           " FROM cases c WHERE " + access + " GROUP BY c.state",
           with_now)) {
    by_state[row.Text(0)] = row.Int(1);
    if (row.Text(0) != "closed" && row.Text(0) != "void" && row.Text(0) != "not_filed" && row.Text(0) != "suspended") {
      red += row.IsNull(2) ? 0 : row.Int(2);
      yellow += row.IsNull(3) ? 0 : row.Int(3);
    }
  }
  return json::object{{"by_state", std::move(by_state)}, {"yellow", yellow}, {"red", red}};
}

namespace {

// The one row of a case the caller may see, for reading or (in a write
// transaction) for acting on it.
std::optional<store::Row> LoadCase(store::Connection& conn, const Principal& who,
                                   const std::optional<std::string>& department, int64_t id) {
  store::Params params{id};
  std::string access = AccessFilter(who, department, params);
  store::Rows rows = conn.Query(fmt::format("SELECT {}{} WHERE c.id = ? AND {}", kCaseColumns, kCaseFrom, access), params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows[0]);
}

CaseFacts FactsOf(const store::Row& row, const Principal& who, const std::optional<std::string>& department,
                  TimePoint now) {
  CaseFacts facts;
  facts.state = row.Text(kState);
  facts.pending_request = row.Text(kPending);
  facts.caller_is_reporter = !row.IsNull(kReporterId) && row.Int(kReporterId) == who.account_id;
  if (row.Text(kOwnerKind) == "department") {
    facts.caller_owns = department && *department == row.Text(kOwnerCode);
  } else if (row.Text(kOwnerKind) == "neighborhood") {
    facts.caller_owns = who.role == "neighborhood_worker" && who.area_code == row.Text(kOwnerCode);
  }
  facts.rated = !row.IsNull(kRatedAt);
  if (row.Text(kSatisfaction) == "unsatisfied") facts.rated_unsatisfied_at = ParseUtc(row.Text(kRatedAt));
  facts.now = now;
  return facts;
}

Status NotFoundCase() { return Status(Code::kNotFound, {"未找到该案件", "No such case"}); }

struct Owner {
  std::string kind, code;
};

// The owner the responsibility list names for `category` at `area_path`: the
// most specific area wins.
std::optional<Owner> SuggestedOwner(store::Connection& conn, const std::string& category, const std::string& area_path) {
  store::Rows rows = conn.Query(
      "SELECT owner_kind, department_code FROM responsibilities WHERE category_code = ? AND ? >= area_path AND ? < area_path || '~'"
      " ORDER BY LENGTH(area_path) DESC LIMIT 1",
      {category, area_path, area_path});
  if (rows.empty()) return std::nullopt;
  if (rows[0].Text(0) == "neighborhood") {
    std::string nb = NeighborhoodOf(area_path);
    if (nb.empty()) return std::nullopt;
    return Owner{"neighborhood", nb};
  }
  return Owner{"department", rows[0].Text(1)};
}

json::value OwnerJson(store::Connection& conn, const std::optional<Owner>& owner) {
  if (!owner) return nullptr;
  store::Rows name = owner->kind == "department"
                         ? conn.Query("SELECT name FROM departments WHERE code = ?", {owner->code})
                         : conn.Query("SELECT name FROM areas WHERE code = ?", {owner->code});
  return json::object{{"kind", owner->kind}, {"code", owner->code}, {"name", name.empty() ? "" : name[0].Text(0)}};
}


}  // namespace

Result<json::object> CaseService::Get(const Caller& caller, int64_t id) {
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  auto conn = db_.Acquire();
  std::optional<store::Row> row = LoadCase(*conn, caller.who, department, id);
  if (!row) return NotFoundCase();
  json::object c = CaseJson(*row, Now(clock_));
  json::array steps;
  for (const auto& s : conn->Query("SELECT action, from_state, to_state, actor_name, note, owner_code, at FROM case_steps"
                                   " WHERE case_id = ? ORDER BY id",
                                   {id})) {
    steps.push_back({{"action", s.Text(0)}, {"from_state", s.Text(1)}, {"to_state", s.Text(2)},
                     {"actor", IsStaff(caller.who) ? s.Text(3) : std::string()}, {"note", s.Text(4)},
                     {"owner_code", OptString(s, 5)}, {"at", s.Text(6)}});
  }
  c["steps"] = std::move(steps);
  json::array actions;
  for (auto a : AllowedActions(FactsOf(*row, caller.who, department, clock_.Now()), CaseRolesOf(caller.who.role)))
    actions.push_back(json::string(a));
  c["allowed_actions"] = std::move(actions);
  json::array photos;
  for (const auto& p : conn->Query("SELECT id, stage, width, height FROM case_photos WHERE case_id = ? ORDER BY id", {id})) {
    photos.push_back({{"id", p.Int(0)}, {"stage", p.Text(1)}, {"width", p.Int(2)}, {"height", p.Int(3)},
                      {"url", fmt::format("/api/v1/case-photos/{}", p.Int(0))},
                      {"thumb_url", fmt::format("/api/v1/case-photos/{}?size=thumb", p.Int(0))}});
  }
  c["photos"] = std::move(photos);
  if (c["state"] == "reported" || c["state"] == "filed") {
    c["suggested_owner"] = OwnerJson(*conn, SuggestedOwner(*conn, row->Text(kCategory), row->Text(kAreaPath)));
  }
  if (!IsStaff(caller.who)) c.erase("reporter_phone");
  return c;
}

// ---- Writing: one helper records a step, audits it and announces it.

namespace {

struct StepRecord {
  int64_t case_id;
  std::string action, from, to, note, owner_code, area_path, at;
};

void RecordStep(store::Connection& conn, const audit::Trail& trail, const Caller& caller, const StepRecord& step) {
  conn.Execute("INSERT INTO case_steps (case_id, action, from_state, to_state, actor_id, actor_name, note, owner_code,"
               " at, area_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {step.case_id, step.action, step.from, step.to, caller.who.account_id,
                caller.who.display_name.empty() ? caller.who.username : caller.who.display_name, step.note,
                step.owner_code.empty() ? store::Value() : store::Value(step.owner_code), step.at, step.area_path});
  audit::Entry entry = audit::By(caller.who, caller.request_id, "case." + step.action, fmt::format("case:{}", step.case_id));
  entry.area_path = step.area_path;
  entry.details = {{"from", step.from}, {"to", step.to}};
  if (!step.owner_code.empty()) entry.details["owner"] = step.owner_code;
  trail.Append(conn, entry);
}

// `reporter`: the reporting account (0: none), the one resident who hears of the case.
void Announce(store::Connection& conn, http::EventHub& hub, int64_t id, const std::string& action,
              const std::string& state, const std::string& area_path, int64_t reporter) {
  std::string data = json::serialize(json::object{{"id", id}, {"action", action}, {"state", state}});
  conn.AfterCommit([&hub, data, area_path, reporter] {
    hub.Publish("case", data, area_path, {"case.read"}, reporter ? std::vector<int64_t>{reporter} : std::vector<int64_t>{});
  });
}

}  // namespace

Result<json::object> CaseService::Create(const Caller& caller, const Report& report) {
  std::shared_ptr<const Snapshot> snap = snapshot();
  auto category = snap->categories.find(report.category_code);
  if (category == snap->categories.end() || !category->second.active) {
    return Invalid("category_code", "没有这个案件类别", "No such case category");
  }
  if (report.title.empty() || Utf8Length(report.title) > 100) {
    return Invalid("title", "标题不能为空，且不超过 100 个字", "title is required, at most 100 characters");
  }
  if (Utf8Length(report.description) > 2000) {
    return Invalid("description", "描述不超过 2000 个字", "description is at most 2000 characters");
  }
  Located place;
  if (report.lng || report.lat) {
    if (!report.lng || !report.lat) return Invalid("lat", "经度和纬度须同时填写", "lng and lat go together");
    std::optional<GridShape> grid = snap->grids->Find(*report.lng, *report.lat);
    if (!grid) return Invalid("lng", "该位置不在本区任何网格内", "The point lies outside every grid of the district");
    place = {grid->area_code, grid->area_path};
  } else {
    if (report.area_code.empty()) return Invalid("lng", "请给出位置（经纬度）或区域代码", "Give a point (lng, lat) or an area_code");
    store::Rows area = db_.Acquire()->Query("SELECT path, level FROM areas WHERE code = ?", {report.area_code});
    if (area.empty() || (area[0].Text(1) != "grid" && area[0].Text(1) != "neighborhood")) {
      return Invalid("area_code", "区域代码须是一个网格或居委", "area_code must be a grid or a neighborhood");
    }
    place = {report.area_code, area[0].Text(0)};
  }
  const std::vector<std::string> roles = CaseRolesOf(caller.who.role);
  const Transition* on_spot = nullptr;
  TimePoint now_tp = clock_.Now();
  std::string now = FormatUtc(now_tp);
  if (report.handled_on_spot) {
    CaseFacts facts{.state = "reported", .caller_is_reporter = true, .now = now_tp};
    Result<const Transition*> t = Check("self_handle", facts, roles, {.has_note = !report.note.empty()});
    if (!t.ok()) return t.status();
    on_spot = *t;
  }
  std::string state = on_spot ? std::string(on_spot->to) : "reported";
  std::optional<StepClock> limit = StepLimit(*snap->calendar, category->second, state, now_tp);
  store::Value phone_sealed, phone_masked;
  if (!report.reporter_phone.empty()) {
    phone_sealed = vault_.Seal(report.reporter_phone);
    std::string p = report.reporter_phone;
    phone_masked = p.size() >= 7 ? p.substr(0, 3) + std::string(p.size() - 7, '*') + p.substr(p.size() - 4) : "****";
  }
  int64_t id = 0;
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    id = conn.Query(
                 "INSERT INTO cases (category_code, title, description, source, state, lng, lat, address, area_code,"
                 " area_path, reporter_account_id, reporter_name, reporter_phone_sealed, reporter_phone_masked,"
                 " open311_client, step_started_at, step_warn_at, step_due_at, reported_at, closed_at, updated_at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 {report.category_code, report.title, report.description, report.source, state,
                  report.lng ? store::Value(*report.lng) : store::Value(),
                  report.lat ? store::Value(*report.lat) : store::Value(), report.address, place.area_code,
                  place.area_path, caller.who.account_id == 0 ? store::Value() : store::Value(caller.who.account_id),
                  report.reporter_name, phone_sealed, phone_masked,
                  report.open311_client.empty() ? store::Value() : store::Value(report.open311_client), now,
                  limit ? store::Value(limit->warn_at) : store::Value(),
                  limit ? store::Value(limit->due_at) : store::Value(), now,
                  on_spot ? store::Value(now) : store::Value(), now})[0]
             .Int(0);
    RecordStep(conn, trail_, caller, {id, "report", "", "reported", "", "", place.area_path, now});
    if (on_spot) RecordStep(conn, trail_, caller, {id, "self_handle", "reported", state, report.note, "", place.area_path, now});
    Announce(conn, hub_, id, on_spot ? "self_handle" : "report", state, place.area_path, caller.who.account_id);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return Get(caller, id);
}

// ---- Acting on a case

namespace {

Status CheckOwner(store::Connection& conn, const Owner& owner) {
  if (owner.kind == "department") {
    if (conn.Query("SELECT 1 FROM departments WHERE code = ?", {owner.code}).empty()) {
      return Invalid("owner_code", "没有这个部门", "No such department");
    }
  } else if (owner.kind == "neighborhood") {
    if (conn.Query("SELECT 1 FROM areas WHERE code = ? AND level = 'neighborhood'", {owner.code}).empty()) {
      return Invalid("owner_code", "没有这个居委", "No such neighborhood");
    }
  } else {
    return Invalid("owner_kind", "owner_kind 只能是 department 或 neighborhood", "owner_kind must be department or neighborhood");
  }
  return Status::Ok();
}

}  // namespace

Result<json::object> CaseService::Act(const Caller& caller, int64_t id, const json::object& body) {
  FieldReader read(body);
  std::optional<std::string> action = read.String("action", true, 40);
  std::optional<int64_t> version = read.Int("version", true);
  std::optional<std::string> note = read.String("note", false, 2000);
  std::optional<std::string> owner_kind = read.String("owner_kind", false, 20);
  std::optional<std::string> owner_code = read.String("owner_code", false, 40);
  std::optional<std::string> satisfaction = read.String("satisfaction", false, 40);
  std::optional<int64_t> duplicate_of = read.Int("duplicate_of", false);
  if (!read.status().ok()) return read.status();
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  std::shared_ptr<const Snapshot> snap = snapshot();
  TimePoint now_tp = clock_.Now();
  std::string now = FormatUtc(now_tp);
  std::string new_state;
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    std::optional<store::Row> row = LoadCase(conn, caller.who, department, id);
    if (!row) return NotFoundCase();
    CaseFacts facts = FactsOf(*row, caller.who, department, now_tp);
    bool has_owner = owner_code.has_value() || SuggestedOwner(conn, row->Text(kCategory), row->Text(kAreaPath));
    Result<const Transition*> checked =
        Check(*action, facts, CaseRolesOf(caller.who.role), {.has_note = note && !note->empty(), .has_owner = has_owner});
    if (!checked.ok()) return checked.status();
    if (row->Int(kVersion) != *version) {
      return Status(Code::kConflict, {"案件已被他人更新，请刷新后再试", "Someone else updated the case: reload it and try again"});
    }
    const Transition& t = **checked;
    const Category& category = snap->categories.at(row->Text(kCategory));
    std::string from = row->Text(kState);
    new_state = std::string(StateAfter(t, from));
    std::string pending = std::string(PendingAfter(t, from, row->Text(kPending)));
    store::Params params;
    std::string sets = "state = ?, pending_request = ?, version = version + 1, updated_at = ?";
    params = {new_state, pending, now};
    auto set = [&](const std::string& column, store::Value value) {
      sets += ", " + column + " = ?";
      params.push_back(std::move(value));
    };
    std::string owner_for_step;
    if (t.needs_owner) {
      std::optional<Owner> suggested = SuggestedOwner(conn, row->Text(kCategory), row->Text(kAreaPath));
      Owner owner = owner_code ? Owner{owner_kind.value_or("department"), *owner_code} : *suggested;
      SHEQU_RETURN_IF_ERROR(CheckOwner(conn, owner));
      bool overridden = !suggested || suggested->kind != owner.kind || suggested->code != owner.code;
      if (overridden && (!note || note->empty())) {
        return Invalid("note", "改派到权责清单以外的单位须说明理由", "Dispatching against the responsibility list needs a reason (note)");
      }
      set("owner_kind", owner.kind);
      set("owner_code", owner.code);
      owner_for_step = owner.code;
    }
    if (t.action == "send_back") {
      set("owner_kind", store::Value());
      set("owner_code", store::Value());
    }
    if (new_state != from || t.action == "verify_fail") {
      std::optional<StepClock> limit = StepLimit(*snap->calendar, category, new_state, now_tp);
      set("step_started_at", now);
      set("step_warn_at", limit ? store::Value(limit->warn_at) : store::Value());
      set("step_due_at", limit ? store::Value(limit->due_at) : store::Value());
      set("deadline_warned", int64_t{0});
      // A new dispatch, or handling resumed after suspension, starts a new handling limit.
      if (new_state == "dispatched" && (from == "filed" || from == "suspended")) {
        set("handle_due_at", limit ? store::Value(limit->due_at) : store::Value());
        if (row->IsNull(kHandleDue)) set("dispatched_at", now);
      }
    }
    if (t.action == "approve_extension") {
      // One more handling limit from the current deadline.
      std::optional<StepClock> extended =
          StepLimit(*snap->calendar, category, "dispatched", ParseUtc(row->Text(kStepDue)).value_or(now_tp));
      set("step_warn_at", extended->warn_at);
      set("step_due_at", extended->due_at);
      set("handle_due_at", extended->due_at);
      set("deadline_warned", int64_t{0});
    }
    if (t.counts_rework) sets += ", rework_count = rework_count + 1";
    if (t.raises_priority) sets += ", priority = priority + 1";
    if (new_state == "closed" && from != "closed") set("closed_at", now);
    if (t.action == "rate") {
      if (!satisfaction || (*satisfaction != "satisfied" && *satisfaction != "basically_satisfied" &&
                            *satisfaction != "unsatisfied")) {
        return Invalid("satisfaction", "满意度只能是 satisfied、basically_satisfied、unsatisfied",
                       "satisfaction must be satisfied, basically_satisfied or unsatisfied");
      }
      set("satisfaction", *satisfaction);
      set("rated_at", now);
    }
    if (t.action == "reopen") {
      set("satisfaction", store::Value());
      set("rated_at", store::Value());
      set("closed_at", store::Value());
    }
    if (t.action == "reject_void") set("merged_into", store::Value());
    if (t.action == "request_void" && duplicate_of) {
      if (!LoadCase(conn, caller.who, department, *duplicate_of) || *duplicate_of == id) {
        return Invalid("duplicate_of", "重复的案件不存在", "The case it duplicates does not exist");
      }
      set("merged_into", *duplicate_of);
    }
    params.emplace_back(id);
    params.emplace_back(*version);
    if (conn.Execute("UPDATE cases SET " + sets + " WHERE id = ? AND version = ?", params) != 1) {
      return Status(Code::kConflict, {"案件已被他人更新，请刷新后再试", "Someone else updated the case: reload it and try again"});
    }
    std::string step_note = note.value_or("");
    if (t.action == "rate") step_note = *satisfaction + (step_note.empty() ? "" : ": " + step_note);
    RecordStep(conn, trail_, caller, {id, std::string(t.action), from, new_state, step_note, owner_for_step,
                                      row->Text(kAreaPath), now});
    Announce(conn, hub_, id, std::string(t.action), new_state, row->Text(kAreaPath),
             row->IsNull(kReporterId) ? 0 : row->Int(kReporterId));
    return Status::Ok();
  });
  if (!written.ok()) return written;
  Result<json::object> after = Get(caller, id);
  // A department that sent the case back no longer sees it: the step still happened.
  if (!after.ok() && after.status().code() == Code::kNotFound) {
    return json::object{{"id", id}, {"state", new_state}, {"version", *version + 1}, {"visible", false}};
  }
  return after;
}

namespace {

constexpr int64_t kMaxPhotosPerCase = 20;

}  // namespace

Result<json::object> CaseService::AddPhoto(const Caller& caller, int64_t case_id, const std::string& stage,
                                           std::string_view bytes) {
  if (stage != "before" && stage != "after" && stage != "evidence") {
    return Invalid("stage", "stage 只能是 before、after 或 evidence", "stage must be before, after or evidence");
  }
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  {
    auto conn = db_.Acquire();
    if (!LoadCase(*conn, caller.who, department, case_id)) return NotFoundCase();
  }
  // Decoding runs before the write transaction: it is the slow part.
  Result<ProcessedPhoto> photo = ProcessPhoto(bytes);
  if (!photo.ok()) return photo.status();
  int64_t id = 0;
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    std::optional<store::Row> row = LoadCase(conn, caller.who, department, case_id);
    if (!row) return NotFoundCase();
    if (conn.Query("SELECT COUNT(*) FROM case_photos WHERE case_id = ?", {case_id})[0].Int(0) >= kMaxPhotosPerCase) {
      return Status(Code::kConflict, {"每个案件最多 20 张照片", "A case holds at most 20 photos"});
    }
    id = conn.Query("INSERT INTO case_photos (case_id, stage, image, thumbnail, width, height, uploaded_by, uploaded_at,"
                    " area_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {case_id, stage, ToBase64(photo->image), ToBase64(photo->thumbnail), int64_t{photo->width},
                     int64_t{photo->height}, caller.who.account_id, Now(clock_), row->Text(kAreaPath)})[0]
             .Int(0);
    audit::Entry entry = audit::By(caller.who, caller.request_id, "case.photo", fmt::format("case:{}", case_id));
    entry.area_path = row->Text(kAreaPath);
    entry.details = {{"photo", id}, {"stage", stage}, {"bytes", static_cast<int64_t>(bytes.size())}};
    trail_.Append(conn, entry);
    Announce(conn, hub_, case_id, "photo", row->Text(kState), row->Text(kAreaPath),
             row->IsNull(kReporterId) ? 0 : row->Int(kReporterId));
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return json::object{{"id", id}, {"stage", stage}, {"width", photo->width}, {"height", photo->height},
                      {"url", fmt::format("/api/v1/case-photos/{}", id)},
                      {"thumb_url", fmt::format("/api/v1/case-photos/{}?size=thumb", id)}};
}

Result<std::string> CaseService::Photo(const Caller& caller, int64_t photo_id, bool thumbnail) {
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  auto conn = db_.Acquire();
  store::Rows rows = conn->Query(std::string("SELECT case_id, ") + (thumbnail ? "thumbnail" : "image") +
                                     " FROM case_photos WHERE id = ?",
                                 {photo_id});
  if (rows.empty() || !LoadCase(*conn, caller.who, department, rows[0].Int(0))) {
    return Status(Code::kNotFound, {"未找到该照片", "No such photo"});
  }
  std::optional<std::string> image = FromBase64(rows[0].Text(1));
  if (!image) throw SystemError("case_photos: stored image is not base64");
  return *image;
}

Result<json::object> CaseService::PossibleDuplicates(const Caller& caller, int64_t id) {
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  auto conn = db_.Acquire();
  std::optional<store::Row> row = LoadCase(*conn, caller.who, department, id);
  if (!row) return NotFoundCase();
  json::array items;
  if (!row->IsNull(kLng)) {
    TimePoint at = ParseUtc(row->Text(kReportedAt)).value_or(clock_.Now());
    store::Params params{row->Text(kCategory), FormatUtc(at - std::chrono::hours(72)), FormatUtc(at + std::chrono::hours(72)), id};
    std::string access = AccessFilter(caller.who, department, params);
    std::string now = Now(clock_);
    for (const auto& other : conn->Query(
             fmt::format("SELECT {}{} WHERE c.category_code = ? AND c.reported_at >= ? AND c.reported_at <= ? AND c.id <> ?"
                         " AND c.state NOT IN ('void', 'not_filed') AND c.lng IS NOT NULL AND {} ORDER BY c.id",
                         kCaseColumns, kCaseFrom, access),
             params)) {
      double metres = DistanceMeters(row->Real(kLng), row->Real(kLat), other.Real(kLng), other.Real(kLat));
      if (metres > 50) continue;
      json::object c = CaseJson(other, now);
      c["distance_m"] = std::round(metres * 10) / 10;
      items.push_back(std::move(c));
    }
  }
  return json::object{{"items", std::move(items)}};
}

}  // namespace shequ::cases
