#include "cases/calendar.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <ratio>
#include <string_view>

namespace shequ::cases {

namespace {

using std::chrono::local_days;
using Duration = TimePoint::duration;
// Beijing wall-clock time; a distinct type so that it cannot be mixed up with a UTC TimePoint.
using LocalTime = std::chrono::local_time<Duration>;
using Hours = std::chrono::duration<double, std::ratio<3600>>;

constexpr std::chrono::hours kBeijingOffset{8};
constexpr std::chrono::days kOneDay{1};

struct Period {
  std::chrono::hours begin;
  std::chrono::hours end;
};
constexpr std::array<Period, 2> kWorkingPeriods{{{std::chrono::hours{9}, std::chrono::hours{12}},
                                                 {std::chrono::hours{13}, std::chrono::hours{18}}}};
constexpr std::chrono::hours kEndOfWorkingDay = kWorkingPeriods.back().end;

LocalTime ToBeijing(TimePoint t) { return LocalTime{t.time_since_epoch() + kBeijingOffset}; }
TimePoint FromBeijing(LocalTime t) { return TimePoint{t.time_since_epoch() - kBeijingOffset}; }
local_days DayOf(LocalTime t) { return std::chrono::floor<std::chrono::days>(t); }

bool IsWeekend(local_days day) {
  std::chrono::weekday weekday{day};
  return weekday == std::chrono::Saturday || weekday == std::chrono::Sunday;
}

bool AllDigits(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

int ToInt(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

// A real date written "YYYY-MM-DD"; nullopt for anything else.
std::optional<local_days> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::string_view y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!AllDigits(y) || !AllDigits(m) || !AllDigits(d)) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year{ToInt(y)},
                                   std::chrono::month{static_cast<unsigned>(ToInt(m))},
                                   std::chrono::day{static_cast<unsigned>(ToInt(d))}};
  if (!date.ok()) return std::nullopt;
  return local_days{date};
}

Status InvalidDate(const std::string& date, std::string_view zh, std::string_view en) {
  return Status::Invalid("date",
                         {fmt::format("{}：{}", date, zh), fmt::format("{}: {}", date, en)});
}

}  // namespace

Result<WorkCalendar> WorkCalendar::Create(const std::vector<SpecialDay>& days) {
  WorkCalendar calendar;
  for (const SpecialDay& special : days) {
    std::optional<local_days> date = ParseDate(special.date);
    if (!date) {
      return InvalidDate(special.date, "不是有效的日期，应写作 YYYY-MM-DD",
                         "not a real date written YYYY-MM-DD");
    }
    if (special.working && !IsWeekend(*date)) {
      return InvalidDate(special.date, "调休上班日应为周六或周日",
                         "a make-up working day must be a Saturday or Sunday");
    }
    if (!calendar.special_.emplace(*date, special.working).second) {
      return InvalidDate(special.date, "日期重复", "listed twice");
    }
  }
  return calendar;
}

bool WorkCalendar::IsWorkingDay(std::chrono::year_month_day day) const {
  return Works(local_days{day});
}

bool WorkCalendar::Works(local_days day) const {
  auto special = special_.find(day);
  return special != special_.end() ? special->second : !IsWeekend(day);
}

TimePoint WorkCalendar::AddWorkingHours(TimePoint start, double hours) const {
  Duration left = std::chrono::round<std::chrono::milliseconds>(Hours(hours > 0 ? hours : 0));
  LocalTime cursor = ToBeijing(start);
  for (local_days day = DayOf(cursor);; day += kOneDay) {
    if (!Works(day)) continue;
    for (const Period& period : kWorkingPeriods) {
      LocalTime begin = std::max(cursor, LocalTime{day + period.begin});
      LocalTime end = day + period.end;
      if (begin >= end) continue;
      if (left <= end - begin) return FromBeijing(begin + left);
      left -= end - begin;
    }
  }
}

TimePoint WorkCalendar::AddWorkingDays(TimePoint start, int days) const {
  local_days day = DayOf(ToBeijing(start));
  while (days <= 0 && !Works(day)) day += kOneDay;
  for (int counted = 0; counted < days;) {
    day += kOneDay;
    if (Works(day)) ++counted;
  }
  return FromBeijing(day + kEndOfWorkingDay);
}

double WorkCalendar::WorkingHoursBetween(TimePoint from, TimePoint to) const {
  if (to <= from) return 0;
  LocalTime first = ToBeijing(from), last = ToBeijing(to);
  Duration total{};
  for (local_days day = DayOf(first); day <= DayOf(last); day += kOneDay) {
    if (!Works(day)) continue;
    for (const Period& period : kWorkingPeriods) {
      LocalTime begin = std::max(first, LocalTime{day + period.begin});
      LocalTime end = std::min(last, LocalTime{day + period.end});
      if (begin < end) total += end - begin;
    }
  }
  return Hours(total).count();
}

std::string DeadlineColour(const std::string& warn_at, const std::string& due_at, const std::string& now) {
  if (due_at.empty()) return "";
  if (now > due_at) return "red";
  if (now >= warn_at) return "yellow";
  return "green";
}

}  // namespace shequ::cases
