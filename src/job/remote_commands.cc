// config, files, secrets and artifacts commands (issue 4 points 3-5).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "job/remote.h"
#include "project/context.h"
#include "project/secrets.h"
#include "remote/artifacts.h"
#include "remote/compiled_config.h"
#include "remote/secrets.h"
#include "remote/transfer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::job {
namespace fs = std::filesystem;

remote::Session open_remote(const RemoteCommand& c, bool need_project) {
  remote::RemoteOptions o = c.remote;
  o.project_dir = c.settings.project_dir;
  o.stage = c.settings.stage;
  o.envs = c.settings.envs;
  return remote::open_session(o, need_project);
}

namespace {

std::string s3(const remote::Layout& l, const std::string& key) { return "s3://" + l.bucket + "/" + key; }

void require_workspace(const Settings& s) {
  if (s.workspace.empty()) {
    throw UsageError("no workspace directory given", "pass -w WORKSPACE_DIR (created if missing)");
  }
}

remote::TransferOptions transfer_options(const RemoteCommand& c, remote::EtagCache* cache) {
  remote::TransferOptions t;
  t.jobs = c.remote.jobs;
  t.dry_run = c.remote.dry_run;
  t.cache = cache;
  return t;
}

fs::path cache_file(const fs::path& base) { return base / ".handoff" / "etag_cache.json"; }

/// A temp file path beside nothing of the user's; removed by the destructor.
struct TempPath {
  fs::path path;
  TempPath() {
    char p[] = "/tmp/handoff-get-XXXXXX";
    int fd = ::mkstemp(p);
    if (fd < 0) throw Error("cannot create a temp file: " + util::errno_text(errno));
    ::close(fd);
    path = p;
  }
  ~TempPath() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

fs::path secrets_dir_of(const Settings& s) {
  fs::path dir = s.project_dir / ".secrets";
  for (const auto& [k, v] : project::parse_assignments(s.vars, "-v")) {
    if (k == "secrets_dir") dir = v;
  }
  return dir;
}

void require_current_layout(const remote::Layout& l, const char* what) {
  if (l.seed) {
    throw UsageError(fmt::format("{} is not part of the seed's layout (STACK_NAME is set)", what),
                     "in the seed's layout secrets live in the compiled config (push_config); "
                     "unset STACK_NAME to use /handoff/<resource group>/ parameters");
  }
}

}  // namespace

// ----- config --------------------------------------------------------------

int config_push(const RemoteCommand& c) {
  auto s = open_remote(c, true);
  const auto& l = s.layout;
  if (l.seed) {
    std::string text = remote::compile_config(*s.project);
    auto tier = remote::tier_for(l.config_parameter(), text, c.remote.allow_advanced);
    if (c.remote.dry_run) {
      std::printf("put parameter %s (SecureString, %s, %zu bytes)\n", l.config_parameter().c_str(),
                  std::string(store::to_string(tier)).c_str(), text.size());
      return k_exit_ok;
    }
    auto version = s.store.params->put(l.config_parameter(), text, store::ParameterType::secure_string, tier, true);
    log::info("Stored the compiled config as parameter '{}' ({} tier, {} bytes, version {})",
              l.config_parameter(), store::to_string(tier), text.size(), version);
    return k_exit_ok;
  }
  fs::path file = s.project->file;
  if (c.remote.dry_run) {
    std::printf("upload %s -> %s\n", file.c_str(), s3(l, l.config_key()).c_str());
    return k_exit_ok;
  }
  auto info = s.store.objects->put_file(l.bucket, l.config_key(), file, "application/x-yaml");
  log::info("Uploaded {} to {} ({} bytes)", file.string(), s3(l, l.config_key()), info.size);
  return k_exit_ok;
}

int config_print(const RemoteCommand& c) {
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  if (l.seed) {
    auto p = s.store.params->get(l.config_parameter(), true);
    if (!p) {
      throw Error(fmt::format("parameter '{}' not found", l.config_parameter()),
                  "push it first: handoff push_config -p PROJECT_DIR");
    }
    if (!c.settings.workspace.empty()) remote::write_compiled_config(p->value, fs::absolute(c.settings.workspace));
    std::printf("%s\n", p->value.c_str());
    return k_exit_ok;
  }
  TempPath tmp;
  if (!s.store.objects->get_to_file(l.bucket, l.config_key(), tmp.path)) {
    throw Error(fmt::format("no config at {}", s3(l, l.config_key())),
                "push it first: handoff config push -p PROJECT_DIR");
  }
  std::string text = util::read_file(tmp.path);
  std::fputs(text.c_str(), stdout);
  if (!text.empty() && text.back() != '\n') std::fputs("\n", stdout);
  return k_exit_ok;
}

int config_delete(const RemoteCommand& c) {
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  if (l.seed) {
    if (s.store.params->remove(l.config_parameter())) {
      log::info("Deleted parameter '{}'", l.config_parameter());
    } else {
      log::warning("parameter '{}' does not exist", l.config_parameter());
    }
    return k_exit_ok;
  }
  if (!s.store.objects->head(l.bucket, l.config_key())) {
    log::warning("{} does not exist", s3(l, l.config_key()));
    return k_exit_ok;
  }
  s.store.objects->remove(l.bucket, l.config_key());
  log::info("Deleted {}", s3(l, l.config_key()));
  return k_exit_ok;
}

// ----- files ---------------------------------------------------------------

int files_push(const RemoteCommand& c) {
  auto s = open_remote(c, true);
  const auto& l = s.layout;
  remote::EtagCache cache(cache_file(s.project->dir));
  // The same rule as a run's: no symlink may upload a file from outside the project.
  std::vector<std::string> problems, warnings;
  project_files(s.project->dir / "files", &problems, &warnings);
  for (const auto& w : warnings) log::warning("{}", w);
  if (!problems.empty()) {
    throw UsageError(util::join(problems, "\n  "), "replace the link with a copy of the file; nothing was uploaded");
  }
  auto r = remote::upload_dir(*s.store.objects, l.bucket, s.project->dir / "files", l.files_prefix(),
                              transfer_options(c, &cache));
  if (!c.remote.dry_run) log::info("Files to {}: {}", s3(l, l.files_prefix()), remote::summary(r, "uploaded"));
  return k_exit_ok;
}

int files_get(const RemoteCommand& c) {
  require_workspace(c.settings);
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  fs::path ws = fs::absolute(c.settings.workspace).lexically_normal();
  remote::EtagCache cache(cache_file(ws));
  // With a project the files are templates: fetched raw into templates/ and
  // rendered into files/; without one (the seed's get_files) straight into files/.
  fs::path target = s.project ? ws / "templates" : ws / "files";
  auto r = remote::download_prefix(*s.store.objects, l.bucket, l.files_prefix(), target,
                                   transfer_options(c, &cache));
  if (!c.remote.dry_run) log::info("Files from {}: {}", s3(l, l.files_prefix()), remote::summary(r, "downloaded"));
  remote::fail_on_refused(r, l.bucket, l.files_prefix());
  if (s.project && !c.remote.dry_run) {
    Settings settings = c.settings;
    settings.files_dir = target;
    auto prepared = prepare(settings, false);
    write_files(ws, prepared.files);
    log::info("Rendered {} file(s) into {}", prepared.files.size(), (ws / "files").string());
  }
  return k_exit_ok;
}

int files_delete(const RemoteCommand& c) {
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  size_t n = s.store.objects->remove_prefix(l.bucket, l.files_prefix());
  log::info("Deleted {} object(s) under {}", n, s3(l, l.files_prefix()));
  return k_exit_ok;
}

// ----- secrets -------------------------------------------------------------

int secrets_push(const RemoteCommand& c) {
  auto s = open_remote(c, true);
  require_current_layout(s.layout, "secrets push");
  auto file = project::load_secrets(secrets_dir_of(c.settings), c.settings.stage);
  auto lines = remote::describe_secrets(s.layout, file, "SKIP PUSH");
  if (c.remote.dry_run) {
    std::printf("Secrets to be pushed to the remote parameter store:\n%s\n", util::join(lines, "\n").c_str());
    return k_exit_ok;
  }
  auto keys = remote::push_secrets(*s.store.params, s.layout, file, c.remote.allow_advanced, [&] {
    std::printf("Secrets to be pushed to the remote parameter store:\n%s\n", util::join(lines, "\n").c_str());
    return remote::confirm_on_stdin(c.remote.yes);
  });
  log::info("Uploaded [{}]", util::join(keys, ", "));
  return k_exit_ok;
}

int secrets_delete(const RemoteCommand& c) {
  auto s = open_remote(c, true);
  require_current_layout(s.layout, "secrets delete");
  auto file = project::load_secrets(secrets_dir_of(c.settings), c.settings.stage);
  std::vector<std::string> lines;
  for (const auto& sec : file.secrets) {
    lines.push_back(fmt::format("  - {} ({} level){}", sec.key,
                                sec.level == project::SecretLevel::task ? "task" : "resource group",
                                sec.push ? "" : " SKIP DELETE"));
  }
  auto keys = remote::delete_secrets(*s.store.params, s.layout, file, [&] {
    std::printf("Deleting the following keys to remote parameter store:\n%s\n", util::join(lines, "\n").c_str());
    return c.remote.dry_run ? false : remote::confirm_on_stdin(c.remote.yes);
  });
  log::info("Deleted [{}]", util::join(keys, ", "));
  return k_exit_ok;
}

int secrets_print(const RemoteCommand& c) {
  auto s = open_remote(c, false);
  require_current_layout(s.layout, "secrets print");
  auto file = remote::fetch_secrets(*s.store.params, s.layout);
  std::string out = file.secrets.empty() ? "secrets: []\n" : "secrets:\n";
  for (const auto& sec : file.secrets) {
    out += fmt::format("  - key: {}\n    level: {}\n    value: {}\n", sec.key,
                       sec.level == project::SecretLevel::task ? "task" : "resource group",
                       c.remote.reveal ? nlohmann::json(sec.value).dump() : "'****'");
  }
  std::fputs(out.c_str(), stdout);  // not through the logger: it would mask what --reveal shows
  return k_exit_ok;
}

// ----- artifacts -----------------------------------------------------------

int artifacts_push(const RemoteCommand& c) {
  require_workspace(c.settings);
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  fs::path ws = fs::absolute(c.settings.workspace).lexically_normal();
  remote::EtagCache cache(cache_file(ws));
  auto r = remote::push_artifacts(*s.store.objects, l, ws, transfer_options(c, &cache));
  if (c.remote.dry_run) return k_exit_ok;
  log::info("Artifacts to {}: {}; last/ updated ({} copied, {} stale deleted)",
            s3(l, l.archives_prefix() + r.timestamp + "/"), remote::summary(r.upload, "uploaded"), r.copied,
            r.deleted);
  return k_exit_ok;
}

int artifacts_get(const RemoteCommand& c) {
  require_workspace(c.settings);
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  fs::path ws = fs::absolute(c.settings.workspace).lexically_normal();
  remote::EtagCache cache(cache_file(ws));
  auto r = remote::get_artifacts(*s.store.objects, l, ws, transfer_options(c, &cache));
  if (!c.remote.dry_run) log::info("Artifacts from {}: {}", s3(l, l.last_prefix()), remote::summary(r, "downloaded"));
  remote::fail_on_refused(r, l.bucket, l.last_prefix());
  return k_exit_ok;
}

int artifacts_archive(const RemoteCommand& c) {
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  std::string ts = remote::archive_artifacts(*s.store.objects, l);
  log::info("Copied {} to {}", s3(l, l.last_prefix()), s3(l, l.archives_prefix() + ts + "/"));
  return k_exit_ok;
}

int artifacts_delete(const RemoteCommand& c) {
  auto s = open_remote(c, false);
  const auto& l = s.layout;
  size_t n = remote::delete_artifacts(*s.store.objects, l);
  log::info("Deleted {} object(s) under {}", n, s3(l, l.last_prefix()));
  return k_exit_ok;
}

}  // namespace handoff::job
