#pragma once
// The record of one run: every process with its timing, outcome and bytes.
// Written to WORKSPACE/.handoff/runs/<id>.json; history and reports read it.
#include <filesystem>
#include <string>
#include <vector>

namespace handoff::engine {

struct ProcessRecord {
  std::string task;       ///< task name (with foreach suffix)
  std::string command;    ///< rendered command line, secrets masked
  int pid = 0;
  double start = 0;       ///< seconds since the epoch
  double end = 0;
  int exit_code = 0;      ///< shell-style: status, or 128+signal
  int signal = 0;
  bool timed_out = false;
  bool failed = false;
  long long log_bytes = 0;  ///< bytes written to its artifact logs (stderr, and stdout when it is the log writer)
  long long read_bytes = -1;   ///< /proc/<pid>/io rchar, -1 when unknown
  long long write_bytes = -1;  ///< /proc/<pid>/io wchar
};

struct TaskRecord {
  std::string name;
  double start = 0;
  double end = 0;
  int exit_code = 0;
};

struct RunRecord {
  std::string id;         ///< UTC timestamp id, e.g. 20261128T032732.123456Z
  std::string stage;
  double start = 0;
  double end = 0;
  int exit_code = 0;
  std::vector<TaskRecord> tasks;
  std::vector<ProcessRecord> processes;
};

/// Seconds since the epoch, with microseconds.
double now_seconds();
/// "2026-11-28T03:27:32.123456" (naive UTC, the original's timestamp form).
std::string iso_utc(double seconds);
/// Serialize to JSON text.
std::string to_json(const RunRecord& record);
/// Write <workspace>/.handoff/runs/<id>.json atomically; returns its path.
std::filesystem::path save_record(const RunRecord& record, const std::filesystem::path& workspace);

}  // namespace handoff::engine
