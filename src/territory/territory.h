#pragma once
// The territory tree: district → subdistrict → neighborhood → grid. The tree
// is the spine of scope: every record hangs off one of its nodes.
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/clock.h"
#include "http/router.h"
#include "store/database.h"
#include "store/scope.h"

namespace shequ::territory {

struct Counts {
  int64_t subdistrict = 0, neighborhood = 0, grid = 0;
};

struct Area {
  std::string code, name, level;
  std::optional<std::string> parent_code;
  std::string path;
  Counts below;
};

// "310105002000" (12-digit statistical form) → "310105002"; other codes unchanged.
std::string NormalizeCode(std::string_view code);

// The area with `code` if it lies inside `scope`; nullopt otherwise, so that
// an area outside the caller's territory looks exactly like a missing one.
std::optional<Area> FindArea(store::Connection& conn, const store::Scope& scope, std::string_view code);
// Children of `code` inside `scope`, in display order (nullopt when `code` is not visible).
std::optional<std::vector<Area>> Children(store::Connection& conn, const store::Scope& scope,
                                          std::string_view code);
// Ancestors of `area` (root first) that lie inside `scope`.
std::vector<Area> Ancestors(store::Connection& conn, const store::Scope& scope, const Area& area);

boost::json::object ToJson(const Area& area);

// Recomputes the counts kept on every area. REQUIRES: a write transaction;
// call it after any change to the tree.
void RefreshCounts(store::Connection& conn);

// The whole tree in memory for the territory pages, the most frequent reads
// of all. Reloaded when territory_revision moves (checked at most every
// `recheck`), so a tree changed by another process shows within that time.
class TreeCache {
 public:
  struct Snapshot;
  // One consistent version of the tree. Same contracts as FindArea, Children
  // and Ancestors above.
  class View {
   public:
    explicit View(std::shared_ptr<const Snapshot> snapshot) : snapshot_(std::move(snapshot)) {}
    std::optional<Area> Find(const store::Scope& scope, std::string_view code) const;
    // The serialized {"items":[…]} of the children (all inside the scope when
    // their parent is); null when the parent is not visible.
    std::shared_ptr<const std::string> ChildrenJson(const store::Scope& scope, std::string_view code) const;
    std::vector<Area> Ancestors(const store::Scope& scope, const Area& area) const;

   private:
    std::shared_ptr<const Snapshot> snapshot_;
  };

  TreeCache(store::Database& db, const Clock& clock, std::chrono::seconds recheck = std::chrono::seconds(2));
  // Rechecks the revision (a query) when the last check is older than `recheck`.
  View Current();
  // Without touching the database: nullopt when a recheck is due.
  std::optional<View> Fresh();

 private:
  store::Database& db_;
  const Clock& clock_;
  std::chrono::seconds recheck_;
  std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  TimePoint checked_{};
};

// GET /api/v1/areas, /areas/{code}, /areas/{code}/children.
void AddRoutes(http::Router& router, TreeCache& tree);

// ---- Demo district (长宁区).
// kCity: all sixteen districts of Shanghai (for PostgreSQL), Changning as in kDistrict.
enum class DemoScale { kSmall, kDistrict, kCity };
struct DemoSummary {
  bool created = false;  // false when the database already held a territory
  int64_t areas = 0;
  int64_t accounts = 0;
};
// Builds the demo territory and accounts, deterministic for `seed`. Does
// nothing when any area exists already.
DemoSummary CreateDemo(store::Database& db, const audit::Trail& trail, DemoScale scale, uint64_t seed);

}  // namespace shequ::territory
