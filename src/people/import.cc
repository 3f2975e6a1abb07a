#include "people/import.h"

#include <fmt/format.h>

#include <array>
#include <future>
#include <thread>
#include <unordered_set>
#include <unordered_map>

#include "people/registry_internal.h"
#include "store/bulk_insert.h"
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

struct Dwelling {
  int64_t id;
  std::string area_code, area_path;
};

// A row after every check that needs no write: rejected (status), or ready
// to be inserted as a new person (values) or compared with an existing one.
struct CheckedRow {
  Status status;
  PersonInput person;
  std::string hash, area_path;
  const Dwelling* dwelling = nullptr;
  store::Params values;  // PersonValues, with the dwelling's area when there is one
};

// Rows are checked in chunks: the checks and the sealing of a chunk run on
// every core, then the chunk is written with multi-row inserts. One
// transaction still holds the whole file.
constexpr size_t kChunkRows = 4096;

class Importer {
 public:
  Importer(Registry& registry, const Caller& caller, store::Connection& conn)
      : registry_(registry), caller_(caller), conn_(conn), now_(FormatUtc(Clock::System().Now())) {}

  // Starts the checks of `rows` on other threads (places are looked up
  // here first), so that they overlap with the writes of the chunk before.
  // REQUIRES: the checks of the previous chunk have finished.
  std::future<std::vector<CheckedRow>> StartChecks(const std::vector<Row>& rows) {
    ResolvePlaces(rows);
    return std::async(std::launch::async, [this, &rows] { return CheckAll(rows); });
  }

  // Writes the checked `rows`; returns one Status per row (not ok: rejected).
  std::vector<Status> Write(const std::vector<Row>& rows, std::vector<CheckedRow> checked) {
    MarkRepeats(checked);
    std::unordered_map<std::string, store::Row> existing = Existing(checked);
    WriteNew(checked, existing, rows);
    std::vector<Status> statuses;
    statuses.reserve(checked.size());
    for (size_t i = 0; i < checked.size(); ++i) {
      CheckedRow& row = checked[i];
      auto old = row.status.ok() ? existing.find(row.hash) : existing.end();
      if (old != existing.end()) UpdateExisting(old->second, row, rows[i]);
      statuses.push_back(std::move(row.status));
    }
    return statuses;
  }

  ImportCounts counts;

