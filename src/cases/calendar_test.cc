#include "cases/calendar.h"

#include <gtest/gtest.h>


#include "store/testing.h"

namespace shequ::cases {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// The special days the migrations ship (common/0006), read back from a freshly migrated database.
std::vector<SpecialDay> ChinaDays() {
  store::testing::TempDatabase temp(store::testing::Kind::kSqlite);
  std::vector<SpecialDay> days;
  for (const auto& row : temp.db().Acquire()->Query("SELECT day, working, name FROM work_calendar_days ORDER BY day")) {
    EXPECT_FALSE(row.Text(2).empty()) << row.Text(0);
    days.push_back({row.Text(0), row.Int(1) == 1, row.Text(2)});
  }
  return days;
}

const WorkCalendar& China() {
  static const WorkCalendar calendar = [] {
    Result<WorkCalendar> made = WorkCalendar::Create(ChinaDays());
    EXPECT_TRUE(made.ok()) << made.status().message().en;
    return made.ok() ? *made : WorkCalendar();
  }();
  return calendar;
}

// A Beijing wall-clock time written "YYYY-MM-DD HH:MM".
TimePoint Beijing(const std::string& text) {
  std::optional<TimePoint> utc = ParseUtc(text.substr(0, 10) + "T" + text.substr(11) + ":00.000Z");
  EXPECT_TRUE(utc) << text;
  return utc.value_or(TimePoint{}) - std::chrono::hours(8);
}

year_month_day Date(int y, unsigned m, unsigned d) { return {year{y}, month{m}, day{d}}; }

// Every day from `first` to `last`, both included.
std::vector<year_month_day> Span(year_month_day first, year_month_day last) {
  std::vector<year_month_day> days;
  for (std::chrono::sys_days d{first}; d <= std::chrono::sys_days{last}; d += std::chrono::days{1})
    days.emplace_back(d);
  return days;
}

// ---- Working days

TEST(WorkCalendarTest, WithoutSpecialDaysWeekdaysWorkAndWeekendsRest) {
  WorkCalendar plain;
  EXPECT_TRUE(plain.IsWorkingDay(Date(2024, 6, 3)));   // Monday
  EXPECT_TRUE(plain.IsWorkingDay(Date(2024, 6, 7)));   // Friday
  EXPECT_FALSE(plain.IsWorkingDay(Date(2024, 6, 8)));  // Saturday
  EXPECT_FALSE(plain.IsWorkingDay(Date(2024, 6, 9)));  // Sunday
}

TEST(WorkCalendarTest, DataFileHasEveryHolidayDayAndMakeUpDayOf2025And2026) {
  std::vector<SpecialDay> days = ChinaDays();
  int holidays = 0, make_up = 0;
  for (const SpecialDay& d : days) (d.working ? make_up : holidays)++;
  // 2025: 1 + 8 + 3 + 5 + 3 + 8 holiday days; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
  EXPECT_EQ(holidays, 28 + 33);
  // 2025: 2 + 1 + 2; 2026: 1 + 2 + 1 + 2.
  EXPECT_EQ(make_up, 5 + 6);
}

TEST(WorkCalendarTest, SpringFestival2025) {
  EXPECT_FALSE(China().IsWorkingDay(Date(2025, 1, 25)));  // an ordinary Saturday
  EXPECT_TRUE(China().IsWorkingDay(Date(2025, 1, 26)));   // Sunday, make-up day
  EXPECT_TRUE(China().IsWorkingDay(Date(2025, 1, 27)));   // an ordinary Monday
  for (year_month_day d : Span(Date(2025, 1, 28), Date(2025, 2, 4)))
    EXPECT_FALSE(China().IsWorkingDay(d)) << static_cast<unsigned>(d.day());
  EXPECT_TRUE(China().IsWorkingDay(Date(2025, 2, 5)));
  EXPECT_TRUE(China().IsWorkingDay(Date(2025, 2, 8)));   // Saturday, make-up day
  EXPECT_FALSE(China().IsWorkingDay(Date(2025, 2, 9)));  // an ordinary Sunday
}

TEST(WorkCalendarTest, NationalDay2026) {
  EXPECT_TRUE(China().IsWorkingDay(Date(2026, 9, 20)));  // Sunday, make-up day
  EXPECT_TRUE(China().IsWorkingDay(Date(2026, 9, 30)));
  for (year_month_day d : Span(Date(2026, 10, 1), Date(2026, 10, 7)))
    EXPECT_FALSE(China().IsWorkingDay(d)) << static_cast<unsigned>(d.day());
  EXPECT_TRUE(China().IsWorkingDay(Date(2026, 10, 8)));
  EXPECT_TRUE(China().IsWorkingDay(Date(2026, 10, 10)));   // Saturday, make-up day
  EXPECT_FALSE(China().IsWorkingDay(Date(2026, 10, 11)));  // an ordinary Sunday
}

TEST(WorkCalendarTest, RefusesBadDatesDuplicatesAndWeekdayMakeUpDays) {
  for (const std::vector<SpecialDay>& days : std::vector<std::vector<SpecialDay>>{
           {{"2025-02-30", false, "x"}},
           {{"2025/01/01", false, "x"}},
           {{"2025-1-01", false, "x"}},
           {{"2025-01-01", false, "元旦"}, {"2025-01-01", false, "元旦"}},
           {{"2025-01-27", true, "a Monday"}},
       }) {
    Result<WorkCalendar> made = WorkCalendar::Create(days);
    ASSERT_FALSE(made.ok()) << days[0].date;
    EXPECT_EQ(made.status().code(), Code::kValidation);
    ASSERT_EQ(made.status().fields().size(), 1u);
    EXPECT_EQ(made.status().fields()[0].field, "date");
  }
}

// ---- Working days from a start

TEST(WorkCalendarTest, WorkingDaysCountFromTheDayAfterTheStart) {
  // From Friday 2025-01-24 the working days are 01-26 (Sunday, make-up), 01-27 (Monday), then
  // the Spring Festival holiday 01-28..02-04, then 02-05.
  TimePoint friday = Beijing("2025-01-24 10:00");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(friday, 1)), "2025-01-26T10:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(friday, 2)), "2025-01-27T10:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(friday, 3)), "2025-02-05T10:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(friday, 4)), "2025-02-06T10:00:00.000Z");
}

