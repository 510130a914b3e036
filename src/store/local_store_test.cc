#include "store/local_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/object_key.h"
#include "util/error.h"
#include "util/fs.h"

namespace handoff::store {
namespace {

namespace fs = std::filesystem;

template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string md5_hex(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    static const char* k_digits = "0123456789abcdef";
    hex += k_digits[out[i] >> 4];
    hex += k_digits[out[i] & 15];
  }
  return hex;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Each test gets its own folder, removed in TearDown (which runs even when an
// assertion failed): the store's root and, apart from it, the key file.
class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/handoff-store-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "data" / "store";
    key_ = base_ / "config" / "handoff" / "store.key";
    params_ = std::make_unique<LocalParameterStore>(root_, key_);
    objects_ = std::make_unique<LocalObjectStore>(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(base_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(base_, ec);
  }

  // Every regular file under root_ whose bytes contain needle.
  std::vector<fs::path> files_containing(const std::string& needle) {
    std::vector<fs::path> hits;
    for (const auto& entry : fs::recursive_directory_iterator(root_)) {
      if (!entry.is_regular_file()) continue;
      if (util::read_file(entry.path()).find(needle) != std::string::npos) hits.push_back(entry.path());
    }
    return hits;
  }

  fs::path local_file(const std::string& name, const std::string& content) {
    fs::path p = base_ / "in" / name;
    fs::create_directories(p.parent_path());
    write_text(p, content);
    return p;
  }

  fs::path base_, root_, key_;
  std::unique_ptr<LocalParameterStore> params_;
  std::unique_ptr<LocalObjectStore> objects_;
};

// --- parameters ---------------------------------------------------------------

TEST_F(LocalStoreTest, StringParameterRoundTrip) {
  EXPECT_EQ(params_->put("/handoff/rg/task/user", "alice", ParameterType::string,
                         ParameterTier::standard, false),
            1);
  auto p = params_->get("/handoff/rg/task/user", true);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "/handoff/rg/task/user");
  EXPECT_EQ(p->value, "alice");
  EXPECT_EQ(p->type, ParameterType::string);
  EXPECT_EQ(p->tier, ParameterTier::standard);
  EXPECT_EQ(p->version, 1);
  auto age = Clock::now() - p->last_modified;
  EXPECT_LT(age, std::chrono::minutes(1));
  EXPECT_GE(age, std::chrono::milliseconds(-5));
  EXPECT_TRUE(fs::is_regular_file(root_ / "params" / "handoff" / "rg" / "task" / "user@.json"));
  EXPECT_FALSE(fs::exists(key_)) << "no key is needed for String parameters";
}

TEST_F(LocalStoreTest, FlatNamesAreSeparateFromRootLevelNames) {
  params_->put("stack_config", "flat", ParameterType::string, ParameterTier::standard, false);
  params_->put("/stack_config", "rooted", ParameterType::string, ParameterTier::standard, false);
  EXPECT_EQ(params_->get("stack_config", false)->value, "flat");
  EXPECT_EQ(params_->get("/stack_config", false)->value, "rooted");
  auto all = params_->get_by_path("/", true, false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "/stack_config");
}

TEST_F(LocalStoreTest, VersionsIncrementAndOverwriteIsRequired) {
  const std::string name = "/handoff/rg/key";
  EXPECT_EQ(params_->put(name, "v1", ParameterType::string, ParameterTier::standard, false), 1);
  EXPECT_EQ(params_->put(name, "v2", ParameterType::secure_string, ParameterTier::advanced, true), 2);
  EXPECT_EQ(error_of([&] { params_->put(name, "v3", ParameterType::string, ParameterTier::standard, false); }),
            "parameter '/handoff/rg/key' already exists");
  EXPECT_EQ(params_->put(name, "v3", ParameterType::string, ParameterTier::standard, true), 3);
  auto p = params_->get(name, true);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value, "v3");
  EXPECT_EQ(p->version, 3);
  EXPECT_EQ(p->tier, ParameterTier::standard);  // stored as given
}

TEST_F(LocalStoreTest, AbsentParametersAreNotErrors) {
  EXPECT_FALSE(params_->get("/handoff/none", true));
  EXPECT_FALSE(params_->remove("/handoff/none"));
  EXPECT_TRUE(params_->get_by_path("/handoff/none", true, true).empty());
  params_->put("/handoff/x", "1", ParameterType::string, ParameterTier::standard, false);
  EXPECT_TRUE(params_->remove("/handoff/x"));
  EXPECT_FALSE(params_->get("/handoff/x", false));
  EXPECT_FALSE(params_->remove("/handoff/x"));
  // History goes with the parameter, as in SSM: a new one starts at 1.
  EXPECT_EQ(params_->put("/handoff/x", "1", ParameterType::string, ParameterTier::standard, false), 1);
}

TEST_F(LocalStoreTest, GetByPathReturnsDirectChildrenUnlessRecursive) {
  for (const char* name : {"/handoff/rg/b", "/handoff/rg/a", "/handoff/rg/task/c", "/handoff/rg/task/deep/d",
                           "/handoff/rg", "/handoff/rg2/e", "/other/f"}) {
    params_->put(name, name, ParameterType::secure_string, ParameterTier::standard, false);
  }
  auto names = [](const std::vector<Parameter>& ps) {
    std::vector<std::string> out;
    for (const auto& p : ps) out.push_back(p.name);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(params_->get_by_path("/handoff/rg", false, true)), (V{"/handoff/rg/a", "/handoff/rg/b"}));
  EXPECT_EQ(names(params_->get_by_path("/handoff/rg/", false, true)), (V{"/handoff/rg/a", "/handoff/rg/b"}));
  EXPECT_EQ(names(params_->get_by_path("/handoff/rg", true, true)),
            (V{"/handoff/rg/a", "/handoff/rg/b", "/handoff/rg/task/c", "/handoff/rg/task/deep/d"}));
  EXPECT_EQ(names(params_->get_by_path("/handoff", false, true)), (V{"/handoff/rg"}));
  EXPECT_EQ(names(params_->get_by_path("/", false, true)), V{});
  EXPECT_EQ(params_->get_by_path("/handoff/rg", false, true)[0].value, "/handoff/rg/a");
}

TEST_F(LocalStoreTest, GetByPathReturnsMoreThanOnePageOfTen) {
  for (int i = 0; i < 23; ++i) {
    params_->put("/handoff/rg/k" + std::to_string(100 + i), "v", ParameterType::string,
                 ParameterTier::standard, false);
  }
  EXPECT_EQ(params_->get_by_path("/handoff/rg", false, false).size(), 23u);
}

TEST_F(LocalStoreTest, SizeLimitsAreCheckedBeforeAnythingIsWritten) {
  std::string kb39(3994, 'a'), kb5(5120, 'b'), kb9(9216, 'c');
  EXPECT_EQ(params_->put("/s/ok", kb39, ParameterType::secure_string, ParameterTier::standard, false), 1);
  EXPECT_EQ(params_->get("/s/ok", true)->value, kb39);

  EXPECT_EQ(error_of([&] { params_->put("/s/five", kb5, ParameterType::secure_string, ParameterTier::standard, false); }),
            "parameter '/s/five' is 5120 bytes, over the Standard tier's limit of 4096 bytes (nothing was written)");
  EXPECT_FALSE(fs::exists(params_->file_of("/s/five")));
  EXPECT_EQ(params_->put("/s/five", kb5, ParameterType::secure_string, ParameterTier::advanced, false), 1);
  EXPECT_EQ(params_->get("/s/five", true)->tier, ParameterTier::advanced);

  for (auto tier : {ParameterTier::standard, ParameterTier::advanced}) {
    EXPECT_NE(error_of([&] { params_->put("/s/nine", kb9, ParameterType::secure_string, tier, false); }), "");
    EXPECT_FALSE(fs::exists(params_->file_of("/s/nine")));
  }
  // An over-limit overwrite leaves the old version in place.
  EXPECT_NE(error_of([&] { params_->put("/s/ok", kb9, ParameterType::string, ParameterTier::advanced, true); }), "");
  EXPECT_EQ(params_->get("/s/ok", true)->version, 1);
  EXPECT_TRUE(files_containing(std::string(100, 'c')).empty());
}

TEST_F(LocalStoreTest, SecureStringIsNeverOnDiskInPlainText) {
  const std::string secret = "s3cr3t-Value-\xc3\xa9-that-must-not-leak";
  params_->put("/handoff/rg/password", secret, ParameterType::secure_string, ParameterTier::standard, false);
  params_->put("/handoff/rg/password", secret, ParameterType::secure_string, ParameterTier::standard, true);
  EXPECT_TRUE(files_containing(secret).empty());
  EXPECT_TRUE(files_containing("s3cr3t").empty());
  EXPECT_EQ(params_->get("/handoff/rg/password", true)->value, secret);
  auto sealed = params_->get("/handoff/rg/password", false);
  EXPECT_NE(sealed->value, secret);
  EXPECT_EQ(sealed->type, ParameterType::secure_string);
  // A fresh nonce per write: the same value seals differently each time.
  params_->put("/handoff/rg/password2", secret, ParameterType::secure_string, ParameterTier::standard, false);
  EXPECT_NE(params_->get("/handoff/rg/password2", false)->value, sealed->value);
}

TEST_F(LocalStoreTest, AReplacedKeyIsNamedAndTheValueIsNotShown) {
  const std::string secret = "hunter2-hunter2";
  params_->put("/handoff/rg/password", secret, ParameterType::secure_string, ParameterTier::standard, false);
  std::string sealed = params_->get("/handoff/rg/password", false)->value;
  fs::remove(key_);
  LocalParameterStore fresh(root_, key_);
  fresh.put("/handoff/rg/other", "x", ParameterType::secure_string, ParameterTier::standard, false);  // new key
  std::string message, hint;
  try {
    fresh.get("/handoff/rg/password", true);
  } catch (const Error& e) {
    message = e.what();
    hint = e.hint();
  }
  EXPECT_EQ(message, "cannot decrypt parameter '/handoff/rg/password' with '" + key_.string() +
                         "': it was encrypted under another key");
  EXPECT_EQ(hint, "restore the key file that the store was written with, or push the parameter again");
  EXPECT_EQ(message.find(secret), std::string::npos);
  EXPECT_EQ(message.find(sealed), std::string::npos);

  // Same key id but tampered ciphertext: also refused.
  auto file = fresh.file_of("/handoff/rg/other");
  auto doc = nlohmann::json::parse(util::read_file(file));
  std::string s = doc["secret"];
  s[30] = s[30] == 'A' ? 'B' : 'A';
  doc["secret"] = s;
  util::write_file_atomic(file, doc.dump(), 0600);
  EXPECT_NE(error_of([&] { fresh.get("/handoff/rg/other", true); }).find("cannot decrypt parameter"),
            std::string::npos);
}

TEST_F(LocalStoreTest, MissingKeyFileIsAClearError) {
  params_->put("/handoff/p", "v", ParameterType::secure_string, ParameterTier::standard, false);
  fs::remove(key_);
  LocalParameterStore fresh(root_, key_);
  EXPECT_EQ(error_of([&] { fresh.get("/handoff/p", true); }),
            "the local store's key file '" + key_.string() + "' does not exist");
  EXPECT_TRUE(fresh.get("/handoff/p", false));  // reading without decryption needs no key
}

TEST_F(LocalStoreTest, KeyFileReadableByOthersIsRefused) {
  params_->put("/handoff/p", "v", ParameterType::secure_string, ParameterTier::standard, false);
  ASSERT_EQ(::chmod(key_.c_str(), 0644), 0);
  LocalParameterStore fresh(root_, key_);
  EXPECT_EQ(error_of([&] { fresh.get("/handoff/p", true); }),
            "key file '" + key_.string() + "' is readable by others (mode 644)");
}

TEST_F(LocalStoreTest, FilesAre0600AndFoldersAre0700) {
  mode_t old_umask = ::umask(022);  // a usual umask: the store must not depend on it
  params_->put("/handoff/rg/t/p", "v", ParameterType::secure_string, ParameterTier::standard, false);
  params_->put("flat", "v", ParameterType::string, ParameterTier::standard, false);
  objects_->put_file("bucket", "task/files/a b/c.txt", local_file("c.txt", "hello"), "text/plain");
  EXPECT_TRUE(objects_->put_if_absent("bucket", "task/_handoff_lock", "me"));
  EXPECT_EQ(mode_of(key_), 0600u);
  EXPECT_EQ(mode_of(key_.parent_path()), 0700u);
  EXPECT_EQ(mode_of(root_), 0700u);
  int files = 0, dirs = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_)) {
    if (entry.is_directory()) {
      EXPECT_EQ(mode_of(entry.path()), 0700u) << entry.path();
      ++dirs;
    } else {
      EXPECT_EQ(mode_of(entry.path()), 0600u) << entry.path();
      ++files;
    }
  }
  EXPECT_GE(files, 7);  // 2 params + 2 locks + 2 objects + their metadata
  EXPECT_GE(dirs, 8);
  ::umask(old_umask);
}

