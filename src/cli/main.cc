#include "cli/main.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/cloud.h"
#include "cli/container_commands.h"
#include "cli/history_commands.h"
#include "cli/options.h"
#include "cli/reference_commands.h"
#include "cli/setup_commands.h"
#include "cli/shell_commands.h"
#include "job/job.h"
#include "job/remote.h"
#include "util/error.h"
#include "util/log.h"
#include "util/redact.h"
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

// Secrets never reach an error message, whoever built it.
void print_error(const Error& e, bool json) {
  if (json) {  // --log-format json: JSON records only on stderr
    log::error("{}", e.what());
    if (!e.hint().empty()) log::error("hint: {}", e.hint());
    return;
  }
  std::fprintf(stderr, "handoff: error: %s\n", util::redactor().mask(e.what()).c_str());
  if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", util::redactor().mask(e.hint()).c_str());
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
  run->require_subcommand(0, 1);
  auto* run_local = run->add_subcommand("local", "run a local project in a workspace");
  auto* run_local_old = app.add_subcommand("run_local", "old name of `run local`");
  for (auto* cmd : {run_local, run_local_old}) {
    add_project(cmd, o, true);
    add_workspace(cmd, o, cmd == run_local_old ? "workspace" : nullptr, true);
    add_common(cmd, o);
    add_run(cmd, o);
    add_remote(cmd, o);
    add_run_report(cmd);
    cmd->add_flag("-a,--push-artifacts", o.push_artifacts,
                  "push WORKSPACE/artifacts to the store after the run, also when it failed");
    cmd->callback([&] {
      configure(o);
      exit_code = job::run_local(o.job);
      if (o.push_artifacts) {
        int push = job::artifacts_push(remote_command(o));
        if (exit_code == k_exit_ok) exit_code = push;
      }
      write_run_report(o);
    });
  }

  // workspace install / install
  auto* workspace = app.add_subcommand("workspace", "manage a workspace");
  workspace->require_subcommand(1);
  auto* ws_install = workspace->add_subcommand(
      "install", "create the project's virtualenvs in the workspace and run its installs");
  auto* install_old = app.add_subcommand("install", "old name of `workspace install`");
  for (auto* cmd : {ws_install, install_old}) {
    add_project(cmd, o, false);
    add_workspace(cmd, o, cmd == install_old ? "workspace" : nullptr, true);
    add_common(cmd, o);
    add_remote(cmd, o);
    cmd->callback([&] {
      configure(o);
      // Without -p: the stored project's installs (the seed's install -w).
      if (o.job.project_dir.empty()) {
        exit_code = job::install_remote(remote_command(o));
      } else {
        job::install(o.job);
      }
    });
  }

  // show_commands / project show
  auto* show_commands = app.add_subcommand("show_commands", "print each task's rendered command lines");
  add_project(show_commands, o, true);
  add_workspace(show_commands, o, "workspace");
  add_common(show_commands, o);
  show_commands->callback([&] {
    configure(o);
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
    configure(o);
    std::fputs(job::describe(o.job, true).c_str(), stdout);
  });

  add_remote_commands(app, o, run, &exit_code);
  add_cloud_commands(app, o, &exit_code);
  add_container_commands(app, o, &exit_code);
  add_reference_commands(app);
  add_setup_commands(app, o, &exit_code);
  add_history_commands(app, o, &exit_code);

  auto* version = app.add_subcommand("version", "print handoff's version");
  version->callback([&] { std::printf("handoff %s (%s)\n", k_version, k_git_revision); });
  add_shell_commands(app);  // last: it describes every command registered above

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
    print_error(e, o.log_format == "json");
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "handoff: error: %s\n", util::redactor().mask(e.what()).c_str());
    return k_exit_failure;
  }
  return exit_code;
}

}  // namespace handoff::cli