TEST(WorkCalendarTest, WorkingDaysIgnoreTheTimeOfDayOfTheStart) {
  // Before, during and after working time on Monday 2025-03-10: one day is Tuesday 18:00.
  for (const char* start : {"2025-03-10 00:00", "2025-03-10 10:00", "2025-03-10 23:59"})
    EXPECT_EQ(FormatUtc(China().AddWorkingDays(Beijing(start), 1)), "2025-03-11T10:00:00.000Z");
}

TEST(WorkCalendarTest, WorkingDaysUseTheBeijingDate) {
  // 2025-01-24T17:00Z is Saturday 01:00 in Beijing: day 1 is the make-up Sunday, not Saturday.
  TimePoint start = *ParseUtc("2025-01-24T17:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(start, 1)), "2025-01-26T10:00:00.000Z");
}

TEST(WorkCalendarTest, WorkingDaysFromAHolidayStartWithTheNextWorkingDay) {
  TimePoint holiday = Beijing("2025-01-30 15:00");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(holiday, 1)), "2025-02-05T10:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(holiday, 2)), "2025-02-06T10:00:00.000Z");
}

TEST(WorkCalendarTest, ZeroWorkingDaysIsTheEndOfTheStartDayOrOfTheNextWorkingDay) {
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(Beijing("2025-03-10 10:00"), 0)),
            "2025-03-10T10:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(Beijing("2025-03-08 10:00"), 0)),  // Saturday
            "2025-03-10T10:00:00.000Z");
  EXPECT_EQ(FormatUtc(China().AddWorkingDays(Beijing("2025-03-10 10:00"), -2)),
            "2025-03-10T10:00:00.000Z");
}

// ---- Working hours from a start

struct HoursCase {
  const char* start;  // Beijing
  double hours;
  const char* end_utc;
};

