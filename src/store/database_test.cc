#include "store/database.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/scope.h"
#include "store/testing.h"

namespace shequ::store {
namespace {

using testing::StoreTest;

class DatabaseTest : public StoreTest {};

TEST_P(DatabaseTest, MigrationsAreRecordedAndIdempotent) {
  auto conn = db().Acquire();
  int64_t applied = conn->Query("SELECT COUNT(*) FROM schema_migrations")[0].Int(0);
  EXPECT_EQ(applied, static_cast<int64_t>(MigrationsFor(db().dialect()).size()));
  EXPECT_TRUE(Migrate(db()).empty());
}

TEST(MigrationsTest, BothDialectsHaveTheSameNumberedFiles) {
  auto sqlite = MigrationsFor(Dialect::kSqlite);
  auto postgres = MigrationsFor(Dialect::kPostgres);
  ASSERT_EQ(sqlite.size(), postgres.size());
  for (size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, static_cast<int>(i + 1));
    EXPECT_EQ(sqlite[i].name, postgres[i].name);
  }
}

TEST_P(DatabaseTest, ParametersRoundTripIncludingChineseAndNull) {
  auto conn = db().Acquire();
  conn->Execute("INSERT INTO areas (code, name, level, parent_code, path) VALUES (?, ?, ?, ?, ?)",
                {std::string("310105"), std::string("长宁区"), std::string("district"), Value(),
                 std::string("/310105/")});
  Rows rows = conn->Query("SELECT name, parent_code, sort_order FROM areas WHERE code = ?",
                          {std::string("310105")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "长宁区");
  EXPECT_TRUE(rows[0].IsNull(1));
  EXPECT_EQ(rows[0].Int(2), 0);
}

TEST_P(DatabaseTest, RolledBackTransactionLeavesNothing) {
  auto conn = db().Acquire();
  bool ran_after_commit = false;
  try {
    Transaction tx(*conn, Transaction::kWrite);
    conn->Execute("INSERT INTO areas (code, name, level, path) VALUES ('1', 'x', 'district', '/1/')");
    conn->AfterCommit([&] { ran_after_commit = true; });
    throw std::runtime_error("fails half-way");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(conn->Query("SELECT 1 FROM areas").empty());
  EXPECT_FALSE(ran_after_commit);
  {
    Transaction tx(*conn, Transaction::kWrite);
    conn->Execute("INSERT INTO areas (code, name, level, path) VALUES ('1', 'x', 'district', '/1/')");
    conn->AfterCommit([&] { ran_after_commit = true; });
    tx.Commit();
  }
  EXPECT_TRUE(ran_after_commit);
}

TEST_P(DatabaseTest, DuplicateKeyThrowsUniqueViolation) {
  auto conn = db().Acquire();
  conn->Execute("INSERT INTO areas (code, name, level, path) VALUES ('1', 'x', 'district', '/1/')");
  EXPECT_THROW(
      conn->Execute("INSERT INTO areas (code, name, level, path) VALUES ('1', 'y', 'district', '/2/')"),
      UniqueViolation);
  EXPECT_THROW(conn->Query("SELECT no_such_column FROM areas"), SystemError);
}

TEST_P(DatabaseTest, InsertRowsKeepsEveryValueAsGiven) {
  auto conn = db().Acquire();
  Transaction tx(*conn, Transaction::kWrite);
  // More rows than one SQLite statement takes; names with every character COPY's text format escapes.
  const std::string awkward = "长宁\t区\n第\\N号\r\\";
  Params values;
  for (int i = 0; i < 1200; ++i) {
    values.insert(values.end(), {std::to_string(i), awkward + std::to_string(i), std::string("district"),
                                 i % 2 ? Value() : Value(std::string("0")), "/" + std::to_string(i) + "/",
                                 static_cast<int64_t>(i - 600)});
  }
  conn->InsertRows("areas", {"code", "name", "level", "parent_code", "path", "sort_order"}, values);
  Rows rows = conn->Query("SELECT code, name, parent_code, sort_order FROM areas ORDER BY sort_order");
  ASSERT_EQ(rows.size(), 1200u);
  for (int i = 0; i < 1200; ++i) {
    EXPECT_EQ(rows[i].Text(0), std::to_string(i));
    EXPECT_EQ(rows[i].Text(1), awkward + std::to_string(i));
    EXPECT_EQ(rows[i].IsNull(2), i % 2 == 1);
    EXPECT_EQ(rows[i].Int(3), i - 600);
  }
  EXPECT_THROW(conn->InsertRows("areas", {"code", "name", "level", "path"},
                                {std::string("7"), std::string("x"), std::string("district"), std::string("/7/")}),
               UniqueViolation);
}

TEST_P(DatabaseTest, ScopeFilterKeepsOnlyTheSubtree) {
  auto conn = db().Acquire();
  const char* rows[][3] = {{"310105", "district", "/310105/"},
                           {"310105001", "subdistrict", "/310105/310105001/"},
                           {"310105002", "subdistrict", "/310105/310105002/"},
                           {"310105002001", "neighborhood", "/310105/310105002/310105002001/"}};
  for (auto& r : rows) {
    conn->Execute("INSERT INTO areas (code, name, level, path) VALUES (?, 'n', ?, ?)",
                  {std::string(r[0]), std::string(r[1]), std::string(r[2])});
  }
  Params params;
  Scope scope = Scope::Subtree("/310105/310105002/");
  Rows found = conn->Query("SELECT code FROM areas WHERE " + scope.Filter("path", params) + " ORDER BY code", params);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].Text(0), "310105002");
  EXPECT_EQ(found[1].Text(0), "310105002001");
  EXPECT_TRUE(scope.Contains("/310105/310105002/310105002001/"));
  EXPECT_FALSE(scope.Contains("/310105/310105001/"));
}

TEST_P(DatabaseTest, PoolWaitsForAFreeConnection) {
  auto a = db().Acquire();
  auto b = db().Acquire();
  auto c = db().Acquire();
  auto d = db().Acquire();
  EXPECT_EQ(db().stats().in_use, 4u);
  std::thread t([&] { auto e = db().Acquire(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  { auto released = std::move(a); }
  t.join();
  EXPECT_GE(db().stats().waits, 1u);
}

SHEQU_BOTH_STORES(DatabaseTest);

TEST(DatabaseUrlTest, RejectsUnknownSchemes) {
  EXPECT_TRUE(Database::CheckUrl("sqlite:/tmp/x.db").ok());
  EXPECT_TRUE(Database::CheckUrl("postgresql://u@127.0.0.1/db").ok());
  EXPECT_FALSE(Database::CheckUrl("mysql://x").ok());
  EXPECT_FALSE(Database::CheckUrl("sqlite:").ok());
}

}  // namespace
}  // namespace shequ::store
