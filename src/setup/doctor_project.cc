// The project checks for `doctor -p`: load, validate and render it the way
// `run local` does before its first side effect (job::prepare writes
// nothing), and look at the stage's secrets file's permissions.
#include <sys/stat.h>

#include <fmt/format.h>

#include "job/job.h"
#include "project/secrets.h"
#include "setup/doctor.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace handoff::setup {
namespace {

// A multi-line error (the loader lists every problem) on one line.
std::string one_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::string out;
  for (char ch : text) {
    if (ch == '\n') {
      out += "; ";
    } else {
      out += ch;
    }
  }
  return out;
}

CheckResult check_secrets_file(const fs::path& project_dir, const std::string& stage) {
  CheckResult c{"secrets file", CheckStatus::ok, "", ""};
  fs::path dir = project_dir / ".secrets";
  fs::path file = project::secrets_file_path(dir, stage);
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    c.status = CheckStatus::warn;
    c.detail = fmt::format("{} not found: stage {} runs without local secrets", file.string(), stage);
    c.fix = fmt::format("create it (a YAML list of key/value entries) if the project uses secrets{}",
                        stage == "prod" ? "" : "; secrets.yml is read only with -s prod");
    return c;
  }
  if (st.st_mode & 077) {
    c.status = CheckStatus::fail;
    c.detail = fmt::format("{} is readable by others (mode {:o})", file.string(), st.st_mode & 0777);
    c.fix = fmt::format("chmod 600 {}", file.string());
    return c;
  }
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) == 0 && (dst.st_mode & 077)) {
    c.status = CheckStatus::warn;
    c.detail = fmt::format("{} is private (600) but its folder lists to others (mode {:o})", file.string(),
                           dst.st_mode & 0777);
    c.fix = fmt::format("chmod 700 {}", dir.string());
    return c;
  }
  c.detail = fmt::format("{} is private (600, folder 700)", file.string());
  return c;
}

}  // namespace

ProjectChecks check_project(const DoctorOptions& options) {
  ProjectChecks out;
  out.project = {"project", CheckStatus::ok, "", ""};
  job::Settings settings;
  settings.project_dir = options.project_dir;
  settings.stage = options.stage;
  settings.workspace = options.project_dir / "workspace";  // named, never written
  try {
    job::Prepared prepared = job::prepare(settings, false);
    const auto& p = prepared.project;
    out.has_installs = !p.installs.empty();
    if (p.deploy.is_object() && p.deploy.contains("cloud_provider") &&
        p.deploy["cloud_provider"].is_string()) {
      out.deploy_provider = p.deploy["cloud_provider"].get<std::string>();
    }
    out.project.detail = fmt::format("{} loads and renders: {} task(s), {} file(s), stage {}",
                                     (options.project_dir / "project.yml").string(), p.tasks.size(),
                                     prepared.files.size(), options.stage);
  } catch (const Error& e) {
    out.project.status = CheckStatus::fail;
    out.project.detail = one_line(e.what());
    out.project.fix =
        e.hint().empty() ? "fix project.yml at the place named, then run handoff doctor -p again" : e.hint();
  }
  out.secrets = check_secrets_file(options.project_dir, options.stage);
  return out;
}

}  // namespace handoff::setup
