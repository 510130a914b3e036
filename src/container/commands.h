#pragma once
// `handoff container build|run|push` (issue 5 point 1; spec §7.7, §9.3): the
// steps of each, with the docker CLI (docker.h) and ECR (aws/ecr.h). Every
// local check (project, image name, version, files) comes before the first
// docker or AWS call; each returns handoff's exit code or throws handoff::Error.
#include <filesystem>
#include <string>
#include <vector>

namespace handoff::container {

/// The command line. Our flags beat the original's -v forms (version=,
/// docker_file=, files_dir=, command=, detach=, interactive=, ports=,
/// platform=), which beat project.yml (container.docker_file, files_dir).
struct CommandOptions {
  std::filesystem::path project_dir;  ///< -p (required)
  std::string stage = "dev";          ///< -s
  std::vector<std::string> envs;      ///< -e tokens
  std::vector<std::string> vars;      ///< -v tokens
  std::string version;                ///< --image-version
  std::string docker_file;            ///< --docker-file
  std::string files_dir;              ///< --files-dir
  std::string handoff_src;            ///< --handoff-src
  std::string bucket;                 ///< --bucket
  std::string command;                ///< run: --command (COMMAND in the container)
  std::string platform;               ///< run: --platform
  std::vector<std::string> publish;   ///< run: --publish HOST:CONTAINER
  bool detach = false;                ///< run: --detach
  bool interactive = false;           ///< run: --interactive
  bool no_cache = false;              ///< build: --no-cache
  bool yes = false;                   ///< -y
};

/// Build <image>:<version> from our Dockerfile (or the project's); the
/// version defaults to the newest local tag incremented (none: 0.1). The
/// reference goes to stdout.
int build(const CommandOptions& o);

/// Run <image>:<version> (default: the newest local tag) with the remote
/// names, HO_STORE=aws, HO_STAGE, AWS_REGION and -e values as `--env NAME=VALUE`
/// and the AWS credentials as `--env NAME` taken from docker's environment,
/// never on its command line. The container is removed when it ends.
int run(const CommandOptions& o);

/// Create the ECR repository when missing, refuse a version already there,
/// tag, `docker login` with the password on stdin, push. The pushed reference
/// goes to stdout.
int push(const CommandOptions& o);

}  // namespace handoff::container
