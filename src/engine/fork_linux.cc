// fork: one upstream stream into several branch pipelines, duplicated in the
// kernel with tee(2) and consumed with splice(2), so the bytes never enter
// handoff's memory on the normal path.
//
// tee always copies from the head of its input, so each round copies the same
// head to every live branch, then consumes it once. When a branch took less
// than the others (its pipe was fuller), the bytes it missed are read once
// into a per-branch buffer and written to it later: no byte lost or repeated,
// whatever the speeds. The next round waits until every buffer is empty and
// every live branch is writable, so the stream advances at the pace of the
// slowest live branch. A branch that exits is dropped (EPIPE) without
// disturbing the others; when none is left the upstream's pipe is closed.
// Where tee(2) is not possible (EINVAL: not a pipe) the pump reads and writes.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "engine/nodes.h"
#include "util/log.h"

namespace handoff::engine {
namespace {

constexpr size_t k_chunk = 1 << 20;
constexpr int k_pipe_size = 1 << 20;

struct Branch {
  const project::Task* task = nullptr;
  util::UniqueFd write;       ///< invalid once the branch stopped reading
  std::string pending;        ///< bytes it still has to get
  size_t pending_off = 0;
  std::unique_ptr<Node> node;
  bool done = false;
};

class ForkNode : public Node {
 public:
  ForkNode(Engine& eng, TaskContext& ctx, const project::Step& step)
      : Node(eng), ctx_(ctx), step_(step) {}

  void start(util::UniqueFd input) override {
    log::info("Forking the downstream...");
    src_ = std::move(input);
    set_nonblocking(src_.fd());
    ::fcntl(src_.fd(), F_SETPIPE_SZ, k_pipe_size);
    for (const auto& child : step_.children) {
      if (!child.active) {
        log::debug("Skipping {}", child.name);
        continue;
      }
      auto b = std::make_unique<Branch>();
      b->task = &child;
      util::Pipe p = util::make_pipe();
      ::fcntl(p.write.fd(), F_SETPIPE_SZ, k_pipe_size);
      set_nonblocking(p.write.fd());
      b->write = std::move(p.write);
      b->node = make_task_node(eng_, child, child.name, ctx_.flags, ctx_.vars, false);
      Branch* raw = b.get();
      b->node->on_done = [this, raw](int code) { on_branch_done(raw, code); };
      branches_.push_back(std::move(b));
      raw->node->start(std::move(p.read));
    }
    started_ = true;
    pump();
  }

  void stop(int sig) override {
    close_source();
    for (auto& b : branches_) {
      b->write.reset();
      if (!b->done) b->node->stop(sig);
    }
    check_done();
  }

 private:
  void on_branch_done(Branch* b, int code) {
    b->done = true;
    if (code > code_) code_ = code;
    if (b->write.valid()) {
      eng_.loop.unwatch_write(b->write.fd());
      b->write.reset();
    }
    b->pending.clear();
    eng_.retire(std::move(b->node));
    if (!done_) pump();
    check_done();
  }

  void close_source() {
    if (!src_.valid()) return;
    eng_.loop.unwatch_read(src_.fd());
    src_.reset();
  }

  void drop(Branch& b) {
    eng_.loop.unwatch_write(b.write.fd());
    b.write.reset();
    b.pending.clear();
  }

  bool any_live() const {
    for (const auto& b : branches_) {
      if (b->write.valid()) return true;
    }
    return false;
  }

  /// Write what a branch still misses; false when it would block.
  bool flush(Branch& b) {
    while (b.pending_off < b.pending.size()) {
      ssize_t n = ::write(b.write.fd(), b.pending.data() + b.pending_off,
                          b.pending.size() - b.pending_off);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return false;
        drop(b);  // EPIPE: the branch stopped reading
        return true;
      }
      b.pending_off += static_cast<size_t>(n);
    }
    b.pending.clear();
    b.pending_off = 0;
    return true;
  }

  void pump() {
    if (done_ || !started_) return;
    if (src_.valid()) eng_.loop.unwatch_read(src_.fd());
    for (auto& b : branches_) {
      if (b->write.valid()) eng_.loop.unwatch_write(b->write.fd());
    }
    for (int round = 0; round < 64; ++round) {
      // 1. Every live branch must have received everything consumed so far.
      bool blocked = false;
      for (auto& b : branches_) {
        if (b->write.valid() && !b->pending.empty() && !flush(*b)) {
          blocked = true;
          eng_.loop.watch_write(b->write.fd(), [this] { pump(); });
        }
      }
      if (blocked) return;
      if (!any_live()) {
        close_source();
        break;
      }
      if (!src_.valid()) break;
      // 2. Wait until the source has data and every live branch has room.
      if (!wait_ready()) return;
      // 3. Copy the head to every branch, then consume it once.
      if (!copy_round()) break;
    }
    if (src_.valid() && !done_) {
      // Yield to the loop after a batch of rounds; continue when readable.
      eng_.loop.watch_read(src_.fd(), [this] { pump(); });
      return;
    }
    // Source finished: close every branch's input so it sees EOF.
    for (auto& b : branches_) {
      if (b->write.valid() && b->pending.empty()) drop(*b);
    }
    check_done();
  }

