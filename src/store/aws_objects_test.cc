// The AWS ObjectStore against a real moto_server on 127.0.0.1 (started here
// at a free port), cross-checked with awscli; plus two cases moto cannot
// produce (a corrupt download, a failing part) through a fake HttpClient.
// Without moto_server the moto tests skip, and fail when CI=true. (Keys with
// `.`/`..` segments are left out: moto normalizes them away for every client.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/s3.h"
#include "store/aws_store.h"
#include "store/etag.h"
#include "util/fs.h"
#include "util/strings.h"

extern char** environ;

namespace handoff::store {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const uint64_t k_mib = 1 << 20;

std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return {"", -1};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

bool ci() {
  const char* v = getenv("CI");
  return v != nullptr && std::string(v) == "true";
}

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(s);
    return 0;
  }
  close(s);
  return ntohs(a.sin_port);
}

bool can_connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

aws::Env env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::map<std::string, std::string> base_env(const std::string& endpoint) {
  std::map<std::string, std::string> e = {
      {"AWS_ACCESS_KEY_ID", "test"},
      {"AWS_SECRET_ACCESS_KEY", "test"},
      {"AWS_REGION", "us-east-1"},
      {"AWS_CONFIG_FILE", "/nonexistent/handoff-test-config"},
      {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/handoff-test-credentials"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
  };
  if (!endpoint.empty()) e["AWS_ENDPOINT_URL"] = endpoint;
  return e;
}

// A temp dir removed even when the test fails.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/handoff_awsobj_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_random(const fs::path& p, uint64_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::ofstream out(p, std::ios::binary);
  std::vector<uint64_t> buf(k_mib / 8);
  for (uint64_t done = 0; done < size; done += k_mib) {
    for (auto& x : buf) x = rng();
    out.write(reinterpret_cast<const char*>(buf.data()),
              static_cast<std::streamsize>(std::min(k_mib, size - done)));
  }
}

std::string md5_of_file(const fs::path& p) { return file_etag(p, 0, 0); }

long max_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// --- against moto ---------------------------------------------------------------

class AwsObjectStoreMoto : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (run("command -v moto_server >/dev/null 2>&1").second != 0) {
      unavailable_ = "moto_server is not installed (pip install 'moto[server]')";
      return;
    }
    port_ = free_port();
    ASSERT_NE(port_, 0);
    log_ = "/tmp/handoff_moto_" + std::to_string(getpid()) + ".log";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    std::string port = std::to_string(port_);
    const char* argv[] = {"moto_server", "-H", "127.0.0.1", "-p", port.c_str(), nullptr};
    int rc = posix_spawnp(&pid_, "moto_server", &fa, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    ASSERT_EQ(rc, 0) << "cannot start moto_server";
    for (int i = 0; i < 200 && !can_connect(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(can_connect(port_)) << "moto_server did not listen; see " << log_;
    endpoint_ = "http://127.0.0.1:" + port;
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = 0;
    }
  }

  void SetUp() override {
    if (!unavailable_.empty()) {
      if (ci()) FAIL() << unavailable_ << " (required when CI=true)";
      GTEST_SKIP() << unavailable_;
    }
    static std::atomic<int> n{0};
    bucket_ = "ho-test-" + std::to_string(getpid()) + "-" + std::to_string(n++);
    auto [out, status] = awscli("s3 mb s3://" + bucket_);
    ASSERT_EQ(status, 0) << out;
    aws::ClientConfig config;
    config.env = env_of(base_env(endpoint_));
    client_ = std::make_shared<aws::Client>(config);
    store_ = make_aws_object_store(client_);
  }

  static std::pair<std::string, int> awscli(const std::string& args) {
    return run("AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 "
               "AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent "
               "aws --endpoint-url " +
               endpoint_ + " " + args + " 2>&1");
  }
  static nlohmann::json awscli_json(const std::string& args) {
    auto [out, status] = awscli(args + " --output json");
    EXPECT_EQ(status, 0) << out;
    if (out.empty()) return nlohmann::json::object();
    return nlohmann::json::parse(out);
  }

  static inline std::string unavailable_;
  static inline pid_t pid_ = 0;
  static inline int port_ = 0;
  static inline std::string endpoint_;
  static inline std::string log_;
  std::string bucket_;
  std::shared_ptr<aws::Client> client_;
  std::unique_ptr<ObjectStore> store_;
  TempDir dir_;
};

