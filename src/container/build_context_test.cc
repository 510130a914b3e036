#include "container/build_context.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "container/dockerfile.h"
#include "project/test_util.h"
#include "util/error.h"
#include "util/fs.h"

namespace handoff::container {
namespace {

namespace fs = std::filesystem;
using project::testing::TempDir;

constexpr const char* k_secret = "s3cr3t-VALUE-never-in-an-image";
constexpr const char* k_prod_secret = "prod-only-passphrase-42";

// A fake handoff source tree and a project full of things that must stay out.
struct Fixture {
  TempDir tmp;
  fs::path src = tmp.path() / "handoff-src";
  fs::path project = tmp.path() / "proj";

  Fixture() {
    tmp.write("handoff-src/CMakeLists.txt", "project(handoff)\n");
    tmp.write("handoff-src/src/main.cc", "int main() {}\n");
    tmp.write("handoff-src/cmake/Warnings.cmake", "# w\n");
    tmp.write("handoff-src/cloud/templates/task.yml", "Resources: {}\n");
    tmp.write("handoff-src/scripts/install-deps.sh", "#!/bin/sh\n");
    tmp.write("handoff-src/scripts/test.sh", "#!/bin/sh\n");
    tmp.write("handoff-src/build/handoff", "binary");
    tmp.write("handoff-src/.git/HEAD", "ref: refs/heads/main\n");
    tmp.write("handoff-src/tests/e2e/x.py", "");

    tmp.write("proj/project.yml", "tasks: []\n");
    tmp.write("proj/files/query.sql", "select 1\n");
    tmp.write("proj/files/sub/data.csv", "a,b\n");
    tmp.write("proj/.secrets/dev_secrets.yml", std::string("- key: pw\n  value: ") + k_secret + "\n");
    tmp.write("proj/.secrets/secrets.yml", std::string("- key: pw\n  value: ") + k_prod_secret + "\n");
    tmp.write("proj/files/.secrets/inner.yml", k_secret);
    tmp.write("proj/files/db.secret", k_secret);
    tmp.write("proj/files/key.secret.json", k_secret);
    tmp.write("proj/.secrets.yml", k_secret);
    tmp.write("outside/passwd", k_secret);
    fs::create_symlink("query.sql", project / "files" / "link.sql");
    fs::create_symlink("../../outside/passwd", project / "files" / "escape");
    fs::create_symlink(tmp.path() / "outside", project / "files" / "outside_dir");
    fs::create_symlink("../.secrets/dev_secrets.yml", project / "files" / "to_secret");
    fs::create_symlink("nowhere", project / "files" / "dangling");
  }

