#include "history/remote.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "engine/run_record.h"
#include "history/cache.h"
#include "remote/artifacts.h"
#include "store/local_store.h"
#include "util/fs.h"

namespace handoff::history {
namespace {
namespace fs = std::filesystem;

/// The embedded store, counting downloads (to see what the cache saves).
class CountingStore : public store::LocalObjectStore {
 public:
  using LocalObjectStore::LocalObjectStore;
  bool get_to_file(const std::string& bucket, const std::string& key, const fs::path& local) override {
    ++gets;
    return LocalObjectStore::get_to_file(bucket, key, local);
  }
  std::atomic<int> gets{0};
};

class HistoryRemote : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/handoff-remote-history-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    store_ = std::make_unique<CountingStore>(root_ / "store");
    layout_.bucket = "handoff-dev-rg";
    layout_.resource_group = "dev-rg";
    layout_.task = "etl";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void put(const std::string& key, const std::string& text) {
    fs::path f = root_ / "upload";
    util::write_file_atomic(f, text, 0600);
    store_->put_file(layout_.bucket, key, f, "application/json");
  }
  std::string record_json(const std::string& id, double start) {
    engine::RunRecord r;
    r.id = id;
    r.stage = "dev";
    r.start = start;
    r.end = start + 1;
    engine::ProcessRecord p;
    p.task = "t";
    p.command = "true";
    p.start = start;
    p.end = start + 1;
    r.processes.push_back(p);
    return engine::to_json(r);
  }

  fs::path root_;
  std::unique_ptr<CountingStore> store_;
  remote::Layout layout_;
};

TEST_F(HistoryRemote, EachArchiveWithARecordIsARunWithItsManifestArtifacts) {
  std::string a = layout_.archives_prefix() + "2026-11-28T11:00:01.000000/";
  std::string b = layout_.archives_prefix() + "2026-11-28T12:00:01.000000/";
  std::string python = layout_.archives_prefix() + "2026-11-27T10:00:00.000000/";
  put(a + "out.csv", "1,2\n");
  put(a + remote::k_run_record_name, record_json("20261128T110000.000001Z", 1795950000));
  put(a + remote::k_manifest_name, R"({"format": 1, "files": [{"key": "out.csv", "size": 4, "etag": "x"}]})");
  put(b + "state.json", "{}");
  put(b + remote::k_run_record_name, record_json("20261128T120000.000001Z", 1795953600));
  put(python + "out.csv", "old");  // the Python tool's archive: no record, not a run
  put(layout_.last_prefix() + remote::k_run_record_name, record_json("20261128T120000.000001Z", 1795953600));

  ObjectCache cache(root_ / "ws" / ".handoff" / "history.sqlite");
  auto runs = list_remote(*store_, layout_, &cache);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].record.id, "20261128T110000.000001Z");
  EXPECT_EQ(runs[0].archive, "2026-11-28T11:00:01.000000");
  EXPECT_EQ(runs[0].source, "s3://handoff-dev-rg/" + a + remote::k_run_record_name);
  ASSERT_EQ(runs[0].artifacts.size(), 1u);
  EXPECT_EQ(runs[0].artifacts[0].key, "out.csv");
  EXPECT_EQ(runs[0].artifacts[0].size, 4);
  ASSERT_EQ(runs[1].artifacts.size(), 1u) << "no manifest: the archive's listing";
  EXPECT_EQ(runs[1].artifacts[0].key, "state.json");
  EXPECT_EQ(store_->gets.load(), 3) << "two records and one manifest, never an artifact";

  // Again: everything from the cache; a changed record is fetched anew.
  store_->gets = 0;
  EXPECT_EQ(list_remote(*store_, layout_, &cache).size(), 2u);
  EXPECT_EQ(store_->gets.load(), 0);
  put(b + remote::k_run_record_name, record_json("20261128T120000.000009Z", 1795953600));
  runs = list_remote(*store_, layout_, &cache);
  EXPECT_EQ(store_->gets.load(), 1);
  EXPECT_EQ(runs[1].record.id, "20261128T120000.000009Z");
}

TEST_F(HistoryRemote, ARecordPushedTwiceIsOneRunFromItsNewestArchive) {
  std::string rec = record_json("20261128T110000.000001Z", 1795950000);
  put(layout_.archives_prefix() + "2026-11-28T11:00:01.000000/" + remote::k_run_record_name, rec);
  put(layout_.archives_prefix() + "2026-11-28T11:05:00.000000/" + remote::k_run_record_name, rec);
  auto runs = list_remote(*store_, layout_, nullptr);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].archive, "2026-11-28T11:05:00.000000");
}

TEST_F(HistoryRemote, AnInvalidRecordIsSkipped) {
  put(layout_.archives_prefix() + "2026-11-28T11:00:01.000000/" + remote::k_run_record_name, "{oops");
  EXPECT_TRUE(list_remote(*store_, layout_, nullptr).empty());
}

}  // namespace
}  // namespace handoff::history
