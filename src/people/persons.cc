#include <fmt/format.h>

#include "core/json_input.h"
#include "people/people.h"
#include "people/registry_internal.h"
#include "people/validation.h"

namespace shequ::people {

using namespace internal;

namespace {

constexpr std::string_view kPersonColumns =
    "p.id, p.name, p.sex, p.birth_date, p.document_type, p.document_masked, p.phone_masked,"
    " p.hukou, p.area_code, p.dwelling_id, a.text, p.ethnicity, p.version";
constexpr std::string_view kPersonFrom =
    "FROM persons p LEFT JOIN dwellings d ON d.id = p.dwelling_id"
    " LEFT JOIN addresses a ON a.id = d.address_id WHERE ";

boost::json::object SummaryJson(const store::Row& r, std::string_view today,
                                const std::vector<std::string>& tags) {
  int age = Age(r.Text(3), today);
  boost::json::object o{{"id", r.Int(0)},
                        {"name", r.Text(1)},
                        {"sex", r.Text(2)},
                        {"birth_date", r.Text(3)},
                        {"age", age},
                        {"aged_80_plus", age >= 80},
                        {"document_type", r.Text(4)},
                        {"document_number", r.Text(5)},
                        {"phone", r.OptText(6) ? boost::json::value(r.Text(6)) : nullptr},
                        {"hukou", r.Text(7)},
                        {"care_tags", ToArray(tags)},
                        {"area_code", r.Text(8)}};
  o["dwelling"] = r.IsNull(9) ? boost::json::value(nullptr)
                              : boost::json::value({{"id", r.Int(9)}, {"address", r.Text(10)}});
  return o;
}

boost::json::object ResidencyJson(const store::Row& r) {
  return {{"id", r.Int(0)},          {"person_id", r.Int(1)},   {"person_name", r.Text(2)},
          {"dwelling_id", r.Int(3)}, {"address", r.Text(4)},    {"relation", r.Text(5)},
          {"start_date", r.Text(6)}, {"end_date", r.OptText(7) ? boost::json::value(r.Text(7)) : nullptr},
          {"reason", r.Text(8)},     {"end_reason", r.OptText(9) ? boost::json::value(r.Text(9)) : nullptr}};
}

constexpr std::string_view kResidencySelect =
    "SELECT r.id, r.person_id, p.name, r.dwelling_id, a.text, r.relation, r.start_date, r.end_date,"
    " r.reason, r.end_reason FROM residencies r JOIN persons p ON p.id = r.person_id"
    " JOIN dwellings d ON d.id = r.dwelling_id JOIN addresses a ON a.id = d.address_id ";

// The person row if it lies in the caller's territory.
std::optional<store::Row> FindPerson(store::Connection& conn, const Caller& caller, int64_t id) {
  store::Params params{id};
  std::string sql = std::string("SELECT ") + std::string(kPersonColumns) + " " + std::string(kPersonFrom) +
                    "p.id = ? AND " + ScopeOf(caller).Filter("p.area_path", params);
  store::Rows rows = conn.Query(sql, params);
  if (rows.empty()) return std::nullopt;
  return rows[0];
}

boost::json::object PersonJson(store::Connection& conn, const Caller& caller, const store::Row& row,
                               std::string_view today) {
  int64_t id = row.Int(0);
  bool sensitive = caller.who.Can("person.sensitive");
  auto tags = ActiveCareTags(conn, {id}, sensitive);
  boost::json::object o = SummaryJson(row, today, tags[id]);
  o["ethnicity"] = row.Text(11);
  o["version"] = row.Int(12);
  boost::json::array residencies;
  for (const auto& r : conn.Query(std::string(kResidencySelect) +
                                      "WHERE r.person_id = ? ORDER BY r.start_date DESC, r.id DESC",
                                  {id})) {
    residencies.push_back(ResidencyJson(r));
  }
  o["residencies"] = std::move(residencies);
  boost::json::array history;
  for (const auto& r : conn.Query("SELECT tag, set_by, set_at, reason, removed_by, removed_at, removed_reason"
                                  " FROM care_tags WHERE person_id = ? ORDER BY set_at, id",
                                  {id})) {
    const CareTagInfo* info = FindCareTag(r.Text(0));
    if (info && info->sensitive && !sensitive) continue;
    history.push_back({{"tag", r.Text(0)}, {"action", "set"}, {"by", r.Text(1)}, {"at", r.Text(2)}, {"reason", r.Text(3)}});
    if (!r.IsNull(5)) {
      history.push_back({{"tag", r.Text(0)}, {"action", "removed"}, {"by", r.Text(4)}, {"at", r.Text(5)},
                         {"reason", r.Text(6)}});
    }
  }
  o["care_tag_history"] = std::move(history);
  return o;
}

audit::Entry PersonEntry(const Caller& caller, std::string action, int64_t id) {
  return audit::By(caller.who, caller.request_id, std::move(action), fmt::format("person:{}", id));
}

Status CheckReason(std::string_view reason) {
  if (Utf8Length(reason) < 4) {
    return Status::Invalid("reason", {"请写明理由（至少 4 个字）", "Give a reason (at least 4 characters)"});
  }
  return Status::Ok();
}

// A page of persons. The count and the page's ids read only the persons table
// (for the territory's name and residents lists, only its (area_path, name, id)
// index); the joins for the address run for the page's rows alone, unless the
// address is itself a filter.
Page PersonPage(store::Connection& conn, const std::string& where, bool by_address, std::string_view order,
                const store::Params& params, const Paging& paging) {
  std::string from = by_address ? std::string(kPersonFrom) + where : "FROM persons p WHERE " + where;
  Page page;
  page.total = conn.Query("SELECT COUNT(*) " + from, params)[0].Int(0);
  store::Params with_limit = params;
  with_limit.emplace_back(paging.page_size);
  with_limit.emplace_back(paging.offset());
  page.rows = conn.Query(fmt::format("SELECT {} {} p.id IN (SELECT p.id {} ORDER BY {} LIMIT ? OFFSET ?) ORDER BY {}",
                                     kPersonColumns, kPersonFrom, from, order, order),
                         with_limit);
  return page;
}

}  // namespace

std::string Registry::Today() const { return BeijingDate(clock_.Now()); }

Result<boost::json::object> Registry::ListPersons(const Caller& caller, const Filters& f, const Paging& paging) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params;
    std::string where = ScopeOf(caller).Filter("p.area_path", params);
    SHEQU_RETURN_IF_ERROR(AddAreaFilter(conn, ScopeOf(caller), f, "p.area_path", where, params));
    auto get = [&](const char* key) -> std::string {
      auto it = f.find(key);
      return it == f.end() ? "" : it->second;
    };
    if (auto q = get("q"); !q.empty()) {
      where += " AND p.name LIKE ?" + std::string(store::kLikeEscape);
      params.emplace_back(store::LikeContains(q));
    }
    if (auto doc = get("document_number"); !doc.empty()) {
      std::string canonical = doc;
      for (char& c : canonical) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      where += " AND p.document_hash = ?";
      params.emplace_back(vault_.LookupHash(canonical));
    }
    if (auto phone = get("phone"); !phone.empty()) {
      where += " AND p.phone_hash = ?";
      params.emplace_back(vault_.LookupHash(DigitsOnly(phone)));
    }
    if (auto address = get("address"); !address.empty()) {
      where += " AND a.text LIKE ?" + std::string(store::kLikeEscape);
      params.emplace_back(store::LikeContains(address));
    }
    if (auto hukou = get("hukou"); !hukou.empty()) {
      SHEQU_RETURN_IF_ERROR(CheckEnum("hukou", hukou, {"registered", "migrant", "foreign"}));
      where += " AND p.hukou = ?";
      params.emplace_back(hukou);
    }
    if (auto tag = get("care_tag"); !tag.empty()) {
      const CareTagInfo* info = FindCareTag(tag);
      if (!info || (info->sensitive && !caller.who.Can("person.sensitive"))) {
        return Status::Invalid("care_tag", {"没有这个关爱标签", "No such care tag"});
      }
      where += " AND EXISTS (SELECT 1 FROM care_tags c WHERE c.person_id = p.id AND c.tag = ? AND c.removed_at IS NULL)";
      params.emplace_back(tag);
    }
    std::string sort = get("sort");
    std::string_view order = "p.name, p.id";
    if (sort == "birth_date") order = "p.birth_date, p.id";
    else if (sort == "-birth_date") order = "p.birth_date DESC, p.id";
    else if (!sort.empty() && sort != "name") {
      return Status::Invalid("sort", {"排序只能是 name、birth_date 或 -birth_date", "sort must be name, birth_date or -birth_date"});
    }
    Page page = PersonPage(conn, where, !get("address").empty(), order, params, paging);
    std::vector<int64_t> ids;
    for (const auto& r : page.rows) ids.push_back(r.Int(0));
    auto tags = ActiveCareTags(conn, ids, caller.who.Can("person.sensitive"));
    boost::json::array items;
    std::string today = Today();
    for (const auto& r : page.rows) items.push_back(SummaryJson(r, today, tags[r.Int(0)]));
    return PageJson(std::move(items), page.total, paging);
  });
}

