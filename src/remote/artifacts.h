#pragma once
// Publishing a run's artifacts so `last/` is never half-updated (issue 4
// point 5): under a lease, the run goes to archives/<ts>/ with its manifest
// written last; then last/ is made to match (copies, stale objects deleted)
// and gets its manifest last. Readers fetch what a manifest lists, or
// everything when there is none (what the Python tool pushed).
#include <chrono>
#include <filesystem>
#include <string>

#include "remote/layout.h"
#include "remote/transfer.h"
#include "store/store.h"

namespace handoff::remote {

inline constexpr const char* k_manifest_name = "_handoff_manifest.json";
inline constexpr const char* k_run_record_name = "_handoff_run.json";

/// A lease on one key (put_if_absent); stale after stale_after judged by the
/// lease object's last_modified, then removed and retaken.
class Lease {
 public:
  Lease(store::ObjectStore& objects, std::string bucket, std::string key,
        std::chrono::seconds stale_after = std::chrono::minutes(15),
        std::chrono::seconds wait = std::chrono::seconds(60));
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  /// Remove the lease (retried; a failure is a warning: the lease goes stale).
  void release();

 private:
  store::ObjectStore& objects_;
  std::string bucket_;
  std::string key_;
  bool held_ = false;
};

struct PushResult {
  std::string timestamp;  ///< the archive's name
  TransferResult upload;
  size_t copied = 0;      ///< into last/
  size_t deleted = 0;     ///< stale objects removed from last/
};

/// `artifacts push`: WORKSPACE/artifacts (and the newest run record) to
/// archives/<ts>/ and last/.
PushResult push_artifacts(store::ObjectStore& objects, const Layout& layout,
                          const std::filesystem::path& workspace, const TransferOptions& options);

/// `artifacts get`: last/ into WORKSPACE/artifacts (manifest-aware). Refused
/// keys are in the result.
TransferResult get_artifacts(store::ObjectStore& objects, const Layout& layout,
                             const std::filesystem::path& workspace, const TransferOptions& options);

/// `artifacts archive`: copy last/ to archives/<ts>/; returns the timestamp.
std::string archive_artifacts(store::ObjectStore& objects, const Layout& layout);

/// `artifacts delete`: remove last/ only; returns how many objects.
size_t delete_artifacts(store::ObjectStore& objects, const Layout& layout);

/// Download what a manifest under bucket/prefix lists (or everything but
/// handoff's own objects when there is none) into dir.
TransferResult download_published(store::ObjectStore& objects, const std::string& bucket,
                                  const std::string& prefix, const std::filesystem::path& dir,
                                  const TransferOptions& options);

}  // namespace handoff::remote
