// The compiled config a remote run reads back from SSM: JSON parsing,
// write_compiled_config into a scratch workspace (file names must stay in
// config/), then the project it wrote loaded as the run would, and the text
// compiled again (Python's json.dumps).
#include "fuzz_util.h"
#include "project/load.h"
#include "remote/compiled_config.h"
#include "remote/py_json.h"
#include "util/fs.h"

using namespace handoff;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  static const fs::path root = fuzz::scratch_dir() / "compiled";
  const fs::path workspace = root / "workspace";
  fs::remove_all(root);
  fs::create_directories(root);
  std::string text(fuzz::as_view(data, size));
  bool written = false;
  fuzz::expect_clean([&] {
    remote::write_compiled_config(text, workspace);
    written = true;
  });
  // Nothing may land outside the workspace, whatever the file names said.
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.path() != workspace) {
      std::fprintf(stderr, "fuzz: write_compiled_config wrote %s outside the workspace\n",
                   entry.path().c_str());
      std::abort();
    }
  }
  if (written) {
    fuzz::expect_clean([&] {
      project::Project p = project::load_project(workspace);
      remote::compile_config(p);
    });
  }
  tmpl::Value doc = tmpl::Value::parse(text, nullptr, false);
  if (!doc.is_discarded()) fuzz::expect_clean([&] { remote::python_json_dumps(doc); });
  return 0;
}