Result<boost::json::object> Registry::GetPerson(const Caller& caller, int64_t id) {
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto row = FindPerson(conn, caller, id);
    if (!row) return NotFound("人员", "person");
    boost::json::object person = PersonJson(conn, caller, *row, Today());
    audit::Entry entry = PersonEntry(caller, "person.read", id);
    entry.area_code = row->Text(8);
    trail_.Append(conn, entry);
    return person;
  });
}

Result<boost::json::object> Registry::CreatePerson(const Caller& caller, const boost::json::object& body) {
  FieldReader f(body);
  PersonInput in;
  in.name = f.String("name", true, 50).value_or("");
  in.document_type = f.String("document_type", true, 40).value_or("");
  in.document_number = f.String("document_number", true, 30).value_or("");
  in.sex = f.String("sex", false, 10).value_or("");
  in.birth_date = f.String("birth_date", false, 10).value_or("");
  in.phone = f.String("phone", false, 20).value_or("");
  in.hukou = f.String("hukou", true, 20).value_or("");
  in.ethnicity = f.String("ethnicity", false, 20).value_or("");
  in.area_code = f.String("area_code", true, 20).value_or("");
  if (!f.status().ok()) return f.status();
  Result<PersonInput> checked = CheckPerson(std::move(in), Today());
  if (!checked.ok()) return checked.status();
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto path = AreaPathInScope(conn, ScopeOf(caller), checked->area_code);
    if (!path) return Status::Invalid("area_code", {"区域代码不存在或不在您的辖区内", "No such area in your territory"});
    std::string document_hash = vault_.LookupHash(checked->document_number);
    store::Rows existing = conn.Query("SELECT id, area_path FROM persons WHERE document_hash = ?", {document_hash});
    if (!existing.empty()) {
      Status conflict(Code::kConflict, {"该证件号码已登记", "A person with this document is registered already"});
      // Outside the caller's territory the record stays invisible: no id to look it up by.
      if (ScopeOf(caller).Contains(existing[0].Text(1))) conflict.AddNumber("existing_id", existing[0].Int(0));
      return conflict;
    }
    int64_t id = InsertPerson(conn, vault_, *checked, document_hash, *path, FormatUtc(clock_.Now()));
    audit::Entry entry = PersonEntry(caller, "person.create", id);
    entry.area_code = checked->area_code;
    entry.area_path = *path;
    trail_.Append(conn, entry);
    return PersonJson(conn, caller, *FindPerson(conn, caller, id), Today());
  });
}

