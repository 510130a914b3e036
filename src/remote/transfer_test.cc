#include "remote/transfer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "remote/artifacts.h"
#include "remote/pool.h"
#include "store/local_store.h"
#include "util/error.h"
#include "util/fs.h"

namespace handoff::remote {
namespace {

namespace fs = std::filesystem;

class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl_path[] = "/tmp/handoff-transfer-test-XXXXXX";
    root_ = ::mkdtemp(tmpl_path);
    store_ = std::make_unique<store::LocalObjectStore>(root_ / "store");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& p, const std::string& text) {
    util::make_dirs(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  std::string read(const fs::path& p) { return util::read_file(p); }

  fs::path root_;
  std::unique_ptr<store::LocalObjectStore> store_;
};

TEST_F(TransferTest, UploadSkipsUnchangedAndDownloadToo) {
  write(root_ / "src/a.txt", "a");
  write(root_ / "src/sub/b.txt", "bb");
  write(root_ / "src/.hidden", "h");
  EtagCache cache(root_ / "cache.json");
  TransferOptions o;
  o.cache = &cache;
  auto r = upload_dir(*store_, "bkt", root_ / "src", "t/files/", o);
  EXPECT_EQ(summary(r, "uploaded").substr(0, 34), "3 uploaded, 0 unchanged, 4 bytes, ");
  r = upload_dir(*store_, "bkt", root_ / "src", "t/files/", o);
  EXPECT_EQ(r.transferred, 0u);
  EXPECT_EQ(r.unchanged, 3u);
  auto d = download_prefix(*store_, "bkt", "t/files/", root_ / "dst", o);
  EXPECT_EQ(d.transferred, 3u);
  EXPECT_EQ(read(root_ / "dst/sub/b.txt"), "bb");
  d = download_prefix(*store_, "bkt", "t/files/", root_ / "dst", o);
  EXPECT_EQ(d.transferred, 0u);
  EXPECT_EQ(d.unchanged, 3u);
  EXPECT_TRUE(fs::exists(root_ / "cache.json"));
}

TEST_F(TransferTest, PrefixDoesNotMatchSiblings) {
  write(root_ / "one.txt", "1");
  store_->put_file("bkt", "t/files/x.txt", root_ / "one.txt", "");
  store_->put_file("bkt", "t/files_old/y.txt", root_ / "one.txt", "");
  auto d = download_prefix(*store_, "bkt", "t/files/", root_ / "dst", {});
  EXPECT_EQ(d.transferred, 1u);
  EXPECT_FALSE(fs::exists(root_ / "dst/y.txt"));
}

TEST_F(TransferTest, RefusedKeysAreListed) {
  TransferResult r;
  r.refused = {"t/files/../x: it has a '..' segment"};
  try {
    fail_on_refused(r, "bkt", "t/files/");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "refused 1 object key(s) under 's3://bkt/t/files/' that would be written outside the target "
                 "folder:\n  t/files/../x: it has a '..' segment");
    EXPECT_EQ(e.exit_code(), 1);
  }
}

TEST(Pool, FirstFailureCancelsTheRestAndCounts) {
  std::atomic<int> ran{0};
  try {
    run_parallel(100, 1, [&](size_t i) {
      ++ran;
      if (i == 3) throw Error("object 'x' failed", "retry");
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "object 'x' failed (0 other transfer(s) failed, 96 cancelled)");
    EXPECT_EQ(e.hint(), "retry");
  }
  EXPECT_EQ(ran.load(), 4);
  std::atomic<int> sum{0};
  run_parallel(50, 8, [&](size_t i) { sum += static_cast<int>(i); });
  EXPECT_EQ(sum.load(), 1225);
}

TEST_F(TransferTest, PushArtifactsPublishesArchiveThenLastWithManifests) {
  write(root_ / "ws/artifacts/a.txt", "a");
  write(root_ / "ws/artifacts/b.txt", "b");
  Layout l;
  l.bucket = "bkt";
  l.resource_group = "rg";
  l.task = "t";
  auto r = push_artifacts(*store_, l, root_ / "ws", {});
  EXPECT_EQ(r.upload.transferred, 2u);
  EXPECT_EQ(r.copied, 2u);
  EXPECT_TRUE(store_->head("bkt", "t/artifacts/last/_handoff_manifest.json"));
  EXPECT_TRUE(store_->head("bkt", "t/artifacts/archives/" + r.timestamp + "/_handoff_manifest.json"));
  EXPECT_FALSE(store_->head("bkt", "t/artifacts/_handoff_lock"));
  fs::remove(root_ / "ws/artifacts/b.txt");
  r = push_artifacts(*store_, l, root_ / "ws", {});
  EXPECT_EQ(r.copied, 0u);   // a.txt unchanged in last/
  EXPECT_EQ(r.deleted, 1u);  // b.txt is stale
  auto got = get_artifacts(*store_, l, root_ / "ws2", {});
  EXPECT_EQ(got.transferred, 1u);
  EXPECT_EQ(read(root_ / "ws2/artifacts/a.txt"), "a");
}

TEST_F(TransferTest, LeaseHeldThenStale) {
  Lease first(*store_, "bkt", "t/artifacts/_handoff_lock");
  try {
    Lease second(*store_, "bkt", "t/artifacts/_handoff_lock", std::chrono::minutes(15), std::chrono::seconds(0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "another artifacts push holds the lease 's3://bkt/t/artifacts/_handoff_lock'");
  }
  // Stale after 0 s: taken over.
  Lease third(*store_, "bkt", "t/artifacts/_handoff_lock", std::chrono::seconds(-1), std::chrono::seconds(0));
  third.release();
  EXPECT_FALSE(store_->head("bkt", "t/artifacts/_handoff_lock"));
}

}  // namespace
}  // namespace handoff::remote
