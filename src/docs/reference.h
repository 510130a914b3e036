#pragma once
// The reference texts of a command tree: the man page (roff, section 1) and
// the markdown command reference (docs/reference/commands.md). Neither holds
// a date or a git revision, so a regenerated file differs only when the
// commands do.
#include <string>

#include "docs/command_model.h"

namespace handoff::docs {

/// version: printed in the page's footer ("handoff 0.5.0").
std::string man_page(const CommandDoc& root, const std::string& version);

std::string markdown_reference(const CommandDoc& root);

}  // namespace handoff::docs
