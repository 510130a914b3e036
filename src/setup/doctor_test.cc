#include "setup/doctor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include <gtest/gtest.h>

#include "project/test_util.h"
#include "setup/probe.h"
#include "setup/scaffold.h"

namespace fs = std::filesystem;

namespace handoff::setup {
namespace {

using project::testing::TempDir;

// An environment with nothing of the developer's: empty shared files, no
// instance metadata, plus the given variables.
aws::Env env_of(const TempDir& tmp, std::map<std::string, std::string> vars) {
  vars["AWS_CONFIG_FILE"] = (tmp.path() / "aws-config").string();
  vars["AWS_SHARED_CREDENTIALS_FILE"] = (tmp.path() / "aws-credentials").string();
  vars["AWS_EC2_METADATA_DISABLED"] = "true";
  vars["HOME"] = tmp.path().string();
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Doctor, FormatsOneAlignedLinePerCheckWithTheFix) {
  std::vector<CheckResult> checks = {
      {"handoff", CheckStatus::ok, "handoff 1.0 (abc)", "ignored when ok"},
      {"aws region", CheckStatus::warn, "no region set", "export AWS_REGION"},
      {"project", CheckStatus::fail, "p/project.yml:3:5: tasks[0]: bad\np/project.yml:9:1: worse", "fix it"},
  };
  EXPECT_EQ(format_checks(checks),
            "ok    handoff     handoff 1.0 (abc)\n"
            "warn  aws region  no region set; fix: export AWS_REGION\n"
            "fail  project     p/project.yml:3:5: tasks[0]: bad p/project.yml:9:1: worse; fix: fix it\n");
}

TEST(Doctor, ExitCodeIsOneOnlyWhenACheckFailed) {
  EXPECT_EQ(doctor_exit_code({{"a", CheckStatus::ok, "", ""}, {"b", CheckStatus::warn, "", ""}}), 0);
  EXPECT_EQ(doctor_exit_code({{"a", CheckStatus::ok, "", ""}, {"b", CheckStatus::fail, "", ""}}), 1);
}

TEST(Doctor, MasksAccessKeyIds) {
  EXPECT_EQ(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
  EXPECT_EQ(mask_key_id("ASIA12345678"), "ASIA…5678");
  EXPECT_EQ(mask_key_id("testing"), "…");
  EXPECT_EQ(mask_key_id(""), "…");
}

TEST(Doctor, NoCredentialsWarnWithTheLocalStoreAndFailWithAws) {
  TempDir tmp;
  DoctorOptions o;
  o.timeout = 1;
  AwsChecks local = check_aws(o, "", env_of(tmp, {{"HO_STORE_DIR", (tmp.path() / "store").string()}}));
  EXPECT_EQ(local.credentials.status, CheckStatus::warn);
  EXPECT_NE(local.credentials.detail.find("no AWS credentials found"), std::string::npos)
      << local.credentials.detail;
  EXPECT_NE(local.credentials.detail.find("(not needed by the local store)"), std::string::npos);
  EXPECT_FALSE(local.credentials.fix.empty());
  EXPECT_EQ(local.region.status, CheckStatus::warn);
  EXPECT_EQ(local.region.fix, "export AWS_REGION (e.g. eu-west-1), or set region in ~/.aws/config");

  o.store = "aws";
  AwsChecks aws = check_aws(o, "", env_of(tmp, {}));
  EXPECT_EQ(aws.credentials.status, CheckStatus::fail);
  EXPECT_EQ(aws.region.status, CheckStatus::fail);
  EXPECT_EQ(aws.store.status, CheckStatus::fail);
  EXPECT_EQ(aws.store.detail, "AWS (--store aws) cannot be reached without credentials");

  // deploy.cloud_provider: aws picks AWS as the remote commands would.
  o.store.clear();
  EXPECT_EQ(check_aws(o, "aws", env_of(tmp, {})).credentials.status, CheckStatus::fail);
}

TEST(Doctor, EnvironmentCredentialsShowTheSourceAndAMaskedKeyNeverTheSecret) {
  TempDir tmp;
  DoctorOptions o;
  o.timeout = 1;
  AwsChecks c = check_aws(o, "",
                          env_of(tmp, {{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                                       {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
                                       {"AWS_REGION", "eu-west-1"}}));
  EXPECT_EQ(c.credentials.status, CheckStatus::ok);
  EXPECT_EQ(c.credentials.detail, "AKIA…MPLE from environment");
  EXPECT_EQ(c.region.status, CheckStatus::ok);
  EXPECT_EQ(c.region.detail, "eu-west-1 from AWS_REGION");
  std::string report = format_checks({c.credentials, c.region, c.store});
  EXPECT_EQ(report.find("wJalrXUtnFEMI"), std::string::npos) << report;
  EXPECT_EQ(report.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos) << report;
}

// A loopback port that accepts connections (the kernel's backlog) but never
// answers: only the stall timeout ends a request to it.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(Doctor, AnUnreachableAwsEndpointFailsWithinTheTimeout) {
  TempDir tmp;
  DoctorOptions o;
  o.store = "aws";
  o.timeout = 1;
  SilentServer silent;
  // Port 9 on loopback refuses at once (the connect timeout bounds a
  // connect that hangs); the silent server never answers, so libcurl's
  // stall check ends it, which takes a few seconds more than the timeout.
  for (auto [url, limit] : {std::pair{std::string("http://127.0.0.1:9"), 3.0},
                            std::pair{"http://127.0.0.1:" + std::to_string(silent.port()), 12.0}}) {
    auto t0 = std::chrono::steady_clock::now();
    AwsChecks c = check_aws(o, "",
                            env_of(tmp, {{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                                         {"AWS_SECRET_ACCESS_KEY", "secret-key-value-123"},
                                         {"AWS_REGION", "eu-west-1"},
                                         {"AWS_ENDPOINT_URL", url}}));
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(c.store.status, CheckStatus::fail) << url;
    EXPECT_NE(c.store.detail.find("GetCallerIdentity"), std::string::npos) << c.store.detail;
    EXPECT_NE(c.store.detail.find("cannot reach sts"), std::string::npos) << c.store.detail;
    EXPECT_LT(took, limit) << url;
  }
}

TEST(Doctor, SecretsFileMustBePrivate) {
  TempDir tmp;
  fs::path dir = tmp.path() / "p";
  write_scaffold(dir, false);
  DoctorOptions o;
  o.project_dir = dir;
  ProjectChecks ok = check_project(o);
  EXPECT_EQ(ok.project.status, CheckStatus::ok) << ok.project.detail;
  EXPECT_EQ(ok.project.detail,
            (dir / "project.yml").string() + " loads and renders: 2 task(s), 3 file(s), stage dev");
  EXPECT_EQ(ok.secrets.status, CheckStatus::ok) << ok.secrets.detail;

  fs::path secrets = dir / ".secrets" / "dev_secrets.yml";
  ::chmod(secrets.c_str(), 0644);
  ProjectChecks loose = check_project(o);
  EXPECT_EQ(loose.secrets.status, CheckStatus::fail);
  EXPECT_EQ(loose.secrets.detail, secrets.string() + " is readable by others (mode 644)");
  EXPECT_EQ(loose.secrets.fix, "chmod 600 " + secrets.string());

  o.stage = "prod";
  ProjectChecks prod = check_project(o);
  EXPECT_EQ(prod.secrets.status, CheckStatus::warn);
  EXPECT_NE(prod.secrets.detail.find("secrets.yml not found"), std::string::npos) << prod.secrets.detail;
}

TEST(Doctor, ABrokenProjectNamesFileAndLine) {
  TempDir tmp;
  tmp.write("p/project.yml", "tasks:\n  - name: a\n    pipeline: 3\n");
  DoctorOptions o;
  o.project_dir = tmp.path() / "p";
  ProjectChecks c = check_project(o);
  EXPECT_EQ(c.project.status, CheckStatus::fail);
  EXPECT_NE(c.project.detail.find("project.yml:3:"), std::string::npos) << c.project.detail;
  EXPECT_EQ(c.project.detail.find('\n'), std::string::npos);
}

TEST(Probe, CollectsOutputAndExitCode) {
  ProbeResult r = probe({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5);
  EXPECT_TRUE(r.started);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_EQ(first_line("\n  a \nb\n"), "a");
  EXPECT_EQ(last_line("a\n b \n\n"), "b");
  EXPECT_EQ(last_line(""), "");
}

TEST(Probe, KillsAProgramThatOutlivesTheTimeout) {
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = probe({"sh", "-c", "sleep 30 & sleep 30"}, 0.3);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_LT(took, 3.0);
}

TEST(Probe, AMissingProgramDoesNotStart) {
  ProbeResult r = probe({"handoff-no-such-program-xyz"}, 1);
  EXPECT_FALSE(r.started);
}

}  // namespace
}  // namespace handoff::setup
