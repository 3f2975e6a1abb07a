#include <fmt/format.h>

#include <charconv>

#include "people/import.h"
#include "people/registry_internal.h"

namespace shequ::people {

using namespace internal;

namespace {

boost::json::object CountsJson(const ImportCounts& c) {
  return {{"total", c.total},         {"processed", c.processed}, {"inserted", c.inserted},
          {"updated", c.updated},     {"unchanged", c.unchanged}, {"rejected", c.rejected}};
}

constexpr std::string_view kImportColumns =
    "id, kind, mode, status, file_name, total, processed, inserted, updated, unchanged, rejected, error, created_at,"
    " finished_at, account";

boost::json::object ImportJson(const store::Row& r) {
  return {{"id", r.Int(0)},         {"kind", r.Text(1)},       {"mode", r.Text(2)},
          {"status", r.Text(3)},    {"file_name", r.Text(4)},  {"total", r.Int(5)},
          {"processed", r.Int(6)},  {"inserted", r.Int(7)},    {"updated", r.Int(8)},
          {"unchanged", r.Int(9)},  {"rejected", r.Int(10)},
          {"error", r.IsNull(11) ? boost::json::value(nullptr) : boost::json::value(r.Text(11))},
          {"created_at", r.Text(12)},
          {"finished_at", r.IsNull(13) ? boost::json::value(nullptr) : boost::json::value(r.Text(13))},
          {"account", r.Text(14)}};
}

}  // namespace

ImportJobs::~ImportJobs() {
  for (auto& t : threads_) t.join();
}

Result<boost::json::object> ImportJobs::Start(const Caller& caller, std::string_view kind, std::string_view mode,
                                              std::string file_name, std::string body) {
  if (kind != "persons") return Status::Invalid("kind", {"目前只能导入 persons（实有人口）", "kind must be persons"});
  if (mode != "all_or_nothing" && mode != "valid_only") {
    return Status::Invalid("mode", {"mode 只能是 all_or_nothing 或 valid_only", "mode must be all_or_nothing or valid_only"});
  }
  Result<Table> table = ReadTable(body);
  if (!table.ok()) return table.status();
  int64_t id = 0;
  store::WithWrite(registry_.db(), [&](store::Connection& conn) -> Status {
    id = conn.Query("INSERT INTO imports (kind, mode, status, file_name, total, account, area_code, area_path, created_at)"
                    " VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?) RETURNING id",
                    {std::string(kind), std::string(mode), file_name, static_cast<int64_t>(table->rows.size()),
                     caller.who.username, caller.who.area_code, caller.who.area_path,
                     FormatUtc(Clock::System().Now())})[0].Int(0);
    return Status::Ok();
  });
  {
    std::lock_guard lock(mutex_);
    running_[id] = ImportCounts{static_cast<int64_t>(table->rows.size())};
    threads_.emplace_back(&ImportJobs::Run, this, caller.who, caller.request_id, id, mode == "all_or_nothing",
                          std::move(table).value());
  }
  return Get(caller, id);
}

void ImportJobs::Run(Principal who, std::string request_id, int64_t id, bool all_or_nothing, Table table) {
  Caller caller{who, request_id};
  auto publish = [&](const ImportCounts& c, std::string_view status) {
    boost::json::object event = CountsJson(c);
    event["id"] = id;
    event["status"] = status;
    hub_.Publish("import", boost::json::serialize(event), who.area_path, {"registry.import"});
  };
  ImportOutcome outcome;
  try {
    outcome = ImportPersons(registry_, caller, table, all_or_nothing, [&](const ImportCounts& c) {
      {
        std::lock_guard lock(mutex_);
        running_[id] = c;
      }
      publish(c, "running");
    });
  } catch (const std::exception& e) {
    outcome.failure = Status(Code::kInternal, {"导入中断，未写入任何数据", "The import broke off; nothing was written"});
  }
  std::string status = outcome.failure.ok() ? "done" : "failed";
  store::Value error = outcome.failure.ok() ? store::Value() : store::Value(outcome.failure.message().zh + " / " +
                                                                               outcome.failure.message().en);
  store::WithWrite(registry_.db(), [&](store::Connection& conn) -> Status {
    const ImportCounts& c = outcome.counts;
    conn.Execute("UPDATE imports SET status = ?, processed = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?,"
                 " error = ?, error_report = ?, finished_at = ? WHERE id = ?",
                 {status, c.processed, c.inserted, c.updated, c.unchanged, c.rejected, error,
                  outcome.error_report.empty() ? store::Value() : store::Value(outcome.error_report),
                  FormatUtc(Clock::System().Now()), id});
    return Status::Ok();
  });
  {
    std::lock_guard lock(mutex_);
    running_.erase(id);
  }
  publish(outcome.counts, status);
}

Result<boost::json::object> ImportJobs::Get(const Caller& caller, int64_t id) {
  store::Params params{id};
  store::Rows rows;
  {
    auto conn = registry_.db().Acquire();
    rows = conn->Query(fmt::format("SELECT {} FROM imports WHERE id = ? AND {}", kImportColumns,
                                   ScopeOf(caller).Filter("area_path", params)),
                       params);
  }
  if (rows.empty()) return NotFound("导入任务", "import");
  boost::json::object o = ImportJson(rows[0]);
  std::lock_guard lock(mutex_);
  if (auto it = running_.find(id); it != running_.end() && o["status"] == "running") {
    for (auto& [k, v] : CountsJson(it->second)) o[k] = v;
  }
  return o;
}

Result<std::string> ImportJobs::ErrorReport(const Caller& caller, int64_t id) {
  store::Params params{id};
  auto conn = registry_.db().Acquire();
  store::Rows rows = conn->Query("SELECT error_report, status FROM imports WHERE id = ? AND " +
                                     ScopeOf(caller).Filter("area_path", params),
                                 params);
  if (rows.empty()) return NotFound("导入任务", "import");
  return rows[0].Text(0);  // empty when every row was accepted: a header-only report would mislead
}

void AddImportRoutes(http::Router& router, ImportJobs& jobs) {
  const http::RouteOptions upload{.permission = "registry.import", .body_limit = 64 * 1024 * 1024};
  router.Add("POST", "/api/v1/imports", upload, [&jobs](http::Context& ctx) -> Result<http::Response> {
    const auto& q = ctx.request.query;
    auto get = [&](const char* k) { auto it = q.find(k); return it == q.end() ? std::string() : it->second; };
    Result<boost::json::object> started =
        jobs.Start(Caller{*ctx.caller, ctx.request.request_id}, get("kind"), get("mode").empty() ? "all_or_nothing" : get("mode"),
                   get("file_name"), std::move(ctx.request.body));
    if (!started.ok()) return started.status();
    return http::Response::Json(*started, 202);
  });
  router.Add("GET", "/api/v1/imports/{id}", {.permission = "registry.import"},
             [&jobs](http::Context& ctx) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               auto found = jobs.Get(Caller{*ctx.caller, ctx.request.request_id}, *id);
               if (!found.ok()) return found.status();
               return http::Response::Json(*found);
             });
  router.Add("GET", "/api/v1/imports/{id}/errors", {.permission = "registry.import"},
             [&jobs](http::Context& ctx) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               auto report = jobs.ErrorReport(Caller{*ctx.caller, ctx.request.request_id}, *id);
               if (!report.ok()) return report.status();
               http::Response res;
               res.content_type = "text/csv; charset=utf-8";
               res.body = std::move(*report);
               res.Header("Content-Disposition", fmt::format("attachment; filename=\"import-{}-errors.csv\"", *id));
               return res;
             });
}

}  // namespace shequ::people
