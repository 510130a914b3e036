#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/run_record.h"
#include "history/cache.h"
#include "history/local.h"
#include "history/lookup.h"
#include "history/run.h"
#include "history/summary.h"
#include "util/error.h"
#include "util/fs.h"

namespace handoff::history {
namespace {
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/handoff-history-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

engine::RunRecord record(const std::string& id, double start, int exit_code = 0) {
  engine::RunRecord r;
  r.id = id;
  r.stage = "dev";
  r.start = start;
  r.end = start + 2.5;
  r.exit_code = exit_code;
  r.tasks.push_back({"extract", start, start + 2.5, exit_code});
  engine::ProcessRecord p;
  p.task = "extract";
  p.command = "cat <in> & echo \"done\"";
  p.pid = 42;
  p.start = start + 0.5;
  p.end = start + 2.0;
  p.exit_code = exit_code;
  p.failed = exit_code != 0;
  p.log_bytes = 10;
  p.read_bytes = 2048;
  p.write_bytes = -1;
  r.processes.push_back(p);
  return r;
}

TEST(HistoryRecord, ReadsBackWhatTheEngineWrites) {
  auto r = record("20261128T032732.123456Z", 1795923652.123456, 3);
  r.processes[0].signal = 9;
  r.processes[0].timed_out = true;
  auto back = parse_record(engine::to_json(r), "x.json");
  EXPECT_EQ(back.id, r.id);
  EXPECT_EQ(back.stage, "dev");
  EXPECT_NEAR(back.start, r.start, 1e-6);
  EXPECT_NEAR(back.end, r.end, 1e-6);
  EXPECT_EQ(back.exit_code, 3);
  ASSERT_EQ(back.tasks.size(), 1u);
  EXPECT_EQ(back.tasks[0].name, "extract");
  ASSERT_EQ(back.processes.size(), 1u);
  const auto& p = back.processes[0];
  EXPECT_EQ(p.command, r.processes[0].command);
  EXPECT_EQ(p.pid, 42);
  EXPECT_NEAR(p.start, r.processes[0].start, 1e-6);
  EXPECT_EQ(p.signal, 9);
  EXPECT_TRUE(p.timed_out);
  EXPECT_TRUE(p.failed);
  EXPECT_EQ(p.read_bytes, 2048);
  EXPECT_EQ(p.write_bytes, -1);
  EXPECT_EQ(outcome(p), Outcome::timed_out);
}

TEST(HistoryRecord, OutcomeOfEachKindOfEnd) {
  engine::ProcessRecord p;
  EXPECT_EQ(outcome(p), Outcome::ok);
  p.signal = 13;  // a SIGPIPE'd stage the engine accepted
  EXPECT_EQ(outcome(p), Outcome::ok);
  p.failed = true;
  EXPECT_EQ(outcome(p), Outcome::killed);
  p.signal = 0;
  EXPECT_EQ(outcome(p), Outcome::failed);
  EXPECT_EQ(to_string(Outcome::timed_out), "timed out");
}

TEST(HistoryRecord, NotARecordNamesTheFile) {
  try {
    parse_record("{\"stage\": \"dev\"}", "/ws/.handoff/runs/bad.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "'/ws/.handoff/runs/bad.json' is not a run record: no 'id'");
  }
  EXPECT_THROW(parse_record("not json", "f"), Error);
  // An id names the report file: a path from a hostile store is not a run id.
  for (const char* id : {"../../../x", "/etc/cron.d/x", "a/b", "", "2026-12-01T15..x"}) {
    EXPECT_THROW(parse_record(std::string("{\"id\": \"") + id + "\"}", "s3://b/k"), Error) << id;
  }
  EXPECT_EQ(parse_record("{\"id\": \"2026-12-01T154401.723636\", \"start\": \"2026-12-01T15:44:01\", "
                         "\"end\": \"2026-12-01T15:44:02\"}", "f").id,
            "2026-12-01T154401.723636");
  EXPECT_THROW(parse_iso_utc("yesterday"), Error);
  EXPECT_NEAR(parse_iso_utc("1970-01-02T00:00:01.5"), 86401.5, 1e-9);
  EXPECT_NEAR(parse_iso_utc("1970-01-02T00:00:01.5Z"), 86401.5, 1e-9);
}

TEST(HistoryLocal, ListsRecordsOldestFirstAndSkipsBadFiles) {
  TempDir ws;
  engine::save_record(record("20261128T120000.000002Z", 1795953600.000002), ws.path());
  engine::save_record(record("20261128T110000.000001Z", 1795950000.000001, 1), ws.path());
  util::write_file_atomic(runs_dir(ws.path()) / "junk.json", "{", 0600);
  util::write_file_atomic(runs_dir(ws.path()) / "notes.txt", "hello", 0600);
  auto runs = list_local(ws.path());
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].record.id, "20261128T110000.000001Z");
  EXPECT_EQ(runs[1].record.id, "20261128T120000.000002Z");
  EXPECT_EQ(runs[0].source, (runs_dir(ws.path()) / "20261128T110000.000001Z.json").string());
  EXPECT_TRUE(runs[0].archive.empty());
}

TEST(HistoryLocal, NoFolderIsNoRuns) {
  TempDir ws;
  EXPECT_TRUE(list_local(ws.path() / "missing").empty());
}

std::vector<Run> three_runs() {
  std::vector<Run> runs;
  for (const char* id : {"20261128T110000.000001Z", "20261128T113000.000001Z", "20261129T090000.000001Z"}) {
    history::Run r;
    r.record = record(id, 1795950000);
    runs.push_back(r);
  }
  return runs;
}

TEST(HistoryFindRun, WholeIdUniquePrefixAndLast) {
  auto runs = three_runs();
  EXPECT_EQ(find_run(runs, "20261128T113000.000001Z", "").record.id, "20261128T113000.000001Z");
  EXPECT_EQ(find_run(runs, "20261129", "").record.id, "20261129T090000.000001Z");
  EXPECT_EQ(find_run(runs, "20261128T110", "").record.id, "20261128T110000.000001Z");
  EXPECT_EQ(find_run(runs, "last", "").record.id, "20261129T090000.000001Z");
}

TEST(HistoryFindRun, AmbiguousPrefixListsTheCandidates) {
  auto runs = three_runs();
  try {
    find_run(runs, "20261128", "");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "run id prefix '20261128' matches 2 runs: 20261128T110000.000001Z, 20261128T113000.000001Z");
    EXPECT_EQ(e.exit_code(), k_exit_usage);
  }
}

