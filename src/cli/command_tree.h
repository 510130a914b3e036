#pragma once
// Walk a CLI11 command tree into a docs::CommandDoc: every visible command at
// every level with its options, help texts and the kind of value each option
// takes (for completion). Run after every command is registered, so commands
// added anywhere are described without a list kept by hand.
#include <CLI/CLI.hpp>

#include "docs/command_model.h"

namespace handoff::cli {

/// The visible commands and options under app (hidden ones, with an empty
/// group, are left out), in definition order.
docs::CommandDoc describe_commands(const CLI::App& app);

}  // namespace handoff::cli
