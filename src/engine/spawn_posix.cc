#include "engine/spawn.h"

#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include "util/strings.h"

namespace handoff::engine {

bool is_simple_command(const std::string& line) {
  static const char* k_special = "*?[~'\"\\#$;|&<>()`\n";
  if (line.find_first_of(k_special) != std::string::npos) return false;
  // A leading NAME=value is an environment assignment only a shell understands.
  std::string_view t = util::trim(line);
  size_t eq = t.find('=');
  size_t sp = t.find_first_of(" \t");
  if (eq != std::string_view::npos && (sp == std::string_view::npos || eq < sp)) return false;
  return !t.empty();
}

std::string find_in_path(const std::string& name, const std::string& path) {
  if (name.find('/') != std::string::npos) return name;
  for (const auto& dir : util::split(path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

namespace {

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      return e.substr(key.size() + 1);
    }
  }
  return {};
}

}  // namespace

pid_t spawn_process(const SpawnSpec& spec, std::string* error) {
  std::vector<std::string> args;
  std::string program;
  if (is_simple_command(spec.command_line)) {
    std::istringstream in(spec.command_line);
    for (std::string word; in >> word;) args.push_back(word);
    // Search the child's PATH (a venv puts its bin/ first), not ours.
    program = find_in_path(args[0], env_value(spec.env, "PATH"));
    if (program.empty()) {
      *error = args[0] + ": command not found";
      return -1;
    }
  } else {
    program = "/bin/sh";
    args = {"/bin/sh", "-c", spec.command_line};
  }

  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = spec.env;
  std::vector<char*> envp;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears O_CLOEXEC on the target, so the child keeps exactly 0, 1 and 2.
  if (spec.stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, spec.stdin_fd, 0);
  if (spec.stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, spec.stdout_fd, 1);
  if (spec.stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, spec.stderr_fd, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_USEVFORK);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (rc == ENOENT) {
      *error = args[0] + ": command not found";
    } else {
      *error = args[0] + ": " + std::strerror(rc);
    }
    return -1;
  }
  return pid;
}

}  // namespace handoff::engine
