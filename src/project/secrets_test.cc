#include "project/secrets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "project/test_util.h"
#include "util/error.h"
#include "util/redact.h"

namespace handoff::project {
namespace {

using testing::TempDir;

Error secrets_error(const TempDir& dir, std::string_view stage = "prod") {
  try {
    load_secrets(dir.path(), stage);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error("none");
}

TEST(LoadSecrets, FileNamePerStage) {
  EXPECT_EQ(secrets_file_path("/p/.secrets", "prod"), "/p/.secrets/secrets.yml");
  EXPECT_EQ(secrets_file_path("/p/.secrets", "dev"), "/p/.secrets/dev_secrets.yml");
  EXPECT_EQ(secrets_file_path("/p/.secrets", "qa"), "/p/.secrets/qa_secrets.yml");
}

TEST(LoadSecrets, MissingFileWarnsWithExactPathAndNeverFallsBack) {
  TempDir dir;
  dir.write("secrets.yml", "- key: a\n  value: b\n");
  ::testing::internal::CaptureStderr();
  SecretsFile f = load_secrets(dir.path(), "dev");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(f.found);
  EXPECT_TRUE(f.secrets.empty());
  EXPECT_EQ(f.path, dir.path() / "dev_secrets.yml");
  EXPECT_NE(err.find((dir.path() / "dev_secrets.yml").string() +
                     " not found; running without local secrets (secrets.yml is read only with "
                     "-s prod)\n"),
            std::string::npos)
      << err;
}

TEST(LoadSecrets, ReadsValuesFilesLevelsAndPush) {
  TempDir dir;
  dir.write("key.json", "{\"k\": 1}\n");
  dir.write("secrets.yml", R"(- key: username
  value: my_user_name
- key: number
  value: 007
- key: float
  value: 1.0
- key: flag
  value: yes
- key: google_client_secret
  file: ./key.json
  level: " Resource Group "
  push: false
- key: stored_elsewhere
  level: resource_group
)");
  ::testing::internal::CaptureStderr();
  SecretsFile f = load_secrets(dir.path(), "prod");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(f.found);
  ASSERT_EQ(f.secrets.size(), 6u);
  EXPECT_EQ(f.secrets[0].value, "my_user_name");
  EXPECT_EQ(f.secrets[1].value, "7");  // PyYAML reads 007 as octal
  EXPECT_EQ(f.secrets[2].value, "1.0");
  EXPECT_EQ(f.secrets[3].value, "True");
  EXPECT_EQ(f.secrets[4].value, "{\"k\": 1}\n");
  EXPECT_EQ(f.secrets[4].level, SecretLevel::resource_group);
  EXPECT_FALSE(f.secrets[4].push);
  EXPECT_TRUE(f.secrets[0].push);
  EXPECT_EQ(f.secrets[0].level, SecretLevel::task);
  EXPECT_FALSE(f.secrets[5].has_value);
  EXPECT_EQ(f.secrets[5].level, SecretLevel::resource_group);
  EXPECT_EQ(f.secrets[5].loc.where(), (dir.path() / "secrets.yml").string() + ":13:3");
  EXPECT_NE(err.find(":13:3: unregistered resource group level secret: stored_elsewhere\n"),
            std::string::npos)
      << err;
}

TEST(LoadSecrets, RegistersValuesWithTheRedactor) {
  TempDir dir;
  dir.write("dev_secrets.yml", "- key: pw\n  value: isawsomeone\n");
  util::redactor().clear();
  load_secrets(dir.path(), "dev");
  EXPECT_EQ(util::redactor().mask("curl -u me:isawsomeone"), "curl -u me:****");
  util::redactor().clear();
}

TEST(LoadSecrets, CollectsProblemsWithoutShowingValues) {
  TempDir dir;
  dir.write("secrets.yml", R"(- value: topsecret1
- key: a
  file: missing.txt
- key: b
- key: c
  value: topsecret2
  level: project
)");
  Error e = secrets_error(dir);
  std::string file = (dir.path() / "secrets.yml").string();
  EXPECT_EQ(std::string(e.what()),
            file +
                " has 4 problems:\n"
                "  " +
                file +
                ":1:3: key must be defined for secret\n"
                "  " +
                file + ":3:9: secret 'a': " + (dir.path() / "missing.txt").string() +
                " does not exist\n"
                "  " +
                file +
                ":4:3: secret 'b' has neither a value nor a file\n"
                "  " +
                file +
                ":7:10: secret 'c': unknown level 'project' (expected task or resource group)");
  EXPECT_EQ(e.exit_code(), 2);
  EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos);
}

TEST(LoadSecrets, FileMustBeARegularFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "keys");
  dir.write("secrets.yml", "- key: a\n  file: keys\n");
  Error e = secrets_error(dir);
  EXPECT_EQ(std::string(e.what()), (dir.path() / "secrets.yml").string() + ":2:9: secret 'a': " +
                                       (dir.path() / "keys").string() + " is not a regular file");
}

TEST(LoadSecrets, RejectsNonListFile) {
  TempDir dir;
  dir.write("secrets.yml", "key: a\n");
  Error e = secrets_error(dir);
  EXPECT_EQ(std::string(e.what()), (dir.path() / "secrets.yml").string() +
                                       ":1:1: expected a list of secrets, got a mapping");
}

TEST(LoadSecrets, InvalidYaml) {
  TempDir dir;
  dir.write("secrets.yml", "- key: a\n  value: [x\n");
  Error e = secrets_error(dir);
  EXPECT_EQ(std::string(e.what()), (dir.path() / "secrets.yml").string() +
                                       ":3:1: invalid YAML: end of sequence flow not found");
}

TEST(LoadSecrets, UnreadableFileIsAUsageError) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir;
  auto path = dir.write("secrets.yml", "- key: a\n  value: b\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  Error e = secrets_error(dir);
  EXPECT_EQ(std::string(e.what()), "cannot read " + path.string() + ": Permission denied");
  EXPECT_EQ(e.exit_code(), 2);
}

TEST(LoadSecrets, EmptyFileHasNoSecrets) {
  TempDir dir;
  dir.write("secrets.yml", "");
  SecretsFile f = load_secrets(dir.path(), "prod");
  EXPECT_TRUE(f.found);
  EXPECT_TRUE(f.secrets.empty());
}

}  // namespace
}  // namespace handoff::project
