#include "history/commands.h"

#include <fmt/format.h>

#include <cstdio>

#include "history/cache.h"
#include "history/local.h"
#include "history/lookup.h"
#include "history/remote.h"
#include "history/report.h"
#include "history/summary.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace handoff::history {
namespace fs = std::filesystem;
namespace {

std::string how_to_make_one(const Source& source) {
  if (source.remote) {
    return fmt::format(
        "no archive under s3://{}/{} holds a run record; push one with handoff run local -a "
        "(or handoff artifacts push -w WORKSPACE after a run)",
        source.remote->layout.bucket, source.remote->layout.archives_prefix());
  }
  return fmt::format("no run records in '{}'; make one with handoff run local -p PROJECT -w {}",
                     runs_dir(source.workspace).string(), source.workspace.string());
}

void print(const std::string& text) { std::fputs(text.c_str(), stdout); }

/// The runs of the chart: up to k_recent_runs ending with run.
std::vector<Run> recent_until(const std::vector<Run>& runs, const Run& run) {
  size_t end = 0;
  while (end < runs.size() && runs[end].record.id <= run.record.id) ++end;
  size_t begin = end > k_recent_runs ? end - k_recent_runs : 0;
  return {runs.begin() + static_cast<long>(begin), runs.begin() + static_cast<long>(end)};
}

fs::path write_report(const fs::path& workspace, const std::vector<Run>& runs, const Run& run, fs::path out) {
  if (out.empty()) out = workspace / ".handoff" / "reports" / (run.record.id + ".html");
  if (out.has_parent_path()) util::make_dirs(out.parent_path());
  // 0600 like the run record it shows: commands are masked, but still the user's.
  util::write_file_atomic(out, render_report(run, recent_until(runs, run)), 0600);
  return out;
}

}  // namespace

std::vector<Run> load_runs(const Source& source) {
  if (!source.remote) return list_local(source.workspace);
  ObjectCache cache(cache_path(source.workspace));
  return list_remote(*source.remote->store.objects, source.remote->layout, &cache, source.jobs);
}

int list_command(const Source& source, bool json, size_t limit) {
  auto runs = load_runs(source);
  if (limit > 0 && runs.size() > limit) runs.erase(runs.begin(), runs.end() - static_cast<long>(limit));
  if (json) {
    print(list_json(runs).dump(2) + "\n");
  } else if (runs.empty()) {
    log::info("No runs yet: {}", how_to_make_one(source));
  } else {
    print(list_text(runs));
  }
  return k_exit_ok;
}

int show_command(const Source& source, const std::string& id, bool json) {
  auto runs = load_runs(source);
  const Run& run = find_run(runs, id, how_to_make_one(source));
  print(json ? show_json(run).dump(2) + "\n" : show_text(run));
  return k_exit_ok;
}

int report_command(const Source& source, const std::string& id, const fs::path& out) {
  auto runs = load_runs(source);
  const Run& run = find_run(runs, id, how_to_make_one(source));
  print(write_report(source.workspace, runs, run, out).string() + "\n");
  return k_exit_ok;
}

fs::path report_new_local_run(const fs::path& workspace, const fs::path& out, double since) {
  auto runs = list_local(workspace);
  if (runs.empty() || runs.back().record.start < since) {
    throw Error(
        "the run left no run record to report on",
        fmt::format("see the warnings above; records are kept in '{}'", runs_dir(workspace).string()));
  }
  fs::path path = write_report(workspace, runs, runs.back(), out);
  log::info("Report of run {} written to {}", runs.back().record.id, path.string());
  return path;
}

}  // namespace handoff::history
