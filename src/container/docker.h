#pragma once
// The docker CLI, run with an argv (posix_spawn, never a shell): its output
// streamed to stderr line by line (masked by the redactor) and kept for the
// error message when it fails. The argv of every call handoff makes is built
// by a pure function below, so tests check them without a Docker engine.
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace handoff::container {

using Argv = std::vector<std::string>;

struct DockerCall {
  Argv args;                 ///< after "docker": {"build", "-t", …}
  std::string what;          ///< for messages: "docker build"
  std::string input;         ///< written to docker's stdin, then closed; empty: /dev/null
  bool interactive = false;  ///< docker's stdin/stdout/stderr are ours (docker run -it)
  bool echo = true;          ///< stream its output to stderr as it comes
  /// "NAME=VALUE" set in docker's own environment, for `-e NAME` to pass on
  /// without the value appearing in any argv.
  std::vector<std::string> env;
};

struct DockerResult {
  int exit_code = 0;   ///< 128+n when docker died of signal n
  std::string output;  ///< stdout and stderr as they came (not kept when interactive)
};

class Docker {
 public:
  /// program: "docker", looked up on PATH when it holds no '/'.
  explicit Docker(std::string program = "docker");

  /// Run it. Throws handoff::Error only when docker cannot be started.
  DockerResult run(const DockerCall& call) const;
  /// Run it; a non-zero exit is a handoff::Error (exit 1) whose message is
  /// "<what> failed with exit code N" and the last lines of its output.
  DockerResult check(const DockerCall& call) const;
  /// `docker version`: a one-line Error with a hint when no engine answers.
  void require_engine() const;
  /// The tags of image in the local engine (`docker images`).
  std::vector<std::string> local_tags(const std::string& image) const;

 private:
  std::string program_;
};

/// The last max_lines lines of output (a leading "…" line when cut).
std::string output_tail(const std::string& output, size_t max_lines = 40);

// ----- the argv of each call -------------------------------------------------

Argv build_argv(const std::string& image_ref, const std::filesystem::path& context_dir,
                const std::map<std::string, std::string>& args, bool no_cache);

struct RunSpec {
  std::string image_ref;
  /// -e NAME=VALUE, in order (names and values that are not secret).
  std::vector<std::pair<std::string, std::string>> env;
  /// -e NAME, the value taken from docker's environment (AWS credentials).
  std::vector<std::string> inherited_env;
  bool detach = false;
  bool interactive = false;
  std::string platform;                                    ///< --platform; may be empty
  std::vector<std::pair<std::string, std::string>> ports;  ///< container port → host port
};
Argv run_args(const RunSpec& spec);

Argv tag_args(const std::string& source_ref, const std::string& target_ref);
Argv login_args(const std::string& registry);  ///< password from stdin
Argv push_args(const std::string& target_ref);

}  // namespace handoff::container
