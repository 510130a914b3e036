#pragma once
// Load and validate project.yml. All problems are collected and reported
// together in one handoff::Error (exit code 2) before anything runs; unknown
// keys are warnings with a "did you mean" (logged), never errors.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "project/model.h"

namespace handoff::project {

/// Load <dir>/project.yml. Throws handoff::Error (exit 2) when the file is
/// missing, is not valid YAML (file:line:column), or breaks the schema: every
/// problem on its own line "file:line:column: tasks[1].pipeline[0].args: expected
/// a string or a number, got a mapping". Warnings go to log::warning.
Project load_project(const std::filesystem::path& dir);

/// Same, from text (for tests and remote configs); file names it in messages.
Project load_project_text(std::string_view yaml_text, const std::filesystem::path& dir,
                          const std::string& file);

/// Convert a YAML node to a Value the way PyYAML's FullLoader does (YAML 1.1:
/// True/yes/on → true, no/off → false, ~ and empty → null, ints incl. 0x/0o,
/// floats incl. .inf/.nan; quoted scalars stay strings).
Value yaml_to_value(const std::string& yaml_text);

}  // namespace handoff::project
