#pragma once
// Test helpers: a fresh, migrated database of either kind. PostgreSQL tests
// run when SHEQU_TEST_DB names a server (scripts/test.sh starts one) and are
// skipped otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "core/crypto.h"
#include "store/database.h"
#include "store/migrations.h"

namespace shequ::store::testing {

enum class Kind { kSqlite, kPostgres };

inline std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kSqlite ? "Sqlite" : "Postgres";
}

// Owns a database created for one test and removes it afterwards.
class TempDatabase {
 public:
  explicit TempDatabase(Kind kind) {
    InitCrypto();
    std::string suffix = RandomToken(6);
    for (char& c : suffix) c = std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : 'x';
    if (kind == Kind::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("shequ-test-" + suffix);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "test.db").string();
    } else {
      const char* server = std::getenv("SHEQU_TEST_DB");
      if (server == nullptr || !std::string_view(server).starts_with("postgres")) return;
      admin_url_ = server;
      name_ = "shequ_unit_" + suffix;
      Database::Open(admin_url_, 1)->Acquire()->ExecuteScript("CREATE DATABASE " + name_);
      url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
    }
    db_ = Database::Open(url_, 4);
    Migrate(*db_);
  }
  ~TempDatabase() {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!name_.empty()) {
      Database::Open(admin_url_, 1)->Acquire()->ExecuteScript("DROP DATABASE " + name_ + " WITH (FORCE)");
    }
  }
  bool available() const { return db_ != nullptr; }
  Database& db() { return *db_; }
  const std::string& url() const { return url_; }

 private:
  std::filesystem::path dir_;
  std::string admin_url_, name_, url_;
  std::unique_ptr<Database> db_;
};

// Base for tests that run on both stores.
class StoreTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempDatabase>(GetParam());
    if (!temp_->available()) GTEST_SKIP() << "SHEQU_TEST_DB does not name a PostgreSQL server";
  }
  Database& db() { return temp_->db(); }
  std::unique_ptr<TempDatabase> temp_;
};

#define SHEQU_BOTH_STORES(suite)                                                               \
  INSTANTIATE_TEST_SUITE_P(Stores, suite,                                                      \
                           ::testing::Values(::shequ::store::testing::Kind::kSqlite,           \
                                             ::shequ::store::testing::Kind::kPostgres),        \
                           ::shequ::store::testing::KindName)

}  // namespace shequ::store::testing
