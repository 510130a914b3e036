#include "cli/reference_commands.h"

#include <cstdio>

#include "project/schema.h"

namespace handoff::cli {

void add_reference_commands(CLI::App& app) {
  auto* reference = app.add_subcommand("reference", "print reference documentation (Markdown)");
  reference->require_subcommand(1);
  auto* keys = reference->add_subcommand(
      "project-yml", "every key of project.yml and the secrets file, with its type and meaning");
  keys->callback([] { std::fputs(project::schema::markdown().c_str(), stdout); });
}

}  // namespace handoff::cli
