#pragma once
// Remembers the ETag of local files (by size and mtime) so an unchanged file
// is not read again to know it is unchanged. One JSON file,
// <dir>/.handoff/etag_cache.json, keyed by absolute path and ETag form
// (multipart threshold and part size); loaded once, saved atomically.
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace handoff::remote {

class EtagCache {
 public:
  /// file: the cache file; absent or unreadable means empty.
  explicit EtagCache(std::filesystem::path file);
  /// The ETag of path as the store would give it, from the cache when size
  /// and mtime still match, else computed (and remembered). Thread-safe.
  std::string etag_of(const std::filesystem::path& path, uint64_t threshold, uint64_t part_size);
  /// Record an ETag for path as it is now (after a download or upload).
  void remember(const std::filesystem::path& path, uint64_t threshold, uint64_t part_size,
                const std::string& etag);
  /// Write the cache back when it changed; failures only warn.
  void save();

 private:
  struct Entry {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    std::string etag;
  };
  static std::string key_of(const std::filesystem::path& path, uint64_t threshold, uint64_t part_size);

  std::filesystem::path file_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  bool dirty_ = false;
};

}  // namespace handoff::remote