  bool wait_ready() {
    std::vector<pollfd> fds;
    fds.push_back({src_.fd(), POLLIN, 0});
    for (auto& b : branches_) {
      if (b->write.valid()) fds.push_back({b->write.fd(), POLLOUT, 0});
    }
    if (::poll(fds.data(), fds.size(), 0) < 0) return false;
    bool ready = true;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ready = false;
      eng_.loop.watch_read(src_.fd(), [this] { pump(); });
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents & POLLERR) continue;  // a gone reader shows as EPIPE below
      if (!(fds[i].revents & POLLOUT)) {
        ready = false;
        eng_.loop.watch_write(fds[i].fd, [this] { pump(); });
      }
    }
    return ready;
  }

  /// One round; false when the source reached EOF.
  bool copy_round() {
    std::vector<ssize_t> got(branches_.size(), 0);
    ssize_t most = 0;
    bool use_read = !kernel_copy_;
    bool saw_eof = false;
    for (size_t i = 0; i < branches_.size() && !use_read; ++i) {
      auto& b = *branches_[i];
      if (!b.write.valid()) continue;
      ssize_t n = ::tee(src_.fd(), b.write.fd(), k_chunk, SPLICE_F_NONBLOCK);
      if (n == 0) saw_eof = true;
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) n = 0;
        else if (errno == EINVAL) {
          kernel_copy_ = false;
          use_read = true;
          break;
        } else {
          drop(b);  // EPIPE
          n = 0;
        }
      }
      got[i] = n;
      if (n > most) most = n;
    }
    if (use_read) return read_round();
    if (most == 0) {
      // tee returns 0 only at end of input (no writer left, nothing buffered).
      if (saw_eof) {
        close_source();
        return false;
      }
      return true;  // a pipe filled up in between: wait again
    }
    bool equal = true;
    for (size_t i = 0; i < branches_.size(); ++i) {
      if (branches_[i]->write.valid() && got[i] != most) equal = false;
    }
    if (equal) {
      consume(static_cast<size_t>(most));
    } else {
      std::string head = read_exact(static_cast<size_t>(most));
      for (size_t i = 0; i < branches_.size(); ++i) {
        auto& b = *branches_[i];
        if (b.write.valid() && got[i] < most) b.pending.append(head, static_cast<size_t>(got[i]));
      }
    }
    return true;
  }

  /// Fallback: the bytes pass through our memory once.
  bool read_round() {
    std::string buf(k_chunk, '\0');
    ssize_t n = ::read(src_.fd(), buf.data(), buf.size());
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) {
      close_source();
      return false;
    }
    buf.resize(static_cast<size_t>(n));
    for (auto& b : branches_) {
      if (b->write.valid()) b->pending.append(buf);
    }
    return true;
  }

  void consume(size_t n) {
    while (n > 0) {
      ssize_t m = ::splice(src_.fd(), nullptr, eng_.devnull.fd(), nullptr, n, SPLICE_F_MOVE);
      if (m < 0) {
        if (errno == EINTR) continue;
        // /dev/null refused splice: read and discard instead.
        read_exact(n);
        return;
      }
      if (m == 0) return;
      n -= static_cast<size_t>(m);
    }
  }

  std::string read_exact(size_t n) {
    std::string out(n, '\0');
    size_t off = 0;
    while (off < n) {
      ssize_t m = ::read(src_.fd(), out.data() + off, n - off);
      if (m < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        break;
      }
      if (m == 0) break;
      off += static_cast<size_t>(m);
    }
    out.resize(off);
    return out;
  }

  void check_done() {
    if (done_ || !started_) return;
    for (const auto& b : branches_) {
      if (!b->done) return;
    }
    close_source();
    finish(code_);
  }

  TaskContext& ctx_;
  const project::Step& step_;
  util::UniqueFd src_;
  std::vector<std::unique_ptr<Branch>> branches_;
  bool kernel_copy_ = true;
  bool started_ = false;
  int code_ = 0;
};

}  // namespace

std::unique_ptr<Node> make_fork_node(Engine& eng, TaskContext& ctx, const project::Step& step) {
  return std::make_unique<ForkNode>(eng, ctx, step);
}

}  // namespace handoff::engine
