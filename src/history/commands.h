#pragma once
// `runs list|show|report` and `run local --report` behind the CLI: where the
// runs are read, what is printed, where a report is written.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "history/run.h"
#include "remote/session.h"

namespace handoff::history {

/// The workspace's own records, or with remote the store's archives (their
/// records cached in the workspace's ObjectCache).
struct Source {
  std::filesystem::path workspace;
  std::optional<remote::Session> remote;
  int jobs = 8;
};

/// Every run of the source, oldest first.
std::vector<Run> load_runs(const Source& source);

/// `runs list`: a table (or JSON) of the newest limit runs (0: all) on stdout.
int list_command(const Source& source, bool json, size_t limit);
/// `runs show ID`: one run on stdout.
int show_command(const Source& source, const std::string& id, bool json);
/// `runs report ID`: write the HTML page (default
/// WORKSPACE/.handoff/reports/<id>.html) and print its path on stdout.
int report_command(const Source& source, const std::string& id, const std::filesystem::path& out);

/// `run local --report`: the page of the newest local record that started at
/// or after since (seconds since the epoch); logs where it went. Throws
/// handoff::Error when the run left no record.
std::filesystem::path report_new_local_run(const std::filesystem::path& workspace,
                                           const std::filesystem::path& out, double since);

/// How many runs the report's chart of durations shows.
inline constexpr size_t k_recent_runs = 20;

}  // namespace handoff::history
