// The cases demo: departments and the responsibility list of a district,
// grid polygons tiling it, the accounts of the case loop, the Open311 demo
// key and about a year of cases in every state.
#include <fmt/format.h>

#include <cmath>
#include <random>

#include "auth/auth.h"
#include "cases/case_internal.h"
#include "cases/workflow.h"
#include "core/crypto.h"
#include "store/bulk_insert.h"

namespace shequ::cases {

using namespace internal;

namespace {

struct Rect {
  double x0, y0, x1, y1;
};

struct Area {
  std::string code, name, level, path;
  std::vector<size_t> children;
  Rect rect{};
};

// Changning's extent, roughly: the demo's polygons tile this box.
constexpr Rect kChangning{121.350, 31.195, 121.450, 31.232};

// Splits `r` into `n` cells of a near-square lattice that tile it exactly.
std::vector<Rect> Tile(const Rect& r, size_t n) {
  if (n == 0) return {};
  size_t cols = static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  size_t rows = (n + cols - 1) / cols;
  std::vector<Rect> out;
  double h = (r.y1 - r.y0) / static_cast<double>(rows);
  for (size_t row = 0; row < rows; ++row) {
    size_t in_row = std::min(cols, n - out.size());
    double w = (r.x1 - r.x0) / static_cast<double>(in_row);
    for (size_t c = 0; c < in_row; ++c) {
      out.push_back({r.x0 + w * static_cast<double>(c), r.y0 + h * static_cast<double>(row),
                     c + 1 == in_row ? r.x1 : r.x0 + w * static_cast<double>(c + 1),
                     row + 1 == rows ? r.y1 : r.y0 + h * static_cast<double>(row + 1)});
    }
  }
  return out;
}

std::string Wkt(const Rect& r) {
  return fmt::format("POLYGON(({0:.6f} {1:.6f}, {2:.6f} {1:.6f}, {2:.6f} {3:.6f}, {0:.6f} {3:.6f}, {0:.6f} {1:.6f}))", r.x0,
                     r.y0, r.x1, r.y1);
}

struct Department {
  const char* code;
  const char* name;
  const char* name_en;
};
constexpr Department kDepartments[] = {
    {"lvrong", "区绿化和市容管理局", "District Greening and City Appearance Bureau"},
    {"jianguan", "区建设和管理委员会", "District Construction and Management Commission"},
    {"fangguan", "区房屋管理局", "District Housing Administration"},
    {"chengguan", "区城管执法局", "District Urban Management Enforcement Bureau"},
    {"shuiwu", "区水务局", "District Water Authority"},
    {"jiaojing", "区公安分局交警支队", "Traffic Police Detachment"},
    {"shichang", "区市场监督管理局", "District Market Regulation Administration"},
    {"yingji", "区应急管理局", "District Emergency Management Bureau"},
    {"minzheng", "区民政局", "District Civil Affairs Bureau"},
};

// Who owns a category by default: a department code, or "" for the neighborhood.
std::string DefaultOwner(const Category& c) {
  if (c.family == "community") {
    if (c.name == "违章搭建") return "chengguan";
    if (c.name == "群租") return "fangguan";
    if (c.name == "安全隐患") return "yingji";
    return "";
  }
  if (c.major == "园林绿化" || c.major == "市容环境" || c.major == "宣传广告") return "lvrong";
  if (c.major == "道路交通") return c.name.find("信号灯") != std::string::npos ? "jiaojing" : "jianguan";
  if (c.major == "房屋土地") return "fangguan";
  if (c.major == "施工管理") return "jianguan";
  if (c.major == "街面秩序") return c.name.find("违停") != std::string::npos ? "jiaojing" : "chengguan";
  if (c.major == "突发事件") return c.name.find("积水") != std::string::npos ? "shuiwu" : "yingji";
  if (c.name.find("上水") != std::string::npos || c.name.find("污水") != std::string::npos) return "shuiwu";
  return "jianguan";
}

constexpr std::string_view kPlaces[] = {"小区门口", "弄堂口", "菜场旁", "公交站", "学校门口", "路口", "绿地旁", "沿街商铺前"};
constexpr std::string_view kReporters[] = {"王先生", "李女士", "张阿姨", "陈老师", "刘师傅", "赵女士", "周先生", "吴阿姨"};

class CaseWriter {
 public:
  CaseWriter(store::Connection& conn, const WorkCalendar& calendar, int64_t first_case)
      : calendar_(calendar),
        cases_(conn, "cases",
               {"id", "category_code", "title", "description", "source", "state", "priority", "lng", "lat", "address",
                "area_code", "area_path", "owner_kind", "owner_code", "reporter_account_id", "reporter_name",
                "step_started_at", "step_warn_at", "step_due_at", "deadline_warned", "handle_due_at", "dispatched_at",
                "reported_at", "closed_at", "rework_count", "satisfaction", "rated_at", "updated_at"},
               200),
        steps_(conn, "case_steps",
               {"case_id", "action", "from_state", "to_state", "actor_name", "note", "owner_code", "at", "area_path"}, 400),
        next_case_(first_case) {
    steps_.DependsOn(cases_);
  }

