// foreach: run sub-tasks once per line of the upstream stream, while the
// upstream still runs, up to `parallel` iterations at once.
//
// Lines are read only while there is room to start them (a small queue), so a
// fast producer is held back by the pipe instead of filling our memory. On a
// loop-stopping failure no new iteration starts, running ones finish, and our
// read end is closed: the producer then ends by SIGPIPE, which is not a failure.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <deque>
#include <list>

#include "engine/nodes.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::engine {
namespace {

/// One line's sub-tasks, run in order.
class IterationNode : public Node {
 public:
  IterationNode(Engine& eng, const std::vector<project::Task>& children, std::string suffix,
                Flags flags, tmpl::Value vars)
      : Node(eng), children_(children), suffix_(std::move(suffix)), flags_(flags),
        vars_(std::move(vars)) {}

  void start(util::UniqueFd) override { next(); }

  void stop(int sig) override {
    stopped_ = true;
    if (current_ && !current_->done()) current_->stop(sig);
  }

 private:
  void next() {
    while (index_ < children_.size() && !children_[index_].active) ++index_;
    if (index_ >= children_.size() || stopped_ || eng_.stopping) {
      finish(code_);
      return;
    }
    const auto& child = children_[index_++];
    current_ = make_task_node(eng_, child, child.name + "_" + suffix_, flags_, vars_, false);
    current_->on_done = [this](int code) {
      eng_.retire(std::move(current_));
      if (code > code_) code_ = code;
      // A failed child skips the rest of this line's children when the
      // parent's kill_downstream_on_fail is true.
      if (code != 0 && flags_.kill_downstream_on_fail) {
        finish(code_);
        return;
      }
      next();
    };
    current_->start(util::UniqueFd());
  }

  const std::vector<project::Task>& children_;
  std::string suffix_;
  Flags flags_;
  tmpl::Value vars_;
  size_t index_ = 0;
  int code_ = 0;
  bool stopped_ = false;
  std::unique_ptr<Node> current_;
};

class ForeachNode : public Node {
 public:
  ForeachNode(Engine& eng, TaskContext& ctx, const project::Step& step)
      : Node(eng), ctx_(ctx), step_(step), parallel_(std::max(1, step.parallel)) {}

  void start(util::UniqueFd input) override {
    log::info("Running foreach loop{}",
              parallel_ > 1 ? fmt::format(" ({} iterations at once)", parallel_) : "");
    input_ = std::move(input);
    set_nonblocking(input_.fd());
    watch();
  }

  void stop(int sig) override {
    stop_loop();
    for (auto& it : running_) {
      if (!it->done()) it->stop(sig);
    }
    check_done();
  }

 private:
  void watch() {
    if (input_.valid() && !watching_) {
      watching_ = true;
      eng_.loop.watch_read(input_.fd(), [this] { on_readable(); });
    }
  }
  void unwatch() {
    if (watching_) {
      watching_ = false;
      eng_.loop.unwatch_read(input_.fd());
    }
  }

  void on_readable() {
    char buf[65536];
    ssize_t n = ::read(input_.fd(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      unwatch();
      input_.reset();
      if (!partial_.empty()) queue_.push_back(std::exchange(partial_, {}));
      eof_ = true;
    } else {
      partial_.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
        queue_.push_back(partial_.substr(start, nl - start));
      }
      partial_.erase(0, start);
    }
    launch();
  }

  void launch() {
    while (!stopped_ && !eng_.stopping && running_.size() < static_cast<size_t>(parallel_) &&
           !queue_.empty()) {
      std::string line(util::trim(queue_.front()));
      queue_.pop_front();
      tmpl::Value vars = ctx_.vars;
      std::string safe = line_safe(line);
      vars["_line"] = line;
      vars["_line_safe"] = safe;
      auto node = std::make_unique<IterationNode>(eng_, step_.children, safe, ctx_.flags,
                                                  std::move(vars));
      Node* raw = node.get();
      running_.push_back(std::move(node));
      raw->on_done = [this, raw](int code) { on_iteration_done(raw, code); };
      raw->start(util::UniqueFd());
    }
    // Back-pressure: read more only when the queue is short.
    if (!stopped_ && queue_.size() < static_cast<size_t>(parallel_)) {
      watch();
    } else {
      unwatch();
    }
    check_done();
  }

  void on_iteration_done(Node* raw, int code) {
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if (it->get() == raw) {
        eng_.retire(std::move(*it));
        running_.erase(it);
        break;
      }
    }
    if (code > code_) code_ = code;
    if (code != 0 && ctx_.flags.kill_loop_on_fail) {
      log::warning("Exiting from the loop on error.");
      stop_loop();
    }
    launch();
  }

  void stop_loop() {
    stopped_ = true;
    queue_.clear();
    unwatch();
    input_.reset();  // the producer sees EPIPE/SIGPIPE and ends
  }

  void check_done() {
    if (done_) return;
    bool input_over = eof_ || stopped_ || eng_.stopping;
    if (input_over && running_.empty() && (queue_.empty() || stopped_ || eng_.stopping)) {
      unwatch();
      input_.reset();
      finish(code_);
    }
  }

  TaskContext& ctx_;
  const project::Step& step_;
  int parallel_;
  util::UniqueFd input_;
  bool watching_ = false;
  bool eof_ = false;
  bool stopped_ = false;
  std::string partial_;
  std::deque<std::string> queue_;
  std::list<std::unique_ptr<Node>> running_;
  int code_ = 0;
};

}  // namespace

std::unique_ptr<Node> make_foreach_node(Engine& eng, TaskContext& ctx, const project::Step& step) {
  return std::make_unique<ForeachNode>(eng, ctx, step);
}

}  // namespace handoff::engine
