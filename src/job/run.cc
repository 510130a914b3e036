// run local, workspace install and the command listings.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "engine/process_tree.h"
#include "engine/runner.h"
#include "engine/spawn.h"
#include "job/job.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"
#include "util/term.h"

extern char** environ;

namespace handoff::job {
namespace {

namespace fs = std::filesystem;

/// handoff's environment with the run's variables on top (later wins).
std::vector<std::string> child_environment(const project::Assignments& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& [k, v] : extra) {
    std::string prefix = k + "=";
    std::erase_if(env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    env.push_back(prefix + v);
  }
  return env;
}

/// "running 3 processes (tap, sed, target), 1m05s": the run's live status,
/// from /proc (the engine's one thread is busy running; this reads beside it).
std::string run_status(double elapsed) {
  auto pids = engine::descendants(::getpid());
  std::vector<std::string> names;
  for (pid_t pid : pids) {
    std::string comm;
    try {
      comm = std::string(util::trim(util::read_file(fmt::format("/proc/{}/comm", pid))));
    } catch (const Error&) {
      continue;  // it ended meanwhile
    }
    if (std::find(names.begin(), names.end(), comm) == names.end()) names.push_back(comm);
  }
  if (names.size() > 3) {
    names.resize(3);
    names.emplace_back("...");
  }
  return fmt::format("running {} process{}{}, {}", pids.size(), pids.size() == 1 ? "" : "es",
                     names.empty() ? "" : " (" + util::join(names, ", ") + ")", term::format_duration(elapsed));
}

}  // namespace

int run_local(const Settings& settings) {
  if (settings.workspace.empty()) {
    throw UsageError("no workspace directory given", "pass -w WORKSPACE_DIR (created if missing)");
  }
  Prepared prepared = prepare(settings, true);
  auto ws = fs::absolute(settings.workspace).lexically_normal();
  util::make_dirs(ws / "artifacts");
  write_files(ws, prepared.files);
  write_config_files(ws, prepared.project);

  engine::RunOptions opt;
  opt.workspace = ws;
  opt.vars = prepared.context.vars;
  opt.env = child_environment(prepared.context.env);
  opt.stage = settings.stage;
  opt.timeout = settings.timeout;
  opt.grace = settings.grace.value_or(prepared.project.grace.value_or(10.0));
  opt.render = [&](const project::Step& step, const tmpl::Value& vars) {
    return render_step(prepared, settings, step, vars, settings.strict);
  };
  // A live status line only when no child can write to the same terminal:
  // their stderr is relayed through the log, but stdout may be inherited.
  std::optional<term::Ticker> status;
  if (!::isatty(STDOUT_FILENO)) status.emplace(term::Printer::instance(), run_status, true);
  auto result = engine::run_project(prepared.project, opt);
  status.reset();
  try {
    auto path = engine::save_record(result.record, ws);
    log::debug("Run record written to {}", path.string());
  } catch (const Error& e) {
    log::warning("could not write the run record: {}", e.what());
  }
  return result.exit_code;
}

void install(const Settings& settings) {
  if (settings.workspace.empty()) {
    throw UsageError("no workspace directory given", "pass -w WORKSPACE_DIR (created if missing)");
  }
  Prepared prepared = prepare(settings, false);
  const auto& installs = prepared.project.installs;
  if (installs.empty()) {
    throw UsageError("installs section is not defined in " + prepared.project.file.string(),
                     "add an installs: list with venv and command entries");
  }
  auto ws = fs::absolute(settings.workspace).lexically_normal();
  util::make_dirs(ws);
  // Installs may refer to project files (a local wheel in files/).
  write_files(ws, prepared.files);
  write_config_files(ws, prepared.project);
  auto base_env = child_environment(prepared.context.env);
  std::string python = engine::find_in_path("python3", getenv("PATH") ? getenv("PATH") : "");
  if (python.empty()) throw Error("python3 is not on PATH", "install python3 and python3-venv");

  // Run one command, its output captured; throws with the output on failure.
  auto run = [&](const std::string& line, const std::vector<std::string>& env,
                 const std::string& what) {
    util::Pipe out = util::make_pipe();
    engine::SpawnSpec spec;
    spec.command_line = line;
    spec.env = env;
    spec.cwd = ws.string();
    spec.stdout_fd = out.write.fd();
    spec.stderr_fd = out.write.fd();
    std::string error;
    pid_t pid = engine::spawn_process(spec, &error);
    out.write.reset();
    term::Ticker ticker(term::Printer::instance(), [&what](double elapsed) {
      return fmt::format("workspace install: {}, {}", what, term::format_duration(elapsed));
    });
    if (pid < 0) throw Error(what + " could not start: " + error);
    std::string output;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(out.read.fd(), buf, sizeof buf)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      output.append(buf, static_cast<size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0) {
      std::string tail = output.size() > 4000 ? "…" + output.substr(output.size() - 4000) : output;
      throw Error(fmt::format("{} failed with exit code {}:\n{}", what, code,
                              util::redactor().mask(tail)),
                  "fix the install command in project.yml, then run workspace install again");
    }
    log::debug("{}", output);
  };

  for (size_t i = 0; i < installs.size(); ++i) {
    const auto& inst = installs[i];
    std::string what = fmt::format("installs[{}] ({})", i, util::quote(inst.command));
    std::vector<std::string> env = base_env;
    if (!inst.venv.empty()) {
      auto venv = ws / inst.venv;
      if (!util::is_within(venv, ws)) {
        throw UsageError(fmt::format("{}: venv {} is outside the workspace", inst.loc.where(),
                                     util::quote(inst.venv)));
      }
      if (fs::exists(venv / "bin" / "activate")) {
        log::info("{} already exists. Skipping python -m venv...", inst.venv);
      } else {
        util::make_dirs(venv.parent_path());
        log::info("Creating venv {}", venv.string());
        run(util::shell_quote(python) + " -m venv " + util::shell_quote(venv.string()), base_env,
            "creating venv " + util::quote(inst.venv));
        log::info("Created a new venv in {}", inst.venv);
      }
      std::string path = "/usr/bin:/bin";
      std::erase_if(env, [&](const std::string& e) {
        if (e.rfind("PATH=", 0) == 0) {
          path = e.substr(5);
          return true;
        }
        return e.rfind("VIRTUAL_ENV=", 0) == 0 || e.rfind("PYTHONHOME=", 0) == 0;
      });
      env.push_back("VIRTUAL_ENV=" + venv.string());
      env.push_back("PATH=" + (venv / "bin").string() + ":" + path);
    }
    if (inst.command.empty()) continue;
    log::info("Running {}{}", inst.venv.empty() ? "" : "[" + inst.venv + "] ", inst.command);
    run(inst.command, env, what);
  }
  log::info("Installed {} item(s) into {}", installs.size(), ws.string());
}

namespace {

void describe_tasks(const Prepared& prepared, const Settings& settings,
                    const std::vector<project::Task>& tasks, const tmpl::Value& vars, int depth,
                    bool tree, std::string* out) {
  std::string indent(static_cast<size_t>(depth) * 2, ' ');
  for (const auto& t : tasks) {
    if (tree) {
      const char* mode = t.mode == project::TaskMode::pipeline ? "pipeline"
                         : t.mode == project::TaskMode::commands ? "commands" : "tasks";
      *out += fmt::format("{}- {} ({}{})\n", indent, t.name, mode, t.active ? "" : ", inactive");
    }
    std::vector<std::string> parts;
    for (const auto& s : t.steps) {
      if (!s.active) continue;
      if (s.kind == project::StepKind::command) {
        std::string line;
        try {
          line = render_step(prepared, settings, s, vars, false);
        } catch (const Error& e) {
          line = std::string("<error: ") + e.what() + ">";
        }
        parts.push_back(util::redactor().mask(std::string(util::trim(line))));
      } else if (s.kind == project::StepKind::nulldev) {
        parts.push_back("> /dev/null");
      } else {
        bool loop = s.kind == project::StepKind::foreach;
        parts.push_back(loop ? (s.parallel > 1 ? fmt::format("foreach (parallel: {})", s.parallel)
                                               : std::string("foreach"))
                             : std::string("fork"));
      }
    }
    std::string sep = t.mode == project::TaskMode::pipeline ? " | " : " && ";
    if (!parts.empty()) {
      *out += tree ? fmt::format("{}    {}\n", indent, util::join(parts, sep))
                   : fmt::format("{}: {}\n", t.name, util::join(parts, sep));
    }
    for (const auto& s : t.steps) {
      if (!s.active || s.children.empty()) continue;
      tmpl::Value child_vars = vars;
      if (s.kind == project::StepKind::foreach) {
        child_vars["_line"] = "{{ _line }}";
        child_vars["_line_safe"] = "{{ _line_safe }}";
      }
      describe_tasks(prepared, settings, s.children, child_vars, depth + 1, tree, out);
    }
    describe_tasks(prepared, settings, t.subtasks, vars, depth + 1, tree, out);
  }
}

}  // namespace

std::string describe(const Settings& settings, bool tree) {
  Prepared prepared = prepare(settings, false);
  std::string out;
  describe_tasks(prepared, settings, prepared.project.tasks, prepared.context.vars, 0, tree, &out);
  return out;
}

}  // namespace handoff::job
