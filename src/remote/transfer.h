#pragma once
// Folder <-> prefix transfers over the ObjectStore seam, on a pool of threads:
// unchanged files are skipped by ETag (local ETags from EtagCache), hostile
// keys are refused and listed, --dry-run prints the plan instead.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "remote/etag_cache.h"
#include "store/store.h"

namespace handoff::remote {

struct TransferOptions {
  int jobs = 8;          ///< --jobs: transfers at once
  bool dry_run = false;  ///< print the plan on stdout, transfer nothing
  EtagCache* cache = nullptr;  ///< may be null: ETags computed every time
  bool skip_unchanged = true;
};

/// One object of a listing or a manifest, its key relative to the prefix.
struct Entry {
  std::string rel;
  uint64_t size = 0;
  std::string etag;
};

struct TransferResult {
  size_t transferred = 0;
  size_t unchanged = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::vector<Entry> entries;        ///< every file now on the other side (rel, size, etag)
  std::vector<std::string> refused;  ///< "key: reason" of keys not fetched
};

/// Upload every regular file under dir (hidden ones too) to bucket/prefix +
/// relative path. prefix must end in '/'. exclude: relative paths to leave out.
TransferResult upload_dir(store::ObjectStore& objects, const std::string& bucket,
                          const std::filesystem::path& dir, const std::string& prefix,
                          const TransferOptions& options, const std::set<std::string>& exclude = {});

/// Download the objects under bucket/prefix into dir. only: when set, just
/// these relative keys (a manifest's list). exclude: relative keys to leave
/// out. Refused keys are in the result; the caller decides the exit code.
TransferResult download_prefix(store::ObjectStore& objects, const std::string& bucket,
                               const std::string& prefix, const std::filesystem::path& dir,
                               const TransferOptions& options,
                               const std::optional<std::set<std::string>>& only = std::nullopt,
                               const std::set<std::string>& exclude = {});

/// "3 uploaded, 2 unchanged, 1234 bytes, 0.12 seconds".
std::string summary(const TransferResult& r, const char* verb);

/// Throw handoff::Error (exit 1) listing the refused keys, if any.
void fail_on_refused(const TransferResult& r, const std::string& bucket, const std::string& prefix);

/// The objects under bucket/prefix, keys made relative; prefix must end in '/'.
std::vector<store::ObjectInfo> list_under(store::ObjectStore& objects, const std::string& bucket,
                                          const std::string& prefix);

}  // namespace handoff::remote
