#include <boost/json.hpp>

#include "territory/territory.h"

namespace shequ::territory {
namespace {

boost::json::array Items(const std::vector<Area>& areas) {
  boost::json::array items;
  for (const auto& a : areas) items.push_back(ToJson(a));
  return items;
}

Result<http::Response> Roots(http::Context& ctx, store::Database& db) {
  return store::WithRead(db, [&](store::Connection& conn) -> Result<http::Response> {
    std::vector<Area> roots;
    if (auto own = FindArea(conn, ctx.scope(), ctx.caller->area_code)) roots.push_back(*own);
    return http::Response::Json({{"items", Items(roots)}});
  });
}

Result<http::Response> Get(http::Context& ctx, store::Database& db) {
  return store::WithRead(db, [&](store::Connection& conn) -> Result<http::Response> {
    std::optional<Area> area = FindArea(conn, ctx.scope(), ctx.request.params.at("code"));
    if (!area) return Status::NotFound();
    boost::json::object body = ToJson(*area);
    boost::json::array ancestors;
    for (const auto& a : Ancestors(conn, ctx.scope(), *area)) {
      ancestors.push_back({{"code", a.code}, {"name", a.name}, {"level", a.level}});
    }
    body["ancestors"] = std::move(ancestors);
    return http::Response::Json(body);
  });
}

Result<http::Response> ListChildren(http::Context& ctx, store::Database& db) {
  return store::WithRead(db, [&](store::Connection& conn) -> Result<http::Response> {
    auto children = Children(conn, ctx.scope(), ctx.request.params.at("code"));
    if (!children) return Status::NotFound();
    return http::Response::Json({{"items", Items(*children)}});
  });
}

}  // namespace

void AddRoutes(http::Router& router, store::Database& db) {
  http::RouteOptions read{.permission = "area.read"};
  router.Add("GET", "/api/v1/areas", read, [&db](http::Context& c) { return Roots(c, db); });
  router.Add("GET", "/api/v1/areas/{code}", read, [&db](http::Context& c) { return Get(c, db); });
  router.Add("GET", "/api/v1/areas/{code}/children", read,
             [&db](http::Context& c) { return ListChildren(c, db); });
}

}  // namespace shequ::territory
