// secrets.yml: YAML, the entries' schema, `file:` entries (read from a
// scratch secrets directory holding key.pem), and the promise that every
// value is registered with the redactor before parse_secrets returns.
#include <fstream>

#include "fuzz_util.h"
#include "project/secrets.h"

using namespace handoff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = fuzz::scratch_dir() / "secrets";
    std::filesystem::create_directories(d / "sub");
    std::ofstream(d / "key.pem") << "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\n-----END KEY-----\n";
    return d;
  }();
  std::string text(fuzz::as_view(data, size));
  fuzz::expect_clean([&] {
    for (const project::Secret& s : project::parse_secrets(text, "secrets.yml", dir)) {
      if (s.has_value && !s.value.empty() &&
          util::redactor().mask(s.value).find(s.value) != std::string::npos) {
        std::fprintf(stderr, "fuzz: the value of secret '%s' is not masked\n", s.key.c_str());
        std::abort();
      }
    }
  });
  return 0;
}
