#pragma once
// Internal to engine/: the asynchronous tree a run is made of. Each node is
// started with an input fd and calls on_done once with its code; everything is
// driven by the one EventLoop, so foreach iterations and fork branches run
// concurrently without threads.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "engine/event_loop.h"
#include "engine/runner.h"
#include "util/fd.h"

namespace handoff::engine {

class Engine;
class StderrRelay;

/// Flags in force for a task (project < task < sub-task inheritance applied).
struct Flags {
  bool kill_downstream_on_fail = true;
  bool kill_loop_on_fail = true;
};

/// What one running task owns: its log files and its live process groups.
struct TaskContext {
  std::string name;
  const project::Task* task = nullptr;
  Flags flags;
  tmpl::Value vars;                  ///< variables for rendering (with _line inside foreach)
  util::UniqueFd stdout_log;         ///< artifacts/<name>_stdout.log (or the state temp file)
  util::UniqueFd stderr_log;         ///< artifacts/<name>_stderr.log; -1 when stderr_to_file is false
  std::filesystem::path stdout_path; ///< where stdout_log was opened (for error messages)
  std::filesystem::path stderr_path; ///< where stderr_log was opened (for error messages)
  int stderr_log_errno = 0;          ///< first write error on stderr_log (ENOSPC…); 0 if none
  std::set<pid_t> groups;            ///< process groups of live processes
  std::vector<std::unique_ptr<StderrRelay>> relays;  ///< closed when the task ends
  bool from_stdin = false;           ///< first process reads handoff's stdin
};

class Node {
 public:
  explicit Node(Engine& engine) : eng_(engine) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Start with input as the first process's stdin (invalid: /dev/null).
  virtual void start(util::UniqueFd input) = 0;
  /// Stop everything under this node (sig first, then escalation by the engine).
  virtual void stop(int sig) = 0;
  bool done() const { return done_; }

  std::function<void(int code)> on_done;

 protected:
  /// Report the result once. The parent may retire this node from inside the
  /// callback; nothing may touch members after finish() returns.
  void finish(int code);

  Engine& eng_;
  bool done_ = false;
};

/// Build the node that runs one task (pipeline, commands or a nested group).
std::unique_ptr<Node> make_task_node(Engine& eng, const project::Task& task, std::string name,
                                     Flags parent_flags, tmpl::Value vars, bool from_stdin);
std::unique_ptr<Node> make_group_node(Engine& eng, const std::vector<project::Task>& tasks,
                                      Flags flags, tmpl::Value vars, bool top_level);
std::unique_ptr<Node> make_pipeline_node(Engine& eng, TaskContext& ctx);
std::unique_ptr<Node> make_commands_node(Engine& eng, TaskContext& ctx);
std::unique_ptr<Node> make_foreach_node(Engine& eng, TaskContext& ctx, const project::Step& step);
std::unique_ptr<Node> make_fork_node(Engine& eng, TaskContext& ctx, const project::Step& step);

/// One started child process.
struct Process {
  pid_t pid = -1;
  size_t record = 0;       ///< index into the run record's processes
  bool exited = false;
  ExitStatus status;
  std::vector<EventLoop::TimerId> timers;
};

/// Reads a child's stderr, masks secrets, writes lines to the task's stderr
/// log and relays them to the console at INFO prefixed with the task name.
class StderrRelay {
 public:
  /// Lines go to ctx's stderr log until a write fails: then the error is kept
  /// in ctx.stderr_log_errno (reported when the task ends) and the console
  /// alone gets the rest.
  StderrRelay(Engine& eng, TaskContext& ctx, util::UniqueFd read_end, size_t record);
  ~StderrRelay();
  /// Read what is there now (non-blocking); at EOF, stop watching.
  void drain();
  /// Final drain, then flush a partial last line and close.
  void close();
  bool open() const { return fd_.valid(); }

 private:
  /// Mask complete lines (each ending in '\n'), write them to the log file
  /// and relay them to the console.
  void emit(std::string_view lines);

  Engine& eng_;
  TaskContext& ctx_;
  util::UniqueFd fd_;
  size_t record_;
  std::string pending_;
};

class Engine {
 public:
  explicit Engine(const RunOptions& options);

  EventLoop loop;
  const RunOptions& opt;
  RunRecord record;
  util::UniqueFd devnull;
  bool stopping = false;   ///< no new work is started
  int stop_signal = 0;     ///< signal that stopped handoff, 0 if none
  bool run_timed_out = false;

  /// Start one process of ctx's task. Its stderr goes through a StderrRelay.
  /// Returns nullptr when it could not be started (the reason is already in
  /// the task's stderr log and the console, and a failed record exists).
  /// on_exit is called once, after the process was reaped.
  std::shared_ptr<Process> start_process(TaskContext& ctx, const project::Step& step, int in_fd,
                                         int out_fd, std::function<void(Process&)> on_exit);
  /// Signal the groups: sig now, then SIGTERM and SIGKILL a grace period apart.
  void stop_groups(const std::set<pid_t>& groups, int sig);
  /// Stop the whole run (handoff got a signal or --timeout expired).
  void stop_all(int sig);
  /// Keep a finished node alive until the current dispatch returns.
  void retire(std::unique_ptr<Node> node);
  /// A masked copy of text (secrets replaced).
  static std::string mask(std::string_view text);

 private:
  std::vector<std::unique_ptr<Node>> graveyard_;
  std::set<pid_t> all_groups_;
};

/// Set O_NONBLOCK on fd.
void set_nonblocking(int fd);

}  // namespace handoff::engine
