#pragma once
// The remote commands (issue 4): config, files, secrets and artifacts against
// the chosen store, the remote run and the install from a stored config. Each
// returns handoff's exit code, or throws handoff::Error; what a command exists
// to print goes to stdout, progress and summaries to the log (stderr).
#include "job/job.h"
#include "remote/session.h"

namespace handoff::job {

struct RemoteCommand {
  Settings settings;               ///< -p, -w, -s, -v, -e, -d, run options
  remote::RemoteOptions remote;    ///< --store, --bucket, --jobs, -y, -t, …
  bool push_artifacts = false;     ///< run -a
};

int config_push(const RemoteCommand& c);
int config_print(const RemoteCommand& c);
int config_delete(const RemoteCommand& c);

int files_push(const RemoteCommand& c);
int files_get(const RemoteCommand& c);
int files_delete(const RemoteCommand& c);

int secrets_push(const RemoteCommand& c);
int secrets_print(const RemoteCommand& c);
int secrets_delete(const RemoteCommand& c);

int artifacts_push(const RemoteCommand& c);
int artifacts_get(const RemoteCommand& c);
int artifacts_archive(const RemoteCommand& c);
int artifacts_delete(const RemoteCommand& c);

/// `run -w`: fetch the stored project (config, secrets, files, artifacts/last)
/// into the workspace, run it, with -a push the artifacts (also when the run
/// failed, unless deploy.push_artifacts_on_fail is false); the run's exit code.
int run_remote(const RemoteCommand& c);
/// `install -w` without -p: the stored project's installs.
int install_remote(const RemoteCommand& c);

/// The session for a command: remote options plus -p, -s, -e from settings.
remote::Session open_remote(const RemoteCommand& c, bool need_project);

}  // namespace handoff::job
