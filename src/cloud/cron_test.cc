#include "cloud/cron.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace handoff::cloud {
namespace {

std::vector<std::string> runs(const std::string& expr, const std::string& after, int count = 5) {
  std::vector<std::string> out;
  for (TimePoint t : next_runs(parse_cron(expr), parse_utc(after), count)) out.push_back(format_utc(t));
  return out;
}

std::string error_of(const std::string& expr) {
  try {
    parse_cron(expr);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), k_exit_usage);
    return e.what();
  }
  return "";
}

using V = std::vector<std::string>;

TEST(Cron, DailyAtMidnightStartsTheNextDay) {
  EXPECT_EQ(runs("0 0 * * ? *", "2026-12-01T11:58:00Z"),
            (V{"2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z",
               "2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"}));
}

TEST(Cron, ARunAtTheStartTimeItselfIsNotNext) {
  EXPECT_EQ(runs("0 0 * * ? *", "2026-12-02T00:00:00Z", 1), (V{"2026-12-03T00:00:00Z"}));
  EXPECT_EQ(runs("* * * * ? *", "2026-12-02T00:00:59Z", 2),
            (V{"2026-12-02T00:01:00Z", "2026-12-02T00:02:00Z"}));
}

TEST(Cron, AcceptsTheCronWrapper) {
  EXPECT_EQ(runs("cron(30 6 * * ? *)", "2026-12-01T07:00:00Z", 1), (V{"2026-12-02T06:30:00Z"}));
}

TEST(Cron, StepsFromStarAndFromAValue) {
  EXPECT_EQ(runs("0/15 * * * ? *", "2026-01-01T00:07:30Z"),
            (V{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z",
               "2026-01-01T01:00:00Z", "2026-01-01T01:15:00Z"}));
  EXPECT_EQ(runs("*/20 */12 * * ? *", "2026-01-01T00:00:00Z", 4),
            (V{"2026-01-01T00:20:00Z", "2026-01-01T00:40:00Z", "2026-01-01T12:00:00Z",
               "2026-01-01T12:20:00Z"}));
}

TEST(Cron, RangeWithStepCrossesMidnightAndYear) {
  EXPECT_EQ(runs("5-20/5 * * * ? *", "2026-01-01T23:50:00Z", 6),
            (V{"2026-01-02T00:05:00Z", "2026-01-02T00:10:00Z", "2026-01-02T00:15:00Z",
               "2026-01-02T00:20:00Z", "2026-01-02T01:05:00Z", "2026-01-02T01:10:00Z"}));
  EXPECT_EQ(runs("0 0 * * ? *", "2026-12-31T12:00:00Z", 1), (V{"2027-01-01T00:00:00Z"}));
}

TEST(Cron, ListsOfHoursAndMonthNamesInAnyCase) {
  EXPECT_EQ(runs("0 8,20 1 jan,Jul ? *", "2026-01-01T09:00:00Z", 4),
            (V{"2026-01-01T20:00:00Z", "2026-07-01T08:00:00Z", "2026-07-01T20:00:00Z",
               "2027-01-01T08:00:00Z"}));
}

