#include <fmt/format.h>

#include <cmath>

#include "cases/cases.h"
#include "core/crypto.h"
#include "core/json_input.h"
#include "http/event_hub.h"
#include "people/people.h"
#include "services/application_flow.h"
#include "services/services.h"
#include "store/scope.h"

namespace shequ::services {
namespace json = boost::json;

namespace {

constexpr std::string_view kColumns =
    "a.id, a.guide_code, a.guide_name, a.applicant_name, a.applicant_account_id, a.applicant_person_id,"
    " a.proxy_account_id, a.consent, a.form, a.state, a.missing, a.reason, a.area_code, a.area_path, a.submitted_at,"
    " a.accepted_at, a.warn_at, a.due_at, a.decided_at, a.done_at, a.version, a.updated_at, r.name,"
    " COALESCE(p.display_name, '')";
constexpr std::string_view kFrom =
    " FROM applications a JOIN areas r ON r.code = a.area_code LEFT JOIN accounts p ON p.id = a.proxy_account_id";
enum Col {
  kId, kGuide, kGuideName, kApplicant, kApplicantAccount, kApplicantPerson, kProxy, kConsent, kForm, kState,
  kMissing, kReason, kAreaCode, kAreaPath, kSubmitted, kAccepted, kWarn, kDue, kDecided, kDone, kVersion,
  kUpdated, kAreaName, kProxyName
};

// Staff who may open the applications list, and so hear of its changes: those who apply on a
// resident's behalf and those who handle applications.
const std::vector<std::string> kApplicationStaff = {"application.apply", "application.handle"};
constexpr size_t kMaxMaterialBytes = 5 * 1024 * 1024;
constexpr int64_t kMaxMaterials = 10;

Status NotFoundApplication() { return Status(Code::kNotFound, {"未找到该申请", "No such application"}); }
Status Stale() {
  return Status(Code::kConflict, {"申请已被他人更新，请刷新后再试", "Someone else updated the application: reload it and try again"});
}

bool IsResident(const Principal& who) { return who.role == "resident"; }

// The condition (on applications `a`) for what the caller may see: residents
// their own; staff their territory.
std::string AccessFilter(const Principal& who, store::Params& params) {
  if (IsResident(who)) {
    params.emplace_back(who.account_id);
    params.emplace_back(who.person_id);
    return "(a.applicant_account_id = ? OR a.applicant_person_id = ?)";
  }
  return store::Scope::Subtree(who.area_path).Filter("a.area_path", params);
}

std::optional<store::Row> Load(store::Connection& conn, const Principal& who, int64_t id) {
  store::Params params;
  std::string access = AccessFilter(who, params);
  params.emplace_back(id);
  store::Rows rows =
      conn.Query(fmt::format("SELECT {}{} WHERE {} AND a.id = ?", kColumns, kFrom, access), params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows[0]);
}

std::vector<std::string> RelationsOf(const Principal& who, const store::Row& row) {
  std::vector<std::string> out;
  bool proxy = !row.IsNull(kProxy) && row.Int(kProxy) == who.account_id;
  if (IsResident(who) && ((!row.IsNull(kApplicantAccount) && row.Int(kApplicantAccount) == who.account_id) ||
                          (who.person_id != 0 && !row.IsNull(kApplicantPerson) && row.Int(kApplicantPerson) == who.person_id))) {
    out.emplace_back("applicant");
  }
  if (proxy) out.emplace_back("proxy");
  if (!proxy && who.Can("application.handle") && store::Scope::Subtree(who.area_path).Contains(row.Text(kAreaPath))) {
    out.emplace_back("handler");
  }
  return out;
}

// Only an accepted application's limit runs.
std::string Colour(const store::Row& row, const std::string& now) {
  if (row.Text(kState) != "accepted" || row.IsNull(kDue)) return "";
  return cases::DeadlineColour(row.Text(kWarn), row.Text(kDue), now);
}

json::value Opt(const store::Row& row, size_t i) {
  if (row.IsNull(i)) return nullptr;
  return json::string(row.Text(i));
}

json::object Summary(const store::Row& row, const std::string& now) {
  return {{"id", row.Int(kId)},
          {"guide_code", row.Text(kGuide)},
          {"guide_name", row.Text(kGuideName)},
          {"applicant_name", row.Text(kApplicant)},
          {"proxy", !row.IsNull(kProxy)},
          {"proxy_name", row.IsNull(kProxy) ? json::value(nullptr) : json::value(row.Text(kProxyName))},
          {"state", row.Text(kState)},
          {"area", {{"code", row.Text(kAreaCode)}, {"name", row.Text(kAreaName)}}},
          {"submitted_at", row.Text(kSubmitted)},
          {"accepted_at", Opt(row, kAccepted)},
          {"due_at", Opt(row, kDue)},
          {"deadline", Colour(row, now)},
          {"version", row.Int(kVersion)},
          {"updated_at", row.Text(kUpdated)}};
}

// ---- The form a guide asks for

Status& AddFormError(Status& status, const std::string& key, Text message) {
  if (status.ok()) status = Status::Invalid("form." + key, std::move(message));
  else status.AddField("form." + key, std::move(message));
  return status;
}

bool Blank(const json::value* v) {
  return !v || v->is_null() || (v->is_string() && v->as_string().empty()) || (v->is_bool() && !v->as_bool());
}

// A field's name in each language; a guide a district wrote itself may lack
// the English one, and then the Chinese serves both.
Text LabelOf(const json::object& field) {
  std::string zh(field.at("label").as_string());
  const json::value* en = field.if_contains("label_en");
  return {zh, en && en->is_string() && !en->as_string().empty() ? std::string(en->as_string()) : zh};
}

// One answer against its field; the empty Text when it fits.
std::optional<Text> CheckAnswer(const json::object& field, const json::value& v) {
  std::string type(field.at("type").as_string());
  Text name = LabelOf(field);
  const std::string& label = name.zh;
  const std::string& label_en = name.en;
  auto text_of = [&](size_t max) -> std::optional<Text> {
    if (!v.is_string()) return Text{"「" + label + "」须是文字", label_en + " must be text"};
    if (Utf8Length(v.as_string()) > max) {
      return Text{fmt::format("「{}」不超过 {} 个字", label, max), fmt::format("{} is at most {} characters", label_en, max)};
    }
    return std::nullopt;
  };
  if (type == "text") return text_of(200);
  if (type == "textarea") return text_of(2000);
  if (type == "select") {
    if (v.is_string()) {
      for (const auto& option : field.at("options").as_array())
        if (option.as_string() == v.as_string()) return std::nullopt;
    }
    return Text{"「" + label + "」请从给出的选项中选择", label_en + " must be one of its options"};
  }
  if (type == "number") {
    if ((v.is_int64() || v.is_uint64() || v.is_double()) && std::isfinite(v.to_number<double>()) &&
        v.to_number<double>() >= 0 && v.to_number<double>() < 1e12) {
      return std::nullopt;
    }
    return Text{"「" + label + "」须是不小于 0 的数字", label_en + " must be a number, 0 or more"};
  }
  if (type == "date") {
    if (v.is_string() && IsDate(v.as_string())) {
      return std::nullopt;
    }
    return Text{"「" + label + "」须是 YYYY-MM-DD 格式的日期", label_en + " must be a date written YYYY-MM-DD"};
  }
  if (type == "checkbox") {
    if (v.is_bool()) return std::nullopt;
    return Text{"「" + label + "」须是 true 或 false", label_en + " must be true or false"};
  }
  throw SystemError("guide form: unknown field type " + type);
}

// The answers checked against the guide's form: unknown keys, missing required
// answers and answers of the wrong kind all fail, each naming its field.
Result<json::object> CheckForm(const json::object& guide, const json::value* answers) {
  if (!answers || !answers->is_object()) {
    return Status::Invalid("form", {"请填写申请表（form 须是对象）", "form must be an object of answers"});
  }
  const json::array& fields = guide.at("form").as_array();
  Status status;
  json::object out;
  for (const auto& [key, value] : answers->as_object()) {
    bool known = std::any_of(fields.begin(), fields.end(), [&](const json::value& f) { return f.at("key").as_string() == key; });
    if (!known) AddFormError(status, std::string(key), {"申请表没有这一项", "The form has no such field"});
  }
  for (const auto& f : fields) {
    const json::object& field = f.as_object();
    std::string key(field.at("key").as_string());
    const json::value* v = answers->as_object().if_contains(key);
    if (Blank(v)) {
      if (field.at("required").as_bool()) {
        Text name = LabelOf(field);
        AddFormError(status, key, {"请填写「" + name.zh + "」", name.en + " is required"});
      }
      continue;
    }
    if (std::optional<Text> wrong = CheckAnswer(field, *v)) {
      AddFormError(status, key, std::move(*wrong));
      continue;
    }
    out[key] = *v;
  }
  if (!status.ok()) return status;
  return out;
}

// ---- Consent to 代办

Result<json::object> CheckConsent(const json::value* consent, const std::string& now) {
  if (!consent || !consent->is_object()) {
    return Status::Invalid("consent", {"代办须记录居民本人的同意（consent）", "Applying on a resident's behalf needs their recorded consent"});
  }
  const json::object& c = consent->as_object();
  FieldReader read(c);
  std::optional<std::string> method = read.String("method", true, 20);
  std::optional<std::string> note = read.String("note", false, 500);
  if (!read.status().ok()) {
    Status s = Status::Invalid("consent.method", {"请选择同意方式：signature（本人签字）、verbal（口头同意并有见证人）或 letter（授权委托书）",
                                                  "consent.method must be signature, verbal or letter"});
    return s;
  }
  if (*method != "signature" && *method != "verbal" && *method != "letter") {
    return Status::Invalid("consent.method", {"同意方式只能是 signature、verbal 或 letter", "consent.method must be signature, verbal or letter"});
  }
  if (*method == "verbal" && Utf8Length(note.value_or("")) < 2) {
    return Status::Invalid("consent.note", {"口头同意须写明见证人", "Verbal consent needs the witness in consent.note"});
  }
  return json::object{{"method", *method}, {"note", note.value_or("")}, {"recorded_at", now}};
}

// Without surrounding spaces (ASCII and the full-width 　): a note of only spaces says nothing.
std::string Trimmed(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  for (bool again = true; again;) {
    again = false;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1), again = true;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1), again = true;
    if (text.starts_with(kIdeographicSpace)) text.remove_prefix(kIdeographicSpace.size()), again = true;
    if (text.ends_with(kIdeographicSpace)) text.remove_suffix(kIdeographicSpace.size()), again = true;
  }
  return std::string(text);
}

