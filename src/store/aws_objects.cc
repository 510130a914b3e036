// The AWS ObjectStore: S3 through aws::s3::S3Client. This file owns what
// S3Client leaves to its caller: the digest pass before each upload, the
// multipart upload (parts in parallel, each streamed from its offset, aborted
// on any failure), and downloads into a temp file beside the target that is
// verified against the ETag before the rename.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "aws/s3.h"
#include "store/aws_store.h"
#include "store/etag.h"
#include "store/object_key.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::store {

namespace fs = std::filesystem;
namespace s3 = aws::s3;

namespace {

constexpr uint64_t k_multipart_threshold = 16ull << 20;
constexpr uint64_t k_part_size = 8ull << 20;
constexpr unsigned k_part_threads = 4;
constexpr size_t k_max_parts = 10000;
constexpr size_t k_chunk = 256 * 1024;

std::string name_of(const std::string& bucket, const std::string& key) {
  return util::quote(s3::subject(bucket, key));
}

void check_target(const std::string& bucket, const std::string& key) {
  check_bucket_name(bucket);
  if (key.empty()) throw Error("empty object key in bucket " + util::quote(bucket));
}

// With SSE-KMS (or DSSE-KMS) S3's ETag is not the MD5 of the bytes, so
// there is nothing to compare it with (Content-MD5 still guarded the upload).
bool etag_is_md5(const s3::ObjectMeta& m) {
  return !m.server_side_encryption.starts_with("aws:kms");
}

struct Digest {
  std::string md5_raw;
  std::string sha256_hex;  ///< empty unless asked for
};

// One pass over a slice of the file: MD5 for Content-MD5 and the ETag,
// SHA-256 when the payload is signed (plain http).
Digest digest_slice(int fd, const fs::path& file, uint64_t offset, uint64_t length, bool sha256) {
  Md5 md5;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (sha256 && (!sha || EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1)) {
    throw Error("cannot initialise SHA-256 (OpenSSL)");
  }
  std::unique_ptr<char[]> buf(new char[k_chunk]);
  uint64_t done = 0;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(k_chunk, length - done));
    ssize_t n = ::pread(fd, buf.get(), want, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read " + util::quote(file.string()) + ": " + util::errno_text(errno));
    if (n == 0) throw Error("file " + util::quote(file.string()) + " shrank while being uploaded");
    md5.update(buf.get(), static_cast<size_t>(n));
    if (sha256) EVP_DigestUpdate(sha.get(), buf.get(), static_cast<size_t>(n));
    done += static_cast<uint64_t>(n);
  }
  Digest d;
  d.md5_raw = md5.finish_raw();
  if (sha256) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(sha.get(), out, &len);
    d.sha256_hex = to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
  }
  return d;
}

s3::FileBody file_body(const fs::path& file, uint64_t offset, uint64_t length, const Digest& d) {
  return s3::FileBody{file, offset, length, s3::base64(d.md5_raw), d.sha256_hex};
}

