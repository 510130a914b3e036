#pragma once
// `handoff container build|run|push` with the docker CLI (issue 5 point 1).
#include <CLI/CLI.hpp>

#include "cli/options.h"

namespace handoff::cli {

void add_container_commands(CLI::App& app, Options& o, int* exit_code);

}  // namespace handoff::cli
