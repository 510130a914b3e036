#pragma once
// How a child process ended, and what counts as a failure.
#include <csignal>
#include <string>

namespace handoff::engine {

struct ExitStatus {
  int exit_code = 0;  ///< exit status when it exited
  int signal = 0;     ///< signal number when killed by one; 0 otherwise
  bool timed_out = false;  ///< we stopped it because its timeout expired
  bool stopped = false;    ///< we stopped it because a sibling failed or handoff was stopped

  /// Shell-style code: the exit status, or 128+signal.
  int code() const { return signal ? 128 + signal : exit_code; }
  /// A failure unless it exited 0, or died of SIGPIPE because its reader went
  /// away (shell semantics: `yes | head -n 1` succeeds). A timeout always fails.
  bool failed() const {
    if (timed_out) return true;
    if (signal == SIGPIPE) return false;
    return code() != 0;
  }
  std::string describe() const {
    if (signal) return "signal " + std::to_string(signal);
    return "code " + std::to_string(exit_code);
  }
};

}  // namespace handoff::engine
