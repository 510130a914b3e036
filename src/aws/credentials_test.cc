// Tests of the credential chain, the shared config files, region and endpoint
// resolution. Each test gets its own HOME in a temp dir and a fake environment;
// STS and HTTP are fakes at the seams (the real ones go over libcurl).
#include "aws/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "aws/ini.h"
#include "aws/shared_config.h"
#include "util/error.h"
#include "util/redact.h"

namespace handoff::aws {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

class CredentialsTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "handoff_aws_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    home_ = fs::canonical(pattern);
    vars_["HOME"] = home_.string();
    vars_["AWS_EC2_METADATA_DISABLED"] = "true";  // opt back in per test
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  void write(const fs::path& rel, const std::string& text,
             fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
    fs::path p = home_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    fs::permissions(p, perms);
  }

  Env env() const {
    return [vars = vars_](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }

  CredentialSources sources() const {
    CredentialSources s;
    s.env = env();
    s.now = [] { return system_clock::time_point(std::chrono::seconds(1'800'000'000)); };
    return s;
  }

  // Run the chain and return the error's message and hint.
  std::pair<std::string, std::string> error_of(const CredentialSources& s) {
    try {
      ResolvedCredentials r = resolve_credentials(s);
      ADD_FAILURE() << "resolved from " << r.source;
    } catch (const Error& e) {
      return {e.what(), e.hint()};
    }
    return {};
  }

  fs::path home_;
  std::map<std::string, std::string> vars_;
};

// ---- 1. environment -------------------------------------------------------

TEST_F(CredentialsTest, EnvironmentComesFirstAndIsRedacted) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envSecretKey0123456789";
  vars_["AWS_SESSION_TOKEN"] = "envSessionToken0123456789";
  write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n");
  ResolvedCredentials r = resolve_credentials(sources());
  EXPECT_EQ(r.source, "environment");
  EXPECT_EQ(r.credentials.access_key_id, "AKIAENV");
  EXPECT_EQ(r.credentials.secret_access_key, "envSecretKey0123456789");
  EXPECT_EQ(r.credentials.session_token, "envSessionToken0123456789");
  EXPECT_FALSE(r.credentials.expiration);
  EXPECT_EQ(util::redactor().mask("k=envSecretKey0123456789 t=envSessionToken0123456789"),
            "k=**** t=****");
}

TEST_F(CredentialsTest, EnvironmentKeyWithoutSecretIsAnError) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  auto [msg, hint] = error_of(sources());
  EXPECT_EQ(msg, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  EXPECT_EQ(hint, "set both, or unset both to use a profile");
}

TEST_F(CredentialsTest, EnvironmentExpiration) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envSecretKeyExp";
  vars_["AWS_CREDENTIAL_EXPIRATION"] = "2027-01-02T03:04:05Z";
  ResolvedCredentials r = resolve_credentials(sources());
  ASSERT_TRUE(r.credentials.expiration);
  EXPECT_EQ(*r.credentials.expiration, parse_aws_time("2027-01-02T03:04:05+00:00"));
}

// ---- 2. profiles ----------------------------------------------------------

TEST_F(CredentialsTest, DefaultProfileFromCredentialsFile) {
  write(".aws/credentials",
        "# comment\n; another\n[default]\naws_access_key_id = AKIADEFAULT\r\n"
        "aws_secret_access_key=defaultSecret\naws_session_token = defaultToken\n");
  ResolvedCredentials r = resolve_credentials(sources());
  EXPECT_EQ(r.source, "profile 'default' in ~/.aws/credentials");
  EXPECT_EQ(r.credentials.access_key_id, "AKIADEFAULT");
  EXPECT_EQ(r.credentials.secret_access_key, "defaultSecret");
  EXPECT_EQ(r.credentials.session_token, "defaultToken");
}

TEST_F(CredentialsTest, NamedProfileFromConfigFileAndCustomPaths) {
  vars_["AWS_PROFILE"] = "dev";
  vars_["AWS_CONFIG_FILE"] = (home_ / "elsewhere/cfg").string();
  vars_["AWS_SHARED_CREDENTIALS_FILE"] = "~/elsewhere/creds";
  write(".aws/credentials", "[dev]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n");
  write("elsewhere/creds", "[other]\naws_access_key_id = X\naws_secret_access_key = Y\n");
  write("elsewhere/cfg",
        "[default]\nregion = us-east-1\n"
        "[profile dev]\nregion = eu-central-1\naws_access_key_id = AKIADEV\n"
        "aws_secret_access_key = devSecret\ns3 =\n  addressing_style = path\n"
        "endpoint_url = http://127.0.0.1:5000\n[sso-session x]\nsso_region = a\n");
  ResolvedCredentials r = resolve_credentials(sources());
  EXPECT_EQ(r.source, "profile 'dev' in ~/elsewhere/cfg");
  EXPECT_EQ(r.credentials.access_key_id, "AKIADEV");

  SharedConfig cfg = load_shared_config(env());
  EXPECT_EQ(cfg.profile_names(), (std::vector<std::string>{"default", "dev", "other"}));
  std::optional<Resolved> region = resolve_region(env(), cfg);
  ASSERT_TRUE(region);
  EXPECT_EQ(region->value, "eu-central-1");
  EXPECT_EQ(region->source, "profile 'dev' in ~/elsewhere/cfg");
  // The nested `s3 =` block is skipped; the key after it is read.
  std::optional<Resolved> ep = resolve_endpoint("s3", env(), cfg);
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->value, "http://127.0.0.1:5000");
  EXPECT_EQ(cfg.find("dev")->find("addressing_style"), nullptr);
}

TEST_F(CredentialsTest, CredentialsFileWinsOverConfigFile) {
  write(".aws/config",
        "[profile default]\naws_access_key_id = CFG\naws_secret_access_key = cfgSecret\n");
  write(".aws/credentials",
        "[default]\naws_access_key_id = CRED\naws_secret_access_key = credSecret\n");
  ResolvedCredentials r = resolve_credentials(sources());
  EXPECT_EQ(r.credentials.access_key_id, "CRED");
  EXPECT_EQ(r.source, "profile 'default' in ~/.aws/credentials");
}

TEST_F(CredentialsTest, MissingNamedProfileSuggestsASpelling) {
  vars_["AWS_PROFILE"] = "deplyo";
  write(".aws/config", "[profile deploy]\nregion = eu-west-1\n");
  auto [msg, hint] = error_of(sources());
  EXPECT_EQ(msg, "AWS profile 'deplyo' not found in ~/.aws/credentials or ~/.aws/config");
  EXPECT_EQ(hint, "did you mean 'deploy'?");
}

TEST_F(CredentialsTest, ProfileWithHalfAKeyIsAnError) {
  write(".aws/credentials", "[default]\naws_access_key_id = AKIAHALF\n");
  auto [msg, hint] = error_of(sources());
  EXPECT_EQ(
      msg,
      "profile 'default' in ~/.aws/credentials has aws_access_key_id but no aws_secret_access_key");
}

TEST_F(CredentialsTest, IniErrorNamesLineButNotItsContent) {
  write(".aws/credentials",
        "[default]\naws_access_key_id = AKIA\nwJalrXUtnFEMIsecretWithoutEquals\n");
  auto [msg, hint] = error_of(sources());
  EXPECT_EQ(msg, "~/.aws/credentials:3: expected 'key = value' or '[section]'");
  EXPECT_EQ(msg.find("wJalr"), std::string::npos);
}

TEST(Ini, ParsesSectionsKeysAndComments) {
  IniFile f = parse_ini("[a]\nK1 = v 1 \n#c\n[ b ]\nk2: x=y\nnested =\n  inner = 1\nk3 = z\n", "t");
  EXPECT_EQ(f.sections.at("a").values.at("k1"), "v 1");
  EXPECT_EQ(f.sections.at("b").values.at("k2"), "x=y");
  EXPECT_EQ(f.sections.at("b").values.at("nested"), "");
  EXPECT_EQ(f.sections.at("b").values.count("inner"), 0u);
  EXPECT_EQ(f.sections.at("b").values.at("k3"), "z");
  EXPECT_THROW(parse_ini("k = v\n", "t"), Error);
  EXPECT_THROW(parse_ini("[a\n", "t"), Error);
}

// ---- 2a. assume role --------------------------------------------------------

struct FakeSts {
  std::vector<std::pair<AssumeRoleRequest, Credentials>> calls;
  AssumeRoleFn fn() {
    return [this](const AssumeRoleRequest& req, const Credentials& source) {
      calls.emplace_back(req, source);
      Credentials c;
      c.access_key_id = "ASIA" + std::to_string(calls.size());
      c.secret_access_key = "assumedSecret" + std::to_string(calls.size());
      c.session_token = "assumedToken" + std::to_string(calls.size());
      c.expiration = system_clock::time_point(std::chrono::seconds(1'800'003'600));
      return c;
    };
  }
};

TEST_F(CredentialsTest, AssumeRoleWithSourceProfileAndExternalId) {
  vars_["AWS_PROFILE"] = "deploy";
  write(".aws/credentials",
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = baseSecret\n");
  write(
      ".aws/config",
      "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n"
      "external_id = ext-42\nrole_session_name = ci-run\nduration_seconds = 1800\nregion = "
      "eu-west-1\n");
  FakeSts sts;
  CredentialSources s = sources();
  s.assume_role = sts.fn();
  ResolvedCredentials r = resolve_credentials(s);
  ASSERT_EQ(sts.calls.size(), 1u);
  const AssumeRoleRequest& req = sts.calls[0].first;
  EXPECT_EQ(req.role_arn, "arn:aws:iam::123456789012:role/deploy");
  EXPECT_EQ(req.external_id, "ext-42");
  EXPECT_EQ(req.role_session_name, "ci-run");
  EXPECT_EQ(req.duration_seconds, 1800);
  EXPECT_EQ(req.region, "eu-west-1");
  EXPECT_EQ(sts.calls[0].second.access_key_id, "AKIABASE");
  EXPECT_EQ(sts.calls[0].second.secret_access_key, "baseSecret");
  EXPECT_EQ(r.credentials.access_key_id, "ASIA1");
  EXPECT_TRUE(r.credentials.expiration);
  EXPECT_EQ(r.source,
            "role arn:aws:iam::123456789012:role/deploy (profile 'deploy' in ~/.aws/config) "
            "from profile 'base' in ~/.aws/credentials");
  EXPECT_EQ(util::redactor().mask("assumedSecret1 assumedToken1"), "**** ****");
}

TEST(AssumeRole, FormBody) {
  AssumeRoleRequest req;
  req.role_arn = "arn:aws:iam::123456789012:role/deploy";
  req.role_session_name = "ci run";
  EXPECT_EQ(assume_role_form_body(req),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%"
            "2Fdeploy"
            "&RoleSessionName=ci%20run");
  req.external_id = "ext+1";
  req.duration_seconds = 900;
  EXPECT_TRUE(assume_role_form_body(req).ends_with("&ExternalId=ext%2B1&DurationSeconds=900"));
}

TEST_F(CredentialsTest, ChainedRolesAndDefaultSessionName) {
  vars_["AWS_PROFILE"] = "outer";
  write(".aws/credentials",
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = baseSecret\n");
  write(".aws/config",
        "[profile inner]\nrole_arn = arn:aws:iam::1:role/inner\nsource_profile = base\n"
        "[profile outer]\nrole_arn = arn:aws:iam::2:role/outer\nsource_profile = inner\n");
  FakeSts sts;
  CredentialSources s = sources();
  s.assume_role = sts.fn();
  ResolvedCredentials r = resolve_credentials(s);
  ASSERT_EQ(sts.calls.size(), 2u);
  EXPECT_EQ(sts.calls[0].first.role_arn, "arn:aws:iam::1:role/inner");
  EXPECT_EQ(sts.calls[0].second.access_key_id, "AKIABASE");
  EXPECT_EQ(sts.calls[1].first.role_arn, "arn:aws:iam::2:role/outer");
  EXPECT_EQ(sts.calls[1].second.access_key_id, "ASIA1");
  EXPECT_EQ(sts.calls[1].first.role_session_name, "handoff-1800000000");
  EXPECT_FALSE(sts.calls[1].first.duration_seconds);
  EXPECT_EQ(r.credentials.access_key_id, "ASIA2");
}

TEST_F(CredentialsTest, RoleProfileErrors) {
  vars_["AWS_PROFILE"] = "a";
  FakeSts sts;
  CredentialSources s = sources();
  s.assume_role = sts.fn();

  write(".aws/config",
        "[profile a]\nrole_arn = arn:r:a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:r:b\nsource_profile = a\n");
  EXPECT_EQ(error_of(s).first,
            "profile 'b' in ~/.aws/config: source_profile 'a' leads back to itself (a -> b -> a)");

  write(".aws/config", "[profile a]\nrole_arn = arn:r:a\nsource_profile = nope\n");
  EXPECT_EQ(error_of(s).first,
            "profile 'a' in ~/.aws/config: source_profile 'nope' does not exist");

  write(".aws/config", "[profile a]\nrole_arn = arn:r:a\n");
  EXPECT_EQ(error_of(s).first,
            "profile 'a' in ~/.aws/config has role_arn and needs exactly one of source_profile or "
            "credential_source");

  write(".aws/config",
        "[profile a]\nrole_arn = arn:r:a\nsource_profile = a\nmfa_serial = arn:mfa\n");
  EXPECT_EQ(
      error_of(s).first,
      "profile 'a' in ~/.aws/config needs an MFA code (mfa_serial), which handoff cannot ask for");

  write(".aws/config",
        "[profile a]\nrole_arn = arn:r:a\nsource_profile = a\nduration_seconds = 10\n"
        "aws_access_key_id = K\naws_secret_access_key = S\n");
  EXPECT_EQ(error_of(s).first,
            "profile 'a' in ~/.aws/config: duration_seconds '10' is not a number of seconds from "
            "900 to 43200");

  write(".aws/config",
        "[profile a]\nrole_arn = arn:r:a\nsource_profile = a\n"
        "aws_access_key_id = K\naws_secret_access_key = S\n");
  CredentialSources no_sts = sources();
  EXPECT_EQ(error_of(no_sts).first,
            "profile 'a' in ~/.aws/config assumes a role, but STS is not available here");
  EXPECT_TRUE(sts.calls.empty());

  // A profile may use its own keys to assume its role.
  ResolvedCredentials r = resolve_credentials(s);
  ASSERT_EQ(sts.calls.size(), 1u);
  EXPECT_EQ(sts.calls[0].second.access_key_id, "K");
  EXPECT_EQ(r.credentials.access_key_id, "ASIA1");
}

TEST_F(CredentialsTest, RoleWithCredentialSourceEnvironment) {
  // With keys in the environment step 1 wins before the profile is read, so
  // only the failures of credential_source can be seen here.
  vars_["AWS_PROFILE"] = "r";
  write(".aws/config", "[profile r]\nrole_arn = arn:r\ncredential_source = Nowhere\n");
  FakeSts sts;
  CredentialSources s = sources();
  s.assume_role = sts.fn();
  EXPECT_EQ(error_of(s).first, "profile 'r' in ~/.aws/config: unknown credential_source 'Nowhere'");
  write(".aws/config", "[profile r]\nrole_arn = arn:r\ncredential_source = Environment\n");
  EXPECT_EQ(error_of(s).first,
            "profile 'r' in ~/.aws/config: credential_source 'Environment' gave no credentials");
}

// ---- 2c. credential_process -------------------------------------------------

TEST_F(CredentialsTest, CredentialProcessJson) {
  write("bin/creds.sh",
        "#!/bin/sh\n"
        "test \"$1\" = \"--arg with space\" || exit 9\n"
        "cat <<'EOF'\n"
        "{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"procSecret123\",\n"
        " \"SessionToken\": \"procToken123\", \"Expiration\": \"2027-05-06T07:08:09.123Z\"}\n"
        "EOF\n",
        fs::perms::owner_all);
  write(".aws/config", "[default]\ncredential_process = " + (home_ / "bin/creds.sh").string() +
                           " '--arg with space'\n");
  ResolvedCredentials r = resolve_credentials(sources());
  EXPECT_EQ(r.source, "credential_process of profile 'default'");
  EXPECT_EQ(r.credentials.access_key_id, "AKIAPROC");
  EXPECT_EQ(r.credentials.secret_access_key, "procSecret123");
  EXPECT_EQ(r.credentials.session_token, "procToken123");
  EXPECT_EQ(r.credentials.expiration, parse_aws_time("2027-05-06T07:08:09Z"));
  EXPECT_EQ(util::redactor().mask("procSecret123"), "****");
}

TEST_F(CredentialsTest, CredentialProcessFailures) {
  write("bin/fail.sh", "#!/bin/sh\necho failing >&2\nexit 3\n", fs::perms::owner_all);
  write("bin/v2.sh",
        "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
        "\"leakedSecret\"}'\n",
        fs::perms::owner_all);
  write("bin/nokey.sh",
        "#!/bin/sh\necho '{\"Version\": 1, \"SecretAccessKey\": \"leakedSecret\"}'\n",
        fs::perms::owner_all);

  write(".aws/config",
        "[default]\ncredential_process = " + (home_ / "bin/fail.sh").string() + "\n");
  auto [msg, hint] = error_of(sources());
  EXPECT_EQ(msg, "credential_process of profile 'default' exited with status 3");
  EXPECT_EQ(hint, "run the command yourself to see why: " + (home_ / "bin/fail.sh").string());

  write(".aws/config", "[default]\ncredential_process = " + (home_ / "bin/v2.sh").string() + "\n");
  msg = error_of(sources()).first;
  EXPECT_EQ(
      msg,
      "credential_process of profile 'default' did not print a JSON object with \"Version\": 1");

  write(".aws/config",
        "[default]\ncredential_process = " + (home_ / "bin/nokey.sh").string() + "\n");
  msg = error_of(sources()).first;
  EXPECT_EQ(msg,
            "credential_process of profile 'default' returned no AccessKeyId or SecretAccessKey");
  EXPECT_EQ(msg.find("leakedSecret"), std::string::npos);
}

// ---- 3. container credentials ----------------------------------------------

struct FakeHttp {
  std::vector<HttpCall> calls;
  std::map<std::string, HttpReply> replies;  // "METHOD url" -> reply; absent: no answer
  HttpFetch fn() {
    return [this](const HttpCall& c) -> std::optional<HttpReply> {
      calls.push_back(c);
      auto it = replies.find(c.method + " " + c.url);
      if (it == replies.end()) return std::nullopt;
      return it->second;
    };
  }
};

const std::string k_container_json =
    R"({"AccessKeyId": "ASIACONT", "SecretAccessKey": "contSecret", "Token": "contToken",
        "Expiration": "2027-01-01T00:00:00Z", "RoleArn": "arn:aws:iam::1:role/task"})";

TEST_F(CredentialsTest, ContainerFullUriWithToken) {
  vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:40123/creds";
  vars_["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "containerAuthToken";
  FakeHttp http;
  http.replies["GET http://127.0.0.1:40123/creds"] = {200, k_container_json};
  CredentialSources s = sources();
  s.http = http.fn();
  ResolvedCredentials r = resolve_credentials(s);
  EXPECT_EQ(r.source, "container credentials (http://127.0.0.1:40123/creds)");
  EXPECT_EQ(r.credentials.access_key_id, "ASIACONT");
  EXPECT_EQ(r.credentials.session_token, "contToken");
  ASSERT_EQ(http.calls.size(), 1u);
  ASSERT_EQ(http.calls[0].headers.size(), 1u);
  EXPECT_EQ(http.calls[0].headers[0].first, "Authorization");
  EXPECT_EQ(http.calls[0].headers[0].second, "containerAuthToken");
}

TEST_F(CredentialsTest, ContainerRelativeUriAndTokenFile) {
  vars_["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  FakeHttp http;
  http.replies["GET http://169.254.170.2/v2/credentials/abc"] = {200, k_container_json};
  CredentialSources s = sources();
  s.http = http.fn();
  EXPECT_EQ(resolve_credentials(s).credentials.access_key_id, "ASIACONT");
  EXPECT_TRUE(http.calls[0].headers.empty());

  vars_.erase("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://localhost:9/c";
  vars_["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = (home_ / "token").string();
  vars_["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored";
  write("token", "fileToken\n");
  http.replies["GET http://localhost:9/c"] = {200, k_container_json};
  s.env = env();
  resolve_credentials(s);
  EXPECT_EQ(http.calls.back().headers.at(0).second, "fileToken");
}

TEST_F(CredentialsTest, ContainerErrors) {
  FakeHttp http;
  CredentialSources s = sources();
  s.http = http.fn();
  vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://example.com/creds";
  s.env = env();
  EXPECT_EQ(error_of(s).first,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI 'http://example.com/creds' is neither https nor a "
            "loopback or ECS/EKS agent address");
  vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:1/creds";
  s.env = env();
  EXPECT_EQ(error_of(s).first,
            "container credentials endpoint 'http://127.0.0.1:1/creds' did not answer");
  http.replies["GET http://127.0.0.1:1/creds"] = {500, "oops"};
  EXPECT_EQ(error_of(s).first,
            "container credentials endpoint 'http://127.0.0.1:1/creds' answered HTTP 500");
  http.replies["GET http://127.0.0.1:1/creds"] = {200, "not json"};
  EXPECT_EQ(error_of(s).first, "the container credentials endpoint did not return a JSON object");
}

// ---- 4. instance metadata ---------------------------------------------------

TEST_F(CredentialsTest, InstanceMetadataV2) {
  vars_.erase("AWS_EC2_METADATA_DISABLED");
  vars_["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:40124/";
  const std::string base = "http://127.0.0.1:40124";
  FakeHttp http;
  http.replies["PUT " + base + "/latest/api/token"] = {200, "imdsSessionToken"};
  http.replies["GET " + base + "/latest/meta-data/iam/security-credentials/"] = {200, "web-role\n"};
  http.replies["GET " + base + "/latest/meta-data/iam/security-credentials/web-role"] = {
      200, R"({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS",
              "SecretAccessKey": "imdsSecret", "Token": "imdsToken", "Expiration": "2027-01-01T00:00:00Z"})"};
  CredentialSources s = sources();
  s.env = env();
  s.http = http.fn();
  ResolvedCredentials r = resolve_credentials(s);
  EXPECT_EQ(r.source, "instance metadata (role web-role)");
  EXPECT_EQ(r.credentials.access_key_id, "ASIAIMDS");
  ASSERT_EQ(http.calls.size(), 3u);
  EXPECT_EQ(http.calls[0].headers.at(0).first, "X-aws-ec2-metadata-token-ttl-seconds");
  EXPECT_EQ(http.calls[1].headers.at(0).first, "X-aws-ec2-metadata-token");
  EXPECT_EQ(http.calls[1].headers.at(0).second, "imdsSessionToken");
  EXPECT_EQ(http.calls[2].headers.at(0).second, "imdsSessionToken");
}

TEST_F(CredentialsTest, NothingFound) {
  FakeHttp http;  // answers nothing: not on EC2
  vars_.erase("AWS_EC2_METADATA_DISABLED");
  CredentialSources s = sources();
  s.env = env();
  s.http = http.fn();
  auto [msg, hint] = error_of(s);
  EXPECT_EQ(msg,
            "no AWS credentials found (tried the environment, profile 'default', container "
            "credentials and instance metadata)");
  EXPECT_EQ(
      hint,
      "set AWS_PROFILE to a profile of ~/.aws/credentials or ~/.aws/config, or AWS_ACCESS_KEY_ID "
      "and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys)");
  EXPECT_EQ(http.calls.size(), 1u);  // the token PUT, unanswered

  vars_["AWS_EC2_METADATA_DISABLED"] = "true";
  s.env = env();
  http.calls.clear();
  error_of(s);
  EXPECT_TRUE(http.calls.empty());
}

// ---- region, endpoint, cache, time -----------------------------------------

TEST_F(CredentialsTest, RegionOrder) {
  write(".aws/config", "[default]\nregion = ap-south-1\n");
  EXPECT_EQ(resolve_region(env(), load_shared_config(env()))->source,
            "profile 'default' in ~/.aws/config");
  vars_["AWS_DEFAULT_REGION"] = "us-west-2";
  EXPECT_EQ(resolve_region(env(), load_shared_config(env()))->value, "us-west-2");
  vars_["AWS_REGION"] = "eu-north-1";
  Resolved r = require_region(env(), load_shared_config(env()));
  EXPECT_EQ(r.value, "eu-north-1");
  EXPECT_EQ(r.source, "AWS_REGION");

  fs::remove(home_ / ".aws/config");
  vars_.erase("AWS_REGION");
  vars_.erase("AWS_DEFAULT_REGION");
  try {
    require_region(env(), load_shared_config(env()));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no AWS region configured");
    EXPECT_EQ(
        e.hint(),
        "set AWS_REGION (for example AWS_REGION=eu-west-1) or `region` in profile 'default' of "
        "~/.aws/config");
  }
}

TEST_F(CredentialsTest, EndpointOrder) {
  write(".aws/config", "[default]\nendpoint_url = http://profile:1\n");
  auto ep = [&](const char* service) {
    std::optional<Resolved> r = resolve_endpoint(service, env(), load_shared_config(env()));
    return r ? r->value + " from " + r->source : std::string("none");
  };
  EXPECT_EQ(ep("s3"), "http://profile:1 from profile 'default' in ~/.aws/config");
  vars_["AWS_ENDPOINT_URL"] = "http://global:2";
  EXPECT_EQ(ep("ssm"), "http://global:2 from AWS_ENDPOINT_URL");
  vars_["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:5000";
  vars_["AWS_ENDPOINT_URL_CLOUDFORMATION"] = "http://cfn:3";
  vars_["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = "http://logs:4";
  EXPECT_EQ(ep("s3"), "http://127.0.0.1:5000 from AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(ep("ssm"), "http://global:2 from AWS_ENDPOINT_URL");
  EXPECT_EQ(ep("cloudformation"), "http://cfn:3 from AWS_ENDPOINT_URL_CLOUDFORMATION");
  EXPECT_EQ(ep("CloudWatch Logs"), "http://logs:4 from AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
  vars_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(ep("s3"), "none");
}

TEST_F(CredentialsTest, CacheRefreshesShortlyBeforeExpiry) {
  vars_["AWS_PROFILE"] = "r";
  write(".aws/config",
        "[profile r]\nrole_arn = arn:r\nsource_profile = r\n"
        "aws_access_key_id = K\naws_secret_access_key = S\n");
  FakeSts sts;  // credentials expire at 1'800'003'600
  auto now = std::make_shared<system_clock::time_point>(std::chrono::seconds(1'800'000'000));
  CredentialSources s = sources();
  s.assume_role = sts.fn();
  s.now = [now] { return *now; };
  CredentialCache cache(s);
  EXPECT_EQ(cache.get().credentials.access_key_id, "ASIA1");
  *now = system_clock::time_point(std::chrono::seconds(1'800'003'000));  // 10 minutes left
  EXPECT_EQ(cache.get().credentials.access_key_id, "ASIA1");
  EXPECT_EQ(sts.calls.size(), 1u);
  *now = system_clock::time_point(std::chrono::seconds(1'800'003'400));  // under 5 minutes left
  EXPECT_EQ(cache.get().credentials.access_key_id, "ASIA2");
  EXPECT_EQ(sts.calls.size(), 2u);
}

TEST(AwsTime, ParsesIso8601) {
  auto t = parse_aws_time("2026-11-28T12:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count(),
            1795867200);
  EXPECT_EQ(parse_aws_time("2026-11-28T12:00:00.123456Z"), t);
  EXPECT_EQ(parse_aws_time("2026-11-28T13:30:00+01:30"), t);
  EXPECT_EQ(parse_aws_time("2026-11-28T10:00:00-02:00"), t);
  EXPECT_FALSE(parse_aws_time("2026-13-28T12:00:00Z"));
  EXPECT_FALSE(parse_aws_time("yesterday"));
  EXPECT_FALSE(parse_aws_time("2026-11-28T12:00:00 UTC"));
}

}  // namespace
}  // namespace handoff::aws
