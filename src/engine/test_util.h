#pragma once
// Helpers for engine/ tests that drive run_project in-process: projects built
// from the model structs (no YAML, no templater), a temp workspace, and the
// leak probes (open fds, child processes) shared by the leak and soak tests.
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/runner.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

extern char** environ;

namespace handoff::engine::testing {

namespace fs = std::filesystem;

/// A temp workspace, removed even when the test fails.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "handoff_runner_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---- building projects -------------------------------------------------------

inline project::Step cmd(std::string line, bool active = true) {
  project::Step s;
  s.kind = project::StepKind::command;
  s.command = std::move(line);
  s.active = active;
  return s;
}

inline project::Step with_timeout(project::Step s, double seconds) {
  s.timeout = seconds;
  return s;
}

inline project::Step foreach_step(std::vector<project::Task> children, int parallel = 1) {
  project::Step s;
  s.kind = project::StepKind::foreach;
  s.children = std::move(children);
  s.parallel = parallel;
  return s;
}

inline project::Step fork_step(std::vector<project::Task> children) {
  project::Step s;
  s.kind = project::StepKind::fork;
  s.children = std::move(children);
  return s;
}

inline project::Task pipeline(std::string name, std::vector<project::Step> steps) {
  project::Task t;
  t.name = std::move(name);
  t.mode = project::TaskMode::pipeline;
  t.steps = std::move(steps);
  return t;
}

inline project::Task commands(std::string name, std::vector<project::Step> steps) {
  project::Task t = pipeline(std::move(name), std::move(steps));
  t.mode = project::TaskMode::commands;
  return t;
}

inline project::Project project_of(std::vector<project::Task> tasks) {
  project::Project p;
  p.tasks = std::move(tasks);
  return p;
}

/// `{{ _line }}` / `{{ _line_safe }}` substitution only: no templater.
inline std::string render(const project::Step& step, const tmpl::Value& vars) {
  std::string line = step.command_line();
  for (const char* key : {"_line_safe", "_line"}) {
    if (!vars.is_object() || !vars.contains(key)) continue;
    std::string value = vars[key].get<std::string>();
    line = util::replace_all(line, std::string("{{ ") + key + " }}", value);
    line = util::replace_all(line, std::string("{{") + key + "}}", value);
  }
  return line;
}

/// Options for a run in dir: this process's environment, the substitution above.
inline RunOptions options_for(const TempDir& dir) {
  RunOptions o;
  o.workspace = dir.path();
  for (char** e = environ; *e; ++e) o.env.emplace_back(*e);
  o.render = render;
  o.grace = 0.5;
  return o;
}

// ---- reading results ----------------------------------------------------------

/// Whole file, or nullopt when it does not exist.
inline std::optional<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string stdout_log(const TempDir& dir, const std::string& task) {
  return slurp(dir.path() / "artifacts" / (task + "_stdout.log")).value_or("<missing>");
}

inline std::string stderr_log(const TempDir& dir, const std::string& task) {
  return slurp(dir.path() / "artifacts" / (task + "_stderr.log")).value_or("<missing>");
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- leak probes ----------------------------------------------------------------

/// Entries of /proc/self/fd (including the one used to list it, consistently).
inline int count_open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}

/// Processes whose parent is this one, zombies included (an unreaped child is a leak too).
inline int count_children() {
  pid_t me = ::getpid();
  int n = 0;
  DIR* d = ::opendir("/proc");
  if (!d) return -1;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (!end || *end || pid <= 0) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE* f = std::fopen(path, "re");
    if (!f) continue;
    char buf[1024];
    size_t len = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[len] = 0;
    char* close = std::strrchr(buf, ')');
    if (!close) continue;
    char state = 0;
    int ppid = -1;
    if (std::sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == me) ++n;
  }
  ::closedir(d);
  return n;
}

/// Resident set size of this process in KiB (VmRSS of /proc/self/status), -1 if unknown.
inline long resident_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

/// Quiet logs, SIGPIPE ignored as the CLI does (cli/main.cc) and the redactor
/// cleared before and after.
class QuietEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    util::redactor().clear();  // secrets other suites left behind must not mask our logs
    saved_level_ = log::level();
    log::set_level(log::Level::error);
    old_sigpipe_ = std::signal(SIGPIPE, SIG_IGN);
  }
  void TearDown() override {
    util::redactor().clear();
    log::set_level(saved_level_);
    std::signal(SIGPIPE, old_sigpipe_);
  }

 private:
  log::Level saved_level_ = log::Level::info;
  void (*old_sigpipe_)(int) = SIG_DFL;
};

}  // namespace handoff::engine::testing
