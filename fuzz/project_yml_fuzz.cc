// project.yml: YAML parsing, the PyYAML typing of values and every schema
// check (both formats), then what a run does next with a loaded project: its
// variables for a stage and its compiled config (which must be JSON again).
#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "project/context.h"
#include "project/load.h"
#include "remote/compiled_config.h"

using namespace handoff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::string_view text = fuzz::as_view(data, size);
  fuzz::expect_clean([&] {
    project::Project p = project::load_project_text(text, "/nonexistent/project", "project.yml");
    project::SecretsFile no_secrets;
    project::build_context(p, no_secrets, "dev", {{"cli_var", "1"}}, {{"HO_X", "y"}});
    std::string compiled = remote::compile_config(p);
    if (nlohmann::json::parse(compiled, nullptr, false).is_discarded()) {
      std::fprintf(stderr, "fuzz: compile_config wrote text that is not JSON\n");
      std::abort();
    }
  });
  fuzz::expect_clean([&] { project::yaml_to_value(std::string(text)); });
  return 0;
}
