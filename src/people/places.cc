#include <fmt/format.h>

#include <set>

#include "core/json_input.h"
#include "people/people.h"
#include "people/registry_internal.h"
#include "people/validation.h"

namespace shequ::people {

using namespace internal;

namespace {

std::string Get(const Filters& f, const char* key) {
  auto it = f.find(key);
  return it == f.end() ? "" : it->second;
}

boost::json::value OptText(const store::Row& r, size_t i) {
  return r.IsNull(i) ? boost::json::value(nullptr) : boost::json::value(r.Text(i));
}

constexpr std::string_view kDwellingColumns =
    "d.id, d.building_id, b.compound_id, c.name, d.entrance, d.floor, d.room, d.area_m2, d.use,"
    " d.tenure, d.occupancy, a.text, d.area_code";
constexpr std::string_view kDwellingFrom =
    "FROM dwellings d JOIN buildings b ON b.id = d.building_id JOIN compounds c ON c.id = b.compound_id"
    " JOIN addresses a ON a.id = d.address_id WHERE ";

boost::json::object DwellingJson(const store::Row& r) {
  return {{"id", r.Int(0)},       {"building_id", r.Int(1)}, {"compound_id", r.Int(2)},
          {"compound_name", r.Text(3)}, {"entrance", r.Int(4)}, {"floor", r.Int(5)},
          {"room", r.Text(6)},    {"area_m2", r.IsNull(7) ? boost::json::value(nullptr) : boost::json::value(r.Real(7))},
          {"use", r.Text(8)},     {"tenure", r.Text(9)},     {"occupancy", r.Text(10)},
          {"address", r.Text(11)}, {"area_code", r.Text(12)}};
}

constexpr std::string_view kBuildingColumns =
    "b.id, b.compound_id, c.name, b.number, b.floors, b.entrances, b.elevator, b.use, b.year_built, b.area_code";

boost::json::object BuildingJson(const store::Row& r) {
  return {{"id", r.Int(0)},        {"compound_id", r.Int(1)}, {"compound_name", r.Text(2)},
          {"number", r.Text(3)},   {"floors", r.Int(4)},      {"entrances", r.Int(5)},
          {"elevator", r.Int(6) != 0}, {"use", r.Text(7)},
          {"year_built", r.IsNull(8) ? boost::json::value(nullptr) : boost::json::value(r.Int(8))},
          {"area_code", r.Text(9)}};
}

constexpr std::string_view kCompoundColumns =
    "c.id, c.name, a.text, c.housing_types, c.year_built, c.area_code, g.name, pc.id, pc.name, oc.id, oc.name,"
    " (SELECT COUNT(*) FROM buildings b WHERE b.compound_id = c.id),"
    " (SELECT COUNT(*) FROM dwellings d JOIN buildings b ON b.id = d.building_id WHERE b.compound_id = c.id),"
    " (SELECT COUNT(*) FROM persons p JOIN dwellings d ON d.id = p.dwelling_id JOIN buildings b ON b.id = d.building_id"
    "  WHERE b.compound_id = c.id)";
constexpr std::string_view kCompoundFrom =
    "FROM compounds c JOIN addresses a ON a.id = c.address_id JOIN areas g ON g.code = c.area_code"
    " LEFT JOIN organizations pc ON pc.id = c.property_company_id"
    " LEFT JOIN organizations oc ON oc.id = c.owners_committee_id WHERE ";

boost::json::value OrgRef(const store::Row& r, size_t id, size_t name) {
  if (r.IsNull(id)) return nullptr;
  return boost::json::object{{"id", r.Int(id)}, {"name", r.Text(name)}};
}

boost::json::object CompoundJson(const store::Row& r) {
  boost::json::array types;
  std::string list = r.Text(3);
  for (size_t start = 0; start < list.size();) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    types.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return {{"id", r.Int(0)},
          {"name", r.Text(1)},
          {"address", r.Text(2)},
          {"housing_types", std::move(types)},
          {"year_built", r.IsNull(4) ? boost::json::value(nullptr) : boost::json::value(r.Int(4))},
          {"area_code", r.Text(5)},
          {"grid_name", r.Text(6)},
          {"property_company", OrgRef(r, 7, 8)},
          {"owners_committee", OrgRef(r, 9, 10)},
          {"counts", {{"buildings", r.Int(11)}, {"dwellings", r.Int(12)}, {"persons", r.Int(13)}}}};
}

constexpr std::string_view kOrganizationColumns =
    "o.id, o.kind, o.name, o.credit_code, a.text, o.contact_name, o.contact_phone, o.area_code";
constexpr std::string_view kOrganizationFrom =
    "FROM organizations o LEFT JOIN addresses a ON a.id = o.address_id WHERE ";

boost::json::object OrganizationJson(const store::Row& r) {
  return {{"id", r.Int(0)},          {"kind", r.Text(1)},         {"name", r.Text(2)},
          {"credit_code", OptText(r, 3)}, {"address", OptText(r, 4)}, {"contact_name", r.Text(5)},
          {"contact_phone", r.Text(6)}, {"area_code", r.Text(7)}};
}

template <class Fn>
boost::json::array Items(const store::Rows& rows, Fn to_json) {
  boost::json::array items;
  for (const auto& r : rows) items.push_back(to_json(r));
  return items;
}

// Residencies of one dwelling, newest first; `current_only` keeps the open ones.
boost::json::array DwellingResidencies(store::Connection& conn, int64_t id, bool current_only) {
  boost::json::array out;
  std::string sql =
      "SELECT r.id, r.person_id, p.name, r.relation, r.start_date, r.end_date, r.reason, r.end_reason, a.text"
      " FROM residencies r JOIN persons p ON p.id = r.person_id JOIN dwellings d ON d.id = r.dwelling_id"
      " JOIN addresses a ON a.id = d.address_id WHERE r.dwelling_id = ?";
  if (current_only) sql += " AND r.end_date IS NULL";
  for (const auto& r : conn.Query(sql + " ORDER BY r.start_date DESC, r.id DESC", {id})) {
    out.push_back({{"id", r.Int(0)},        {"person_id", r.Int(1)}, {"person_name", r.Text(2)},
                   {"dwelling_id", id},     {"address", r.Text(8)},  {"relation", r.Text(3)}, {"start_date", r.Text(4)},
                   {"end_date", OptText(r, 5)}, {"reason", r.Text(6)}, {"end_reason", OptText(r, 7)}});
  }
  return out;
}

}  // namespace

Result<boost::json::object> Registry::ListDwellings(const Caller& caller, const Filters& f, const Paging& paging) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params;
    std::string where = ScopeOf(caller).Filter("d.area_path", params);
    SHEQU_RETURN_IF_ERROR(AddAreaFilter(conn, ScopeOf(caller), f, "d.area_path", where, params));
    if (auto address = Get(f, "address"); !address.empty()) {
      where += " AND a.text LIKE ?" + std::string(store::kLikeEscape);
      params.emplace_back(store::LikeContains(address));
    }
    if (auto occupancy = Get(f, "occupancy"); !occupancy.empty()) {
      SHEQU_RETURN_IF_ERROR(CheckEnum("occupancy", occupancy, {"owner_occupied", "rented", "vacant", "group_rental_suspected"}));
      where += " AND d.occupancy = ?";
      params.emplace_back(occupancy);
    }
    if (auto building = Get(f, "building_id"); !building.empty()) {
      if (building.find_first_not_of("0123456789") != std::string::npos) {
        return Status::Invalid("building_id", {"building_id 必须是数字", "building_id must be a number"});
      }
      where += " AND d.building_id = ?";
      params.emplace_back(static_cast<int64_t>(std::atoll(building.c_str())));
    }
    Page page = RunPage(conn, kDwellingColumns, std::string(kDwellingFrom) + where, "a.text, d.id", params, paging);
    return PageJson(Items(page.rows, DwellingJson), page.total, paging);
  });
}

