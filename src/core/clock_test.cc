#include "core/clock.h"

#include <gtest/gtest.h>

namespace shequ {
namespace {

TEST(ClockTest, FormatAndParseRoundTrip) {
  std::optional<TimePoint> t = ParseUtc("2026-02-28T23:59:59.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatUtc(*t), "2026-02-28T23:59:59.123Z");
}

TEST(ClockTest, ImpossibleDatesAndTimesDoNotParse) {
  for (const char* text : {"2025-13-01T00:00:00.000Z", "2025-02-30T00:00:00.000Z", "2025-02-29T00:00:00.000Z",
                           "2026-01-01T24:00:00.000Z", "2026-01-01T10:60:00.000Z", "2026-01-01T10:00:60.000Z",
                           "2026-01-01T10:00:00.000", "2026-01-01", "garbage"}) {
    EXPECT_FALSE(ParseUtc(text)) << text;
  }
  EXPECT_TRUE(ParseUtc("2024-02-29T00:00:00.000Z"));  // a leap day
}

TEST(ClockTest, BeijingDateTurnsAtSixteenUtc) {
  EXPECT_EQ(BeijingDate(*ParseUtc("2026-11-23T15:59:59.999Z")), "2026-11-23");
  EXPECT_EQ(BeijingDate(*ParseUtc("2026-11-23T16:00:00.000Z")), "2026-11-24");
  EXPECT_EQ(BeijingDate(*ParseUtc("2026-12-31T16:30:00.000Z")), "2027-01-01");
}

TEST(ClockTest, AgeCountsTheBirthdayItself) {
  EXPECT_GE(Age("1956-11-23", "2026-11-23"), 70);
  EXPECT_LT(Age("1956-11-24", "2026-11-23"), 70);
  EXPECT_GE(Age("1930-05-01", "2026-11-23"), 70);
  EXPECT_LT(Age("1990-05-01", "2026-11-23"), 70);
  // Born on 29 February: 70 on 1 March of a common year (the text compares after 28 February).
  EXPECT_LT(Age("1956-02-29", "2026-02-28"), 70);
  EXPECT_GE(Age("1956-02-29", "2026-03-01"), 70);
  EXPECT_LT(Age("", "2026-11-23"), 70);
}

TEST(ClockTest, IsDateTakesOnlyRealCalendarDates) {
  EXPECT_TRUE(IsDate("2024-02-29"));
  EXPECT_TRUE(IsDate("1930-01-01"));
  EXPECT_FALSE(IsDate("2026-02-29"));
  EXPECT_FALSE(IsDate("2026-1-01"));
  EXPECT_FALSE(IsDate("2026-13-01"));
  EXPECT_FALSE(IsDate("2026-11-23T00:00:00.000Z"));
  EXPECT_FALSE(IsDate(""));
}

}  // namespace
}  // namespace shequ
