#include "cli/setup_commands.h"

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "setup/doctor.h"
#include "setup/scaffold.h"

namespace handoff::cli {
namespace {

struct SetupFlags {
  std::string dir = setup::k_default_init_dir;
  bool force = false;
  setup::DoctorOptions doctor;
};

SetupFlags& flags() {
  static SetupFlags f;
  return f;
}

constexpr const char* k_init_footer =
    "DIR defaults to ./projects, the folder the original's `quick_start make` writes to. The project "
    "runs at once: cd DIR && handoff run local -p . -w workspace. A DIR that is not empty is refused; "
    "with --force the quick-start files are written over the same names, .secrets/dev_secrets.yml "
    "and every other file of yours are kept, and .gitignore gets the missing lines.";

constexpr const char* k_doctor_footer =
    "Prints one line per check: ok, warn or fail, and what to fix. Exit code 0 when nothing failed "
    "(warnings allowed), 1 otherwise. AWS credentials and region are checked for the store the remote "
    "commands would use: with the local store (the default) missing ones are warnings, with AWS "
    "(--store aws, HO_STORE=aws, deploy.cloud_provider: aws, ...) failures, and STS GetCallerIdentity "
    "(and HeadBucket with --bucket or HO_BUCKET) must answer. Secrets are never printed: a credential "
    "shows its source and its access key id masked.";

void add_init(CLI::App* cmd, Options& o, int* exit_code) {
  SetupFlags& f = flags();
  cmd->add_option("DIR", f.dir, "the new project's folder")->capture_default_str();
  cmd->add_flag("--force", f.force, "write into a folder that is not empty: files with the quick-start's names are replaced, no other file is touched");
  add_logging(cmd, o);
  cmd->footer(k_init_footer);
  cmd->callback([&o, exit_code] {
    configure(o);
    SetupFlags& s = flags();
    auto written = setup::write_scaffold(s.dir, s.force);
    std::fputs(setup::scaffold_report(s.dir, written).c_str(), stdout);
    *exit_code = 0;
  });
}

}  // namespace

void add_setup_commands(CLI::App& app, Options& o, int* exit_code) {
  add_init(app.add_subcommand("init", "scaffold a project that `run local` runs at once"), o, exit_code);
  auto* quick_start = app.add_subcommand("quick_start", "the original's name of `init`");
  quick_start->require_subcommand(1);
  add_init(quick_start->add_subcommand("make", "same as `handoff init`"), o, exit_code);

  SetupFlags& f = flags();
  auto* doctor =
      app.add_subcommand("doctor", "check python3, AWS credentials and region, the store and docker");
  doctor->add_option("-p,--project,--project-dir", f.doctor.project_dir,
                     "also check this project: it loads and renders, its secrets file is private");
  doctor->add_option("-s,--stage", f.doctor.stage, "stage whose secrets file is checked")
      ->capture_default_str();
  doctor->add_option("--store", f.doctor.store, "local or aws; default: as the remote commands choose");
  doctor->add_option("--bucket", f.doctor.bucket,
                     "with AWS, also HeadBucket this bucket (default: $HO_BUCKET)");
  doctor->add_option("--timeout", f.doctor.timeout, "seconds for each probe (connect, program)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  add_logging(doctor, o);
  doctor->footer(k_doctor_footer);
  doctor->callback([&o, exit_code] {
    configure(o);
    auto checks = setup::run_doctor(flags().doctor);
    std::fputs(setup::format_checks(checks).c_str(), stdout);
    *exit_code = setup::doctor_exit_code(checks);
  });
}

}  // namespace handoff::cli
