// run_project, and the task and task-group nodes.
#include "engine/runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "engine/nodes.h"
#include "engine/process_tree.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::engine {

std::string line_safe(std::string_view line) {
  std::string out;
  bool in_run = false;
  for (char c : line) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (ok) {
      out += c;
      in_run = false;
    } else if (!in_run) {
      out += '_';
      in_run = true;
    }
  }
  if (out.empty() || out == "." || out == "..") {
    for (auto& c : out) c = '_';
    if (out.empty()) out = "_";
  }
  return out;
}

namespace {

/// A task name as a file name: no path separators, never "." or "..", and
/// short enough for "_stderr.log" to fit in NAME_MAX (255 bytes). A longer
/// name (a long foreach line) keeps its first 180 bytes and a stable hash of
/// the whole, so two long lines still get two logs.
std::string file_safe(const std::string& name) {
  std::string out = name;
  for (auto& c : out) {
    if (c == '/' || c == '\0') c = '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  constexpr size_t k_max_base = 200;
  if (out.size() > k_max_base) {
    uint64_t h = 14695981039346656037ull;  // FNV-1a
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    out = fmt::format("{}-{:016x}", out.substr(0, 180), h);
  }
  return out;
}

/// Report, in one line, the logs a task could not write completely: the
/// stderr log when our write to it failed (ENOSPC…), and the stdout log when
/// the task failed with that file's file system full (a process writing its
/// stdout there got ENOSPC and said so only in its own words). code is the
/// task's own result. Returns true when the stdout log is cut short.
bool report_write_errors(const TaskContext& ctx, int code) {
  std::vector<std::string> paths;
  int err = 0;
  bool stdout_cut = false;
  struct statvfs vfs {};
  // Root may still write into the reserved blocks: full means full for us.
  auto free_blocks = [&] { return ::geteuid() == 0 ? vfs.f_bfree : vfs.f_bavail; };
  if (ctx.stdout_log.valid() && ::fstatvfs(ctx.stdout_log.fd(), &vfs) == 0 && free_blocks() == 0) {
    if (code != 0) {
      stdout_cut = true;
      err = ENOSPC;
      paths.push_back("'" + ctx.stdout_path.string() + "'");
    } else {
      log::warning("Task {}: the file system holding '{}' is full; check the file is complete",
                   ctx.name, ctx.stdout_path.string());
    }
  }
  if (ctx.stderr_log_errno != 0) {
    if (err == 0) err = ctx.stderr_log_errno;
    paths.push_back("'" + ctx.stderr_path.string() + "'");
  }
  if (!paths.empty()) {
    log::error("Task {}: cannot write {}: {}; what was written before is kept", ctx.name,
               util::join(paths, " and "), util::errno_text(err));
  }
  return stdout_cut;
}

util::UniqueFd open_log(const std::filesystem::path& path) {
  util::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) throw Error("cannot open '" + path.string() + "': " + util::errno_text(errno));
  return fd;
}

class TaskNode : public Node {
 public:
  TaskNode(Engine& eng, const project::Task& task, std::string name, Flags parent, tmpl::Value vars,
           bool from_stdin)
      : Node(eng) {
    ctx_.name = std::move(name);
    ctx_.task = &task;
    ctx_.flags.kill_downstream_on_fail =
        task.kill_downstream_on_fail.value_or(parent.kill_downstream_on_fail);
    ctx_.flags.kill_loop_on_fail = task.kill_loop_on_fail.value_or(parent.kill_loop_on_fail);
    ctx_.vars = std::move(vars);
    ctx_.from_stdin = from_stdin;
  }

