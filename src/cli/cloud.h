#pragma once
// `handoff cloud …`: AWS Fargate stacks, runs, schedules and logs (issue 5).
// Each group of commands registers itself from its own file; add_cloud_commands
// makes the `cloud` command and calls them.
#include <CLI/CLI.hpp>

#include "cli/options.h"

namespace handoff::cli {

void add_cloud_commands(CLI::App& app, Options& o, int* exit_code);

}  // namespace handoff::cli