TEST_F(AwsObjectStoreMoto, MultipartRoundTripOf40MiB) {
  const fs::path src = dir_.path() / "big.bin";
  write_random(src, 40 * k_mib, 1);
  const std::string want = file_etag(src, store_->multipart_threshold(), store_->multipart_part_size());
  EXPECT_EQ(store_->multipart_threshold(), 16 * k_mib);
  EXPECT_EQ(store_->multipart_part_size(), 8 * k_mib);
  ASSERT_TRUE(want.ends_with("-5")) << want;

  const long rss0 = max_rss_kib();
  auto t0 = Clock::now();
  ObjectInfo put = store_->put_file(bucket_, "dir/big file.bin", src, "application/x-test");
  auto t1 = Clock::now();
  const fs::path dst = dir_.path() / "out/sub/big.bin";
  ASSERT_TRUE(store_->get_to_file(bucket_, "dir/big file.bin", dst));
  auto t2 = Clock::now();
  const long rss1 = max_rss_kib();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "[ measure ] 40 MiB put " << ms(t1 - t0) << " ms, get " << ms(t2 - t1)
            << " ms, peak RSS " << rss1 / 1024 << " MiB (grew " << (rss1 - rss0) / 1024
            << " MiB)\n";

  EXPECT_EQ(put.etag, want);
  EXPECT_EQ(put.size, 40 * k_mib);
  EXPECT_EQ(md5_of_file(dst), md5_of_file(src));
  EXPECT_LT(rss1 - rss0, 24 * 1024) << "memory is not flat";
  // No temp file left beside the target.
  EXPECT_EQ(std::distance(fs::directory_iterator(dst.parent_path()), fs::directory_iterator()), 1);

  std::optional<ObjectInfo> h = store_->head(bucket_, "dir/big file.bin");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->etag, want);
  EXPECT_EQ(h->size, 40 * k_mib);
  EXPECT_EQ(h->content_type, "application/x-test");
  nlohmann::json cli =
      awscli_json("s3api head-object --bucket " + bucket_ + " --key 'dir/big file.bin'");
  EXPECT_EQ(cli["ETag"], "\"" + want + "\"");
  EXPECT_EQ(cli["ContentLength"], 40 * k_mib);
  // No multipart upload left open.
  nlohmann::json uploads = awscli_json("s3api list-multipart-uploads --bucket " + bucket_);
  EXPECT_FALSE(uploads.contains("Uploads") && !uploads["Uploads"].empty()) << uploads.dump();
}

TEST_F(AwsObjectStoreMoto, SmallPutGetHeadIsPlainMd5) {
  const fs::path src = dir_.path() / "small.csv";
  util::write_file_atomic(src, "a,b\n1,2\n");
  ObjectInfo put = store_->put_file(bucket_, "t/files/small.csv", src, "text/csv");
  EXPECT_EQ(put.etag, md5_hex("a,b\n1,2\n"));
  ASSERT_TRUE(store_->get_to_file(bucket_, "t/files/small.csv", dir_.path() / "got.csv"));
  EXPECT_EQ(util::read_file(dir_.path() / "got.csv"), "a,b\n1,2\n");
  auto [body, status] = awscli("s3 cp s3://" + bucket_ + "/t/files/small.csv -");
  EXPECT_EQ(body, "a,b\n1,2\n");
  // An empty file, too.
  const fs::path empty = dir_.path() / "empty";
  util::write_file_atomic(empty, "");
  EXPECT_EQ(store_->put_file(bucket_, "empty", empty, "").etag, md5_hex(""));
  ASSERT_TRUE(store_->get_to_file(bucket_, "empty", dir_.path() / "empty.got"));
  EXPECT_EQ(fs::file_size(dir_.path() / "empty.got"), 0u);
}

TEST_F(AwsObjectStoreMoto, ListsAndDeletes1100KeysFrom8Threads) {
  const fs::path src = dir_.path() / "one";
  util::write_file_atomic(src, "x");
  std::vector<std::string> keys;
  for (int i = 0; i < 1100; ++i) keys.push_back("p/" + std::to_string(10000 + i));
  keys.push_back("q/outside");
  std::atomic<size_t> next{0};
  std::atomic<int> errors{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < keys.size(); i = next++) {
          try {
            store_->put_file(bucket_, keys[i], src, "");
          } catch (const std::exception& e) {
            std::cerr << e.what() << "\n";
            errors++;
          }
        }
      });
    }
  }
  ASSERT_EQ(errors, 0);
  std::vector<ObjectInfo> listed = store_->list(bucket_, "p/");
  ASSERT_EQ(listed.size(), 1100u);
  EXPECT_EQ(listed.front().key, "p/10000");
  EXPECT_EQ(listed.back().key, "p/11099");
  EXPECT_EQ(listed.front().etag, md5_hex("x"));
  EXPECT_EQ(listed.front().size, 1u);
  nlohmann::json cli = awscli_json("s3api list-objects-v2 --bucket " + bucket_ + " --prefix p/");
  EXPECT_EQ(cli["Contents"].size(), 1100u);

  EXPECT_EQ(store_->remove_prefix(bucket_, "p/"), 1100u);
  EXPECT_TRUE(store_->list(bucket_, "p/").empty());
  std::vector<ObjectInfo> rest = store_->list(bucket_, "");
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].key, "q/outside");
}

