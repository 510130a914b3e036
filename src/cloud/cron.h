#pragma once
// EventBridge's cron expressions (the six fields inside `cron(...)`), parsed
// and evaluated in UTC:
//   minutes hours day-of-month month day-of-week year
// with `*`, `?`, ranges `a-b`, lists `a,b`, steps `a/n` and `a-b/n`, month
// names JAN-DEC, weekday names SUN-SAT (1 = SUN … 7 = SAT, as AWS numbers
// them), and in the day fields `L`, `LW`, `nW` (day of month) and `nL`, `n#k`
// (day of week). One of the two day fields must be `?`, as AWS requires.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
#include <bitset>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::cloud {

using TimePoint = std::chrono::sys_seconds;

/// A parsed expression. Sets are indexed by the field's own numbers.
struct Cron {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<13> months;  ///< 1-12
  std::vector<bool> years; ///< index year - k_min_year

  enum class DayKind { any, days, last, last_weekday, nearest_weekday, weekdays,
                       last_of_weekday, nth_weekday };
  /// Which of the day fields is in force (the other one is `?`).
  bool by_weekday = false;
  DayKind kind = DayKind::any;
  std::bitset<32> days;      ///< DayKind::days: 1-31
  int day = 0;               ///< nearest_weekday: the day of month
  std::bitset<8> weekdays;   ///< DayKind::weekdays: 1-7 (1 = SUN)
  int weekday = 0;           ///< last_of_weekday / nth_weekday: 1-7
  int nth = 0;               ///< nth_weekday: 1-5

  std::string text;          ///< the expression as given (inner text)

  static constexpr int k_min_year = 1970;
  static constexpr int k_max_year = 2199;
};

/// Parse the inner text ("0 0 * * ? *") or a whole "cron(...)". Throws
/// handoff::Error (exit 2) naming the field and the part it cannot use.
Cron parse_cron(std::string_view expression);

/// Whether the day (UTC calendar date) matches the day fields.
bool day_matches(const Cron& cron, std::chrono::year_month_day date);

/// The next `count` run times strictly after `after` (fewer when the years
/// run out).
std::vector<TimePoint> next_runs(const Cron& cron, TimePoint after, int count);

/// "2026-12-01T00:00:00Z".
std::string format_utc(TimePoint t);
/// Parse "2026-12-01T00:00:00Z", "2026-12-01T00:00", "2026-12-01 00:00:00"
/// or "2026-12-01" (UTC); throws handoff::Error (exit 2) otherwise.
TimePoint parse_utc(std::string_view text);

}  // namespace handoff::cloud
