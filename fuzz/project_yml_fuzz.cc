// project.yml: YAML parsing, the PyYAML typing of values and every schema
// check (both formats), then what a run does next with a loaded project: its
// variables for a stage and its compiled config (which must be UTF-8).
// (yaml_to_value is the same conversion as project.raw: not run twice, so an
// input at the alias bound stays well under the timeout.)
#include "fuzz_util.h"
#include "project/context.h"
#include "project/load.h"
#include "remote/compiled_config.h"
#include "util/strings.h"

using namespace handoff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::string_view text = fuzz::as_view(data, size);
  fuzz::expect_clean([&] {
    project::Project p = project::load_project_text(text, "/nonexistent/project", "project.yml");
    project::SecretsFile no_secrets;
    project::build_context(p, no_secrets, "dev", {{"cli_var", "1"}}, {{"HO_X", "y"}});
    std::string compiled = remote::compile_config(p);
    // JSON as Python writes it (NaN and Infinity included), so: valid UTF-8.
    if (!util::is_valid_utf8(compiled)) {
      std::fprintf(stderr, "fuzz: compile_config wrote text that is not UTF-8\n");
      std::abort();
    }
  });
  return 0;
}
