// Tests of project files rendered into WORKSPACE/files: large files that
// render to themselves are copied from their source, never held in memory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "job/job.h"
#include "project/test_util.h"
#include "util/redact.h"

namespace handoff::job {
namespace {

namespace fs = std::filesystem;
using project::testing::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string big_text(size_t bytes) {
  std::string line = "some line of text data 0123456789 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n";
  std::string out;
  while (out.size() < bytes) out += line;
  return out;
}

struct Rendered {
  std::vector<RenderedFile> files;
  std::vector<std::string> problems;
  std::vector<std::string> warnings;
};

Rendered render(const TempDir& dir) {
  Rendered r;
  tmpl::Value vars = tmpl::Value::object();
  vars["name"] = "world";
  r.files = render_files(dir.path() / "files", vars, false, &r.problems, &r.warnings);
  return r;
}

TEST(RenderFiles, LargePlainTextIsCopiedAndLosesOneFinalNewlineAsRenderingWould) {
  TempDir dir;
  std::string text = big_text(3 << 20);  // multi-byte characters straddle chunk edges
  dir.write("files/big.txt", text);
  std::string small = big_text(1000);  // whole lines: ends in '\n'
  dir.write("files/small.txt", small);
  Rendered r = render(dir);
  ASSERT_TRUE(r.problems.empty());
  ASSERT_EQ(r.files.size(), 2u);
  EXPECT_FALSE(r.files[0].copy_from.empty());
  EXPECT_TRUE(r.files[0].content.empty());
  write_files(dir.path() / "ws", r.files);
  EXPECT_EQ(slurp(dir.path() / "ws/files/big.txt"), text.substr(0, text.size() - 1));
  // The small file goes through the templater: the same rule.
  EXPECT_EQ(slurp(dir.path() / "ws/files/small.txt"), small.substr(0, small.size() - 1));
}

TEST(RenderFiles, LargeBinaryIsCopiedByteForByte) {
  TempDir dir;
  std::string bin(2 << 20, '\0');
  for (size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<char>((i * 131) % 251);
  bin.back() = '\n';
  dir.write("files/data.bin", bin);
  Rendered r = render(dir);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_FALSE(r.files[0].copy_from.empty());
  write_files(dir.path() / "ws", r.files);
  EXPECT_EQ(slurp(dir.path() / "ws/files/data.bin"), bin);
}

TEST(RenderFiles, LargeTemplateIsRendered) {
  TempDir dir;
  std::string text = big_text(2 << 20) + "hello {{ name }}\n";
  dir.write("files/t.txt", text);
  Rendered r = render(dir);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_TRUE(r.files[0].copy_from.empty());
  write_files(dir.path() / "ws", r.files);
  EXPECT_EQ(slurp(dir.path() / "ws/files/t.txt"), big_text(2 << 20) + "hello world");
}

TEST(RenderFiles, MarkerSplitAcrossChunksStillRenders) {
  TempDir dir;
  std::string text(1 << 20, 'a');
  text.back() = '{';  // the first chunk ends in '{', the next starts with '{'
  text += "{ name }}\n";
  dir.write("files/t.txt", text);
  Rendered r = render(dir);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_TRUE(r.files[0].copy_from.empty());
}

TEST(RenderFiles, LargeFileHoldingASecretIsWritten0600) {
  TempDir dir;
  util::redactor().add("very-secret-value-42");
  std::string text(1 << 20, 'x');
  text.replace(text.size() - 10, 10, "very-secre");  // split across the chunk edge
  text += "t-value-42\n";
  dir.write("files/leaky.txt", text);
  Rendered r = render(dir);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_TRUE(r.files[0].secret);
  write_files(dir.path() / "ws", r.files);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "ws/files/leaky.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}


// issue 6 point 4: a symlink in files/ is followed only to a regular file
// inside the project; one leading out is refused before anything is written.
TEST(RenderFiles, SymlinkOutsideTheProjectIsRefused) {
  TempDir dir;
  TempDir outside;
  outside.write("secret.txt", "not yours\n");
  dir.write("files/ok.txt", "ok\n");
  fs::create_symlink(outside.path() / "secret.txt", dir.path() / "files/leak.txt");
  Rendered r = render(dir);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("files/leak.txt is a symbolic link to '"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[0].find("outside the project"), std::string::npos) << r.problems[0];
  for (const auto& f : r.files) EXPECT_NE(f.relative, "leak.txt");
}

TEST(RenderFiles, RelativeSymlinkClimbingOutIsRefusedAndDirectoryLinksAreNotFollowed) {
  TempDir dir;
  dir.write("files/sub/a.txt", "a\n");
  fs::create_symlink("../../../../../../etc/passwd", dir.path() / "files/sub/up.txt");
  fs::create_symlink("/etc", dir.path() / "files/etc");
  fs::create_symlink("sub", dir.path() / "files/loop");
  Rendered r = render(dir);
  ASSERT_EQ(r.problems.size(), 2u);  // up.txt and etc leave the project
  ASSERT_EQ(r.warnings.size(), 1u);  // loop is a directory inside: not followed
  EXPECT_NE(r.warnings[0].find("files/loop is a symbolic link to a directory"), std::string::npos);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].relative, "sub/a.txt");
}

TEST(RenderFiles, SymlinkToAFileInsideTheProjectIsRenderedAsItsTarget) {
  TempDir dir;
  dir.write("shared/greeting.txt", "hello {{ name }}\n");
  fs::create_directories(dir.path() / "files");
  fs::create_symlink("../shared/greeting.txt", dir.path() / "files/greeting.txt");
  Rendered r = render(dir);
  ASSERT_TRUE(r.problems.empty()) << r.problems[0];
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].content, "hello world");
  write_files(dir.path() / "ws", r.files);
  EXPECT_FALSE(fs::is_symlink(dir.path() / "ws/files/greeting.txt"));
}

TEST(RenderFiles, SymlinkIntoTheProjectsSecretsIsRefused) {
  TempDir dir;
  dir.write(".secrets/secrets.yml", "- key: pw\n  value: s3cret-value\n");
  fs::create_directories(dir.path() / "files");
  fs::create_symlink("../.secrets/secrets.yml", dir.path() / "files/innocent.txt");
  Rendered r = render(dir);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("files/innocent.txt is a symbolic link into .secrets/"), std::string::npos)
      << r.problems[0];
  EXPECT_TRUE(r.files.empty());
}

TEST(RenderFiles, FilesFolderThatIsASymlinkOutsideIsRefused) {
  TempDir dir;
  TempDir outside;
  outside.write("x.txt", "x\n");
  fs::create_symlink(outside.path(), dir.path() / "files");
  Rendered r = render(dir);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_TRUE(r.files.empty());
}

}  // namespace
}  // namespace handoff::job