Result<boost::json::object> Registry::GetDwelling(const Caller& caller, int64_t id) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params{id};
    store::Rows rows = conn.Query(std::string("SELECT ") + std::string(kDwellingColumns) + " " +
                                      std::string(kDwellingFrom) + "d.id = ? AND " +
                                      ScopeOf(caller).Filter("d.area_path", params),
                                  params);
    if (rows.empty()) return NotFound("房屋", "dwelling");
    boost::json::object o = DwellingJson(rows[0]);
    o["residents"] = DwellingResidencies(conn, id, true);
    o["history"] = DwellingResidencies(conn, id, false);
    return o;
  });
}

Result<boost::json::object> Registry::GetBuilding(const Caller& caller, int64_t id) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params{id};
    store::Rows rows = conn.Query(std::string("SELECT ") + std::string(kBuildingColumns) +
                                      " FROM buildings b JOIN compounds c ON c.id = b.compound_id WHERE b.id = ? AND " +
                                      ScopeOf(caller).Filter("b.area_path", params),
                                  params);
    if (rows.empty()) return NotFound("楼栋", "building");
    boost::json::object o = BuildingJson(rows[0]);
    store::Rows cells = conn.Query(
        "SELECT d.id, d.floor, d.room, d.entrance, d.occupancy,"
        " (SELECT COUNT(*) FROM persons p WHERE p.dwelling_id = d.id)"
        " FROM dwellings d WHERE d.building_id = ? ORDER BY d.floor DESC, d.entrance, d.room",
        {id});
    std::vector<int64_t> person_ids;
    std::map<int64_t, std::vector<int64_t>> residents;  // dwelling → persons
    std::map<int64_t, int> aged;                        // dwelling → persons aged 80+
    std::string today = Today();
    for (const auto& r : conn.Query("SELECT p.id, p.dwelling_id, p.birth_date FROM persons p JOIN dwellings d"
                                    " ON d.id = p.dwelling_id WHERE d.building_id = ?",
                                    {id})) {
      person_ids.push_back(r.Int(0));
      residents[r.Int(1)].push_back(r.Int(0));
      if (Age(r.Text(2), today) >= 80) ++aged[r.Int(1)];
    }
    auto tags = ActiveCareTags(conn, person_ids, caller.who.Can("person.sensitive"));
    boost::json::array grid;
    for (const auto& c : cells) {
      if (grid.empty() || grid.back().as_object().at("floor").as_int64() != c.Int(1)) {
        grid.push_back({{"floor", c.Int(1)}, {"dwellings", boost::json::array()}});
      }
      std::set<std::string> cell_tags;
      for (int64_t pid : residents[c.Int(0)])
        for (const auto& t : tags[pid]) cell_tags.insert(t);
      grid.back().as_object()["dwellings"].as_array().push_back(
          {{"id", c.Int(0)}, {"room", c.Text(2)}, {"entrance", c.Int(3)}, {"occupancy", c.Text(4)},
           {"residents", c.Int(5)}, {"care_tags", ToArray({cell_tags.begin(), cell_tags.end()})},
           {"aged_80_plus", aged[c.Int(0)]}});
    }
    o["grid"] = std::move(grid);
    return o;
  });
}