  struct Plan {
    const Category* category;
    const Area* grid;
    double lng, lat;
    TimePoint reported;
    std::string final_state;  // where the case stands today
    std::string owner_kind, owner_code;
    std::optional<int64_t> reporter;
    std::string reporter_name, source;
    double handle_share;  // of the handling limit used; over 1 is late
    bool rework, rated;
    std::string satisfaction;
  };

  void Write(const Plan& p, TimePoint now) {
    int64_t id = next_case_++;
    const Category& cat = *p.category;
    std::string state = "reported";
    TimePoint t = p.reported;
    std::optional<TimePoint> dispatched, handle_due, closed, rated_at;
    int64_t rework = 0;
    TimePoint step_start = t;
    // The case's own row goes in first (foreign key): its steps wait here.
    std::vector<store::Params> steps{{id, std::string("report"), std::string(), state, p.reporter_name, std::string(),
                                      store::Value(), FormatUtc(t), p.grid->path}};
    // Takes the step `hours` working hours later unless the case is planned to
    // stop here or the step would lie in the future.
    auto step = [&](const char* action, const char* to, double hours, std::string_view note,
                    const std::string& owner = "") {
      if (state == p.final_state && state != to) return false;
      TimePoint at = calendar_.AddWorkingHours(t, hours);
      if (at > now) return false;
      steps.push_back({id, std::string(action), state, std::string(to), std::string("演示数据"), std::string(note),
                       owner.empty() ? store::Value() : store::Value(owner), FormatUtc(at), p.grid->path});
      t = at;
      if (state != to) step_start = at;
      state = to;
      return true;
    };
    if (p.final_state == "not_filed") {
      step("decline", "not_filed", 0.4, "非本平台受理范围，已告知来电人转由相关渠道办理");
    } else if (p.final_state == "void") {
      step("request_void", "reported", 0.3, "与已有案件重复") && step("approve_void", "void", 0.5, "");
    } else if (step("file", "filed", cat.file_hours * 0.4, "") &&
               step("dispatch", "dispatched", cat.dispatch_hours * 0.5, "", p.owner_code)) {
      dispatched = t;
      handle_due = *ParseUtc(StepLimit(calendar_, cat, "dispatched", t)->due_at);
      double limit_hours = calendar_.WorkingHoursBetween(*dispatched, *handle_due);
      if (p.final_state == "suspended") {
        step("request_suspension", "dispatched", 2, "需列入年度改造计划，短期无法解决") &&
            step("approve_suspension", "suspended", 3, "同意挂账，纳入长效管理");
      } else if (step("handle", "handled", limit_hours * p.handle_share, "已到场处置，附处置后照片")) {
        if (p.rework && step("verify_fail", "dispatched", 2, "现场核查未整改到位")) {
          ++rework;
          step("handle", "handled", 4, "已返工整改");
        }
        if (state == "handled" && step("verify_pass", "closed", cat.dispatch_hours * 0.6, "现场核查已整改")) {
          closed = t;
          if (p.rated && step("rate", "closed", 3, p.satisfaction)) rated_at = t;
        }
      }
    }
    std::optional<StepClock> clock = StepLimit(calendar_, cat, state, step_start);
    std::string now_text = FormatUtc(now);
    int64_t warned = clock ? (now_text > clock->due_at ? 2 : now_text >= clock->warn_at ? 1 : 0) : 0;
    auto opt = [](const std::optional<TimePoint>& tp) { return tp ? store::Value(FormatUtc(*tp)) : store::Value(); };
    cases_.Add({id, cat.code, fmt::format("{}{}", p.grid->name, cat.name),
                fmt::format("{}{}附近发现：{}。", p.grid->name, kPlaces[id % std::size(kPlaces)], cat.name), p.source,
                state, int64_t{0}, p.lng, p.lat,
                fmt::format("{}{}", p.grid->name, kPlaces[id % std::size(kPlaces)]), p.grid->code, p.grid->path,
                dispatched ? store::Value(p.owner_kind) : store::Value(),
                dispatched ? store::Value(p.owner_code) : store::Value(),
                p.reporter ? store::Value(*p.reporter) : store::Value(), p.reporter_name, FormatUtc(step_start),
                clock ? store::Value(clock->warn_at) : store::Value(), clock ? store::Value(clock->due_at) : store::Value(),
                warned, opt(handle_due), opt(dispatched), FormatUtc(p.reported), opt(closed), rework,
                rated_at ? store::Value(p.satisfaction) : store::Value(), opt(rated_at), FormatUtc(t)});
    for (store::Params& step : steps) steps_.Add(std::move(step));
  }

