#pragma once
// A private temp folder (0700, from mkdtemp) removed with everything in it
// when the owner goes, whatever happened.
#include <filesystem>
#include <string_view>

namespace handoff::util {

class TempDir {
 public:
  /// Under $TMPDIR (or /tmp), named handoff-<purpose>-XXXXXX; throws
  /// handoff::Error when it cannot be made.
  explicit TempDir(std::string_view purpose);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace handoff::util
