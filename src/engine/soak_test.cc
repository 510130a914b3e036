// Soak (issue 6 point 5): many runs of a small fork + foreach project inside
// this one long-lived process. After every run no fd and no child process
// (zombies included) may be left over, every run's output must be complete,
// and after warm-up the resident set must stay flat.
//
// HO_SOAK_RUNS sets the number of runs (default 1000). When
// HO_RELIABILITY_DIR is set (scripts/reliability), the figures are appended
// as one JSON line in tests/e2e/reliability.py's format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/runner.h"
#include "engine/test_util.h"
#include "util/exit_codes.h"

namespace handoff::engine {
namespace {

namespace fs = std::filesystem;
using namespace handoff::engine::testing;  // NOLINT(google-build-using-namespace): test helpers

// AddressSanitizer keeps freed blocks in a quarantine (up to 256 MiB), so the
// resident set grows with churn, not with leaks; LeakSanitizer checks leaks there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_rss_meaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool k_rss_meaningful = false;
#else
constexpr bool k_rss_meaningful = true;
#endif
#else
constexpr bool k_rss_meaningful = true;
#endif

constexpr int k_warm_up_runs = 100;
constexpr long k_rss_tolerance_kib = 8 * 1024;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::max(1, std::atoi(v));
}

/// Append one figures line for docs/RELIABILITY.md (tests/e2e/reliability.py's fields).
void record_reliability(const std::string& area, const nlohmann::json& figures) {
  const char* dir = std::getenv("HO_RELIABILITY_DIR");
  if (!dir || !*dir) return;
  fs::create_directories(dir);
  std::string slug;
  for (char c : area) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
      alnum = true;
    }
    if (alnum) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '_') {
      slug += '_';
    }
  }
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  nlohmann::json row = figures;
  row["area"] = area;
  std::ofstream out(fs::path(dir) / (slug + ".jsonl"), std::ios::app);
  out << row.dump() << "\n";
}

/// Bytes of `expected` that `got` does not hold at the same place (a missing file loses all).
size_t bytes_lost(const std::string& expected, const std::string& got) {
  size_t same = 0;
  size_t n = std::min(expected.size(), got.size());
  while (same < n && expected[same] == got[same]) ++same;
  return expected.size() - same;
}

using EngineSoak = QuietEngineTest;

// The source writes a line per run-specific word; fork sends every byte to a
// plain copy and to a two-wide foreach whose iterations echo their line, so a
// lost or stale byte shows in the artifacts. The artifacts folder is removed
// before each run, so a run that wrote nothing cannot pass on old files.
TEST_F(EngineSoak, ForkForeachRunsKeepFdsChildrenAndMemoryFlat) {
  const int runs = env_int("HO_SOAK_RUNS", 1000);
  TempDir ws;
  auto p = project_of({pipeline(
      "src", {cmd("printf 'a\\nb\\nc\\n'"),
              fork_step({pipeline("copy", {cmd("cat")}),
                         pipeline("lines", {foreach_step({pipeline("each", {cmd("echo {{ _line }}")})},
                                                         /*parallel=*/2)})})})});
  auto opts = options_for(ws);
  const std::string copy_expected = "a\nb\nc\n";

  const int fds_before = count_open_fds();
  const int children_before = count_children();
  long rss_warm = -1;
  long rss_peak = 0;
  int failures = 0;
  int fd_leaks = 0;
  int child_leaks = 0;
  size_t lost = 0;
  std::string first_problem;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i <= runs; ++i) {
    std::error_code ec;
    fs::remove_all(ws.path() / "artifacts", ec);
    auto r = run_project(p, opts);
    size_t run_lost = bytes_lost(copy_expected, stdout_log(ws, "copy"));
    for (const char* line : {"a", "b", "c"}) {
      run_lost += bytes_lost(std::string(line) + "\n", stdout_log(ws, std::string("each_") + line));
    }
    lost += run_lost;
    int fds = count_open_fds();
    int children = count_children();
    // printf, cat and three echo: five processes per run.
    bool ok = r.exit_code == k_exit_ok && r.record.processes.size() == 5 && run_lost == 0;
    if (!ok) ++failures;
    if (fds != fds_before) ++fd_leaks;
    if (children != children_before) ++child_leaks;
    if ((!ok || fds != fds_before || children != children_before) && first_problem.empty()) {
      first_problem = "run " + std::to_string(i) + ": exit " + std::to_string(r.exit_code) + ", " +
                      std::to_string(r.record.processes.size()) + " processes, " + std::to_string(run_lost) +
                      " bytes lost, fds " + std::to_string(fds) + " (before " + std::to_string(fds_before) +
                      "), children " + std::to_string(children) + " (before " +
                      std::to_string(children_before) + ")";
    }
    long rss = resident_kib();
    if (i == std::min(k_warm_up_runs, runs)) rss_warm = rss;
    if (i >= k_warm_up_runs) rss_peak = std::max(rss_peak, rss);
  }
  double took = seconds_since(t0);
  long rss_end = resident_kib();
  long growth = runs > k_warm_up_runs ? rss_peak - rss_warm : 0;
  std::printf("[ soak     ] %d runs in %.2f s (%.1f ms/run); fds %d -> %d; children %d -> %d; "
              "VmRSS %ld KiB at run %d, peak %ld KiB after, %ld KiB at the end (growth %ld KiB%s)\n",
              runs, took, 1000.0 * took / runs, fds_before, count_open_fds(), children_before,
              count_children(), rss_warm, std::min(k_warm_up_runs, runs), rss_peak, rss_end, growth,
              k_rss_meaningful ? "" : ", not judged under ASan");

  bool rss_ok = !k_rss_meaningful || growth < k_rss_tolerance_kib;
  int survived = runs - failures;
  record_reliability("Engine soak (in-process runs)",
                     {{"inputs", runs},
                      {"faults", 0},
                      {"survived", survived},
                      {"failed_cleanly", 0},
                      {"data_lost", lost},
                      {"command", "HO_SOAK_RUNS=" + std::to_string(runs) +
                                      " build/handoff_tests --gtest_filter=EngineSoak.*"}});

  EXPECT_EQ(failures, 0) << first_problem;
  EXPECT_EQ(lost, 0u) << first_problem;
  EXPECT_EQ(fd_leaks, 0) << first_problem;
  EXPECT_EQ(child_leaks, 0) << first_problem;
  EXPECT_TRUE(rss_ok) << "VmRSS grew by " << growth << " KiB from run " << k_warm_up_runs << " to run "
                      << runs << " (tolerance " << k_rss_tolerance_kib << " KiB)";
}

// The soak's probes can see a loss and a leak of memory.
TEST(EngineSoakProbe, BytesLostAndResidentSetSeeWhatIsMissing) {
  EXPECT_EQ(bytes_lost("a\nb\n", "a\nb\n"), 0u);
  EXPECT_EQ(bytes_lost("a\nb\n", "a\n"), 2u);
  EXPECT_EQ(bytes_lost("a\nb\n", "<missing>"), 4u);
  EXPECT_EQ(bytes_lost("a\nb\n", "a\nx\n"), 2u);
  long before = resident_kib();
  ASSERT_GT(before, 0);
  std::vector<char> block(32u << 20, 1);  // 32 MiB, touched
  long after = resident_kib();
  EXPECT_GE(after - before, 16 * 1024) << "VmRSS " << before << " -> " << after << " KiB";
  EXPECT_EQ(block[block.size() - 1], 1);
}

}  // namespace
}  // namespace handoff::engine
