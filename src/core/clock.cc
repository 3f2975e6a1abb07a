#include "core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>

namespace shequ {

namespace {
class SystemClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};
}  // namespace

const Clock& Clock::System() {
  static const SystemClock clock;
  return clock;
}

std::string FormatUtc(TimePoint t) {
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(t);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - seconds).count();
  std::time_t tt = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", tm, millis);
}

std::optional<TimePoint> ParseUtc(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis, &z) != 8 ||
      z != 'Z') {
    return std::nullopt;
  }
  // sscanf reads the layout only; timegm would roll 2025-13-01 over into 2026.
  std::chrono::year_month_day date{std::chrono::year(tm.tm_year), std::chrono::month(static_cast<unsigned>(tm.tm_mon)),
                                   std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  if (!date.ok() || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
      tm.tm_sec > 59 || millis < 0) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
}

std::string BeijingDate(TimePoint t) { return FormatUtc(t + std::chrono::hours(8)).substr(0, 10); }

int Age(std::string_view birth_date, std::string_view today) {
  if (birth_date.size() < 10 || today.size() < 10) return 0;
  int years = std::stoi(std::string(today.substr(0, 4))) - std::stoi(std::string(birth_date.substr(0, 4)));
  if (today.substr(5, 5) < birth_date.substr(5, 5)) --years;  // birthday not reached this year
  return years;
}

bool IsDate(std::string_view text) {
  return text.size() == 10 && ParseUtc(std::string(text) + "T00:00:00.000Z").has_value();
}

}  // namespace shequ
