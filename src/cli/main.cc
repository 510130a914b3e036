#include "cli/main.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "job/job.h"
#include "util/error.h"
#include "util/log.h"
#include "util/version.h"

namespace handoff::cli {
namespace {

constexpr const char* k_exit_codes = R"(Exit codes:
  0    success
  1    a task or an operation failed (also when later tasks ran because
       kill_downstream_on_fail is false, or a command was not found)
  2    usage, project or template error, found before anything ran
  124  the whole run's --timeout expired
  128+n  handoff was stopped by signal n (130 Ctrl-C, 143 SIGTERM))";

struct Options {
  job::Settings job;
  std::string log_level = "info";
  std::string log_format = "text";
  bool verbose = false;
  bool quiet = false;
  bool push_artifacts = false;
  bool advanced_tier = false;
};

void add_project(CLI::App* cmd, Options& o, bool required) {
  auto* opt = cmd->add_option("-p,--project,--project-dir", o.job.project_dir,
                              "project directory (holds project.yml, files/, .secrets/)");
  if (required) opt->required();
}

void add_workspace(CLI::App* cmd, Options& o, const char* def) {
  auto* opt = cmd->add_option("-w,--workspace,--workspace-dir", o.job.workspace,
                              "workspace directory; processes run here, outputs go to artifacts/");
  if (def) {
    o.job.workspace = def;
    opt->capture_default_str();
  } else {
    opt->required();
  }
}

void add_common(CLI::App* cmd, Options& o) {
  cmd->add_option("-s,--stage", o.job.stage, "stage; prod uses .secrets/secrets.yml and no prefixes")
      ->capture_default_str();
  cmd->add_option("-v,--vars", o.job.vars,
                  "template variables KEY=VALUE (repeatable; several after one -v; values stay strings)")
      ->allow_extra_args()
      ->type_name("KEY=VALUE ...");
  cmd->add_option("-e,--envs", o.job.envs, "environment variables KEY=VALUE for the tasks")
      ->allow_extra_args()
      ->type_name("KEY=VALUE ...");
  cmd->add_flag("--strict", o.job.strict, "an undefined template variable is an error");
  cmd->add_option("-l,--log-level", o.log_level, "debug, info, warning, error or critical")
      ->capture_default_str();
  cmd->add_option("--log-format", o.log_format, "text or json")->capture_default_str();
  cmd->add_flag("--verbose", o.verbose, "debug logging (same as -l debug)");
  cmd->add_flag("--quiet", o.quiet, "warnings and errors only");
}

void add_run(CLI::App* cmd, Options& o) {
  cmd->add_option("--timeout", o.job.timeout, "stop the whole run after SECONDS (exit 124)")
      ->type_name("SECONDS");
  cmd->add_option("--grace", o.job.grace,
                  "seconds between SIGINT, SIGTERM and SIGKILL when stopping (default 10)")
      ->type_name("SECONDS");
  cmd->add_option("-d,--data", o.job.old_data,
                  "old-format JSON data for {placeholders}, e.g. '{\"start_at\": \"2020-07-01\"}'");
}

void configure_logging(const Options& o) {
  log::Level level;
  if (!log::parse_level(o.log_level, &level)) {
    throw UsageError("unknown log level " + o.log_level, "use debug, info, warning, error or critical");
  }
  if (o.verbose) level = log::Level::debug;
  if (o.quiet) level = log::Level::warning;
  log::set_level(level);
  if (o.log_format == "json") {
    log::set_format(log::Format::json);
  } else if (o.log_format != "text") {
    throw UsageError("unknown log format " + o.log_format, "use text or json");
  }
}

void print_error(const Error& e) {
  std::fprintf(stderr, "handoff: error: %s\n", e.what());
  if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // Writing to a reader that went away must be an error, not a silent death;
  // children get SIGPIPE back to default at spawn.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"handoff: run data pipelines (Singer taps and targets, or any Unix commands)\n"
               "locally at full pipe speed, and the same project in the cloud."};
  app.name("handoff");
  app.footer(k_exit_codes);
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("handoff {} ({})", k_version, k_git_revision));
  Options o;
  int exit_code = k_exit_ok;

  // run local
  auto* run = app.add_subcommand("run", "run a project");
  run->require_subcommand(1);
  auto* run_local = run->add_subcommand("local", "run a local project in a workspace");
  auto* run_local_old = app.add_subcommand("run_local", "old name of `run local`");
  for (auto* cmd : {run_local, run_local_old}) {
    add_project(cmd, o, true);
    add_workspace(cmd, o, cmd == run_local_old ? "workspace" : nullptr);
    add_common(cmd, o);
    add_run(cmd, o);
    cmd->callback([&] {
      configure_logging(o);
      exit_code = job::run_local(o.job);
    });
  }

  // workspace install / install
  auto* workspace = app.add_subcommand("workspace", "manage a workspace");
  workspace->require_subcommand(1);
  auto* ws_install = workspace->add_subcommand(
      "install", "create the project's virtualenvs in the workspace and run its installs");
  auto* install_old = app.add_subcommand("install", "old name of `workspace install`");
  for (auto* cmd : {ws_install, install_old}) {
    add_project(cmd, o, true);
    add_workspace(cmd, o, cmd == install_old ? "workspace" : nullptr);
    add_common(cmd, o);
    cmd->callback([&] {
      configure_logging(o);
      job::install(o.job);
    });
  }

  // show_commands / project show
  auto* show_commands = app.add_subcommand("show_commands", "print each task's rendered command lines");
  add_project(show_commands, o, true);
  add_workspace(show_commands, o, "workspace");
  add_common(show_commands, o);
  show_commands->callback([&] {
    configure_logging(o);
    std::fputs(job::describe(o.job, false).c_str(), stdout);
  });
  auto* project = app.add_subcommand("project", "inspect a project");
  project->require_subcommand(1);
  auto* project_show = project->add_subcommand(
      "show", "print the task tree with rendered commands (secrets masked)");
  add_project(project_show, o, true);
  add_workspace(project_show, o, "workspace");
  add_common(project_show, o);
  project_show->callback([&] {
    configure_logging(o);
    std::fputs(job::describe(o.job, true).c_str(), stdout);
  });

  auto* version = app.add_subcommand("version", "print handoff's version");
  version->callback([&] { std::printf("handoff %s (%s)\n", k_version, k_git_revision); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "handoff: error: %s\n  hint: run handoff --help (or handoff COMMAND --help)\n",
                 e.what());
    return k_exit_usage;
  } catch (const Error& e) {
    print_error(e);
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "handoff: error: %s\n", e.what());
    return k_exit_failure;
  }
  return exit_code;
}

}  // namespace handoff::cli
