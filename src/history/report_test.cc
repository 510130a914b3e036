#include "history/report.h"

#include <gtest/gtest.h>

#include <regex>

namespace handoff::history {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

Run sample() {
  history::Run run;
  auto& r = run.record;
  r.id = "20261128T110000.000001Z";
  r.stage = "dev";
  r.start = 1000;
  r.end = 1004;
  r.exit_code = 1;
  auto proc = [&](std::string task, std::string command, double s, double e) {
    engine::ProcessRecord p;
    p.task = std::move(task);
    p.command = std::move(command);
    p.start = s;
    p.end = e;
    p.pid = static_cast<int>(r.processes.size()) + 100;
    r.processes.push_back(p);
    return &r.processes.back();
  };
  proc("<b>extract</b>", "cat 'in' | grep \"a\" && echo <script>alert(1)</script>", 1000.1, 1002);
  proc("<b>extract</b>", "wc -l", 1000.1, 1002.5);
  proc("load[0]", "false", 1002.5, 1003)->failed = true;
  auto* t = proc("load[1]", "sleep 9", 1002.5, 1004);
  t->failed = true;
  t->timed_out = true;
  t->signal = 15;
  auto* k = proc("load[2]", "sleep 9", 1002.5, 1003.5);
  k->failed = true;
  k->signal = 9;
  return run;
}

TEST(HistoryHtmlEscape, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(html_escape("plain ü"), "plain ü");
}

TEST(HistoryReport, OneBarPerProcessColoredByOutcome) {
  history::Run run = sample();
  std::string html = render_report(run, {run});
  EXPECT_EQ(count(html, "data-process=\""), run.record.processes.size());
  for (size_t i = 0; i < run.record.processes.size(); ++i) {
    EXPECT_NE(html.find("data-process=\"" + std::to_string(i) + "\""), std::string::npos) << i;
  }
  EXPECT_EQ(count(html, "class=\"bar ok\""), 2u);
  EXPECT_EQ(count(html, "class=\"bar failed\""), 1u);
  EXPECT_EQ(count(html, "class=\"bar timed-out\""), 1u);
  EXPECT_EQ(count(html, "class=\"bar killed\""), 1u);
  EXPECT_EQ(count(html, "data-run=\""), 1u);
  EXPECT_NE(html.find("exit 0"), std::string::npos);
}

TEST(HistoryReport, TaskNamesAndCommandsAreEscaped) {
  std::string html = render_report(sample(), {});
  EXPECT_EQ(html.find("<b>extract"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;extract&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("grep &quot;a&quot;"), std::string::npos);
  // Only our own script element.
  EXPECT_EQ(count(html, "<script>"), 1u);
}

TEST(HistoryReport, NothingIsFetched) {
  history::Run run = sample();
  run.source = "s3://bucket/etl/artifacts/archives/x/_handoff_run.json";
  run.archive = "x";
  run.artifacts = {{"out.csv", 3}};
  std::string html = render_report(run, {run});
  EXPECT_EQ(html.find("://"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=)")));
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

TEST(HistoryReport, RecentRunsChartMarksThisRun) {
  history::Run a = sample();
  history::Run b = sample();
  b.record.id = "20261128T120000.000001Z";
  b.record.end = b.record.start + 8;
  std::string html = render_report(b, {a, b});
  EXPECT_EQ(count(html, "data-run=\""), 2u);
  EXPECT_EQ(count(html, " current\""), 1u);
  EXPECT_NE(html.find("data-run=\"20261128T120000.000001Z\" class=\"failed current\""), std::string::npos);
}

TEST(HistoryReport, TickStepsAreOneTwoFive) {
  EXPECT_DOUBLE_EQ(tick_step(4.0), 0.5);
  EXPECT_DOUBLE_EQ(tick_step(10.0), 1.0);
  EXPECT_DOUBLE_EQ(tick_step(15.0), 2.0);
  EXPECT_DOUBLE_EQ(tick_step(0.03), 0.005);
  EXPECT_DOUBLE_EQ(tick_step(3600), 500);
}

}  // namespace
}  // namespace handoff::history
