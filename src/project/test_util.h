#pragma once
// Helpers for project/ tests: a temp dir removed even when a test fails.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "util/redact.h"

namespace handoff::project::testing {

class TempDir {
 public:
  // Secrets loaded by one test stay in the process-wide redactor; each test
  // starts and ends with an empty one so masks never leak into other tests.
  TempDir() {
    util::redactor().clear();
    std::string pattern =
        (std::filesystem::temp_directory_path() / "handoff_project_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    util::redactor().clear();
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Write text to a path relative to the temp dir (parents created).
  std::filesystem::path write(const std::string& rel, std::string_view text) const {
    std::filesystem::path p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace handoff::project::testing
