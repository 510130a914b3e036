// The AWS shared files and the credential chain over them: the INI dialect
// (aws/ini.cc), profiles merged from ~/.aws/config and ~/.aws/credentials
// (aws/shared_config.cc), region and endpoint resolution, and
// resolve_credentials (aws/credentials.cc) with role chains, the container
// and instance-metadata JSON, and AWS times.
//
// Input, parts separated by "%%" lines: the config file, the credentials
// file, AWS_* environment lines (NAME=value; the file locations are fixed to
// the scratch files), and the body every HTTP request of the chain gets
// (container credentials, IMDSv2). A profile with credential_process is not
// resolved: that would run the input as a shell command.
#include <fstream>
#include <map>

#include "aws/credentials.h"
#include "aws/ini.h"
#include "aws/shared_config.h"
#include "fuzz_util.h"

using namespace handoff;
using namespace handoff::aws;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::vector<std::string_view> parts = fuzz::split_parts(fuzz::as_view(data, size), 4);
  parts.resize(4);
  static const fs::path dir = fuzz::scratch_dir() / "aws";
  fs::create_directories(dir);
  std::ofstream(dir / "config", std::ios::binary | std::ios::trunc) << parts[0];
  std::ofstream(dir / "credentials", std::ios::binary | std::ios::trunc) << parts[1];

  fuzz::expect_clean([&] { parse_ini(parts[0], "~/.aws/config"); });

  std::map<std::string, std::string> vars;
  for (std::string_view rest = parts[2]; !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == rest.npos ? std::string_view() : rest.substr(nl + 1);
    size_t eq = line.find('=');
    if (eq == line.npos || !line.starts_with("AWS_")) continue;
    vars[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  vars["AWS_CONFIG_FILE"] = (dir / "config").string();
  vars["AWS_SHARED_CREDENTIALS_FILE"] = (dir / "credentials").string();
  vars.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");  // would read any file named
  vars["HOME"] = dir.string();
  Env env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };

  std::optional<SharedConfig> config;
  fuzz::expect_clean([&] { config = load_shared_config(env); });
  if (!config) return 0;
  fuzz::expect_clean([&] { resolve_region(env, *config); });
  fuzz::expect_clean([&] { resolve_endpoint("s3", env, *config); });
  fuzz::expect_clean([&] { resolve_endpoint("ssm", env, *config); });
  for (const auto& [name, profile] : config->profiles) {
    if (profile.find("credential_process") != nullptr) return 0;
  }

  CredentialSources sources;
  sources.env = env;
  std::string body(parts[3]);
  sources.http = [&body](const HttpCall&) -> std::optional<HttpReply> {
    if (body.empty()) return std::nullopt;
    return HttpReply{200, body};
  };
  sources.assume_role = [](const AssumeRoleRequest& req, const Credentials&) {
    assume_role_form_body(req);
    return Credentials{"ASIAROLE", "role-secret", "role-token", std::nullopt};
  };
  sources.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1800000000)); };
  fuzz::expect_clean([&] { resolve_credentials(sources); });
  parse_aws_time(parts[3].substr(0, 40));
  return 0;
}
