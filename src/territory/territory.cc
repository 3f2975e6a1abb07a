#include "territory/territory.h"

#include <boost/json.hpp>

namespace shequ::territory {
namespace {

// Counts of what lies below are kept on each area (RefreshCounts).
constexpr std::string_view kSelectWithCounts =
    "SELECT c.code, c.name, c.level, c.parent_code, c.path, c.below_subdistricts, c.below_neighborhoods,"
    " c.below_grids FROM areas c WHERE ";
constexpr std::string_view kGroupOrder = " ORDER BY c.sort_order, c.code";

Area FromRow(const store::Row& r) {
  return Area{r.Text(0), r.Text(1), r.Text(2), r.OptText(3), r.Text(4),
              Counts{r.Int(5), r.Int(6), r.Int(7)}};
}

std::vector<Area> Select(store::Connection& conn, const store::Scope& scope,
                         std::string_view condition, store::Params params) {
  std::string sql(kSelectWithCounts);
  sql += condition;
  sql += " AND " + scope.Filter("c.path", params);
  sql += kGroupOrder;
  std::vector<Area> out;
  for (const auto& row : conn.Query(sql, params)) out.push_back(FromRow(row));
  return out;
}

}  // namespace

std::string NormalizeCode(std::string_view code) {
  if (code.size() == 12 && code.ends_with("000")) return std::string(code.substr(0, 9));
  return std::string(code);
}

std::optional<Area> FindArea(store::Connection& conn, const store::Scope& scope, std::string_view code) {
  std::vector<Area> found = Select(conn, scope, "c.code = ?", {NormalizeCode(code)});
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::optional<std::vector<Area>> Children(store::Connection& conn, const store::Scope& scope,
                                          std::string_view code) {
  std::string normalized = NormalizeCode(code);
  store::Params params{normalized};
  std::string visible = "SELECT 1 FROM areas WHERE code = ? AND " + scope.Filter("path", params);
  if (conn.Query(visible, params).empty()) return std::nullopt;
  return Select(conn, scope, "c.parent_code = ?", {normalized});
}

std::vector<Area> Ancestors(store::Connection& conn, const store::Scope& scope, const Area& area) {
  std::vector<Area> out;
  if (!area.parent_code) return out;
  // The path lists every ancestor's code: "/310105/310105002/310105002001/".
  size_t start = 1;
  while (true) {
    size_t end = area.path.find('/', start);
    if (end == std::string::npos) break;
    std::string code = area.path.substr(start, end - start);
    if (code == area.code) break;
    if (auto a = FindArea(conn, scope, code)) out.push_back(*a);
    start = end + 1;
  }
  return out;
}

void RefreshCounts(store::Connection& conn) {
  conn.Execute(
      "UPDATE areas SET"
      " below_subdistricts = (SELECT COUNT(*) FROM areas d WHERE d.path > areas.path AND d.path < areas.path || '~'"
      "   AND d.level = 'subdistrict'),"
      " below_neighborhoods = (SELECT COUNT(*) FROM areas d WHERE d.path > areas.path AND d.path < areas.path || '~'"
      "   AND d.level = 'neighborhood'),"
      " below_grids = (SELECT COUNT(*) FROM areas d WHERE d.path > areas.path AND d.path < areas.path || '~'"
      "   AND d.level = 'grid')");
  conn.Execute("UPDATE territory_revision SET value = value + 1 WHERE id = 1");
}

boost::json::object ToJson(const Area& area) {
  boost::json::object o{{"code", area.code},
                        {"name", area.name},
                        {"level", area.level},
                        {"path", area.path},
                        {"counts",
                         {{"subdistrict", area.below.subdistrict},
                          {"neighborhood", area.below.neighborhood},
                          {"grid", area.below.grid}}}};
  o["parent_code"] = area.parent_code ? boost::json::value(*area.parent_code) : nullptr;
  return o;
}

}  // namespace shequ::territory
