#include "aws/shared_config.h"

#include <stdlib.h>

#include <algorithm>

#include "aws/ini.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::aws {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> non_empty(const Env& env, const std::string& name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

fs::path expand_home(const std::string& p, const Env& env) {
  if (p == "~" || p.starts_with("~/")) {
    if (std::optional<std::string> home = non_empty(env, "HOME"))
      return fs::path(*home + p.substr(1));
  }
  return p;
}

fs::path file_path(const Env& env, const char* variable, const char* default_name) {
  if (std::optional<std::string> v = non_empty(env, variable)) return expand_home(*v, env);
  return expand_home(std::string("~/.aws/") + default_name, env);
}

IniFile read_ini(const fs::path& path, const std::string& shown) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  return parse_ini(util::read_file(path), shown);
}

}  // namespace

Env process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = ::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

const ProfileValue* Profile::find(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end() || it->second.value.empty()) return nullptr;
  return &it->second;
}

const Profile* SharedConfig::find(std::string_view name) const {
  auto it = profiles.find(std::string(name));
  return it == profiles.end() ? nullptr : &it->second;
}

std::vector<std::string> SharedConfig::profile_names() const {
  std::vector<std::string> names;
  for (const auto& [name, p] : profiles) names.push_back(name);
  return names;
}

std::string display_path(const fs::path& p, const Env& env) {
  std::optional<std::string> home = non_empty(env, "HOME");
  const std::string s = p.string();
  if (home) {
    std::string h = *home;
    if (!h.ends_with('/')) h += '/';
    if (s.starts_with(h)) return "~/" + s.substr(h.size());
  }
  return s;
}

SharedConfig load_shared_config(const Env& env) {
  SharedConfig cfg;
  if (std::optional<std::string> p = non_empty(env, "AWS_PROFILE")) {
    cfg.profile_name = *p;
    cfg.profile_explicit = true;
  } else if (std::optional<std::string> dp = non_empty(env, "AWS_DEFAULT_PROFILE")) {
    cfg.profile_name = *dp;
    cfg.profile_explicit = true;
  } else {
    cfg.profile_name = "default";
  }
  cfg.credentials_path = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  cfg.config_path = file_path(env, "AWS_CONFIG_FILE", "config");

  // Config first, so the credentials file overrides it key by key. In the
  // config file a profile is `[profile name]` (`[default]` also plain);
  // other section kinds (sso-session, services) are not profiles.
  const std::string config_shown = display_path(cfg.config_path, env);
  for (auto& [section, body] : read_ini(cfg.config_path, config_shown).sections) {
    std::string name;
    if (section == "default") {
      name = "default";
    } else if (section.starts_with("profile ") || section.starts_with("profile\t")) {
      name = std::string(util::trim(std::string_view(section).substr(8)));
    } else {
      continue;
    }
    Profile& p = cfg.profiles[name];
    p.name = name;
    for (auto& [k, v] : body.values) p.values[k] = {v, config_shown};
  }
  const std::string creds_shown = display_path(cfg.credentials_path, env);
  for (auto& [section, body] : read_ini(cfg.credentials_path, creds_shown).sections) {
    Profile& p = cfg.profiles[section];
    p.name = section;
    for (auto& [k, v] : body.values) p.values[k] = {v, creds_shown};
  }
  return cfg;
}

std::optional<Resolved> resolve_region(const Env& env, const SharedConfig& config) {
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (std::optional<std::string> v = non_empty(env, var)) return Resolved{*v, var};
  }
  if (const Profile* p = config.find(config.profile_name)) {
    if (const ProfileValue* v = p->find("region")) {
      return Resolved{v->value, "profile '" + p->name + "' in " + v->origin};
    }
  }
  return std::nullopt;
}

Resolved require_region(const Env& env, const SharedConfig& config) {
  if (std::optional<Resolved> r = resolve_region(env, config)) return *r;
  throw Error("no AWS region configured",
              "set AWS_REGION (for example AWS_REGION=eu-west-1) or `region` in profile '" +
                  config.profile_name + "' of " + display_path(config.config_path, env));
}

std::optional<Resolved> resolve_endpoint(std::string_view service, const Env& env,
                                         const SharedConfig& config) {
  if (std::optional<std::string> ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    if (util::to_lower(*ignore) == "true") return std::nullopt;
  }
  std::string id = util::to_upper(service);
  std::replace(id.begin(), id.end(), '-', '_');
  std::replace(id.begin(), id.end(), ' ', '_');
  const std::string specific = "AWS_ENDPOINT_URL_" + id;
  if (std::optional<std::string> v = non_empty(env, specific)) return Resolved{*v, specific};
  if (std::optional<std::string> v = non_empty(env, "AWS_ENDPOINT_URL")) {
    return Resolved{*v, "AWS_ENDPOINT_URL"};
  }
  if (const Profile* p = config.find(config.profile_name)) {
    if (const ProfileValue* v = p->find("endpoint_url")) {
      return Resolved{v->value, "profile '" + p->name + "' in " + v->origin};
    }
  }
  return std::nullopt;
}

}  // namespace handoff::aws
