// prepare(): everything that can go wrong before the first side effect is
// found here and reported together (mold's Error + checkpoint idea).
#include <ctime>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "engine/spawn.h"
#include "job/job.h"
#include "project/load.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::job {
namespace {

namespace fs = std::filesystem;

/// Visit every step of every task, foreach and fork children included.
template <typename F>
void for_each_step(const std::vector<project::Task>& tasks, bool in_loop, F&& f) {
  for (const auto& t : tasks) {
    for (const auto& s : t.steps) {
      f(t, s, in_loop);
      if (!s.children.empty()) {
        for_each_step(s.children, in_loop || s.kind == project::StepKind::foreach, f);
      }
    }
    for_each_step(t.subtasks, in_loop, f);
  }
}

std::string iso_day(time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

/// The old format's str.format parameters (spec §2.5).
tmpl::Value old_params(const Settings& settings, const fs::path& workspace) {
  tmpl::Value data = tmpl::Value::object();
  if (!settings.old_data.empty()) {
    std::string text = settings.old_data;
    try {
      data = tmpl::Value::parse(text);
    } catch (const std::exception&) {
      // The original retried without the last character (a stray quote from a shell).
      try {
        data = tmpl::Value::parse(text.substr(0, text.size() - 1));
      } catch (const std::exception&) {
        throw UsageError("-d: " + util::quote(text) + " is not valid JSON",
                         "pass a JSON object, e.g. -d '{\"start_at\": \"2020-07-01\"}'");
      }
    }
    if (!data.is_object()) throw UsageError("-d: expected a JSON object");
  }
  time_t now = time(nullptr);
  time_t day = now - now % 86400;
  long offset = data.contains("start_offset_days") && data["start_offset_days"].is_number()
                    ? data["start_offset_days"].get<long>()
                    : -1;
  long duration = data.contains("duration_days") && data["duration_days"].is_number()
                      ? data["duration_days"].get<long>()
                      : 1;
  time_t start = day + offset * 86400;
  tmpl::Value p = tmpl::Value::object();
  p["python"] = engine::find_in_path("python3", getenv("PATH") ? getenv("PATH") : "");
  p["code_dir"] = workspace.string();
  p["work_dir"] = workspace.string();
  p["venv"] = nullptr;
  p["start_at"] = iso_day(start);
  p["end_at"] = iso_day(start + duration * 86400);
  for (auto it = data.begin(); it != data.end(); ++it) p[it.key()] = it.value();
  return p;
}

}  // namespace

tmpl::Value step_vars(const Prepared& prepared, const Settings& settings,
                      const project::Step& step, const tmpl::Value& vars) {
  (void)prepared;
  tmpl::Value v = vars;
  auto ws = fs::absolute(settings.workspace);
  std::error_code ec;
  auto real = fs::weakly_canonical(ws, ec);
  auto put_under = [&v](const char* key, tmpl::Value value) {
    if (!v.contains(key)) v[key] = std::move(value);
  };
  put_under("python", engine::find_in_path("python3", getenv("PATH") ? getenv("PATH") : ""));
  put_under("work_dir", ws.string());
  put_under("code_dir", (ec ? ws : real).string());
  v["venv"] = step.venv.empty() ? tmpl::Value(nullptr) : tmpl::Value(step.venv);
  return v;
}

std::string render_step(const Prepared& prepared, const Settings& settings,
                        const project::Step& step, const tmpl::Value& vars, bool strict) {
  if (prepared.project.old_format) {
    tmpl::Value p = prepared.old_params;
    p["venv"] = step.venv.empty() ? tmpl::Value(nullptr) : tmpl::Value(step.venv);
    return tmpl::render_format(step.command_line(), p, step.loc.path);
  }
  auto it = prepared.templates.find(&step);
  if (it == prepared.templates.end()) {
    throw Error("internal: no template for " + step.loc.path);
  }
  return it->second.render(step_vars(prepared, settings, step, vars), strict).text;
}

Prepared prepare(const Settings& settings, bool check_workspace) {
  if (settings.project_dir.empty()) {
    throw UsageError("no project directory given", "pass -p PROJECT_DIR (the folder with project.yml)");
  }
  Prepared out;
  out.project = project::load_project(settings.project_dir);
  // secrets_dir: -v secrets_dir=DIR, else <project>/.secrets
  auto cli_vars = project::parse_assignments(settings.vars, "-v");
  auto cli_envs = project::parse_assignments(settings.envs, "-e");
  fs::path secrets_dir = settings.project_dir / ".secrets";
  for (const auto& [k, v] : cli_vars) {
    if (k == "secrets_dir") secrets_dir = v;
  }
  out.secrets = settings.secrets ? *settings.secrets : project::load_secrets(secrets_dir, settings.stage);
  out.context = project::build_context(out.project, out.secrets, settings.stage, cli_vars, cli_envs);

  std::vector<std::string> problems;
  std::vector<std::string> warnings;
  std::string hint;
  auto ws = fs::absolute(settings.workspace);

  if (out.project.old_format) {
    out.old_params = old_params(settings, ws);
  }
  // 1. Parse every command template; render the ones outside loops to find
  //    undefined variables now (inside foreach, _line is not known yet).
  std::set<std::string> reported;
  for_each_step(out.project.tasks, false, [&](const project::Task& task, const project::Step& s,
                                               bool in_loop) {
    if (s.kind != project::StepKind::command) return;
    std::string where = s.loc.where();
    if (out.project.old_format) {
      try {
        render_step(out, settings, s, out.context.vars, false);
      } catch (const Error& e) {
        problems.push_back(where + ": " + e.what());
      }
      return;
    }
    try {
      auto t = tmpl::Template::parse(s.command_line(), s.loc.path + ".command");
      auto vars = out.context.vars;
      if (in_loop) {
        vars["_line"] = "";
        vars["_line_safe"] = "_";
      }
      auto result = t.render(step_vars(out, settings, s, vars), false);
      for (const auto& u : result.undefined) {
        std::string msg = fmt::format("{}: undefined variable '{}' in task '{}' ({}) renders empty",
                                      where, u.name, task.name, s.loc.path);
        if (!reported.insert(msg).second) continue;
        (settings.strict ? problems : warnings).push_back(msg);
      }
      out.templates.emplace(&s, std::move(t));
    } catch (const Error& e) {
      problems.push_back(where + ": " + e.what());
    }
  });
  // 2. Venvs the steps use must exist in the workspace.
  if (check_workspace) {
    std::set<std::string> missing;
    for_each_step(out.project.tasks, false, [&](const project::Task& task, const project::Step& s, bool) {
      if (!s.active || s.venv.empty() || missing.count(s.venv)) return;
      if (!fs::exists(ws / s.venv / "bin")) {
        missing.insert(s.venv);
        problems.push_back(fmt::format("{}: task '{}' uses venv '{}', which is not installed in {}",
                                       s.loc.where(), task.name, s.venv, ws.string()));
      }
    });
    if (!missing.empty()) {
      hint = fmt::format("install the venvs first: handoff workspace install -p {} -w {}",
                         settings.project_dir.string(), settings.workspace.string());
    }
  }
  // 3. Files: render in memory now, write only when everything is fine.
  tmpl::Value file_vars = out.context.vars;
  out.files = render_files(settings.files_dir.empty() ? settings.project_dir / "files" : settings.files_dir,
                           file_vars, settings.strict, &problems,
                           &warnings);

  for (const auto& w : warnings) log::warning("{}", w);
  if (!problems.empty()) {
    std::string msg = problems.size() == 1
                          ? problems[0]
                          : fmt::format("{} problems found before running:\n  {}", problems.size(),
                                        util::join(problems, "\n  "));
    if (!hint.empty()) throw UsageError(msg, hint);
    throw UsageError(msg, settings.strict ? "nothing was run; fix the project, or drop --strict to let undefined variables render empty"
                                          : "nothing was run; fix the project and try again");
  }
  return out;
}

}  // namespace handoff::job