  void Flush() {
    cases_.Flush();
    steps_.Flush();
  }
  int64_t written() const { return cases_.rows(); }

 private:
  const WorkCalendar& calendar_;
  store::BulkInsert cases_, steps_;
  int64_t next_case_;
};

}  // namespace

DemoCases CreateDemoCases(store::Database& db, const Vault& vault, const audit::Trail& trail, uint64_t seed,
                          int64_t cases_target, const std::function<void(int64_t, int64_t)>& progress) {
  DemoCases out;
  std::string demo_hash = auth::HashPassword(auth::kDemoPassword);
  store::WithWrite(db, [&](store::Connection& conn) -> Status {
    if (!conn.Query("SELECT 1 FROM departments LIMIT 1").empty()) return Status::Ok();
    store::Rows district_rows = conn.Query("SELECT code, path FROM areas WHERE code = '310105'");
    if (district_rows.empty()) return Status::Ok();  // no demo territory to fill
    std::string district = district_rows[0].Text(0), district_path = district_rows[0].Text(1);

    // The territory below the district, tiled into rectangles level by level.
    std::vector<Area> areas;
    std::map<std::string, size_t> index;
    store::Params params;
    std::string scope = store::Scope::Subtree(district_path).Filter("path", params);
    for (const auto& r : conn.Query("SELECT code, name, level, path, parent_code FROM areas WHERE " + scope +
                                        " ORDER BY path", params)) {
      index[r.Text(0)] = areas.size();
      areas.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), {}, {}});
      if (auto parent = index.find(r.Text(4)); parent != index.end()) areas[parent->second].children.push_back(areas.size() - 1);
    }
    areas[index.at(district)].rect = kChangning;
    std::vector<size_t> grids;
    for (size_t i = 0; i < areas.size(); ++i) {  // parents come before children (ordered by path)
      std::vector<Rect> cells = Tile(areas[i].rect, areas[i].children.size());
      for (size_t c = 0; c < cells.size(); ++c) areas[areas[i].children[c]].rect = cells[c];
      if (areas[i].level == "grid") grids.push_back(i);
    }
    store::BulkInsert shapes(conn, "area_shapes", {"area_code", "wkt"});
    for (size_t g : grids) shapes.Add({areas[g].code, Wkt(areas[g].rect)});
    shapes.Flush();
    out.shapes = shapes.rows();

