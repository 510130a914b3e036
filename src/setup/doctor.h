#pragma once
// `handoff doctor` (issue 7 point 4): check what handoff needs from the
// machine and say what to fix, one line per check. Checks never print a
// secret: credentials show their source and a masked access key id.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "aws/shared_config.h"

namespace handoff::setup {

enum class CheckStatus { ok, warn, fail };

struct CheckResult {
  std::string name;  ///< "python3", "aws credentials", …
  CheckStatus status = CheckStatus::ok;
  std::string detail;  ///< what was found (one line)
  std::string fix;     ///< what to do; empty when ok
};

struct DoctorOptions {
  std::filesystem::path project_dir;  ///< -p; empty: no project checks
  std::string stage = "dev";          ///< -s (which secrets file)
  std::string store;                  ///< --store (local | aws); empty: as remote commands choose
  std::string bucket;                 ///< --bucket, else $HO_BUCKET: HeadBucket with --store aws
  double timeout = 3;                 ///< seconds, for each network or program probe
};

/// Run every check, in the order they are printed.
std::vector<CheckResult> run_doctor(const DoctorOptions& options);

/// One line per check: "ok    python3           Python 3.11.2 (/usr/bin/python3)",
/// with "; fix: …" after a warn or fail.
std::string format_checks(const std::vector<CheckResult>& checks);

/// 0 when no check failed (warnings allowed), 1 otherwise.
int doctor_exit_code(const std::vector<CheckResult>& checks);

/// An access key id for display: "AKIA…WXYZ" (first and last four) when it
/// has 12 characters or more, else "…" alone.
std::string mask_key_id(std::string_view key_id);

// ----- the checks (doctor_tools.cc, doctor_aws.cc, doctor_project.cc) --------

CheckResult check_version();
/// python3 on PATH; needed (fail) when the project has installs, else warn.
CheckResult check_python(bool needed, double timeout);
/// `python3 -m venv` works (a venv without pip in a temp dir) and ensurepip has pip.
CheckResult check_venv(bool needed, double timeout);
/// The docker client and an engine (`docker version`); absent is a warning.
CheckResult check_docker(double timeout);

/// Credentials, region and the store, which is chosen as the remote commands
/// choose it (--store, HO_STORE, deploy.cloud_provider, …). With the local
/// store, missing AWS credentials or region are warnings; with AWS, failures.
struct AwsChecks {
  CheckResult credentials;
  CheckResult region;
  CheckResult store;
};
AwsChecks check_aws(const DoctorOptions& options, const std::string& deploy_provider, const aws::Env& env);

struct ProjectChecks {
  CheckResult project;
  CheckResult secrets;
  bool has_installs = false;
  std::string deploy_provider;  ///< deploy.cloud_provider, may be empty
};
/// The project loads, validates and renders (job::prepare); the stage's
/// secrets file exists with private permissions (0600, its folder 0700).
ProjectChecks check_project(const DoctorOptions& options);

}  // namespace handoff::setup
