#include <boost/json.hpp>
#include <unordered_map>

#include "territory/territory.h"

namespace shequ::territory {

struct TreeCache::Snapshot {
  int64_t revision = -1;
  std::unordered_map<std::string, Area> areas;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> children_json;  // by parent code
};

TreeCache::TreeCache(store::Database& db, const Clock& clock, std::chrono::seconds recheck)
    : db_(db), clock_(clock), recheck_(recheck) {}

std::optional<TreeCache::View> TreeCache::Fresh() {
  std::lock_guard lock(mutex_);
  TimePoint now = clock_.Now();
  if (snapshot_ && now - checked_ < recheck_ && now >= checked_) return View(snapshot_);
  return std::nullopt;
}

TreeCache::View TreeCache::Current() {
  std::lock_guard lock(mutex_);
  TimePoint now = clock_.Now();
  if (snapshot_ && now - checked_ < recheck_ && now >= checked_) return View(snapshot_);
  checked_ = now;
  auto conn = db_.Acquire();
  int64_t revision = conn->Query("SELECT value FROM territory_revision WHERE id = 1")[0].Int(0);
  if (snapshot_ && snapshot_->revision == revision) return View(snapshot_);
  auto next = std::make_shared<Snapshot>();
  next->revision = revision;
  std::unordered_map<std::string, boost::json::array> children;
  for (const auto& r : conn->Query("SELECT code, name, level, parent_code, path, below_subdistricts,"
                                   " below_neighborhoods, below_grids FROM areas ORDER BY sort_order, code")) {
    Area a{r.Text(0), r.Text(1), r.Text(2), r.OptText(3), r.Text(4), Counts{r.Int(5), r.Int(6), r.Int(7)}};
    if (a.parent_code) children[*a.parent_code].push_back(ToJson(a));
    next->areas.emplace(a.code, std::move(a));
  }
  for (const auto& [code, area] : next->areas) {
    auto it = children.find(code);
    boost::json::object body{{"items", it == children.end() ? boost::json::array() : std::move(it->second)}};
    next->children_json[code] = std::make_shared<const std::string>(boost::json::serialize(body));
  }
  snapshot_ = std::move(next);
  return View(snapshot_);
}

std::optional<Area> TreeCache::View::Find(const store::Scope& scope, std::string_view code) const {
  const auto& snapshot = snapshot_;
  auto it = snapshot->areas.find(NormalizeCode(code));
  if (it == snapshot->areas.end() || !scope.Contains(it->second.path)) return std::nullopt;
  return it->second;
}

std::shared_ptr<const std::string> TreeCache::View::ChildrenJson(const store::Scope& scope,
                                                                 std::string_view code) const {
  const auto& snapshot = snapshot_;
  auto it = snapshot->areas.find(NormalizeCode(code));
  if (it == snapshot->areas.end() || !scope.Contains(it->second.path)) return nullptr;
  return snapshot->children_json.at(it->first);
}

std::vector<Area> TreeCache::View::Ancestors(const store::Scope& scope, const Area& area) const {
  std::vector<Area> out;
  const auto& snapshot = snapshot_;
  for (auto parent = area.parent_code; parent;) {
    auto it = snapshot->areas.find(*parent);
    if (it == snapshot->areas.end()) break;
    if (scope.Contains(it->second.path)) out.insert(out.begin(), it->second);
    parent = it->second.parent_code;
  }
  return out;
}

}  // namespace shequ::territory