std::string_view SniffMaterial(std::string_view bytes) {
  if (bytes.starts_with("%PDF-")) return "application/pdf";
  if (bytes.starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) return "image/png";
  return "";
}

}  // namespace

Applications::Applications(store::Database& db, const audit::Trail& trail, http::EventHub& hub, const Clock& clock,
                           const Catalog& catalog, const cases::CaseService& cases, people::Registry& registry)
    : db_(db), trail_(trail), hub_(hub), clock_(clock), catalog_(catalog), cases_(cases), registry_(registry) {}

namespace {

struct Step {
  int64_t id;
  std::string action, from, to, note, area_path;
};

// `applicant`: the applicant's account (0: none), the one resident who hears of it live.
void Record(store::Connection& conn, const audit::Trail& trail, http::EventHub& hub, const Principal& who,
            const std::string& request_id, const Step& step, int64_t applicant, const std::string& now,
            json::object details = {}) {
  conn.Execute("INSERT INTO application_steps (application_id, action, from_state, to_state, actor_id, actor_name, note, at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               {step.id, step.action, step.from, step.to, who.account_id,
                who.display_name.empty() ? who.username : who.display_name, step.note, now});
  audit::Entry entry = audit::By(who, request_id, "application." + step.action, fmt::format("application:{}", step.id));
  entry.area_path = step.area_path;
  details["from"] = step.from;
  details["to"] = step.to;
  entry.details = std::move(details);
  trail.Append(conn, entry);
  std::string data = json::serialize(json::object{{"id", step.id}, {"action", step.action}, {"state", step.to}});
  conn.AfterCommit([&hub, data, path = step.area_path, applicant] {
    hub.Publish("application", data, path, kApplicationStaff, applicant ? std::vector<int64_t>{applicant} : std::vector<int64_t>{});
  });
}

}  // namespace

