// The remote run (spec §4.1, §6.5): rebuild the workspace from the store,
// run it with the engine, push the artifacts with -a.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "job/remote.h"
#include "project/load.h"
#include "remote/artifacts.h"
#include "remote/compiled_config.h"
#include "remote/secrets.h"
#include "remote/transfer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace handoff::job {
namespace fs = std::filesystem;

namespace {

/// Fetch config, secrets and file templates into ws; the settings to run or
/// install the stored project with.
Settings fetch_project(const RemoteCommand& c, remote::Session& s, const fs::path& ws) {
  const auto& l = s.layout;
  util::make_dirs(ws);
  Settings settings = c.settings;
  settings.project_dir = ws;
  settings.workspace = ws;
  settings.files_dir = ws / "templates";
  // 1. The project: the compiled JSON (seed) or project.yml.
  if (l.seed) {
    auto p = s.store.params->get(l.config_parameter(), true);
    if (!p) {
      throw Error(fmt::format("parameter '{}' not found", l.config_parameter()),
                  "push the config first: handoff push_config -p PROJECT_DIR");
    }
    remote::write_compiled_config(p->value, ws);
    settings.secrets = project::SecretsFile{};
  } else {
    if (!s.store.objects->get_to_file(l.bucket, l.config_key(), ws / "project.yml")) {
      throw Error(fmt::format("no config at s3://{}/{}", l.bucket, l.config_key()),
                  "push it first: handoff config push -p PROJECT_DIR");
    }
    // 2. Secrets, both levels.
    settings.secrets = remote::fetch_secrets(*s.store.params, l);
    log::info("Fetched {} secret(s) from {}", settings.secrets->secrets.size(),
              l.secrets_path(project::SecretLevel::resource_group));
  }
  // 3. File templates (rendered by prepare()).
  remote::EtagCache cache(ws / ".handoff" / "etag_cache.json");
  remote::TransferOptions t;
  t.jobs = c.remote.jobs;
  t.cache = &cache;
  auto files = remote::download_prefix(*s.store.objects, l.bucket, l.files_prefix(), settings.files_dir, t);
  log::info("Files from s3://{}/{}: {}", l.bucket, l.files_prefix(), remote::summary(files, "downloaded"));
  remote::fail_on_refused(files, l.bucket, l.files_prefix());
  return settings;
}

bool push_on_fail(const project::Project& p) {
  if (!p.deploy.is_object() || !p.deploy.contains("push_artifacts_on_fail")) return true;
  const auto& v = p.deploy["push_artifacts_on_fail"];
  return !(v.is_boolean() && !v.get<bool>());
}

}  // namespace

int run_remote(const RemoteCommand& c) {
  if (c.settings.workspace.empty()) {
    throw UsageError("no workspace directory given", "pass -w WORKSPACE_DIR (created if missing)");
  }
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  fs::path ws = fs::absolute(c.settings.workspace).lexically_normal();
  Settings settings = fetch_project(c, s, ws);
  // 4. The last run's artifacts (Singer state carries over this way).
  remote::EtagCache cache(ws / ".handoff" / "etag_cache.json");
  remote::TransferOptions t;
  t.jobs = c.remote.jobs;
  t.cache = &cache;
  auto last = remote::get_artifacts(*s.store.objects, l, ws, t);
  log::info("Artifacts from s3://{}/{}: {}", l.bucket, l.last_prefix(), remote::summary(last, "downloaded"));
  remote::fail_on_refused(last, l.bucket, l.last_prefix());

  int code = run_local(settings);
  if (!c.push_artifacts) return code;
  if (code != k_exit_ok) {
    // project.yml is in the workspace now; its deploy section decides.
    auto project = project::load_project(ws);
    if (!push_on_fail(project)) {
      log::warning("The run failed (exit code {}); not pushing artifacts (deploy.push_artifacts_on_fail is false)",
                   code);
      return code;
    }
  }
  try {
    t.cache = nullptr;
    auto r = remote::push_artifacts(*s.store.objects, l, ws, t);
    log::info("Artifacts to s3://{}/{}{}/: {}; last/ updated ({} copied, {} stale deleted)", l.bucket,
              l.archives_prefix(), r.timestamp, remote::summary(r.upload, "uploaded"), r.copied, r.deleted);
  } catch (const Error& e) {
    log::error("could not push the artifacts: {}", e.what());
    return code == k_exit_ok ? k_exit_failure : code;
  }
  return code;
}

int install_remote(const RemoteCommand& c) {
  if (c.settings.workspace.empty()) {
    throw UsageError("no workspace directory given", "pass -w WORKSPACE_DIR (created if missing)");
  }
  auto s = open_remote(c, false);
  fs::path ws = fs::absolute(c.settings.workspace).lexically_normal();
  Settings settings = fetch_project(c, s, ws);
  install(settings);
  return k_exit_ok;
}

}  // namespace handoff::job
