#include "container/docker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "project/test_util.h"
#include "util/error.h"
#include "util/fs.h"

namespace handoff::container {
namespace {

namespace fs = std::filesystem;
using project::testing::TempDir;

TEST(DockerArgv, Build) {
  EXPECT_EQ(build_argv("etl:0.2", "/tmp/ctx", {}, false),
            (Argv{"build", "--tag", "etl:0.2", "--file", "/tmp/ctx/Dockerfile", "/tmp/ctx"}));
  EXPECT_EQ(build_argv("etl:0.2", "/tmp/ctx", {{"HO_INSTALL", "0"}}, true),
            (Argv{"build", "--tag", "etl:0.2", "--file", "/tmp/ctx/Dockerfile", "--build-arg", "HO_INSTALL=0",
                  "--no-cache", "/tmp/ctx"}));
}

TEST(DockerArgv, RunPassesValuesButOnlyNamesOfCredentials) {
  RunSpec spec;
  spec.image_ref = "etl:0.2";
  spec.env = {{"HO_TASK", "etl"}, {"__VARS", "d=$(date -I)"}};
  spec.inherited_env = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"};
  EXPECT_EQ(run_args(spec),
            (Argv{"run", "--rm", "--env", "HO_TASK=etl", "--env", "__VARS=d=$(date -I)", "--env",
                  "AWS_ACCESS_KEY_ID", "--env", "AWS_SECRET_ACCESS_KEY", "etl:0.2"}));
  spec.env.clear();
  spec.inherited_env.clear();
  spec.detach = true;
  spec.interactive = true;
  spec.platform = "linux/x86_64";
  spec.ports = {{"22", "2222"}};
  EXPECT_EQ(run_args(spec), (Argv{"run", "--rm", "--detach", "--interactive", "--tty", "--platform",
                                  "linux/x86_64", "--publish", "2222:22", "etl:0.2"}));
}

TEST(DockerArgv, TagLoginPush) {
  EXPECT_EQ(tag_args("etl:0.2", "1.dkr.ecr.r.amazonaws.com/etl:0.2"),
            (Argv{"tag", "etl:0.2", "1.dkr.ecr.r.amazonaws.com/etl:0.2"}));
  EXPECT_EQ(login_args("1.dkr.ecr.r.amazonaws.com"),
            (Argv{"login", "--username", "AWS", "--password-stdin", "1.dkr.ecr.r.amazonaws.com"}));
  EXPECT_EQ(push_args("r/etl:0.2"), (Argv{"push", "r/etl:0.2"}));
}

TEST(OutputTail, KeepsTheLastLines) {
  EXPECT_EQ(output_tail("a\nb\nc\n", 5), "a\nb\nc");
  EXPECT_EQ(output_tail("a\nb\nc\nd\n", 2), "…\nc\nd");
  EXPECT_EQ(output_tail("", 2), "");
}

// A recording stand-in for docker: argv and stdin to files, exit code from
// $FAKE_EXIT, and what it prints from $FAKE_SAY.
struct FakeDocker {
  TempDir tmp;
  fs::path exe = tmp.path() / "docker";
  FakeDocker() {
    tmp.write("docker",
              "#!/bin/sh\n"
              "d=$(dirname \"$0\")\n"
              "printf '%s\\n' \"$@\" > \"$d/argv\"\n"
              "cat > \"$d/stdin\"\n"
              "printf '%s\\n' \"${SECRET_FOR_TEST:-}\" > \"$d/env\"\n"
              "[ -n \"${FAKE_SAY:-}\" ] && printf '%s\\n' \"$FAKE_SAY\"\n"
              "exit \"${FAKE_EXIT:-0}\"\n");
    fs::permissions(exe, fs::perms::owner_all);
  }
  std::string read(const char* name) const { return util::read_file(tmp.path() / name); }
};

TEST(Docker, RunsWithArgvStdinAndEnvironmentNeverAShell) {
  FakeDocker f;
  Docker docker(f.exe.string());
  DockerCall call{{"login", "--password-stdin", "a b;$(x)"},
                  "docker login",
                  "pw-on-stdin",
                  false,
                  false,
                  {"SECRET_FOR_TEST=from-env", "FAKE_SAY=Login Succeeded"}};
  DockerResult r = docker.check(call);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "Login Succeeded\n");
  EXPECT_EQ(f.read("argv"), "login\n--password-stdin\na b;$(x)\n");
  EXPECT_EQ(f.read("stdin"), "pw-on-stdin");
  EXPECT_EQ(f.read("env"), "from-env\n");
}

TEST(Docker, FailureNamesTheCallTheCodeAndTheOutput) {
  FakeDocker f;
  Docker docker(f.exe.string());
  DockerCall call{{"push", "x"}, "docker push", {},
                  false,         false,         {"FAKE_EXIT=3", "FAKE_SAY=denied: not authorized"}};
  try {
    docker.check(call);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "docker push failed with exit code 3:\ndenied: not authorized");
    EXPECT_EQ(e.exit_code(), k_exit_failure);
  }
}

TEST(Docker, NoEngineIsOneLineWithAHint) {
  FakeDocker f;
  Docker docker(f.exe.string());
  ::setenv("FAKE_EXIT", "1", 1);
  ::setenv(
      "FAKE_SAY",
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", 1);
  try {
    docker.require_engine();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "no Docker engine answers: Cannot connect to the Docker daemon at "
                 "unix:///var/run/docker.sock. Is the docker daemon running?");
    EXPECT_NE(e.hint().find("start the Docker daemon"), std::string::npos);
  }
  ::unsetenv("FAKE_EXIT");
  ::unsetenv("FAKE_SAY");
  EXPECT_EQ(f.read("argv"), "version\n--format\n{{.Server.Version}}\n");
}

TEST(Docker, MissingProgramIsAnError) {
  Docker docker("handoff-no-such-docker-binary");
  try {
    docker.run({{"version"}, "docker version", {}, false, false, {}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("command not found"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace handoff::container
