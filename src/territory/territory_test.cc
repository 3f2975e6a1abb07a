#include "territory/territory.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/auth.h"
#include "store/testing.h"

namespace shequ::territory {
namespace {

class TerritoryTest : public store::testing::StoreTest {
 protected:
  DemoSummary Demo(DemoScale scale, uint64_t seed = 1) {
    return CreateDemo(db(), trail_, scale, seed);
  }
  audit::Trail trail_{Clock::System(), nullptr};
};

TEST_P(TerritoryTest, DistrictDemoHasChangningsSubdistrictsAndAbout185Neighborhoods) {
  DemoSummary s = Demo(DemoScale::kDistrict);
  ASSERT_TRUE(s.created);
  EXPECT_EQ(s.accounts, 6);
  auto conn = db().Acquire();
  auto root = FindArea(*conn, store::Scope::Everything(), "310105");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->name, "长宁区");
  EXPECT_EQ(root->below.subdistrict, 10);
  EXPECT_EQ(root->below.neighborhood, 185);
  EXPECT_GE(root->below.grid, 185 * 4);
  EXPECT_LE(root->below.grid, 185 * 8);
  auto subs = Children(*conn, store::Scope::Everything(), "310105");
  ASSERT_TRUE(subs);
  std::vector<std::string> codes;
  for (auto& a : *subs) codes.push_back(a.code.substr(6));
  EXPECT_EQ(codes, (std::vector<std::string>{"001", "002", "004", "005", "006", "008", "009", "010", "011", "102"}));
  EXPECT_EQ((*subs)[1].name, "江苏路街道");
  EXPECT_EQ((*subs)[9].name, "新泾镇");
  // The worker and grid accounts belong to 江苏路 at every scale.
  for (const char* user : {"jiangsu-worker", "jiangsu-grid"}) {
    auto rows = conn->Query("SELECT area_code FROM accounts WHERE username = ?", {std::string(user)});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(rows[0].Text(0).starts_with("310105002")) << user << " " << rows[0].Text(0);
  }
}

TEST_P(TerritoryTest, DemoIsDeterministicPerSeedAndNeverOverwrites) {
  Demo(DemoScale::kSmall, 42);
  auto names = [&] {
    auto conn = db().Acquire();
    std::vector<std::string> out;
    for (auto& r : conn->Query("SELECT name FROM areas WHERE level = 'neighborhood' ORDER BY code")) out.push_back(r.Text(0));
    return out;
  };
  auto first = names();
  EXPECT_EQ(first.size(), 14u);
  EXPECT_FALSE(Demo(DemoScale::kDistrict, 7).created);  // data exists: left alone
  EXPECT_EQ(names(), first);

  store::testing::TempDatabase other(GetParam());
  CreateDemo(other.db(), trail_, DemoScale::kSmall, 42);
  auto conn = other.db().Acquire();
  std::vector<std::string> again;
  for (auto& r : conn->Query("SELECT name FROM areas WHERE level = 'neighborhood' ORDER BY code")) again.push_back(r.Text(0));
  EXPECT_EQ(again, first);
}

TEST_P(TerritoryTest, ScopeHidesAreasOutsideTheSubtree) {
  Demo(DemoScale::kSmall);
  auto conn = db().Acquire();
  auto jiangsu = store::Scope::Subtree("/310105/310105002/");
  EXPECT_TRUE(FindArea(*conn, jiangsu, "310105002"));
  EXPECT_TRUE(FindArea(*conn, jiangsu, "310105002000"));  // 12-digit form
  EXPECT_FALSE(FindArea(*conn, jiangsu, "310105001"));    // 华阳路: looks missing
  EXPECT_FALSE(FindArea(*conn, jiangsu, "310105"));       // its own parent too
  EXPECT_FALSE(Children(*conn, jiangsu, "310105"));
  auto kids = Children(*conn, jiangsu, "310105002");
  ASSERT_TRUE(kids);
  EXPECT_EQ(kids->size(), 14u);
  EXPECT_GE((*kids)[0].below.grid, 4);
  auto anc = Ancestors(*conn, jiangsu, (*kids)[0]);
  ASSERT_EQ(anc.size(), 1u);  // 长宁区 is outside the scope and is left out
  EXPECT_EQ(anc[0].code, "310105002");
}

TEST_P(TerritoryTest, CityDemoHasShanghaisSixteenDistricts) {
  ASSERT_TRUE(Demo(DemoScale::kCity).created);
  auto conn = db().Acquire();
  store::Rows roots = conn->Query("SELECT code, name FROM areas WHERE parent_code IS NULL ORDER BY sort_order, code");
  ASSERT_EQ(roots.size(), 16u);
  EXPECT_EQ(roots[0].Text(1), "黄浦区");
  EXPECT_EQ(roots[2].Text(0), "310105");
  EXPECT_EQ(roots[15].Text(1), "崇明区");
  auto changning = FindArea(*conn, store::Scope::Everything(), "310105");
  EXPECT_EQ(changning->below.neighborhood, 185);  // Changning as at district scale
  auto names = conn->Query("SELECT COUNT(*), COUNT(DISTINCT name) FROM areas WHERE level = 'neighborhood'");
  EXPECT_GT(names[0].Int(0), 3000);
  EXPECT_EQ(names[0].Int(0), names[0].Int(1));  // every neighborhood name is its own
}

TEST_P(TerritoryTest, TreeCacheAgreesWithTheStoreAndReloadsOnChange) {
  ManualClock clock(std::chrono::system_clock::now());
  TreeCache tree(db(), clock);
  EXPECT_FALSE(tree.Current().Find(store::Scope::Everything(), "310105"));  // empty database
  Demo(DemoScale::kSmall);
  EXPECT_FALSE(tree.Current().Find(store::Scope::Everything(), "310105"));  // not rechecked yet
  EXPECT_TRUE(tree.Fresh());
  clock.Advance(std::chrono::seconds(3));
  EXPECT_FALSE(tree.Fresh());  // a recheck is due: the fast path steps aside
  auto jiangsu = store::Scope::Subtree("/310105/310105002/");
  TreeCache::View view = tree.Current();
  auto area = view.Find(jiangsu, "310105002000");
  ASSERT_TRUE(area);
  auto conn = db().Acquire();
  auto stored = FindArea(*conn, jiangsu, "310105002");
  EXPECT_EQ(area->below.grid, stored->below.grid);
  EXPECT_FALSE(view.Find(jiangsu, "310105001"));
  EXPECT_EQ(view.ChildrenJson(jiangsu, "310105"), nullptr);
  auto json = view.ChildrenJson(jiangsu, "310105002");
  ASSERT_NE(json, nullptr);
  auto items = boost::json::parse(*json).at("items").as_array();
  auto children = Children(*conn, jiangsu, "310105002");
  ASSERT_EQ(items.size(), children->size());
  EXPECT_EQ(items[0].at("code").as_string(), (*children)[0].code);
  auto first = view.Find(jiangsu, std::string((*children)[0].code));
  auto ancestors = view.Ancestors(jiangsu, *first);
  ASSERT_EQ(ancestors.size(), 1u);  // 长宁区 lies outside the scope
  EXPECT_EQ(ancestors[0].code, "310105002");
}

TEST(NormalizeCodeTest, TwelveDigitSubdistrictForms) {
  EXPECT_EQ(NormalizeCode("310105002000"), "310105002");
  EXPECT_EQ(NormalizeCode("310105002001"), "310105002001");
  EXPECT_EQ(NormalizeCode("310105"), "310105");
}

SHEQU_BOTH_STORES(TerritoryTest);

// Sessions and lockout, with a clock the test moves.
class SessionTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    CreateDemo(db(), trail_, DemoScale::kSmall, 1);
    auth_ = std::make_unique<auth::AuthService>(db(), trail_, clock_, auth::AuthConfig{});
  }
  Result<auth::LoginResult> Login(const std::string& user, const std::string& password) {
    return auth_->Login(user, password, "127.0.0.1", "req");
  }
  Result<Principal> Use(const std::string& token) {
    http::Request r;
    r.headers = {{"authorization", "Bearer " + token}};
    return auth_->Authenticate(r);
  }
  audit::Trail trail_{Clock::System(), nullptr};
  ManualClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<auth::AuthService> auth_;
};

