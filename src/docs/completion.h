#pragma once
// Shell completion scripts for a command tree: every command at every level,
// its options, and their values (directories, files, choices). One emitter per
// shell; each returns the whole script, ready to be sourced.
#include <string>

#include "docs/command_model.h"

namespace handoff::docs {

/// A script defining _<program> and registering it with `complete -F`.
std::string bash_completion(const CommandDoc& root);
/// A `#compdef` file: works from $fpath (as _<program>) and when sourced
/// after compinit.
std::string zsh_completion(const CommandDoc& root);
/// `complete -c` lines with a helper that finds the command typed so far.
std::string fish_completion(const CommandDoc& root);

}  // namespace handoff::docs
