// Pipeline and commands tasks.
//
// A pipeline's stages are started together, each one's stdout a kernel pipe
// into the next; the last writes straight into its artifact file (or the
// console, or /dev/null), so handoff never touches the stream. A stage that
// fails stops its siblings (SIGTERM, SIGKILL after the grace period) whatever
// the flags; a stage that dies of SIGPIPE because its reader finished is fine.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>

#include "engine/nodes.h"
#include "util/log.h"

namespace handoff::engine {
namespace {

class PipelineNode : public Node {
 public:
  PipelineNode(Engine& eng, TaskContext& ctx) : Node(eng), ctx_(ctx) {}

  void start(util::UniqueFd input) override {
    const auto& steps = ctx_.task->steps;
    std::vector<const project::Step*> commands;
    const project::Step* control = nullptr;
    bool nulldev = false;
    for (const auto& s : steps) {
      if (!s.active) continue;
      if (s.kind == project::StepKind::command) {
        commands.push_back(&s);
      } else if (s.kind == project::StepKind::nulldev) {
        nulldev = true;
        break;
      } else {
        control = &s;
        break;  // the loader warned about anything after it
      }
    }
    if (commands.empty() && !control) {
      finish(0);
      return;
    }

    // Where the last process writes.
    util::UniqueFd control_input;
    util::UniqueFd final_out_owner;
    int final_out;
    if (control) {
      util::Pipe p = util::make_pipe();
      final_out_owner = std::move(p.write);
      final_out = final_out_owner.fd();
      control_input = std::move(p.read);
    } else if (nulldev) {
      final_out = eng_.devnull.fd();
    } else if (ctx_.stdout_log.valid()) {
      final_out = ctx_.stdout_log.fd();
    } else {
      final_out = STDOUT_FILENO;
    }

    util::UniqueFd prev = std::move(input);
    if (commands.empty()) control_input = std::move(prev);
    for (size_t i = 0; i < commands.size() && !failing_; ++i) {
      bool last = i + 1 == commands.size();
      util::Pipe next;
      int out = final_out;
      if (!last) {
        next = util::make_pipe();
        out = next.write.fd();
      }
      ++live_;
      auto proc = eng_.start_process(ctx_, *commands[i], prev.fd(), out,
                                     [this](Process& p) { on_exit(p); });
      if (!proc) {
        --live_;
        fail(127);
      } else {
        procs_.push_back(proc);
      }
      prev = std::move(next.read);
    }
    final_out_owner.reset();
    prev.reset();

    if (control) {
      if (!control_input.valid()) {
        log::error("Task {}: {} needs an upstream command to read from", ctx_.name,
                   control->kind == project::StepKind::foreach ? "foreach" : "fork");
        fail(1);
      } else {
        control_ = control->kind == project::StepKind::foreach
                       ? make_foreach_node(eng_, ctx_, *control)
                       : make_fork_node(eng_, ctx_, *control);
        control_->on_done = [this](int code) {
          control_code_ = code;
          // A failed foreach or fork counts as a failed stage: the upstream
          // stages are stopped (a producer that is not writing would never
          // notice the closed pipe).
          if (code != 0) fail(code);
          check_done();
        };
        control_->start(std::move(control_input));
      }
    }
    started_ = true;
    check_done();
  }

  void stop(int sig) override {
    stopped_ = true;
    eng_.stop_groups(ctx_.groups, sig);
    if (control_ && !control_->done()) control_->stop(sig);
  }

 private:
  void on_exit(Process& p) {
    --live_;
    if (p.status.failed() && !p.status.stopped) {
      log::warning("Process {} exited with {}", p.pid, p.status.describe());
      fail(p.status.code() == 0 ? 1 : p.status.code());
    }
    check_done();
  }

  void fail(int code) {
    if (failing_) return;
    failing_ = true;
    fail_code_ = code;
    // Siblings are stopped, not failed: their own deaths do not count.
    for (auto& proc : procs_) {
      if (!proc->exited) proc->status.stopped = true;
    }
    if (!ctx_.groups.empty()) {
      log::warning("Task {}: a stage failed; terminating the rest of the pipeline", ctx_.name);
      eng_.stop_groups(ctx_.groups, SIGTERM);
    }
    if (control_ && !control_->done()) control_->stop(SIGTERM);
  }

  void check_done() {
    if (!started_ || done_ || live_ > 0) return;
    if (control_ && !control_->done()) return;
    eng_.retire(std::move(control_));
    int code = failing_ ? fail_code_ : control_code_;
    if (stopped_ && code == 0) code = 1;
    finish(code);
  }

  TaskContext& ctx_;
  std::vector<std::shared_ptr<Process>> procs_;
  std::unique_ptr<Node> control_;
  int live_ = 0;
  bool started_ = false;
  bool failing_ = false;
  bool stopped_ = false;
  int fail_code_ = 0;
  int control_code_ = 0;
};

/// Commands run one after another, sharing the task's stdout and stderr logs;
/// the first failure stops the rest.
class CommandsNode : public Node {
 public:
  CommandsNode(Engine& eng, TaskContext& ctx) : Node(eng), ctx_(ctx) {}

  void start(util::UniqueFd input) override {
    input_ = std::move(input);
    next();
  }

  void stop(int sig) override {
    stopped_ = true;
    eng_.stop_groups(ctx_.groups, sig);
  }

 private:
  void next() {
    const auto& steps = ctx_.task->steps;
    while (index_ < steps.size() &&
           (!steps[index_].active || steps[index_].kind != project::StepKind::command)) {
      ++index_;
    }
    if (index_ >= steps.size() || stopped_ || eng_.stopping) {
      finish((stopped_ || eng_.stopping) && index_ < steps.size() ? 1 : 0);
      return;
    }
    const auto& step = steps[index_++];
    int out = ctx_.stdout_log.valid() ? ctx_.stdout_log.fd() : STDOUT_FILENO;
    // Only the first command may read the task's input.
    util::UniqueFd in = std::move(input_);
    current_ = eng_.start_process(ctx_, step, in.fd(), out, [this](Process& p) {
      auto self = std::move(current_);  // keep p alive until we return
      if (p.status.failed()) {
        log::warning("Process {} exited with {}", p.pid, p.status.describe());
        finish(p.status.code() == 0 ? 1 : p.status.code());
        return;
      }
      next();
    });
    if (!current_) finish(127);
  }

  TaskContext& ctx_;
  util::UniqueFd input_;
  size_t index_ = 0;
  bool stopped_ = false;
  std::shared_ptr<Process> current_;
};

}  // namespace

std::unique_ptr<Node> make_pipeline_node(Engine& eng, TaskContext& ctx) {
  return std::make_unique<PipelineNode>(eng, ctx);
}

std::unique_ptr<Node> make_commands_node(Engine& eng, TaskContext& ctx) {
  return std::make_unique<CommandsNode>(eng, ctx);
}

}  // namespace handoff::engine