  void start(util::UniqueFd input) override {
    const auto& task = *ctx_.task;
    started_ = now_seconds();
    if (ctx_.from_stdin && !input.valid() && !::isatty(STDIN_FILENO)) {
      input.reset(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
    }
    try {
      open_logs();
    } catch (const Error& e) {
      log::error("Task {}: {}", ctx_.name, e.what());
      end(1);
      return;
    }
    switch (task.mode) {
      case project::TaskMode::pipeline:
        log::info("Running pipeline task {}", ctx_.name);
        body_ = make_pipeline_node(eng_, ctx_);
        break;
      case project::TaskMode::commands:
        log::info("Running commands {}", ctx_.name);
        body_ = make_commands_node(eng_, ctx_);
        break;
      case project::TaskMode::tasks:
        log::info("Running task group {}", ctx_.name);
        body_ = make_group_node(eng_, task.subtasks, ctx_.flags, ctx_.vars, false);
        break;
    }
    if (task.timeout && *task.timeout > 0) {
      double t = *task.timeout;
      timer_ = eng_.loop.add_timer(t, [this, t] {
        timer_ = 0;
        timed_out_ = true;
        log::warning("Timeout: task {} reached its timeout of {} s; stopping it", ctx_.name, t);
        body_->stop(SIGINT);
      });
    }
    body_->on_done = [this](int code) { end(code); };
    body_->start(std::move(input));
  }

  void stop(int sig) override {
    if (body_ && !body_->done()) body_->stop(sig);
  }

 private:
  void open_logs() {
    const auto& task = *ctx_.task;
    if (task.mode == project::TaskMode::tasks) return;
    auto artifacts = eng_.opt.workspace / "artifacts";
    std::string base = file_safe(ctx_.name);
    if (!task.state_file.empty()) {
      state_tmp_ = eng_.opt.workspace / (task.state_file + ".handoff-tmp");
      ctx_.stdout_path = state_tmp_;
    } else if (task.stdout_to_file) {
      ctx_.stdout_path = artifacts / (base + "_stdout.log");
    }
    if (!ctx_.stdout_path.empty()) ctx_.stdout_log = open_log(ctx_.stdout_path);
    if (task.stderr_to_file) {
      ctx_.stderr_path = artifacts / (base + "_stderr.log");
      ctx_.stderr_log = open_log(ctx_.stderr_path);
    }
  }

  void end(int code) {
    if (timer_) eng_.loop.cancel_timer(timer_);
    if (timed_out_ && code == 0) code = 1;
    for (auto& r : ctx_.relays) r->close();
    ctx_.relays.clear();
    bool truncated = report_write_errors(ctx_, code);
    if (ctx_.stderr_log_errno != 0 && code == 0) code = 1;  // its log is incomplete
    ctx_.stdout_log.reset();
    ctx_.stderr_log.reset();
    if (!state_tmp_.empty()) finish_state_file(!truncated);
    eng_.retire(std::move(body_));
    eng_.record.tasks.push_back({ctx_.name, started_, now_seconds(), code});
    log::info("Task {} exited with code {}", ctx_.name, code);
    if (code != 0) log::error("Task {} ended with exit code {}.", ctx_.name, code);
    finish(code);
  }

  /// Old format: the last stage's stdout becomes the state file only when
  /// there is any, so a run that emits no new state keeps the previous one;
  /// a state cut short by a full disk (complete = false) never replaces it.
  void finish_state_file(bool complete) {
    auto final_path = eng_.opt.workspace / ctx_.task->state_file;
    struct stat st;
    if (complete && ::stat(state_tmp_.c_str(), &st) == 0 && st.st_size > 0) {
      ::rename(state_tmp_.c_str(), final_path.c_str());
    } else {
      ::unlink(state_tmp_.c_str());
    }
  }

  TaskContext ctx_;
  std::unique_ptr<Node> body_;
  std::filesystem::path state_tmp_;
  EventLoop::TimerId timer_ = 0;
  bool timed_out_ = false;
  double started_ = 0;
};

/// Tasks run one after another; a failure stops the rest when the failed
/// task's kill_downstream_on_fail is true.
class GroupNode : public Node {
 public:
  GroupNode(Engine& eng, const std::vector<project::Task>& tasks, Flags flags, tmpl::Value vars,
            bool top_level)
      : Node(eng), tasks_(tasks), flags_(flags), vars_(std::move(vars)), top_level_(top_level) {}

  void start(util::UniqueFd) override { next(); }

  void stop(int sig) override {
    stopped_ = true;
    if (current_ && !current_->done()) current_->stop(sig);
  }

 private:
  void next() {
    while (index_ < tasks_.size() && !tasks_[index_].active) {
      log::debug("Skipping inactive task {}", tasks_[index_].name);
      ++index_;
    }
    if (index_ >= tasks_.size() || eng_.stopping || stopped_) {
      if ((eng_.stopping || stopped_) && index_ < tasks_.size() && code_ == 0) code_ = 1;
      finish(code_);
      return;
    }
    const auto& task = tasks_[index_++];
    current_ = make_task_node(eng_, task, task.name, flags_, vars_, top_level_);
    bool kill_downstream = task.kill_downstream_on_fail.value_or(flags_.kill_downstream_on_fail);
    current_->on_done = [this, kill_downstream](int code) {
      eng_.retire(std::move(current_));
      if (code != 0) {
        if (code_ == 0) code_ = code;
        if (kill_downstream) {
          if (top_level_) {
            log::warning("Not running the rest of the tasks.");
          } else {
            log::warning("Subtask exited with code {}. Not running downstream tasks.", code);
          }
          finish(code_);
          return;
        }
      }
      next();
    };
    // Top-level tasks read handoff's stdin (when it is not a terminal) through
    // from_stdin; each gets what the previous ones left, as in a shell script.
    current_->start(util::UniqueFd());
  }