TEST(HistoryFindRun, UnknownIdNamesTheNearest) {
  auto runs = three_runs();
  try {
    find_run(runs, "20261129T0800", "");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no run with id '20261129T0800'");
    EXPECT_EQ(e.hint().rfind("nearest ids: 20261129T090000.000001Z, ", 0), 0u) << e.hint();
  }
}

TEST(HistoryFindRun, NoRunsSaysHowToMakeOne) {
  try {
    find_run({}, "last", "make one with handoff run local");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no runs yet");
    EXPECT_EQ(e.hint(), "make one with handoff run local");
  }
}

TEST(HistorySummary, ListJsonHoldsEveryField) {
  auto runs = three_runs();
  runs[1].record.exit_code = 1;
  runs[1].record.processes[0].failed = true;
  runs[2].archive = "2026-11-29T09:00:05.000000";
  runs[2].artifacts = {{"out.csv", 12}};
  auto j = list_json(runs);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["id"], "20261128T110000.000001Z");
  EXPECT_EQ(j[0]["stage"], "dev");
  EXPECT_EQ(j[0]["start"], "2026-11-29T11:00:00.000000");
  EXPECT_DOUBLE_EQ(j[0]["duration_s"].get<double>(), 2.5);
  EXPECT_EQ(j[0]["processes"], 1);
  EXPECT_EQ(j[0]["failed"], 0);
  EXPECT_EQ(j[1]["failed"], 1);
  EXPECT_EQ(j[1]["exit_code"], 1);
  EXPECT_EQ(j[0]["bytes"]["read"], 2048);
  EXPECT_EQ(j[0]["bytes"]["written"], 0) << "unknown counts as 0";
  EXPECT_TRUE(j[0]["archive"].is_null());
  EXPECT_EQ(j[2]["archive"], "2026-11-29T09:00:05.000000");
  EXPECT_EQ(j[2]["artifacts"], 1);
}

TEST(HistorySummary, ShowJsonIsTheRecordWithOutcomesAndArtifacts) {
  history::Run run = three_runs()[0];
  run.artifacts = {{"out.csv", 12}};
  run.archive = "a";
  auto j = show_json(run);
  EXPECT_EQ(j["id"], run.record.id);
  EXPECT_EQ(j["processes"][0]["command"], run.record.processes[0].command);
  EXPECT_EQ(j["processes"][0]["outcome"], "ok");
  EXPECT_EQ(j["processes"][0]["pid"], 42);
  EXPECT_EQ(j["artifacts"][0]["key"], "out.csv");
  EXPECT_EQ(j["artifacts"][0]["size"], 12);
  EXPECT_EQ(j["bytes"]["log"], 10);
}

TEST(HistorySummary, TextTableHasOneLinePerRun) {
  auto text = list_text(three_runs());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  EXPECT_EQ(text.rfind("ID ", 0), 0u);
  EXPECT_NE(text.find("20261129T090000.000001Z"), std::string::npos);
  EXPECT_EQ(format_duration(2.5), "2.500 s");
  EXPECT_EQ(format_duration(125), "2 min 5.0 s");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(12), "12 B");
}

TEST(HistoryObjectCache, HitsOnlyWithTheSameEtagAndSurvivesReopening) {
  TempDir dir;
  fs::path db = dir.path() / ".handoff" / "history.sqlite";
  {
    ObjectCache cache(db);
    ASSERT_TRUE(cache.enabled());
    EXPECT_FALSE(cache.get("b", "k", "e1"));
    cache.put("b", "k", "e1", std::string("body\0with nul", 13));
  }
  ObjectCache cache(db);
  EXPECT_EQ(cache.get("b", "k", "e1"), std::string("body\0with nul", 13));
  EXPECT_FALSE(cache.get("b", "k", "e2"));
  cache.put("b", "k", "e2", "new");
  EXPECT_EQ(cache.get("b", "k", "e2"), "new");
  EXPECT_FALSE(cache.get("b", "k", "e1"));
}

TEST(HistoryObjectCache, AnUnusableFileDisablesTheCache) {
  TempDir dir;
  fs::path db = dir.path() / "history.sqlite";
  util::write_file_atomic(db, "this is not a database, just text that fills a page or so", 0600);
  ObjectCache cache(db);
  EXPECT_FALSE(cache.enabled());
  cache.put("b", "k", "e", "x");
  EXPECT_FALSE(cache.get("b", "k", "e"));
}

}  // namespace
}  // namespace handoff::history