// Each with its expiry in Beijing time.
const HoursCase kHoursCases[] = {
    {"2025-03-10 10:00", 1, "2025-03-10T03:00:00.000Z"},    // Monday 11:00
    {"2025-03-10 09:00", 3, "2025-03-10T04:00:00.000Z"},    // 12:00, not 13:00
    {"2025-03-10 11:00", 2, "2025-03-10T06:00:00.000Z"},    // over lunch: 14:00
    {"2025-03-10 11:45", 0.5, "2025-03-10T05:15:00.000Z"},  // over lunch: 13:15
    {"2025-03-10 12:30", 1, "2025-03-10T06:00:00.000Z"},    // from lunch: 14:00
    {"2025-03-10 17:00", 2, "2025-03-11T02:00:00.000Z"},    // over the night: Tuesday 10:00
    {"2025-03-10 20:00", 1, "2025-03-11T02:00:00.000Z"},    // from the evening: Tuesday 10:00
    {"2025-03-10 20:00", 0, "2025-03-11T01:00:00.000Z"},    // the next working moment: 09:00
    {"2025-03-10 12:00", 0, "2025-03-10T05:00:00.000Z"},    // 12:00 is lunch: 13:00
    {"2025-03-10 09:00", 8, "2025-03-10T10:00:00.000Z"},    // the whole day: 18:00
    {"2025-03-14 16:00", 4, "2025-03-17T03:00:00.000Z"},    // over the weekend: Monday 11:00
    {"2025-03-15 10:00", 1, "2025-03-17T02:00:00.000Z"},    // from Saturday: Monday 10:00
    {"2025-10-03 10:00", 1, "2025-10-09T02:00:00.000Z"},    // from 国庆: Thursday 10-09 10:00
    // 国庆 2026: Tuesday 09-29 16:00-18:00 and 09-30 make 10 h; 10-01..10-07 rest; 10-08 and
    // 10-09 make 26 h; Saturday 10-10 is a make-up day; Sunday 10-11 rests.
    {"2026-09-29 16:00", 28, "2026-10-10T03:00:00.000Z"},    // Saturday 10-10 11:00
    {"2026-09-29 16:00", 36, "2026-10-12T03:00:00.000Z"},    // Monday 10-12 11:00
    {"2025-01-24 17:00", 1.25, "2025-01-26T01:15:00.000Z"},  // Friday to the make-up Sunday
};

TEST(WorkCalendarTest, AddWorkingHours) {
  for (const HoursCase& c : kHoursCases) {
    EXPECT_EQ(FormatUtc(China().AddWorkingHours(Beijing(c.start), c.hours)), c.end_utc)
        << c.start << " + " << c.hours << " h";
  }
}

TEST(WorkCalendarTest, NegativeHoursCountAsZero) {
  EXPECT_EQ(FormatUtc(China().AddWorkingHours(Beijing("2025-03-10 20:00"), -3)),
            "2025-03-11T01:00:00.000Z");
}

TEST(WorkCalendarTest, WorkingHoursBetweenUndoesAddWorkingHours) {
  for (const HoursCase& c : kHoursCases) {
    TimePoint end = *ParseUtc(c.end_utc);
    EXPECT_DOUBLE_EQ(China().WorkingHoursBetween(Beijing(c.start), end), c.hours)
        << c.start << " + " << c.hours << " h";
  }
}

TEST(WorkCalendarTest, AddWorkingHoursUndoesWorkingHoursBetween) {
  // Ends inside working time or at the end of a period, starts anywhere.
  const std::pair<const char*, const char*> spans[] = {
      {"2025-03-10 10:00", "2025-03-10 11:30"}, {"2025-03-10 08:00", "2025-03-10 12:00"},
      {"2025-03-10 12:30", "2025-03-10 13:00"}, {"2025-03-10 21:00", "2025-03-12 17:59"},
      {"2025-01-27 12:15", "2025-02-05 09:01"}, {"2026-09-19 07:00", "2026-10-10 18:00"},
  };
  for (const auto& [from, to] : spans) {
    double hours = China().WorkingHoursBetween(Beijing(from), Beijing(to));
    EXPECT_EQ(FormatUtc(China().AddWorkingHours(Beijing(from), hours)), FormatUtc(Beijing(to)))
        << from << " .. " << to;
  }
}

TEST(WorkCalendarTest, WorkingHoursBetween) {
  auto between = [](const char* from, const char* to) {
    return China().WorkingHoursBetween(Beijing(from), Beijing(to));
  };
  EXPECT_EQ(between("2025-03-10 12:30", "2025-03-10 14:00"), 1.0);   // lunch does not count
  EXPECT_EQ(between("2025-03-10 20:00", "2025-03-11 09:30"), 0.5);   // nor does the night
  EXPECT_EQ(between("2025-03-14 17:00", "2025-03-17 10:00"), 2.0);   // nor the weekend
  EXPECT_EQ(between("2025-01-28 10:00", "2025-02-04 17:00"), 0.0);   // nor the holiday
  EXPECT_EQ(between("2025-09-26 09:00", "2025-09-29 09:00"), 16.0);  // make-up Sunday 09-28 does
  EXPECT_EQ(between("2025-03-10 00:00", "2025-03-17 00:00"), 40.0);  // an ordinary week
  EXPECT_EQ(between("2025-03-10 14:00", "2025-03-10 10:00"), 0.0);   // backwards
  EXPECT_EQ(between("2025-03-10 14:00", "2025-03-10 14:00"), 0.0);
}

}  // namespace
}  // namespace shequ::cases
