#include "history/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace handoff::history {
namespace {

using nlohmann::ordered_json;

/// "2026-11-28 03:27:32" (the ISO text without its fraction, for tables).
std::string short_time(double seconds) {
  std::string iso = engine::iso_utc(seconds);
  iso[10] = ' ';
  return iso.substr(0, 19);
}

size_t failed_count(const engine::RunRecord& r) {
  return static_cast<size_t>(std::count_if(r.processes.begin(), r.processes.end(),
                                           [](const auto& p) { return outcome(p) != Outcome::ok; }));
}

ordered_json bytes_json(const engine::RunRecord& r) {
  Bytes b = total_bytes(r);
  return {{"log", b.log}, {"read", b.read}, {"written", b.written}};
}

std::string known_bytes(long long n) { return n < 0 ? "-" : format_bytes(n); }

}  // namespace

std::string format_duration(double s) {
  if (s < 0) s = 0;
  if (s < 60) return fmt::format("{:.3f} s", s);
  if (s < 3600) return fmt::format("{} min {:.1f} s", static_cast<int>(s / 60), std::fmod(s, 60));
  return fmt::format("{} h {} min", static_cast<int>(s / 3600), static_cast<int>(std::fmod(s, 3600) / 60));
}

std::string format_bytes(long long n) {
  if (n < 1024) return fmt::format("{} B", n);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string list_text(const std::vector<Run>& runs) {
  bool remote = std::any_of(runs.begin(), runs.end(), [](const Run& r) { return !r.archive.empty(); });
  std::string out =
      fmt::format("{:<26} {:<8} {:<19}  {:>14}  {:>4}  {:>9}  {:>6}{}\n", "ID", "STAGE", "START", "DURATION",
                  "EXIT", "PROCESSES", "FAILED", remote ? "  ARTIFACTS" : "");
  for (const auto& r : runs) {
    out += fmt::format("{:<26} {:<8} {:<19}  {:>14}  {:>4}  {:>9}  {:>6}", r.record.id, r.record.stage,
                       short_time(r.record.start), format_duration(r.duration()), r.record.exit_code,
                       r.record.processes.size(), failed_count(r.record));
    if (remote) out += fmt::format("  {:>9}", r.artifacts.size());
    out += "\n";
  }
  return out;
}

ordered_json list_json(const std::vector<Run>& runs) {
  ordered_json out = ordered_json::array();
  for (const auto& r : runs) {
    ordered_json j = {{"id", r.record.id},
                      {"stage", r.record.stage},
                      {"start", engine::iso_utc(r.record.start)},
                      {"end", engine::iso_utc(r.record.end)},
                      {"duration_s", r.duration()},
                      {"exit_code", r.record.exit_code},
                      {"processes", r.record.processes.size()},
                      {"failed", failed_count(r.record)},
                      {"bytes", bytes_json(r.record)},
                      {"source", r.source}};
    j["archive"] = r.archive.empty() ? ordered_json(nullptr) : ordered_json(r.archive);
    j["artifacts"] = r.artifacts.size();
    out.push_back(std::move(j));
  }
  return out;
}

std::string show_text(const Run& run) {
  const auto& r = run.record;
  Bytes b = total_bytes(r);
  std::string out = fmt::format("run {}\n", r.id);
  out += fmt::format("  stage:      {}\n", r.stage);
  out += fmt::format("  start:      {}\n", engine::iso_utc(r.start));
  out += fmt::format("  end:        {}\n", engine::iso_utc(r.end));
  out += fmt::format("  duration:   {}\n", format_duration(run.duration()));
  out += fmt::format("  exit code:  {}\n", r.exit_code);
  out += fmt::format("  bytes:      log {}, read {}, written {}\n", format_bytes(b.log), format_bytes(b.read),
                     format_bytes(b.written));
  out += fmt::format("  source:     {}\n", run.source);
  if (!run.archive.empty()) out += fmt::format("  archive:    {}\n", run.archive);
  out += fmt::format("tasks ({}):\n", r.tasks.size());
  for (const auto& t : r.tasks) {
    out +=
        fmt::format("  {:<30} exit {:>3}  {:>14}\n", t.name, t.exit_code, format_duration(t.end - t.start));
  }
  out += fmt::format("processes ({}):\n", r.processes.size());
  out += fmt::format("  {:<24} {:>8} {:>10} {:>14} {:>4} {:<9} {:>10} {:>10} {:>10}  {}\n", "TASK", "PID",
                     "AT", "DURATION", "EXIT", "OUTCOME", "LOG", "READ", "WRITTEN", "COMMAND");
  for (const auto& p : r.processes) {
    out += fmt::format("  {:<24} {:>8} {:>10} {:>14} {:>4} {:<9} {:>10} {:>10} {:>10}  {}\n", p.task, p.pid,
                       fmt::format("+{:.3f}s", p.start - r.start), format_duration(p.end - p.start),
                       p.exit_code, to_string(outcome(p)), format_bytes(p.log_bytes),
                       known_bytes(p.read_bytes), known_bytes(p.write_bytes), p.command);
  }
  if (!run.archive.empty()) {
    out += fmt::format("artifacts pushed ({}):\n", run.artifacts.size());
    for (const auto& a : run.artifacts) out += fmt::format("  {:<50} {:>10}\n", a.key, format_bytes(a.size));
  }
  return out;
}

ordered_json show_json(const Run& run) {
  ordered_json j = ordered_json::parse(engine::to_json(run.record));
  for (size_t i = 0; i < run.record.processes.size(); ++i) {
    j["processes"][i]["outcome"] = std::string(to_string(outcome(run.record.processes[i])));
  }
  j["bytes"] = bytes_json(run.record);
  j["source"] = run.source;
  j["archive"] = run.archive.empty() ? ordered_json(nullptr) : ordered_json(run.archive);
  ordered_json artifacts = ordered_json::array();
  for (const auto& a : run.artifacts) artifacts.push_back({{"key", a.key}, {"size", a.size}});
  j["artifacts"] = std::move(artifacts);
  return j;
}

}  // namespace handoff::history
