#include "history/remote.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "remote/artifacts.h"
#include "remote/pool.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/temp_dir.h"

namespace handoff::history {
namespace fs = std::filesystem;
namespace {


/// What the listing says about one archive.
struct Archive {
  std::string name;
  std::optional<store::ObjectInfo> record;
  std::optional<store::ObjectInfo> manifest;
  std::vector<Artifact> listed;  ///< its other objects, for an archive without a manifest
  std::string record_text;
  std::string manifest_text;
};

std::vector<Artifact> manifest_artifacts(const std::string& text) {
  std::vector<Artifact> out;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("files") || !doc["files"].is_array()) return out;
  for (const auto& f : doc["files"]) {
    if (!f.is_object() || !f.contains("key") || !f["key"].is_string()) continue;
    Artifact a;
    a.key = f["key"].get<std::string>();
    if (f.contains("size") && f["size"].is_number()) a.size = f["size"].get<long long>();
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

std::vector<Run> list_remote(store::ObjectStore& objects, const remote::Layout& layout, ObjectCache* cache,
                             int jobs) {
  const std::string prefix = layout.archives_prefix();
  std::map<std::string, Archive> archives;
  for (auto& o : objects.list(layout.bucket, prefix)) {
    std::string rest = o.key.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos) continue;
    Archive& a = archives[rest.substr(0, slash)];
    a.name = rest.substr(0, slash);
    std::string rel = rest.substr(slash + 1);
    if (rel == remote::k_run_record_name) {
      a.record = o;
    } else if (rel == remote::k_manifest_name) {
      a.manifest = o;
    } else {
      a.listed.push_back({rel, static_cast<long long>(o.size)});
    }
  }
  // What the cache does not hold is fetched in parallel; the cache (one
  // SQLite connection) is read and written on this thread only.
  struct Fetch {
    const store::ObjectInfo* info;
    std::string* text;
  };
  std::vector<Fetch> fetches;
  for (auto& [name, a] : archives) {
    if (!a.record) continue;
    for (auto [info, text] :
         {std::pair{&a.record, &a.record_text}, std::pair{&a.manifest, &a.manifest_text}}) {
      if (!*info) continue;
      std::optional<std::string> hit;
      if (cache) hit = cache->get(layout.bucket, (*info)->key, (*info)->etag);
      if (hit) {
        *text = std::move(*hit);
      } else {
        fetches.push_back({&**info, text});
      }
    }
  }
  if (!fetches.empty()) {
    util::TempDir tmp("history");
    remote::run_parallel(fetches.size(), jobs, [&](size_t i) {
      fs::path local = tmp.path() / std::to_string(i);
      if (!objects.get_to_file(layout.bucket, fetches[i].info->key, local)) return;  // removed meanwhile
      *fetches[i].text = util::read_file(local);
    });
    if (cache) {
      for (const auto& f : fetches) cache->put(layout.bucket, f.info->key, f.info->etag, *f.text);
    }
    log::debug("fetched {} objects from s3://{}/{}", fetches.size(), layout.bucket, prefix);
  }
  // A record pushed twice (two pushes after one run) is one run: the newest
  // archive wins (names are timestamps, so the map walks them oldest first).
  std::map<std::string, Run> by_id;
  for (auto& [name, a] : archives) {
    if (!a.record || a.record_text.empty()) continue;
    std::string source = fmt::format("s3://{}/{}", layout.bucket, a.record->key);
    try {
      Run run;
      run.record = parse_record(a.record_text, source);
      run.source = source;
      run.archive = name;
      run.artifacts = a.manifest ? manifest_artifacts(a.manifest_text) : a.listed;
      std::string id = run.record.id;
      by_id[id] = std::move(run);
    } catch (const Error& e) {
      log::warning("skipping {}", e.what());
    }
  }
  std::vector<Run> runs;
  for (auto& [id, run] : by_id) runs.push_back(std::move(run));
  return runs;
}

}  // namespace handoff::history
