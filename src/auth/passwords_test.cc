#include <gtest/gtest.h>

#include "auth/auth.h"
#include "core/crypto.h"

namespace shequ::auth {
namespace {

TEST(PasswordsTest, HashIsArgon2idAndVerifies) {
  InitCrypto();
  std::string hash = HashPassword("Correct-Horse-9");
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(hash, "Correct-Horse-9"));
  EXPECT_FALSE(VerifyPassword(hash, "Correct-Horse-8"));
  EXPECT_NE(hash, HashPassword("Correct-Horse-9"));  // salted
}

TEST(PasswordsTest, Policy) {
  EXPECT_TRUE(CheckPasswordPolicy("wang", "Correct-Horse-9").ok());
  EXPECT_FALSE(CheckPasswordPolicy("wang", "Short-1").ok());
  EXPECT_FALSE(CheckPasswordPolicy("wang", "alllowercaseletters").ok());
  EXPECT_FALSE(CheckPasswordPolicy("Wang-Wei-2026", "Wang-Wei-2026").ok());
  Status demo = CheckPasswordPolicy("wang", std::string(kDemoPassword));
  ASSERT_FALSE(demo.ok());
  EXPECT_EQ(demo.fields().at(0).field, "password");
}

TEST(RolesTest, EveryRoleIsKnownAndAuditorsReadAudit) {
  for (auto name : {"district_admin", "subdistrict_admin", "neighborhood_worker", "grid_worker",
                    "department_staff", "auditor", "resident"}) {
    EXPECT_NE(FindRole(name), nullptr) << name;
  }
  auto auditor = PermissionsOf("auditor");
  EXPECT_NE(std::find(auditor.begin(), auditor.end(), "audit.read"), auditor.end());
  auto grid = PermissionsOf("grid_worker");
  EXPECT_EQ(std::find(grid.begin(), grid.end(), "audit.read"), grid.end());
  EXPECT_TRUE(PermissionsOf("no_such_role").empty());
}

}  // namespace
}  // namespace shequ::auth
