#include "remote/transfer.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "remote/pool.h"
#include "store/etag.h"
#include "store/object_key.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"
#include "util/term.h"

namespace handoff::remote {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string local_etag(const TransferOptions& o, store::ObjectStore& objects, const fs::path& path) {
  uint64_t threshold = objects.multipart_threshold();
  uint64_t part = objects.multipart_part_size();
  if (o.cache) return o.cache->etag_of(path, threshold, part);
  return store::file_etag(path, threshold, part);
}

}  // namespace

std::vector<store::ObjectInfo> list_under(store::ObjectStore& objects, const std::string& bucket,
                                          const std::string& prefix) {
  auto list = objects.list(bucket, prefix);
  for (auto& o : list) o.key = o.key.substr(prefix.size());
  return list;
}

TransferResult upload_dir(store::ObjectStore& objects, const std::string& bucket, const fs::path& dir,
                          const std::string& prefix, const TransferOptions& options,
                          const std::set<std::string>& exclude) {
  auto start = Clock::now();
  TransferResult r;
  std::vector<std::pair<fs::path, std::string>> files;  // local, rel
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string rel = it->path().lexically_relative(dir).generic_string();
      if (exclude.count(rel)) continue;
      files.emplace_back(it->path(), rel);
    }
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (files.empty()) {
    log::info("Nothing found in {}", dir.string());
    return r;
  }
  std::map<std::string, std::string> remote;
  if (options.skip_unchanged) {
    for (const auto& o : list_under(objects, bucket, prefix)) remote[o.key] = o.etag;
  }
  r.entries.resize(files.size());
  std::vector<char> changed(files.size(), 1);
  std::mutex mutex;
  uint64_t bytes_total = 0;
  for (const auto& f : files) {
    std::error_code size_ec;
    auto size = fs::file_size(f.first, size_ec);
    if (!size_ec) bytes_total += size;
  }
  term::TransferProgress progress(term::Printer::instance(), "uploading", files.size(), bytes_total);
  run_parallel(files.size(), options.jobs, [&](size_t i) {
    const auto& [path, rel] = files[i];
    Entry& e = r.entries[i];
    e.rel = rel;
    e.size = fs::file_size(path);
    auto it = remote.find(rel);
    if (it != remote.end() || options.dry_run) {
      e.etag = local_etag(options, objects, path);
      if (it != remote.end() && it->second == e.etag) changed[i] = 0;
    }
    if (options.dry_run) {
      std::lock_guard<std::mutex> lock(mutex);
      std::printf("%s %s -> s3://%s/%s%s\n", changed[i] ? "upload" : "unchanged", path.c_str(),
                  bucket.c_str(), prefix.c_str(), rel.c_str());
      return;
    }
    if (changed[i]) {
      auto info = objects.put_file(bucket, prefix + rel, path, "application/octet-stream");
      e.etag = info.etag;
      e.size = info.size;
      if (options.cache) {
        options.cache->remember(path, objects.multipart_threshold(), objects.multipart_part_size(), info.etag);
      }
    }
    progress.step(e.size, changed[i] ? e.size : 0);
  });
  for (size_t i = 0; i < files.size(); ++i) {
    if (changed[i]) {
      ++r.transferred;
      r.bytes += r.entries[i].size;
    } else {
      ++r.unchanged;
    }
  }
  if (options.cache) options.cache->save();
  r.seconds = since(start);
  return r;
}

TransferResult download_prefix(store::ObjectStore& objects, const std::string& bucket,
                               const std::string& prefix, const fs::path& dir,
                               const TransferOptions& options,
                               const std::optional<std::set<std::string>>& only,
                               const std::set<std::string>& exclude) {
  auto start = Clock::now();
  TransferResult r;
  std::vector<store::ObjectInfo> todo;
  for (auto& o : list_under(objects, bucket, prefix)) {
    if (exclude.count(o.key)) continue;
    if (only && !only->count(o.key)) continue;
    if (!o.key.empty() && o.key.back() == '/' && o.size == 0) continue;  // a folder marker
    if (auto why = store::unsafe_key_reason(o.key)) {
      r.refused.push_back(fmt::format("{}{}: {}", prefix, o.key, *why));
      continue;
    }
    if (!util::is_within(dir / o.key, dir)) {
      r.refused.push_back(fmt::format("{}{}: it leaves the target folder", prefix, o.key));
      continue;
    }
    todo.push_back(std::move(o));
  }
  std::vector<char> changed(todo.size(), 1);
  std::mutex mutex;
  uint64_t bytes_total = 0;
  for (const auto& o : todo) bytes_total += o.size;
  term::TransferProgress progress(term::Printer::instance(), "downloading", todo.size(), bytes_total);
  r.entries.resize(todo.size());
  run_parallel(todo.size(), options.jobs, [&](size_t i) {
    const auto& o = todo[i];
    fs::path target = dir / o.key;
    r.entries[i] = Entry{o.key, o.size, o.etag};
    std::error_code ec;
    if (options.skip_unchanged && fs::is_regular_file(target, ec) && fs::file_size(target, ec) == o.size &&
        local_etag(options, objects, target) == o.etag) {
      changed[i] = 0;
    }
    if (options.dry_run) {
      std::lock_guard<std::mutex> lock(mutex);
      std::printf("%s s3://%s/%s%s -> %s\n", changed[i] ? "download" : "unchanged", bucket.c_str(),
                  prefix.c_str(), o.key.c_str(), target.c_str());
      return;
    }
    if (changed[i]) {
      if (!objects.get_to_file(bucket, prefix + o.key, target)) {
        throw Error(fmt::format("object 's3://{}/{}{}' vanished while downloading", bucket, prefix, o.key),
                    "another process is changing the store; run the command again");
      }
      if (options.cache) {
        options.cache->remember(target, objects.multipart_threshold(), objects.multipart_part_size(), o.etag);
      }
    }
    progress.step(o.size, changed[i] ? o.size : 0);
  });
  for (size_t i = 0; i < todo.size(); ++i) {
    if (changed[i]) {
      ++r.transferred;
      r.bytes += todo[i].size;
    } else {
      ++r.unchanged;
    }
  }
  if (options.cache) options.cache->save();
  r.seconds = since(start);
  return r;
}

std::string summary(const TransferResult& r, const char* verb) {
  return fmt::format("{} {}, {} unchanged, {} bytes, {:.2f} seconds", r.transferred, verb, r.unchanged,
                     r.bytes, r.seconds);
}

void fail_on_refused(const TransferResult& r, const std::string& bucket, const std::string& prefix) {
  if (r.refused.empty()) return;
  throw Error(fmt::format("refused {} object key(s) under 's3://{}/{}' that would be written outside "
                          "the target folder:\n  {}",
                          r.refused.size(), bucket, prefix, util::join(r.refused, "\n  ")),
              "the other objects were fetched; remove or rename the listed objects in the store");
}

}  // namespace handoff::remote
