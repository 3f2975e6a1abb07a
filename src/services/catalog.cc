#include <fmt/format.h>

#include <map>
#include <set>

#include "core/embedded.h"
#include "core/json_input.h"
#include "core/table_file.h"
#include "services/search.h"
#include "services/services.h"
#include "services/text.h"
#include "store/bulk_insert.h"

namespace shequ::services {
namespace json = boost::json;

namespace {

constexpr size_t kMaxQuestionChars = 200;
// Below this score the best guide is a guess: the resident is offered a person. Since guides
// hold everyday situations, one everyday word (股票, 电视剧) reaches 8 to 10; no right first
// answer of the question sets scores under 15.
constexpr double kConfidentScore = 10.0;
// …or when it leaves most of what the resident said unmatched.
constexpr double kConfidentCoverage = 0.34;

const std::vector<std::string_view> kEditable = {
    "version", "name_en", "summary", "also_known_as", "situations", "eligibility", "materials", "steps", "time_limit_days",
    "fee", "where", "online", "doorstep", "legal_basis", "target_groups", "related", "form"};

std::string_view EmbeddedText(std::string_view path) {
  for (const auto& f : EmbeddedFiles())
    if (f.path == path) return f.content;
  throw SystemError("not embedded: " + std::string(path));
}

// The guides compiled into the program (src/services/guides/*.json).
std::vector<Guide> ShippedGuides() {
  std::vector<Guide> out;
  for (const auto& f : EmbeddedFiles()) {
    if (!f.path.starts_with("services/guides/") || !f.path.ends_with(".json")) continue;
    json::value file = json::parse(f.content);
    for (const auto& v : file.as_array()) {
      const json::object& o = v.as_object();
      out.push_back({std::string(o.at("code").as_string()), std::string(o.at("name").as_string()),
                     std::string(o.at("category").as_string()), o, 1});
    }
  }
  std::sort(out.begin(), out.end(), [](const Guide& a, const Guide& b) { return a.code < b.code; });
  return out;
}

std::vector<std::string> Vocabulary(const std::vector<Guide>& guides, const Synonyms& synonyms) {
  std::vector<std::string> words;
  for (const auto& [colloquial, meaning] : synonyms) words.push_back(colloquial);
  for (const Guide& g : guides) {
    if (const json::value* aka = g.body.if_contains("also_known_as"); aka && aka->is_array()) {
      for (const auto& a : aka->as_array())
        if (a.is_string()) words.push_back(Normalize(a.as_string()));
    }
  }
  std::erase_if(words, [](const std::string& w) { return w.empty() || w.find(' ') != std::string::npos; });
  return words;
}

json::object Summary(const Guide& g) {
  auto field = [&](const char* key) -> json::value {
    const json::value* v = g.body.if_contains(key);
    return v ? *v : json::value(nullptr);
  };
  return {{"id", g.code},        {"name", g.name},         {"category", g.category},
          {"name_en", field("name_en")}, {"summary", field("summary")}, {"time_limit_days", field("time_limit_days")},
          {"online", field("online")},   {"doorstep", field("doorstep")}};
}

Status Invalid(std::string field, std::string zh, std::string en) {
  return Status::Invalid(std::move(field), {std::move(zh), std::move(en)});
}

// An application form as the apply page and the answer checks read it:
// objects with a unique key, a label (the English one optional), a known
// type, required true or false, and options for a select.
Status CheckFormFields(const json::value& form) {
  static const std::set<std::string_view> types = {"text", "textarea", "select", "number", "date", "checkbox"};
  if (!form.is_array()) return Invalid("form", "form 须是数组", "form must be an array");
  std::set<std::string> keys;
  const json::array& fields = form.as_array();
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string at = fmt::format("form[{}]", i);
    const json::object* f = fields[i].if_object();
    auto text = [&](const char* name, size_t max) {
      const json::value* v = f ? f->if_contains(name) : nullptr;
      return v && v->is_string() && !v->as_string().empty() && Utf8Length(v->as_string()) <= max;
    };
    const json::value* key = f ? f->if_contains("key") : nullptr;
    if (!key || !key->is_string() || key->as_string().empty() || key->as_string().size() > 40 ||
        !std::all_of(key->as_string().begin(), key->as_string().end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }) ||
        !keys.insert(std::string(key->as_string())).second) {
      return Invalid(at + ".key", "每项须有不重复的 key（小写字母、数字、下划线）",
                     "every field needs a unique key of lower-case letters, digits and _");
    }
    if (!text("label", 100)) return Invalid(at + ".label", "每项须有标签（不超过 100 字）", "every field needs a label (at most 100 characters)");
    if (f->contains("label_en") && !text("label_en", 200)) {
      return Invalid(at + ".label_en", "英文标签须是不超过 200 字的文字", "label_en must be text of at most 200 characters");
    }
    const json::value* type = f->if_contains("type");
    if (!type || !type->is_string() || !types.contains(type->as_string())) {
      return Invalid(at + ".type", "type 只能是 text、textarea、select、number、date、checkbox",
                     "type must be text, textarea, select, number, date or checkbox");
    }
    const json::value* required = f->if_contains("required");
    if (!required || !required->is_bool()) return Invalid(at + ".required", "required 须是 true 或 false", "required must be true or false");
    const json::value* options = f->if_contains("options");
    bool listed = options && options->is_array() && !options->as_array().empty() &&
                  std::all_of(options->as_array().begin(), options->as_array().end(),
                              [](const json::value& o) { return o.is_string() && !o.as_string().empty(); });
    if (type->as_string() == "select" && !listed) {
      return Invalid(at + ".options", "下拉选择项须给出选项", "a select field needs a list of options");
    }
  }
  return Status::Ok();
}

