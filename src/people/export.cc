#include "people/export.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <charconv>
#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/json_input.h"
#include "people/registry_internal.h"

namespace shequ::people {

using namespace internal;

namespace {

constexpr int64_t kMaxRows = 200000;  // beyond this, narrow the filters

struct Column {
  const char* title;  // Chinese header, as the people reading the sheet expect
  const char* field;  // member of the list item's JSON
};

const std::vector<Column>* ColumnsOf(std::string_view kind) {
  static const std::map<std::string_view, std::vector<Column>> kColumns = {
      {"persons", {{"姓名", "name"}, {"性别", "sex"}, {"出生日期", "birth_date"}, {"年龄", "age"},
                   {"证件类型", "document_type"}, {"证件号码", "document_number"}, {"手机号码", "phone"},
                   {"户籍类型", "hukou"}, {"关爱标签", "care_tags"}, {"区域代码", "area_code"}, {"居住地址", "dwelling"}}},
      {"dwellings", {{"地址", "address"}, {"小区", "compound_name"}, {"楼层", "floor"}, {"房号", "room"},
                     {"面积(㎡)", "area_m2"}, {"用途", "use"}, {"产权", "tenure"}, {"居住状态", "occupancy"},
                     {"区域代码", "area_code"}}},
      {"compounds", {{"小区名称", "name"}, {"地址", "address"}, {"类型", "housing_types"}, {"建成年份", "year_built"},
                     {"网格", "grid_name"}, {"区域代码", "area_code"}}},
      {"organizations", {{"类型", "kind"}, {"名称", "name"}, {"统一社会信用代码", "credit_code"}, {"地址", "address"},
                         {"联系人", "contact_name"}, {"联系电话", "contact_phone"}, {"区域代码", "area_code"}}},
  };
  auto it = kColumns.find(kind);
  return it == kColumns.end() ? nullptr : &it->second;
}

// Codes are shown in the words of the people reading the sheet.
std::string Label(std::string code) {
  static const std::map<std::string, std::string> kLabels = {
      {"male", "男"}, {"female", "女"}, {"resident_id", "居民身份证"}, {"hmt_residence_permit", "港澳台居民居住证"},
      {"foreign_permanent_residence", "外国人永久居留身份证"}, {"passport", "护照"}, {"registered", "户籍"},
      {"migrant", "来沪"}, {"foreign", "境外"}, {"lives_alone", "独居老人"}, {"elderly_couple", "纯老家庭"},
      {"no_children", "孤老"}, {"disabled", "残疾"}, {"dibao", "低保"}, {"tekun", "特困"}, {"entitled", "优抚对象"},
      {"unemployed", "失业"}, {"key_youth", "重点青少年"}, {"community_correction", "社区矫正"},
      {"owner_occupied", "自住"}, {"rented", "出租"}, {"vacant", "空置"}, {"group_rental_suspected", "疑似群租"},
      {"residential", "住宅"}, {"commercial", "商业"}, {"mixed", "商住"}, {"sold_public", "售后公房"},
      {"commodity", "商品房"}, {"foreign_commodity", "涉外商品房"}, {"old_villa", "老洋房"}, {"relocation", "动迁安置房"},
      {"managed_public", "直管公房"}, {"private", "私有"}, {"residents_committee", "居委会"}, {"owners_committee", "业委会"},
      {"property_company", "物业公司"}, {"social_org", "社会组织"}, {"resident_unit", "驻区单位"}, {"merchant", "商户"}};
  auto it = kLabels.find(code);
  return it == kLabels.end() ? code : it->second;
}

std::string CellText(const boost::json::value& v) {
  if (v.is_string()) return Label(std::string(v.as_string()));
  if (v.is_null()) return "";
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v.as_array()) out += (out.empty() ? "" : "、") + CellText(x);
    return out;
  }
  if (v.is_object() && v.as_object().contains("address")) return CellText(v.as_object().at("address"));
  return boost::json::serialize(v);
}

using ListFn = Result<boost::json::object> (Registry::*)(const Caller&, const Filters&, const Paging&);
ListFn ListOf(std::string_view kind) {
  if (kind == "persons") return &Registry::ListPersons;
  if (kind == "dwellings") return &Registry::ListDwellings;
  if (kind == "compounds") return &Registry::ListCompounds;
  return &Registry::ListOrganizations;
}

// The full document numbers and phones of `ids`, for an approved unmasked export.
std::map<int64_t, std::pair<std::string, std::string>> Unsealed(Registry& registry, const std::vector<int64_t>& ids) {
  std::map<int64_t, std::pair<std::string, std::string>> out;
  if (ids.empty()) return out;
  store::Params params;
  std::string marks = store::InList(ids, params);
  auto conn = registry.db().Acquire();
  for (const auto& r : conn->Query("SELECT id, document_sealed, phone_sealed FROM persons WHERE id IN (" + marks + ")", params)) {
    out[r.Int(0)] = {registry.vault().Open(r.Text(1)), r.IsNull(2) ? "" : registry.vault().Open(r.Text(2))};
  }
  return out;
}

