#pragma once
// A small local index of objects already fetched from the store (run records
// and manifests of pushed runs), kept in SQLite under WORKSPACE/.handoff/. It
// is only a cache: an entry is used when the object's ETag still matches, and
// a cache that cannot be opened or written is skipped with a warning.
#include <filesystem>
#include <optional>
#include <string>

struct sqlite3;

namespace handoff::history {

class ObjectCache {
 public:
  /// Open (creating) the database at path; a failure leaves the cache
  /// disabled (every lookup misses) and logs a warning.
  explicit ObjectCache(const std::filesystem::path& path);
  ~ObjectCache();
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  /// The body cached for bucket/key when it was stored with this etag.
  std::optional<std::string> get(const std::string& bucket, const std::string& key, const std::string& etag);
  /// Remember body for bucket/key at etag (replacing an older entry).
  void put(const std::string& bucket, const std::string& key, const std::string& etag,
           const std::string& body);
  bool enabled() const { return db_ != nullptr; }

 private:
  void disable(const std::string& why);
  sqlite3* db_ = nullptr;  ///< nullptr: disabled
  std::filesystem::path path_;
};

/// WORKSPACE/.handoff/history.sqlite
std::filesystem::path cache_path(const std::filesystem::path& workspace);

}  // namespace handoff::history
