// The -v / -e KEY=VALUE parser. Input: the tokens, one per line (as a shell
// would have split them). A single token naming an existing file is read as
// a file of lines; that path is covered by the first line "@file", which
// writes the rest of the input to a scratch file and passes its name.
#include <fstream>

#include "fuzz_util.h"
#include "project/context.h"

using namespace handoff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::string_view text = fuzz::as_view(data, size);
  std::vector<std::string> tokens;
  if (text.starts_with("@file\n")) {
    std::filesystem::path file = fuzz::scratch_dir() / "vars.txt";
    std::ofstream(file, std::ios::binary) << text.substr(6);
    tokens.push_back(file.string());
  } else {
    size_t start = 0;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      tokens.emplace_back(text.substr(start, nl - start));
      start = nl + 1;
    }
  }
  fuzz::expect_clean([&] {
    project::Assignments out = project::parse_assignments(tokens, "-v");
    for (const auto& [key, value] : out) {
      if (key.empty()) {
        std::fprintf(stderr, "fuzz: parse_assignments returned an empty key\n");
        std::abort();
      }
    }
  });
  return 0;
}
