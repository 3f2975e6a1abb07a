#include <gtest/gtest.h>

#include "auth/testing.h"
#include "cases/cases.h"
#include "store/testing.h"
#include "territory/territory.h"

namespace shequ::cases {
namespace {

// The service over the small demo district with a clock the test moves.
class CaseServiceTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    territory::CreateDemo(db(), trail_, territory::DemoScale::kSmall, 1);
    CreateDemoCases(db(), *vault_, trail_, 1, 0);
    service_ = std::make_unique<CaseService>(db(), *vault_, trail_, hub_, clock_);
    service_->Reload();
    grid_worker_ = Account("jiangsu-grid");
    dispatcher_ = Account("jiangsu-dispatcher");
  }

  Principal Account(const std::string& username) { return auth::testing::PrincipalOf(db(), username); }

  // A case of category `code` reported by the grid worker in their own grid.
  boost::json::object ReportInGrid(const std::string& code) {
    Report r{.category_code = code, .title = "测试", .source = "grid_worker", .area_code = grid_worker_.area_code};
    Result<boost::json::object> c = service_->Create(Caller{grid_worker_, "t"}, r);
    EXPECT_TRUE(c.ok()) << c.status().message().en;
    return *c;
  }

  int DeadlineEvents() {
    int n = 0;
    for (const auto& e : hub_.Since(0, store::Scope::Everything())) n += e.type == "case_deadline";
    return n;
  }

  audit::Trail trail_{Clock::System(), nullptr};
  http::EventHub hub_;
  std::unique_ptr<Vault> vault_ = Vault::ForTesting();
  // Monday 2026-11-23 10:00 Beijing.
  ManualClock clock_{*ParseUtc("2026-11-23T02:00:00.000Z")};
  std::unique_ptr<CaseService> service_;
  Principal grid_worker_, dispatcher_;
};

TEST_P(CaseServiceTest, FilingLimitRunsInWorkingHoursAndTurnsYellowThenRedOnce) {
  // E0101 must be filed within 1 working hour: due 11:00, yellow from 10:48.
  boost::json::object c = ReportInGrid("E0101");
  EXPECT_EQ(c.at("step_due_at").as_string(), "2026-11-23T03:00:00.000Z");
  EXPECT_EQ(c.at("deadline").as_string(), "green");
  EXPECT_EQ(service_->SweepDeadlines(), 0);

  clock_.Advance(std::chrono::minutes(50));
  EXPECT_EQ(service_->SweepDeadlines(), 1);
  EXPECT_EQ(service_->SweepDeadlines(), 0) << "each warning is sent once";
  Result<boost::json::object> now = service_->Get(Caller{dispatcher_, "t"}, c.at("id").as_int64());
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->at("deadline").as_string(), "yellow");

  clock_.Advance(std::chrono::minutes(15));
  EXPECT_EQ(service_->SweepDeadlines(), 1);
  EXPECT_EQ(service_->Get(Caller{dispatcher_, "t"}, c.at("id").as_int64())->at("deadline").as_string(), "red");
  EXPECT_EQ(DeadlineEvents(), 2);
}

TEST_P(CaseServiceTest, HandlingLimitInWorkingDaysSkipsTheWeekend) {
  // Friday 2026-11-27 17:00 Beijing; S01 (邻里纠纷) is handled in 5 working days.
  clock_.Advance(std::chrono::hours(4 * 24 + 7));
  boost::json::object c = ReportInGrid("S01");
  int64_t id = c.at("id").as_int64();
  Caller dispatcher{dispatcher_, "t"};
  ASSERT_TRUE(service_->Act(dispatcher, id, {{"action", "file"}, {"version", 1}}).ok());
  Result<boost::json::object> d = service_->Act(dispatcher, id, {{"action", "dispatch"}, {"version", 2}});
  ASSERT_TRUE(d.ok()) << d.status().message().en;
  EXPECT_EQ(d->at("owner_kind").as_string(), "neighborhood");
  EXPECT_EQ(d->at("owner_code").as_string(), "310105002001");
  // Day 1 is Monday 11-30, day 5 Friday 12-04: 18:00 Beijing.
  EXPECT_EQ(d->at("handle_due_at").as_string(), "2026-12-04T10:00:00.000Z");
}

TEST_P(CaseServiceTest, APointOutsideEveryGridIsRefusedAndNothingIsWritten) {
  int64_t before = db().Acquire()->Query("SELECT COUNT(*) FROM cases")[0].Int(0);
  Report r{.category_code = "E0101", .title = "外区", .source = "grid_worker", .lng = 120.0, .lat = 30.0};
  Result<boost::json::object> c = service_->Create(Caller{grid_worker_, "t"}, r);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().fields()[0].field, "lng");
  EXPECT_EQ(db().Acquire()->Query("SELECT COUNT(*) FROM cases")[0].Int(0), before);
}

SHEQU_BOTH_STORES(CaseServiceTest);

}  // namespace
}  // namespace shequ::cases
