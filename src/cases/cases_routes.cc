#include "cases/cases.h"
#include "cases/photos.h"
#include "core/json_input.h"
#include "http/handlers.h"

namespace shequ::cases {
namespace {

using http::Reply;
using http::WithBody;

Caller CallerOf(const http::Context& ctx) { return Caller{*ctx.caller, ctx.request.request_id}; }

// Where a report comes from follows from who files it; staff at a desk enter
// hotline calls, and only a district admin may stand in for a device.
Result<std::string> SourceOf(const Principal& who, const std::optional<std::string>& asked) {
  if (who.role == "resident" || who.role == "grid_worker") return who.role;
  std::string source = asked.value_or("hotline");
  if (source == "hotline" || (source == "device" && who.role == "district_admin")) return source;
  return Status::Invalid("source", {"来源只能是 hotline（或区管理员代设备上报 device）",
                                    "source must be hotline (or device, for a district admin)"});
}

Result<Report> ReadReport(const Principal& who, const boost::json::object& body) {
  FieldReader f(body);
  Report r;
  r.category_code = f.String("category_code", true, 20).value_or("");
  r.title = f.String("title", true, 400).value_or("");
  r.description = f.String("description", false, 8000).value_or("");
  r.address = f.String("address", false, 200).value_or("");
  r.area_code = f.String("area_code", false, 20).value_or("");
  r.reporter_name = f.String("reporter_name", false, 50).value_or("");
  r.reporter_phone = f.String("reporter_phone", false, 20).value_or("");
  r.note = f.String("note", false, 2000).value_or("");
  r.handled_on_spot = f.Bool("handled_on_spot", false).value_or(false);
  std::optional<std::string> source = f.String("source", false, 20);
  for (auto [key, target] : {std::pair{"lng", &r.lng}, std::pair{"lat", &r.lat}}) {
    auto it = body.find(key);
    if (it == body.end() || it->value().is_null()) continue;
    if (!it->value().is_number()) {
      return Status(Code::kBadRequest, {std::string(key) + " 须是数字", std::string(key) + " must be a number"});
    }
    *target = it->value().to_number<double>();
  }
  if (!f.status().ok()) return f.status();
  Result<std::string> checked = SourceOf(who, source);
  if (!checked.ok()) return checked.status();
  r.source = *checked;
  return r;
}

std::optional<int64_t> Id(const http::Context& ctx) { return http::IdParam(ctx.request); }

}  // namespace

void AddRoutes(http::Router& router, CaseService& cases) {
  const http::RouteOptions read{.permission = "case.read"};
  const http::RouteOptions act{.permission = "case.read", .json_body = true};
  const http::RouteOptions admin{.permission = "case.admin", .json_body = true};
  CaseService& c = cases;

  router.Add("GET", "/api/v1/cases", read, [&c](http::Context& ctx) -> Result<http::Response> {
    Result<Paging> paging = ReadPaging(ctx.request.query);
    if (!paging.ok()) return paging.status();
    return Reply(c.List(CallerOf(ctx), ctx.request.query, *paging));
  });
  router.Add("POST", "/api/v1/cases", {.permission = "case.report", .json_body = true},
             WithBody({"category_code", "title", "description", "source", "address", "lng", "lat", "area_code",
                       "reporter_name", "reporter_phone", "handled_on_spot", "note"},
                      [&c](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
                        Result<Report> report = ReadReport(*ctx.caller, body);
                        if (!report.ok()) return report.status();
                        return Reply(c.Create(CallerOf(ctx), *report), 201);
                      }));
  router.Add("GET", "/api/v1/cases/counts", read,
             [&c](http::Context& ctx) { return Reply(c.Counts(CallerOf(ctx))); });
  router.Add("GET", "/api/v1/cases/{id}", read, [&c](http::Context& ctx) -> Result<http::Response> {
    auto id = Id(ctx);
    if (!id) return Status::NotFound();
    return Reply(c.Get(CallerOf(ctx), *id));
  });
  router.Add("POST", "/api/v1/cases/{id}/actions", act,
             WithBody({"action", "version", "note", "owner_kind", "owner_code", "satisfaction", "duplicate_of"},
                      [&c](http::Context& ctx, const boost::json::object& body) -> Result<http::Response> {
                        auto id = Id(ctx);
                        if (!id) return Status::NotFound();
                        return Reply(c.Act(CallerOf(ctx), *id, body));
                      }));
  router.Add("POST", "/api/v1/cases/{id}/photos", {.permission = "case.read", .body_limit = kMaxPhotoBytes + 1},
             [&c](http::Context& ctx) -> Result<http::Response> {
               auto id = Id(ctx);
               if (!id) return Status::NotFound();
               std::string_view type = ctx.request.Header("content-type");
               if (!type.starts_with("image/")) {
                 return Status(Code::kUnsupportedMediaType,
                               {"请以图片格式（image/jpeg、image/png、image/webp）上传", "Send the photo as image/jpeg, image/png or image/webp"});
               }
               return Reply(c.AddPhoto(CallerOf(ctx), *id, ctx.request.Query("stage").value_or("evidence"), ctx.request.body), 201);
             });
  router.Add("GET", "/api/v1/case-photos/{id}", read, [&c](http::Context& ctx) -> Result<http::Response> {
    auto id = Id(ctx);
    if (!id) return Status::NotFound();
    Result<std::string> jpeg = c.Photo(CallerOf(ctx), *id, ctx.request.Query("size").value_or("") == "thumb");
    if (!jpeg.ok()) return jpeg.status();
    http::Response res;
    res.content_type = "image/jpeg";
    res.body = std::move(*jpeg);
    res.Header("Cache-Control", "private, max-age=3600");
    return res;
  });
  router.Add("GET", "/api/v1/cases/{id}/duplicates", read, [&c](http::Context& ctx) -> Result<http::Response> {
    auto id = Id(ctx);
    if (!id) return Status::NotFound();
    return Reply(c.PossibleDuplicates(CallerOf(ctx), *id));
  });
  router.Add("GET", "/api/v1/case-indicators", {.permission = "case.indicators"},
             [&c](http::Context& ctx) -> Result<http::Response> {
               if (ctx.request.Query("format").value_or("json") != "xlsx") return Reply(c.Indicators(CallerOf(ctx), ctx.request.query));
               Result<std::string> workbook = c.IndicatorsWorkbook(CallerOf(ctx), ctx.request.query);
               if (!workbook.ok()) return workbook.status();
               http::Response res;
               res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
               res.body = std::move(*workbook);
               res.Header("Content-Disposition", "attachment; filename=\"case-indicators.xlsx\"");
               return res;
             });
  router.Add("GET", "/api/v1/case-categories", {}, [&c](http::Context&) -> Result<http::Response> {
    return http::Response::Json(c.Categories());
  });
  router.Add("PATCH", "/api/v1/case-categories/{code}", admin,
             WithBody({"version", "name", "name_en", "urgency", "file_hours", "dispatch_hours", "handle_limit",
                       "handle_unit", "active"},
                      [&c](http::Context& ctx, const boost::json::object& body) {
                        return Reply(c.UpdateCategory(CallerOf(ctx), ctx.request.params.at("code"), body));
                      }));
  router.Add("GET", "/api/v1/work-calendar", {}, [&c](http::Context& ctx) -> Result<http::Response> {
    std::optional<std::string> year = ctx.request.Query("year");
    int y = 0;
    if (year && year->size() == 4 && std::all_of(year->begin(), year->end(), ::isdigit)) y = std::stoi(*year);
    if (y < 2000 || y > 2100) {
      return Status::Invalid("year", {"year 须是 2000 到 2100 之间的年份", "year must be a year from 2000 to 2100"});
    }
    return http::Response::Json(c.Calendar(y));
  });
  router.Add("PUT", "/api/v1/work-calendar", admin,
             WithBody({"day", "kind", "name"}, [&c](http::Context& ctx, const boost::json::object& body) {
               return Reply(c.SetCalendarDay(CallerOf(ctx), body));
             }));
  router.Add("GET", "/api/v1/departments", read,
             [&c](http::Context&) -> Result<http::Response> { return http::Response::Json(c.Departments()); });
  router.Add("GET", "/api/v1/grid-shapes", {.permission = "area.read"},
             [&c](http::Context& ctx) { return Reply(c.GridShapes(CallerOf(ctx))); });
}

}  // namespace shequ::cases
