#pragma once
// File-system helpers of the local store (not part of the seam): private
// directories and files, advisory locks, temp names, timestamps.
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"
#include "util/fd.h"

namespace handoff::store::local {

/// `$<xdg_var>` when set to an absolute path, else `$HOME/<home_fallback>`
/// (the passwd entry's home when HOME is unset), as the XDG base-dir spec says.
std::filesystem::path xdg_dir(const char* xdg_var, std::string_view home_fallback);

/// Create path and any missing parents with mode 0700 (existing ones are left
/// as they are). Throws handoff::Error naming the path.
void make_private_dirs(const std::filesystem::path& path);

/// An exclusive flock(2) on a lock file (created 0600 if absent), released on
/// destruction. Lock files are never deleted: deleting one would let a second
/// process lock a new inode while the first still holds the old one.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);

 private:
  util::UniqueFd fd_;
};

/// The whole file, or nullopt when it (or a folder on its way) does not exist.
std::optional<std::string> read_if_exists(const std::filesystem::path& path);

/// n random bytes as 2n hex digits, for temp-file names.
std::string random_hex(size_t n);

/// `2024-05-01T12:34:56.789Z` (UTC, milliseconds) and back; parse returns the
/// epoch for text it does not understand.
std::string format_time(Clock::time_point t);
Clock::time_point parse_time(std::string_view text);

/// mtime of a stat result as a time_point.
Clock::time_point mtime_of(const struct stat& st);

}  // namespace handoff::store::local
