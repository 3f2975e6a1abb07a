// Reference data a district admin edits (categories, the working calendar)
// and the grid map: read from the snapshot, written with audit, reloaded.
#include <fmt/format.h>

#include "cases/case_internal.h"
#include "core/json_input.h"

namespace shequ::cases {

using namespace internal;
namespace json = boost::json;

json::object CaseService::Categories() const {
  json::array items;
  for (const auto& [code, c] : snapshot()->categories) {
    if (!c.active) continue;
    items.push_back({{"code", c.code}, {"family", c.family}, {"major", c.major}, {"name", c.name},
                     {"name_en", c.name_en}, {"urgency", c.urgency}, {"file_hours", c.file_hours},
                     {"dispatch_hours", c.dispatch_hours}, {"handle_limit", c.handle_limit},
                     {"handle_unit", c.handle_unit}, {"version", c.version}});
  }
  return {{"items", std::move(items)}};
}

namespace {

std::optional<double> PositiveNumber(const json::object& body, std::string_view key, Status& status) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->value().is_number() || it->value().to_number<double>() <= 0 || it->value().to_number<double>() > 10000) {
    status.AddField(std::string(key), {"须是 0 到 10000 之间的正数", "must be a positive number up to 10000"});
    return std::nullopt;
  }
  return it->value().to_number<double>();
}

}  // namespace

Result<json::object> CaseService::UpdateCategory(const Caller& caller, const std::string& code, const json::object& body) {
  FieldReader f(body);
  std::optional<int64_t> version = f.Int("version", true);
  std::optional<std::string> name = f.String("name", false, 50);
  std::optional<std::string> name_en = f.String("name_en", false, 100);
  std::optional<std::string> urgency = f.String("urgency", false, 20);
  std::optional<std::string> unit = f.String("handle_unit", false, 10);
  std::optional<bool> active = f.Bool("active", false);
  if (!f.status().ok()) return f.status();
  Status numbers(Code::kValidation, {"时限须是正数", "Time limits must be positive numbers"});
  std::optional<double> file_hours = PositiveNumber(body, "file_hours", numbers);
  std::optional<double> dispatch_hours = PositiveNumber(body, "dispatch_hours", numbers);
  std::optional<double> handle_limit = PositiveNumber(body, "handle_limit", numbers);
  if (!numbers.fields().empty()) return numbers;
  if (urgency && *urgency != "normal" && *urgency != "urgent" && *urgency != "critical") {
    return Invalid("urgency", "紧急程度只能是 normal、urgent、critical", "urgency must be normal, urgent or critical");
  }
  if (unit && *unit != "hours" && *unit != "days") return Invalid("handle_unit", "单位只能是 hours 或 days", "handle_unit must be hours or days");
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    store::Rows rows = conn.Query("SELECT version FROM case_categories WHERE code = ?", {code});
    if (rows.empty()) return Status(Code::kNotFound, {"没有这个案件类别", "No such case category"});
    if (rows[0].Int(0) != *version) return Status(Code::kConflict, {"类别已被他人修改，请刷新", "Someone else changed the category: reload it"});
    std::string sets = "version = version + 1";
    store::Params params;
    json::object changed;
    auto set = [&](const char* column, store::Value value, json::value shown) {
      sets += fmt::format(", {} = ?", column);
      params.push_back(std::move(value));
      changed[column] = std::move(shown);
    };
    if (name) set("name", *name, json::string(*name));
    if (name_en) set("name_en", *name_en, json::string(*name_en));
    if (urgency) set("urgency", *urgency, json::string(*urgency));
    if (unit) set("handle_unit", *unit, json::string(*unit));
    if (active) set("active", int64_t{*active}, *active);
    if (file_hours) set("file_hours", *file_hours, *file_hours);
    if (dispatch_hours) set("dispatch_hours", *dispatch_hours, *dispatch_hours);
    if (handle_limit) set("handle_limit", *handle_limit, *handle_limit);
    params.emplace_back(code);
    conn.Execute("UPDATE case_categories SET " + sets + " WHERE code = ?", params);
    audit::Entry entry = audit::By(caller.who, caller.request_id, "case.category_update", "case_category:" + code);
    entry.details = std::move(changed);
    trail_.Append(conn, entry);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  Reload();
  json::object categories = Categories();
  for (auto& item : categories.at("items").as_array())
    if (item.as_object().at("code").as_string() == code) return item.as_object();
  return json::object{{"code", code}, {"active", false}};
}

json::object CaseService::Calendar(int year) const {
  auto conn = db_.Acquire();
  json::array days;
  for (const auto& row : conn->Query("SELECT day, working, name FROM work_calendar_days WHERE day >= ? AND day < ? ORDER BY day",
                                     {fmt::format("{}-01-01", year), fmt::format("{}-01-01", year + 1)})) {
    days.push_back({{"day", row.Text(0)}, {"kind", row.Int(1) ? "workday" : "holiday"}, {"name", row.Text(2)}});
  }
  return {{"year", year}, {"days", std::move(days)},
          {"working_hours", json::array{json::array{"09:00", "12:00"}, json::array{"13:00", "18:00"}}}};
}

