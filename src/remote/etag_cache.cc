#include "remote/etag_cache.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/etag.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace handoff::remote {
namespace fs = std::filesystem;

namespace {

bool stat_of(const fs::path& path, uint64_t* size, int64_t* mtime_ns) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  *size = static_cast<uint64_t>(st.st_size);
  *mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

}  // namespace

EtagCache::EtagCache(fs::path file) : file_(std::move(file)) {
  std::error_code ec;
  if (!fs::is_regular_file(file_, ec)) return;
  try {
    auto doc = nlohmann::json::parse(util::read_file(file_), nullptr, false);
    if (!doc.is_object()) return;
    for (const auto& [k, v] : doc.items()) {
      if (!v.is_object()) continue;
      Entry e;
      e.size = v.value("size", uint64_t{0});
      e.mtime_ns = v.value("mtime_ns", int64_t{0});
      e.etag = v.value("etag", "");
      if (!e.etag.empty()) entries_[k] = e;
    }
  } catch (const std::exception&) {
    entries_.clear();  // a broken cache is only a slower run
  }
}

std::string EtagCache::key_of(const fs::path& path, uint64_t threshold, uint64_t part_size) {
  return fmt::format("{}|{}|{}", fs::absolute(path).lexically_normal().string(), threshold, part_size);
}

std::string EtagCache::etag_of(const fs::path& path, uint64_t threshold, uint64_t part_size) {
  uint64_t size = 0;
  int64_t mtime = 0;
  std::string key = key_of(path, threshold, part_size);
  if (stat_of(path, &size, &mtime)) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.size == size && it->second.mtime_ns == mtime) {
      return it->second.etag;
    }
  }
  std::string etag = store::file_etag(path, threshold, part_size);
  remember(path, threshold, part_size, etag);
  return etag;
}

void EtagCache::remember(const fs::path& path, uint64_t threshold, uint64_t part_size,
                         const std::string& etag) {
  Entry e;
  if (!stat_of(path, &e.size, &e.mtime_ns)) return;
  e.etag = etag;
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key_of(path, threshold, part_size)] = e;
  dirty_ = true;
}

void EtagCache::save() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!dirty_) return;
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [k, e] : entries_) {
    doc[k] = {{"size", e.size}, {"mtime_ns", e.mtime_ns}, {"etag", e.etag}};
  }
  try {
    util::make_dirs(file_.parent_path());
    util::write_file_atomic(file_, doc.dump() + "\n", 0600);
    dirty_ = false;
  } catch (const Error& e) {
    log::warning("could not save the transfer cache: {}", e.what());
  }
}

}  // namespace handoff::remote