Result<json::object> Applications::Apply(const Principal& who, const std::string& request_id, const json::object& body) {
  if (!who.Can("application.apply")) return Status::Forbidden();
  FieldReader read(body);
  std::optional<std::string> guide_code = read.String("guide_code", true, 20);
  std::optional<int64_t> person_id = read.Int("person_id", false);
  if (!read.status().ok()) return read.status();
  Result<json::object> guide = catalog_.Get(*guide_code);
  if (!guide.ok()) return Status::Invalid("guide_code", {"没有这个办事指南", "No such service guide"});
  bool proxy = !IsResident(who);
  std::string now = FormatUtc(clock_.Now());
  if (!proxy && person_id) {
    return Status::Invalid("person_id", {"居民本人申请无需指定 person_id", "Residents apply for themselves: leave out person_id"});
  }
  if (proxy && !person_id) {
    return Status::Invalid("person_id", {"代办须指定所代办的居民（person_id）", "Applying on a resident's behalf needs their person_id"});
  }
  if (!proxy && !guide->at("online").as_bool()) {
    return Status::Invalid("guide_code", {"该事项不能网上申请，请到社区事务受理服务中心办理或请居委代办",
                                          "This service cannot be applied for online: go to the service center or ask your neighborhood to apply for you"});
  }
  Result<json::object> form = CheckForm(*guide, body.if_contains("form"));
  json::object consent;
  if (proxy) {
    Result<json::object> checked = CheckConsent(body.if_contains("consent"), now);
    if (!checked.ok() && !form.ok()) {
      Status both = form.status();
      for (const auto& f : checked.status().fields()) both.AddField(f.field, f.message);
      return both;
    }
    if (!checked.ok()) return checked.status();
    consent = std::move(*checked);
  }
  if (!form.ok()) return form.status();

  std::string applicant_name = who.display_name.empty() ? who.username : who.display_name;
  std::string area_code = who.area_code;
  store::Value applicant_account = who.account_id, applicant_person;
  if (who.person_id != 0) applicant_person = who.person_id;
  if (proxy) {
    // The registry says who the resident is, within the worker's territory (and audits the look-up).
    Result<json::object> person = registry_.GetPerson(people::Caller{who, request_id}, *person_id);
    if (!person.ok()) {
      return Status::Invalid("person_id", {"您的辖区内没有这位居民", "No such resident in your territory"});
    }
    applicant_name = std::string(person->at("name").as_string());
    area_code = std::string(person->at("area_code").as_string());
    applicant_account = store::Value();
    applicant_person = *person_id;
  }
  int64_t id = 0;
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    store::Rows area = conn.Query("SELECT path FROM areas WHERE code = ?", {area_code});
    if (area.empty()) throw SystemError("application: the applicant's area " + area_code + " is missing");
    std::string path = area[0].Text(0);
    id = conn.Query("INSERT INTO applications (guide_code, guide_name, applicant_name, applicant_account_id,"
                    " applicant_person_id, proxy_account_id, consent, form, state, area_code, area_path, submitted_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?) RETURNING id",
                    {*guide_code, std::string(guide->at("name").as_string()), applicant_name, applicant_account,
                     applicant_person, proxy ? store::Value(who.account_id) : store::Value(),
                     proxy ? store::Value(json::serialize(consent)) : store::Value(), json::serialize(*form),
                     area_code, path, now, now})[0]
             .Int(0);
    json::object details{{"guide", *guide_code}};
    if (proxy) {
      details["proxy_for_person"] = *person_id;
      details["consent"] = consent.at("method");
    }
    Record(conn, trail_, hub_, who, request_id, {id, proxy ? "proxy_submit" : "submit", "", "submitted", "", path},
           proxy ? 0 : who.account_id, now, std::move(details));
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return Get(who, id);
}