// A temp file beside the target; removed on destruction unless committed.
class TempDownload {
 public:
  explicit TempDownload(const fs::path& target) {
    static std::atomic<uint64_t> counter{0};
    fs::path dir = target.parent_path();
    path_ = dir / ("." + target.filename().string() + ".ho-tmp-" + std::to_string(::getpid()) +
                   "-" + std::to_string(counter++));
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666));
    if (!fd_.valid()) {
      throw Error("cannot create " + util::quote(path_.string()) + ": " + util::errno_text(errno));
    }
  }
  TempDownload(const TempDownload&) = delete;
  TempDownload& operator=(const TempDownload&) = delete;
  ~TempDownload() {
    fd_.reset();
    if (!committed_) ::unlink(path_.c_str());
  }

  /// Start over (a retried GET).
  void restart() {
    if (::ftruncate(fd_.fd(), 0) != 0 || ::lseek(fd_.fd(), 0, SEEK_SET) != 0) {
      error_ = util::errno_text(errno);
    }
    md5_ = std::make_unique<Md5>();
    bytes_ = 0;
  }
  /// Append; false (and error() set) when the disk refuses.
  bool write(const char* data, size_t n) {
    md5_->update(data, n);
    bytes_ += n;
    while (n > 0) {
      ssize_t w = ::write(fd_.fd(), data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        error_ = util::errno_text(errno);
        return false;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  void commit(const fs::path& target) {
    if (::close(fd_.release()) != 0) error_ = util::errno_text(errno);
    if (!error_.empty()) {
      throw Error("cannot write " + util::quote(path_.string()) + ": " + error_);
    }
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      throw Error("cannot rename " + util::quote(path_.string()) + " to " +
                  util::quote(target.string()) + ": " + util::errno_text(errno));
    }
    committed_ = true;
  }
  const std::string& error() const { return error_; }
  uint64_t bytes() const { return bytes_; }
  std::string md5_hex() { return md5_->finish_hex(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  util::UniqueFd fd_;
  std::unique_ptr<Md5> md5_ = std::make_unique<Md5>();
  uint64_t bytes_ = 0;
  std::string error_;
  bool committed_ = false;
};

ObjectInfo to_info(const s3::ObjectMeta& m) {
  ObjectInfo i;
  i.key = m.key;
  i.size = m.size;
  i.etag = m.etag;
  i.last_modified = m.last_modified;
  i.content_type = m.content_type;
  return i;
}

class AwsObjectStore : public ObjectStore {
 public:
  explicit AwsObjectStore(std::shared_ptr<aws::Client> client) : s3_(std::move(client)) {}

  ObjectInfo put_file(const std::string& bucket, const std::string& key, const fs::path& local,
                      std::string_view content_type) override {
    check_target(bucket, key);
    util::UniqueFd fd(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.fd(), &st) != 0) {
      throw Error("cannot read " + util::quote(local.string()) + ": " + util::errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) throw Error("not a regular file: " + util::quote(local.string()));
    const auto size = static_cast<uint64_t>(st.st_size);
    const bool sign_payload = s3_.addressing().endpoint.scheme == "http";

    ObjectInfo info;
    info.key = key;
    info.size = size;
    info.content_type = content_type.empty() ? "application/octet-stream" : content_type;
    info.last_modified = Clock::now();
    if (size < k_multipart_threshold) {
      Digest d = digest_slice(fd.fd(), local, 0, size, sign_payload);
      s3::ObjectMeta m = s3_.put_object(bucket, key, file_body(local, 0, size, d), info.content_type);
      info.etag = to_hex(d.md5_raw);
      if (etag_is_md5(m) && m.etag != info.etag) {
        throw Error("S3 stored " + name_of(bucket, key) + " with ETag " + util::quote(m.etag) +
                    ", not the MD5 of " + util::quote(local.string()) + " (" + info.etag + ")");
      }
      return info;
    }
    info.etag = put_multipart(bucket, key, fd.fd(), local, size, info.content_type, sign_payload);
    return info;
  }

  bool put_if_absent(const std::string& bucket, const std::string& key,
                     std::string_view bytes) override {
    check_target(bucket, key);
    return s3_.put_if_absent(bucket, key, bytes);
  }

  bool get_to_file(const std::string& bucket, const std::string& key,
                   const fs::path& local) override {
    check_target(bucket, key);
    if (local.has_parent_path()) util::make_dirs(local.parent_path());
    TempDownload tmp(local);
    std::optional<s3::ObjectMeta> meta;
    try {
      meta = s3_.get_object(
          bucket, key, [&](const char* data, size_t n) { return tmp.write(data, n); },
          [&] { tmp.restart(); });
    } catch (const Error&) {
      if (!tmp.error().empty()) {
        throw Error("cannot write " + util::quote(tmp.path().string()) + " (download of " +
                    name_of(bucket, key) + "): " + tmp.error());
      }
      throw;
    }
    if (!meta) return false;
    if (tmp.bytes() != meta->size) {
      throw Error("download of " + name_of(bucket, key) + " was cut short: " +
                  std::to_string(tmp.bytes()) + " of " + std::to_string(meta->size) + " bytes");
    }
    // A multipart ETag ("…-N") is not the MD5 of the whole; the parts' MD5s
    // are unknown here, so only single-part objects can be checked.
    if (etag_is_md5(*meta) && meta->etag.size() == 32) {
      std::string got = tmp.md5_hex();
      if (got != meta->etag) {
        throw Error("download of " + name_of(bucket, key) + " is corrupt: MD5 " + got +
                        ", ETag " + meta->etag,
                    "try again; " + util::quote(local.string()) + " was left untouched");
      }
    }
    tmp.commit(local);
    return true;
  }

  std::optional<ObjectInfo> head(const std::string& bucket, const std::string& key) override {
    check_target(bucket, key);
    std::optional<s3::ObjectMeta> m = s3_.head_object(bucket, key);
    if (!m) return std::nullopt;
    return to_info(*m);
  }

  std::vector<ObjectInfo> list(const std::string& bucket, const std::string& prefix) override {
    check_bucket_name(bucket);
    std::vector<ObjectInfo> out;
    for (const s3::ObjectMeta& m : s3_.list_all(bucket, prefix)) out.push_back(to_info(m));
    return out;
  }

  void remove(const std::string& bucket, const std::string& key) override {
    check_target(bucket, key);
    s3_.delete_object(bucket, key);
  }

  size_t remove_prefix(const std::string& bucket, const std::string& prefix) override {
    check_bucket_name(bucket);
    std::vector<std::string> keys;
    for (const s3::ObjectMeta& m : s3_.list_all(bucket, prefix)) keys.push_back(m.key);
    s3_.delete_objects(bucket, keys);
    return keys.size();
  }

  void copy(const std::string& bucket, const std::string& src_key,
            const std::string& dst_key) override {
    check_target(bucket, src_key);
    check_target(bucket, dst_key);
    s3_.copy_object(bucket, src_key, dst_key);
  }

  uint64_t multipart_threshold() const override { return k_multipart_threshold; }
  uint64_t multipart_part_size() const override { return k_part_size; }

 private:
  std::string put_multipart(const std::string& bucket, const std::string& key, int fd,
                            const fs::path& local, uint64_t size, const std::string& content_type,
                            bool sign_payload);

  s3::S3Client s3_;
};

// Parts go up from k_part_threads threads that each take the next part
// number; the first failure stops the others from starting new parts, and
// the upload is aborted so S3 keeps (and bills) nothing.
std::string AwsObjectStore::put_multipart(const std::string& bucket, const std::string& key,
                                          int fd, const fs::path& local, uint64_t size,
                                          const std::string& content_type, bool sign_payload) {
  const size_t parts = static_cast<size_t>((size + k_part_size - 1) / k_part_size);
  if (parts > k_max_parts) {
    // The part size is fixed so that file_etag() can predict the ETag.
    throw Error("cannot upload " + util::quote(local.string()) + " to " + name_of(bucket, key) +
                ": " + std::to_string(size) + " bytes need more than S3's " +
                std::to_string(k_max_parts) + " parts of " + std::to_string(k_part_size) +
                " bytes");
  }
  const std::string upload_id = s3_.create_multipart(bucket, key, content_type);
  std::vector<std::string> md5s(parts), etags(parts);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  bool kms = false;

  auto worker = [&] {
    try {
      for (size_t i = next++; i < parts && !failed; i = next++) {
        const uint64_t offset = i * k_part_size;
        const uint64_t length = std::min(k_part_size, size - offset);
        Digest d = digest_slice(fd, local, offset, length, sign_payload);
        s3::ObjectMeta m = s3_.upload_part(bucket, key, upload_id, static_cast<int>(i + 1),
                                           file_body(local, offset, length, d));
        md5s[i] = d.md5_raw;
        etags[i] = m.etag;
        if (!etag_is_md5(m)) {
          std::lock_guard lock(error_mutex);
          kms = true;
        }
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  try {
    {
      std::vector<std::jthread> threads;  // joined before anything they use goes
      const size_t n = std::min<size_t>(k_part_threads, parts);
      for (size_t t = 1; t < n; ++t) threads.emplace_back(worker);
      worker();
    }
    if (first_error) std::rethrow_exception(first_error);
    const std::string want = multipart_etag(md5s);
    std::string got = s3_.complete_multipart(bucket, key, upload_id, etags);
    if (!kms && got != want) {
      throw Error("S3 assembled " + name_of(bucket, key) + " with ETag " + util::quote(got) +
                  ", not the one of " + util::quote(local.string()) + " (" + want + ")");
    }
    return want;
  } catch (...) {
    s3_.abort_multipart(bucket, key, upload_id);
    throw;
  }
}

}  // namespace

std::unique_ptr<ObjectStore> make_aws_object_store(std::shared_ptr<aws::Client> client) {
  return std::make_unique<AwsObjectStore>(std::move(client));
}

}  // namespace handoff::store