    for (const Department& d : kDepartments) {
      conn.Execute("INSERT INTO departments (code, name, name_en, area_code, area_path) VALUES (?, ?, ?, ?, ?)",
                   {std::string(d.code), std::string(d.name), std::string(d.name_en), district, district_path});
      ++out.departments;
    }
    std::map<std::string, Category> categories;
    for (const auto& r : conn.Query("SELECT code, family, major, name, name_en, urgency, file_hours, dispatch_hours,"
                                    " handle_limit, handle_unit FROM case_categories ORDER BY code")) {
      categories[r.Text(0)] = {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(9),
                               r.Real(6), r.Real(7), r.Real(8)};
    }
    for (const auto& [code, c] : categories) {
      std::string owner = DefaultOwner(c);
      conn.Execute("INSERT INTO responsibilities (category_code, area_code, area_path, owner_kind, department_code)"
                   " VALUES (?, ?, ?, ?, ?)",
                   {code, district, district_path, owner.empty() ? "neighborhood" : "department",
                    owner.empty() ? store::Value() : store::Value(owner)});
    }

    // The accounts of the loop, beside the territory's demo accounts.
    std::string jiangsu = district + "002";
    std::string first_nb = conn.Query("SELECT MIN(code) FROM areas WHERE level = 'neighborhood' AND parent_code = ?",
                                      {jiangsu})[0].Text(0);
    struct DemoAccount {
      std::string username, display_name, role, area, department;
    };
    const DemoAccount accounts[] = {
        {"jiangsu-dispatcher", "江苏路街道网格中心派单员", "dispatcher", jiangsu, ""},
        {"hotline", "12345 热线接线员", "hotline_operator", district, ""},
        {"jiangsu-resident", "江苏路居民", "resident", first_nb, ""},
        {"lvrong-staff", "区绿化市容局处置人员", "department_staff", district, "lvrong"},
        {"jianguan-staff", "区建管委处置人员", "department_staff", district, "jianguan"},
        {"fangguan-staff", "区房管局处置人员", "department_staff", district, "fangguan"},
        {"chengguan-staff", "区城管执法局处置人员", "department_staff", district, "chengguan"},
        {"open311-demo", "Open311 演示客户端", "hotline_operator", district, ""},
    };
    std::map<std::string, int64_t> account_ids;
    for (const auto& a : accounts) {
      auth::NewAccount account{a.username, a.display_name, a.role, a.area, std::string(auth::kDemoPassword), true};
      Status added = auth::InsertAccount(conn, trail, account, demo_hash);
      if (!added.ok()) throw SystemError("demo account " + a.username + ": " + added.message().en);
      account_ids[a.username] = conn.Query("SELECT id FROM accounts WHERE username = ?", {a.username})[0].Int(0);
      if (!a.department.empty()) {
        conn.Execute("INSERT INTO department_members (account_id, department_code) VALUES (?, ?)",
                     {account_ids[a.username], a.department});
      }
    }
    conn.Execute("INSERT INTO open311_keys (key_hash, client, account_id, loopback_only) VALUES (?, ?, ?, 1)",
                 {Sha256Hex("demo-open311-key"), std::string("demo client"), account_ids["open311-demo"]});

