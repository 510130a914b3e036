// probe(): posix_spawnp with the output pipe's write end as the child's
// stdout and stderr. The parent keeps only the read end (O_CLOEXEC), reads
// until EOF or the deadline, then reaps; on timeout the child's whole group
// is killed, so a `docker` that forks helpers cannot keep us waiting.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "setup/probe.h"
#include "util/fd.h"
#include "util/strings.h"

extern char** environ;

namespace handoff::setup {
namespace {

constexpr size_t k_max_output = 64 * 1024;

int wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ProbeResult probe(const std::vector<std::string>& argv, double timeout_seconds) {
  ProbeResult result;
  if (argv.empty()) return result;
  util::Pipe out = util::make_pipe();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.fd(), 1);
  posix_spawn_file_actions_adddup2(&actions, out.write.fd(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  out.write.reset();
  if (rc != 0) return result;
  result.started = true;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  char buf[4096];
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{out.read.fd(), POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // timeout: the loop's check ends it
    ssize_t got = read(out.read.fd(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: every writer closed its end
    if (result.output.size() < k_max_output) result.output.append(buf, static_cast<size_t>(got));
  }
  // A child that closed its output may still run: it gets the rest of the
  // deadline, then the group is killed (never a wait without end).
  while (!result.timed_out) {
    // WNOWAIT: the child stays unreaped, so its group id cannot be reused
    // before what it left behind in the group is killed below.
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno != EINTR) {
      return result;
    }
    if (info.si_pid == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    usleep(10 * 1000);
  }
  kill(-pid, SIGKILL);
  result.exit_code = wait_child(pid);
  return result;
}

std::string first_line(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line = util::trim(std::string_view(text).substr(start, end - start));
    if (!line.empty()) return std::string(line);
    start = end + 1;
  }
  return {};
}

std::string last_line(const std::string& text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = text.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    std::string_view line = util::trim(std::string_view(text).substr(start, end - start));
    if (!line.empty()) return std::string(line);
    if (start == 0) break;
    end = start - 1;
  }
  return {};
}

}  // namespace handoff::setup