TEST(Cron, LastDayOfMonthInLeapAndCommonYears) {
  EXPECT_EQ(runs("0 12 L * ? *", "2024-01-15T00:00:00Z"),
            (V{"2024-01-31T12:00:00Z", "2024-02-29T12:00:00Z", "2024-03-31T12:00:00Z",
               "2024-04-30T12:00:00Z", "2024-05-31T12:00:00Z"}));
  EXPECT_EQ(runs("0 0 L 2 ? *", "2023-01-01T00:00:00Z", 3),
            (V{"2023-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}));
}

TEST(Cron, TheTwentyNinthOfFebruaryOnlyInLeapYears) {
  EXPECT_EQ(runs("0 0 29 2 ? *", "2021-01-01T00:00:00Z", 3),
            (V{"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}));
  // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
  EXPECT_EQ(runs("0 0 29 2 ? *", "2096-03-01T00:00:00Z", 1), (V{"2104-02-29T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 29 2 ? *", "1999-01-01T00:00:00Z", 1), (V{"2000-02-29T00:00:00Z"}));
}

TEST(Cron, TheThirtyFirstSkipsShortMonths) {
  EXPECT_EQ(runs("0 0 31 * ? *", "2026-01-01T00:00:00Z"),
            (V{"2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z",
               "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"}));
}

TEST(Cron, DayOfWeekNumbersStartAtSunday) {
  // 2 is Monday in AWS (1 = SUN); 2026-12-01 is a Tuesday.
  V mondays = {"2026-12-07T09:00:00Z", "2026-12-14T09:00:00Z", "2026-12-21T09:00:00Z",
               "2026-12-28T09:00:00Z", "2027-01-04T09:00:00Z"};
  EXPECT_EQ(runs("0 9 ? * 2 *", "2026-12-01T11:58:00Z"), mondays);
  EXPECT_EQ(runs("0 9 ? * MON *", "2026-12-01T11:58:00Z"), mondays);
  EXPECT_EQ(runs("0 0 ? * 1 *", "2026-12-01T00:00:00Z", 1), (V{"2026-12-06T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 ? * 7 *", "2026-12-01T00:00:00Z", 1), (V{"2026-12-05T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 ? * L *", "2026-12-01T00:00:00Z", 1), (V{"2026-12-05T00:00:00Z"}));
}

TEST(Cron, WeekdayRangesIncludingOneThatWraps) {
  EXPECT_EQ(runs("0 0 ? * MON-FRI *", "2026-12-04T12:00:00Z", 3),
            (V{"2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", "2026-12-09T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 ? * FRI-MON *", "2026-12-01T00:00:00Z"),
            (V{"2026-12-04T00:00:00Z", "2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z",
               "2026-12-07T00:00:00Z", "2026-12-11T00:00:00Z"}));
}

TEST(Cron, LastFridayOfTheMonth) {
  EXPECT_EQ(runs("0 18 ? * 6L *", "2026-01-01T00:00:00Z"),
            (V{"2026-01-30T18:00:00Z", "2026-02-27T18:00:00Z", "2026-03-27T18:00:00Z",
               "2026-04-24T18:00:00Z", "2026-05-29T18:00:00Z"}));
  EXPECT_EQ(runs("0 18 ? * FRIL *", "2026-01-01T00:00:00Z", 1), (V{"2026-01-30T18:00:00Z"}));
}

TEST(Cron, FirstMondayWithHash) {
  EXPECT_EQ(runs("0 10 ? * 2#1 *", "2026-01-01T00:00:00Z"),
            (V{"2026-01-05T10:00:00Z", "2026-02-02T10:00:00Z", "2026-03-02T10:00:00Z",
               "2026-04-06T10:00:00Z", "2026-05-04T10:00:00Z"}));
  // A fifth Friday exists only in some months (2026: January, May, July, October).
  EXPECT_EQ(runs("0 0 ? * FRI#5 *", "2026-01-01T00:00:00Z", 2),
            (V{"2026-01-30T00:00:00Z", "2026-05-29T00:00:00Z"}));
}

TEST(Cron, NearestWeekday) {
  // 2025-11-01 and 2026-08-01 are Saturdays: 1W is Monday the 3rd, not the month before.
  EXPECT_EQ(runs("0 0 1W * ? *", "2025-10-02T00:00:00Z", 1), (V{"2025-11-03T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 1W 8 ? *", "2026-01-01T00:00:00Z", 1), (V{"2026-08-03T00:00:00Z"}));
  // 2026-02-15 is a Sunday: Monday the 16th.
  EXPECT_EQ(runs("0 0 15W 2 ? *", "2026-01-01T00:00:00Z", 1), (V{"2026-02-16T00:00:00Z"}));
  // 2026-05-31 is a Sunday and the month's last day: Friday the 29th; 30 is a Saturday: the 29th.
  EXPECT_EQ(runs("0 0 31W 5 ? *", "2026-01-01T00:00:00Z", 1), (V{"2026-05-29T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 30W 5 ? *", "2026-01-01T00:00:00Z", 1), (V{"2026-05-29T00:00:00Z"}));
}

TEST(Cron, LastWeekdayOfTheMonth) {
  EXPECT_EQ(runs("0 0 LW * ? *", "2026-01-01T00:00:00Z"),
            (V{"2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z",
               "2026-04-30T00:00:00Z", "2026-05-29T00:00:00Z"}));
}

TEST(Cron, YearsEndTheSeries) {
  EXPECT_EQ(runs("0 0 1 1 ? 2027-2028", "2026-06-01T00:00:00Z"),
            (V{"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 1 1 ? 2020", "2026-06-01T00:00:00Z"), V{});
}

TEST(Cron, ErrorsNameTheFieldAndThePart) {
  EXPECT_EQ(error_of("0 0 * * *"), "cron '0 0 * * *' has 5 fields, AWS cron has 6");
  EXPECT_EQ(error_of("0 0 * * * *"),
            "cron '0 0 * * * *': exactly one of day-of-month '*' and day-of-week '*' must be '?'");
  EXPECT_EQ(error_of("0 0 ? * ? *"),
            "cron '0 0 ? * ? *': exactly one of day-of-month '?' and day-of-week '?' must be '?'");
  EXPECT_EQ(error_of("60 0 * * ? *"), "cron '60 0 * * ? *': minutes '60': 60 is out of range 0-59");
  EXPECT_EQ(error_of("0 5-2 * * ? *"), "cron '0 5-2 * * ? *': hours '5-2': range 5-2 runs backwards");
  EXPECT_EQ(error_of("0 0 ? * 8 *"), "cron '0 0 ? * 8 *': day-of-week '8': 8 is out of range 1-7");
  EXPECT_EQ(error_of("0 0 ? * FUN *"),
            "cron '0 0 ? * FUN *': day-of-week 'FUN': 'FUN' is neither a number 1-7 nor a name SUN-SAT");
  EXPECT_EQ(error_of("*/0 0 * * ? *"), "cron '*/0 0 * * ? *': minutes '*/0': step '0' must be a positive number");
  EXPECT_EQ(error_of("*/99999999999 0 * * ? *"),
            "cron '*/99999999999 0 * * ? *': minutes '*/99999999999': step '99999999999' must be a positive number");
  EXPECT_EQ(error_of("99999999999 0 * * ? *"),
            "cron '99999999999 0 * * ? *': minutes '99999999999': 99999999999 is out of range 0-59");
  EXPECT_EQ(error_of("0 0 L-3 * ? *"),
            "cron '0 0 L-3 * ? *': day-of-month 'L-3': L, LW and nW stand alone (not in lists or "
            "ranges); L-n is not supported");
  EXPECT_EQ(error_of("0 0 ? * 2#6 *"), "cron '0 0 ? * 2#6 *': day-of-week '2#6': after '#' comes 1-5");
  EXPECT_EQ(error_of("0 0 * 13 ? *"), "cron '0 0 * 13 ? *': month '13': 13 is out of range 1-12");
  EXPECT_EQ(error_of("rate(5 minutes)"), "'rate(5 minutes)' is a rate expression, not cron");
  EXPECT_EQ(error_of("0 0 * * ? 1969"), "cron '0 0 * * ? 1969': year '1969': 1969 is out of range 1970-2199");
}

TEST(Cron, UtcTimesRoundTrip) {
  EXPECT_EQ(format_utc(parse_utc("2026-12-01T13:40:05Z")), "2026-12-01T13:40:05Z");
  EXPECT_EQ(format_utc(parse_utc("2026-12-01 13:40:05")), "2026-12-01T13:40:05Z");
  EXPECT_EQ(format_utc(parse_utc("2026-12-01T13:40")), "2026-12-01T13:40:00Z");
  EXPECT_EQ(format_utc(parse_utc("2026-12-01")), "2026-12-01T00:00:00Z");
  EXPECT_THROW(parse_utc("2026-02-30"), Error);
  EXPECT_THROW(parse_utc("tomorrow"), Error);
}

}  // namespace
}  // namespace handoff::cloud
