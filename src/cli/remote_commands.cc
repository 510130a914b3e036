// The remote commands: the current tree (config/files/secrets/artifacts …,
// run -w, aws env) and the seed's flat names with their old flags.
#include <cstdio>
#include <functional>

#include "cli/options.h"
#include "job/remote.h"
#include "remote/store_select.h"
#include "util/log.h"

namespace handoff::cli {

namespace {

using Handler = int (*)(const job::RemoteCommand&);

struct Spec {
  const char* name;
  const char* help;
  Handler handler;
  bool project;            ///< -p required
  bool workspace;          ///< -w required (tree) / default "workspace" (flat)
};

CLI::App* add_one(CLI::App* parent, Options& o, const Spec& s, bool flat, int* exit_code) {
  auto* cmd = parent->add_subcommand(s.name, s.help);
  add_project(cmd, o, s.project);
  if (flat) {
    add_workspace(cmd, o, "workspace");
    cmd->add_option("-d,--data", o.job.old_data, "old-format JSON data for {placeholders}");
  } else {
    add_workspace(cmd, o, nullptr, s.workspace);
  }
  add_common(cmd, o);
  add_remote(cmd, o);
  Handler h = s.handler;
  cmd->callback([&o, h, exit_code] {
    configure(o);
    *exit_code = h(remote_command(o));
  });
  return cmd;
}

}  // namespace

void add_remote_commands(CLI::App& app, Options& o, CLI::App* run, int* exit_code) {
  // The current tree: noun verb.
  struct Group {
    const char* noun;
    const char* help;
    std::vector<Spec> verbs;
  };
  std::vector<Group> groups = {
      {"config", "the project's config in the store",
       {{"push", "store project.yml (seed layout: the compiled config in SSM)", job::config_push, true, false},
        {"print", "print the stored config (stdout)", job::config_print, false, false},
        {"delete", "delete what config push stored", job::config_delete, false, false}}},
      {"files", "the project's files/ in the store",
       {{"push", "upload PROJECT/files (unchanged files are skipped)", job::files_push, true, false},
        {"get", "download the files into WORKSPACE (rendered when -p is given)", job::files_get, false, true},
        {"delete", "delete the stored files", job::files_delete, false, false}}},
      {"secrets", "the stage's secrets in the parameter store",
       {{"push", "push .secrets/<stage>_secrets.yml (asks first; -y to skip)", job::secrets_push, true, false},
        {"print", "print the stored secrets, masked unless --reveal (stdout)", job::secrets_print, false, false},
        {"delete", "delete the secrets the local file names (asks first)", job::secrets_delete, true, false}}},
      {"artifacts", "WORKSPACE/artifacts in the store",
       {{"push", "publish WORKSPACE/artifacts to archives/<time>/ and last/", job::artifacts_push, false, true},
        {"get", "download last/ into WORKSPACE/artifacts", job::artifacts_get, false, true},
        {"archive", "copy last/ to archives/<time>/", job::artifacts_archive, false, false},
        {"delete", "delete last/ (archives stay)", job::artifacts_delete, false, false}}},
  };
  for (const auto& g : groups) {
    auto* noun = app.add_subcommand(g.noun, g.help);
    noun->require_subcommand(1);
    for (const auto& v : g.verbs) {
      auto* cmd = add_one(noun, o, v, false, exit_code);
      if (std::string(g.noun) == "secrets" && std::string(v.name) == "print") {
        cmd->add_flag("--reveal", o.remote.reveal, "print the values instead of ****");
      }
    }
  }

  // The seed's flat commands (v0.1.x), -w defaulting to "workspace".
  std::vector<Spec> flat = {
      {"push_config", "old name of `config push` (-t for the Advanced tier)", job::config_push, true, false},
      {"print_config", "old name of `config print` (also writes WORKSPACE/config/*)", job::config_print, false, false},
      {"delete_config", "old name of `config delete`", job::config_delete, false, false},
      {"push_files", "old name of `files push`", job::files_push, true, false},
      {"get_files", "old name of `files get`", job::files_get, false, true},
      {"delete_files", "old name of `files delete`", job::files_delete, false, false},
      {"push_artifacts", "old name of `artifacts push`", job::artifacts_push, false, true},
      {"get_artifacts", "old name of `artifacts get`", job::artifacts_get, false, true},
      {"delete_artifacts", "old name of `artifacts delete` (last/ only)", job::artifacts_delete, false, false},
  };
  for (const auto& s : flat) add_one(&app, o, s, true, exit_code);

  // run -w: the remote run (run local is its subcommand).
  add_project(run, o, false);
  add_workspace(run, o, "workspace");
  add_common(run, o);
  add_run(run, o);
  add_remote(run, o);
  run->add_flag("-a,--push-artifacts", o.push_artifacts,
                "push WORKSPACE/artifacts after the run, also when it failed");
  run->callback([&o, run, exit_code] {
    for (auto* sub : run->get_subcommands()) {
      if (sub->parsed()) return;  // run local did the work
    }
    configure(o);
    *exit_code = job::run_remote(remote_command(o));
  });

  // aws env: the seed's bin/iam_assume_role.
  auto* aws = app.add_subcommand("aws", "AWS helpers");
  aws->require_subcommand(1);
  auto* env = aws->add_subcommand(
      "env", "print eval-able export lines for the resolved AWS credentials: eval \"$(handoff aws env)\"");
  add_common(env, o);
  env->callback([&o] {
    configure(o);
    std::string source;
    std::string lines = remote::aws_env_exports(&source);
    std::fputs(lines.c_str(), stdout);
    std::fflush(stdout);
    std::fprintf(stderr, "handoff: credentials from %s\n", source.c_str());
  });
}

}  // namespace handoff::cli
