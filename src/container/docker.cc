#include "container/docker.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "engine/spawn.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

extern char** environ;

namespace handoff::container {

namespace {

// environ with `extra` ("NAME=VALUE") replacing or adding entries.
std::vector<std::string> child_env(const std::vector<std::string>& extra) {
  std::set<std::string> names;
  for (const auto& e : extra) names.insert(e.substr(0, e.find('=')));
  std::vector<std::string> out;
  for (char** p = environ; p && *p; ++p) {
    std::string e = *p;
    if (!names.count(e.substr(0, e.find('=')))) out.push_back(std::move(e));
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

void write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // docker went away without reading: its exit code says why
    off += static_cast<size_t>(n);
  }
}

void echo_line(std::string_view line) {
  std::string masked = util::redactor().mask(line);
  std::fwrite(masked.data(), 1, masked.size(), stderr);
  std::fputc('\n', stderr);
}

}  // namespace

Docker::Docker(std::string program) : program_(std::move(program)) {}

DockerResult Docker::run(const DockerCall& call) const {
  const char* path_env = std::getenv("PATH");
  std::string exe = engine::find_in_path(program_, path_env ? path_env : "");
  if (exe.empty()) {
    throw Error(
        program_ + ": command not found (handoff runs the docker CLI for container commands)",
        "install the Docker CLI and engine (https://docs.docker.com/engine/install/) or put docker on PATH");
  }
  std::vector<std::string> argv_s{program_};
  argv_s.insert(argv_s.end(), call.args.begin(), call.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = child_env(call.env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  util::Pipe out;
  util::Pipe in;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!call.interactive) {
    out = util::make_pipe();
    posix_spawn_file_actions_adddup2(&fa, out.write.fd(), 1);
    posix_spawn_file_actions_adddup2(&fa, out.write.fd(), 2);
    if (!call.input.empty()) {
      in = util::make_pipe();
      posix_spawn_file_actions_adddup2(&fa, in.read.fd(), 0);
    } else {
      posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    }
  }
  // Same process group as handoff, so a terminal's Ctrl-C reaches docker too
  // (docker run then stops its container); signals back to default, SIGPIPE
  // included (handoff ignores it, and an ignored signal survives exec).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t def;
  sigemptyset(&def);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&def, s);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error(fmt::format("cannot start {}: {}", exe, util::errno_text(rc)));
  log::debug("started {} {}", program_, util::join(call.args, " "));

  DockerResult result;
  if (!call.interactive) {
    out.write.reset();
    in.read.reset();
    if (in.write.valid()) {
      write_all(in.write.fd(), call.input);
      in.write.reset();
    }
    // Lines are echoed as they complete; the rest when docker ends.
    size_t echoed = 0;
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(out.read.fd(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      result.output.append(buf, static_cast<size_t>(n));
      size_t nl;
      while (call.echo && (nl = result.output.find('\n', echoed)) != std::string::npos) {
        echo_line(std::string_view(result.output).substr(echoed, nl - echoed));
        echoed = nl + 1;
      }
    }
    if (call.echo && echoed < result.output.size()) echo_line(std::string_view(result.output).substr(echoed));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

DockerResult Docker::check(const DockerCall& call) const {
  DockerResult r = run(call);
  if (r.exit_code != 0) {
    std::string what =
        call.what.empty() ? program_ + " " + (call.args.empty() ? "" : call.args[0]) : call.what;
    std::string msg = fmt::format("{} failed with exit code {}", what, r.exit_code);
    std::string tail = output_tail(r.output);
    if (!tail.empty()) msg += ":\n" + util::redactor().mask(tail);
    throw Error(msg);
  }
  return r;
}

void Docker::require_engine() const {
  DockerCall call{{"version", "--format", "{{.Server.Version}}"}, "docker version", {}, false, false, {}};
  DockerResult r = run(call);
  std::string version(util::trim(r.output));
  if (r.exit_code == 0 && !version.empty()) {
    log::debug("Docker engine {}", version);
    return;
  }
  // The client prints its own version and then why the server did not answer.
  std::string reason;
  for (const auto& line : util::split(r.output, '\n')) {
    std::string_view t = util::trim(line);
    if (!t.empty()) reason = std::string(t);
  }
  throw Error("no Docker engine answers" + (reason.empty() ? std::string() : ": " + reason),
              "start the Docker daemon (or point DOCKER_HOST / `docker context use` at one); "
              "`docker info` shows what the client sees");
}

std::vector<std::string> Docker::local_tags(const std::string& image) const {
  DockerCall call{{"images", "--format", "{{.Tag}}", image}, "docker images", {}, false, false, {}};
  DockerResult r = check(call);
  std::vector<std::string> tags;
  for (const auto& line : util::split(r.output, '\n')) {
    std::string t(util::trim(line));
    if (!t.empty()) tags.push_back(t);
  }
  return tags;
}

std::string output_tail(const std::string& output, size_t max_lines) {
  std::string_view s = output;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  size_t pos = s.size();
  size_t lines = 0;
  while (pos > 0) {
    size_t nl = s.rfind('\n', pos - 1);
    if (nl == std::string_view::npos) return std::string(s);
    if (++lines == max_lines) return "…\n" + std::string(s.substr(nl + 1));
    pos = nl;
  }
  return std::string(s);
}

// ----- argv --------------------------------------------------------------------

Argv build_argv(const std::string& image_ref, const std::filesystem::path& context_dir,
                const std::map<std::string, std::string>& args, bool no_cache) {
  Argv a{"build", "--tag", image_ref, "--file", (context_dir / "Dockerfile").string()};
  for (const auto& [k, v] : args) {
    a.push_back("--build-arg");
    a.push_back(k + "=" + v);
  }
  if (no_cache) a.push_back("--no-cache");
  a.push_back(context_dir.string());
  return a;
}

Argv run_args(const RunSpec& spec) {
  Argv a{"run", "--rm"};
  if (spec.detach) a.push_back("--detach");
  if (spec.interactive) {
    a.push_back("--interactive");
    a.push_back("--tty");
  }
  if (!spec.platform.empty()) {
    a.push_back("--platform");
    a.push_back(spec.platform);
  }
  for (const auto& [container_port, host_port] : spec.ports) {
    a.push_back("--publish");
    a.push_back(host_port + ":" + container_port);
  }
  for (const auto& [k, v] : spec.env) {
    a.push_back("--env");
    a.push_back(k + "=" + v);
  }
  for (const auto& name : spec.inherited_env) {
    a.push_back("--env");
    a.push_back(name);
  }
  a.push_back(spec.image_ref);
  return a;
}

Argv tag_args(const std::string& source_ref, const std::string& target_ref) {
  return {"tag", source_ref, target_ref};
}

Argv login_args(const std::string& registry) {
  return {"login", "--username", "AWS", "--password-stdin", registry};
}

Argv push_args(const std::string& target_ref) { return {"push", target_ref}; }

}  // namespace handoff::container
