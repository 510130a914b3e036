#pragma once
// `handoff reference project-yml`: the project.yml key reference, printed from
// the schema table the loader checks keys against.
#include <CLI/CLI.hpp>

namespace handoff::cli {

void add_reference_commands(CLI::App& app);

}  // namespace handoff::cli
