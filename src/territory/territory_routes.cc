#include <boost/json.hpp>

#include "territory/territory.h"

namespace shequ::territory {

void AddRoutes(http::Router& router, TreeCache& tree) {
  http::RouteOptions read{.permission = "area.read"};
  router.Add("GET", "/api/v1/areas", read, [&tree](http::Context& ctx) -> Result<http::Response> {
    boost::json::array items;
    if (auto own = tree.Find(ctx.scope(), ctx.caller->area_code)) items.push_back(ToJson(*own));
    return http::Response::Json({{"items", std::move(items)}});
  });
  router.Add("GET", "/api/v1/areas/{code}", read, [&tree](http::Context& ctx) -> Result<http::Response> {
    std::optional<Area> area = tree.Find(ctx.scope(), ctx.request.params.at("code"));
    if (!area) return Status::NotFound();
    boost::json::object body = ToJson(*area);
    boost::json::array ancestors;
    for (const auto& a : tree.Ancestors(ctx.scope(), *area)) {
      ancestors.push_back({{"code", a.code}, {"name", a.name}, {"level", a.level}});
    }
    body["ancestors"] = std::move(ancestors);
    return http::Response::Json(body);
  });
  router.Add("GET", "/api/v1/areas/{code}/children", read, [&tree](http::Context& ctx) -> Result<http::Response> {
    auto json = tree.ChildrenJson(ctx.scope(), ctx.request.params.at("code"));
    if (!json) return Status::NotFound();
    http::Response res;
    res.body = *json;
    return res;
  });
}

}  // namespace shequ::territory