TEST_F(LocalStoreTest, ConcurrentWritersNeverLoseAVersion) {
  const std::string name = "/handoff/rg/counter";
  constexpr int k_per_process = 200;
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int rc = 0;
      try {
        LocalParameterStore store(root_, key_);
        for (int i = 0; i < k_per_process; ++i) {
          store.put(name, "writer " + std::to_string(c) + " #" + std::to_string(i),
                    ParameterType::secure_string, ParameterTier::standard, true);
          auto p = store.get(name, true);  // every version readable, never half-written
          if (!p || p->value.rfind("writer ", 0) != 0) rc = 2;
        }
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  auto p = params_->get(name, true);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, 2 * k_per_process);
  auto doc = nlohmann::json::parse(util::read_file(params_->file_of(name)));
  EXPECT_EQ(doc["version"], 2 * k_per_process);
}

TEST_F(LocalStoreTest, NamesWithDotLevelsCannotEscapeParams) {
  EXPECT_NE(error_of([&] { params_->put("/a/../../x", "v", ParameterType::string, ParameterTier::standard, false); }),
            "");
  EXPECT_FALSE(fs::exists(root_ / "x@.json"));
  EXPECT_FALSE(fs::exists(base_ / "data" / "x@.json"));
}

// --- objects ------------------------------------------------------------------