// What one editable field must look like.
Status CheckField(std::string_view key, const json::value& v) {
  if (key == "form") return CheckFormFields(v);
  static const std::set<std::string_view> lists = {"also_known_as", "situations", "materials", "steps", "where", "target_groups", "related"};
  // A list holds at most 100 items of 1 to 500 characters: every item is indexed and shown.
  auto item = [](const json::value& e) {
    return e.is_string() && !e.as_string().empty() && Utf8Length(e.as_string()) <= 500;
  };
  bool ok = key == "time_limit_days" ? v.is_int64() && v.as_int64() >= 0 && v.as_int64() <= 365
            : key == "online" || key == "doorstep" ? v.is_bool()
            : lists.contains(key) ? v.is_array() && v.as_array().size() <= 100 &&
                                        std::all_of(v.as_array().begin(), v.as_array().end(), item)
                                  : v.is_string() && Utf8Length(v.as_string()) <= 4000;
  if (ok) return Status::Ok();
  return Invalid(std::string(key), fmt::format("{} 的格式不对", key), fmt::format("{} has the wrong type or size", key));
}

}  // namespace

struct Catalog::State {
  std::unique_ptr<GuideIndex> index;
};

Catalog::Catalog(store::Database& db, const audit::Trail& trail, const Clock& clock)
    : db_(db), trail_(trail), clock_(clock) {}

Catalog::~Catalog() = default;

std::shared_ptr<const Catalog::State> Catalog::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void Catalog::Index(store::Connection& conn, const std::string& code, const std::string& terms) {
  conn.Execute("DELETE FROM service_guide_terms WHERE code = ?", {code});
  conn.Execute("INSERT INTO service_guide_terms (code, terms) VALUES (?, ?)", {code, terms});
}

