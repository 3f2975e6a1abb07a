#pragma once
// The working-day calendar that case deadlines (办理时限) are counted in. Deadlines are set in
// working hours or working days, and China moves its working days every year: statutory
// holidays (法定节假日) close weekdays, and make-up days (调休上班) open weekends. Those special
// days are data, announced each year by the State Council General Office and kept in a table
// an administrator edits, so the calendar takes them as a list and knows no file or table format.
//
// Working time is 09:00-12:00 and 13:00-18:00 Beijing time (UTC+8, no daylight saving): eight
// hours a working day. Every period is half-open, so 12:00 and 18:00 are not working moments.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace shequ::cases {

// One day that breaks the weekly rule.
struct SpecialDay {
  std::string date;  // "YYYY-MM-DD"
  bool working;      // true: a make-up working day on a Saturday or Sunday (调休上班);
                     // false: a statutory holiday (法定节假日), whatever day of the week it is
  std::string name;  // e.g. "春节", "春节调休上班"; for people, not read by the calendar
};

// "red" past `due_at`, "yellow" from `warn_at`, "green" before; "" without a
// limit. All three FormatUtc text, which sorts as time.
std::string DeadlineColour(const std::string& warn_at, const std::string& due_at, const std::string& now);

class WorkCalendar {
 public:
  // Saturdays and Sundays rest, every other day works: the calendar without special days.
  WorkCalendar() = default;

  // The calendar with `days`. Fails with a validation Status naming the field "date" when a
  // date is not a real date written "YYYY-MM-DD", appears twice, or is a make-up working day
  // that is not a Saturday or Sunday (a weekday works anyway, so such a row is a typo).
  static Result<WorkCalendar> Create(const std::vector<SpecialDay>& days);

  // Whether `day` (a Beijing calendar date) is a working day. REQUIRES: day.ok().
  bool IsWorkingDay(std::chrono::year_month_day day) const;

  // The moment a limit of `hours` working hours that starts at `start` expires. A start outside
  // working time counts from the next working moment, so 0 hours gives that moment. A limit that
  // uses up a working period exactly expires at the period's end (12:00 or 18:00), not at the
  // start of the next one. `hours` is rounded to the millisecond; a negative value counts as 0.
  // REQUIRES: hours is finite.
  TimePoint AddWorkingHours(TimePoint start, double hours) const;

  // The moment a limit of `days` working days that starts at `start` expires: 18:00 of the
  // `days`-th working day after the Beijing date of `start`. The start day never counts, whatever
  // the time of day and whether or not it is a working day; so from any time on Friday, 1 working
  // day is Monday 18:00 in an ordinary week. 0 days (当日办结) gives 18:00 of the start day when
  // it is a working day, else of the next working day; a negative value counts as 0.
  TimePoint AddWorkingDays(TimePoint start, int days) const;

  // The working hours in [from, to); 0 when to <= from. The inverse of AddWorkingHours: when
  // from <= to and `to` is a working moment or the end of a working period,
  // AddWorkingHours(from, WorkingHoursBetween(from, to)) == to, to the millisecond.
  double WorkingHoursBetween(TimePoint from, TimePoint to) const;

  // When a limit from `start` to `due` turns yellow: after 80 % of its working time.
  TimePoint WarnAt(TimePoint start, TimePoint due) const {
    return AddWorkingHours(start, 0.8 * WorkingHoursBetween(start, due));
  }

 private:
  bool Works(std::chrono::local_days day) const;

  std::map<std::chrono::local_days, bool> special_;  // date -> working
};

}  // namespace shequ::cases
