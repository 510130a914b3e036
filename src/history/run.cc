#include "history/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace handoff::history {
namespace {

using nlohmann::json;

Error not_a_record(const std::string& source, const std::string& why) {
  return Error(fmt::format("'{}' is not a run record: {}", source, why),
               "run records are written by handoff run local; remove the file if it is not one");
}

/// A time field: the ISO text the engine writes, or plain seconds.
double time_field(const json& j, const char* name, const std::string& source) {
  if (!j.contains(name)) throw not_a_record(source, fmt::format("no '{}'", name));
  const json& v = j[name];
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) throw not_a_record(source, fmt::format("'{}' is not a time", name));
  try {
    return parse_iso_utc(v.get<std::string>());
  } catch (const Error& e) {
    throw not_a_record(source, e.what());
  }
}

template <typename T>
T field_or(const json& j, const char* name, T fallback) {
  if (!j.contains(name) || j[name].is_null()) return fallback;
  try {
    return j[name].get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

}  // namespace

Outcome outcome(const engine::ProcessRecord& p) {
  if (p.timed_out) return Outcome::timed_out;
  if (p.failed && p.signal != 0) return Outcome::killed;
  if (p.failed) return Outcome::failed;
  return Outcome::ok;
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::ok:
      return "ok";
    case Outcome::failed:
      return "failed";
    case Outcome::timed_out:
      return "timed out";
    case Outcome::killed:
      return "killed";
  }
  return "ok";
}

double parse_iso_utc(std::string_view text) {
  std::string s(text);
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  struct tm tm = {};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) throw Error(fmt::format("'{}' is not a time like 2026-11-28T03:27:32.123456", s));
  double fraction = 0;
  if (*rest == '.') {
    double scale = 0.1;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest) {
      fraction += (*rest - '0') * scale;
      scale /= 10;
    }
  }
  if (*rest != '\0') throw Error(fmt::format("'{}' is not a time like 2026-11-28T03:27:32.123456", s));
  return static_cast<double>(timegm(&tm)) + fraction;
}

engine::RunRecord parse_record(std::string_view json_text, const std::string& source) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) throw not_a_record(source, "not valid JSON");
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) throw not_a_record(source, "no 'id'");
  engine::RunRecord r;
  r.id = j["id"].get<std::string>();
  // The id names report files: from a store it is anyone's text, so it must
  // look like the engine's ids (a time), never a path.
  bool id_ok = !r.id.empty() && r.id.size() <= 64 && r.id.find("..") == std::string::npos &&
               std::all_of(r.id.begin(), r.id.end(), [](unsigned char c) {
                 return std::isalnum(c) != 0 || c == '.' || c == '_' || c == ':' || c == '+' || c == '-';
               });
  if (!id_ok) throw not_a_record(source, "its 'id' is not a run id");
  r.stage = field_or<std::string>(j, "stage", "");
  r.start = time_field(j, "start", source);
  r.end = time_field(j, "end", source);
  r.exit_code = field_or(j, "exit_code", 0);
  if (j.contains("tasks") && j["tasks"].is_array()) {
    for (const auto& t : j["tasks"]) {
      if (!t.is_object()) continue;
      engine::TaskRecord tr;
      tr.name = field_or<std::string>(t, "name", "");
      tr.start = time_field(t, "start", source);
      tr.end = time_field(t, "end", source);
      tr.exit_code = field_or(t, "exit_code", 0);
      r.tasks.push_back(std::move(tr));
    }
  }
  if (j.contains("processes") && j["processes"].is_array()) {
    for (const auto& p : j["processes"]) {
      if (!p.is_object()) continue;
      engine::ProcessRecord pr;
      pr.task = field_or<std::string>(p, "task", "");
      pr.command = field_or<std::string>(p, "command", "");
      pr.pid = field_or(p, "pid", 0);
      pr.start = time_field(p, "start", source);
      pr.end = time_field(p, "end", source);
      pr.exit_code = field_or(p, "exit_code", 0);
      pr.signal = field_or(p, "signal", 0);
      pr.timed_out = field_or(p, "timed_out", false);
      pr.failed = field_or(p, "failed", false);
      pr.log_bytes = field_or(p, "log_bytes", 0LL);
      pr.read_bytes = field_or(p, "read_bytes", -1LL);
      pr.write_bytes = field_or(p, "write_bytes", -1LL);
      r.processes.push_back(std::move(pr));
    }
  }
  return r;
}

Bytes total_bytes(const engine::RunRecord& record) {
  Bytes b;
  for (const auto& p : record.processes) {
    b.log += p.log_bytes;
    if (p.read_bytes > 0) b.read += p.read_bytes;
    if (p.write_bytes > 0) b.written += p.write_bytes;
  }
  return b;
}

}  // namespace handoff::history