Result<json::object> Applications::List(const Principal& who, const std::map<std::string, std::string>& filters,
                                        const Paging& paging) {
  auto get = [&](const char* key) -> std::string {
    auto it = filters.find(key);
    return it == filters.end() ? "" : it->second;
  };
  store::Params params;
  std::string where = " WHERE " + AccessFilter(who, params);
  std::string now = FormatUtc(clock_.Now());
  if (std::string state = get("state"); !state.empty()) {
    static const std::vector<std::string> kStates = {"submitted", "returned", "accepted", "approved", "refused", "done", "withdrawn"};
    if (std::find(kStates.begin(), kStates.end(), state) == kStates.end()) {
      return Status::Invalid("state", {"没有这个申请状态", "No such application state"});
    }
    where += " AND a.state = ?";
    params.emplace_back(state);
  }
  if (std::string guide = get("guide"); !guide.empty()) {
    where += " AND a.guide_code = ?";
    params.emplace_back(guide);
  }
  if (std::string deadline = get("deadline"); !deadline.empty()) {
    if (deadline == "red") where += " AND a.state = 'accepted' AND a.due_at < ?";
    else if (deadline == "yellow") where += " AND a.state = 'accepted' AND a.warn_at <= ? AND a.due_at >= ?";
    else return Status::Invalid("deadline", {"deadline 只能是 yellow 或 red", "deadline must be yellow or red"});
    params.emplace_back(now);
    if (deadline == "yellow") params.emplace_back(now);
  }
  if (get("mine") == "1" && !IsResident(who)) {
    where += " AND a.proxy_account_id = ?";
    params.emplace_back(who.account_id);
  }
  return store::WithRead(db_, [&](store::Connection& conn) -> Result<json::object> {
    if (std::string area = get("area"); !area.empty()) {
      store::Rows path = conn.Query("SELECT path FROM areas WHERE code = ?", {area});
      if (path.empty() || !store::Scope::Subtree(who.area_path).Contains(path[0].Text(0))) {
        return Status::Invalid("area", {"区域代码不存在或不在您的辖区内", "No such area in your territory"});
      }
      where += " AND " + store::Scope::Subtree(path[0].Text(0)).Filter("a.area_path", params);
    }
    int64_t total = conn.Query("SELECT COUNT(*) FROM applications a" + where, params)[0].Int(0);
    store::Params page_params = params;
    page_params.emplace_back(paging.page_size);
    page_params.emplace_back(paging.offset());
    json::array items;
    // Oldest waiting first for staff: what has waited longest is handled first.
    std::string order = IsResident(who) ? "a.id DESC" : "CASE a.state WHEN 'submitted' THEN 0 WHEN 'accepted' THEN 1"
                                                        " WHEN 'approved' THEN 2 ELSE 3 END, a.id";
    for (const auto& row : conn.Query(fmt::format("SELECT {}{}{} ORDER BY {} LIMIT ? OFFSET ?", kColumns, kFrom, where, order),
                                      page_params)) {
      items.push_back(Summary(row, now));
    }
    return PageJson(std::move(items), total, paging);
  });
}

