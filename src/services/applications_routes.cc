#include "http/handlers.h"
#include "services/services.h"

namespace shequ::services {
namespace {

using http::Reply;
using http::WithBody;

// Residents and the staff who apply or handle; nobody else sees applications.
Status MayUse(const Principal& who) {
  if (who.Can("application.apply") || who.Can("application.handle")) return Status::Ok();
  return Status::Forbidden();
}

}  // namespace

void AddApplicationRoutes(http::Router& router, Applications& applications) {
  Applications& a = applications;
  router.Add("POST", "/api/v1/applications", {.permission = "application.apply", .json_body = true},
             WithBody({"guide_code", "form", "person_id", "consent"},
                      [&a](http::Context& ctx, const boost::json::object& body) {
                        return Reply(a.Apply(*ctx.caller, ctx.request.request_id, body), 201);
                      }));
  router.Add("GET", "/api/v1/applications", {}, [&a](http::Context& ctx) -> Result<http::Response> {
    SHEQU_RETURN_IF_ERROR(MayUse(*ctx.caller));
    Result<Paging> paging = ReadPaging(ctx.request.query);
    if (!paging.ok()) return paging.status();
    return Reply(a.List(*ctx.caller, ctx.request.query, *paging));
  });
  router.Add("GET", "/api/v1/applications/{id}", {}, [&a](http::Context& ctx) -> Result<http::Response> {
    SHEQU_RETURN_IF_ERROR(MayUse(*ctx.caller));
    auto id = http::IdParam(ctx.request);
    if (!id) return Status::NotFound();
    return Reply(a.Get(*ctx.caller, *id));
  });
  router.Add("POST", "/api/v1/applications/{id}/actions", {.json_body = true},
             WithBody({"action", "version", "note", "form"},
                      [&a](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
                        SHEQU_RETURN_IF_ERROR(MayUse(*ctx.caller));
                        auto id = http::IdParam(ctx.request);
                        if (!id) return Status::NotFound();
                        return Reply(a.Act(*ctx.caller, ctx.request.request_id, *id, body));
                      }));
  router.Add("POST", "/api/v1/applications/{id}/materials", {.permission = "application.apply", .body_limit = 5 * 1024 * 1024 + 1},
             [&a](http::Context& ctx) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               return Reply(a.AddMaterial(*ctx.caller, ctx.request.request_id, *id,
                                          ctx.request.Query("name").value_or(""), ctx.request.body),
                            201);
             });
  router.Add("GET", "/api/v1/applications/{id}/materials/{material}", {},
             [&a](http::Context& ctx) -> Result<http::Response> {
               SHEQU_RETURN_IF_ERROR(MayUse(*ctx.caller));
               auto id = http::IdParam(ctx.request);
               auto material_id = http::IdParam(ctx.request, "material");
               if (!id || !material_id) return Status::NotFound();
               Result<Applications::Material> material = a.GetMaterial(*ctx.caller, *id, *material_id);
               if (!material.ok()) return material.status();
               http::Response res;
               res.content_type = material->content_type;
               res.body = std::move(material->bytes);
               res.Header("Content-Disposition", "attachment");
               res.Header("Cache-Control", "private, no-store");
               return res;
             });
}

}  // namespace shequ::services
