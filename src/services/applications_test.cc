// Applications on both stores: time limits in working days from acceptance,
// 代办 consent, who may decide, scope, and nothing half-saved.
#include <gtest/gtest.h>

#include "auth/testing.h"
#include "cases/cases.h"
#include "http/event_hub.h"
#include "people/people.h"
#include "services/services.h"
#include "store/testing.h"
#include "territory/territory.h"

namespace shequ::services {
namespace {
namespace json = boost::json;

class ApplicationsTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    territory::CreateDemo(db(), trail_, territory::DemoScale::kSmall, 1);
    people::CreateDemoRegistry(db(), *vault_, 1, 300, {});
    cases::CreateDemoCases(db(), *vault_, trail_, 1, 0);
    cases_ = std::make_unique<cases::CaseService>(db(), *vault_, trail_, hub_, clock_);
    cases_->Reload();
    catalog_ = std::make_unique<Catalog>(db(), trail_, clock_);
    catalog_->Load();
    registry_ = std::make_unique<people::Registry>(db(), *vault_, trail_, clock_);
    applications_ = std::make_unique<Applications>(db(), trail_, hub_, clock_, *catalog_, *cases_, *registry_);
    resident_ = Account("jiangsu-resident");
    worker_ = Account("jiangsu-worker");
    subdistrict_ = Account("jiangsu");
  }

  Principal Account(const std::string& username) { return auth::testing::PrincipalOf(db(), username); }

  // A person living in the worker's neighborhood.
  int64_t PersonInNeighborhood() {
    store::Params params;
    std::string where = store::Scope::Subtree(worker_.area_path).Filter("area_path", params);
    return db().Acquire()->Query("SELECT MIN(id) FROM persons WHERE " + where, params)[0].Int(0);
  }

  int64_t Count(const std::string& table) {
    return db().Acquire()->Query("SELECT COUNT(*) FROM " + table)[0].Int(0);
  }

  // The details of the newest audit row of a release (Catalog::Load).
  json::object LastRelease() {
    store::Rows rows = db().Acquire()->Query(
        "SELECT details FROM audit_log WHERE action = 'service.release' ORDER BY seq DESC LIMIT 1");
    if (rows.empty()) return {};
    return json::parse(rows[0].Text(0)).as_object();
  }
  json::object Apply(const Principal& who, const std::string& body) {
    Result<json::object> a = applications_->Apply(who, "t", json::parse(body).as_object());
    EXPECT_TRUE(a.ok()) << a.status().message().en;
    return a.ok() ? *a : json::object{};
  }

  Result<json::object> Act(const Principal& who, const json::object& application, const std::string& action,
                           const std::string& note = "") {
    Result<json::object> now = applications_->Get(who, application.at("id").as_int64());
    int64_t version = now.ok() ? now->at("version").as_int64() : application.at("version").as_int64();
    json::object body{{"action", action}, {"version", version}};
    if (!note.empty()) body["note"] = note;
    return applications_->Act(who, "t", application.at("id").as_int64(), body);
  }

  static constexpr const char* kPermitRenewal =
      R"({"guide_code":"HJ003","form":{"permit_no":"310105123456","changed":"没有变化"}})";

  audit::Trail trail_{Clock::System(), nullptr};
  http::EventHub hub_;
  std::unique_ptr<Vault> vault_ = Vault::ForTesting();
  // Wednesday 2026-09-30 10:00 Beijing: the National Day holidays follow.
  ManualClock clock_{*ParseUtc("2026-09-30T02:00:00.000Z")};
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<people::Registry> registry_;
  std::unique_ptr<Applications> applications_;
  Principal resident_, worker_, subdistrict_;
};