Result<boost::json::object> Registry::UpdatePerson(const Caller& caller, int64_t id, const boost::json::object& body) {
  FieldReader f(body);
  auto name = f.String("name", false, 50);
  auto phone = f.String("phone", false, 20);
  auto hukou = f.String("hukou", false, 20);
  auto ethnicity = f.String("ethnicity", false, 20);
  auto version = f.Int("version", true);
  if (!f.status().ok()) return f.status();
  if (phone && !phone->empty()) SHEQU_RETURN_IF_ERROR(CheckPhone(*phone));
  if (hukou) SHEQU_RETURN_IF_ERROR(CheckEnum("hukou", *hukou, {"registered", "migrant", "foreign"}));
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto row = FindPerson(conn, caller, id);
    if (!row) return NotFound("人员", "person");
    std::string now = FormatUtc(clock_.Now());
    StoredPhone stored = StorePhone(vault_, phone ? DigitsOnly(*phone) : "");
    store::Value no;
    int64_t changed = conn.Execute(
        "UPDATE persons SET name = COALESCE(?, name), hukou = COALESCE(?, hukou), ethnicity = COALESCE(?, ethnicity),"
        " phone_sealed = CASE WHEN ? = 1 THEN ? ELSE phone_sealed END,"
        " phone_hash = CASE WHEN ? = 1 THEN ? ELSE phone_hash END,"
        " phone_masked = CASE WHEN ? = 1 THEN ? ELSE phone_masked END,"
        " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        {name ? store::Value(*name) : no, hukou ? store::Value(*hukou) : no,
         ethnicity ? store::Value(*ethnicity) : no, int64_t{phone.has_value()},
         stored.sealed, int64_t{phone.has_value()}, stored.hash, int64_t{phone.has_value()}, stored.masked, now, id,
         *version});
    if (changed == 0) {
      return Status(Code::kConflict, {"记录已被他人修改，请刷新后重试", "Someone else changed this record: reload and try again"})
          .AddNumber("current_version", row->Int(12));
    }
    audit::Entry entry = PersonEntry(caller, "person.update", id);
    entry.area_code = row->Text(8);
    boost::json::object changed_fields;
    for (const char* key : {"name", "phone", "hukou", "ethnicity"})
      if (body.contains(key)) changed_fields[key] = std::string(key) == "phone" ? boost::json::value("(changed)") : body.at(key);
    entry.details = {{"changed", changed_fields}};
    trail_.Append(conn, entry);
    return PersonJson(conn, caller, *FindPerson(conn, caller, id), Today());
  });
}

