#include "engine/run_record.h"

#include <sys/time.h>

#include <cmath>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/fs.h"

namespace handoff::engine {

double now_seconds() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

std::string iso_utc(double seconds) {
  time_t whole = static_cast<time_t>(std::floor(seconds));
  long micros = std::lround((seconds - static_cast<double>(whole)) * 1e6);
  if (micros >= 1000000) {
    whole += 1;
    micros -= 1000000;
  }
  struct tm tm;
  gmtime_r(&whole, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}", buf, micros);
}

std::string to_json(const RunRecord& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["stage"] = r.stage;
  j["start"] = iso_utc(r.start);
  j["end"] = iso_utc(r.end);
  j["duration_s"] = r.end - r.start;
  j["exit_code"] = r.exit_code;
  j["tasks"] = nlohmann::ordered_json::array();
  for (const auto& t : r.tasks) {
    j["tasks"].push_back({{"name", t.name},
                          {"start", iso_utc(t.start)},
                          {"end", iso_utc(t.end)},
                          {"duration_s", t.end - t.start},
                          {"exit_code", t.exit_code}});
  }
  j["processes"] = nlohmann::ordered_json::array();
  for (const auto& p : r.processes) {
    nlohmann::ordered_json pj = {{"task", p.task},
                                 {"command", p.command},
                                 {"pid", p.pid},
                                 {"start", iso_utc(p.start)},
                                 {"end", iso_utc(p.end)},
                                 {"duration_s", p.end - p.start},
                                 {"exit_code", p.exit_code},
                                 {"signal", p.signal},
                                 {"timed_out", p.timed_out},
                                 {"failed", p.failed},
                                 {"log_bytes", p.log_bytes},
                                 {"read_bytes", p.read_bytes},
                                 {"write_bytes", p.write_bytes}};
    j["processes"].push_back(std::move(pj));
  }
  return j.dump(2) + "\n";
}

std::filesystem::path save_record(const RunRecord& record, const std::filesystem::path& workspace) {
  auto dir = workspace / ".handoff" / "runs";
  util::make_dirs(dir);
  auto path = dir / (record.id + ".json");
  util::write_file_atomic(path, to_json(record), 0600);
  return path;
}

}  // namespace handoff::engine