TEST_P(SessionTest, IdleAndAbsoluteExpiry) {
  auto login = Login("jiangsu", std::string(auth::kDemoPassword));
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(Use(login->token)->area_code, "310105002");
  clock_.Advance(std::chrono::minutes(29));
  EXPECT_TRUE(Use(login->token).ok());
  clock_.Advance(std::chrono::minutes(31));  // idle for 31 minutes
  EXPECT_EQ(Use(login->token).status().code(), Code::kUnauthenticated);

  auto again = Login("jiangsu", std::string(auth::kDemoPassword));
  for (int i = 0; i < 12 * 3; ++i) {
    clock_.Advance(std::chrono::minutes(20));
    if (!Use(again->token).ok()) {
      EXPECT_GE(i, 12 * 3 - 2);  // ends at the 12-hour absolute limit, not before
      return;
    }
  }
  FAIL() << "session outlived the absolute timeout";
}

TEST_P(SessionTest, FiveFailuresLockTheAccountForFifteenMinutes) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Login("huayang", "wrong-password").status().code(), Code::kInvalidCredentials);
  }
  auto locked = Login("huayang", std::string(auth::kDemoPassword));
  EXPECT_EQ(locked.status().code(), Code::kAccountLocked);
  EXPECT_GT(locked.status().retry_after(), 0);
  // A wrong password on a locked account says nothing about the lock.
  EXPECT_EQ(Login("huayang", "wrong-password").status().code(), Code::kInvalidCredentials);
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_TRUE(Login("huayang", std::string(auth::kDemoPassword)).ok());
}