Result<std::string> Registry::Unmask(const Caller& caller, int64_t id, std::string_view field, std::string_view reason) {
  if (field != "document_number" && field != "phone") {
    return Status::Invalid("field", {"只能查看 document_number 或 phone 的完整内容", "field must be document_number or phone"});
  }
  SHEQU_RETURN_IF_ERROR(CheckReason(reason));
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<std::string> {
    auto row = FindPerson(conn, caller, id);
    if (!row) return NotFound("人员", "person");
    store::Rows sealed = conn.Query(std::string("SELECT ") + (field == "phone" ? "phone_sealed" : "document_sealed") +
                                        " FROM persons WHERE id = ?",
                                    {id});
    if (sealed.empty() || sealed[0].IsNull(0)) return NotFound("字段内容", "value");
    std::string value = vault_.Open(sealed[0].Text(0));
    audit::Entry entry = PersonEntry(caller, "person.unmask", id);
    entry.area_code = row->Text(8);
    entry.details = {{"field", field}, {"reason", reason}};
    trail_.Append(conn, entry);
    return value;
  });
}

Result<boost::json::object> Registry::SetCareTag(const Caller& caller, int64_t id, std::string_view tag, std::string_view reason) {
  const CareTagInfo* info = FindCareTag(tag);
  if (!info || (info->sensitive && !caller.who.Can("person.sensitive"))) {
    return Status::Invalid("tag", {"没有这个关爱标签", "No such care tag"});
  }
  SHEQU_RETURN_IF_ERROR(CheckReason(reason));
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto row = FindPerson(conn, caller, id);
    if (!row) return NotFound("人员", "person");
    if (!conn.Query("SELECT 1 FROM care_tags WHERE person_id = ? AND tag = ? AND removed_at IS NULL",
                    {id, std::string(tag)}).empty()) {
      return Status(Code::kConflict, {"此人已有该标签", "The person already has this tag"});
    }
    conn.Execute("INSERT INTO care_tags (person_id, tag, set_by, set_at, reason) VALUES (?, ?, ?, ?, ?)",
                 {id, std::string(tag), caller.who.username, FormatUtc(clock_.Now()), std::string(reason)});
    audit::Entry entry = PersonEntry(caller, "person.care_tag_set", id);
    entry.area_code = row->Text(8);
    entry.details = {{"tag", tag}, {"reason", reason}};
    trail_.Append(conn, entry);
    return PersonJson(conn, caller, *row, Today());
  });
}