// Every row of the list, page by page, into one worksheet.
Result<std::string> Workbook(Registry& registry, const Caller& caller, std::string_view kind, const Filters& filters,
                             bool unmasked, int64_t& rows_written) {
  const std::vector<Column>& columns = *ColumnsOf(kind);
  std::string path = (std::filesystem::temp_directory_path() / fmt::format("shequ-export-{}-{}.xlsx", getpid(), RandomToken(8))).string();
  lxw_workbook* book = workbook_new(path.c_str());
  if (!book) return Status(Code::kInternal, {"无法生成导出文件", "The export file could not be created"});
  lxw_worksheet* sheet = workbook_add_worksheet(book, "导出");
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  for (size_t c = 0; c < columns.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), columns[c].title, bold);
    worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), 16, nullptr);
  }
  rows_written = 0;
  Paging paging{1, kMaxPageSize};
  for (;; ++paging.page) {
    Result<boost::json::object> page = (registry.*ListOf(kind))(caller, filters, paging);
    if (!page.ok()) {
      workbook_close(book);
      std::filesystem::remove(path);
      return page.status();
    }
    const auto& items = page->at("items").as_array();
    std::vector<int64_t> ids;
    for (const auto& item : items) ids.push_back(item.as_object().at("id").as_int64());
    auto full = unmasked && kind == "persons" ? Unsealed(registry, ids) : decltype(Unsealed(registry, ids)){};
    for (const auto& item : items) {
      const auto& o = item.as_object();
      ++rows_written;
      for (size_t c = 0; c < columns.size(); ++c) {
        std::string text = CellText(o.at(columns[c].field));
        if (auto it = full.find(o.at("id").as_int64()); it != full.end()) {
          if (std::string_view(columns[c].field) == "document_number") text = it->second.first;
          if (std::string_view(columns[c].field) == "phone") text = it->second.second;
        }
        worksheet_write_string(sheet, static_cast<lxw_row_t>(rows_written), static_cast<lxw_col_t>(c), text.c_str(), nullptr);
      }
    }
    if (items.size() < static_cast<size_t>(paging.page_size) || rows_written >= kMaxRows) break;
  }
  lxw_error closed = workbook_close(book);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  if (closed != LXW_NO_ERROR) return Status(Code::kInternal, {"无法生成导出文件", "The export file could not be created"});
  return bytes;
}

boost::json::object ExportJson(const store::Row& r) {
  boost::system::error_code ec;
  return {{"id", r.Int(0)},
          {"kind", r.Text(1)},
          {"filters", boost::json::parse(r.Text(2), ec)},
          {"unmasked", r.Int(3) != 0},
          {"status", r.Text(4)},
          {"requested_by", r.Text(5)},
          {"decided_by", r.IsNull(6) ? boost::json::value(nullptr) : boost::json::value(r.Text(6))},
          {"created_at", r.Text(7)}};
}

constexpr std::string_view kExportColumns = "id, kind, filters, unmasked, status, requested_by, decided_by, created_at, area_code, area_path";

std::optional<store::Row> FindExport(store::Connection& conn, const Caller& caller, int64_t id) {
  store::Params params{id};
  store::Rows rows = conn.Query(fmt::format("SELECT {} FROM exports WHERE id = ? AND {}", kExportColumns,
                                            ScopeOf(caller).Filter("area_path", params)),
                                params);
  if (rows.empty()) return std::nullopt;
  return rows[0];
}

}  // namespace

Result<boost::json::object> Exports::Request(const Caller& caller, const boost::json::object& body) {
  FieldReader f(body);
  auto kind = f.String("kind", true, 20);
  auto unmasked = f.Bool("unmasked", false);
  const boost::json::value* filters = body.if_contains("filters");
  if (!f.status().ok()) return f.status();
  if (!ColumnsOf(*kind)) {
    return Status::Invalid("kind", {"kind 只能是 persons、dwellings、compounds、organizations",
                                    "kind must be persons, dwellings, compounds or organizations"});
  }
  Filters list_filters;
  if (filters && !filters->is_null()) {
    if (!filters->is_object()) return Status::BadRequest({"filters 必须是对象", "filters must be an object"});
    for (const auto& [k, v] : filters->as_object()) {
      if (!v.is_string()) return Status::BadRequest({"筛选条件的值必须是文本", "filter values must be strings"});
      list_filters[std::string(k)] = std::string(v.as_string());
    }
  }
  // The filters are checked now, so a bad one fails at once rather than at download.
  Result<boost::json::object> probe = (registry_.*ListOf(*kind))(caller, list_filters, Paging{1, 1});
  if (!probe.ok()) return probe.status();
  bool full = unmasked.value_or(false) && *kind == "persons";
  return store::WithWrite(registry_.db(), [&](store::Connection& conn) -> Result<boost::json::object> {
    boost::json::object filter_json;
    for (const auto& [k, v] : list_filters) filter_json[k] = v;
    int64_t id = conn.Query("INSERT INTO exports (kind, filters, unmasked, status, requested_by, area_code, area_path, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            {*kind, boost::json::serialize(filter_json), int64_t{full}, std::string(full ? "pending_approval" : "ready"),
                             caller.who.username, caller.who.area_code, caller.who.area_path, FormatUtc(Clock::System().Now())})[0]
                     .Int(0);
    audit::Entry entry = audit::By(caller.who, caller.request_id, "export.request", fmt::format("export:{}", id));
    entry.details = {{"kind", *kind}, {"unmasked", full}, {"filters", filter_json}};
    registry_.trail().Append(conn, entry);
    return ExportJson(*FindExport(conn, caller, id));
  });
}