TEST_P(ApplicationsTest, TimeLimitCountsWorkingDaysFromAcceptanceAcrossTheHolidays) {
  // 居住证签注: 5 working days. From 30 September: 1-7 October are holidays,
  // Saturday 10 October is a make-up working day: 8, 9, 10, 12, 13 October.
  json::object a = Apply(resident_, kPermitRenewal);
  EXPECT_EQ(a.at("state").as_string(), "submitted");
  EXPECT_TRUE(a.at("due_at").is_null()) << "the limit runs from acceptance";
  Result<json::object> accepted = Act(worker_, a, "accept");
  ASSERT_TRUE(accepted.ok()) << accepted.status().message().en;
  EXPECT_EQ(accepted->at("due_at").as_string(), "2026-10-13T10:00:00.000Z");
  EXPECT_EQ(accepted->at("deadline").as_string(), "green");
  EXPECT_EQ(applications_->SweepDeadlines(), 0);

  // 80 % of the 40 working hours is 32: at 13 October 10:00 Beijing.
  clock_.Advance(*ParseUtc("2026-10-13T02:00:00.000Z") - *ParseUtc("2026-09-30T02:00:00.000Z"));
  EXPECT_EQ(applications_->Get(resident_, a.at("id").as_int64())->at("deadline").as_string(), "yellow");
  EXPECT_EQ(applications_->SweepDeadlines(), 1);
  EXPECT_EQ(applications_->SweepDeadlines(), 0) << "each warning once";
  Result<json::object> yellow = applications_->List(worker_, {{"deadline", "yellow"}}, Paging{});
  ASSERT_TRUE(yellow.ok());
  EXPECT_EQ(yellow->at("total").as_int64(), 1);

  clock_.Advance(std::chrono::hours(8) + std::chrono::milliseconds(1));  // past 18:00 Beijing
  EXPECT_EQ(applications_->Get(resident_, a.at("id").as_int64())->at("deadline").as_string(), "red");
  EXPECT_EQ(applications_->SweepDeadlines(), 1);
  EXPECT_EQ(applications_->List(worker_, {{"deadline", "red"}}, Paging{})->at("total").as_int64(), 1);
  int warnings = 0;
  for (const auto& e : hub_.Since(0, store::Scope::Everything())) warnings += e.type == "application_deadline";
  EXPECT_EQ(warnings, 2);
}

TEST_P(ApplicationsTest, ReturnedForCompletionThenApprovedAndDone) {
  json::object a = Apply(resident_, kPermitRenewal);
  Result<json::object> returned = Act(worker_, a, "return", "请补充居住证正反面照片");
  ASSERT_TRUE(returned.ok());
  EXPECT_EQ(returned->at("missing").as_string(), "请补充居住证正反面照片");
  EXPECT_EQ(Act(worker_, a, "accept").status().code(), Code::kConflict) << "not before it is resubmitted";
  json::object resubmit{{"action", "resubmit"}, {"version", returned->at("version")},
                        {"form", {{"permit_no", "310105123456"}, {"changed", "已更换住址"}, {"new_address", "江苏路 100 弄 3 号"}}}};
  Result<json::object> again = applications_->Act(resident_, "t", a.at("id").as_int64(), resubmit);
  ASSERT_TRUE(again.ok()) << again.status().message().en;
  EXPECT_TRUE(again->at("missing").is_null());
  EXPECT_EQ(again->at("form").at("changed").as_string(), "已更换住址");
  ASSERT_TRUE(Act(worker_, a, "accept").ok());
  ASSERT_TRUE(Act(subdistrict_, a, "approve").ok());
  Result<json::object> done = Act(worker_, a, "complete");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->at("state").as_string(), "done");
  std::vector<std::string> steps;
  for (const auto& s : done->at("steps").as_array()) steps.emplace_back(s.at("action").as_string());
  EXPECT_EQ(steps, (std::vector<std::string>{"submit", "return", "resubmit", "accept", "approve", "complete"}));
  EXPECT_EQ(db().Acquire()->Query("SELECT COUNT(*) FROM audit_log WHERE object = ?",
                                  {"application:" + std::to_string(a.at("id").as_int64())})[0].Int(0),
            6);
}

TEST_P(ApplicationsTest, ProxyNeedsTheResidentsConsentAndTheResidentSeesIt) {
  int64_t person = PersonInNeighborhood();
  std::string base = R"({"guide_code":"HJ003","form":{"permit_no":"310105123456","changed":"没有变化"},"person_id":)" +
                     std::to_string(person);
  int64_t before = Count("applications");
  Result<json::object> no_consent = applications_->Apply(worker_, "t", json::parse(base + "}").as_object());
  ASSERT_EQ(no_consent.status().code(), Code::kValidation);
  EXPECT_EQ(no_consent.status().fields().at(0).field, "consent");
  Result<json::object> no_witness =
      applications_->Apply(worker_, "t", json::parse(base + R"(,"consent":{"method":"verbal"}})").as_object());
  ASSERT_EQ(no_witness.status().code(), Code::kValidation);
  EXPECT_EQ(no_witness.status().fields().at(0).field, "consent.note");
  EXPECT_EQ(Count("applications"), before) << "nothing stored";

  json::object a = Apply(worker_, base + R"(,"consent":{"method":"verbal","note":"其子张伟在场见证"}})");
  EXPECT_TRUE(a.at("proxy").as_bool());
  Result<json::object> full = applications_->Get(worker_, a.at("id").as_int64());
  EXPECT_EQ(full->at("consent").at("method").as_string(), "verbal");
  EXPECT_EQ(full->at("steps").as_array().at(0).at("action").as_string(), "proxy_submit");

  // The resident whose account stands for that person sees it and may withdraw it.
  Principal elder = resident_;
  elder.person_id = person;
  elder.account_id = 0;
  Result<json::object> mine = applications_->List(elder, {}, Paging{});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->at("total").as_int64(), 1);
  Result<json::object> as_elder = applications_->Get(elder, a.at("id").as_int64());
  ASSERT_TRUE(as_elder.ok());
  EXPECT_EQ(as_elder->at("allowed_actions").as_array(), json::array({"withdraw"}));
  // Another resident does not.
  EXPECT_EQ(applications_->List(resident_, {}, Paging{})->at("total").as_int64(), 0);
  EXPECT_EQ(applications_->Get(resident_, a.at("id").as_int64()).status().code(), Code::kNotFound);
}