Result<boost::json::object> Registry::RemoveCareTag(const Caller& caller, int64_t id, std::string_view tag, std::string_view reason) {
  const CareTagInfo* info = FindCareTag(tag);
  if (!info || (info->sensitive && !caller.who.Can("person.sensitive"))) return NotFound("标签", "care tag");
  SHEQU_RETURN_IF_ERROR(CheckReason(reason));
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto row = FindPerson(conn, caller, id);
    if (!row) return NotFound("人员", "person");
    int64_t n = conn.Execute(
        "UPDATE care_tags SET removed_by = ?, removed_at = ?, removed_reason = ?"
        " WHERE person_id = ? AND tag = ? AND removed_at IS NULL",
        {caller.who.username, FormatUtc(clock_.Now()), std::string(reason), id, std::string(tag)});
    if (n == 0) return NotFound("标签", "care tag");
    audit::Entry entry = PersonEntry(caller, "person.care_tag_removed", id);
    entry.area_code = row->Text(8);
    entry.details = {{"tag", tag}, {"reason", reason}};
    trail_.Append(conn, entry);
    return PersonJson(conn, caller, *row, Today());
  });
}

Result<boost::json::object> Registry::MoveIn(const Caller& caller, const boost::json::object& body) {
  FieldReader f(body);
  auto relation = f.String("relation", true, 20);
  auto start = f.String("start_date", true, 10);
  auto reason = f.String("reason", false, 200);
  auto person_id = f.Int("person_id", true);
  auto dwelling_id = f.Int("dwelling_id", true);
  if (!f.status().ok()) return f.status();
  SHEQU_RETURN_IF_ERROR(CheckEnum("relation", *relation, {"owner", "family", "tenant", "collective"}));
  SHEQU_RETURN_IF_ERROR(CheckDate("start_date", *start, Today()));
  int64_t pid = *person_id, did = *dwelling_id;
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto person = FindPerson(conn, caller, pid);
    if (!person) return NotFound("人员", "person");
    store::Params params{did};
    store::Rows dwelling = conn.Query("SELECT area_code, area_path, occupancy FROM dwellings WHERE id = ? AND " +
                                          ScopeOf(caller).Filter("area_path", params),
                                      params);
    if (dwelling.empty()) return NotFound("房屋", "dwelling");
    store::Rows open = conn.Query("SELECT id, start_date, dwelling_id FROM residencies WHERE person_id = ? AND end_date IS NULL",
                                  {pid});
    for (const auto& r : open) {
      if (r.Int(2) == did) return Status(Code::kConflict, {"此人已住在该房屋", "The person already lives in this dwelling"});
      if (r.Text(1) > *start) {
        return Status::Invalid("start_date", {"入住日期早于当前居住的开始日期", "start_date is before the start of the current residency"});
      }
      conn.Execute("UPDATE residencies SET end_date = ?, end_reason = 'moved' WHERE id = ?", {*start, r.Int(0)});
    }
    int64_t rid = conn.Query(
        "INSERT INTO residencies (person_id, dwelling_id, relation, start_date, reason, area_path)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {pid, did, *relation, *start, reason.value_or(""), dwelling[0].Text(1)})[0].Int(0);
    conn.Execute("UPDATE persons SET dwelling_id = ?, area_code = ?, area_path = ?, version = version + 1,"
                 " updated_at = ? WHERE id = ?",
                 {did, dwelling[0].Text(0), dwelling[0].Text(1), FormatUtc(clock_.Now()), pid});
    if (dwelling[0].Text(2) == "vacant") {
      conn.Execute("UPDATE dwellings SET occupancy = ? WHERE id = ?",
                   {std::string(*relation == "tenant" ? "rented" : "owner_occupied"), did});
    }
    audit::Entry entry = PersonEntry(caller, "residency.move_in", pid);
    entry.area_code = dwelling[0].Text(0);
    entry.area_path = dwelling[0].Text(1);
    entry.details = {{"dwelling_id", did}, {"residency_id", rid}, {"relation", *relation}, {"start_date", *start}};
    trail_.Append(conn, entry);
    return ResidencyJson(conn.Query(std::string(kResidencySelect) + "WHERE r.id = ?", {rid})[0]);
  });
}

