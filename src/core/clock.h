#pragma once
// Time comes from an injectable Clock so that expiry, lockout and deadlines can
// be tested without waiting.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>

namespace shequ {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  static const Clock& System();
};

// A clock tests move by hand.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void Advance(std::chrono::system_clock::duration d) { now_ += d.count(); }

 private:
  std::atomic<TimePoint::rep> now_;
};

// "2026-11-23T09:33:17.123Z": sorts as text, the same on SQLite and PostgreSQL.
std::string FormatUtc(TimePoint t);
// The inverse of FormatUtc; nullopt for any other form.
std::optional<TimePoint> ParseUtc(const std::string& text);
// The date in Beijing (UTC+8, no daylight saving) at `t`, "YYYY-MM-DD": the
// platform's users live there, so "today" and ages follow their calendar.
std::string BeijingDate(TimePoint t);
// Whole years between `birth_date` and `today` (both "YYYY-MM-DD"); 0 when
// either is shorter. Born on 29 February: a year older on 1 March of a common year.
int Age(std::string_view birth_date, std::string_view today);
// Whether `text` is a real calendar date written "YYYY-MM-DD".
bool IsDate(std::string_view text);

}  // namespace shequ
