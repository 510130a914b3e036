#pragma once
// Starting one child process (posix_spawn): its own process group, an empty
// signal mask, default SIGPIPE, the given stdin/stdout/stderr, every other fd
// closed (all of ours are O_CLOEXEC).
#include <sys/types.h>

#include <string>
#include <vector>

namespace handoff::engine {

struct SpawnSpec {
  std::string command_line;       ///< rendered line, run by /bin/sh -c unless simple
  std::vector<std::string> env;   ///< "KEY=VALUE" entries; the whole environment
  std::string cwd;                ///< working directory
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

/// True when the line has none of *?[~'"\#$;|&<>(), backquotes or newlines and
/// does not start with NAME=, so it can be exec'd directly without a shell.
bool is_simple_command(const std::string& line);

/// Find name on a PATH list ("a:b:c"); "" when not found. A name containing '/'
/// is returned as it is.
std::string find_in_path(const std::string& name, const std::string& path);

/// Start the process. Returns its pid (also its process group id). When the
/// program cannot be started (not found, not executable), returns -1 and sets
/// *error to a one-line reason in the shell's words ("<cmd>: command not found").
pid_t spawn_process(const SpawnSpec& spec, std::string* error);

}  // namespace handoff::engine
