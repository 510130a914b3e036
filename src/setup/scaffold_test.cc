#include "setup/scaffold.h"

#include <sys/stat.h>

#include <map>

#include <gtest/gtest.h>

#include "job/job.h"
#include "project/load.h"
#include "project/secrets.h"
#include "project/test_util.h"
#include "util/error.h"
#include "util/fs.h"

namespace fs = std::filesystem;

namespace handoff::setup {
namespace {

using project::testing::TempDir;

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

std::string error_of(const fs::path& dir, bool force) {
  try {
    write_scaffold(dir, force);
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.hint() + " | " + std::to_string(e.exit_code());
  }
  return "no error";
}

TEST(Scaffold, WritesEveryFileIntoANewDirectoryWithPrivateSecrets) {
  TempDir tmp;
  fs::path dir = tmp.path() / "a" / "projects";
  mode_t old_umask = ::umask(0);  // the modes must not depend on the umask
  auto written = write_scaffold(dir, false);
  ::umask(old_umask);
  ASSERT_EQ(written.size(), scaffold_files().size());
  for (const auto& f : scaffold_files()) {
    EXPECT_EQ(util::read_file(dir / f.relative), f.content) << f.relative;
  }
  for (const auto& w : written) EXPECT_EQ(w.action, WriteAction::created) << w.relative;
  EXPECT_EQ(mode_of(dir / ".secrets"), 0700u);
  EXPECT_EQ(mode_of(dir / ".secrets" / "dev_secrets.yml"), 0600u);
  EXPECT_EQ(mode_of(dir / "project.yml"), 0644u);
  std::string gitignore = util::read_file(dir / ".gitignore");
  EXPECT_NE(gitignore.find(".secrets/\n"), std::string::npos);
  EXPECT_NE(gitignore.find("workspace/\n"), std::string::npos);
}

TEST(Scaffold, ProjectLoadsAndRendersWithTheDevSecret) {
  TempDir tmp;
  write_scaffold(tmp.path() / "p", false);
  job::Settings settings;
  settings.project_dir = tmp.path() / "p";
  settings.workspace = tmp.path() / "ws";
  settings.strict = true;  // an undefined variable would be a problem
  job::Prepared prepared = job::prepare(settings, true);
  ASSERT_EQ(prepared.project.tasks.size(), 2u);
  EXPECT_EQ(prepared.project.tasks[0].name, "word_count");
  EXPECT_EQ(prepared.project.tasks[1].name, "use_secret");
  ASSERT_TRUE(prepared.secrets.found);
  ASSERT_EQ(prepared.secrets.secrets.size(), 1u);
  const std::string token = prepared.secrets.secrets[0].value;
  EXPECT_EQ(prepared.secrets.secrets[0].key, "api_token");
  bool saw_message = false, saw_api = false;
  for (const auto& f : prepared.files) {
    if (f.relative == "message.txt") {
      saw_message = true;
      EXPECT_EQ(f.content.rfind("Hello, data engineers!\n", 0), 0u) << f.content;
      EXPECT_FALSE(f.secret);
    }
    if (f.relative == "api.json") {
      saw_api = true;
      EXPECT_NE(f.content.find("\"token\": \"" + token + "\""), std::string::npos) << f.content;
      EXPECT_TRUE(f.secret);  // written 0600
    }
  }
  EXPECT_TRUE(saw_message);
  EXPECT_TRUE(saw_api);
}

TEST(Scaffold, RefusesANonEmptyDirectoryAndLeavesItAlone) {
  TempDir tmp;
  tmp.write("p/notes.txt", "mine");
  EXPECT_EQ(error_of(tmp.path() / "p", false),
            "directory '" + (tmp.path() / "p").string() +
                "' is not empty | choose a new directory, or pass --force to add the quick-start files "
                "(files of the same name are replaced, .secrets/dev_secrets.yml is kept, nothing is "
                "deleted) | 2");
  EXPECT_FALSE(fs::exists(tmp.path() / "p" / "project.yml"));
  EXPECT_EQ(util::read_file(tmp.path() / "p" / "notes.txt"), "mine");
}

TEST(Scaffold, RefusesAFile) {
  TempDir tmp;
  tmp.write("p", "a file");
  EXPECT_EQ(error_of(tmp.path() / "p", true), "'" + (tmp.path() / "p").string() +
                                                  "' exists and is not a directory | choose a new directory "
                                                  "name: handoff init DIR | 2");
}

TEST(Scaffold, AnEmptyDirectoryNeedsNoForce) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "p");
  EXPECT_NO_THROW(write_scaffold(tmp.path() / "p", false));
  EXPECT_TRUE(fs::exists(tmp.path() / "p" / "project.yml"));
}

TEST(Scaffold, ForceKeepsTheUsersFilesAndSecretsAndMergesGitignore) {
  TempDir tmp;
  fs::path dir = tmp.path() / "p";
  tmp.write("p/notes.txt", "mine");
  tmp.write("p/project.yml", "old: true\n");
  tmp.write("p/.gitignore", "build/\nworkspace/");
  tmp.write("p/.secrets/dev_secrets.yml", "- key: api_token\n  value: my-own-real-token\n");
  auto written = write_scaffold(dir, true);
  EXPECT_EQ(util::read_file(dir / "notes.txt"), "mine");
  EXPECT_EQ(util::read_file(dir / "project.yml"), scaffold_files()[0].content);
  EXPECT_EQ(util::read_file(dir / ".gitignore"), "build/\nworkspace/\n.secrets/\n");
  EXPECT_EQ(util::read_file(dir / ".secrets" / "dev_secrets.yml"),
            "- key: api_token\n  value: my-own-real-token\n");
  std::map<std::string, WriteAction> actions;
  for (const auto& w : written) actions[w.relative] = w.action;
  EXPECT_EQ(actions["project.yml"], WriteAction::replaced);
  EXPECT_EQ(actions[".gitignore"], WriteAction::merged);
  EXPECT_EQ(actions[".secrets/dev_secrets.yml"], WriteAction::kept);
  EXPECT_EQ(actions["README.md"], WriteAction::created);
  EXPECT_EQ(mode_of(dir / ".secrets"), 0700u);

  // Once more: nothing left to change.
  for (const auto& w : write_scaffold(dir, true)) {
    EXPECT_TRUE(w.action == WriteAction::unchanged || w.action == WriteAction::kept) << w.relative;
  }
}

TEST(Scaffold, ReportListsTheFilesAndTheNextCommands) {
  std::string report = scaffold_report(
      "my proj", {{"project.yml", WriteAction::created}, {".secrets/dev_secrets.yml", WriteAction::kept}});
  EXPECT_EQ(report,
            "Quick-start project in my proj:\n"
            "  created       project.yml\n"
            "  kept (yours)  .secrets/dev_secrets.yml\n"
            "Next:\n"
            "  cd 'my proj'\n"
            "  handoff run local -p . -w workspace\n"
            "  cat workspace/artifacts/word_count_stdout.log workspace/artifacts/use_secret_stdout.log\n"
            "  handoff doctor -p .\n");
  EXPECT_NE(scaffold_report("projects", {}).find("  cd projects\n"), std::string::npos);
}

}  // namespace
}  // namespace handoff::setup
