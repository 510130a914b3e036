#include "remote/artifacts.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/run_record.h"
#include "remote/pool.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace handoff::remote {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* k_lock_name = "_handoff_lock";
// In last/ while a push rewrites it (put before last's manifest goes, removed
// after the new one is written): a reader that finds it and no manifest knows
// last/ may be a mix of two runs, unlike a last/ the Python tool pushed.
constexpr const char* k_pending_name = "_handoff_pending.json";

const std::set<std::string>& own_names() {
  static const std::set<std::string> names = {k_manifest_name, k_run_record_name, k_lock_name,
                                              k_pending_name};
  return names;
}

/// A private temp file for small objects we write (manifest); removed on exit.
class Scratch {
 public:
  Scratch(const std::string& content) {
    char tmpl_path[] = "/tmp/handoff-manifest-XXXXXX";
    int fd = ::mkstemp(tmpl_path);
    if (fd < 0) throw Error("cannot create a temp file: " + util::errno_text(errno));
    ::close(fd);
    path_ = tmpl_path;
    util::write_file_atomic(path_, content, 0600);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string manifest_text(const std::vector<Entry>& entries, const std::string& ts, bool with_run) {
  json files = json::array();
  for (const auto& e : entries) files.push_back({{"key", e.rel}, {"size", e.size}, {"etag", e.etag}});
  json doc = {{"format", 1}, {"created", ts}, {"files", files}};
  doc["run_record"] = with_run ? json(k_run_record_name) : json(nullptr);
  return doc.dump(2) + "\n";
}

/// The newest WORKSPACE/.handoff/runs/<id>.json (ids sort by time).
std::optional<fs::path> newest_run_record(const fs::path& workspace) {
  std::optional<fs::path> best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(workspace / ".handoff" / "runs", ec)) {
    if (e.path().extension() != ".json") continue;
    if (!best || e.path().filename() > best->filename()) best = e.path();
  }
  return best;
}

std::string now_ts() { return engine::iso_utc(engine::now_seconds()); }

/// How long to wait for another push's lease: $HO_LEASE_WAIT_SECONDS or 60.
std::chrono::seconds lease_wait() {
  const char* v = std::getenv("HO_LEASE_WAIT_SECONDS");
  if (!v || !*v) return std::chrono::seconds(60);
  return std::chrono::seconds(std::max(0L, std::strtol(v, nullptr, 10)));
}

}  // namespace