Result<boost::json::object> Registry::ListCompounds(const Caller& caller, const Filters& f, const Paging& paging) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params;
    std::string where = ScopeOf(caller).Filter("c.area_path", params);
    SHEQU_RETURN_IF_ERROR(AddAreaFilter(conn, ScopeOf(caller), f, "c.area_path", where, params));
    if (auto q = Get(f, "q"); !q.empty()) {
      where += " AND c.name LIKE ?" + std::string(store::kLikeEscape);
      params.emplace_back(store::LikeContains(q));
    }
    if (auto type = Get(f, "housing_type"); !type.empty()) {
      SHEQU_RETURN_IF_ERROR(CheckEnum("housing_type", type, {"sold_public", "commodity", "foreign_commodity", "old_villa",
                                                             "relocation", "managed_public"}));
      where += " AND (',' || c.housing_types || ',') LIKE ?";
      params.emplace_back("%," + type + ",%");
    }
    Page page = RunPage(conn, kCompoundColumns, std::string(kCompoundFrom) + where, "c.name, c.id", params, paging);
    return PageJson(Items(page.rows, CompoundJson), page.total, paging);
  });
}

Result<boost::json::object> Registry::GetCompound(const Caller& caller, int64_t id) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params{id};
    store::Rows rows = conn.Query(std::string("SELECT ") + std::string(kCompoundColumns) + " " +
                                      std::string(kCompoundFrom) + "c.id = ? AND " +
                                      ScopeOf(caller).Filter("c.area_path", params),
                                  params);
    if (rows.empty()) return NotFound("小区", "compound");
    boost::json::object o = CompoundJson(rows[0]);
    o["buildings"] = Items(conn.Query(std::string("SELECT ") + std::string(kBuildingColumns) +
                                          " FROM buildings b JOIN compounds c ON c.id = b.compound_id"
                                          " WHERE b.compound_id = ? ORDER BY b.number",
                                      {id}),
                           BuildingJson);
    // Statistics: ten-year age bands by sex, care tags, occupancy.
    std::string today = Today();
    std::map<int, std::pair<int64_t, int64_t>> bands;
    std::vector<int64_t> person_ids;
    for (const auto& r : conn.Query("SELECT p.id, p.sex, p.birth_date FROM persons p JOIN dwellings d ON d.id = p.dwelling_id"
                                    " JOIN buildings b ON b.id = d.building_id WHERE b.compound_id = ?",
                                    {id})) {
      person_ids.push_back(r.Int(0));
      int band = std::min(Age(r.Text(2), today) / 10, 9);
      (r.Text(1) == "male" ? bands[band].first : bands[band].second) += 1;
    }
    boost::json::array pyramid;
    for (int band = 0; band <= 9; ++band) {
      pyramid.push_back({{"band", band == 9 ? "90+" : fmt::format("{}-{}", band * 10, band * 10 + 9)},
                         {"male", bands[band].first},
                         {"female", bands[band].second}});
    }
    boost::json::object care;
    for (const auto& [pid, tags] : ActiveCareTags(conn, person_ids, caller.who.Can("person.sensitive")))
      for (const auto& t : tags) care[t] = (care.contains(t) ? care[t].as_int64() : 0) + 1;
    boost::json::object occupancy;
    for (const auto& r : conn.Query("SELECT d.occupancy, COUNT(*) FROM dwellings d JOIN buildings b ON b.id = d.building_id"
                                    " WHERE b.compound_id = ? GROUP BY d.occupancy ORDER BY d.occupancy",
                                    {id})) {
      occupancy[r.Text(0)] = r.Int(1);
    }
    o["stats"] = {{"age_pyramid", std::move(pyramid)}, {"care_tags", std::move(care)}, {"occupancy", std::move(occupancy)}};
    return o;
  });
}

