#include "people/import.h"

#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "people/registry_internal.h"
#include "people/validation.h"

namespace shequ::people {

using namespace internal;

namespace {

// Column names accepted in the header row: the API's, or the Chinese ones
// community workers use in their spreadsheets.
const std::map<std::string, std::string>& ColumnAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"姓名", "name"},           {"证件类型", "document_type"}, {"证件号码", "document_number"},
      {"身份证号", "document_number"}, {"性别", "sex"},         {"出生日期", "birth_date"},
      {"手机号码", "phone"},      {"联系电话", "phone"},         {"户籍类型", "hukou"},
      {"民族", "ethnicity"},      {"区域代码", "area_code"},     {"地址", "address"},
      {"居住地址", "address"},    {"与房屋关系", "relation"},    {"入住日期", "start_date"}};
  return aliases;
}

// Values as they appear in Chinese spreadsheets, mapped to the API's codes.
std::string CodeOf(const std::string& value) {
  static const std::map<std::string, std::string> codes = {
      {"居民身份证", "resident_id"}, {"身份证", "resident_id"}, {"港澳台居民居住证", "hmt_residence_permit"},
      {"外国人永久居留身份证", "foreign_permanent_residence"}, {"护照", "passport"},
      {"男", "male"}, {"女", "female"}, {"户籍", "registered"}, {"来沪", "migrant"}, {"境外", "foreign"},
      {"业主", "owner"}, {"户主", "owner"}, {"家庭成员", "family"}, {"租户", "tenant"}, {"集体户", "collective"}};
  auto it = codes.find(value);
  return it == codes.end() ? value : it->second;
}

constexpr std::string_view kRequired[] = {"name", "document_type", "document_number", "hukou", "area_code"};

std::string ErrorText(const Status& s) {
  std::string text = s.message().zh + " / " + s.message().en;
  for (const auto& f : s.fields()) text += fmt::format("; {}: {} / {}", f.field, f.message.zh, f.message.en);
  return text;
}

struct Row {
  PersonInput person;
  std::string address, relation, start_date;
};

class Importer {
 public:
  Importer(Registry& registry, const Caller& caller, store::Connection& conn)
      : registry_(registry), caller_(caller), conn_(conn), now_(FormatUtc(Clock::System().Now())) {}

  // Checks and writes one row; a non-ok Status rejects the row.
  Status Apply(const Row& row) {
    Result<PersonInput> checked = CheckPerson(row.person, registry_.Today());
    if (!checked.ok()) return checked.status();
    std::string hash = registry_.vault().LookupHash(checked->document_number);
    if (!seen_.insert(hash).second) {
      return Status::Invalid("document_number", {"文件中有重复的证件号码", "The document number appears twice in the file"});
    }
    auto path = AreaPath(checked->area_code);
    if (!path) return Status::Invalid("area_code", {"区域代码不存在或不在您的辖区内", "No such area in your territory"});
    std::optional<int64_t> dwelling;
    if (!row.address.empty()) {
      dwelling = DwellingAt(row.address);
      if (!dwelling) return Status::Invalid("address", {"找不到该地址的房屋", "No dwelling has this address"});
      if (!row.relation.empty()) SHEQU_RETURN_IF_ERROR(CheckEnum("relation", row.relation, {"owner", "family", "tenant", "collective"}));
      if (!row.start_date.empty()) SHEQU_RETURN_IF_ERROR(CheckDate("start_date", row.start_date, registry_.Today()));
    }
    store::Rows existing = conn_.Query(
        "SELECT id, name, sex, birth_date, phone_hash, hukou, ethnicity, area_code FROM persons WHERE document_hash = ?",
        {hash});
    bool changed = false;
    int64_t id;
    if (existing.empty()) {
      id = InsertPerson(conn_, registry_.vault(), *checked, hash, *path, now_);
      ++counts.inserted;
    } else {
      id = existing[0].Int(0);
      changed = UpdateIfDifferent(existing[0], *checked, *path);
    }
    if (dwelling) changed |= MoveInIfNeeded(id, *dwelling, row);
    if (!existing.empty()) ++(changed ? counts.updated : counts.unchanged);
    return Status::Ok();
  }

  ImportCounts counts;

 private:
  std::optional<std::string> AreaPath(const std::string& code) {
    auto it = area_paths_.find(code);
    if (it == area_paths_.end()) it = area_paths_.emplace(code, AreaPathInScope(conn_, caller_.scope(), code)).first;
    return it->second;
  }

  std::optional<int64_t> DwellingAt(const std::string& address) {
    store::Params params{address};
    store::Rows rows = conn_.Query("SELECT d.id FROM dwellings d JOIN addresses a ON a.id = d.address_id WHERE a.text = ? AND " +
                                       caller_.scope().Filter("d.area_path", params),
                                   params);
    if (rows.empty()) return std::nullopt;
    return rows[0].Int(0);
  }

  bool UpdateIfDifferent(const store::Row& old, const PersonInput& in, const std::string& path) {
    std::string phone_hash = in.phone.empty() ? "" : registry_.vault().LookupHash(in.phone);
    if (old.Text(1) == in.name && old.Text(2) == in.sex && old.Text(3) == in.birth_date && old.Text(4) == phone_hash &&
        old.Text(5) == in.hukou && old.Text(6) == in.ethnicity && old.Text(7) == in.area_code) {
      return false;
    }
    StoredPhone phone = StorePhone(registry_.vault(), in.phone);
    conn_.Execute(
        "UPDATE persons SET name = ?, sex = ?, birth_date = ?, phone_sealed = ?, phone_hash = ?, phone_masked = ?,"
        " hukou = ?, ethnicity = ?, area_code = ?, area_path = ?, version = version + 1, updated_at = ? WHERE id = ?",
        {in.name, in.sex, in.birth_date, phone.sealed, phone.hash, phone.masked, in.hukou,
         in.ethnicity, in.area_code, path, now_, old.Int(0)});
    return true;
  }

