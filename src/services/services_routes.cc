#include "cases/cases.h"
#include "core/json_input.h"
#include "http/handlers.h"
#include "services/guide_pdf.h"
#include "services/services.h"
#include "services/text.h"

namespace shequ::services {
namespace {

using http::Reply;
using http::WithBody;

}  // namespace

void AddRoutes(http::Router& router, Catalog& catalog, cases::CaseService& cases) {
  const http::RouteOptions open{.public_route = true};
  Catalog& c = catalog;

  router.Add("GET", "/api/v1/services", open, [&c](http::Context& ctx) -> Result<http::Response> {
    std::optional<std::string> q = ctx.request.Query("q");
    if (!q) return http::Response::Json(c.List(ctx.request.Query("category").value_or("")));
    size_t limit = 10;
    if (auto l = ctx.request.Query("limit"); l && !l->empty() && l->size() <= 2 && std::all_of(l->begin(), l->end(), ::isdigit)) {
      limit = std::clamp<size_t>(std::stoul(*l), 1, 50);
    }
    return Reply(c.Search(*q, limit, ctx.request.Query("category").value_or("")));
  });
  router.Add("GET", "/api/v1/services/{code}", open,
             [&c](http::Context& ctx) { return Reply(c.Get(ctx.request.params.at("code"))); });
  router.Add("GET", "/api/v1/services/{code}/pdf", open, [&c](http::Context& ctx) -> Result<http::Response> {
    Result<boost::json::object> guide = c.Get(ctx.request.params.at("code"));
    if (!guide.ok()) return guide.status();
    http::Response res;
    res.content_type = "application/pdf";
    res.body = GuidePdf(*guide);
    res.Header("Content-Disposition", "inline; filename=\"" + ctx.request.params.at("code") + ".pdf\"");
    return res;
  });
  router.Add("PATCH", "/api/v1/services/{code}", {.permission = "service.admin", .json_body = true},
             [&c](http::Context& ctx) -> Result<http::Response> {
               boost::json::value parsed;
               boost::system::error_code ec;
               parsed = boost::json::parse(ctx.request.body, ec);
               if (ec || !parsed.is_object()) {
                 return Status::BadRequest({"请求体须是 JSON 对象", "The body must be a JSON object"});
               }
               return Reply(c.Update(*ctx.caller, ctx.request.request_id, ctx.request.params.at("code"), parsed.as_object()));
             });
  router.Add("GET", "/api/v1/services/{code}/versions", {.permission = "service.admin"},
             [&c](http::Context& ctx) { return Reply(c.Versions(ctx.request.params.at("code"))); });
  router.Add("GET", "/api/v1/doorstep-services/{area}", open,
             [&c](http::Context& ctx) { return Reply(c.Doorstep(ctx.request.params.at("area"))); });
  for (const char* method : {"PUT", "DELETE"}) {
    router.Add(method, "/api/v1/doorstep-services/{area}/{code}", {.permission = "service.doorstep"},
               [&c, handled = std::string(method) == "PUT"](http::Context& ctx) {
                 return Reply(c.SetDoorstep(*ctx.caller, ctx.request.request_id, ctx.request.params.at("area"),
                                            ctx.request.params.at("code"), handled));
               });
  }
  // 转人工咨询: the question becomes a consultation case for the resident's neighborhood.
  router.Add("POST", "/api/v1/consultations", {.permission = "case.report", .json_body = true},
             WithBody({"question", "guide_code"},
                      [&c, &cases](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
                        FieldReader f(body);
                        std::optional<std::string> question = f.String("question", true, 500);
                        std::optional<std::string> guide = f.String("guide_code", false, 20);
                        if (!f.status().ok()) return f.status();
                        // A consultation belongs to the asker's neighborhood: residents and the staff of a
                        // neighborhood or grid ask; others answer.
                        const std::string& role = ctx.caller->role;
                        if (role != "resident" && role != "neighborhood_worker" && role != "grid_worker") {
                          return Status(Code::kForbidden, {"咨询须由居民或居委、网格人员提交", "Consultations are asked by residents or by neighborhood and grid staff"});
                        }
                        if (Normalize(*question).empty()) {
                          return Status::Invalid("question", {"请写下您想咨询的问题", "Please write your question"});
                        }
                        if (guide && !guide->empty() && !c.Get(*guide).ok()) {
                          return Status::Invalid("guide_code", {"没有这个办事指南", "No such service guide"});
                        }
                        cases::Report r;
                        r.category_code = "S10";  // 咨询
                        r.title = "居民咨询";
                        r.description = *question + (guide && !guide->empty() ? "（相关指南 " + *guide + "）" : "");
                        r.source = ctx.caller->role == "resident" ? "resident" : "hotline";
                        r.area_code = ctx.caller->area_code;
                        return Reply(cases.Create(cases::Caller{*ctx.caller, ctx.request.request_id}, r), 201);
                      }));
}

}  // namespace shequ::services
