// Checks of programs handoff runs: itself, python3 and its venv module (for
// `workspace install`), and docker (for `container …`). Each is a probe with a
// timeout, so a wedged program costs seconds, not a hang.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "engine/spawn.h"
#include "setup/doctor.h"
#include "setup/probe.h"
#include "util/error.h"
#include "util/temp_dir.h"
#include "util/version.h"

namespace fs = std::filesystem;

namespace handoff::setup {
namespace {

std::string path_env() {
  const char* p = std::getenv("PATH");
  return p ? p : "";
}

CheckStatus missing_status(bool needed) { return needed ? CheckStatus::fail : CheckStatus::warn; }

std::string why(const ProbeResult& r, double timeout) {
  if (r.timed_out) return fmt::format("no answer within {} s", timeout);
  std::string line = last_line(r.output);
  return line.empty() ? fmt::format("exit code {}", r.exit_code) : line;
}


}  // namespace

CheckResult check_version() {
  return {"handoff", CheckStatus::ok, fmt::format("handoff {} ({})", k_version, k_git_revision), ""};
}

CheckResult check_python(bool needed, double timeout) {
  CheckResult c{"python3", CheckStatus::ok, "", ""};
  std::string exe = engine::find_in_path("python3", path_env());
  if (exe.empty()) {
    c.status = missing_status(needed);
    c.detail = needed ? "python3 is not on PATH and the project has installs" : "python3 is not on PATH";
    c.fix = "install python3 and python3-venv (Debian: apt-get install python3 python3-venv)";
    return c;
  }
  ProbeResult r = probe({exe, "--version"}, timeout);
  if (r.exit_code != 0) {
    c.status = missing_status(needed);
    c.detail = fmt::format("{} --version failed: {}", exe, why(r, timeout));
    c.fix = "repair or reinstall python3";
    return c;
  }
  c.detail = fmt::format("{} ({})", first_line(r.output), exe);
  return c;
}

CheckResult check_venv(bool needed, double timeout) {
  CheckResult c{"python3 -m venv", CheckStatus::ok, "", ""};
  std::string exe = engine::find_in_path("python3", path_env());
  const char* fix = "install the venv module (Debian: apt-get install python3-venv)";
  if (exe.empty()) {
    c.status = missing_status(needed);
    c.detail = "no python3 to make virtualenvs with";
    c.fix = fix;
    return c;
  }
  // A venv without pip is quick to make; ensurepip is what Debian's python3
  // lacks without python3-venv, and what `workspace install` needs for pip.
  std::optional<util::TempDir> tmp;
  try {
    tmp.emplace("doctor");
  } catch (const Error& e) {
    c.status = CheckStatus::warn;
    c.detail = fmt::format("cannot try python3 -m venv: {}", e.what());
    c.fix = e.hint();
    return c;
  }
  ProbeResult venv = probe({exe, "-m", "venv", "--without-pip", (tmp->path() / "venv").string()}, timeout * 3);
  if (venv.exit_code != 0) {
    c.status = missing_status(needed);
    c.detail = fmt::format("python3 -m venv failed: {}", why(venv, timeout * 3));
    c.fix = fix;
    return c;
  }
  ProbeResult pip = probe({exe, "-m", "ensurepip", "--version"}, timeout);
  if (pip.exit_code != 0) {
    c.status = missing_status(needed);
    c.detail = fmt::format("venvs work but ensurepip does not, so they get no pip: {}", why(pip, timeout));
    c.fix = fix;
    return c;
  }
  c.detail = fmt::format("virtualenvs work, with {} from ensurepip", first_line(pip.output));
  return c;
}

CheckResult check_docker(double timeout) {
  CheckResult c{"docker", CheckStatus::ok, "", ""};
  const char* why_needed = "container build, run and push need a Docker Engine";
  std::string exe = engine::find_in_path("docker", path_env());
  if (exe.empty()) {
    c.status = CheckStatus::warn;
    c.detail = fmt::format("no docker client on PATH; {}", why_needed);
    c.fix = "install Docker Engine (Debian: apt-get install docker.io) if you use container commands";
    return c;
  }
  ProbeResult r = probe({exe, "version", "--format", "{{.Client.Version}} {{.Server.Version}}"}, timeout);
  if (r.exit_code != 0) {
    c.status = CheckStatus::warn;
    c.detail = fmt::format("docker client {} found, but no engine answered ({}); {}", exe, why(r, timeout),
                           why_needed);
    c.fix = "start the engine (systemctl start docker) or point DOCKER_HOST at one";
    return c;
  }
  std::string versions = first_line(r.output);
  size_t space = versions.find(' ');
  c.detail = space == std::string::npos ? fmt::format("docker {} ({})", versions, exe)
                                        : fmt::format("client {}, engine {} ({})", versions.substr(0, space),
                                                      versions.substr(space + 1), exe);
  return c;
}

}  // namespace handoff::setup