TEST_P(ApplicationsTest, TheProxyDoesNotDecideTheirOwnApplication) {
  json::object a = Apply(worker_, R"({"guide_code":"HJ003","form":{"permit_no":"310105123456","changed":"没有变化"},"person_id":)" +
                                      std::to_string(PersonInNeighborhood()) + R"(,"consent":{"method":"signature"}})");
  EXPECT_EQ(Act(worker_, a, "accept").status().code(), Code::kForbidden);
  EXPECT_TRUE(Act(subdistrict_, a, "accept").ok());
}

TEST_P(ApplicationsTest, ABadFormNamesEveryFieldAndStoresNothing) {
  int64_t before = Count("applications");
  Result<json::object> bad = applications_->Apply(
      resident_, "t", json::parse(R"({"guide_code":"HJ003","form":{"changed":"也许","extra":"x"}})").as_object());
  ASSERT_EQ(bad.status().code(), Code::kValidation);
  std::vector<std::string> fields;
  for (const auto& f : bad.status().fields()) fields.push_back(f.field);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"form.changed", "form.extra", "form.permit_no"}));
  EXPECT_EQ(Count("applications"), before);
  EXPECT_EQ(Count("application_steps"), 0);
}

TEST_P(ApplicationsTest, EnglishMessagesNameTheFieldInEnglish) {
  Result<json::object> bad =
      applications_->Apply(resident_, "t", json::parse(R"({"guide_code":"HJ003","form":{}})").as_object());
  ASSERT_EQ(bad.status().code(), Code::kValidation);
  json::object guide = *catalog_->Get("HJ003");
  int checked = 0;
  for (const auto& f : guide.at("form").as_array()) {
    if (f.at("key").as_string() != "permit_no") continue;
    ++checked;
    std::string label_en(f.at("label_en").as_string());
    const FieldError* error = nullptr;
    for (const auto& e : bad.status().fields())
      if (e.field == "form.permit_no") error = &e;
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->message.en, label_en + " is required");
    EXPECT_EQ(error->message.zh, "请填写「" + std::string(f.at("label").as_string()) + "」");
  }
  EXPECT_EQ(checked, 1);
}

TEST_P(ApplicationsTest, EveryShippedFormFieldHasAnEnglishLabel) {
  int fields = 0;
  json::object list = catalog_->List("");
  for (const auto& item : list.at("items").as_array()) {
    json::object guide = *catalog_->Get(item.at("id").as_string());
    for (const auto& f : guide.at("form").as_array()) {
      const json::value* en = f.as_object().if_contains("label_en");
      EXPECT_TRUE(en && en->is_string() && !en->as_string().empty() && en->as_string() != f.at("label").as_string())
          << guide.at("id").as_string() << " " << f.at("key").as_string();
      ++fields;
    }
  }
  EXPECT_GT(fields, 600);
}

// Residents ask in their own words: every shipped guide says in theirs when it is needed.
TEST_P(ApplicationsTest, EveryShippedGuideSaysInResidentsWordsWhenItIsNeeded) {
  json::object list = catalog_->List("");
  ASSERT_GE(list.at("items").as_array().size(), 195u);
  for (const auto& item : list.at("items").as_array()) {
    json::object guide = *catalog_->Get(item.at("id").as_string());
    const json::value* situations = guide.if_contains("situations");
    ASSERT_TRUE(situations && situations->is_array()) << guide.at("id").as_string();
    EXPECT_GE(situations->as_array().size(), 8u) << guide.at("id").as_string();
    for (const auto& s : situations->as_array())
      EXPECT_TRUE(s.is_string() && !s.as_string().empty()) << guide.at("id").as_string();
  }
}

