#pragma once
// S3 ETags computed locally, to tell whether a local file and an object hold
// the same bytes without downloading (and to verify transfers).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::store {

/// Incremental MD5 (OpenSSL), hex output.
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(const void* data, size_t size);
  /// The 16 raw bytes; the object cannot be updated afterwards.
  std::string finish_raw();
  /// Lower-case hex of finish_raw().
  std::string finish_hex();

 private:
  void* ctx_;  ///< EVP_MD_CTX*
};

std::string md5_hex(std::string_view data);
std::string to_hex(std::string_view bytes);

/// S3's ETag of a multipart upload: hex MD5 of the concatenated raw MD5s of
/// the parts, then "-<number of parts>".
std::string multipart_etag(const std::vector<std::string>& part_md5_raw);

/// The ETag the store would give this file (see ObjectStore::multipart_threshold):
/// reads the file once. Throws handoff::Error when it cannot be read.
std::string file_etag(const std::filesystem::path& file, uint64_t multipart_threshold,
                      uint64_t part_size);

}  // namespace handoff::store