Result<boost::json::object> Registry::ListOrganizations(const Caller& caller, const Filters& f, const Paging& paging) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params;
    std::string where = ScopeOf(caller).Filter("o.area_path", params);
    SHEQU_RETURN_IF_ERROR(AddAreaFilter(conn, ScopeOf(caller), f, "o.area_path", where, params));
    if (auto q = Get(f, "q"); !q.empty()) {
      where += " AND o.name LIKE ?" + std::string(store::kLikeEscape);
      params.emplace_back(store::LikeContains(q));
    }
    if (auto kind = Get(f, "kind"); !kind.empty()) {
      SHEQU_RETURN_IF_ERROR(CheckEnum("kind", kind, {"residents_committee", "owners_committee", "property_company",
                                                     "social_org", "resident_unit", "merchant"}));
      where += " AND o.kind = ?";
      params.emplace_back(kind);
    }
    Page page = RunPage(conn, kOrganizationColumns, std::string(kOrganizationFrom) + where, "o.name, o.id", params, paging);
    return PageJson(Items(page.rows, OrganizationJson), page.total, paging);
  });
}

Result<boost::json::object> Registry::GetOrganization(const Caller& caller, int64_t id) {
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    store::Params params{id};
    store::Rows rows = conn.Query(std::string("SELECT ") + std::string(kOrganizationColumns) + " " +
                                      std::string(kOrganizationFrom) + "o.id = ? AND " +
                                      ScopeOf(caller).Filter("o.area_path", params),
                                  params);
    if (rows.empty()) return NotFound("单位", "organization");
    return OrganizationJson(rows[0]);
  });
}

