#pragma once
// Flags shared by the commands, bound to one Options value (only one command
// runs per invocation), and the helpers that add them to a CLI11 command.
#include <string>

#include <CLI/CLI.hpp>

#include "job/remote.h"

namespace handoff::cli {

struct Options {
  job::Settings job;
  remote::RemoteOptions remote;
  std::string log_level = "info";
  std::string log_format = "text";
  bool verbose = false;
  bool quiet = false;
  bool push_artifacts = false;
  /// The -w default of the command being run ("workspace" for the seed's
  /// flat commands), applied after parsing so one command's default does not
  /// leak into another's.
  std::string workspace_default;
};

void add_project(CLI::App* cmd, Options& o, bool required);
/// def: the default ("workspace" for the flat commands); nullptr with
/// required: -w must be given; nullptr without: optional, no default.
void add_workspace(CLI::App* cmd, Options& o, const char* def, bool required = false);
void add_common(CLI::App* cmd, Options& o);
/// -l/--log-level, --log-format, --verbose, --quiet (part of add_common).
void add_logging(CLI::App* cmd, Options& o);
void add_run(CLI::App* cmd, Options& o);
/// --store, --cloud-provider, --bucket, --jobs, --dry-run, -y, -t.
void add_remote(CLI::App* cmd, Options& o);

/// Apply -l/--verbose/--quiet/--log-format and the -w default.
void configure(Options& o);

/// The job::RemoteCommand for the parsed options.
job::RemoteCommand remote_command(const Options& o);

/// Register the remote commands (config, files, secrets, artifacts, run,
/// aws env and the seed's flat names); *exit_code receives their result.
void add_remote_commands(CLI::App& app, Options& o, CLI::App* run, int* exit_code);

}  // namespace handoff::cli
