#include "people/registry_internal.h"

#include <fmt/format.h>

#include "core/json_input.h"
#include "people/validation.h"
#include "territory/territory.h"

namespace shequ::people::internal {

const std::vector<CareTagInfo>& CareTags() {
  static const std::vector<CareTagInfo> tags = {
      {"lives_alone", false}, {"elderly_couple", false}, {"no_children", false},
      {"disabled", true},     {"dibao", false},          {"tekun", false},
      {"entitled", false},    {"unemployed", false},     {"key_youth", true},
      {"community_correction", true},
  };
  return tags;
}

const CareTagInfo* FindCareTag(std::string_view code) {
  for (const auto& t : CareTags())
    if (t.code == code) return &t;
  return nullptr;
}


std::map<int64_t, std::vector<std::string>> ActiveCareTags(store::Connection& conn,
                                                           const std::vector<int64_t>& person_ids,
                                                           bool include_sensitive) {
  std::map<int64_t, std::vector<std::string>> out;
  if (person_ids.empty()) return out;
  store::Params params;
  std::string marks = store::InList(person_ids, params);
  for (const auto& r : conn.Query("SELECT person_id, tag FROM care_tags WHERE removed_at IS NULL"
                                  " AND person_id IN (" + marks + ") ORDER BY person_id, tag",
                                  params)) {
    const CareTagInfo* info = FindCareTag(r.Text(1));
    if (info && info->sensitive && !include_sensitive) continue;
    out[r.Int(0)].push_back(r.Text(1));
  }
  return out;
}

boost::json::array ToArray(const std::vector<std::string>& values) {
  boost::json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return a;
}

std::optional<std::string> AreaPathInScope(store::Connection& conn, const store::Scope& scope,
                                           const std::string& code) {
  auto area = territory::FindArea(conn, scope, code);
  if (!area) return std::nullopt;
  return area->path;
}

Status AddAreaFilter(store::Connection& conn, const store::Scope& scope, const Filters& filters,
                     std::string_view path_column, std::string& where, store::Params& params) {
  auto it = filters.find("area");
  if (it == filters.end() || it->second.empty()) return Status::Ok();
  auto path = AreaPathInScope(conn, scope, it->second);
  if (!path) return Status::Invalid("area", {"区域代码不存在或不在您的辖区内", "No such area in your territory"});
  where += " AND " + store::Scope::Subtree(*path).Filter(path_column, params);
  return Status::Ok();
}

Page RunPage(store::Connection& conn, std::string_view select, const std::string& from_where,
             std::string_view order_by, const store::Params& params, const Paging& paging) {
  Page page;
  page.total = conn.Query("SELECT COUNT(*) " + from_where, params)[0].Int(0);
  store::Params with_limit = params;
  with_limit.emplace_back(paging.page_size);
  with_limit.emplace_back(paging.offset());
  page.rows = conn.Query(fmt::format("SELECT {} {} ORDER BY {} LIMIT ? OFFSET ?", select, from_where, order_by),
                         with_limit);
  return page;
}

Status NotFound(std::string_view what_zh, std::string_view what_en) {
  return Status(Code::kNotFound, {fmt::format("未找到该{}", what_zh), fmt::format("No such {}", what_en)});
}

Status CheckEnum(std::string_view field, const std::string& value, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (a == value) return Status::Ok();
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Status::Invalid(std::string(field), {fmt::format("{}只能是：{}", field, list),
                                              fmt::format("{} must be one of: {}", field, list)});
}

std::string DigitsOnly(std::string_view phone) {
  std::string out;
  for (char c : phone)
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  if (out.size() == 13 && out.starts_with("86")) out = out.substr(2);
  return out;
}

Result<PersonInput> CheckPerson(PersonInput in, std::string_view today) {
  // A NUL or another control character (a broken spreadsheet cell) is never part of a name or a
  // code; PostgreSQL refuses NUL outright, which would break off a whole import.
  for (auto [field, value] : {std::pair{"name", &in.name}, {"document_type", &in.document_type},
                              {"document_number", &in.document_number}, {"sex", &in.sex},
                              {"birth_date", &in.birth_date}, {"phone", &in.phone}, {"hukou", &in.hukou},
                              {"ethnicity", &in.ethnicity}, {"area_code", &in.area_code}}) {
    if (std::any_of(value->begin(), value->end(), [](char c) { return (c >= 0 && c < 0x20) || c == 0x7f; })) {
      return Status::Invalid(field, {fmt::format("{}含有不可见的控制字符", field),
                                     fmt::format("{} contains control characters", field)});
    }
  }
  if (in.name.empty() || Utf8Length(in.name) > 50) {
    return Status::Invalid("name", {"姓名不能为空，且不超过 50 个字", "name is required, at most 50 characters"});
  }
  auto type = ParseDocumentType(in.document_type);
  if (!type) {
    return Status::Invalid("document_type", {"证件类型只能是 resident_id、hmt_residence_permit、foreign_permanent_residence、passport",
                                             "document_type must be resident_id, hmt_residence_permit, foreign_permanent_residence or passport"});
  }
  for (char& c : in.document_number) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  Result<DocumentFacts> facts = CheckDocument(*type, in.document_number, today);
  if (!facts.ok()) return facts.status();
  if (in.sex.empty()) in.sex = facts->sex;
  if (in.birth_date.empty()) in.birth_date = facts->birth_date;
  SHEQU_RETURN_IF_ERROR(CheckEnum("sex", in.sex, {"male", "female"}));
  if (!facts->sex.empty() && in.sex != facts->sex) {
    return Status::Invalid("sex", {"性别与证件号码不一致", "sex does not match the document number"});
  }
  SHEQU_RETURN_IF_ERROR(CheckDate("birth_date", in.birth_date, today));
  if (!facts->birth_date.empty() && in.birth_date != facts->birth_date) {
    return Status::Invalid("birth_date", {"出生日期与证件号码不一致", "birth_date does not match the document number"});
  }
  if (!in.phone.empty()) {
    SHEQU_RETURN_IF_ERROR(CheckPhone(in.phone));
    in.phone = DigitsOnly(in.phone);
  }
  SHEQU_RETURN_IF_ERROR(CheckEnum("hukou", in.hukou, {"registered", "migrant", "foreign"}));
  if (in.area_code.empty()) return Status::Invalid("area_code", {"请填写区域代码", "area_code is required"});
  return in;
}

StoredPhone StorePhone(const Vault& vault, const std::string& digits) {
  if (digits.empty()) return {};
  return {vault.Seal(digits), vault.LookupHash(digits), MaskPhone(digits)};
}

const std::vector<std::string>& PersonColumns() {
  static const std::vector<std::string> columns = {
      "name",       "document_type", "document_sealed", "document_hash", "document_masked", "sex",
      "birth_date", "phone_sealed",  "phone_hash",      "phone_masked",  "hukou",           "ethnicity",
      "area_code",  "area_path",     "created_at",      "updated_at"};
  return columns;
}

store::Params PersonValues(const Vault& vault, const PersonInput& in, const std::string& document_hash,
                           const std::string& area_path, const std::string& now) {
  StoredPhone phone = StorePhone(vault, in.phone);
  return {in.name, in.document_type, vault.Seal(in.document_number), document_hash,
          MaskDocumentNumber(in.document_number), in.sex, in.birth_date, phone.sealed, phone.hash, phone.masked,
          in.hukou, in.ethnicity, in.area_code, area_path, now, now};
}

int64_t InsertPerson(store::Connection& conn, const Vault& vault, const PersonInput& in, const std::string& document_hash,
                     const std::string& area_path, const std::string& now) {
  static const std::string sql = [] {
    std::string placeholders = "?";
    for (size_t i = 1; i < PersonColumns().size(); ++i) placeholders += ", ?";
    return fmt::format("INSERT INTO persons ({}) VALUES ({}) RETURNING id", fmt::join(PersonColumns(), ", "),
                       placeholders);
  }();
  return conn.Query(sql, PersonValues(vault, in, document_hash, area_path, now))[0].Int(0);
}

}  // namespace shequ::people::internal
