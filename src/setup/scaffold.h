#pragma once
// `handoff init` / `quick_start make` (issue 7 point 4): the quick-start
// project as text, and writing it into a directory. The project runs at once
// with `handoff run local` (stage dev, no warning): a pipeline over a file
// rendered with variables, and a secret from .secrets/dev_secrets.yml used in
// a rendered file and an environment variable.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace handoff::setup {

/// The original's `quick_start make` writes into ./projects; so do we.
inline constexpr const char* k_default_init_dir = "projects";

struct ScaffoldFile {
  std::string relative;  ///< "files/message.txt"
  std::string content;
  mode_t mode = 0644;
  /// Never overwritten, even with --force: a user's secrets exist nowhere else.
  bool keep_existing = false;
  /// Merged line by line into an existing file instead of replacing it.
  bool merge_lines = false;
};

/// Every file of the quick-start project, in the order they are written.
const std::vector<ScaffoldFile>& scaffold_files();

enum class WriteAction { created, replaced, merged, unchanged, kept };

struct WrittenFile {
  std::string relative;
  WriteAction action = WriteAction::created;
};

/// Write the project into dir (created with its parents when missing).
/// A dir that exists and is not empty is refused (UsageError, exit 2) unless
/// force; with force the project's files are written over the same names and
/// nothing else in dir is touched or deleted. .secrets/ is made 0700 and the
/// secrets file 0600 whatever the umask.
std::vector<WrittenFile> write_scaffold(const std::filesystem::path& dir, bool force);

/// The report printed after writing: one line per file, then the commands to
/// run next (with dir as the user typed it).
std::string scaffold_report(const std::filesystem::path& dir, const std::vector<WrittenFile>& written);

}  // namespace handoff::setup
