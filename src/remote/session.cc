#include "remote/session.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "project/context.h"
#include "project/load.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::remote {

namespace {

std::string deploy_string(const project::Project& p, const char* key) {
  if (!p.deploy.is_object() || !p.deploy.contains(key)) return "";
  const auto& v = p.deploy[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string prefix_of(const std::string& stage) { return stage == "prod" ? "" : stage + "-"; }

}  // namespace

Session open_session(const RemoteOptions& o, bool need_project, const GetEnv& env) {
  Session s;
  if (!o.project_dir.empty()) {
    s.project = project::load_project(o.project_dir);
  } else if (need_project) {
    throw UsageError("no project directory given", "pass -p PROJECT_DIR (the folder with project.yml)");
  }
  // Names: -e beats the project's deploy section, which beats the environment.
  LayoutInputs in;
  in.stack_name = env("STACK_NAME").value_or("");
  in.seed_bucket = env("S3_BUCKET_NAME").value_or("");
  in.bucket_flag = o.bucket;
  in.bucket_env = env("HO_BUCKET").value_or("");
  in.resource_group = env("HO_RESOURCE_GROUP").value_or("");  // as a container gets it: prefixed
  in.task = env("HO_TASK").value_or("");                      // naked (§6.8)
  if (s.project) {
    std::string rg = deploy_string(*s.project, "resource_group");
    std::string task = deploy_string(*s.project, "task");
    if (!rg.empty()) in.resource_group = prefix_of(o.stage) + rg;
    if (!task.empty()) in.task = task;
    in.deploy_bucket = deploy_string(*s.project, "bucket");
  }
  for (const auto& [k, v] : project::parse_assignments(o.envs, "-e")) {
    std::string key = util::to_lower(k);
    if (key == "resource_group") in.resource_group = prefix_of(o.stage) + v;
    if (key == "task") in.task = v;
    if (key == "bucket" || key == "ho_bucket") in.bucket_env = v;
  }
  auto choice = choose_store(o.store, o.cloud_provider,
                             s.project ? deploy_string(*s.project, "cloud_provider") : "", env);
  s.store = open_store(choice);
  in.derive_bucket = s.store.derive_bucket;
  s.layout = resolve_layout(in);
  log::info("Remote names: {}", s.layout.describe());
  return s;
}

bool confirm_on_stdin(bool yes) { return ask_on_stdin("Proceed? (y/N) ", yes); }

bool ask_on_stdin(const std::string& question, bool yes) {
  if (yes) return true;
  std::fflush(stdout);
  std::fputs(question.c_str(), stderr);
  std::fflush(stderr);
  std::string line;
  if (!std::getline(std::cin, line)) {
    std::fputs("\n", stderr);
    return false;
  }
  // A terminal echoes the user's Enter; piped answers (`yes |`) need the newline.
  if (!::isatty(0)) std::fputs("\n", stderr);
  std::string answer = util::to_lower(util::trim(line));
  return answer == "y" || answer == "yes";
}

}  // namespace handoff::remote
