#include <boost/json.hpp>

#include "territory/territory.h"

namespace shequ::territory {
namespace {

Result<http::Response> Roots(http::Context& ctx, const TreeCache::View& tree) {
  boost::json::array items;
  if (auto own = tree.Find(ctx.scope(), ctx.caller->area_code)) items.push_back(ToJson(*own));
  return http::Response::Json({{"items", std::move(items)}});
}

Result<http::Response> Get(http::Context& ctx, const TreeCache::View& tree) {
  std::optional<Area> area = tree.Find(ctx.scope(), ctx.request.params.at("code"));
  if (!area) return Status::NotFound();
  boost::json::object body = ToJson(*area);
  boost::json::array ancestors;
  for (const auto& a : tree.Ancestors(ctx.scope(), *area)) {
    ancestors.push_back({{"code", a.code}, {"name", a.name}, {"level", a.level}});
  }
  body["ancestors"] = std::move(ancestors);
  return http::Response::Json(body);
}

Result<http::Response> ListChildren(http::Context& ctx, const TreeCache::View& tree) {
  auto json = tree.ChildrenJson(ctx.scope(), ctx.request.params.at("code"));
  if (!json) return Status::NotFound();
  http::Response res;
  res.body = *json;
  return res;
}

// The same handler twice: on the handler pool (may reload the tree) and on
// the event loop while the tree in memory is fresh.
void Add(http::Router& router, TreeCache& tree, const std::string& pattern,
         Result<http::Response> (*handler)(http::Context&, const TreeCache::View&)) {
  router.Add("GET", pattern, {.permission = "area.read"},
             [&tree, handler](http::Context& ctx) { return handler(ctx, tree.Current()); });
  router.SetFastPath("GET", pattern, [&tree, handler](http::Context& ctx) -> std::optional<Result<http::Response>> {
    auto fresh = tree.Fresh();
    if (!fresh) return std::nullopt;
    return handler(ctx, *fresh);
  });
}

}  // namespace

void AddRoutes(http::Router& router, TreeCache& tree) {
  Add(router, tree, "/api/v1/areas", Roots);
  Add(router, tree, "/api/v1/areas/{code}", Get);
  Add(router, tree, "/api/v1/areas/{code}/children", ListChildren);
}

}  // namespace shequ::territory