TEST_F(LocalStoreTest, ObjectRoundTripWithMd5Etag) {
  std::string content = "hello, world\n";
  auto info = objects_->put_file("bkt", "task/files/hello.txt", local_file("hello.txt", content), "text/plain");
  EXPECT_EQ(info.key, "task/files/hello.txt");
  EXPECT_EQ(info.size, content.size());
  EXPECT_EQ(info.etag, md5_hex(content));
  EXPECT_EQ(info.content_type, "text/plain");
  auto head = objects_->head("bkt", "task/files/hello.txt");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->etag, md5_hex(content));
  EXPECT_EQ(head->content_type, "text/plain");
  fs::path out = base_ / "out" / "deep" / "hello.txt";
  EXPECT_TRUE(objects_->get_to_file("bkt", "task/files/hello.txt", out));
  EXPECT_EQ(util::read_file(out), content);
  EXPECT_EQ(util::read_file(root_ / "objects" / "bkt" / "task" / "files" / "hello.txt"), content);
}

TEST_F(LocalStoreTest, LargeObjectsStreamAndKeepTheirEtag) {
  std::string content;
  for (int i = 0; content.size() < 5 * 1024 * 1024 + 17; ++i) content += std::to_string(i) + ",";
  auto info = objects_->put_file("bkt", "big.csv", local_file("big.csv", content), "");
  EXPECT_EQ(info.etag, md5_hex(content));
  fs::path out = base_ / "big.out";
  ASSERT_TRUE(objects_->get_to_file("bkt", "big.csv", out));
  EXPECT_EQ(util::read_file(out), content);
}

