// `handoff container build|run|push` (issue 5 point 1; spec §7.7, §9.3): our
// flags, with the original's `-v version= docker_file= files_dir= command=
// detach= interactive= ports= platform=` accepted beside them.
#include "cli/container_commands.h"

#include "container/commands.h"

namespace handoff::cli {

namespace {

// Every verb binds the same value: only one command runs per invocation.
container::CommandOptions& flags() {
  static container::CommandOptions f;
  return f;
}

void add_shared(CLI::App* cmd, Options& o) {
  container::CommandOptions& f = flags();
  add_project(cmd, o, true);
  add_common(cmd, o);
  cmd->add_flag("-y,--yes", f.yes, "do not ask for confirmation");
  cmd->add_option("--image-version", f.version, "image version (also -v version=)")->type_name("TAG");
}

container::CommandOptions& collect(Options& o) {
  configure(o);
  container::CommandOptions& f = flags();
  f.project_dir = o.job.project_dir;
  f.stage = o.job.stage;
  f.envs = o.job.envs;
  f.vars = o.job.vars;
  return f;
}

}  // namespace

void add_container_commands(CLI::App& app, Options& o, int* exit_code) {
  container::CommandOptions& f = flags();
  auto* group = app.add_subcommand("container", "build, run and push the project's Docker image");
  group->require_subcommand(1);

  auto* build = group->add_subcommand(
      "build", "build IMAGE:VERSION: handoff from source, the project's workspace installed, no secrets");
  add_shared(build, o);
  build->footer(
      "The version defaults to the newest local tag incremented (none: 0.1). The build context "
      "never holds .secrets/ or a file whose name contains .secret.");
  build->add_option("--docker-file", f.docker_file,
                    "a Dockerfile of yours (also -v docker_file=, or container.docker_file in project.yml)");
  build->add_option("--files-dir", f.files_dir,
                    "a directory copied into the build context under its base name (also -v files_dir=)");
  build->add_option("--handoff-src", f.handoff_src,
                    "handoff's source tree to build into the image (default: $HANDOFF_SRC, else the tree "
                    "this binary was built from)");
  build->add_flag("--no-cache", f.no_cache, "docker build --no-cache");
  build->callback([&o, exit_code] { *exit_code = container::build(collect(o)); });

  auto* run = group->add_subcommand(
      "run", "run IMAGE:VERSION locally as Fargate would (AWS keys via docker's environment, never argv)");
  add_shared(run, o);
  run->footer(
      "The version defaults to the newest local tag. The container gets HO_RESOURCE_GROUP, HO_TASK "
      "(naked), HO_BUCKET, HO_STORE=aws, HO_STAGE, AWS_REGION and -e values as --env NAME=VALUE; "
      "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN as --env NAME, their values "
      "in docker's own environment only.");
  run->add_option("--bucket", f.bucket, "bucket (default: $HO_BUCKET, then deploy.bucket, then derived)");
  run->add_option("--command", f.command, "COMMAND in the container instead of run (also -v command=)");
  run->add_flag("--detach", f.detach, "start it in the background and print its id (also -v detach=true)");
  run->add_flag("--interactive", f.interactive, "attach a terminal (also -v interactive=true)");
  run->add_option("--platform", f.platform, "docker run --platform (also -v platform=)");
  run->add_option("--publish", f.publish,
                  "HOST:CONTAINER port (repeatable; also -v ports='{\"CONTAINER\": HOST}')");
  run->callback([&o, exit_code] { *exit_code = container::run(collect(o)); });

  auto* push =
      group->add_subcommand("push", "push IMAGE:VERSION to ECR, creating the repository when missing");
  add_shared(push, o);
  push->footer(
      "The version defaults to the newest local tag. The repository is created with immutable tags; "
      "a version already there is refused. docker login gets the password on stdin.");
  push->callback([&o, exit_code] { *exit_code = container::push(collect(o)); });
}

}  // namespace handoff::cli
