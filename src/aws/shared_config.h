#pragma once
// The environment and the shared AWS files (~/.aws/credentials, ~/.aws/config):
// which profile, its settings, and the region and endpoint derived from them.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::aws {

/// Reads an environment variable; nullopt when unset. A seam for tests.
using Env = std::function<std::optional<std::string>(const std::string& name)>;
/// The process environment.
Env process_env();

/// One setting of a profile and the file it came from.
struct ProfileValue {
  std::string value;
  std::string origin;  // display path of the file: "~/.aws/credentials"
};

/// A profile's settings, the credentials file's overriding the config file's
/// for the same key (as botocore merges them).
struct Profile {
  std::string name;
  std::map<std::string, ProfileValue> values;
  const ProfileValue* find(std::string_view key) const;
};

struct SharedConfig {
  std::string profile_name;                // AWS_PROFILE, AWS_DEFAULT_PROFILE or "default"
  bool profile_explicit = false;           // named by the environment, so it must exist
  std::filesystem::path credentials_path;  // AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  std::filesystem::path config_path;       // AWS_CONFIG_FILE or ~/.aws/config
  std::map<std::string, Profile> profiles;
  const Profile* find(std::string_view name) const;
  std::vector<std::string> profile_names() const;
};

/// Read both files (a missing file is empty). Parse errors throw handoff::Error.
SharedConfig load_shared_config(const Env& env);

struct Resolved {
  std::string value;
  std::string source;  // "AWS_REGION", "profile 'x' in ~/.aws/config", ...
};

/// AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`.
std::optional<Resolved> resolve_region(const Env& env, const SharedConfig& config);
/// As resolve_region, but absent is a handoff::Error with a hint.
Resolved require_region(const Env& env, const SharedConfig& config);

/// The endpoint override for a service ("s3", "ssm", "sts", "cloudformation"),
/// most specific first: AWS_ENDPOINT_URL_<SERVICE> (upper case, '-' and ' '
/// as '_'), AWS_ENDPOINT_URL, the profile's `endpoint_url`. None when
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true or nothing is set.
std::optional<Resolved> resolve_endpoint(std::string_view service, const Env& env,
                                         const SharedConfig& config);

/// "~/..." for a path under $HOME, else the path itself.
std::string display_path(const std::filesystem::path& p, const Env& env);

}  // namespace handoff::aws