TEST_F(LocalStoreTest, AbsentObjectsAreNotErrors) {
  EXPECT_FALSE(objects_->head("bkt", "nope"));
  fs::path out = base_ / "keep.txt";
  write_text(out, "mine");
  EXPECT_FALSE(objects_->get_to_file("bkt", "nope", out));
  EXPECT_EQ(util::read_file(out), "mine");
  EXPECT_NO_THROW(objects_->remove("bkt", "nope"));
  EXPECT_TRUE(objects_->list("bkt", "").empty());
  EXPECT_EQ(objects_->remove_prefix("bkt", "x/"), 0u);
  EXPECT_EQ(error_of([&] { objects_->copy("bkt", "nope", "dst"); }), "cannot copy 's3://bkt/nope': no such object");
}

TEST_F(LocalStoreTest, KeysWithSpacesSymbolsAndUnicodeRoundTrip) {
  for (std::string key : {"t/files/a b.txt", "t/files/a+b=c%20d.txt", "t/files/\xe6\x97\xa5\xe6\x9c\xac/\xc3\xa9.txt",
                          "t/files/~tilde", "t/files/.hidden"}) {
    auto info = objects_->put_file("bkt", key, local_file("x", key), "");
    EXPECT_EQ(info.key, key);
    fs::path out = base_ / "o";
    ASSERT_TRUE(objects_->get_to_file("bkt", key, out)) << key;
    EXPECT_EQ(util::read_file(out), key);
  }
  EXPECT_EQ(objects_->list("bkt", "t/files/").size(), 5u);
}