Result<boost::json::object> Registry::CreateOrganization(const Caller& caller, const boost::json::object& body) {
  FieldReader f(body);
  auto kind = f.String("kind", true, 30);
  auto name = f.String("name", true, 100);
  auto credit = f.String("credit_code", false, 18);
  auto address_text = f.String("address_text", false, 200);
  auto contact_name = f.String("contact_name", false, 50);
  auto contact_phone = f.String("contact_phone", false, 20);
  auto area_code = f.String("area_code", true, 20);
  if (!f.status().ok()) return f.status();
  static constexpr std::string_view kKinds[] = {"residents_committee", "owners_committee", "property_company",
                                                "social_org", "resident_unit", "merchant"};
  if (std::find(std::begin(kKinds), std::end(kKinds), *kind) == std::end(kKinds)) {
    return Status::Invalid("kind", {"单位类型不正确", "Unknown organization kind"});
  }
  if (credit && !credit->empty()) SHEQU_RETURN_IF_ERROR(CheckCreditCode(*credit));
  if (contact_phone && !contact_phone->empty()) {
    Status phone_ok = CheckPhone(*contact_phone);
    if (!phone_ok.ok()) return Status::Invalid("contact_phone", phone_ok.fields().at(0).message);
  }
  return store::WithWrite(db_, [&](store::Connection& conn) -> Result<boost::json::object> {
    auto path = AreaPathInScope(conn, ScopeOf(caller), *area_code);
    if (!path) return Status::Invalid("area_code", {"区域代码不存在或不在您的辖区内", "No such area in your territory"});
    if (credit && !credit->empty() &&
        !conn.Query("SELECT 1 FROM organizations WHERE credit_code = ?", {*credit}).empty()) {
      return Status(Code::kConflict, {"该统一社会信用代码已登记", "An organization with this credit code is registered already"});
    }
    store::Value address_id;
    if (address_text && !address_text->empty()) {
      store::Rows found = conn.Query("SELECT id FROM addresses WHERE text = ?", {*address_text});
      address_id = found.empty()
                       ? conn.Query("INSERT INTO addresses (text, road, area_code, area_path) VALUES (?, ?, ?, ?) RETURNING id",
                                    {*address_text, *address_text, *area_code, *path})[0].Int(0)
                       : found[0].Int(0);
    }
    store::Value no;
    int64_t id = conn.Query(
        "INSERT INTO organizations (kind, name, credit_code, address_id, contact_name, contact_phone, area_code,"
        " area_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {*kind, *name, credit && !credit->empty() ? store::Value(*credit) : no, address_id, contact_name.value_or(""),
         contact_phone.value_or(""), *area_code, *path, FormatUtc(clock_.Now())})[0].Int(0);
    audit::Entry entry = audit::By(caller.who, caller.request_id, "organization.create", fmt::format("organization:{}", id));
    entry.area_code = *area_code;
    entry.area_path = *path;
    trail_.Append(conn, entry);
    store::Params params{id};
    return OrganizationJson(conn.Query(std::string("SELECT ") + std::string(kOrganizationColumns) + " " +
                                           std::string(kOrganizationFrom) + "o.id = ?",
                                       params)[0]);
  });
}

}  // namespace shequ::people