TEST_F(AwsObjectStoreMoto, CopyHeadRemove) {
  const fs::path src = dir_.path() / "f";
  util::write_file_atomic(src, "content");
  store_->put_file(bucket_, "a/src key+1.txt", src, "text/plain");
  store_->copy(bucket_, "a/src key+1.txt", "b/dst=2~%.txt");
  std::optional<ObjectInfo> h = store_->head(bucket_, "b/dst=2~%.txt");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->etag, md5_hex("content"));
  EXPECT_EQ(h->size, 7u);
  auto [body, status] = awscli("s3 cp 's3://" + bucket_ + "/b/dst=2~%.txt' -");
  EXPECT_EQ(body, "content");

  store_->remove(bucket_, "b/dst=2~%.txt");
  EXPECT_FALSE(store_->head(bucket_, "b/dst=2~%.txt"));
  store_->remove(bucket_, "b/dst=2~%.txt");  // absent: not an error
  try {
    store_->copy(bucket_, "no/such", "x");
    FAIL() << "copy of an absent key did not throw";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "NoSuchKey") << e.what();
    EXPECT_NE(std::string(e.what()).find("s3://" + bucket_ + "/no/such"), std::string::npos)
        << e.what();
  }
}

TEST_F(AwsObjectStoreMoto, PutIfAbsentTwice) {
  EXPECT_TRUE(store_->put_if_absent(bucket_, "t/_handoff_lock", "{\"owner\": 1}"));
  EXPECT_FALSE(store_->put_if_absent(bucket_, "t/_handoff_lock", "{\"owner\": 2}"));
  auto [body, status] = awscli("s3 cp s3://" + bucket_ + "/t/_handoff_lock -");
  EXPECT_EQ(body, "{\"owner\": 1}");
}

TEST_F(AwsObjectStoreMoto, HostileKeysSurviveARoundTrip) {
  const std::vector<std::string> keys = {
      "h/my key.txt",     "h/a+b.txt",  "h/a=b.txt",    "h/tilde~.txt",
      "h/100%.txt",       "h/%41%2F",   "h/a&b<c>'\"",  "h/donn\xc3\xa9" "es/\xe6\x97\xa5\xe6\x9c\xac.txt",
      "h/\xf0\x9f\x9a\x80 rocket", "h/semi;colon,comma!*()", "h/a//double",
  };
  const fs::path src = dir_.path() / "f";
  for (const std::string& k : keys) {
    util::write_file_atomic(src, k);
    store_->put_file(bucket_, k, src, "");
  }
  std::vector<ObjectInfo> listed = store_->list(bucket_, "h/");
  std::set<std::string> want(keys.begin(), keys.end()), got;
  for (const ObjectInfo& o : listed) got.insert(o.key);
  EXPECT_EQ(got, want);
  for (const std::string& k : keys) {
    const fs::path out = dir_.path() / "got";
    ASSERT_TRUE(store_->get_to_file(bucket_, k, out)) << k;
    EXPECT_EQ(util::read_file(out), k);
    EXPECT_TRUE(store_->head(bucket_, k)) << k;
  }
  nlohmann::json cli = awscli_json("s3api list-objects-v2 --bucket " + bucket_ + " --prefix h/");
  std::set<std::string> cli_keys;
  for (const auto& o : cli["Contents"]) cli_keys.insert(o["Key"].get<std::string>());
  EXPECT_EQ(cli_keys, want);
  EXPECT_EQ(store_->remove_prefix(bucket_, "h/"), keys.size());
}

