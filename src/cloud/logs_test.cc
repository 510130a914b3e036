// cloud logs: time arguments, line formats.
#include "cloud/logs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

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
  // Too many digits for a span is a bad value, not an out_of_range escaping.
  EXPECT_THROW(parse_time("99999999999999999999999h", k_now, "x"), Error);
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

// ----- the follow loop on a scripted HTTP seam ------------------------------
namespace handoff::cloud {
namespace {

struct PagedLogs : aws::HttpClient {
  std::vector<nlohmann::json> pages;  ///< answers in order; then empty pages
  std::vector<nlohmann::json> bodies;
  aws::HttpResponse send(const aws::HttpRequest& req) override {
    bodies.push_back(nlohmann::json::parse(req.body));
    aws::HttpResponse r;
    r.status = 200;
    r.headers = {{"content-type", "application/x-amz-json-1.1"}};
    size_t i = bodies.size() - 1;
    r.body = (i < pages.size() ? pages[i] : nlohmann::json{{"events", nlohmann::json::array()}}).dump();
    return r;
  }
};

nlohmann::json ev(const std::string& id, int64_t ts, const std::string& msg) {
  return {{"eventId", id}, {"timestamp", ts}, {"message", msg}, {"logStreamName", "s"}};
}

TEST(CloudLogsFollow, FollowsPagesDropsRepeatsAndLooksBack) {
  auto http = std::make_shared<PagedLogs>();
  http->pages = {{{"events", {ev("a", 1000000, "one"), ev("b", 1000001, "two")}}, {"nextToken", "n1"}},
                 {{"events", {ev("c", 1000002, "three")}}},
                 // The next poll sees them again (it looks back), plus a new one.
                 {{"events", {ev("b", 1000001, "two"), ev("c", 1000002, "three"), ev("d", 1000003, "four")}}}};
  aws::ClientConfig cfg;
  cfg.env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "AWS_ACCESS_KEY_ID") return "AKID";
    if (n == "AWS_SECRET_ACCESS_KEY") return "secret-for-the-fake";
    if (n == "AWS_REGION") return "eu-west-1";
    if (n == "AWS_ENDPOINT_URL") return "http://127.0.0.1:9";
    if (n == "AWS_CONFIG_FILE" || n == "AWS_SHARED_CREDENTIALS_FILE") return "/nonexistent";
    return std::nullopt;
  };
  cfg.http = http;
  aws::Client client(cfg);
  char path[] = "/tmp/handoff-logs-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  LogsOptions o;
  o.log_group = "handoff/dev-rg/t";
  o.follow = true;
  o.follow_timeout = 0.3;
  o.first_delay = 0.01;
  o.max_delay = 0.02;
  o.format = "{eventId}";
  o.file = path;
  EXPECT_EQ(logs(client, o), 0);
  std::FILE* f = std::fopen(path, "r");
  ASSERT_TRUE(f);
  char buf[256] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::remove(path);
  EXPECT_EQ(std::string(buf, n), "a\nb\nc\nd\n");
  ASSERT_GE(http->bodies.size(), 4u);
  EXPECT_FALSE(http->bodies[0].contains("nextToken"));
  EXPECT_EQ(http->bodies[1]["nextToken"], "n1");
  EXPECT_FALSE(http->bodies[2].contains("nextToken"));
  EXPECT_EQ(http->bodies[2]["startTime"], 1000002 - 10000);
  EXPECT_EQ(http->bodies.back()["startTime"], 1000003 - 10000);
}

}  // namespace
}  // namespace handoff::cloud