Result<json::object> Applications::Get(const Principal& who, int64_t id) {
  auto conn = db_.Acquire();
  std::optional<store::Row> row = Load(*conn, who, id);
  if (!row) return NotFoundApplication();
  std::string now = FormatUtc(clock_.Now());
  json::object out = Summary(*row, now);
  out["form"] = json::parse(row->Text(kForm));
  out["consent"] = row->IsNull(kConsent) ? json::value(nullptr) : json::parse(row->Text(kConsent));
  out["missing"] = Opt(*row, kMissing);
  out["reason"] = Opt(*row, kReason);
  out["decided_at"] = Opt(*row, kDecided);
  out["done_at"] = Opt(*row, kDone);
  json::array steps;
  for (const auto& s : conn->Query("SELECT action, from_state, to_state, actor_name, note, at FROM application_steps"
                                   " WHERE application_id = ? ORDER BY id",
                                   {id})) {
    steps.push_back({{"action", s.Text(0)}, {"from", s.Text(1)}, {"to", s.Text(2)}, {"actor", s.Text(3)},
                     {"note", s.Text(4)}, {"at", s.Text(5)}});
  }
  out["steps"] = std::move(steps);
  json::array materials;
  for (const auto& m : conn->Query("SELECT id, name, content_type, size, uploaded_at FROM application_materials"
                                   " WHERE application_id = ? ORDER BY id",
                                   {id})) {
    materials.push_back({{"id", m.Int(0)}, {"name", m.Text(1)}, {"content_type", m.Text(2)}, {"size", m.Int(3)},
                         {"uploaded_at", m.Text(4)},
                         {"url", fmt::format("/api/v1/applications/{}/materials/{}", id, m.Int(0))}});
  }
  out["materials"] = std::move(materials);
  json::array allowed;
  for (std::string_view a : AllowedApplicationActions({row->Text(kState), RelationsOf(who, *row)})) {
    allowed.emplace_back(a);
  }
  out["allowed_actions"] = std::move(allowed);
  Result<json::object> guide = catalog_.Get(row->Text(kGuide));
  out["guide_form"] = guide.ok() ? guide->at("form") : json::array();
  out["time_limit_days"] = guide.ok() ? guide->at("time_limit_days") : json::value(nullptr);
  return out;
}

