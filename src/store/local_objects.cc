// LocalObjectStore: S3 objects as plain files (see local_store.h).
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/local_files.h"
#include "store/local_store.h"
#include "store/object_key.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::store {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t k_chunk = 256 * 1024;

std::string s3_name(const std::string& bucket, const std::string& key) {
  return util::quote("s3://" + bucket + "/" + key);
}

// Streaming MD5 (OpenSSL EVP), for S3-compatible ETags.
class Md5 {
 public:
  Md5() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr) != 1) {
      throw Error("cannot initialise MD5 (OpenSSL)");
    }
  }
  void update(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &len);
    std::string text;
    for (unsigned int i = 0; i < len; ++i) text += fmt::format("{:02x}", out[i]);
    return text;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

void write_all(int fd, const char* data, size_t n, const fs::path& dst) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw Error(fmt::format("cannot write '{}': {}", dst.string(), util::errno_text(errno)));
    data += w;
    n -= static_cast<size_t>(w);
  }
}

// Copy in to out in fixed chunks (memory flat), hashing as it goes; returns
// the MD5 hex. Throws naming whichever side failed.
std::string copy_hashing(int in, const std::string& src_name, int out, const fs::path& dst) {
  Md5 md5;
  std::unique_ptr<char[]> buf(new char[k_chunk]);
  while (true) {
    ssize_t n = ::read(in, buf.get(), k_chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(fmt::format("cannot read {}: {}", src_name, util::errno_text(errno)));
    if (n == 0) break;
    md5.update(buf.get(), static_cast<size_t>(n));
    write_all(out, buf.get(), static_cast<size_t>(n), dst);
  }
  return md5.hex();
}

std::string md5_of_fd(int fd, const fs::path& file) {
  Md5 md5;
  std::unique_ptr<char[]> buf(new char[k_chunk]);
  while (true) {
    ssize_t n = ::read(fd, buf.get(), k_chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(fmt::format("cannot read '{}': {}", file.string(), util::errno_text(errno)));
    if (n == 0) break;
    md5.update(buf.get(), static_cast<size_t>(n));
  }
  return md5.hex();
}

// A temp file that deletes itself unless released (after its rename).
class TempFile {
 public:
  TempFile(fs::path path, mode_t mode) : path_(std::move(path)) {
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd_.valid()) {
      throw Error(fmt::format("cannot create '{}': {}", path_.string(), util::errno_text(errno)));
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    fd_.reset();
    if (!released_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_.fd(); }
  const fs::path& path() const { return path_; }
  /// The file's identity once written: rename and link keep inode and mtime.
  struct stat stat() const {
    struct stat st {};
    if (::fstat(fd_.fd(), &st) != 0) {
      throw Error(fmt::format("cannot stat '{}': {}", path_.string(), util::errno_text(errno)));
    }
    return st;
  }
  void close() {
    if (::close(fd_.release()) != 0) {
      throw Error(fmt::format("cannot write '{}': {}", path_.string(), util::errno_text(errno)));
    }
  }
  void release() { released_ = true; }

 private:
  fs::path path_;
  util::UniqueFd fd_;
  bool released_ = false;
};

// The object file's identity, so stale metadata is noticed.
json identity(const struct stat& st) {
  return {{"size", static_cast<uint64_t>(st.st_size)},
          {"ino", static_cast<uint64_t>(st.st_ino)},
          {"mtime_ns", static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec}};
}

}  // namespace

LocalObjectStore::LocalObjectStore(fs::path root) : root_(std::move(root)) {}

fs::path LocalObjectStore::file_of(const std::string& bucket, const std::string& key) const {
  check_bucket_name(bucket);
  check_object_key(bucket, key);
  return root_ / "objects" / bucket / key;
}

fs::path LocalObjectStore::meta_of(const std::string& bucket, const std::string& key) const {
  return root_ / "meta" / bucket / key;
}

bool LocalObjectStore::publish(const fs::path& tmp, const std::string& bucket, const std::string& key,
                               bool exclusive) {
  fs::path dst = file_of(bucket, key);
  // A concurrent remove() may prune a folder between our mkdir and rename:
  // then the rename sees ENOENT and we simply try again.
  const char* k_clash_hint =
      "S3 can hold both 'a' and 'a/b'; the local store cannot hold a key and a folder of the same name";
  for (int attempt = 0;; ++attempt) {
    try {
      local::make_private_dirs(dst.parent_path());
    } catch (const Error& e) {
      throw Error(fmt::format("cannot store object {}: {}", s3_name(bucket, key), e.what()), k_clash_hint);
    }
    int rc = exclusive ? ::link(tmp.c_str(), dst.c_str()) : ::rename(tmp.c_str(), dst.c_str());
    if (rc == 0) return true;
    int err = errno;
    if (exclusive && err == EEXIST) return false;
    if (err == ENOENT && attempt < 5) continue;
    std::string hint = err == EISDIR || err == ENOTDIR || err == EEXIST ? k_clash_hint : "";
    throw Error(fmt::format("cannot store object {}: {}", s3_name(bucket, key), util::errno_text(err)), hint);
  }
}

void LocalObjectStore::write_meta(const std::string& bucket, const std::string& key,
                                  const struct stat& st, const std::string& etag,
                                  std::string_view content_type) {
  json meta = identity(st);
  meta["etag"] = etag;
  meta["content_type"] = std::string(content_type);
  // Metadata is a cache checked against the object's identity: failing to
  // write it (a stale folder in the way) costs a recomputation, nothing more.
  try {
    fs::path file = meta_of(bucket, key);
    local::make_private_dirs(file.parent_path());
    util::write_file_atomic(file, meta.dump() + "\n", 0600);
  } catch (const Error&) {
  }
}

std::optional<ObjectInfo> LocalObjectStore::info_of(const std::string& bucket, const std::string& key) {
  // Stat and hash the same open file, so a concurrent replacement cannot pair
  // one version's identity with another's ETag.
  fs::path file = file_of(bucket, key);
  util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.fd(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  ObjectInfo info;
  info.key = key;
  info.size = static_cast<uint64_t>(st.st_size);
  info.last_modified = local::mtime_of(st);
  json meta;
  if (auto text = local::read_if_exists(meta_of(bucket, key))) meta = json::parse(*text, nullptr, false);
  json id = identity(st);
  if (meta.is_object() && meta.value("size", json()) == id["size"] && meta.value("ino", json()) == id["ino"] &&
      meta.value("mtime_ns", json()) == id["mtime_ns"] && meta.contains("etag")) {
    info.etag = meta["etag"].get<std::string>();
    info.content_type = meta.value("content_type", "");
    return info;
  }
  info.etag = md5_of_fd(fd.fd(), file);
  write_meta(bucket, key, st, info.etag, "");
  return info;
}

ObjectInfo LocalObjectStore::put_file(const std::string& bucket, const std::string& key,
                                      const fs::path& local, std::string_view content_type) {
  file_of(bucket, key);  // check names before any work
  util::UniqueFd in(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) throw Error(fmt::format("cannot read '{}': {}", local.string(), util::errno_text(errno)));
  local::make_private_dirs(root_ / "tmp");
  TempFile tmp(root_ / "tmp" / local::random_hex(12), 0600);
  std::string etag = copy_hashing(in.fd(), util::quote(local.string()), tmp.fd(), tmp.path());
  struct stat st = tmp.stat();
  tmp.close();
  publish(tmp.path(), bucket, key, false);
  tmp.release();
  write_meta(bucket, key, st, etag, content_type);
  auto info = info_of(bucket, key);
  if (!info) throw Error(fmt::format("object {} vanished right after it was stored", s3_name(bucket, key)));
  return *info;
}

bool LocalObjectStore::put_if_absent(const std::string& bucket, const std::string& key, std::string_view bytes) {
  fs::path dst = file_of(bucket, key);
  local::make_private_dirs(root_ / "tmp");
  TempFile tmp(root_ / "tmp" / local::random_hex(12), 0600);
  write_all(tmp.fd(), bytes.data(), bytes.size(), tmp.path());
  struct stat st = tmp.stat();
  tmp.close();
  // link(2) publishes the complete file or fails with EEXIST: atomic, and the
  // temp name is unlinked by TempFile either way.
  if (!publish(tmp.path(), bucket, key, true)) return false;
  Md5 md5;
  md5.update(bytes.data(), bytes.size());
  write_meta(bucket, key, st, md5.hex(), "");
  return true;
}

bool LocalObjectStore::get_to_file(const std::string& bucket, const std::string& key, const fs::path& local) {
  fs::path src = file_of(bucket, key);
  util::UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw Error(fmt::format("cannot read object {}: {}", s3_name(bucket, key), util::errno_text(errno)));
  }
  struct stat st {};
  if (::fstat(in.fd(), &st) != 0 || !S_ISREG(st.st_mode)) return false;  // a folder of deeper keys
  fs::path parent = local.parent_path().empty() ? fs::path(".") : local.parent_path();
  util::make_dirs(parent);
  // Beside the target (same file system, so rename is atomic); 0666 lets the
  // umask decide, as for any file the user downloads.
  TempFile tmp(parent / ("." + local.filename().string() + ".handoff-tmp-" + local::random_hex(6)), 0666);
  copy_hashing(in.fd(), s3_name(bucket, key), tmp.fd(), tmp.path());
  tmp.close();
  if (::rename(tmp.path().c_str(), local.c_str()) != 0) {
    throw Error(fmt::format("cannot write '{}': {}", local.string(), util::errno_text(errno)));
  }
  tmp.release();
  return true;
}

std::optional<ObjectInfo> LocalObjectStore::head(const std::string& bucket, const std::string& key) {
  return info_of(bucket, key);
}

std::vector<ObjectInfo> LocalObjectStore::list(const std::string& bucket, const std::string& prefix) {
  check_bucket_name(bucket);
  fs::path bucket_dir = root_ / "objects" / bucket;
  // Start at the deepest folder the prefix names in full; keys are then
  // filtered as plain strings, as S3 does (`a/b` matches `a/bc`).
  fs::path start = bucket_dir;
  if (size_t slash = prefix.rfind('/'); slash != std::string::npos && slash > 0) {
    std::string dir = prefix.substr(0, slash);
    if (!unsafe_key_reason(dir)) start /= dir;
  }
  std::vector<ObjectInfo> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(start, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string key = it->path().lexically_relative(bucket_dir).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (unsafe_key_reason(key)) {
      // A file planted under a name no key maps to (a backslash, say): list
      // it as S3 would, so the caller refuses it by name and fetches the rest.
      util::UniqueFd fd(::open(it->path().c_str(), O_RDONLY | O_CLOEXEC));
      struct stat st {};
      if (!fd.valid() || ::fstat(fd.fd(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      ObjectInfo info;
      info.key = key;
      info.size = static_cast<uint64_t>(st.st_size);
      info.last_modified = local::mtime_of(st);
      info.etag = md5_of_fd(fd.fd(), it->path());
      out.push_back(std::move(info));
      continue;
    }
    if (auto info = info_of(bucket, key)) out.push_back(std::move(*info));
  }
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    throw Error(fmt::format("cannot list {}: {}", s3_name(bucket, prefix), ec.message()));
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

void LocalObjectStore::remove(const std::string& bucket, const std::string& key) {
  fs::path file = file_of(bucket, key);
  if (::unlink(file.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR && errno != EISDIR) {
    throw Error(fmt::format("cannot delete object {}: {}", s3_name(bucket, key), util::errno_text(errno)));
  }
  ::unlink(meta_of(bucket, key).c_str());
  // Prune folders left empty, up to the bucket's; rmdir fails harmlessly on
  // a folder that is not empty (or that another process just filled).
  for (const fs::path& top : {root_ / "objects" / bucket, root_ / "meta" / bucket}) {
    fs::path dir = (top / key).parent_path();
    while (dir != top && ::rmdir(dir.c_str()) == 0) dir = dir.parent_path();
  }
}

size_t LocalObjectStore::remove_prefix(const std::string& bucket, const std::string& prefix) {
  auto objects = list(bucket, prefix);
  for (const auto& object : objects) remove(bucket, object.key);
  return objects.size();
}

void LocalObjectStore::copy(const std::string& bucket, const std::string& src_key, const std::string& dst_key) {
  fs::path src = file_of(bucket, src_key);
  file_of(bucket, dst_key);
  auto src_info = info_of(bucket, src_key);
  util::UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src_info || !in.valid()) {
    throw Error(fmt::format("cannot copy {}: no such object", s3_name(bucket, src_key)));
  }
  local::make_private_dirs(root_ / "tmp");
  TempFile tmp(root_ / "tmp" / local::random_hex(12), 0600);
  std::string etag = copy_hashing(in.fd(), s3_name(bucket, src_key), tmp.fd(), tmp.path());
  struct stat st = tmp.stat();
  tmp.close();
  publish(tmp.path(), bucket, dst_key, false);
  tmp.release();
  write_meta(bucket, dst_key, st, etag, src_info->content_type);
}

}  // namespace handoff::store