TEST_P(SessionTest, UnknownUserAndWrongPasswordLookTheSame) {
  auto unknown = Login("nobody", "whatever-1A");
  auto wrong = Login("jiangsu", "whatever-1A");
  EXPECT_EQ(unknown.status().code(), wrong.status().code());
  EXPECT_EQ(unknown.status().message().en, wrong.status().message().en);
}

TEST_P(SessionTest, LogoutLockAndPasswordChangeEndSessions) {
  auto a = Login("jiangsu", std::string(auth::kDemoPassword));
  auth_->Logout(*Use(a->token), "req");
  EXPECT_FALSE(Use(a->token).ok());

  // Lock and password change come from another process (the command line):
  // they reach a running server within AuthConfig::session_recheck.
  auto b = Login("jiangsu", std::string(auth::kDemoPassword));
  ASSERT_TRUE(auth::SetLocked(db(), trail_, "jiangsu", true).ok());
  clock_.Advance(std::chrono::seconds(3));
  EXPECT_FALSE(Use(b->token).ok());
  EXPECT_EQ(Login("jiangsu", std::string(auth::kDemoPassword)).status().code(), Code::kAccountLocked);
  ASSERT_TRUE(auth::SetLocked(db(), trail_, "jiangsu", false).ok());

  auto c = Login("jiangsu", std::string(auth::kDemoPassword));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(auth::AnyDemoPassword(db()));
  ASSERT_TRUE(auth::SetPassword(db(), trail_, "jiangsu", "New-Secret-2027").ok());
  clock_.Advance(std::chrono::seconds(3));
  EXPECT_FALSE(Use(c->token).ok());
  EXPECT_TRUE(Login("jiangsu", "New-Secret-2027").ok());
}

TEST_P(SessionTest, CheckedSessionsAreTrustedOnlyBriefly) {
  auto a = Login("jiangsu", std::string(auth::kDemoPassword));
  ASSERT_TRUE(Use(a->token).ok());
  ASSERT_TRUE(auth::SetLocked(db(), trail_, "jiangsu", true).ok());
  EXPECT_TRUE(Use(a->token).ok());  // within session_recheck: still the checked answer
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_FALSE(Use(a->token).ok());  // checked again: locked
  EXPECT_FALSE(Use("not-a-token").ok());
}

TEST_P(SessionTest, LoginRateLimitPerAddress) {
  auth::AuthConfig config;
  config.login_rate_per_minute = 3;
  auth::AuthService limited(db(), trail_, clock_, config);
  for (int i = 0; i < 3; ++i) limited.Login("nobody", "x", "10.0.0.9", "r");
  auto refused = limited.Login("jiangsu", std::string(auth::kDemoPassword), "10.0.0.9", "r");
  EXPECT_EQ(refused.status().code(), Code::kRateLimited);
  EXPECT_GT(refused.status().retry_after(), 0);
  EXPECT_TRUE(limited.Login("jiangsu", std::string(auth::kDemoPassword), "10.0.0.10", "r").ok());
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_TRUE(limited.Login("jiangsu", std::string(auth::kDemoPassword), "10.0.0.9", "r").ok());
}

TEST_P(SessionTest, AccountsMustBindToTheirRolesLevel) {
  auth::NewAccount wrong{"zhang", "张", "grid_worker", "310105002", "Strong-Pass-2026"};
  Status s = auth::AddAccount(db(), trail_, wrong);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.fields().at(0).field, "area");
  auth::NewAccount right{"zhang", "张", "subdistrict_admin", "310105002", "Strong-Pass-2026"};
  EXPECT_TRUE(auth::AddAccount(db(), trail_, right).ok());
  EXPECT_EQ(auth::AddAccount(db(), trail_, right).code(), Code::kConflict);
}

SHEQU_BOTH_STORES(SessionTest);

}  // namespace
}  // namespace shequ::territory
