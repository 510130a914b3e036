#pragma once
// `handoff completion bash|zsh|fish` and `handoff help [COMMAND ...]
// [--man|--markdown]`: texts generated from the command tree itself, walked
// when the command runs, so every registered command is in them.
#include <CLI/CLI.hpp>

namespace handoff::cli {

/// Register on app; call after every other command is added.
void add_shell_commands(CLI::App& app);

}  // namespace handoff::cli