Result<json::object> Applications::Act(const Principal& who, const std::string& request_id, int64_t id,
                                       const json::object& body) {
  FieldReader read(body);
  std::optional<std::string> action = read.String("action", true, 20);
  std::optional<int64_t> version = read.Int("version", true);
  std::optional<std::string> note = read.String("note", false, 1000);
  if (!read.status().ok()) return read.status();
  if (note) note = Trimmed(*note);
  bool has_note = note && Utf8Length(*note) >= 2;
  TimePoint now_tp = clock_.Now();
  std::string now = FormatUtc(now_tp);
  std::shared_ptr<const cases::WorkCalendar> calendar = cases_.calendar();
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    std::optional<store::Row> row = Load(conn, who, id);
    if (!row) return NotFoundApplication();
    Result<const ApplicationTransition*> checked =
        CheckApplicationAction(*action, {row->Text(kState), RelationsOf(who, *row)}, has_note);
    if (!checked.ok()) return checked.status();
    if (row->Int(kVersion) != *version) return Stale();
    const ApplicationTransition& t = **checked;
    std::string sets = "state = ?, version = version + 1, updated_at = ?";
    store::Params params{std::string(t.to), now};
    auto set = [&](const char* column, store::Value value) {
      sets += fmt::format(", {} = ?", column);
      params.push_back(std::move(value));
    };
    json::object details;
    if (t.action == "accept") {
      Result<json::object> guide = catalog_.Get(row->Text(kGuide));
      int days = guide.ok() ? static_cast<int>(guide->at("time_limit_days").to_number<int64_t>()) : 20;
      TimePoint due = calendar->AddWorkingDays(now_tp, days);
      set("accepted_at", now);
      set("warn_at", FormatUtc(calendar->WarnAt(now_tp, due)));
      set("due_at", FormatUtc(due));
      set("deadline_warned", int64_t{0});
      details["due_at"] = FormatUtc(due);
    } else if (t.action == "return") {
      set("missing", *note);
    } else if (t.action == "resubmit") {
      set("missing", store::Value());
      if (body.contains("form")) {
        Result<json::object> guide = catalog_.Get(row->Text(kGuide));
        if (!guide.ok()) return Status::Invalid("form", {"该办事指南已不存在", "The guide no longer exists"});
        Result<json::object> form = CheckForm(*guide, body.if_contains("form"));
        if (!form.ok()) return form.status();
        set("form", json::serialize(*form));
      }
    } else if (t.action == "refuse") {
      set("reason", *note);
      set("decided_at", now);
    } else if (t.action == "approve") {
      set("decided_at", now);
    } else if (t.action == "complete") {
      set("done_at", now);
    }
    params.emplace_back(id);
    params.emplace_back(*version);
    if (conn.Execute("UPDATE applications SET " + sets + " WHERE id = ? AND version = ?", params) != 1) return Stale();
    Record(conn, trail_, hub_, who, request_id,
           {id, std::string(t.action), row->Text(kState), std::string(t.to), note.value_or(""), row->Text(kAreaPath)},
           row->IsNull(kApplicantAccount) ? 0 : row->Int(kApplicantAccount), now, std::move(details));
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return Get(who, id);
}

