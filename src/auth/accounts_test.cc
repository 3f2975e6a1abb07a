#include <gtest/gtest.h>

#include "auth/auth.h"

namespace shequ::auth {
namespace {

TEST(AgedAtLeastTest, TheBirthdayItselfCounts) {
  EXPECT_TRUE(AgedAtLeast("1956-11-23", 70, "2026-11-23"));
  EXPECT_FALSE(AgedAtLeast("1956-11-24", 70, "2026-11-23"));
  EXPECT_TRUE(AgedAtLeast("1930-05-01", kCareModeAge, "2026-11-23"));
  EXPECT_FALSE(AgedAtLeast("1990-05-01", kCareModeAge, "2026-11-23"));
  // Born on 29 February: 70 on 1 March of a common year (the text compares after 28 February).
  EXPECT_FALSE(AgedAtLeast("1956-02-29", 70, "2026-02-28"));
  EXPECT_TRUE(AgedAtLeast("1956-02-29", 70, "2026-03-01"));
  EXPECT_FALSE(AgedAtLeast("", 70, "2026-11-23"));
}

}  // namespace
}  // namespace shequ::auth
