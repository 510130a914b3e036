#include "history/local.h"

#include <algorithm>

#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace handoff::history {
namespace fs = std::filesystem;

fs::path runs_dir(const fs::path& workspace) { return workspace / ".handoff" / "runs"; }

std::vector<Run> list_local(const fs::path& workspace) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(runs_dir(workspace), ec)) {
    if (e.path().extension() == ".json" && e.is_regular_file(ec)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Run> runs;
  for (const auto& f : files) {
    try {
      Run run;
      run.record = parse_record(util::read_file(f), f.string());
      run.source = f.string();
      runs.push_back(std::move(run));
    } catch (const Error& e) {
      log::warning("skipping {}", e.what());
    }
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const Run& a, const Run& b) { return a.record.id < b.record.id; });
  return runs;
}

}  // namespace handoff::history