Result<json::object> Applications::AddMaterial(const Principal& who, const std::string& request_id, int64_t id,
                                               const std::string& name, std::string_view bytes) {
  if (name.empty() || Utf8Length(name) > 100 || name.find_first_of("/\\\r\n") != std::string::npos) {
    return Status::Invalid("name", {"请给出材料名称（不超过 100 个字，不含斜杠）", "Give the material a name (at most 100 characters, no slashes)"});
  }
  if (bytes.size() > kMaxMaterialBytes) {
    return Status(Code::kPayloadTooLarge, {"每份材料不超过 5 MB", "Each material is at most 5 MB"});
  }
  std::string_view type = SniffMaterial(bytes);
  if (type.empty()) {
    return Status(Code::kUnsupportedMediaType, {"材料须是 PDF、JPEG 或 PNG 文件", "Materials must be PDF, JPEG or PNG files"});
  }
  int64_t material_id = 0;
  Status written = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    std::optional<store::Row> row = Load(conn, who, id);
    if (!row) return NotFoundApplication();
    std::vector<std::string> relations = RelationsOf(who, *row);
    bool own = std::find_if(relations.begin(), relations.end(),
                            [](const std::string& r) { return r == "applicant" || r == "proxy"; }) != relations.end();
    if (!own) return Status(Code::kForbidden, {"只有申请人或代办人可以上传材料", "Only the applicant or their proxy uploads materials"});
    if (row->Text(kState) != "submitted" && row->Text(kState) != "returned") {
      return Status(Code::kConflict, {"申请已受理，不能再补充材料", "The application was already accepted: materials can no longer change"});
    }
    if (conn.Query("SELECT COUNT(*) FROM application_materials WHERE application_id = ?", {id})[0].Int(0) >= kMaxMaterials) {
      return Status(Code::kConflict, {"每件申请最多 10 份材料", "An application holds at most 10 materials"});
    }
    std::string now = FormatUtc(clock_.Now());
    material_id = conn.Query("INSERT INTO application_materials (application_id, name, content_type, size, content,"
                             " uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             {id, name, std::string(type), static_cast<int64_t>(bytes.size()), ToBase64(bytes),
                              who.account_id, now})[0]
                      .Int(0);
    audit::Entry entry = audit::By(who, request_id, "application.material", fmt::format("application:{}", id));
    entry.area_path = row->Text(kAreaPath);
    entry.details = {{"material", material_id}, {"name", name}, {"bytes", static_cast<int64_t>(bytes.size())}};
    trail_.Append(conn, entry);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return json::object{{"id", material_id}, {"name", name}, {"content_type", type},
                      {"size", static_cast<int64_t>(bytes.size())},
                      {"url", fmt::format("/api/v1/applications/{}/materials/{}", id, material_id)}};
}

Result<Applications::Material> Applications::GetMaterial(const Principal& who, int64_t id, int64_t material_id) {
  auto conn = db_.Acquire();
  if (!Load(*conn, who, id)) return NotFoundApplication();
  store::Rows rows = conn->Query("SELECT name, content_type, content FROM application_materials WHERE id = ? AND application_id = ?",
                                 {material_id, id});
  if (rows.empty()) return Status(Code::kNotFound, {"未找到该材料", "No such material"});
  std::optional<std::string> bytes = FromBase64(rows[0].Text(2));
  if (!bytes) throw SystemError("application_materials: stored content is not base64");
  return Material{rows[0].Text(0), rows[0].Text(1), std::move(*bytes)};
}

int Applications::SweepDeadlines() {
  std::string now = FormatUtc(clock_.Now());
  int marked = 0;
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    for (const auto& r : conn.Query("SELECT id, area_path, CASE WHEN due_at < ? THEN 2 ELSE 1 END FROM applications"
                                    " WHERE state = 'accepted' AND ((warn_at <= ? AND deadline_warned < 1)"
                                    " OR (due_at < ? AND deadline_warned < 2))",
                                    {now, now, now})) {
      int64_t level = r.Int(2);
      conn.Execute("UPDATE applications SET deadline_warned = ? WHERE id = ?", {level, r.Int(0)});
      std::string data = json::serialize(json::object{{"id", r.Int(0)}, {"deadline", level == 2 ? "red" : "yellow"}});
      conn.AfterCommit([this, data, path = r.Text(1)] { hub_.Publish("application_deadline", data, path, kApplicationStaff); });
      ++marked;
    }
    return Status::Ok();
  });
  return marked;
}

}  // namespace shequ::services
