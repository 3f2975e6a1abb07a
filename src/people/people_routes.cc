#include "core/json_input.h"
#include "http/handlers.h"
#include "people/people.h"

namespace shequ::people {
namespace {

using http::Reply;
using http::WithBody;

Caller CallerOf(const http::Context& ctx) { return Caller{*ctx.caller, ctx.request.request_id}; }

using ListFn = Result<boost::json::object> (Registry::*)(const Caller&, const Filters&, const Paging&);
using GetFn = Result<boost::json::object> (Registry::*)(const Caller&, int64_t);

http::Handler List(Registry& registry, ListFn fn) {
  return [&registry, fn](http::Context& ctx) -> Result<http::Response> {
    Result<Paging> paging = ReadPaging(ctx.request.query);
    if (!paging.ok()) return paging.status();
    return Reply((registry.*fn)(CallerOf(ctx), ctx.request.query, *paging));
  };
}

http::Handler Get(Registry& registry, GetFn fn) {
  return [&registry, fn](http::Context& ctx) -> Result<http::Response> {
    auto id = http::IdParam(ctx.request);
    if (!id) return Status::NotFound();
    return Reply((registry.*fn)(CallerOf(ctx), *id));
  };
}

}  // namespace

void AddRoutes(http::Router& router, Registry& registry) {
  const http::RouteOptions read{.permission = "registry.read"};
  const http::RouteOptions write{.permission = "registry.write", .json_body = true};
  Registry& r = registry;

  router.Add("GET", "/api/v1/persons", read, List(r, &Registry::ListPersons));
  router.Add("GET", "/api/v1/persons/{id}", read, Get(r, &Registry::GetPerson));
  router.Add("POST", "/api/v1/persons", write,
             WithBody({"name", "document_type", "document_number", "sex", "birth_date", "phone", "hukou", "ethnicity",
                       "area_code"},
                      [&r](http::Context& ctx, const boost::json::object& body) {
                        return Reply(r.CreatePerson(CallerOf(ctx), body), 201);
                      }));
  router.Add("PATCH", "/api/v1/persons/{id}", write,
             WithBody({"version", "name", "phone", "hukou", "ethnicity"},
                      [&r](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
                        auto id = http::IdParam(ctx.request);
                        if (!id) return Status::NotFound();
                        return Reply(r.UpdatePerson(CallerOf(ctx), *id, body));
                      }));
  router.Add("POST", "/api/v1/persons/{id}/unmask", {.permission = "person.unmask", .json_body = true},
             WithBody({"field", "reason"}, [&r](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               FieldReader f(body);
               auto field = f.String("field", true, 40);
               auto reason = f.String("reason", true, 200);
               if (!f.status().ok()) return f.status();
               Result<std::string> value = r.Unmask(CallerOf(ctx), *id, *field, *reason);
               if (!value.ok()) return value.status();
               http::Response res = http::Response::Json({{"field", *field}, {"value", *value}});
               res.Header("Cache-Control", "no-store");
               return res;
             }));
  router.Add("POST", "/api/v1/persons/{id}/care-tags", write,
             WithBody({"tag", "reason"}, [&r](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               FieldReader f(body);
               auto tag = f.String("tag", true, 40);
               auto reason = f.String("reason", true, 200);
               if (!f.status().ok()) return f.status();
               return Reply(r.SetCareTag(CallerOf(ctx), *id, *tag, *reason));
             }));
  router.Add("DELETE", "/api/v1/persons/{id}/care-tags/{tag}", write,
             WithBody({"reason"}, [&r](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               FieldReader f(body);
               auto reason = f.String("reason", true, 200);
               if (!f.status().ok()) return f.status();
               return Reply(r.RemoveCareTag(CallerOf(ctx), *id, ctx.request.params.at("tag"), *reason));
             }));
  router.Add("POST", "/api/v1/residencies", write,
             WithBody({"person_id", "dwelling_id", "relation", "start_date", "reason"},
                      [&r](http::Context& ctx, const boost::json::object& body) {
                        return Reply(r.MoveIn(CallerOf(ctx), body), 201);
                      }));
  router.Add("POST", "/api/v1/residencies/{id}/end", write,
             WithBody({"end_date", "reason"}, [&r](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               return Reply(r.MoveOut(CallerOf(ctx), *id, body));
             }));
  router.Add("GET", "/api/v1/dwellings", read, List(r, &Registry::ListDwellings));
  router.Add("GET", "/api/v1/dwellings/{id}", read, Get(r, &Registry::GetDwelling));
  router.Add("GET", "/api/v1/buildings/{id}", read, Get(r, &Registry::GetBuilding));
  router.Add("GET", "/api/v1/compounds", read, List(r, &Registry::ListCompounds));
  router.Add("GET", "/api/v1/compounds/{id}", read, Get(r, &Registry::GetCompound));
  router.Add("GET", "/api/v1/organizations", read, List(r, &Registry::ListOrganizations));
  router.Add("GET", "/api/v1/organizations/{id}", read, Get(r, &Registry::GetOrganization));
  router.Add("POST", "/api/v1/organizations", write,
             WithBody({"kind", "name", "credit_code", "address_text", "contact_name", "contact_phone", "area_code"},
                      [&r](http::Context& ctx, const boost::json::object& body) {
                        return Reply(r.CreateOrganization(CallerOf(ctx), body), 201);
                      }));
}

}  // namespace shequ::people
