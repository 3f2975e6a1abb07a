#include "audit/audit.h"

#include <gtest/gtest.h>

#include "store/testing.h"

namespace shequ::audit {
namespace {

class AuditTest : public store::testing::StoreTest {
 protected:
  void AppendThree() {
    Trail trail(Clock::System(), &hub_);
    for (int i = 0; i < 3; ++i) {
      store::WithWrite(db(), [&](store::Connection& conn) -> Status {
        trail.Append(conn, Entry{"admin", "district_admin", "test.write", "thing:" + std::to_string(i),
                                 "310105", "/310105/", "req", {{"i", i}}});
        return Status::Ok();
      });
    }
  }
  // What an attacker with direct database access can do: switch the guard off.
  void Tamper(const std::string& sql) {
    auto conn = db().Acquire();
    if (conn->dialect() == store::Dialect::kSqlite) {
      conn->ExecuteScript("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");
      conn->ExecuteScript(sql);
    } else {
      conn->ExecuteScript("ALTER TABLE audit_log DISABLE TRIGGER USER; " + sql +
                          "; ALTER TABLE audit_log ENABLE TRIGGER USER;");
    }
  }
  http::EventHub hub_;
};

TEST_P(AuditTest, ChainVerifiesAndEventsFollowCommits) {
  AppendThree();
  VerifyReport report = Verify(db());
  EXPECT_TRUE(report.ok()) << report.reason;
  EXPECT_EQ(report.rows, 3);
  auto events = hub_.Since(0, store::Scope::Subtree("/310105/"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "audit");
  EXPECT_TRUE(hub_.Since(0, store::Scope::Subtree("/310105/310105001/")).empty());
}

TEST_P(AuditTest, DatabaseRefusesUpdateAndDelete) {
  AppendThree();
  auto conn = db().Acquire();
  EXPECT_THROW(conn->Execute("UPDATE audit_log SET details = '{}' WHERE seq = 2"), SystemError);
  EXPECT_THROW(conn->Execute("DELETE FROM audit_log WHERE seq = 2"), SystemError);
}

TEST_P(AuditTest, ChangedRowIsFound) {
  AppendThree();
  Tamper("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 2");
  VerifyReport report = Verify(db());
  EXPECT_EQ(report.first_broken_seq, 2);
}

TEST_P(AuditTest, RemovedRowIsFound) {
  AppendThree();
  Tamper("DELETE FROM audit_log WHERE seq = 2");
  EXPECT_EQ(Verify(db()).first_broken_seq, 2);
}

TEST_P(AuditTest, RemovedLastRowsAndRewrittenChainAreFoundByHash) {
  AppendThree();
  // Re-numbering the rows after a removal still breaks the previous-hash link.
  Tamper("DELETE FROM audit_log WHERE seq = 1");
  Tamper("UPDATE audit_log SET seq = seq - 1");
  EXPECT_EQ(Verify(db()).first_broken_seq, 1);
}

TEST_P(AuditTest, RolledBackWriteLeavesNoAuditRow) {
  Trail trail(Clock::System(), &hub_);
  Status s = store::WithWrite(db(), [&](store::Connection& conn) -> Status {
    trail.Append(conn, Entry{"admin", "r", "a", "o", "310105", "/310105/", "req", {}});
    return Status::NotFound();  // the handler fails after auditing: all of it rolls back
  });
  EXPECT_FALSE(s.ok());
  auto conn = db().Acquire();
  EXPECT_EQ(conn->Query("SELECT COUNT(*) FROM audit_log")[0].Int(0), 0);
  EXPECT_TRUE(hub_.Since(0, store::Scope::Everything()).empty());
}

SHEQU_BOTH_STORES(AuditTest);

}  // namespace
}  // namespace shequ::audit