    // A year of cases up to now.
    std::vector<SpecialDay> days;
    for (const auto& r : conn.Query("SELECT day, working, name FROM work_calendar_days"))
      days.push_back({r.Text(0), r.Int(1) != 0, r.Text(2)});
    WorkCalendar calendar = *WorkCalendar::Create(days);
    std::mt19937_64 rng(seed * 7919 + 11);
    std::vector<const Category*> cats;
    for (const auto& [code, c] : categories) cats.push_back(&c);
    TimePoint now = Clock::System().Now();
    CaseWriter writer(conn, calendar, store::ReserveIds(conn, "cases", cases_target));
    std::string jiangsu_grid = conn.Query("SELECT MIN(code) FROM areas WHERE level = 'grid' AND parent_code = ?",
                                          {first_nb})[0].Text(0);
    for (int64_t i = 0; i < cases_target; ++i) {
      CaseWriter::Plan p;
      p.category = cats[rng() % cats.size()];
      p.grid = &areas[grids[rng() % grids.size()]];
      std::uniform_real_distribution<double> u(0.05, 0.95);
      p.lng = p.grid->rect.x0 + (p.grid->rect.x1 - p.grid->rect.x0) * u(rng);
      p.lat = p.grid->rect.y0 + (p.grid->rect.y1 - p.grid->rect.y0) * u(rng);
      // Spread over the last year, older cases more settled; at least 20 working hours old.
      double age_days = 1.5 + 363.0 * std::pow(static_cast<double>(rng() % 10000) / 10000.0, 0.8);
      p.reported = now - std::chrono::minutes(static_cast<int64_t>(age_days * 24 * 60));
      int roll = static_cast<int>(rng() % 100);
      bool recent = age_days < 20;
      const char* state = recent ? (roll < 6 ? "reported" : roll < 12 ? "filed" : roll < 40 ? "dispatched" : roll < 52 ? "handled" : "closed")
                                 : (roll < 2 ? "not_filed" : roll < 3 ? "void" : roll < 5 ? "suspended" : roll < 7 ? "dispatched" : "closed");
      if (age_days < 2.5 && std::string(state) != "reported") state = "reported";
      p.final_state = state;
      std::string owner = DefaultOwner(*p.category);
      p.owner_kind = owner.empty() ? "neighborhood" : "department";
      p.owner_code = owner.empty() ? NeighborhoodOf(p.grid->path) : owner;
      int source = static_cast<int>(rng() % 10);
      p.source = source < 4 ? "grid_worker" : source < 7 ? "hotline" : source < 9 ? "resident" : "open311";
      if (p.grid->code == jiangsu_grid && p.source == "resident") p.reporter = account_ids["jiangsu-resident"];
      if (p.grid->code == jiangsu_grid && p.source == "grid_worker") {
        p.reporter = conn.Query("SELECT id FROM accounts WHERE username = 'jiangsu-grid'")[0].Int(0);
      }
      p.reporter_name = p.source == "grid_worker" ? "网格员" : std::string(kReporters[rng() % std::size(kReporters)]);
      p.handle_share = 0.15 + (rng() % 1000) / 1000.0 * (recent ? 0.7 : 0.95);  // about 1 in 20 of the older ones late
      p.rework = rng() % 100 < 6;
      p.rated = rng() % 100 < 75;
      int happy = static_cast<int>(rng() % 100);
      p.satisfaction = happy < 82 ? "satisfied" : happy < 94 ? "basically_satisfied" : "unsatisfied";
      writer.Write(p, now);
      if (progress && (i + 1) % 1000 == 0) progress(i + 1, cases_target);
    }
    writer.Flush();
    store::AdvanceIdSequence(conn, "cases");
    out.cases = writer.written();
    audit::Entry entry{"system", "", "case.demo", "cases:" + district, district, district_path, "", {}};
    entry.details = {{"departments", out.departments}, {"shapes", out.shapes}, {"cases", out.cases}};
    trail.Append(conn, entry);
    return Status::Ok();
  });
  if (progress && out.cases > 0) progress(out.cases, out.cases);
  return out;
}

}  // namespace shequ::cases
