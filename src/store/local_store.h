#pragma once
// The embedded local store: the ParameterStore and ObjectStore seam on plain
// files under one root folder, safe for several handoff processes at once.
//
// Layout under the root (folders 0700, files 0600):
//   params/<level>/.../<name>@.json  one parameter named /<level>/.../<name>
//   params/<level>/.../<name>@.lock  its flock(2) lock (never deleted)
//   params/@flat/<name>@.json        a parameter without hierarchy (`stack_config`)
//   objects/<bucket>/<key>           an object's bytes, the key's `/` as folders
//   meta/<bucket>/<key>              its metadata (JSON: etag, size, type, inode)
//   tmp/                             uploads in progress (renamed into objects/)
// `@` cannot occur in SSM names, so a parameter's file never collides with a
// folder of a deeper level. SecureString values are sealed with SecretBox
// under the key file (kept outside the root); String values are plain.
//
// Every write goes to a temp file then rename(2) or link(2), so readers see
// the old or the new version, never a part. Parameter writes (version counter)
// hold the parameter's lock. Objects need none: metadata is a cache validated
// against the object file's inode, size and mtime, and recomputed when stale.
#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <optional>

#include "store/secretbox.h"
#include "store/store.h"

namespace handoff::store {

/// `$HO_STORE_DIR`, else `$XDG_DATA_HOME/handoff/store`, else
/// `~/.local/share/handoff/store`.
std::filesystem::path default_store_dir();

class LocalParameterStore : public ParameterStore {
 public:
  /// key_path: the SecretBox key file, created on the first SecureString put.
  LocalParameterStore(std::filesystem::path root, std::filesystem::path key_path);

  int64_t put(const std::string& name, std::string_view value, ParameterType type,
              ParameterTier tier, bool overwrite) override;
  std::optional<Parameter> get(const std::string& name, bool decrypt) override;
  std::vector<Parameter> get_by_path(const std::string& path, bool recursive, bool decrypt) override;
  bool remove(const std::string& name) override;

  /// The file holding parameter name (which must be a valid name).
  std::filesystem::path file_of(const std::string& name) const;

 private:
  std::optional<Parameter> read(const std::filesystem::path& file, bool decrypt);
  const SecretBox& box(bool create);

  std::filesystem::path root_;
  std::filesystem::path key_path_;
  std::mutex box_mutex_;
  std::optional<SecretBox> box_;  ///< loaded on first use
};

class LocalObjectStore : public ObjectStore {
 public:
  explicit LocalObjectStore(std::filesystem::path root);

  ObjectInfo put_file(const std::string& bucket, const std::string& key,
                      const std::filesystem::path& local, std::string_view content_type) override;
  bool put_if_absent(const std::string& bucket, const std::string& key, std::string_view bytes) override;
  bool get_to_file(const std::string& bucket, const std::string& key,
                   const std::filesystem::path& local) override;
  std::optional<ObjectInfo> head(const std::string& bucket, const std::string& key) override;
  std::vector<ObjectInfo> list(const std::string& bucket, const std::string& prefix) override;
  void remove(const std::string& bucket, const std::string& key) override;
  size_t remove_prefix(const std::string& bucket, const std::string& prefix) override;
  void copy(const std::string& bucket, const std::string& src_key, const std::string& dst_key) override;

  /// The file holding an object (bucket and key are checked first).
  std::filesystem::path file_of(const std::string& bucket, const std::string& key) const;

 private:
  std::filesystem::path meta_of(const std::string& bucket, const std::string& key) const;
  /// Move a finished temp file into place as the object (link when
  /// exclusive); false only when exclusive and the object exists.
  bool publish(const std::filesystem::path& tmp, const std::string& bucket, const std::string& key,
               bool exclusive);
  /// Record etag and type for the object file whose identity is st.
  void write_meta(const std::string& bucket, const std::string& key, const struct stat& st,
                  const std::string& etag, std::string_view content_type);
  std::optional<ObjectInfo> info_of(const std::string& bucket, const std::string& key);

  std::filesystem::path root_;
};

}  // namespace handoff::store
