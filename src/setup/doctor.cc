// The doctor's driver: the checks in the order a new user meets them
// (handoff itself, python for installs, AWS, the store, docker, then the
// project), and the one-line-per-check report.
#include "setup/doctor.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "util/redact.h"

namespace handoff::setup {

std::vector<CheckResult> run_doctor(const DoctorOptions& options) {
  // The project first (it decides whether python is needed and which store
  // a remote command would pick), printed last.
  std::optional<ProjectChecks> project;
  if (!options.project_dir.empty()) project = check_project(options);
  bool needs_python = project && project->has_installs;

  std::vector<CheckResult> out;
  out.push_back(check_version());
  out.push_back(check_python(needs_python, options.timeout));
  out.push_back(check_venv(needs_python, options.timeout));
  AwsChecks aws = check_aws(options, project ? project->deploy_provider : "", aws::process_env());
  out.push_back(aws.credentials);
  out.push_back(aws.region);
  out.push_back(aws.store);
  out.push_back(check_docker(options.timeout));
  if (project) {
    out.push_back(project->project);
    out.push_back(project->secrets);
  }
  return out;
}

std::string format_checks(const std::vector<CheckResult>& checks) {
  size_t width = 0;
  for (const auto& c : checks) width = std::max(width, c.name.size());
  std::string out;
  for (const auto& c : checks) {
    const char* status = c.status == CheckStatus::ok ? "ok" : c.status == CheckStatus::warn ? "warn" : "fail";
    std::string line = fmt::format("{:<5} {:<{}}  {}", status, c.name, width, c.detail);
    if (c.status != CheckStatus::ok && !c.fix.empty()) line += "; fix: " + c.fix;
    // A check quotes what other code said (an AWS error, a loader message):
    // mask it like every log line, and keep it to one line.
    line = util::redactor().mask(line);
    std::replace(line.begin(), line.end(), '\n', ' ');
    out += line + "\n";
  }
  return out;
}

int doctor_exit_code(const std::vector<CheckResult>& checks) {
  bool failed = std::any_of(checks.begin(), checks.end(),
                            [](const CheckResult& c) { return c.status == CheckStatus::fail; });
  return failed ? 1 : 0;
}

std::string mask_key_id(std::string_view key_id) {
  if (key_id.size() < 12) return "…";
  return fmt::format("{}…{}", key_id.substr(0, 4), key_id.substr(key_id.size() - 4));
}

}  // namespace handoff::setup
