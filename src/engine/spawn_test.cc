// Unit tests of starting one child: the simple-command check, PATH lookup and spawn_process.
#include "engine/spawn.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace handoff::engine {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "handoff_spawn_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = fs::canonical(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

  fs::path write(const std::string& rel, const std::string& text, mode_t mode) const {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SpawnSimpleCommand, PlainWordsAreSimple) {
  EXPECT_TRUE(is_simple_command("wc -l"));
  EXPECT_TRUE(is_simple_command("true"));
  EXPECT_TRUE(is_simple_command("  sort -k2,2 -t, data.csv  "));
  EXPECT_TRUE(is_simple_command("tap-csv --config=conf.json"));  // '=' after the first word
}

TEST(SpawnSimpleCommand, ShellSyntaxIsNotSimple) {
  for (const char* line : {"a | b", "$X", "echo $HOME", "a=b cmd", "X=1", "echo 'x'", "echo \"x\"",
                           "ls *.csv", "ls file?.csv", "ls [ab].csv", "cat ~/x", "~", "a; b", "a && b",
                           "a & ", "cat < in", "echo > out", "(a)", "echo `date`", "a\nb", "echo \\n",
                           "echo x # comment"}) {
    EXPECT_FALSE(is_simple_command(line)) << "'" << line << "'";
  }
}

TEST(SpawnSimpleCommand, EmptyLineIsNotSimple) {
  EXPECT_FALSE(is_simple_command(""));
  EXPECT_FALSE(is_simple_command("   "));
}

TEST(SpawnFindInPath, FindsAnExecutableFileInTheFirstMatchingDir) {
  TempDir d;
  d.write("one/tool", "#!/bin/sh\n", 0755);
  d.write("two/tool", "#!/bin/sh\n", 0755);
  std::string path = "/nonexistent-handoff-dir:" + (d.path() / "one").string() + ":" +
                     (d.path() / "two").string();
  EXPECT_EQ(find_in_path("tool", path), (d.path() / "one" / "tool").string());
  EXPECT_EQ(find_in_path("tool", (d.path() / "two").string()), (d.path() / "two" / "tool").string());
}

TEST(SpawnFindInPath, SkipsNonExecutablesAndDirectories) {
  TempDir d;
  d.write("one/tool", "data\n", 0644);        // not executable
  fs::create_directories(d.path() / "one" / "adir");  // a directory, even if "executable"
  d.write("two/tool", "#!/bin/sh\n", 0755);
  std::string path = (d.path() / "one").string() + ":" + (d.path() / "two").string();
  EXPECT_EQ(find_in_path("tool", path), (d.path() / "two" / "tool").string());
  EXPECT_EQ(find_in_path("adir", path), "");
  EXPECT_EQ(find_in_path("missing", path), "");
  EXPECT_EQ(find_in_path("tool", ""), "");
}

TEST(SpawnFindInPath, NameWithSlashIsReturnedAsIs) {
  EXPECT_EQ(find_in_path("./run.sh", "/usr/bin"), "./run.sh");
  EXPECT_EQ(find_in_path("/bin/sh", ""), "/bin/sh");
}

TEST(SpawnProcess, RunsInItsOwnGroupInCwdWithTheGivenStdout) {
  TempDir d;
  fs::path out = d.path() / "out.txt";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  SpawnSpec spec;
  spec.command_line = "pwd";
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.cwd = d.path().string();
  spec.stdout_fd = fd;
  std::string error;
  pid_t pid = spawn_process(spec, &error);
  ::close(fd);
  ASSERT_GT(pid, 0) << error;
  pid_t group = ::getpgid(pid);  // before reaping; pid is ours until then
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(group, pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(slurp(out), d.path().string() + "\n");
}

TEST(SpawnProcess, ShellLineGetsTheGivenEnvironment) {
  TempDir d;
  fs::path out = d.path() / "out.txt";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  SpawnSpec spec;
  spec.command_line = "echo \"$HANDOFF_TEST_VALUE\" | tr a-z A-Z";
  spec.env = {"PATH=/usr/bin:/bin", "HANDOFF_TEST_VALUE=hello"};
  spec.cwd = d.path().string();
  spec.stdout_fd = fd;
  std::string error;
  pid_t pid = spawn_process(spec, &error);
  ::close(fd);
  ASSERT_GT(pid, 0) << error;
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(slurp(out), "HELLO\n");
}

TEST(SpawnProcess, SimpleCommandIsSearchedOnTheChildsPath) {
  TempDir d;
  d.write("bin/handoff-test-tool", "#!/bin/sh\necho from-tool\n", 0755);
  fs::path out = d.path() / "out.txt";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  SpawnSpec spec;
  spec.command_line = "handoff-test-tool";
  spec.env = {"PATH=" + (d.path() / "bin").string() + ":/usr/bin:/bin"};
  spec.cwd = d.path().string();
  spec.stdout_fd = fd;
  std::string error;
  pid_t pid = spawn_process(spec, &error);
  ::close(fd);
  ASSERT_GT(pid, 0) << error;
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(slurp(out), "from-tool\n");
}

TEST(SpawnProcess, MissingProgramReportsCommandNotFound) {
  TempDir d;
  SpawnSpec spec;
  spec.command_line = "handoff-test-tool --x";
  spec.env = {"PATH=/usr/bin:/bin"};  // the tool is not on this PATH
  spec.cwd = d.path().string();
  std::string error;
  EXPECT_EQ(spawn_process(spec, &error), -1);
  EXPECT_EQ(error, "handoff-test-tool: command not found");
}

}  // namespace
}  // namespace handoff::engine
