#include "container/commands.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aws/client.h"
#include "aws/ecr.h"
#include "container/build_context.h"
#include "container/docker.h"
#include "container/versions.h"
#include "project/context.h"
#include "project/load.h"
#include "project/secrets.h"
#include "remote/session.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::container {

namespace fs = std::filesystem;

namespace {

// AWS credentials: passed as `--env NAME`, the value in docker's environment.
const char* const k_credential_vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};

bool is_credential_var(const std::string& name) {
  for (const char* c : k_credential_vars) {
    if (name == c) return true;
  }
  return false;
}

std::map<std::string, std::string> vars_of(const CommandOptions& o) {
  std::map<std::string, std::string> m;
  for (auto& [k, v] : project::parse_assignments(o.vars, "-v")) m[k] = v;
  return m;
}

// flag, else -v key=, else fallback.
std::string pick(const std::string& flag, const std::map<std::string, std::string>& vars, const char* key,
                 std::string fallback = {}) {
  if (!flag.empty()) return flag;
  auto it = vars.find(key);
  return it != vars.end() ? it->second : fallback;
}

bool truthy(const std::string& v) {
  std::string l = util::to_lower(v);
  return l == "true" || l == "1" || l == "yes" || l == "y" || l == "on";
}

std::string deploy_string(const project::Project& p, const char* key) {
  if (!p.deploy.is_object() || !p.deploy.contains(key) || p.deploy[key].is_null()) return "";
  const auto& v = p.deploy[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// project.yml `container.<key>` (kept by the loader in raw), relative to the project.
std::string container_setting(const project::Project& p, const char* key) {
  if (!p.raw.is_object() || !p.raw.contains("container") || !p.raw["container"].is_object()) return "";
  const auto& c = p.raw["container"];
  if (!c.contains(key) || !c[key].is_string()) return "";
  fs::path path = c[key].get<std::string>();
  return (path.is_absolute() ? path : p.dir / path).string();
}

// HO_CONTAINER_IMAGE < deploy.container_image < -e container_image=.
std::string image_name(const project::Project& p, const CommandOptions& o) {
  std::string image;
  if (const char* env = std::getenv("HO_CONTAINER_IMAGE")) image = env;
  if (std::string d = deploy_string(p, "container_image"); !d.empty()) image = d;
  for (auto& [k, v] : project::parse_assignments(o.envs, "-e")) {
    std::string key = util::to_lower(k);
    if (key == "container_image" || key == "ho_container_image") image = v;
  }
  if (image.empty()) {
    throw UsageError("no container image name for " + p.file.string(),
                     "set deploy.container_image in project.yml (or pass -e container_image=NAME)");
  }
  // Docker's repository rule: lower case, digits and . _ - between slashes.
  bool ok = image.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-/") == std::string::npos &&
            std::isalnum(static_cast<unsigned char>(image[0])) && image.size() <= 255;
  if (!ok) {
    throw UsageError("container image name " + util::quote(image) + " is not a valid Docker repository name",
                     "use lower-case letters, digits and . _ - (e.g. my-etl-image)");
  }
  return image;
}

std::string checked_version(const std::string& v, const char* from) {
  if (!is_valid_tag(v)) {
    throw UsageError(fmt::format("{} {} is not a valid image tag", from, util::quote(v)),
                     "use letters, digits and . _ - (at most 128), e.g. 0.1");
  }
  return v;
}

// The newest tag of image in the local engine; throws when there is none.
std::string newest_local(const Docker& docker, const std::string& image) {
  auto latest = latest_version(docker.local_tags(image));
  if (!latest) {
    throw Error("no local image " + util::quote(image) + " to use",
                "build one with `handoff container build -p PROJECT` or pass -v version=VERSION");
  }
  return *latest;
}

bool ask(const std::string& question, bool yes) { return remote::ask_on_stdin(question, yes); }

int declined(const std::string& what) {
  log::warning("{}: not confirmed, nothing done (pass -y to skip the question)", what);
  return k_exit_failure;
}

// The stage's secret values (and prod's) must be in no file of the context:
// a last check behind the name filter, for a secret copied into files/.
void check_no_secret_values(const BuildContext& ctx, const project::Project& p, const std::string& stage) {
  std::vector<project::Secret> secrets;
  fs::path dir = p.dir / ".secrets";
  for (const std::string& s : {stage, std::string("prod")}) {
    std::error_code ec;
    if (!fs::is_regular_file(project::secrets_file_path(dir, s), ec)) continue;
    auto f = project::load_secrets(dir, s);
    secrets.insert(secrets.end(), f.secrets.begin(), f.secrets.end());
  }
  if (secrets.empty()) return;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(ctx.dir(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file() || it->is_symlink()) continue;
    std::string text = util::read_file(it->path());
    for (const auto& s : secrets) {
      if (!s.has_value || s.value.size() < util::Redactor::k_min_line_length) continue;
      if (text.find(s.value) != std::string::npos) {
        throw Error("the build context's " + util::quote(it->path().lexically_relative(ctx.dir()).string()) +
                        " holds the value of secret " + util::quote(s.key) +
                        ": refusing to bake it into an image",
                    "keep secrets in .secrets/ only; the container reads them from SSM at run time");
      }
    }
  }
}

}  // namespace

int build(const CommandOptions& o) {
  // 1. Everything local first: project, image, Dockerfile, source tree.
  project::Project p = project::load_project(o.project_dir);
  auto vars = vars_of(o);
  std::string image = image_name(p, o);
  std::string docker_file = pick(o.docker_file, vars, "docker_file", container_setting(p, "docker_file"));
  std::string files_dir = pick(o.files_dir, vars, "files_dir", container_setting(p, "files_dir"));
  std::error_code ec;
  if (!docker_file.empty() && !fs::is_regular_file(docker_file, ec)) {
    throw UsageError("Dockerfile " + util::quote(docker_file) + " not found", "check docker_file's path");
  }
  if (!files_dir.empty() && !fs::is_directory(files_dir, ec)) {
    throw UsageError("files_dir " + util::quote(files_dir) + " is not a directory", "check files_dir's path");
  }
  fs::path source = find_source_dir(
      o.handoff_src,
      std::getenv("HANDOFF_SRC") ? std::optional<std::string>(std::getenv("HANDOFF_SRC")) : std::nullopt);
  std::string version = pick(o.version, vars, "version");
  if (!version.empty()) checked_version(version, "version");

  // 2. The engine, then the version from its images.
  Docker docker;
  docker.require_engine();
  if (version.empty()) {
    auto latest = latest_version(docker.local_tags(image));
    version = increment_version(latest.value_or(""));
  }
  std::string ref = image_ref(image, version);
  if (!ask(fmt::format("Build {} (y/N)? ", ref), o.yes)) return declined("container build");

  // 3. The context (no secrets in it), then docker build.
  log::info("Building {} with {}", ref, docker_file.empty() ? "handoff's Dockerfile" : docker_file);
  BuildContext ctx = make_build_context({source, p.dir, docker_file, files_dir, {}});
  for (const auto& s : ctx.skipped()) log::info("Left out of the build context: {}", s);
  check_no_secret_values(ctx, p, o.stage);
  std::map<std::string, std::string> build_args;
  if (p.installs.empty()) build_args["HO_INSTALL"] = "0";
  docker.check({build_argv(ref, ctx.dir(), build_args, o.no_cache), "docker build", {}, false, true, {}});
  log::info("Built {}", ref);
  std::printf("%s\n", ref.c_str());
  return k_exit_ok;
}

int run(const CommandOptions& o) {
  remote::RemoteOptions ro;
  ro.project_dir = o.project_dir;
  ro.stage = o.stage;
  ro.envs = o.envs;
  ro.store = "aws";  // the image sets HO_STORE=aws: the names must be AWS's
  ro.bucket = o.bucket;
  remote::Session s = remote::open_session(ro, true);
  const project::Project& p = *s.project;
  auto vars = vars_of(o);
  std::string image = image_name(p, o);
  std::string version = pick(o.version, vars, "version");
  if (!version.empty()) checked_version(version, "version");

  RunSpec spec;
  spec.detach = o.detach || truthy(pick("", vars, "detach", "false"));
  spec.interactive = o.interactive || truthy(pick("", vars, "interactive", "false"));
  spec.platform = pick(o.platform, vars, "platform");
  for (const auto& pub : o.publish) {
    size_t colon = pub.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == pub.size()) {
      throw UsageError("--publish " + util::quote(pub) + " is not HOST:CONTAINER", "e.g. --publish 2222:22");
    }
    spec.ports.emplace_back(pub.substr(colon + 1), pub.substr(0, colon));
  }
  if (auto it = vars.find("ports"); it != vars.end()) {
    // The original's -v ports='{"22": 2222}': container port → host port.
    nlohmann::json j = nlohmann::json::parse(it->second, nullptr, false);
    if (!j.is_object()) {
      throw UsageError("-v ports=" + util::quote(it->second) + " is not a JSON mapping",
                       R"(e.g. -v ports='{"22": 2222}')");
    }
    for (auto& [k, v] : j.items())
      spec.ports.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  }

  // The container's environment, later wins: names, store and stage, region,
  // COMMAND, then -e values as written (`__VARS` unevaluated: the container's
  // shell evaluates it).
  std::vector<std::pair<std::string, std::string>> env = {
      {"HO_RESOURCE_GROUP", s.layout.resource_group},
      {"HO_TASK", s.layout.task},
      {"HO_BUCKET", s.layout.bucket},
      {"HO_CONTAINER_IMAGE", image},
      {"HO_STORE", "aws"},
      {"HO_STAGE", o.stage},
  };
  aws::Client client;
  env.emplace_back("AWS_REGION", client.region().value);
  if (std::string c = pick(o.command, vars, "command"); !c.empty()) env.emplace_back("COMMAND", c);
  std::vector<std::string> docker_env;
  auto creds = client.credentials();
  log::info("AWS credentials for the container from {} (passed through docker's environment)", creds.source);
  docker_env.push_back("AWS_ACCESS_KEY_ID=" + creds.credentials.access_key_id);
  docker_env.push_back("AWS_SECRET_ACCESS_KEY=" + creds.credentials.secret_access_key);
  spec.inherited_env = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"};
  if (!creds.credentials.session_token.empty()) {
    docker_env.push_back("AWS_SESSION_TOKEN=" + creds.credentials.session_token);
    spec.inherited_env.push_back("AWS_SESSION_TOKEN");
  }
  for (auto& [k, v] : project::parse_assignments(o.envs, "-e")) {
    if (is_credential_var(k)) {
      docker_env.push_back(k + "=" + v);
      if (std::find(spec.inherited_env.begin(), spec.inherited_env.end(), k) == spec.inherited_env.end()) {
        spec.inherited_env.push_back(k);
      }
      continue;
    }
    // A named copy: clang 14 cannot capture a structured binding.
    const std::string& name = k;
    auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == name; });
    if (it != env.end()) {
      it->second = v;
    } else {
      env.emplace_back(k, v);
    }
  }
  spec.env = std::move(env);

  Docker docker;
  docker.require_engine();
  if (version.empty()) version = newest_local(docker, image);
  spec.image_ref = image_ref(image, version);
  if (!ask(fmt::format("Run {} (y/N)? ", spec.image_ref), o.yes)) return declined("container run");
  log::info("Running {} (task {}, resource group {}, bucket {})", spec.image_ref, s.layout.task,
            s.layout.resource_group, s.layout.bucket);
  DockerCall call{run_args(spec), "docker run", {}, spec.interactive, !spec.detach, docker_env};
  DockerResult r = docker.run(call);
  if (r.exit_code != 0) {
    std::string msg = fmt::format("container {} failed with exit code {}", spec.image_ref, r.exit_code);
    std::string tail = output_tail(r.output);
    if (!tail.empty()) msg += ":\n" + util::redactor().mask(tail);
    throw Error(msg, "the lines above are the container's (or docker's) output");
  }
  if (spec.detach) std::printf("%s\n", std::string(util::trim(r.output)).c_str());  // the container id
  return k_exit_ok;
}