  bool MoveInIfNeeded(int64_t person, int64_t dwelling, const Row& row) {
    if (!conn_.Query("SELECT 1 FROM residencies WHERE person_id = ? AND dwelling_id = ? AND end_date IS NULL",
                     {person, dwelling}).empty()) {
      return false;
    }
    std::string start = row.start_date.empty() ? registry_.Today() : row.start_date;
    conn_.Execute("UPDATE residencies SET end_date = ?, end_reason = 'moved' WHERE person_id = ? AND end_date IS NULL",
                  {start, person});
    store::Rows d = conn_.Query("SELECT area_code, area_path FROM dwellings WHERE id = ?", {dwelling});
    conn_.Execute("INSERT INTO residencies (person_id, dwelling_id, relation, start_date, reason, area_path)"
                  " VALUES (?, ?, ?, ?, '导入', ?)",
                  {person, dwelling, row.relation.empty() ? std::string("family") : row.relation, start, d[0].Text(1)});
    conn_.Execute("UPDATE persons SET dwelling_id = ?, area_code = ?, area_path = ? WHERE id = ?",
                  {dwelling, d[0].Text(0), d[0].Text(1), person});
    return true;
  }

  Registry& registry_;
  const Caller& caller_;
  store::Connection& conn_;
  std::string now_;
  std::set<std::string> seen_;
  std::unordered_map<std::string, std::optional<std::string>> area_paths_;
};

// Column positions by API name; a Status naming the missing required columns.
Result<std::map<std::string, size_t>> MapColumns(const std::vector<std::string>& header) {
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < header.size(); ++i) {
    auto alias = ColumnAliases().find(header[i]);
    columns[alias == ColumnAliases().end() ? header[i] : alias->second] = i;
  }
  std::string missing;
  for (auto required : kRequired)
    if (!columns.contains(std::string(required))) missing += (missing.empty() ? "" : ", ") + std::string(required);
  if (!missing.empty()) {
    return Status::Invalid("file", {"表头缺少这些列：" + missing, "The header lacks these columns: " + missing});
  }
  return columns;
}

Row RowFrom(const std::vector<std::string>& cells, const std::map<std::string, size_t>& columns) {
  auto cell = [&](const char* name) -> std::string {
    auto it = columns.find(name);
    if (it == columns.end()) return "";
    std::string v = cells[it->second];
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(v.begin());
    return CodeOf(v);
  };
  return Row{{cell("name"), cell("document_type"), cell("document_number"), cell("sex"), cell("birth_date"),
              cell("phone"), cell("hukou"), cell("ethnicity"), cell("area_code")},
             cell("address"),
             cell("relation"),
             cell("start_date")};
}

}  // namespace

ImportOutcome ImportPersons(Registry& registry, const Caller& caller, const Table& table, bool all_or_nothing,
                            const std::function<void(const ImportCounts&)>& progress) {
  ImportOutcome out;
  out.counts.total = static_cast<int64_t>(table.rows.size());
  Result<std::map<std::string, size_t>> columns = MapColumns(table.header);
  if (!columns.ok()) {
    out.failure = columns.status();
    return out;
  }
  std::vector<std::vector<std::string>> rejected;
  Status written = store::WithWrite(registry.db(), [&](store::Connection& conn) -> Status {
    Importer importer(registry, caller, conn);
    for (const auto& cells : table.rows) {
      Status row = importer.Apply(RowFrom(cells, *columns));
      if (!row.ok()) {
        rejected.push_back(cells);
        rejected.back().push_back(ErrorText(row));
      }
      ++out.counts.processed;
      if (progress && out.counts.processed % 500 == 0) {
        ImportCounts now = importer.counts;
        now.total = out.counts.total;
        now.processed = out.counts.processed;
        now.rejected = static_cast<int64_t>(rejected.size());
        progress(now);
      }
    }
    int64_t processed = out.counts.processed;
    out.counts = importer.counts;
    out.counts.total = static_cast<int64_t>(table.rows.size());
    out.counts.processed = processed;
    out.counts.rejected = static_cast<int64_t>(rejected.size());
    if (all_or_nothing && !rejected.empty()) {
      return Status(Code::kValidation, {fmt::format("有 {} 行有误，按“全部或不导入”未导入任何数据", rejected.size()),
                                        fmt::format("{} rows are invalid: in all-or-nothing mode nothing was imported",
                                                    rejected.size())});
    }
    audit::Entry entry = audit::By(caller.who, caller.request_id, "registry.import", "import:persons");
    entry.details = {{"rows", out.counts.total},     {"inserted", out.counts.inserted},
                     {"updated", out.counts.updated}, {"unchanged", out.counts.unchanged},
                     {"rejected", out.counts.rejected}, {"format", table.format}};
    registry.trail().Append(conn, entry);
    return Status::Ok();
  });
  if (!written.ok()) {
    out.failure = written;
    out.counts.inserted = out.counts.updated = out.counts.unchanged = 0;
  }
  if (!rejected.empty()) {
    std::vector<std::string> header = table.header;
    header.push_back("error");
    out.error_report = WriteCsv(header, rejected);
  }
  if (progress) progress(out.counts);
  return out;
}

}  // namespace shequ::people
