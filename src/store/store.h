#pragma once
// The storage seam: SSM-like parameters and S3-like objects. Two backends
// implement it: the embedded local store (local_store.h) and AWS (aws/).
// "Absent" is an empty optional or false, never an exception; everything else
// that goes wrong throws handoff::Error naming the parameter or object.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::store {

using Clock = std::chrono::system_clock;

enum class ParameterType { string, secure_string };
enum class ParameterTier { standard, advanced };

/// "String" / "SecureString", "Standard" / "Advanced": the SSM spellings.
std::string_view to_string(ParameterType type);
std::string_view to_string(ParameterTier tier);

struct Parameter {
  std::string name;
  /// Plain text; for a SecureString read without decryption, the encrypted
  /// form (base64), as SSM returns it.
  std::string value;
  ParameterType type = ParameterType::string;
  ParameterTier tier = ParameterTier::standard;
  int64_t version = 0;  ///< 1 for a new parameter, +1 per overwrite
  Clock::time_point last_modified;
};

class ParameterStore {
 public:
  virtual ~ParameterStore() = default;

  /// Create or (with overwrite) replace a parameter; return its new version.
  /// check_parameter() runs first: a bad name or a value over the tier's size
  /// limit throws and writes nothing. An existing parameter without overwrite
  /// throws.
  virtual int64_t put(const std::string& name, std::string_view value, ParameterType type,
                      ParameterTier tier, bool overwrite) = 0;
  /// Return the parameter, or nullopt when there is none of that name.
  virtual std::optional<Parameter> get(const std::string& name, bool decrypt) = 0;
  /// Return every parameter under path (SSM GetParametersByPath, all pages),
  /// sorted by name. Not recursive: only direct children (`/a/b` for `/a`).
  virtual std::vector<Parameter> get_by_path(const std::string& path, bool recursive,
                                             bool decrypt) = 0;
  /// Delete a parameter and its history; false when there was none.
  virtual bool remove(const std::string& name) = 0;
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  /// MD5 of the content in lower-case hex, without S3's quotes (the ETag of a
  /// single-part upload).
  std::string etag;
  Clock::time_point last_modified;
  std::string content_type;  ///< may be empty when unknown
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  /// Upload a local file, streaming (memory stays flat whatever its size);
  /// replaces any object of that key. Return what was stored.
  virtual ObjectInfo put_file(const std::string& bucket, const std::string& key,
                              const std::filesystem::path& local, std::string_view content_type) = 0;
  /// Create the object only if no object of that key exists (S3
  /// `If-None-Match: *`); false when one does. For leases.
  virtual bool put_if_absent(const std::string& bucket, const std::string& key,
                             std::string_view bytes) = 0;
  /// Download to local: written to a temp file beside it, then renamed, so
  /// local is either untouched or complete. Parent folders are created.
  /// False (and local untouched) when the object does not exist.
  virtual bool get_to_file(const std::string& bucket, const std::string& key,
                           const std::filesystem::path& local) = 0;
  /// Size, ETag, time and type of an object, or nullopt when absent.
  virtual std::optional<ObjectInfo> head(const std::string& bucket, const std::string& key) = 0;
  /// Every object whose key starts with prefix (a plain string prefix, as S3:
  /// `a/b` also matches `a/bc`), all pages, sorted by key.
  virtual std::vector<ObjectInfo> list(const std::string& bucket, const std::string& prefix) = 0;
  /// Delete an object; deleting an absent one is not an error (as S3).
  virtual void remove(const std::string& bucket, const std::string& key) = 0;
  /// Delete every object list(bucket, prefix) returns; return how many.
  virtual size_t remove_prefix(const std::string& bucket, const std::string& prefix) = 0;
  /// Server-side copy within a bucket; throws when src_key is absent.
  virtual void copy(const std::string& bucket, const std::string& src_key,
                    const std::string& dst_key) = 0;

  /// The ETag put_file gives a file: the MD5 of its content below
  /// multipart_threshold() bytes, S3's multipart form (etag.h) with parts of
  /// multipart_part_size() from there on. 0: always the MD5.
  virtual uint64_t multipart_threshold() const { return 0; }
  virtual uint64_t multipart_part_size() const { return 0; }
};

}  // namespace handoff::store