Result<boost::json::object> Exports::Decide(const Caller& caller, int64_t id, bool approve) {
  return store::WithWrite(registry_.db(), [&](store::Connection& conn) -> Result<boost::json::object> {
    auto row = FindExport(conn, caller, id);
    if (!row) return NotFound("导出", "export");
    if (row->Text(5) == caller.who.username) {
      return Status(Code::kForbidden, {"不能审批自己申请的导出", "An export cannot be approved by the account that asked for it"});
    }
    if (row->Text(4) != "pending_approval") return Status(Code::kConflict, {"该导出不在待审批状态", "This export is not waiting for approval"});
    conn.Execute("UPDATE exports SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                 {std::string(approve ? "ready" : "rejected"), caller.who.username, FormatUtc(Clock::System().Now()), id});
    audit::Entry entry = audit::By(caller.who, caller.request_id, approve ? "export.approve" : "export.reject",
                                   fmt::format("export:{}", id));
    entry.details = {{"requested_by", row->Text(5)}};
    registry_.trail().Append(conn, entry);
    return ExportJson(*FindExport(conn, caller, id));
  });
}

Result<std::string> Exports::File(const Caller& caller, int64_t id) {
  std::optional<store::Row> row;
  {
    auto conn = registry_.db().Acquire();
    row = FindExport(*conn, caller, id);
  }
  if (!row || row->Text(5) != caller.who.username) return NotFound("导出", "export");
  if (row->Text(4) != "ready") {
    return Status(Code::kConflict, {"该导出尚未批准或已被拒绝", "This export is not approved (or was rejected)"});
  }
  boost::system::error_code ec;
  Filters filters;
  boost::json::value stored = boost::json::parse(row->Text(2), ec);  // must outlive the loop over it
  for (const auto& [k, v] : stored.as_object()) filters[std::string(k)] = std::string(v.as_string());
  int64_t rows = 0;
  Result<std::string> bytes = Workbook(registry_, caller, row->Text(1), filters, row->Int(3) != 0, rows);
  if (!bytes.ok()) return bytes.status();
  store::WithWrite(registry_.db(), [&](store::Connection& conn) -> Status {
    audit::Entry entry = audit::By(caller.who, caller.request_id, "export.download", fmt::format("export:{}", id));
    entry.details = {{"rows", rows}, {"unmasked", row->Int(3) != 0}};
    registry_.trail().Append(conn, entry);
    return Status::Ok();
  });
  return bytes;
}

void AddExportRoutes(http::Router& router, Exports& exports) {
  auto reply = [](Result<boost::json::object> r, int status) -> Result<http::Response> {
    if (!r.ok()) return r.status();
    return http::Response::Json(*r, status);
  };
  router.Add("POST", "/api/v1/exports", {.permission = "registry.read", .json_body = true},
             [&exports, reply](http::Context& ctx) -> Result<http::Response> {
               Result<boost::json::object> body = ParseObject(ctx.request.body, {"kind", "filters", "unmasked"});
               if (!body.ok()) return body.status();
               return reply(exports.Request(Caller{*ctx.caller, ctx.request.request_id}, *body), 201);
             });
  for (bool approve : {true, false}) {
    router.Add("POST", approve ? "/api/v1/exports/{id}/approve" : "/api/v1/exports/{id}/reject",
               {.permission = "export.approve"}, [&exports, reply, approve](http::Context& ctx) -> Result<http::Response> {
                 auto id = http::IdParam(ctx.request);
                 if (!id) return Status::NotFound();
                 return reply(exports.Decide(Caller{*ctx.caller, ctx.request.request_id}, *id, approve), 200);
               });
  }
  router.Add("GET", "/api/v1/exports/{id}/file", {.permission = "registry.read"},
             [&exports](http::Context& ctx) -> Result<http::Response> {
               auto id = http::IdParam(ctx.request);
               if (!id) return Status::NotFound();
               Result<std::string> bytes = exports.File(Caller{*ctx.caller, ctx.request.request_id}, *id);
               if (!bytes.ok()) return bytes.status();
               http::Response res;
               res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
               res.body = std::move(*bytes);
               res.Header("Content-Disposition", fmt::format("attachment; filename=\"shequ-export-{}.xlsx\"", *id));
               res.Header("Cache-Control", "no-store");
               return res;
             });
}

}  // namespace shequ::people
