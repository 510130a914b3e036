#pragma once
// The one event loop that owns every fd of a run: poll(2) over watched fds, a
// signalfd for SIGCHLD/SIGINT/SIGTERM/SIGHUP (blocked outside the wait, so no
// signal slips between checks), timers, and child exits. Single-threaded.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

#include "engine/exit_status.h"
#include "util/fd.h"

namespace handoff::engine {

/// I/O counters read from /proc/<pid>/io just before a child is reaped.
struct ProcIo {
  long long rchar = -1;
  long long wchar = -1;
};

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void()>;
  using ExitCallback = std::function<void(const ExitStatus&, const ProcIo&)>;
  using TimerId = std::uint64_t;

  /// Blocks SIGCHLD, SIGINT, SIGTERM and SIGHUP in this thread (children get an
  /// empty mask at spawn), ignores SIGPIPE while it lives (a fork branch that
  /// exits early must be an EPIPE for us, not our death), and makes this process a child subreaper, so detached
  /// grandchildren are re-parented to us and can be found and stopped.
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Call cb whenever fd is readable (or at EOF/error). One read watch per fd.
  void watch_read(int fd, Callback cb);
  /// Call cb whenever fd is writable (or the reader is gone). One write watch per fd.
  void watch_write(int fd, Callback cb);
  void unwatch_read(int fd);
  void unwatch_write(int fd);

  TimerId add_timer(double seconds, Callback cb);
  void cancel_timer(TimerId id);

  /// Call cb once when pid exits (it is reaped by the loop).
  void on_exit(pid_t pid, ExitCallback cb);
  /// Called for SIGINT/SIGTERM/SIGHUP delivered to handoff.
  void on_signal(std::function<void(int)> cb) { signal_cb_ = std::move(cb); }

  /// Run until done() returns true (checked after every dispatch).
  void run_until(const std::function<bool()>& done);
  /// Reap any exited child we do not track (adopted orphans); non-blocking.
  void reap_strays();
  /// Number of children we are waiting for.
  size_t pending_children() const { return children_.size(); }

 private:
  void dispatch_signals();
  void dispatch_children();
  int next_timeout_ms() const;
  void fire_timers();

  util::UniqueFd signal_fd_;
  sigset_t old_mask_;
  struct sigaction old_sigpipe_;
  std::map<int, Callback> readers_;
  std::map<int, Callback> writers_;
  std::map<std::pair<Clock::time_point, TimerId>, Callback> timers_;
  std::unordered_map<TimerId, Clock::time_point> timer_index_;
  TimerId next_timer_ = 1;
  std::unordered_map<pid_t, ExitCallback> children_;
  std::function<void(int)> signal_cb_;
};

}  // namespace handoff::engine