TEST_F(LocalStoreTest, TraversalKeysAreRefusedAndNothingLeavesTheBucket) {
  fs::path src = local_file("evil", "evil");
  for (const std::string& key : std::vector<std::string>{"../x", "a/../../x", "..", "/etc/passwd", "a/./b", "a//b", "a\\..\\x", "dir/",
                          std::string("a\0b", 3), ""}) {
    EXPECT_NE(error_of([&] { objects_->put_file("bkt", key, src, ""); }), "") << key;
    EXPECT_NE(error_of([&] { objects_->put_if_absent("bkt", key, "x"); }), "") << key;
    EXPECT_NE(error_of([&] { objects_->get_to_file("bkt", key, base_ / "o"); }), "") << key;
    EXPECT_NE(error_of([&] { objects_->head("bkt", key); }), "") << key;
    EXPECT_NE(error_of([&] { objects_->remove("bkt", key); }), "") << key;
  }
  EXPECT_EQ(error_of([&] { objects_->put_file("bkt", "a/../../x", src, ""); }),
            "refusing object key 'a/../../x' in bucket 'bkt': it has a '..' segment");
  EXPECT_NE(error_of([&] { objects_->put_file("../bkt", "x", src, ""); }), "");
  EXPECT_NE(error_of([&] { objects_->put_file("a/b", "x", src, ""); }), "");
  EXPECT_FALSE(fs::exists(root_ / "objects" / "x"));
  EXPECT_FALSE(fs::exists(root_ / "x"));
  EXPECT_FALSE(fs::exists(base_ / "data" / "x"));
  EXPECT_EQ(unsafe_key_reason("a/b c+d=e%f"), std::nullopt);
}

TEST_F(LocalStoreTest, GetToFileOntoAFolderLeavesNoPartialFile) {
  objects_->put_file("bkt", "k", local_file("k", std::string(100000, 'k')), "");
  fs::path target = base_ / "out" / "target";
  fs::create_directories(target / "inside");
  EXPECT_NE(error_of([&] { objects_->get_to_file("bkt", "k", target); }), "");
  EXPECT_TRUE(fs::is_directory(target / "inside"));
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(base_ / "out")) left.push_back(e.path());
  EXPECT_EQ(left, std::vector<fs::path>{target});
}

TEST_F(LocalStoreTest, GetToFileFailingMidwayKeepsTheOldFile) {
  // A file-size limit makes write(2) fail with EFBIG after the first bytes:
  // a real mid-way failure, which root's permissions would not give us.
  objects_->put_file("bkt", "k", local_file("k", std::string(3 * 1024 * 1024, 'n')), "");
  fs::path target = base_ / "out" / "target";
  fs::create_directories(target.parent_path());
  write_text(target, "old content");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {1024 * 1024, 1024 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int rc = 3;
    try {
      objects_->get_to_file("bkt", "k", target);
      rc = 0;
    } catch (const Error& e) {
      rc = std::string(e.what()).find("File too large") != std::string::npos ? 1 : 2;
    }
    ::_exit(rc);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "expected the copy to fail with EFBIG";
  EXPECT_EQ(util::read_file(target), "old content");
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(target.parent_path())) left.push_back(e.path());
  EXPECT_EQ(left, std::vector<fs::path>{target});
}

TEST_F(LocalStoreTest, PutIfAbsentCreatesOnce) {
  EXPECT_TRUE(objects_->put_if_absent("bkt", "task/artifacts/_handoff_lock", "first"));
  EXPECT_FALSE(objects_->put_if_absent("bkt", "task/artifacts/_handoff_lock", "second"));
  fs::path out = base_ / "lease";
  ASSERT_TRUE(objects_->get_to_file("bkt", "task/artifacts/_handoff_lock", out));
  EXPECT_EQ(util::read_file(out), "first");
  EXPECT_EQ(objects_->head("bkt", "task/artifacts/_handoff_lock")->etag, md5_hex("first"));
  objects_->remove("bkt", "task/artifacts/_handoff_lock");
  EXPECT_TRUE(objects_->put_if_absent("bkt", "task/artifacts/_handoff_lock", "third"));
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(LocalStoreTest, PutIfAbsentHasOneWinnerAcrossProcesses) {
  constexpr int k_children = 6;
  std::vector<pid_t> children;
  for (int c = 0; c < k_children; ++c) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int rc = 2;
      try {
        LocalObjectStore store(root_);
        rc = store.put_if_absent("bkt", "lease", std::to_string(c)) ? 0 : 1;
      } catch (...) {
      }
      ::_exit(rc);
    }
    children.push_back(pid);
  }
  int winners = 0, losers = 0;
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) ++winners;
    if (WEXITSTATUS(status) == 1) ++losers;
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(losers, k_children - 1);
}