namespace {

struct StoredGuide {
  std::string body;
  int64_t version = 1;
  bool unedited = false;  // as the release wrote it (version 1 by system)
};

// What a release changed, for its audit row.
struct ReleaseChanges {
  json::array added, rewritten, extended;
};

// Stores `body` as the version after `version`, written by `by`, if the guide is still at
// `version` (an editor may have saved since it was read). False when it was not.
bool SaveNextVersion(store::Connection& conn, const std::string& code, int64_t version, const std::string& body,
                     const std::string& by, const std::string& now) {
  if (conn.Execute("UPDATE service_guides SET body = ?, version = ?, updated_at = ?, updated_by = ? WHERE code = ? AND version = ?",
                   {body, version + 1, now, by, code, version}) != 1)
    return false;
  conn.Execute("INSERT INTO service_guide_versions (code, version, body, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)",
               {code, version + 1, body, by, now});
  return true;
}

// Fields a release may add to a guide a district edited, when the guide lacks them altogether:
// words that help residents find and read it. What decides how a guide is handled (form, online,
// time limit, fee, …) is the district's to add.
const std::set<std::string_view> kReleaseFills = {"situations", "name_en", "also_known_as"};

// Guides a newer release ships are added, and guides nobody edited yet follow the release's
// text. A district's edits stay as they are; only a field of kReleaseFills this release brings
// that the edited guide lacks (situations, when they were new) is added to it, as a new version.
void Follow(store::Connection& conn, const Guide& shipped, const StoredGuide& stored, const std::string& now,
            ReleaseChanges& changes) {
  std::string body = json::serialize(shipped.body);
  if (stored.unedited) {
    if (stored.body == body) return;
    // Still unedited when written: an editor may have saved since the SELECT (PostgreSQL).
    if (conn.Execute("UPDATE service_guides SET name = ?, category = ?, body = ?, updated_at = ?"
                     " WHERE code = ? AND version = 1 AND updated_by = 'system'",
                     {shipped.name, shipped.category, body, now, shipped.code}) == 1) {
      conn.Execute("UPDATE service_guide_versions SET body = ?, changed_at = ? WHERE code = ? AND version = 1",
                   {body, now, shipped.code});
      changes.rewritten.emplace_back(shipped.code);
    }
    return;
  }
  json::object edited = json::parse(stored.body).as_object();
  json::array fields;
  for (const auto& kv : shipped.body)
    if (kReleaseFills.contains(kv.key()) && !edited.contains(kv.key())) {
      edited[kv.key()] = kv.value();
      fields.emplace_back(kv.key());
    }
  if (fields.empty()) return;
  if (!SaveNextVersion(conn, shipped.code, stored.version, json::serialize(edited), "system", now)) return;
  changes.extended.push_back({{"code", shipped.code}, {"fields", std::move(fields)}, {"version", stored.version + 1}});
}

// What a release changed, audited in every top area of the territory (the guides serve all of
// it, so each district's auditors see it). Before the territory exists (the first start of
// `shequ demo`) the row has no area: it is in the chain but in nobody's list.
void AuditRelease(store::Connection& conn, const audit::Trail& trail, const ReleaseChanges& changes) {
  if (changes.added.empty() && changes.rewritten.empty() && changes.extended.empty()) return;
  store::Rows roots = conn.Query("SELECT code, path FROM areas WHERE parent_code IS NULL ORDER BY code");
  std::vector<std::pair<std::string, std::string>> areas;
  for (const auto& r : roots) areas.emplace_back(r.Text(0), r.Text(1));
  if (areas.empty()) areas.emplace_back("", "/");
  for (const auto& [code, path] : areas) {
    audit::Entry entry{"system", "system", "service.release", "services", code, path, "release", {}};
    entry.details = {{"added", changes.added}, {"rewritten", changes.rewritten}, {"extended", changes.extended}};
    trail.Append(conn, entry);
  }
}

}  // namespace

void Catalog::Load() {
  Synonyms synonyms = ParseSynonyms(EmbeddedText("services/synonyms.tsv"));
  std::vector<Guide> shipped = ShippedGuides();
  if (!segmenter_) segmenter_ = std::make_unique<Segmenter>(Vocabulary(shipped, synonyms));
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    ReleaseChanges changes;
    std::map<std::string, StoredGuide> present;
    for (const auto& row : conn.Query("SELECT code, body, version, updated_by FROM service_guides"))
      present[row.Text(0)] = {row.Text(1), row.Int(2), row.Int(2) == 1 && row.Text(3) == "system"};
    std::string now = FormatUtc(clock_.Now());
    for (const Guide& g : shipped) {
      if (auto it = present.find(g.code); it != present.end()) {
        Follow(conn, g, it->second, now, changes);
        continue;
      }
      std::string body = json::serialize(g.body);
      conn.Execute("INSERT INTO service_guides (code, name, category, body, version, updated_at, updated_by)"
                   " VALUES (?, ?, ?, ?, 1, ?, 'system')",
                   {g.code, g.name, g.category, body, now});
      conn.Execute("INSERT INTO service_guide_versions (code, version, body, changed_by, changed_at) VALUES (?, 1, ?, 'system', ?)",
                   {g.code, body, now});
      changes.added.emplace_back(g.code);
    }
    AuditRelease(conn, trail_, changes);
    return Status::Ok();
  });
  std::vector<Guide> stored;
  std::vector<std::string> codes;
  for (const auto& row : db_.Acquire()->Query("SELECT code, name, category, body, version FROM service_guides ORDER BY code")) {
    stored.push_back({row.Text(0), row.Text(1), row.Text(2), json::parse(row.Text(3)).as_object(), row.Int(4)});
    codes.push_back(row.Text(0));
  }
  auto next = std::make_shared<State>();
  next->index = std::make_unique<GuideIndex>(std::move(stored), *segmenter_, std::move(synonyms));
  // A guide's words follow the vocabulary and synonyms of this release, so a
  // database indexed by an older one gets them rewritten.
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    std::map<std::string, std::string> indexed;
    for (const auto& row : conn.Query("SELECT code, terms FROM service_guide_terms")) indexed[row.Text(0)] = row.Text(1);
    for (const std::string& code : codes) {
      const std::string& terms = next->index->IndexedTerms(code);
      if (indexed[code] != terms) Index(conn, code, terms);
    }
    return Status::Ok();
  });
  std::lock_guard lock(mutex_);
  state_ = std::move(next);
}

