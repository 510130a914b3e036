#include "remote/secrets.h"

#include <map>

#include <fmt/format.h>

#include "remote/compiled_config.h"
#include "util/error.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::remote {

namespace {

const char* level_name(project::SecretLevel level) {
  return level == project::SecretLevel::task ? "task" : "resource group";
}

std::string name_of(const Layout& layout, const project::Secret& s) {
  return layout.secrets_path(s.level) + "/" + s.key;
}

void require_secrets(const project::SecretsFile& file) {
  if (file.secrets.empty()) {
    throw Error("No secrets are defined.",
                fmt::format("add them to {} (- key: NAME, value: VALUE)", file.path.string()));
  }
}

}  // namespace

std::vector<std::string> describe_secrets(const Layout& layout, const project::SecretsFile& file,
                                          const char* skip_word) {
  std::vector<std::string> lines;
  for (const auto& s : file.secrets) {
    std::string line = fmt::format("  - {} ({} level)", name_of(layout, s), level_name(s.level));
    if (!s.push) line += std::string(" ") + skip_word;
    else if (!s.has_value) line += " (no value in the local file: not pushed)";
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> push_secrets(store::ParameterStore& params, const Layout& layout,
                                      const project::SecretsFile& file, bool allow_advanced,
                                      const Confirm& confirm) {
  require_secrets(file);
  // Everything is checked before the first write.
  struct Put {
    std::string name, key, value;
    store::ParameterTier tier;
  };
  std::vector<Put> puts;
  for (const auto& s : file.secrets) {
    if (s.key == "config") {
      throw UsageError("the secret key 'config' is reserved", "rename the secret in " + file.path.string());
    }
    if (!s.push || !s.has_value) continue;
    std::string name = name_of(layout, s);
    std::string value = escape_braces(s.value);
    puts.push_back({name, s.key, value, tier_for(name, value, allow_advanced)});
  }
  if (!confirm()) throw Error("aborted: nothing was pushed", "answer y to proceed, or pass -y");
  std::vector<std::string> keys;
  for (const auto& p : puts) {
    params.put(p.name, p.value, store::ParameterType::secure_string, p.tier, true);
    keys.push_back(p.key);
  }
  return keys;
}

std::vector<std::string> delete_secrets(store::ParameterStore& params, const Layout& layout,
                                        const project::SecretsFile& file, const Confirm& confirm) {
  require_secrets(file);
  if (!confirm()) throw Error("aborted: nothing was deleted", "answer y to proceed, or pass -y");
  std::vector<std::string> keys;
  for (const auto& s : file.secrets) {
    if (!s.push) continue;
    if (params.remove(name_of(layout, s))) {
      keys.push_back(s.key);
    } else {
      log::warning("{} does not exist in remote parameter store.", s.key);
    }
  }
  return keys;
}

project::SecretsFile fetch_secrets(store::ParameterStore& params, const Layout& layout) {
  project::SecretsFile out;
  out.found = true;
  std::map<std::string, project::Secret> by_key;
  std::vector<std::string> order;
  for (auto level : {project::SecretLevel::resource_group, project::SecretLevel::task}) {
    for (const auto& p : params.get_by_path(layout.secrets_path(level), false, true)) {
      std::string key = p.name.substr(p.name.rfind('/') + 1);
      if (key == "config") continue;
      project::Secret s;
      s.key = key;
      s.value = unescape_braces(p.value);
      s.has_value = true;
      s.level = level;
      util::redactor().add(s.value);
      if (!by_key.count(key)) order.push_back(key);
      by_key[key] = std::move(s);
    }
  }
  for (const auto& k : order) out.secrets.push_back(by_key[k]);
  return out;
}

}  // namespace handoff::remote