TEST_F(LocalStoreTest, ListIsSortedWithPlainStringPrefixes) {
  for (std::string key : {"t/files/b", "t/files/a/z", "t/files_old/x", "t/files/a/y", "t/filesx", "u/q"}) {
    objects_->put_file("bkt", key, local_file("f", key), "");
  }
  auto keys = [](const std::vector<ObjectInfo>& objects) {
    std::vector<std::string> out;
    for (const auto& o : objects) out.push_back(o.key);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys(objects_->list("bkt", "t/files/")), (V{"t/files/a/y", "t/files/a/z", "t/files/b"}));
  EXPECT_EQ(keys(objects_->list("bkt", "t/files")),
            (V{"t/files/a/y", "t/files/a/z", "t/files/b", "t/files_old/x", "t/filesx"}));
  EXPECT_EQ(keys(objects_->list("bkt", "")).size(), 6u);
  auto all = objects_->list("bkt", "t/files/a/y");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].etag, md5_hex("t/files/a/y"));
  EXPECT_EQ(all[0].size, 11u);
  EXPECT_EQ(objects_->remove_prefix("bkt", "t/files/"), 3u);
  EXPECT_EQ(keys(objects_->list("bkt", "")), (V{"t/files_old/x", "t/filesx", "u/q"}));
  EXPECT_FALSE(fs::exists(root_ / "objects" / "bkt" / "t" / "files")) << "empty folders are pruned";
}

TEST_F(LocalStoreTest, CopyKeepsContentEtagAndType) {
  objects_->put_file("bkt", "t/artifacts/last/out.csv", local_file("o", "a,b\n1,2\n"), "text/csv");
  objects_->copy("bkt", "t/artifacts/last/out.csv", "t/artifacts/archives/2021-04-07T05:20:14.567230/out.csv");
  auto info = objects_->head("bkt", "t/artifacts/archives/2021-04-07T05:20:14.567230/out.csv");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->etag, md5_hex("a,b\n1,2\n"));
  EXPECT_EQ(info->content_type, "text/csv");
  EXPECT_TRUE(objects_->head("bkt", "t/artifacts/last/out.csv"));
}

TEST_F(LocalStoreTest, StaleMetadataIsRecomputed) {
  objects_->put_file("bkt", "k", local_file("k", "one"), "text/plain");
  // Replace the object file behind the store's back (a crash between the
  // object's rename and its metadata's, or a second writer).
  util::write_file_atomic(root_ / "objects" / "bkt" / "k", "two, longer", 0600);
  auto info = objects_->head("bkt", "k");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->etag, md5_hex("two, longer"));
  EXPECT_EQ(info->size, 11u);
}

TEST_F(LocalStoreTest, AKeyAndAFolderOfTheSameNameCannotCoexist) {
  objects_->put_file("bkt", "a", local_file("a", "a"), "");
  std::string err = error_of([&] { objects_->put_file("bkt", "a/b", local_file("b", "b"), ""); });
  EXPECT_EQ(err.rfind("cannot store object 's3://bkt/a/b': ", 0), 0u) << err;
  EXPECT_EQ(util::read_file(root_ / "objects" / "bkt" / "a"), "a");
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

// --- locations ----------------------------------------------------------------

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(LocalStoreLocations, FollowTheEnvironmentAndXdg) {
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv dir("HO_STORE_DIR", nullptr);
    ScopedEnv data("XDG_DATA_HOME", nullptr);
    ScopedEnv config("XDG_CONFIG_HOME", nullptr);
    EXPECT_EQ(default_store_dir(), fs::path("/home/u/.local/share/handoff/store"));
    EXPECT_EQ(default_key_path(), fs::path("/home/u/.config/handoff/store.key"));
  }
  {
    ScopedEnv dir("HO_STORE_DIR", "");
    ScopedEnv data("XDG_DATA_HOME", "/x/data");
    ScopedEnv config("XDG_CONFIG_HOME", "/x/config");
    EXPECT_EQ(default_store_dir(), fs::path("/x/data/handoff/store"));
    EXPECT_EQ(default_key_path(), fs::path("/x/config/handoff/store.key"));
  }
  {
    ScopedEnv dir("HO_STORE_DIR", "/srv/store");
    ScopedEnv data("XDG_DATA_HOME", "relative/ignored");
    EXPECT_EQ(default_store_dir(), fs::path("/srv/store"));
  }
}

}  // namespace
}  // namespace handoff::store
