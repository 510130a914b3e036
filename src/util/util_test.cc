// Unit tests of util/: redaction, spelling suggestions, strings and files.
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/edit_distance.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::util {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "handoff_util_XXXXXX").string();
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

 private:
  fs::path path_;
};

/// Sets the umask for one test and puts the old one back.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }

 private:
  mode_t old_;
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 07777;  // never a valid answer below
  return st.st_mode & 07777;
}

// ---- Redactor ----------------------------------------------------------------------

TEST(Redactor, MasksTheWholeValueEverywhere) {
  Redactor r;
  EXPECT_TRUE(r.empty());
  r.add("hunter22");
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(r.mask("pw=hunter22, again hunter22!"), "pw=****, again ****!");
  EXPECT_EQ(r.mask("hunter2"), "hunter2");  // a prefix is not the secret
  EXPECT_EQ(r.mask(""), "");
}

TEST(Redactor, MultiLineValueIsMaskedPerLineWhenLinesAreLongEnough) {
  Redactor r;
  r.add("-----BEGIN KEY-----\nabcdef\nxyz12\nqq\n");
  // Each distinctive line on its own (as a line-by-line reader sees it).
  EXPECT_EQ(r.mask("got -----BEGIN KEY----- here"), "got **** here");
  EXPECT_EQ(r.mask("abcdef"), "****");  // exactly k_min_line_length characters
  // Shorter lines are too common to mask on their own.
  EXPECT_EQ(r.mask("xyz12"), "xyz12");
  EXPECT_EQ(r.mask("qq"), "qq");
  // The whole value, with or without its trailing newline.
  EXPECT_EQ(r.mask("[-----BEGIN KEY-----\nabcdef\nxyz12\nqq\n]"), "[****]");
  EXPECT_EQ(r.mask("[-----BEGIN KEY-----\nabcdef\nxyz12\nqq]"), "[****]");
}

TEST(Redactor, ShortValueIsMaskedOnlyWhereItStandsAlone) {
  Redactor r;
  r.add("t");
  r.add("ab1");
  EXPECT_EQ(r.mask("key=t, ab1 and t"), "key=****, **** and ****");
  EXPECT_EQ(r.mask("GetParametersByPath of table ab12"), "GetParametersByPath of table ab12");
  EXPECT_EQ(r.mask("(t)"), "(****)");
}

TEST(Redactor, LongestIsTheLongestRegisteredPattern) {
  Redactor r;
  EXPECT_EQ(r.longest(), 0u);
  r.add("short1");
  EXPECT_EQ(r.longest(), 6u);
  r.add("a-much-longer-secret");
  EXPECT_EQ(r.longest(), 20u);
  r.add("tiny12");
  EXPECT_EQ(r.longest(), 20u);
  r.add("line-one\nline-two\n");  // 18 with its newline
  EXPECT_EQ(r.longest(), 20u);
  r.add("0123456789\n0123456789\n");  // 22 with the newline
  EXPECT_EQ(r.longest(), 22u);
}

TEST(Redactor, LongerSecretWinsOverItsSubstring) {
  Redactor r;
  r.add("abc123");
  r.add("abc123xyz789");
  EXPECT_EQ(r.mask("v=abc123xyz789"), "v=****");
  EXPECT_EQ(r.mask("v=abc123"), "v=****");
}

TEST(Redactor, ClearForgetsEverything) {
  Redactor r;
  r.add("s3cr3t-value");
  r.clear();
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.longest(), 0u);
  EXPECT_EQ(r.mask("s3cr3t-value"), "s3cr3t-value");
}

TEST(Redactor, ProcessWideInstanceIsShared) {
  redactor().add("process-wide-secret");
  EXPECT_EQ(redactor().mask("x process-wide-secret"), "x ****");
  redactor().clear();
  EXPECT_TRUE(redactor().empty());
}

// ---- edit distance and spellcheck ---------------------------------------------------

TEST(UtilEditDistance, Levenshtein) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("abc", ""), 3);
  EXPECT_EQ(edit_distance("same", "same"), 0);
  EXPECT_EQ(edit_distance("ab", "ba"), 2);  // a swap is two edits
}