  const std::vector<project::Task>& tasks_;
  Flags flags_;
  tmpl::Value vars_;
  bool top_level_;
  size_t index_ = 0;
  int code_ = 0;
  bool stopped_ = false;
  std::unique_ptr<Node> current_;
};

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
  }
}

std::string naive_local(double seconds) {
  std::string iso = iso_utc(seconds);
  iso[10] = ' ';
  return iso;
}

std::string elapsed(double seconds) {
  long long micros = std::llround(seconds * 1e6);
  long long s = micros / 1000000;
  return fmt::format("{}:{:02d}:{:02d}.{:06d}", s / 3600, (s / 60) % 60, s % 60, micros % 1000000);
}

/// Stop what is left after the tasks ended: grandchildren that detached and
/// were re-parented to us. SIGTERM, then SIGKILL after the grace period.
void stop_stragglers(Engine& eng) {
  if (descendants(::getpid()).empty()) return;
  int n = signal_descendants(SIGTERM);
  log::warning("Stopping {} leftover background process(es) started by the tasks", n);
  bool done = false;
  bool killed = false;
  auto deadline = eng.opt.grace;
  std::function<void()> poll_fn;
  double waited = 0;
  poll_fn = [&] {
    eng.loop.reap_strays();
    if (descendants(::getpid()).empty()) {
      done = true;
      return;
    }
    waited += 0.05;
    if (waited >= deadline && !killed) {
      killed = true;
      signal_descendants(SIGKILL);
    }
    eng.loop.add_timer(0.05, poll_fn);
  };
  eng.loop.add_timer(0.01, poll_fn);
  eng.loop.run_until([&] { return done; });
}

}  // namespace

std::unique_ptr<Node> make_task_node(Engine& eng, const project::Task& task, std::string name,
                                     Flags parent_flags, tmpl::Value vars, bool from_stdin) {
  return std::make_unique<TaskNode>(eng, task, std::move(name), parent_flags, std::move(vars),
                                    from_stdin);
}

std::unique_ptr<Node> make_group_node(Engine& eng, const std::vector<project::Task>& tasks,
                                      Flags flags, tmpl::Value vars, bool top_level) {
  return std::make_unique<GroupNode>(eng, tasks, flags, std::move(vars), top_level);
}

RunResult run_project(const project::Project& project, const RunOptions& options) {
  util::make_dirs(options.workspace / "artifacts");
  Engine eng(options);
  eng.record.start = now_seconds();
  std::string id = iso_utc(eng.record.start);
  std::erase(id, ':');  // file-name friendly: 2026-11-28T032732.123456
  eng.record.id = id;
  eng.record.stage = options.stage;

  eng.loop.on_signal([&eng](int sig) {
    if (eng.stop_signal == 0) {
      eng.stop_signal = sig;
      log::warning("Received {}. Gracefully shutting down.", signal_name(sig));
      eng.stop_all(SIGTERM);
    } else {
      log::warning("Received {} again. Killing every process now.", signal_name(sig));
      eng.stop_all(SIGKILL);
    }
  });
  if (options.timeout && *options.timeout > 0) {
    double t = *options.timeout;
    eng.loop.add_timer(t, [&eng, t] {
      if (eng.stop_signal) return;
      eng.run_timed_out = true;
      log::warning("Timeout: the run reached --timeout {} s; stopping every task", t);
      eng.stop_all(SIGINT);
    });
  }

  log::info("Job started at {}", naive_local(eng.record.start));
  Flags flags{project.kill_downstream_on_fail, project.kill_loop_on_fail};
  auto root = make_group_node(eng, project.tasks, flags, options.vars, true);
  bool done = false;
  int code = 0;
  root->on_done = [&](int c) {
    code = c;
    done = true;
  };
  root->start(util::UniqueFd());
  eng.loop.run_until([&] { return done; });
  stop_stragglers(eng);

  eng.record.end = now_seconds();
  log::info("Job ended at {}", naive_local(eng.record.end));
  log::info("Processed in {}", elapsed(eng.record.end - eng.record.start));

  RunResult result;
  if (eng.stop_signal) {
    result.exit_code = 128 + eng.stop_signal;
  } else if (eng.run_timed_out) {
    result.exit_code = k_exit_timeout;
  } else {
    result.exit_code = code == 0 ? k_exit_ok : k_exit_failure;
  }
  eng.record.exit_code = result.exit_code;
  result.record = std::move(eng.record);
  return result;
}

}  // namespace handoff::engine
