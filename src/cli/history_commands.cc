// `handoff runs list|show|report` and `run local --report`.
#include "cli/history_commands.h"

#include <filesystem>
#include <vector>

#include "engine/run_record.h"
#include "history/commands.h"
#include "job/remote.h"

namespace handoff::cli {
namespace {

struct HistoryFlags {
  bool remote = false;
  bool json = false;
  size_t limit = 20;
  std::string id;
  std::string out;
  std::string report;                     ///< run local --report FILE (may be empty)
  std::vector<CLI::Option*> report_opts;  ///< each `run local` command's --report
  double started = 0;                     ///< when the flags were registered: before any run
};

// Only one command runs per invocation, so every verb binds the same flags.
HistoryFlags& flags() {
  static HistoryFlags f;
  return f;
}

void add_source(CLI::App* cmd, Options& o) {
  HistoryFlags& f = flags();
  add_workspace(cmd, o, "workspace");
  add_project(cmd, o, false);
  add_common(cmd, o);
  cmd->add_flag("--remote", f.remote,
                "read the runs pushed to the store (artifact archives) instead of the workspace's records");
  cmd->add_option("--store", o.remote.store, "with --remote: local (under $HO_STORE_DIR) or aws");
  cmd->add_option("--bucket", o.remote.bucket, "with --remote: the bucket (default as for artifacts push)");
  cmd->add_option("--jobs", o.remote.jobs, "with --remote: fetches at once")->capture_default_str();
}

history::Source source(Options& o) {
  configure(o);
  history::Source s;
  s.workspace = std::filesystem::absolute(o.job.workspace).lexically_normal();
  s.jobs = o.remote.jobs;
  if (flags().remote) s.remote = job::open_remote(remote_command(o), false);
  return s;
}

}  // namespace

void add_history_commands(CLI::App& app, Options& o, int* exit_code) {
  HistoryFlags& f = flags();
  auto* group = app.add_subcommand("runs", "the history of runs: list, show, and an HTML timeline report");
  group->require_subcommand(1);
  group->footer(
      "A local run's record is WORKSPACE/.handoff/runs/<ID>.json; a pushed run's is the _handoff_run.json "
      "in its artifact archive (read with --remote, cached in WORKSPACE/.handoff/history.sqlite). ID is "
      "a whole id, a unique prefix of one, or last.");

  auto* list = group->add_subcommand("list", "list the runs, oldest first");
  add_source(list, o);
  list->add_flag("--json", f.json, "print JSON");
  list->add_option("--limit", f.limit, "show only the newest N runs (0: all)")->capture_default_str();
  list->callback([&o, exit_code] {
    auto s = source(o);
    *exit_code = history::list_command(s, flags().json, flags().limit);
  });

  auto* show = group->add_subcommand("show", "print one run: times, exit codes, processes, bytes, artifacts");
  add_source(show, o);
  show->add_option("ID", f.id, "run id, unique prefix, or last")->required();
  show->add_flag("--json", f.json, "print JSON");
  show->callback([&o, exit_code] {
    auto s = source(o);
    *exit_code = history::show_command(s, flags().id, flags().json);
  });

  auto* report = group->add_subcommand(
      "report", "write a self-contained HTML timeline of a run's processes and print its path");
  add_source(report, o);
  report->add_option("ID", f.id, "run id, unique prefix, or last")->required();
  report->add_option("-o,--output", f.out, "the HTML file (default WORKSPACE/.handoff/reports/<ID>.html)");
  report->callback([&o, exit_code] {
    auto s = source(o);
    *exit_code = history::report_command(s, flags().id, flags().out);
  });
}

void add_run_report(CLI::App* cmd) {
  HistoryFlags& f = flags();
  f.started = engine::now_seconds();
  f.report_opts.push_back(cmd->add_option("--report", f.report,
                                          "after the run, write its HTML timeline to FILE (default "
                                          "WORKSPACE/.handoff/reports/<ID>.html)")
                              ->expected(0, 1)
                              ->type_name("[FILE]"));
}

void write_run_report(const Options& o) {
  HistoryFlags& f = flags();
  bool given = false;
  for (const auto* opt : f.report_opts) given = given || opt->count() > 0;
  if (!given) return;
  history::report_new_local_run(std::filesystem::absolute(o.job.workspace).lexically_normal(), f.report,
                                f.started);
}

}  // namespace handoff::cli
