#pragma once
// File helpers that know nothing about handoff. Failures throw handoff::Error
// naming the path and the system's reason.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace handoff::util {

/// Read a whole file.
std::string read_file(const std::filesystem::path& path);
/// Write a file atomically: a temp file in the same folder, fsync-free rename.
/// mode applies from creation (no window with wider permissions).
void write_file_atomic(const std::filesystem::path& path, std::string_view data, mode_t mode = 0644);
/// Create a directory and its parents.
void make_dirs(const std::filesystem::path& path);
/// True when path, made absolute and normalised lexically, stays inside root.
bool is_within(const std::filesystem::path& path, const std::filesystem::path& root);
/// True when path, with every symlink resolved, exists and lies inside root
/// (also resolved): a link in a tree handoff copies may not lead out of it.
bool resolves_within(const std::filesystem::path& path, const std::filesystem::path& root);
/// Text of strerror(errno) for messages.
std::string errno_text(int err);

}  // namespace handoff::util
