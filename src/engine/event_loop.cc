#include "engine/event_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "util/error.h"
#include "util/fs.h"

namespace handoff::engine {
namespace {

ProcIo read_proc_io(pid_t pid) {
  ProcIo io;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/io", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (!f) return io;
  char key[32];
  long long value;
  while (std::fscanf(f, "%31[^:]: %lld\n", key, &value) == 2) {
    std::string k(key);
    if (k == "rchar") io.rchar = value;
    if (k == "wchar") io.wchar = value;
  }
  std::fclose(f);
  return io;
}

ExitStatus status_from_wait(int status) {
  ExitStatus st;
  if (WIFEXITED(status)) st.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) st.signal = WTERMSIG(status);
  return st;
}

}  // namespace

EventLoop::EventLoop() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  if (sigprocmask(SIG_BLOCK, &mask, &old_mask_) != 0) {
    throw Error("cannot block signals: " + util::errno_text(errno));
  }
  signal_fd_.reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd_.valid()) throw Error("cannot create a signalfd: " + util::errno_text(errno));
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &old_sigpipe_);
}

EventLoop::~EventLoop() {
  // Reap what is left rather than leave zombies; callers stop children first.
  reap_strays();
  sigaction(SIGPIPE, &old_sigpipe_, nullptr);
  sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

void EventLoop::watch_read(int fd, Callback cb) { readers_[fd] = std::move(cb); }
void EventLoop::watch_write(int fd, Callback cb) { writers_[fd] = std::move(cb); }
void EventLoop::unwatch_read(int fd) { readers_.erase(fd); }
void EventLoop::unwatch_write(int fd) { writers_.erase(fd); }

EventLoop::TimerId EventLoop::add_timer(double seconds, Callback cb) {
  TimerId id = next_timer_++;
  auto when = Clock::now() + std::chrono::microseconds(static_cast<long long>(seconds * 1e6));
  timers_.emplace(std::make_pair(when, id), std::move(cb));
  timer_index_[id] = when;
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  timer_index_.erase(it);
}

void EventLoop::on_exit(pid_t pid, ExitCallback cb) { children_[pid] = std::move(cb); }

int EventLoop::next_timeout_ms() const {
  if (timers_.empty()) return -1;
  auto delta = timers_.begin()->first.first - Clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delta).count();
  if (ms < 0) return 0;
  return static_cast<int>(ms + 1);
}

void EventLoop::fire_timers() {
  auto now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_index_.erase(node.key().second);
    node.mapped()();
  }
}

void EventLoop::dispatch_signals() {
  signalfd_siginfo info;
  while (::read(signal_fd_.fd(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo != SIGCHLD && signal_cb_) signal_cb_(static_cast<int>(info.ssi_signo));
  }
  // SIGCHLD coalesces, and a child may have exited before its pid was
  // registered, so always look at every exited child.
  dispatch_children();
}

void EventLoop::dispatch_children() {
  while (true) {
    // Peek first (WNOWAIT) so /proc/<pid>/io can still be read, then reap.
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return;
    pid_t pid = info.si_pid;
    if (pid == 0) return;
    ProcIo io;
    auto it = children_.find(pid);
    if (it != children_.end()) io = read_proc_io(pid);
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (it == children_.end()) continue;  // an adopted orphan: reaped, nothing to tell
    auto cb = std::move(it->second);
    children_.erase(it);
    cb(status_from_wait(status), io);
  }
}

void EventLoop::reap_strays() {
  int status;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

void EventLoop::run_until(const std::function<bool()>& done) {
  std::vector<pollfd> fds;
  while (!done()) {
    fds.clear();
    fds.push_back({signal_fd_.fd(), POLLIN, 0});
    for (const auto& [fd, cb] : readers_) fds.push_back({fd, POLLIN, 0});
    size_t nreaders = readers_.size();
    for (const auto& [fd, cb] : writers_) fds.push_back({fd, POLLOUT, 0});
    int n = ::poll(fds.data(), fds.size(), next_timeout_ms());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("poll failed: " + util::errno_text(errno));
    }
    fire_timers();
    if (fds[0].revents) dispatch_signals();
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      bool is_reader = i <= nreaders;
      auto& table = is_reader ? readers_ : writers_;
      // A callback may have removed or replaced this watch: look it up afresh.
      auto it = table.find(fds[i].fd);
      if (it == table.end()) continue;
      Callback cb = it->second;
      cb();
    }
  }
}

}  // namespace handoff::engine
