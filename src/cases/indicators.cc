// The indicators of case handling (按期结案率, 结案率, 返工率, average handling
// time in working hours, satisfaction), over the cases reported in a period
// that the caller may see, overall and by department and area.
#include <fmt/format.h>

#include "cases/case_internal.h"
#include "core/table_file.h"

namespace shequ::cases {

using namespace internal;
namespace json = boost::json;

namespace {

struct Tally {
  std::string name;
  int64_t cases = 0, closed = 0, due = 0, on_time = 0, reworked = 0, rated = 0, satisfied = 0, timed = 0;
  double handling_hours = 0;

  json::object Json() const {
    auto rate = [](int64_t part, int64_t whole) -> json::value {
      if (whole == 0) return nullptr;
      return std::round(1000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 10.0;
    };
    return {{"name", name},
            {"cases", cases},
            {"closed", closed},
            {"on_time_closure_rate", rate(on_time, due)},
            {"closure_rate", rate(closed, cases)},
            {"rework_rate", rate(reworked, closed)},
            {"average_handling_hours",
             timed ? json::value(std::round(10 * handling_hours / static_cast<double>(timed)) / 10) : json::value(nullptr)},
            {"satisfaction_rate", rate(satisfied, rated)}};
  }
};

std::string SubdistrictOf(const std::string& path) {
  size_t a = path.find('/', 1);
  size_t b = a == std::string::npos ? a : path.find('/', a + 1);
  return b == std::string::npos ? "" : path.substr(a + 1, b - a - 1);
}

}  // namespace

Result<json::object> CaseService::Indicators(const Caller& caller, const Filters& filters) {
  std::string now = FormatUtc(clock_.Now());
  auto get = [&](const char* key, std::string fallback) {
    auto it = filters.find(key);
    return it == filters.end() || it->second.empty() ? fallback : it->second;
  };
  std::string from = get("from", now.substr(0, 4) + "-01-01"), to = get("to", "9999-12-31");
  for (const std::string* d : {&from, &to}) {
    if (d->size() != 10 || !ParseUtc(*d + "T00:00:00.000Z")) {
      return Invalid(d == &from ? "from" : "to", "日期格式须为 YYYY-MM-DD", "Dates are written YYYY-MM-DD");
    }
  }
  std::optional<std::string> department = DepartmentOf(caller.who.account_id);
  store::Params params{from + "T", to + "T"};
  std::string access = AccessFilter(caller.who, department, params);
  std::shared_ptr<const WorkCalendar> cal = calendar();
  Tally overall{"全部"};
  std::map<std::string, Tally> by_department, by_area;
  auto conn = db_.Acquire();
  for (const auto& row : conn->Query(
           "SELECT c.state, c.handle_due_at, c.closed_at, c.dispatched_at, c.rework_count, c.satisfaction, c.owner_code,"
           " COALESCE(d.name, o.name), c.area_path, s.name FROM cases c"
           " LEFT JOIN departments d ON c.owner_kind = 'department' AND d.code = c.owner_code"
           " LEFT JOIN areas o ON c.owner_kind = 'neighborhood' AND o.code = c.owner_code"
           " LEFT JOIN areas s ON s.level = 'subdistrict' AND c.area_path >= s.path AND c.area_path < s.path || '~'"
           " WHERE c.reported_at >= ? AND c.reported_at < ? AND c.state NOT IN ('void', 'not_filed') AND " + access,
           params)) {
    std::vector<Tally*> tallies{&overall};
    if (!row.IsNull(6)) {
      Tally& t = by_department[row.Text(6)];
      t.name = row.Text(7);
      tallies.push_back(&t);
    }
    Tally& area = by_area[SubdistrictOf(row.Text(8))];
    area.name = row.Text(9);
    tallies.push_back(&area);
    bool closed = row.Text(0) == "closed";
    std::string due = row.Text(1), closed_at = row.Text(2);
    bool is_due = !due.empty() && (closed || due < now);
    double hours = closed && !row.IsNull(3) ? cal->WorkingHoursBetween(*ParseUtc(row.Text(3)), *ParseUtc(closed_at)) : -1;
    for (Tally* t : tallies) {
      ++t->cases;
      t->closed += closed;
      t->due += is_due;
      t->on_time += is_due && closed && closed_at <= due;
      t->reworked += closed && row.Int(4) > 0;
      t->rated += !row.IsNull(5);
      t->satisfied += row.Text(5) == "satisfied" || row.Text(5) == "basically_satisfied";
      if (hours >= 0) {
        t->handling_hours += hours;
        ++t->timed;
      }
    }
  }
  json::array departments, areas;
  for (const auto& [code, t] : by_department) {
    json::object o = t.Json();
    o["code"] = code;
    departments.push_back(std::move(o));
  }
  for (const auto& [code, t] : by_area) {
    json::object o = t.Json();
    o["code"] = code;
    areas.push_back(std::move(o));
  }
  return json::object{{"from", from}, {"to", to}, {"overall", overall.Json()},
                      {"by_department", std::move(departments)}, {"by_area", std::move(areas)}};
}

Result<std::string> CaseService::IndicatorsWorkbook(const Caller& caller, const Filters& filters) {
  Result<json::object> indicators = Indicators(caller, filters);
  if (!indicators.ok()) return indicators.status();
  const std::vector<std::string> header = {"代码 code", "名称 name", "案件数 cases", "结案数 closed",
                                            "按期结案率 % on time", "结案率 % closed", "返工率 % rework",
                                            "平均处置工作时 avg working hours", "满意率 % satisfied"};
  auto row = [](const json::object& o) {
    auto cell = [&](const char* key) {
      const json::value* v = o.if_contains(key);
      if (v == nullptr || v->is_null()) return std::string();
      if (v->is_string()) return std::string(v->as_string());
      return v->is_double() ? fmt::format("{}", v->as_double()) : json::serialize(*v);
    };
    return std::vector<std::string>{cell("code"), cell("name"), cell("cases"), cell("closed"),
                                    cell("on_time_closure_rate"), cell("closure_rate"), cell("rework_rate"),
                                    cell("average_handling_hours"), cell("satisfaction_rate")};
  };
  std::vector<Sheet> sheets{{"总体 overall", header, {row(indicators->at("overall").as_object())}},
                            {"部门 departments", header, {}},
                            {"街镇 areas", header, {}}};
  for (const auto& d : indicators->at("by_department").as_array()) sheets[1].rows.push_back(row(d.as_object()));
  for (const auto& a : indicators->at("by_area").as_array()) sheets[2].rows.push_back(row(a.as_object()));
  return WriteXlsx(sheets);
}

}  // namespace shequ::cases