  ContextSpec spec() const { return {src, project, {}, {}, tmp.path()}; }
};

std::vector<std::string> all_paths(const fs::path& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    out.push_back(it->path().lexically_relative(root).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(BuildContext, HoldsTheSourceTheProjectTheEntrypointAndOurDockerfile) {
  Fixture f;
  BuildContext ctx = make_build_context(f.spec());
  const fs::path& d = ctx.dir();
  EXPECT_TRUE(fs::is_regular_file(d / "handoff/CMakeLists.txt"));
  EXPECT_TRUE(fs::is_regular_file(d / "handoff/src/main.cc"));
  EXPECT_TRUE(fs::is_regular_file(d / "handoff/cmake/Warnings.cmake"));
  EXPECT_TRUE(fs::is_regular_file(d / "handoff/cloud/templates/task.yml"));
  EXPECT_TRUE(fs::is_regular_file(d / "handoff/scripts/install-deps.sh"));
  EXPECT_TRUE(fs::is_regular_file(d / "project/project.yml"));
  EXPECT_TRUE(fs::is_regular_file(d / "project/files/sub/data.csv"));
  EXPECT_EQ(util::read_file(d / "Dockerfile"), k_dockerfile);
  EXPECT_EQ(util::read_file(d / "script/entrypoint.sh"), k_entrypoint);
  EXPECT_NE(fs::status(d / "script/entrypoint.sh").permissions() & fs::perms::owner_exec, fs::perms::none);
}

TEST(BuildContext, LeavesOutBuildDirsGitAndTests) {
  Fixture f;
  BuildContext ctx = make_build_context(f.spec());
  for (const auto& p : all_paths(ctx.dir() / "handoff")) {
    EXPECT_EQ(p.find("build"), std::string::npos) << p;
    EXPECT_EQ(p.find(".git"), std::string::npos) << p;
    EXPECT_EQ(p.find("tests"), std::string::npos) << p;
    EXPECT_NE(p, "scripts/test.sh");
  }
}

TEST(BuildContext, NoSecretsFileAndNoSecretValueAnywhere) {
  Fixture f;
  BuildContext ctx = make_build_context(f.spec());
  for (const auto& p : all_paths(ctx.dir())) {
    EXPECT_EQ(p.find(".secret"), std::string::npos) << p;
    fs::path full = ctx.dir() / p;
    if (fs::is_symlink(full) || !fs::is_regular_file(full)) continue;
    std::string text = util::read_file(full);
    EXPECT_EQ(text.find(k_secret), std::string::npos) << p;
    EXPECT_EQ(text.find(k_prod_secret), std::string::npos) << p;
  }
  std::string skipped;
  for (const auto& s : ctx.skipped()) skipped += s + "\n";
  EXPECT_NE(skipped.find("project/.secrets (secrets never enter the image)"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("project/files/db.secret"), std::string::npos) << skipped;
}

TEST(BuildContext, SymlinksStayInsideTheProjectAndAreNeverFollowed) {
  Fixture f;
  BuildContext ctx = make_build_context(f.spec());
  fs::path files = ctx.dir() / "project/files";
  ASSERT_TRUE(fs::is_symlink(files / "link.sql"));
  EXPECT_EQ(fs::read_symlink(files / "link.sql"), "query.sql");
  // A dangling link naming a place inside the project leaks nothing: kept.
  EXPECT_TRUE(fs::is_symlink(files / "dangling"));
  for (const char* gone : {"escape", "outside_dir", "to_secret"}) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(files / gone))) << gone;
  }
  std::string skipped;
  for (const auto& s : ctx.skipped()) skipped += s + "\n";
  EXPECT_NE(skipped.find("project/files/escape (symlink pointing outside)"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("project/files/to_secret (symlink to a secret)"), std::string::npos) << skipped;
}

TEST(BuildContext, CustomDockerfileAndFilesDir) {
  Fixture f;
  f.tmp.write("my/Dockerfile.custom", "FROM scratch\n");
  f.tmp.write("extra/bin/tool", "#!/bin/sh\n");
  f.tmp.write("extra/api.secret", k_secret);
  ContextSpec spec = f.spec();
  spec.docker_file = f.tmp.path() / "my/Dockerfile.custom";
  spec.files_dir = f.tmp.path() / "extra";
  BuildContext ctx = make_build_context(spec);
  EXPECT_EQ(util::read_file(ctx.dir() / "Dockerfile"), "FROM scratch\n");
  EXPECT_TRUE(fs::is_regular_file(ctx.dir() / "extra/bin/tool"));
  EXPECT_FALSE(fs::exists(ctx.dir() / "extra/api.secret"));
}

TEST(BuildContext, FilesDirMayNotReplaceAPartOfTheContext) {
  Fixture f;
  ContextSpec spec = f.spec();
  spec.files_dir = f.project;  // base name "proj" is fine …
  EXPECT_NO_THROW(make_build_context(spec));
  f.tmp.write("x/project/a", "");
  spec.files_dir = f.tmp.path() / "x/project";  // … "project" is not
  try {
    make_build_context(spec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("would replace the context's 'project'"), std::string::npos)
        << e.what();
  }
}

TEST(BuildContext, RemovedWhenDestroyed) {
  Fixture f;
  fs::path dir;
  {
    BuildContext ctx = make_build_context(f.spec());
    dir = ctx.dir();
    EXPECT_TRUE(fs::is_directory(dir));
  }
  EXPECT_FALSE(fs::exists(dir));
}

TEST(SecretNames, DotSecretsAndAnyDotSecretName) {
  EXPECT_TRUE(is_secret_name(".secrets"));
  EXPECT_TRUE(is_secret_name("db.secret"));
  EXPECT_TRUE(is_secret_name("x.secret.json"));
  EXPECT_TRUE(is_secret_name(".secrets.yml"));
  EXPECT_FALSE(is_secret_name("secrets.md"));
  EXPECT_FALSE(is_secret_name("files"));
}

TEST(SourceDir, FlagThenEnvThenTheTreeOfThisBuild) {
  Fixture f;
  EXPECT_EQ(find_source_dir(f.src.string(), std::nullopt), f.src);
  EXPECT_EQ(find_source_dir("", f.src.string()), f.src);
  try {
    find_source_dir((f.tmp.path() / "proj").string(), std::nullopt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not handoff's source tree"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), k_exit_usage);
    EXPECT_NE(e.hint().find("--handoff-src"), std::string::npos);
  }
  // The checkout these tests were compiled from.
  fs::path own = find_source_dir("", std::nullopt);
  EXPECT_TRUE(fs::is_regular_file(own / "src/container/build_context.cc"));
}

}  // namespace
}  // namespace handoff::container