Result<json::object> CaseService::SetCalendarDay(const Caller& caller, const json::object& body) {
  FieldReader f(body);
  std::optional<std::string> day = f.String("day", true, 10);
  std::optional<std::string> kind = f.String("kind", true, 10);
  std::optional<std::string> name = f.String("name", false, 40);
  if (!f.status().ok()) return f.status();
  if (*kind != "holiday" && *kind != "workday" && *kind != "normal") {
    return Invalid("kind", "kind 只能是 holiday（放假）、workday（调休上班）或 normal（恢复平常）",
                   "kind must be holiday, workday (a make-up working day) or normal");
  }
  // The calendar itself checks the date and that a make-up day is a weekend.
  // A "normal" day is probed as a holiday: that checks the date alone.
  Result<WorkCalendar> check = WorkCalendar::Create({{*day, *kind == "workday", name.value_or("")}});
  if (!check.ok()) {
    const Status& s = check.status();
    return s.fields().empty() ? s : Status::Invalid("day", s.fields()[0].message);
  }
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    conn.Execute("DELETE FROM work_calendar_days WHERE day = ?", {*day});
    if (*kind != "normal") {
      conn.Execute("INSERT INTO work_calendar_days (day, working, name) VALUES (?, ?, ?)",
                   {*day, int64_t{*kind == "workday"}, name.value_or(*kind == "workday" ? "调休上班" : "放假")});
    }
    audit::Entry entry = audit::By(caller.who, caller.request_id, "case.calendar_update", "work_calendar:" + *day);
    entry.details = {{"kind", *kind}};
    trail_.Append(conn, entry);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  Reload();
  return json::object{{"day", *day}, {"kind", *kind}, {"working", calendar()->IsWorkingDay(
      std::chrono::year_month_day{std::chrono::year{std::stoi(day->substr(0, 4))},
                                  std::chrono::month{static_cast<unsigned>(std::stoi(day->substr(5, 2)))},
                                  std::chrono::day{static_cast<unsigned>(std::stoi(day->substr(8, 2)))}})}};
}

Result<json::object> CaseService::GridShapes(const Caller& caller) {
  store::Params params;
  std::string scope = store::Scope::Subtree(caller.who.area_path).Filter("a.path", params);
  json::array features;
  auto conn = db_.Acquire();
  for (const auto& row : conn->Query("SELECT s.area_code, a.name, s.wkt FROM area_shapes s JOIN areas a ON a.code = s.area_code"
                                     " WHERE a.level = 'grid' AND " + scope + " ORDER BY s.area_code",
                                     params)) {
    std::optional<std::string> geometry = GeoJsonOf(row.Text(2));
    if (!geometry) continue;
    features.push_back({{"type", "Feature"},
                        {"properties", {{"code", row.Text(0)}, {"name", row.Text(0)}, {"title", row.Text(1)}}},
                        {"geometry", json::parse(*geometry)}});
  }
  return json::object{{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

int CaseService::SweepDeadlines() {
  std::string now = FormatUtc(clock_.Now());
  int marked = 0;
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    // Two index lookups (cases_warn, cases_due): turning yellow, then turning red.
    std::string select = "SELECT id, area_path, state, CASE WHEN step_due_at < ? THEN 2 ELSE 1 END, owner_code FROM cases WHERE ";
    std::string open = std::string(" AND state IN ") + std::string(kOpenStates) + " AND state <> 'suspended'";
    store::Rows rows = conn.Query(select + "deadline_warned = 0 AND step_warn_at <= ?" + open, {now, now});
    for (auto& row : conn.Query(select + "deadline_warned IN (0, 1) AND step_due_at < ?" + open, {now, now})) {
      bool seen = std::any_of(rows.begin(), rows.end(), [&](const store::Row& r) { return r.Int(0) == row.Int(0); });
      if (!seen) rows.push_back(std::move(row));
    }
    for (const auto& row : rows) {
      conn.Execute("UPDATE cases SET deadline_warned = ? WHERE id = ?", {row.Int(3), row.Int(0)});
      // No title: the stream reaches all staff of the territory (not residents).
      std::string data = json::serialize(json::object{{"id", row.Int(0)}, {"state", row.Text(2)},
                                                      {"deadline", row.Int(3) == 2 ? "red" : "yellow"},
                                                      {"owner_code", row.Text(4)}});
      conn.AfterCommit([this, data, path = row.Text(1)] { hub_.Publish("case_deadline", data, path, {"case.read"}); });
      ++marked;
    }
    return Status::Ok();
  });
  return marked;
}

}  // namespace shequ::cases