Result<json::object> Catalog::Search(std::string_view question, size_t limit, const std::string& category) const {
  if (!IsValidUtf8(question)) return Invalid("q", "问题含有无效字符", "The question is not valid UTF-8");
  size_t chars = Utf8Length(question);
  if (Normalize(question).empty()) return Invalid("q", "请说说您想办什么事", "Please say what you need");
  if (chars > kMaxQuestionChars) {
    return Invalid("q", fmt::format("问题不超过 {} 个字", kMaxQuestionChars),
                   fmt::format("A question is at most {} characters", kMaxQuestionChars));
  }
  std::shared_ptr<const State> s = state();
  std::vector<QueryTerm> terms = s->index->Terms(question);
  // The full-text index picks the guides that share any word; ranking is the same on both databases.
  std::vector<std::string> candidates;
  if (!terms.empty()) {
    auto conn = db_.Acquire();
    store::Params params;
    std::string sql;
    if (conn->dialect() == store::Dialect::kSqlite) {
      std::string match;
      for (const QueryTerm& t : terms) match += (match.empty() ? "\"" : " OR \"") + t.term + "\"";
      sql = "SELECT code FROM service_guide_terms WHERE service_guide_terms MATCH ?";
      params.emplace_back(match);
    } else {
      std::string any;
      for (const QueryTerm& t : terms) {
        any += any.empty() ? "plainto_tsquery('simple', ?)" : " || plainto_tsquery('simple', ?)";
        params.emplace_back(t.term);
      }
      sql = "SELECT code FROM service_guide_terms WHERE terms_tsv @@ (" + any + ")";
    }
    for (const auto& row : conn->Query(sql, params)) {
      const Guide* g = s->index->Find(row.Text(0));
      if (g != nullptr && (category.empty() || g->category == category)) candidates.push_back(row.Text(0));
    }
  }
  json::array items;
  bool confident = false;
  if (!candidates.empty()) {
    for (const Hit& hit : s->index->Rank(terms, candidates, limit)) {
      json::object item = Summary(*hit.guide);
      item["score"] = hit.score;
      item["highlight"] = hit.highlight;
      if (items.empty()) confident = hit.score >= kConfidentScore && hit.coverage >= kConfidentCoverage;
      items.push_back(std::move(item));
    }
  }
  json::array words;
  for (const QueryTerm& t : terms)
    if (t.weight >= 0.5) words.push_back(json::string(t.term));
  return json::object{{"items", std::move(items)}, {"terms", std::move(words)},
                      {"suggest_consultation", !confident}};
}

json::object Catalog::List(const std::string& category) const {
  json::array items;
  std::map<std::string, int64_t> categories;
  for (const Guide& g : state()->index->guides()) {
    ++categories[g.category];
    if (category.empty() || g.category == category) items.push_back(Summary(g));
  }
  json::array counts;
  for (const auto& [name, n] : categories) counts.push_back({{"name", name}, {"count", n}});
  return {{"items", std::move(items)}, {"categories", std::move(counts)}};
}

Result<json::object> Catalog::Get(std::string_view code) const {
  std::shared_ptr<const State> s = state();
  const Guide* g = s->index->Find(code);
  if (g == nullptr) return Status(Code::kNotFound, {"没有这个办事指南", "No such service guide"});
  json::object out = g->body;
  out["id"] = g->code;
  out["version"] = g->version;
  out["sample"] = true;  // shipped content describes typical practice; the district edits it
  return out;
}