Lease::Lease(store::ObjectStore& objects, std::string bucket, std::string key,
             std::chrono::seconds stale_after, std::chrono::seconds wait)
    : objects_(objects), bucket_(std::move(bucket)), key_(std::move(key)) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string body = json{{"host", host}, {"pid", ::getpid()}, {"taken", now_ts()}}.dump();
  auto deadline = std::chrono::steady_clock::now() + wait;
  bool said = false;
  for (;;) {
    if (objects_.put_if_absent(bucket_, key_, body)) {
      held_ = true;
      return;
    }
    auto info = objects_.head(bucket_, key_);
    if (info && store::Clock::now() - info->last_modified > stale_after) {
      log::warning("Removing the stale artifacts lease 's3://{}/{}' (taken more than {} s ago)", bucket_, key_,
                   stale_after.count());
      objects_.remove(bucket_, key_);
      continue;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(fmt::format("another artifacts push holds the lease 's3://{}/{}'", bucket_, key_),
                  fmt::format("wait for it to finish and try again; a lease older than {} minutes is "
                              "taken over",
                              stale_after.count() / 60));
    }
    if (!said) {
      log::info("Waiting for another artifacts push (lease 's3://{}/{}')", bucket_, key_);
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

Lease::~Lease() {
  try {
    release();
  } catch (const std::exception& e) {
    log::warning("could not release the artifacts lease: {}", e.what());
  }
}

void Lease::release() {
  if (!held_) return;
  held_ = false;
  // A lease left behind blocks every push for stale_after (15 minutes), and
  // a release often runs because the network just failed: a few rounds of
  // the client's own retries before giving up.
  for (int pass = 1;; ++pass) {
    try {
      objects_.remove(bucket_, key_);
      return;
    } catch (const Error& e) {
      // What the lease guarded is complete by now: a lease left behind only
      // delays the next push until it is stale, so this is not a failure.
      if (pass == 3) {
        log::warning("could not release the lease 's3://{}/{}' ({}); the next push waits until it is stale",
                     bucket_, key_, e.what());
        return;
      }
    }
  }
}

PushResult push_artifacts(store::ObjectStore& objects, const Layout& layout, const fs::path& workspace,
                          const TransferOptions& options) {
  PushResult out;
  fs::path dir = workspace / "artifacts";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    // Publishing nothing would empty last/ and lose the next run's state.
    throw Error(fmt::format("nothing to push: '{}' does not exist", dir.string()),
                "run the job first, or pass the workspace that holds artifacts/ with -w");
  }
  auto record = newest_run_record(workspace);
  if (options.dry_run) {
    out.upload = upload_dir(objects, layout.bucket, dir, layout.last_prefix(), options, own_names());
    return out;
  }
  Lease lease(objects, layout.bucket, layout.lock_key(), std::chrono::minutes(15), lease_wait());
  out.timestamp = now_ts();
  std::string archive = layout.archives_prefix() + out.timestamp + "/";
  // 1. The archive: every file, then the run record, then the manifest.
  TransferOptions fresh = options;
  fresh.skip_unchanged = false;
  out.upload = upload_dir(objects, layout.bucket, dir, archive, fresh, own_names());
  if (record) objects.put_file(layout.bucket, archive + k_run_record_name, *record, "application/json");
  std::string manifest = manifest_text(out.upload.entries, out.timestamp, record.has_value());
  Scratch scratch(manifest);
  objects.put_file(layout.bucket, archive + k_manifest_name, scratch.path(), "application/json");

  // 2. last/: mark it pending and drop its manifest (a reader then sees "no
  //    manifest" rather than one that no longer matches, and reads the
  //    archive instead), copy what differs, delete what the run did not
  //    produce, write the manifest last, then unmark.
  std::string last = layout.last_prefix();
  Scratch pending(json{{"archive", out.timestamp}}.dump() + "\n");
  objects.put_file(layout.bucket, last + k_pending_name, pending.path(), "application/json");
  objects.remove(layout.bucket, last + k_manifest_name);
  std::map<std::string, std::string> current;
  for (const auto& o : list_under(objects, layout.bucket, last)) current[o.key] = o.etag;
  std::vector<const Entry*> copies;
  std::set<std::string> keep;
  for (const auto& e : out.upload.entries) {
    keep.insert(e.rel);
    auto it = current.find(e.rel);
    if (it == current.end() || it->second != e.etag) copies.push_back(&e);
  }
  run_parallel(copies.size(), options.jobs, [&](size_t i) {
    objects.copy(layout.bucket, archive + copies[i]->rel, last + copies[i]->rel);
  });
  out.copied = copies.size();
  if (record) {
    objects.copy(layout.bucket, archive + k_run_record_name, last + k_run_record_name);
  } else {
    // An older push's record would make last/ a mix of two runs (own names are never stale below).
    objects.remove(layout.bucket, last + k_run_record_name);
  }
  std::vector<std::string> stale;
  for (const auto& [rel, etag] : current) {
    if (!keep.count(rel) && !own_names().count(rel)) stale.push_back(rel);
  }
  run_parallel(stale.size(), options.jobs, [&](size_t i) { objects.remove(layout.bucket, last + stale[i]); });
  out.deleted = stale.size();
  objects.put_file(layout.bucket, last + k_manifest_name, scratch.path(), "application/json");
  try {
    objects.remove(layout.bucket, last + k_pending_name);
  } catch (const Error& e) {
    // last/ is complete and has its manifest, which readers trust first.
    log::warning("could not remove 's3://{}/{}{}': {}", layout.bucket, last, k_pending_name, e.what());
  }
  lease.release();
  return out;
}

TransferResult download_published(store::ObjectStore& objects, const std::string& bucket,
                                  const std::string& prefix, const fs::path& dir,
                                  const TransferOptions& options) {
  std::optional<std::set<std::string>> only;
  char tmpl_path[] = "/tmp/handoff-manifest-XXXXXX";
  int fd = ::mkstemp(tmpl_path);
  if (fd < 0) throw Error("cannot create a temp file: " + util::errno_text(errno));
  ::close(fd);
  fs::path tmp = tmpl_path;
  bool found = false;
  try {
    found = objects.get_to_file(bucket, prefix + k_manifest_name, tmp);
    if (found) {
      auto doc = json::parse(util::read_file(tmp), nullptr, false);
      if (!doc.is_object() || !doc.contains("files") || !doc["files"].is_array()) {
        throw Error(fmt::format("manifest 's3://{}/{}{}' is not valid", bucket, prefix, k_manifest_name),
                    "push the artifacts again (handoff artifacts push)");
      }
      only.emplace();
      for (const auto& f : doc["files"]) {
        if (f.is_object() && f.contains("key") && f["key"].is_string()) only->insert(f["key"].get<std::string>());
      }
    }
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::remove(tmp, ec);
  log::debug("{} under s3://{}/{}", found ? "manifest found" : "no manifest", bucket, prefix);
  return download_prefix(objects, bucket, prefix, dir, options, only, own_names());
}

namespace {

/// The newest archives/<ts>/ that has its manifest (so is complete).
std::optional<std::string> newest_complete_archive(store::ObjectStore& objects, const Layout& layout) {
  std::optional<std::string> best;
  const std::string suffix = std::string("/") + k_manifest_name;
  for (const auto& o : list_under(objects, layout.bucket, layout.archives_prefix())) {
    if (!o.key.ends_with(suffix)) continue;
    std::string ts = o.key.substr(0, o.key.size() - suffix.size());
    if (ts.empty() || ts.find('/') != std::string::npos) continue;
    if (!best || ts > *best) best = ts;  // timestamps sort by time
  }
  return best;
}

}  // namespace

TransferResult get_artifacts(store::ObjectStore& objects, const Layout& layout, const fs::path& workspace,
                             const TransferOptions& options) {
  const std::string last = layout.last_prefix();
  // A push that died between dropping last's manifest and writing the new
  // one left last/ pending and possibly a mix of two runs: read the newest
  // archive that is complete (has its manifest) instead.
  if (!objects.head(layout.bucket, last + k_manifest_name) && objects.head(layout.bucket, last + k_pending_name)) {
    if (auto ts = newest_complete_archive(objects, layout)) {
      std::string archive = layout.archives_prefix() + *ts + "/";
      log::warning("'s3://{}/{}' has no manifest (a push was interrupted): fetching the newest complete "
                   "archive 's3://{}/{}' instead",
                   layout.bucket, last, layout.bucket, archive);
      return download_published(objects, layout.bucket, archive, workspace / "artifacts", options);
    }
  }
  return download_published(objects, layout.bucket, last, workspace / "artifacts", options);
}

std::string archive_artifacts(store::ObjectStore& objects, const Layout& layout) {
  Lease lease(objects, layout.bucket, layout.lock_key(), std::chrono::minutes(15), lease_wait());
  std::string ts = now_ts();
  std::string archive = layout.archives_prefix() + ts + "/";
  auto list = list_under(objects, layout.bucket, layout.last_prefix());
  // The manifest goes last, so an archive with one is complete.
  std::stable_partition(list.begin(), list.end(), [](const store::ObjectInfo& o) { return o.key != k_manifest_name; });
  for (const auto& o : list) {
    if (o.key == k_lock_name || o.key == k_pending_name) continue;
    objects.copy(layout.bucket, layout.last_prefix() + o.key, archive + o.key);
  }
  lease.release();
  return ts;
}

size_t delete_artifacts(store::ObjectStore& objects, const Layout& layout) {
  return objects.remove_prefix(layout.bucket, layout.last_prefix());
}

}  // namespace handoff::remote
