#include <fmt/format.h>

#include <random>
#include <set>

#include "auth/auth.h"
#include "core/clock.h"
#include "territory/territory.h"

namespace shequ::territory {
namespace {

constexpr std::string_view kDistrictCode = "310105";

struct Subdistrict {
  std::string_view suffix;  // last three digits of the 9-digit code
  std::string_view name;
  int neighborhoods;        // how many the district-scale demo gives it (185 in all)
};

// Changning's nine streets and one town, with their statistical codes.
constexpr Subdistrict kSubdistricts[] = {
    {"001", "华阳路街道", 21}, {"002", "江苏路街道", 14}, {"004", "新华路街道", 20},
    {"005", "周家桥街道", 18}, {"006", "天山路街道", 22}, {"008", "仙霞新村街道", 21},
    {"009", "虹桥街道", 21},   {"010", "程家桥街道", 11}, {"011", "北新泾街道", 14},
    {"102", "新泾镇", 23},
};

// Place names of the kind neighborhoods in Changning take theirs from.
constexpr std::string_view kPlaces[] = {
    "安西", "长新", "华阳", "姚家角", "大西", "秀水", "飞乐", "陶家宅", "南汪", "东浜",
    "愚园", "北汪", "岐山", "万航", "华山", "曹家堰", "武夷", "番禺", "新华", "法华",
    "淮阴", "凯旋", "延西", "中新泾", "古北", "虹储", "遵义", "兰谷", "仙霞", "茅台",
    "威宁", "水城", "双流", "荣华", "协和", "金虹", "哈密", "平塘", "剑河", "天原",
    "凌家宅", "泾西", "新泾", "福泉", "天山", "紫云", "玉屏", "黄金城", "虹古", "友谊",
    "宋园", "西郊", "芙蓉江", "锦屏", "幸福", "青溪", "绿园", "和平", "春光", "光华"};
constexpr std::string_view kSuffixes[] = {"", "一村", "二村", "三村", "新村", "苑", "花园", "公寓"};

std::string NeighborhoodName(std::mt19937_64& rng, std::set<std::string>& used) {
  for (int attempt = 0;; ++attempt) {
    std::string_view place = kPlaces[rng() % std::size(kPlaces)];
    std::string_view suffix = kSuffixes[rng() % std::size(kSuffixes)];
    // The city-scale demo needs more names than the lists combine into.
    std::string name = attempt < 50 ? fmt::format("{}{}居民区", place, suffix)
                                    : fmt::format("{}{}{}居民区", place, suffix, used.size());
    if (used.insert(name).second) return name;
  }
}

struct Builder {
  store::Connection& conn;
  int64_t count = 0;

