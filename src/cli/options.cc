#include "cli/options.h"

#include "util/error.h"
#include "util/log.h"
#include "util/term.h"

namespace handoff::cli {

void add_project(CLI::App* cmd, Options& o, bool required) {
  auto* opt = cmd->add_option("-p,--project,--project-dir", o.job.project_dir,
                              "project directory (holds project.yml, files/, .secrets/)");
  if (required) opt->required();
}

void add_workspace(CLI::App* cmd, Options& o, const char* def, bool required) {
  auto* opt = cmd->add_option("-w,--workspace,--workspace-dir", o.job.workspace,
                              "workspace directory; processes run here, outputs go to artifacts/");
  if (def) {
    opt->default_str(def);
    std::string d = def;
    cmd->preparse_callback([&o, d](size_t) { o.workspace_default = d; });
  } else if (required) {
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
  cmd->add_option("-e,--envs", o.job.envs,
                  "environment variables KEY=VALUE for the tasks (resource_group=, task= name the remote store)")
      ->allow_extra_args()
      ->type_name("KEY=VALUE ...");
  cmd->add_flag("--strict", o.job.strict, "an undefined template variable is an error");
  add_logging(cmd, o);
}

void add_logging(CLI::App* cmd, Options& o) {
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

void add_remote(CLI::App* cmd, Options& o) {
  cmd->add_option("--store", o.remote.store,
                  "local (embedded, under $HO_STORE_DIR) or aws; default: $HO_STORE, else aws when "
                  "STACK_NAME, HO_CLOUD_PROVIDER=aws, deploy.cloud_provider: aws or ECS say so, else local");
  cmd->add_option("--cloud-provider", o.remote.cloud_provider, "cloud provider (aws)");
  cmd->add_option("--bucket", o.remote.bucket,
                  "bucket (default: $HO_BUCKET, then deploy.bucket, then handoff-<resource group>-<hash>)");
  cmd->add_option("--jobs", o.remote.jobs, "transfers at once")->capture_default_str();
  cmd->add_flag("--dry-run", o.remote.dry_run, "print what would be transferred or written, change nothing");
  cmd->add_flag("-y,--yes", o.remote.yes, "do not ask for confirmation");
  cmd->add_flag("-t,--allow-advanced-tier", o.remote.allow_advanced,
                "store parameters over 4 KB in SSM's Advanced tier (up to 8 KB)");
}

void configure(Options& o) {
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
  // Progress only where info lines are wanted; plain lines under debug (ninja's -v).
  term::Printer::instance().configure(level >= log::Level::warning, o.log_format == "json",
                                      level == log::Level::debug);
  if (o.job.workspace.empty() && !o.workspace_default.empty()) o.job.workspace = o.workspace_default;
  if (o.remote.jobs < 1) throw UsageError("--jobs must be at least 1", "pass --jobs 8 (the default)");
}

job::RemoteCommand remote_command(const Options& o) {
  job::RemoteCommand c;
  c.settings = o.job;
  c.remote = o.remote;
  c.push_artifacts = o.push_artifacts;
  return c;
}

}  // namespace handoff::cli
