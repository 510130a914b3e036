#pragma once
// `handoff runs list|show|report` and `run local --report` (issue 7 points 2
// and 3): parsing only; history/ does the work.
#include <CLI/CLI.hpp>

#include "cli/options.h"

namespace handoff::cli {

void add_history_commands(CLI::App& app, Options& o, int* exit_code);

/// Add `--report [FILE]` to a `run local` command.
void add_run_report(CLI::App* cmd);
/// After `run local`: write the report of the run just made when --report
/// was given (o.job.workspace is the run's workspace).
void write_run_report(const Options& o);

}  // namespace handoff::cli