TEST(UtilEditDistance, SpellcheckSuggestsTheClosestCloseEnoughCandidate) {
  std::vector<std::string> keys = {"pipeline", "commands", "foreach", "fork", "description"};
  EXPECT_EQ(spellcheck("pipline", keys), "pipeline");
  EXPECT_EQ(spellcheck("comands", keys), "commands");
  EXPECT_EQ(spellcheck("descripton", keys), "description");
  EXPECT_EQ(spellcheck("frok", keys), "");  // 2 edits is too many for a 4-letter word
  EXPECT_EQ(spellcheck("forc", keys), "fork");
  EXPECT_EQ(spellcheck("zzzzzzzz", keys), "");
  EXPECT_EQ(spellcheck("pipeline", {}), "");
}

// ---- strings ------------------------------------------------------------------------

TEST(UtilStrings, Trim) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\n "), "");
}

TEST(UtilStrings, SplitKeepsEmptyFields) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("a,b,", ','), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(split("abc", ','), (std::vector<std::string>{"abc"}));
}

TEST(UtilStrings, ShellQuoteForm) {
  EXPECT_EQ(shell_quote("abc"), "'abc'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

/// What /bin/sh prints for `printf %s <word>`.
std::string sh_printf(const std::string& word) {
  std::string command = "printf %s " + word;
  FILE* f = ::popen(command.c_str(), "r");
  if (!f) return "<popen failed>";
  std::string out;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

TEST(UtilStrings, ShellQuoteSurvivesTheShell) {
  for (std::string s : {"plain", "two words", "it's", "$HOME `id` $(id)", "a\\b \"q\" *?[x] ~ ; | &",
                        "''", "line1\nline2"}) {
    EXPECT_EQ(sh_printf(shell_quote(s)), s) << s;
  }
}

// ---- files --------------------------------------------------------------------------

TEST(UtilFs, IsWithinAcceptsPathsInsideRoot) {
  TempDir d;
  EXPECT_TRUE(is_within(d.path() / "a", d.path()));
  EXPECT_TRUE(is_within(d.path() / "a" / "b" / "c.txt", d.path()));
  EXPECT_TRUE(is_within(d.path() / "a" / ".." / "b", d.path()));
}

TEST(UtilFs, IsWithinRejectsDotDotEscapes) {
  TempDir d;
  EXPECT_FALSE(is_within(d.path() / "..", d.path()));
  EXPECT_FALSE(is_within(d.path() / ".." / "other", d.path()));
  EXPECT_FALSE(is_within(d.path() / "a" / ".." / ".." / "etc", d.path()));
}

TEST(UtilFs, IsWithinRejectsAbsolutePathsOutside) {
  TempDir d;
  EXPECT_FALSE(is_within("/etc/passwd", d.path()));
  EXPECT_FALSE(is_within("/", d.path()));
  // A sibling whose name merely starts with root's name is outside.
  fs::path sibling = d.path().string() + "x/file";
  EXPECT_FALSE(is_within(sibling, d.path()));
}

TEST(UtilFs, WriteFileAtomicCreatesWithTheModeAsked) {
  TempDir d;
  UmaskGuard umask(022);
  fs::path p = d.path() / "secret.json";
  write_file_atomic(p, "{\"k\": 1}\n", 0600);
  EXPECT_EQ(mode_of(p), 0600);
  EXPECT_EQ(read_file(p), "{\"k\": 1}\n");
  // Nothing else left in the folder (no temp file).
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(UtilFs, WriteFileAtomicReplacesAndNarrowsAnExistingFile) {
  TempDir d;
  UmaskGuard umask(0);
  fs::path p = d.path() / "f.txt";
  write_file_atomic(p, "old", 0644);
  EXPECT_EQ(mode_of(p), 0644);
  write_file_atomic(p, "new", 0600);
  EXPECT_EQ(mode_of(p), 0600);
  EXPECT_EQ(read_file(p), "new");
}

TEST(UtilFs, WriteFileAtomicAppliesTheModeWhateverTheUmask) {
  TempDir d;
  UmaskGuard umask(077);
  fs::path p = d.path() / "f.txt";
  write_file_atomic(p, "x", 0640);
  EXPECT_EQ(mode_of(p), 0640);
}

TEST(UtilFs, WriteFileAtomicFailsIntoAMissingFolder) {
  TempDir d;
  EXPECT_THROW(write_file_atomic(d.path() / "no" / "such" / "f.txt", "x", 0600), Error);
}

}  // namespace
}  // namespace handoff::util