  void Add(const std::string& code, const std::string& name, std::string_view level,
           const std::string* parent_code, const std::string& path, int order) {
    store::Value parent = parent_code ? store::Value(*parent_code) : store::Value();
    conn.Execute(
        "INSERT INTO areas (code, name, level, parent_code, path, sort_order) VALUES (?, ?, ?, ?, ?, ?)",
        {code, name, std::string(level), parent, path, static_cast<int64_t>(order)});
    ++count;
  }
};

// Shanghai's sixteen districts, for the city-scale demo.
struct District {
  std::string_view code, name;
  int subdistricts;
};
constexpr District kShanghai[] = {
    {"310101", "黄浦区", 10}, {"310104", "徐汇区", 13}, {"310105", "长宁区", 10}, {"310106", "静安区", 14},
    {"310107", "普陀区", 10}, {"310109", "虹口区", 8},  {"310110", "杨浦区", 12}, {"310112", "闵行区", 14},
    {"310113", "宝山区", 12}, {"310114", "嘉定区", 12}, {"310115", "浦东新区", 36}, {"310116", "金山区", 11},
    {"310117", "松江区", 17}, {"310118", "青浦区", 11}, {"310120", "奉贤区", 11}, {"310151", "崇明区", 18}};

// Neighborhoods and grids below one subdistrict; remembers the first ones of 江苏路.
void BuildOut(Builder& b, std::mt19937_64& rng, std::set<std::string>& used_names, const std::string& sub_code,
              const std::string& sub_path, int neighborhoods, std::string& first_neighborhood, std::string& first_grid) {
  bool jiangsu = sub_code == std::string(kDistrictCode) + "002";
  for (int n = 1; n <= neighborhoods; ++n) {
    std::string nb_code = fmt::format("{}{:03d}", sub_code, n);
    std::string nb_path = sub_path + nb_code + "/";
    b.Add(nb_code, NeighborhoodName(rng, used_names), "neighborhood", &sub_code, nb_path, n);
    int grids = 4 + static_cast<int>(rng() % 5);  // 4-8 grids each
    for (int g = 1; g <= grids; ++g) {
      std::string grid_code = fmt::format("{}{:02d}", nb_code, g);
      b.Add(grid_code, fmt::format("第{}网格", g), "grid", &nb_code, nb_path + grid_code + "/", g);
      if (first_grid.empty() && jiangsu) first_grid = grid_code;
    }
    // The demo's neighborhood and grid accounts work in 江苏路街道.
    if (first_neighborhood.empty() && jiangsu) first_neighborhood = nb_code;
  }
}

}  // namespace

DemoSummary CreateDemo(store::Database& db, const audit::Trail& trail, DemoScale scale, uint64_t seed) {
  DemoSummary summary;
  std::string district(kDistrictCode);
  std::string first_neighborhood, first_grid;
  std::string demo_hash = auth::HashPassword(auth::kDemoPassword);
  // Territory and accounts in one transaction: a failure leaves nothing behind.
  Status built = store::WithWrite(db, [&](store::Connection& conn) -> Status {
    if (!conn.Query("SELECT 1 FROM areas LIMIT 1").empty()) return Status(Code::kConflict, {});
    std::mt19937_64 rng(seed);
    std::set<std::string> used_names;
    Builder b{conn};
    std::string district_path = "/" + district + "/";
    b.Add(district, "长宁区", "district", nullptr, district_path, 2);
    int sub_order = 0;
    for (const Subdistrict& sub : kSubdistricts) {
      std::string sub_code = district + std::string(sub.suffix);
      std::string sub_path = district_path + sub_code + "/";
      b.Add(sub_code, std::string(sub.name), "subdistrict", &district, sub_path, sub_order++);
      // The small demo builds out one subdistrict only, for fast tests.
      if (scale == DemoScale::kSmall && sub.suffix != "002") continue;
      BuildOut(b, rng, used_names, sub_code, sub_path, sub.neighborhoods, first_neighborhood, first_grid);
    }
    if (scale == DemoScale::kCity) {
      // The other fifteen districts, with generated subdistricts of about 20 neighborhoods.
      for (int order = 0; const District& d : kShanghai) {
        ++order;
        if (d.code == kDistrictCode) continue;
        std::string code(d.code), path = "/" + code + "/";
        b.Add(code, std::string(d.name), "district", nullptr, path, order - 1);
        for (int i = 1; i <= d.subdistricts; ++i) {
          std::string sub_code = fmt::format("{}{:03d}", code, i);
          std::string sub_path = path + sub_code + "/";
          std::string name = NeighborhoodName(rng, used_names);
          name = name.substr(0, name.size() - std::string_view("居民区").size()) + "街道";
          b.Add(sub_code, name, "subdistrict", &code, sub_path, i);
          BuildOut(b, rng, used_names, sub_code, sub_path, 15 + static_cast<int>(rng() % 11), first_neighborhood,
                   first_grid);
        }
      }
    }
    summary.areas = b.count;
    RefreshCounts(conn);
    audit::Entry entry{"system", "system", "demo.create", "area:" + district, district,
                       district_path, "cli", {{"areas", b.count}, {"seed", seed}}};
    trail.Append(conn, entry);
    struct DemoAccount {
      const char* username;
      const char* display_name;
      const char* role;
      std::string area;
    };
    const DemoAccount accounts[] = {
        {"admin", "区管理员", "district_admin", district},
        {"jiangsu", "江苏路街道管理员", "subdistrict_admin", district + "002"},
        {"huayang", "华阳路街道管理员", "subdistrict_admin", district + "001"},
        {"jiangsu-worker", "江苏路社区工作者", "neighborhood_worker", first_neighborhood},
        {"jiangsu-grid", "江苏路网格员", "grid_worker", first_grid},
        {"auditor", "审计员", "auditor", district},
    };
    for (const auto& a : accounts) {
      auth::NewAccount account{a.username, a.display_name, a.role, a.area,
                               std::string(auth::kDemoPassword), true};
      Status added = auth::InsertAccount(conn, trail, account, demo_hash);
      if (!added.ok()) throw SystemError("demo account " + account.username + ": " + added.message().en);
      ++summary.accounts;
    }
    return Status::Ok();
  });
  summary.created = built.ok();  // not ok: a territory exists, left alone
  return summary;
}

}  // namespace shequ::territory
