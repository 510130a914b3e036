// cloud logs: time arguments, line formats.
#include "cloud/logs.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace handoff::cloud {
namespace {

const auto k_now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764590400000));  // 2025-12-01T12:00Z

TEST(CloudLogsTime, IsoDatesAndTimesAreUtcUnlessTheyHaveAnOffset) {
  EXPECT_EQ(parse_time("2025-12-01", k_now, "x"), 1764547200000);
  EXPECT_EQ(parse_time("2025-12-01T12:00:00Z", k_now, "x"), 1764590400000);
  EXPECT_EQ(parse_time("2025-12-01 12:00", k_now, "x"), 1764590400000);
  EXPECT_EQ(parse_time("2025-12-01T12:00:00.5", k_now, "x"), 1764590400500);
  EXPECT_EQ(parse_time("2025-12-01T14:00:00+02:00", k_now, "x"), 1764590400000);
  EXPECT_EQ(parse_time("2025-12-01T07:00:00-0500", k_now, "x"), 1764590400000);
}

TEST(CloudLogsTime, SpansBeforeNowAndEpochs) {
  EXPECT_EQ(parse_time("now", k_now, "x"), 1764590400000);
  EXPECT_EQ(parse_time("1h", k_now, "x"), 1764590400000 - 3600000);
  EXPECT_EQ(parse_time("90s", k_now, "x"), 1764590400000 - 90000);
  EXPECT_EQ(parse_time("2d", k_now, "x"), 1764590400000 - 2 * 86400000LL);
  EXPECT_EQ(parse_time("1764590400", k_now, "x"), 1764590400000);
  EXPECT_EQ(parse_time("1764590400123", k_now, "x"), 1764590400123);
}

TEST(CloudLogsTime, NamesTheBadValue) {
  try {
    parse_time("yesterday-ish", k_now, "--start-time");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--start-time: cannot read 'yesterday-ish' as a time");
    EXPECT_EQ(e.exit_code(), 2);
  }
  EXPECT_THROW(parse_time("2025-13-01", k_now, "x"), Error);
}

aws::logs::Event event() {
  aws::logs::Event e;
  e.id = "1";
  e.stream = "handoff/dev-rg/t/img/abc";
  e.timestamp = 1764590400123;
  e.message = "hello \"world\"\n";
  return e;
}

TEST(CloudLogsFormat, DefaultJsonAndPythonStyle) {
  LogsOptions o;
  EXPECT_EQ(render_event(event(), o), "2025-12-01 12:00:00.123 hello \"world\"");
  o.json = true;
  EXPECT_EQ(render_event(event(), o),
            R"({"timestamp":"2025-12-01T12:00:00.123Z","stream":"handoff/dev-rg/t/img/abc","message":"hello \"world\""})");
  o.json = false;
  o.format = "{datetime} - {logStreamName}: {message} {nope}";
  EXPECT_EQ(render_event(event(), o), "2025-12-01 12:00:00.123 - handoff/dev-rg/t/img/abc: hello \"world\"\n {nope}");
  EXPECT_EQ(format_utc_ms(-1, true), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace handoff::cloud