int push(const CommandOptions& o) {
  project::Project p = project::load_project(o.project_dir);
  auto vars = vars_of(o);
  std::string image = image_name(p, o);
  std::string version = pick(o.version, vars, "version");
  if (!version.empty()) checked_version(version, "version");

  Docker docker;
  docker.require_engine();
  if (version.empty()) version = newest_local(docker, image);
  std::string ref = image_ref(image, version);

  aws::Client client;
  aws::ecr::Authorization auth = aws::ecr::get_authorization(client);
  if (!aws::ecr::repository_exists(client, image)) {
    if (!ask(fmt::format("Repository {} does not exist. Create (y/N)? ", image), o.yes)) {
      return declined("container push");
    }
    aws::ecr::create_repository(client, image);
    log::info("Created ECR repository {} (immutable tags)", image);
  }
  std::string target = auth.registry + "/" + ref;
  auto tags = aws::ecr::list_image_tags(client, image);
  if (std::find(tags.begin(), tags.end(), version) != tags.end()) {
    throw Error(fmt::format("{} is already in {} (its tags are immutable)", ref, auth.registry),
                "build a new version with `handoff container build`, or push another with -v version=");
  }
  if (auto latest = latest_version(tags)) log::info("Newest version in {}: {}", auth.registry, *latest);
  if (!ask(fmt::format("Push {} to {} (y/N)? ", ref, auth.registry), o.yes))
    return declined("container push");

  docker.check({tag_args(ref, target), "docker tag", {}, false, true, {}});
  docker.check({login_args(auth.registry), "docker login", auth.password, false, true, {}});
  docker.check({push_args(target), "docker push", {}, false, true, {}});
  log::info("Pushed {}", target);
  std::printf("%s\n", target.c_str());
  return k_exit_ok;
}

}  // namespace handoff::container