TEST_F(AwsObjectStoreMoto, MissingObjectLeavesTargetUntouched) {
  const fs::path dst = dir_.path() / "keep.txt";
  util::write_file_atomic(dst, "old");
  EXPECT_FALSE(store_->get_to_file(bucket_, "no/such/key", dst));
  EXPECT_EQ(util::read_file(dst), "old");
  EXPECT_FALSE(store_->head(bucket_, "no/such/key"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 1);
}

TEST_F(AwsObjectStoreMoto, NoSuchBucketSaysWhatToDo) {
  for (int op = 0; op < 2; ++op) {
    try {
      if (op == 0) store_->list("ho-no-such-bucket", "");
      if (op == 1) store_->get_to_file("ho-no-such-bucket", "k", dir_.path() / "x");
      FAIL() << "no throw";
    } catch (const aws::AwsError& e) {
      EXPECT_EQ(e.code(), "NoSuchBucket");
      EXPECT_NE(e.hint().find("HO_BUCKET"), std::string::npos) << e.hint();
      EXPECT_NE(std::string(e.what()).find("s3://ho-no-such-bucket"), std::string::npos)
          << e.what();
    }
  }
}

// --- through a fake HttpClient: what moto cannot be made to do --------------------

class FakeS3 : public aws::HttpClient {
 public:
  std::function<aws::HttpResponse(const aws::HttpRequest&)> handler;
  std::vector<std::string> seen;  ///< "METHOD url"
  std::mutex mutex;

  aws::HttpResponse send(const aws::HttpRequest& req) override {
    {
      std::lock_guard lock(mutex);
      seen.push_back(req.method + " " + req.url);
    }
    aws::HttpResponse r = handler(req);
    if (r.status / 100 == 2 && req.on_body) {
      if (!req.on_body(r.body.data(), r.body.size())) {
        throw aws::TransportError{aws::TransportError::Kind::aborted, "aborted"};
      }
      r.body.clear();
    }
    return r;
  }
};

struct FakeFixture {
  std::shared_ptr<FakeS3> fake = std::make_shared<FakeS3>();
  std::unique_ptr<ObjectStore> store;
  FakeFixture() {
    aws::ClientConfig config;
    config.env = env_of(base_env("http://127.0.0.1:9"));
    config.http = fake;
    config.retry.max_attempts = 2;
    config.retry.base = std::chrono::milliseconds(1);
    store = make_aws_object_store(std::make_shared<aws::Client>(config));
  }
};

TEST(AwsObjectStoreFake, CorruptDownloadIsAnErrorAndTargetUntouched) {
  FakeFixture f;
  f.fake->handler = [](const aws::HttpRequest&) {
    aws::HttpResponse r;
    r.status = 200;
    r.body = "corrupted";
    r.headers = {{"etag", "\"" + md5_hex("original!") + "\""},
                 {"content-length", "9"},
                 {"content-type", "application/octet-stream"}};
    return r;
  };
  TempDir dir;
  const fs::path dst = dir.path() / "f.txt";
  util::write_file_atomic(dst, "old");
  try {
    f.store->get_to_file("bkt", "k", dst);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("download of 's3://bkt/k' is corrupt"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(util::read_file(dst), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(AwsObjectStoreFake, FailedPartAbortsTheUpload) {
  FakeFixture f;
  f.fake->handler = [](const aws::HttpRequest& req) {
    aws::HttpResponse r;
    r.status = 200;
    if (req.method == "POST" && req.url.ends_with("?uploads=")) {
      r.body = "<InitiateMultipartUploadResult><UploadId>UP1</UploadId>"
               "</InitiateMultipartUploadResult>";
    } else if (req.method == "PUT" && req.url.find("partNumber=3&") != std::string::npos) {
      r.status = 400;
      r.body = "<Error><Code>BadDigest</Code><Message>no</Message></Error>";
    } else if (req.method == "PUT") {
      r.headers = {{"etag", "\"0123\""}};
    } else if (req.method == "DELETE") {
      r.status = 204;
    } else {
      r.status = 500;
    }
    return r;
  };
  TempDir dir;
  const fs::path src = dir.path() / "big";
  write_random(src, 40 * k_mib, 2);
  EXPECT_THROW(f.store->put_file("bkt", "big", src, ""), aws::AwsError);
  std::vector<std::string> seen = f.fake->seen;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "DELETE http://127.0.0.1:9/bkt/big?uploadId=UP1"),
            1)
      << util::join(seen, "\n");
  EXPECT_EQ(std::count_if(seen.begin(), seen.end(),
                          [](const std::string& s) { return s.find("POST") == 0 &&
                                                            s.find("uploadId=") != std::string::npos; }),
            0)
      << "completed despite a failed part";
}

}  // namespace
}  // namespace handoff::store