Result<boost::json::object> Registry::MoveOut(const Caller& caller, int64_t residency_id, const boost::json::object& body) {
  FieldReader f(body);
  auto end = f.String("end_date", true, 10);
  auto reason = f.String("reason", true, 200);
  if (!f.status().ok()) return f.status();
  SHEQU_RETURN_IF_ERROR(CheckDate("end_date", *end, Today()));
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params{residency_id};
    store::Rows rows = conn.Query("SELECT person_id, dwelling_id, start_date, end_date FROM residencies WHERE id = ? AND " +
                                      ScopeOf(caller).Filter("area_path", params),
                                  params);
    if (rows.empty()) return NotFound("居住记录", "residency");
    if (!rows[0].IsNull(3)) return Status(Code::kConflict, {"该居住记录已结束", "This residency has ended already"});
    if (*end < rows[0].Text(2)) {
      return Status::Invalid("end_date", {"迁出日期早于入住日期", "end_date is before start_date"});
    }
    int64_t pid = rows[0].Int(0), did = rows[0].Int(1);
    conn.Execute("UPDATE residencies SET end_date = ?, end_reason = ? WHERE id = ?", {*end, *reason, residency_id});
    conn.Execute("UPDATE persons SET dwelling_id = NULL, version = version + 1, updated_at = ? WHERE id = ? AND dwelling_id = ?",
                 {FormatUtc(clock_.Now()), pid, did});
    if (conn.Query("SELECT 1 FROM residencies WHERE dwelling_id = ? AND end_date IS NULL LIMIT 1", {did}).empty()) {
      conn.Execute("UPDATE dwellings SET occupancy = 'vacant' WHERE id = ?", {did});
    }
    audit::Entry entry = PersonEntry(caller, "residency.move_out", pid);
    entry.details = {{"dwelling_id", did}, {"residency_id", residency_id}, {"end_date", *end}, {"reason", *reason}};
    trail_.Append(conn, entry);
    return ResidencyJson(conn.Query(std::string(kResidencySelect) + "WHERE r.id = ?", {residency_id})[0]);
  });
}

std::optional<PersonRef> Registry::FindByPhone(std::string_view phone) {
  auto conn = db_.Acquire();
  store::Rows rows = conn->Query("SELECT id, name, birth_date, area_code FROM persons WHERE phone_hash = ? LIMIT 2",
                                 {vault_.LookupHash(DigitsOnly(std::string(phone)))});
  if (rows.size() != 1) return std::nullopt;
  return PersonRef{rows[0].Int(0), rows[0].Text(1), rows[0].Text(2), rows[0].Text(3)};
}

std::optional<PersonRef> Registry::FindBornBetween(const std::string& area_code, const std::string& from,
                                                   const std::string& to) {
  auto conn = db_.Acquire();
  store::Rows area = conn->Query("SELECT path FROM areas WHERE code = ?", {area_code});
  if (area.empty()) return std::nullopt;
  store::Params params;
  std::string where = store::Scope::Subtree(area[0].Text(0)).Filter("area_path", params);
  params.emplace_back(from);
  params.emplace_back(to);
  store::Rows rows = conn->Query("SELECT id, name, birth_date, area_code FROM persons WHERE " + where +
                                     " AND birth_date BETWEEN ? AND ? ORDER BY id LIMIT 1",
                                 params);
  if (rows.empty()) return std::nullopt;
  return PersonRef{rows[0].Int(0), rows[0].Text(1), rows[0].Text(2), rows[0].Text(3)};
}

}  // namespace shequ::people
