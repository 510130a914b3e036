// LocalParameterStore: SSM parameters as one JSON file each (see local_store.h).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/local_files.h"
#include "store/local_store.h"
#include "store/ssm_rules.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::store {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view k_param_suffix = "@.json";
constexpr std::string_view k_lock_suffix = "@.lock";

// A name's levels as folders. SSM allows `.` and `..` as levels; the local
// store cannot (they would walk out of params/), so it refuses them.
std::vector<std::string> levels_of(const std::string& name) {
  std::vector<std::string> levels;
  if (name.front() != '/') return {"@flat", name};
  levels = util::split(std::string_view(name).substr(1), '/');
  for (size_t i = 0; i + 1 < levels.size(); ++i) {
    if (levels[i] == "." || levels[i] == "..") {
      throw Error(fmt::format("the local store cannot hold parameter {}: it has a '{}' level",
                              util::quote(name), levels[i]));
    }
  }
  return levels;
}

fs::path with_suffix(fs::path file, std::string_view suffix) {
  file += std::string(suffix);
  return file;
}

// The lock beside a parameter's file: `<name>@.lock` for `<name>@.json`.
fs::path lock_of(const fs::path& file) {
  std::string base = file.filename().string();
  fs::path lock = file;
  lock.replace_filename(base.substr(0, base.size() - k_param_suffix.size()) + std::string(k_lock_suffix));
  return lock;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

ParameterType parse_type(const std::string& s) {
  return s == "SecureString" ? ParameterType::secure_string : ParameterType::string;
}

ParameterTier parse_tier(const std::string& s) {
  return s == "Advanced" ? ParameterTier::advanced : ParameterTier::standard;
}

}  // namespace

fs::path default_store_dir() {
  const char* dir = std::getenv("HO_STORE_DIR");
  if (dir != nullptr && dir[0] != '\0') return fs::path(dir);
  return local::xdg_dir("XDG_DATA_HOME", ".local/share") / "handoff" / "store";
}

LocalParameterStore::LocalParameterStore(fs::path root, fs::path key_path)
    : root_(std::move(root)), key_path_(std::move(key_path)) {}

fs::path LocalParameterStore::file_of(const std::string& name) const {
  check_parameter_name(name);
  fs::path file = root_ / "params";
  for (const auto& level : levels_of(name)) file /= level;
  return with_suffix(file, k_param_suffix);
}

const SecretBox& LocalParameterStore::box(bool create) {
  std::lock_guard<std::mutex> lock(box_mutex_);
  if (!box_) box_.emplace(SecretBox::load(key_path_, create));
  return *box_;
}

int64_t LocalParameterStore::put(const std::string& name, std::string_view value, ParameterType type,
                                 ParameterTier tier, bool overwrite) {
  check_parameter(name, value, tier);  // before anything touches the disk
  fs::path file = file_of(name);
  json doc = {{"name", name}, {"type", to_string(type)}, {"tier", to_string(tier)}};
  if (type == ParameterType::secure_string) {
    const SecretBox& sb = box(true);
    doc["key_id"] = sb.key_id();
    doc["secret"] = sb.seal(value);
  } else {
    doc["value"] = std::string(value);
  }

  local::make_private_dirs(file.parent_path());
  // Read-modify-write of the version counter under the parameter's lock; the
  // file itself is replaced by rename, so readers need no lock.
  local::FileLock lock(lock_of(file));
  int64_t version = 1;
  if (auto old = local::read_if_exists(file)) {
    if (!overwrite) {
      throw Error(fmt::format("parameter {} already exists", util::quote(name)),
                  "overwrite it (the command's overwrite option) or delete it first");
    }
    json old_doc = json::parse(*old, nullptr, false);
    if (old_doc.is_discarded() || !old_doc.contains("version")) {
      throw Error(fmt::format("the local store's file for parameter {} is damaged: '{}'",
                              util::quote(name), file.string()),
                  "delete the file and push the parameter again");
    }
    version = old_doc["version"].get<int64_t>() + 1;
  }
  doc["version"] = version;
  doc["last_modified"] = local::format_time(Clock::now());
  util::write_file_atomic(file, doc.dump(2) + "\n", 0600);
  return version;
}

std::optional<Parameter> LocalParameterStore::read(const fs::path& file, bool decrypt) {
  auto text = local::read_if_exists(file);
  if (!text) return std::nullopt;
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("name") || !doc.contains("version")) {
    throw Error(fmt::format("the local store's parameter file '{}' is damaged", file.string()),
                "delete the file and push the parameter again");
  }
  Parameter p;
  p.name = doc["name"].get<std::string>();
  p.type = parse_type(doc.value("type", "String"));
  p.tier = parse_tier(doc.value("tier", "Standard"));
  p.version = doc["version"].get<int64_t>();
  p.last_modified = local::parse_time(doc.value("last_modified", ""));
  if (p.type == ParameterType::string) {
    p.value = doc.value("value", "");
    return p;
  }
  std::string sealed = doc.value("secret", "");
  if (!decrypt) {
    p.value = sealed;  // as SSM: the encrypted form
    return p;
  }
  const SecretBox& sb = box(false);
  std::optional<std::string> plain;
  if (doc.value("key_id", "") == sb.key_id()) plain = sb.open(sealed);
  if (!plain) {
    throw Error(fmt::format("cannot decrypt parameter {} with '{}': it was encrypted under another key",
                            util::quote(p.name), sb.key_path().string()),
                fmt::format("restore the key file that the store was written with, or push the "
                            "parameter again"));
  }
  p.value = std::move(*plain);
  return p;
}

std::optional<Parameter> LocalParameterStore::get(const std::string& name, bool decrypt) {
  return read(file_of(name), decrypt);
}

std::vector<Parameter> LocalParameterStore::get_by_path(const std::string& path, bool recursive,
                                                        bool decrypt) {
  check_parameter_path(path);
  fs::path dir = root_ / "params";
  std::string body = path.substr(1);
  if (!body.empty() && body.back() == '/') body.pop_back();
  if (!body.empty()) {
    for (const auto& level : util::split(body, '/')) {
      if (level == "." || level == "..") return {};  // cannot exist here
      dir /= level;
    }
  }
  std::vector<Parameter> out;
  std::error_code ec;
  auto collect = [&](const fs::directory_entry& entry) {
    std::string file_name = entry.path().filename().string();
    if (!ends_with(file_name, k_param_suffix) || !entry.is_regular_file()) return;
    if (auto p = read(entry.path(), decrypt)) out.push_back(std::move(*p));
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      // params/@flat holds names outside any hierarchy: never part of a path.
      if (it.depth() == 0 && body.empty() && it->path().filename() == "@flat") {
        it.disable_recursion_pending();
        continue;
      }
      collect(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) collect(*it);
  }
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    throw Error(fmt::format("cannot list parameters under {}: {}", util::quote(path), ec.message()));
  }
  std::sort(out.begin(), out.end(), [](const Parameter& a, const Parameter& b) { return a.name < b.name; });
  return out;
}

bool LocalParameterStore::remove(const std::string& name) {
  fs::path file = file_of(name);
  std::error_code ec;
  if (!fs::is_directory(file.parent_path(), ec)) return false;
  local::FileLock lock(lock_of(file));
  if (::unlink(file.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throw Error(fmt::format("cannot delete parameter {}: {}", util::quote(name), util::errno_text(errno)));
}

}  // namespace handoff::store
