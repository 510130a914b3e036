#pragma once
// `handoff init`, its alias `quick_start make` (the original's name), and
// `handoff doctor` (issue 7 point 4). Parsing only: src/setup/ does the work.
#include <CLI/CLI.hpp>

#include "cli/options.h"

namespace handoff::cli {

void add_setup_commands(CLI::App& app, Options& o, int* exit_code);

}  // namespace handoff::cli