 private:
  // Area paths and dwellings of the chunk, looked up once each: the parallel
  // checks then only read these maps (their elements stay where they are when
  // the maps grow, so the writes may hold pointers to dwellings).
  void ResolvePlaces(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      const std::string& code = row.person.area_code;
      if (!area_paths_.contains(code)) area_paths_.emplace(code, AreaPathInScope(conn_, ScopeOf(caller_), code));
      if (!row.address.empty() && !dwellings_.contains(row.address)) dwellings_.emplace(row.address, DwellingAt(row.address));
    }
  }

  std::vector<CheckedRow> CheckAll(const std::vector<Row>& rows) {
    std::vector<CheckedRow> checked(rows.size());
    size_t workers = std::max(1u, std::thread::hardware_concurrency());
    size_t per_worker = (rows.size() + workers - 1) / workers;
    auto check_range = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) checked[i] = Check(rows[i]);
    };
    std::vector<std::jthread> threads;
    for (size_t from = per_worker; from < rows.size(); from += per_worker)
      threads.emplace_back(check_range, from, std::min(rows.size(), from + per_worker));
    check_range(0, std::min(rows.size(), per_worker));
    return checked;
  }

  // Thread-safe: reads only the maps ResolvePlaces filled.
  CheckedRow Check(const Row& row) const {
    CheckedRow out;
    Result<PersonInput> person = CheckPerson(row.person, registry_.Today());
    if (!person.ok()) return {person.status()};
    const std::optional<std::string>& path = area_paths_.at(row.person.area_code);
    if (!path) return {Status::Invalid("area_code", {"区域代码不存在或不在您的辖区内", "No such area in your territory"})};
    out.person = std::move(*person);
    out.area_path = *path;
    if (!row.address.empty()) {
      const std::optional<Dwelling>& dwelling = dwellings_.at(row.address);
      if (!dwelling) return {Status::Invalid("address", {"找不到该地址的房屋", "No dwelling has this address"})};
      if (!row.relation.empty()) {
        if (Status s = CheckEnum("relation", row.relation, {"owner", "family", "tenant", "collective"}); !s.ok()) return {s};
      }
      if (!row.start_date.empty()) {
        if (Status s = CheckDate("start_date", row.start_date, registry_.Today()); !s.ok()) return {s};
      }
      out.dwelling = &*dwelling;
    }
    out.hash = registry_.vault().LookupHash(out.person.document_number);
    PersonInput stored = out.person;
    if (out.dwelling) stored.area_code = out.dwelling->area_code;
    out.values = PersonValues(registry_.vault(), stored, out.hash,
                              out.dwelling ? out.dwelling->area_path : out.area_path, now_);
    return out;
  }

  void MarkRepeats(std::vector<CheckedRow>& checked) {
    for (CheckedRow& row : checked) {
      if (row.status.ok() && !seen_.insert(row.hash).second) {
        row.status = Status::Invalid("document_number", {"文件中有重复的证件号码", "The document number appears twice in the file"});
      }
    }
  }

  // Persons already registered under the chunk's document numbers, by hash.
  std::unordered_map<std::string, store::Row> Existing(const std::vector<CheckedRow>& checked) {
    std::unordered_map<std::string, store::Row> existing;
    std::vector<std::string> hashes;
    auto lookup = [&] {
      store::Params params;
      std::string in = store::InList(hashes, params);
      for (store::Row& row : conn_.Query("SELECT id, name, sex, birth_date, phone_hash, hukou, ethnicity, area_code,"
                                         " document_hash FROM persons WHERE document_hash IN (" + in + ")",
                                         params)) {
        std::string hash = row.Text(8);
        existing.emplace(std::move(hash), std::move(row));
      }
      hashes.clear();
    };
    for (const CheckedRow& row : checked) {
      if (!row.status.ok()) continue;
      hashes.push_back(row.hash);
      if (hashes.size() == 500) lookup();
    }
    if (!hashes.empty()) lookup();
    return existing;
  }

  void WriteNew(std::vector<CheckedRow>& checked, const std::unordered_map<std::string, store::Row>& existing,
                const std::vector<Row>& rows) {
    int64_t fresh = 0;
    for (const CheckedRow& row : checked) fresh += row.status.ok() && !existing.contains(row.hash);
    if (fresh == 0) return;
    int64_t id = store::ReserveIds(conn_, "persons", fresh);
    std::vector<std::string> columns = PersonColumns();
    columns.insert(columns.end(), {"id", "dwelling_id"});
    store::BulkInsert persons(conn_, "persons", std::move(columns), 500);
    store::BulkInsert residencies(conn_, "residencies",
                                  {"person_id", "dwelling_id", "relation", "start_date", "reason", "area_path"}, 500);
    residencies.DependsOn(persons);
    for (size_t i = 0; i < checked.size(); ++i) {
      CheckedRow& row = checked[i];
      if (!row.status.ok() || existing.contains(row.hash)) continue;
      row.values.emplace_back(id);
      row.values.emplace_back(row.dwelling ? store::Value(row.dwelling->id) : store::Value());
      persons.Add(std::move(row.values));
      if (row.dwelling) {
        residencies.Add({id, row.dwelling->id, RelationOf(rows[i]), StartOf(rows[i]), std::string("导入"),
                         row.dwelling->area_path});
      }
      ++id;
    }
    persons.Flush();
    residencies.Flush();
    counts.inserted += fresh;
  }

  void UpdateExisting(const store::Row& old, const CheckedRow& row, const Row& raw) {
    bool changed = UpdateIfDifferent(old, row.person, row.area_path);
    if (row.dwelling) changed |= MoveInIfNeeded(old.Int(0), *row.dwelling, raw);
    ++(changed ? counts.updated : counts.unchanged);
  }

  std::optional<Dwelling> DwellingAt(const std::string& address) {
    store::Params params{address};
    store::Rows rows = conn_.Query("SELECT d.id, d.area_code, d.area_path FROM dwellings d JOIN addresses a"
                                   " ON a.id = d.address_id WHERE a.text = ? AND " +
                                       ScopeOf(caller_).Filter("d.area_path", params),
                                   params);
    if (rows.empty()) return std::nullopt;
    return Dwelling{rows[0].Int(0), rows[0].Text(1), rows[0].Text(2)};
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

  bool MoveInIfNeeded(int64_t person, const Dwelling& dwelling, const Row& row) {
    if (!conn_.Query("SELECT 1 FROM residencies WHERE person_id = ? AND dwelling_id = ? AND end_date IS NULL",
                     {person, dwelling.id}).empty()) {
      return false;
    }
    std::string start = StartOf(row);
    conn_.Execute("UPDATE residencies SET end_date = ?, end_reason = 'moved' WHERE person_id = ? AND end_date IS NULL",
                  {start, person});
    conn_.Execute("INSERT INTO residencies (person_id, dwelling_id, relation, start_date, reason, area_path)"
                  " VALUES (?, ?, ?, ?, '导入', ?)",
                  {person, dwelling.id, RelationOf(row), start, dwelling.area_path});
    conn_.Execute("UPDATE persons SET dwelling_id = ?, area_code = ?, area_path = ? WHERE id = ?",
                  {dwelling.id, dwelling.area_code, dwelling.area_path, person});
    return true;
  }

  std::string StartOf(const Row& row) const { return row.start_date.empty() ? registry_.Today() : row.start_date; }
  static std::string RelationOf(const Row& row) { return row.relation.empty() ? "family" : row.relation; }

  Registry& registry_;
  const Caller& caller_;
  store::Connection& conn_;
  std::string now_;
  std::unordered_set<std::string> seen_;
  std::unordered_map<std::string, std::optional<std::string>> area_paths_;
  std::unordered_map<std::string, std::optional<Dwelling>> dwellings_;
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
    // Chunk k is written while chunk k + 1 is checked.
    auto next_chunk = [&, next = size_t{0}]() mutable {
      std::vector<Row> chunk;
      for (; next < table.rows.size() && chunk.size() < kChunkRows; ++next) chunk.push_back(RowFrom(table.rows[next], *columns));
      return chunk;
    };
    // Two slots that outlive the checks running on them (`checks` is
    // destroyed first, and waits for them, if a write throws).
    std::array<std::vector<Row>, 2> chunks{next_chunk(), {}};
    std::future<std::vector<CheckedRow>> checks = importer.StartChecks(chunks[0]);
    for (size_t k = 0, first = 0; !chunks[k].empty(); k ^= 1) {
      std::vector<CheckedRow> checked = checks.get();
      chunks[k ^ 1] = next_chunk();
      if (!chunks[k ^ 1].empty()) checks = importer.StartChecks(chunks[k ^ 1]);
      std::vector<Status> statuses = importer.Write(chunks[k], std::move(checked));
      for (size_t i = 0; i < statuses.size(); ++i) {
        if (statuses[i].ok()) continue;
        rejected.push_back(table.rows[first + i]);
        rejected.back().push_back(ErrorText(statuses[i]));
      }
      first += chunks[k].size();
      out.counts.processed += static_cast<int64_t>(chunks[k].size());
      if (progress) {
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
