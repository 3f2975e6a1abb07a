#include <boost/json.hpp>
#include <regex>

#include "audit/audit.h"
#include "core/paging.h"

namespace shequ::audit {
namespace {

// Accepts "2026-11-23", "2026-11-23T09:00" ... as prefixes of the stored form.
bool LooksLikeTime(const std::string& s) {
  static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,3})?)?)?Z?)?)");
  return std::regex_match(s, kTime);
}

Result<http::Response> List(http::Context& ctx, store::Database& db) {
  const http::Request& req = ctx.request;
  Result<Paging> paging = ReadPaging(req.query);
  if (!paging.ok()) return paging.status();
  store::Params params;
  std::string where = ctx.scope().Filter("area_path", params);
  for (const char* field : {"account", "action", "object"}) {
    if (auto v = req.Query(field); v && !v->empty()) {
      where += std::string(" AND ") + field + " = ?";
      params.emplace_back(*v);
    }
  }
  for (auto [field, op] : {std::pair{"from", ">="}, std::pair{"to", "<="}}) {
    auto v = req.Query(field);
    if (!v || v->empty()) continue;
    if (!LooksLikeTime(*v)) {
      return Status::Invalid(field, {"时间格式应为 2026-11-23 或 2026-11-23T09:30:00",
                                     "Time must look like 2026-11-23 or 2026-11-23T09:30:00"});
    }
    // "to" is inclusive of the whole given day/minute: compare against its upper bound.
    where += std::string(" AND time ") + op + " ?";
    params.emplace_back(std::string(field) == "to" ? *v + "\x7f" : *v);
  }
  return store::WithRead(db, [&](store::Connection& conn) -> Result<http::Response> {
    int64_t total = conn.Query("SELECT COUNT(*) FROM audit_log WHERE " + where, params)[0].Int(0);
    store::Params page_params = params;
    page_params.emplace_back(paging->page_size);
    page_params.emplace_back(paging->offset());
    store::Rows rows = conn.Query(
        "SELECT seq, time, account, role, action, object, area_code, request_id, details"
        " FROM audit_log WHERE " + where + " ORDER BY seq DESC LIMIT ? OFFSET ?",
        page_params);
    boost::json::array items;
    for (const auto& r : rows) {
      boost::system::error_code ec;
      boost::json::value details = boost::json::parse(r.Text(8), ec);
      items.push_back({{"seq", r.Int(0)},
                       {"time", r.Text(1)},
                       {"account", r.Text(2)},
                       {"role", r.Text(3)},
                       {"action", r.Text(4)},
                       {"object", r.Text(5)},
                       {"area_code", r.Text(6)},
                       {"request_id", r.Text(7)},
                       {"details", ec ? boost::json::value(r.Text(8)) : details}});
    }
    return http::Response::Json(PageJson(std::move(items), total, *paging));
  });
}

}  // namespace

void AddRoutes(http::Router& router, store::Database& db) {
  router.Add("GET", "/api/v1/audit", {.permission = "audit.read"},
             [&db](http::Context& ctx) { return List(ctx, db); });
}

}  // namespace shequ::audit