Result<json::object> Catalog::Update(const Principal& who, const std::string& request_id, const std::string& code,
                                     const json::object& body) {
  for (const auto& kv : body) {
    if (std::find(kEditable.begin(), kEditable.end(), kv.key()) == kEditable.end()) {
      return Status::BadRequest({fmt::format("不能修改字段 {}", std::string(kv.key())),
                                 fmt::format("Field {} cannot be changed", std::string(kv.key()))});
    }
    if (kv.key() != "version") SHEQU_RETURN_IF_ERROR(CheckField(kv.key(), kv.value()));
  }
  const json::value* version = body.if_contains("version");
  if (version == nullptr || !version->is_int64()) return Invalid("version", "请给出版本号", "version is required");
  std::shared_ptr<const State> s = state();
  const Guide* current = s->index->Find(code);
  if (current == nullptr) return Status(Code::kNotFound, {"没有这个办事指南", "No such service guide"});
  json::object next = current->body;
  json::object changed;
  for (const auto& kv : body) {
    if (kv.key() == "version") continue;
    next[kv.key()] = kv.value();
    changed[kv.key()] = true;
  }
  Guide edited = *current;
  edited.body = next;
  std::string terms = s->index->IndexTerms(edited);
  std::string now = FormatUtc(clock_.Now());
  std::string text = json::serialize(next);
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    if (!SaveNextVersion(conn, code, version->as_int64(), text, who.username, now)) {
      return Status(Code::kConflict, {"指南已被他人修改，请刷新后再改", "Someone else changed the guide: reload it first"});
    }
    Index(conn, code, terms);
    audit::Entry entry = audit::By(who, request_id, "service.update", "service:" + code);
    entry.details = {{"fields", std::move(changed)}, {"version", version->as_int64() + 1}};
    trail_.Append(conn, entry);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  Load();
  return Get(code);
}

Result<json::object> Catalog::Versions(std::string_view code) const {
  json::array items;
  for (const auto& row : db_.Acquire()->Query(
           "SELECT version, changed_by, changed_at FROM service_guide_versions WHERE code = ? ORDER BY version DESC",
           {std::string(code)}))
    items.push_back({{"version", row.Int(0)}, {"changed_by", row.Text(1)}, {"changed_at", row.Text(2)}});
  if (items.empty()) return Status(Code::kNotFound, {"没有这个办事指南", "No such service guide"});
  return json::object{{"items", std::move(items)}};
}

Result<json::object> Catalog::Doorstep(const std::string& area_code) const {
  json::array items;
  std::shared_ptr<const State> s = state();
  if (db_.Acquire()->Query("SELECT 1 FROM areas WHERE code = ? AND level = 'neighborhood'", {area_code}).empty()) {
    return Status(Code::kNotFound, {"没有这个居委", "No such neighborhood"});
  }
  for (const auto& row : db_.Acquire()->Query("SELECT guide_code FROM doorstep_services WHERE area_code = ? ORDER BY guide_code",
                                              {area_code})) {
    if (const Guide* g = s->index->Find(row.Text(0))) items.push_back(Summary(*g));
  }
  return json::object{{"area_code", area_code}, {"items", std::move(items)}};
}

int64_t Catalog::CreateDemoDoorstepLists() {
  std::shared_ptr<const State> s = state();
  int64_t added = 0;
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    store::Rows neighborhoods = conn.Query(
        "SELECT code, path FROM areas a WHERE level = 'neighborhood'"
        " AND NOT EXISTS (SELECT 1 FROM doorstep_services d WHERE d.area_code = a.code)");
    store::BulkInsert rows(conn, "doorstep_services", {"area_code", "guide_code", "area_path"});
    for (const auto& n : neighborhoods) {
      for (const Guide& g : s->index->guides()) {
        const json::value* doorstep = g.body.if_contains("doorstep");
        if (doorstep && doorstep->is_bool() && doorstep->as_bool()) rows.Add({n.Text(0), g.code, n.Text(1)});
      }
    }
    rows.Flush();
    added = rows.rows();
    return Status::Ok();
  });
  return added;
}

Result<json::object> Catalog::SetDoorstep(const Principal& who, const std::string& request_id,
                                          const std::string& area_code, const std::string& code, bool handled) {
  if (state()->index->Find(code) == nullptr) return Status(Code::kNotFound, {"没有这个办事指南", "No such service guide"});
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    store::Params params{area_code};
    std::string scope = store::Scope::Subtree(who.area_path).Filter("path", params);
    store::Rows area = conn.Query("SELECT path FROM areas WHERE code = ? AND level = 'neighborhood' AND " + scope, params);
    if (area.empty()) return Status(Code::kNotFound, {"您的辖区内没有这个居委", "No such neighborhood in your territory"});
    conn.Execute("DELETE FROM doorstep_services WHERE area_code = ? AND guide_code = ?", {area_code, code});
    if (handled) {
      conn.Execute("INSERT INTO doorstep_services (area_code, guide_code, area_path) VALUES (?, ?, ?)",
                   {area_code, code, area[0].Text(0)});
    }
    audit::Entry entry = audit::By(who, request_id, handled ? "service.doorstep_add" : "service.doorstep_remove",
                                   "service:" + code);
    entry.area_code = area_code;
    entry.area_path = area[0].Text(0);
    trail_.Append(conn, entry);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return Doorstep(area_code);
}

}  // namespace shequ::services