// A database a release without English labels filled: guides nobody edited
// take the new release's text; an edited one keeps the district's.
TEST_P(ApplicationsTest, ANewReleaseUpdatesOnlyUneditedGuides) {
  // As the older release left them: HJ003 untouched, HJ001 edited by the district (version 2).
  auto store_without_english = [&](const std::string& code, int64_t version, const std::string& by) {
    json::object body = *catalog_->Get(code);
    for (auto& f : body.at("form").as_array()) f.as_object().erase("label_en");
    body.erase("id");
    body.erase("version");
    body.erase("sample");
    db().Acquire()->Execute("UPDATE service_guides SET body = ?, version = ?, updated_by = ? WHERE code = ?",
                            {json::serialize(body), version, by, code});
  };
  auto english_labels = [&](const std::string& code) {
    json::object guide = *catalog_->Get(code);
    int n = 0;
    for (const auto& f : guide.at("form").as_array()) n += f.as_object().contains("label_en");
    return n;
  };
  store_without_english("HJ003", 1, "system");
  store_without_english("HJ001", 2, "admin");
  catalog_ = std::make_unique<Catalog>(db(), trail_, clock_);
  catalog_->Load();
  json::object refreshed = *catalog_->Get("HJ003");
  EXPECT_EQ(english_labels("HJ003"), static_cast<int>(refreshed.at("form").as_array().size()));
  EXPECT_EQ(catalog_->Get("HJ003")->at("version").as_int64(), 1);
  EXPECT_EQ(english_labels("HJ001"), 0);
  EXPECT_EQ(catalog_->Get("HJ001")->at("version").as_int64(), 2);
  json::object release = LastRelease();
  EXPECT_EQ(release.at("rewritten"), json::array{"HJ003"});
  EXPECT_TRUE(release.at("added").as_array().empty());
}

// A release that brings a new field (situations) adds it to a guide the district edited, as a
// new version by the system; the district's own edits stay. A start that changes nothing
// writes no audit row.
TEST_P(ApplicationsTest, ANewFieldReachesEditedGuidesAsANewVersion) {
  json::object body = *catalog_->Get("HJ001");
  json::value situations = body.at("situations");
  // As edited under an older release that had neither situations nor the doorstep flag: a release
  // adds words to find the guide by, never how it is handled.
  for (const char* key : {"id", "version", "sample", "situations", "doorstep"}) body.erase(key);
  body["fee"] = "区里改过的收费";
  db().Acquire()->Execute("UPDATE service_guides SET body = ?, version = 2, updated_by = 'admin' WHERE code = 'HJ001'",
                          {json::serialize(body)});
  catalog_ = std::make_unique<Catalog>(db(), trail_, clock_);
  catalog_->Load();
  json::object now = *catalog_->Get("HJ001");
  EXPECT_EQ(now.at("version").as_int64(), 3);
  EXPECT_EQ(now.at("fee").as_string(), "区里改过的收费");
  EXPECT_EQ(now.at("situations"), situations);
  EXPECT_FALSE(now.contains("doorstep"));
  EXPECT_EQ(db().Acquire()->Query("SELECT changed_by FROM service_guide_versions WHERE code = 'HJ001' AND version = 3")[0].Text(0),
            "system");
  json::object release = LastRelease();
  ASSERT_EQ(release.at("extended").as_array().size(), 1u);
  EXPECT_EQ(release.at("extended").as_array()[0].at("code"), "HJ001");
  EXPECT_EQ(release.at("extended").as_array()[0].at("fields"), json::array{"situations"});

  int64_t rows = db().Acquire()->Query("SELECT count(*) FROM audit_log WHERE action = 'service.release'")[0].Int(0);
  catalog_ = std::make_unique<Catalog>(db(), trail_, clock_);
  catalog_->Load();
  EXPECT_EQ(db().Acquire()->Query("SELECT count(*) FROM audit_log WHERE action = 'service.release'")[0].Int(0), rows);
  EXPECT_EQ(catalog_->Get("HJ001")->at("version").as_int64(), 3);
}

TEST_P(ApplicationsTest, StaffOfAnotherNeighborhoodSeeNothing) {
  json::object a = Apply(resident_, kPermitRenewal);
  store::Row other = db().Acquire()->Query(
      "SELECT code, path FROM areas WHERE level = 'neighborhood' AND code <> ? ORDER BY code DESC LIMIT 1",
      {worker_.area_code})[0];
  Principal stranger = worker_;
  stranger.account_id = 999999;
  stranger.area_code = other.Text(0);
  stranger.area_path = other.Text(1);
  EXPECT_EQ(applications_->Get(stranger, a.at("id").as_int64()).status().code(), Code::kNotFound);
  EXPECT_EQ(applications_->List(stranger, {}, Paging{})->at("total").as_int64(), 0);
  EXPECT_EQ(Act(stranger, a, "accept").status().code(), Code::kNotFound);
}

SHEQU_BOTH_STORES(ApplicationsTest);

}  // namespace
}  // namespace shequ::services
