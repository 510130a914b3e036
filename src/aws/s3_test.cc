// Tests of aws/s3: the XML bodies, the request shapes, and the requests we
// build signed by us and by botocore (tests/tools/botocore_sign.py), the
// judge, since moto accepts any signature (shared/notes/aws-test-facts.md).
#include "aws/s3.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/strings.h"

namespace handoff::aws::s3 {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

// --- XML ---------------------------------------------------------------------

const char* k_page1 = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bkt</Name><Prefix>a/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>a/my key+v=1~%41 &amp; &lt;x&gt;.txt</Key>
    <LastModified>2026-11-28T12:34:56.789Z</LastModified>
    <ETag>&quot;9B2CF535F27731C974343645A3985328&quot;</ETag>
    <Size>42</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>a/donn&#xE9;es/&#x65E5;&#x672C;.bin</Key>
    <LastModified>2026-11-28T00:00:00Z</LastModified>
    <ETag>"0123456789abcdef0123456789abcdef-3"</ETag>
    <Size>25165824</Size>
  </Contents>
</ListBucketResult>)";

TEST(S3Xml, ParsesListPageWithTokenAndEscapedKeys) {
  ListPage p = parse_list_page(k_page1);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_EQ(p.objects.size(), 2u);
  EXPECT_EQ(p.objects[0].key, "a/my key+v=1~%41 & <x>.txt");
  EXPECT_EQ(p.objects[0].size, 42u);
  EXPECT_EQ(p.objects[0].etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(system_clock::to_time_t(p.objects[0].last_modified), 1795869296);
  EXPECT_EQ(p.objects[1].key, "a/donn\xc3\xa9" "es/\xe6\x97\xa5\xe6\x9c\xac.bin");
  EXPECT_EQ(p.objects[1].etag, "0123456789abcdef0123456789abcdef-3");
  EXPECT_EQ(p.objects[1].size, 25165824u);
}

TEST(S3Xml, ParsesLastAndEmptyPages) {
  ListPage last = parse_list_page(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>0</Size>"
      "<ETag>\"d41d8cd98f00b204e9800998ecf8427e\"</ETag></Contents></ListBucketResult>");
  EXPECT_FALSE(last.truncated);
  EXPECT_EQ(last.next_token, "");
  ASSERT_EQ(last.objects.size(), 1u);
  EXPECT_EQ(last.objects[0].size, 0u);
  ListPage empty = parse_list_page(
      "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
      "</ListBucketResult>");
  EXPECT_TRUE(empty.objects.empty());
}

TEST(S3Xml, MalformedListingsThrow) {
  EXPECT_THROW(parse_list_page("<ListBucketResult><Contents>"), Error);
  EXPECT_THROW(parse_list_page("<Other/>"), Error);
  // Truncated without a token would loop forever or stop early: refuse it.
  EXPECT_THROW(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated>"
                               "</ListBucketResult>"),
               Error);
}

TEST(S3Xml, ParsesErrorBodies) {
  auto e = parse_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>b</BucketName>"
      "<RequestId>X</RequestId></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NoSuchBucket");
  EXPECT_EQ(e->message, "The specified bucket does not exist");
  EXPECT_FALSE(parse_error(""));
  EXPECT_FALSE(parse_error("<ListBucketResult/>"));
  EXPECT_FALSE(parse_error("not xml <"));
}

TEST(S3Xml, ParsesMultipartResponses) {
  EXPECT_EQ(parse_upload_id(
                "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                "<Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2Fk+/=</UploadId>"
                "</InitiateMultipartUploadResult>"),
            "VXBsb2Fk+/=");
  EXPECT_THROW(parse_upload_id("<InitiateMultipartUploadResult/>"), Error);
  EXPECT_EQ(parse_complete_etag("<CompleteMultipartUploadResult><Location>x</Location>"
                                "<ETag>&quot;ABCDEF-5&quot;</ETag>"
                                "</CompleteMultipartUploadResult>",
                                "'s3://b/k'"),
            "abcdef-5");
  // moto's root element.
  EXPECT_EQ(parse_complete_etag(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CompleteMultipartUploadResponse "
                "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>http://bkt.s3."
                "amazonaws.com/k</Location><Bucket>bkt</Bucket><Key>k</Key><ETag>\"ba75038fa1683533"
                "b60cd651a9451255-1\"</ETag></CompleteMultipartUploadResponse>",
                "'s3://b/k'"),
            "ba75038fa1683533b60cd651a9451255-1");
}

TEST(S3Xml, ErrorInsideA200IsAnAwsError) {
  const char* body =
      "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message>"
      "</Error>";
  try {
    parse_complete_etag(body, "'s3://b/k'");
    FAIL() << "no throw";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "InternalError");
    EXPECT_STREQ(e.what(),
                 "CompleteMultipartUpload on 's3://b/k' failed: InternalError: We encountered an "
                 "internal error.");
  }
  EXPECT_THROW(parse_copy_etag(body, "'s3://b/k'"), AwsError);
  EXPECT_EQ(parse_copy_etag("<CopyObjectResult><LastModified>2026-11-28T00:00:00Z</LastModified>"
                            "<ETag>\"ABC\"</ETag></CopyObjectResult>",
                            "x"),
            "abc");
}

TEST(S3Xml, ParsesDeleteFailures) {
  EXPECT_TRUE(parse_delete_failures("<DeleteResult/>").empty());
  auto f = parse_delete_failures(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b c</Key>"
      "<Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key, "b c");
  EXPECT_EQ(f[0].code, "AccessDenied");
  EXPECT_EQ(f[0].message, "Access Denied");
}

TEST(S3Xml, BuildsDeleteAndCompleteBodies) {
  EXPECT_EQ(delete_request_xml({"a & b", "<c>", "d\xc3\xa9"}),
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
            "<Object><Key>a &amp; b</Key></Object><Object><Key>&lt;c&gt;</Key></Object>"
            "<Object><Key>d\xc3\xa9</Key></Object></Delete>");
  EXPECT_EQ(complete_request_xml({"aa", "bb"}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>\"aa\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"bb\"</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3Xml, SmallFormats) {
  EXPECT_EQ(normalize_etag("\"9B2CF535F27731C974343645A3985328\""),
            "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(normalize_etag("W/\"abc-2\""), "abc-2");
  EXPECT_EQ(normalize_etag("abc"), "abc");
  EXPECT_EQ(normalize_etag(""), "");
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(content_md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(content_md5("a,b\n1,2\n"), "5evUwCzvvnlVl3xnraJCtw==");
}

TEST(S3Xml, ParsesTimes) {
  auto t = parse_iso8601("2026-11-28T12:34:56.789Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count(),
            1795869296789);
  EXPECT_TRUE(parse_iso8601("2026-11-28T12:34:56Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-28 12:34:56"));
  EXPECT_FALSE(parse_iso8601("2026-11-28T12:34:56+02:00"));
  auto h = parse_http_date("Sat, 28 Nov 2026 12:34:56 GMT");
  ASSERT_TRUE(h);
  EXPECT_EQ(system_clock::to_time_t(*h), 1795869296);
  EXPECT_FALSE(parse_http_date("yesterday"));
}

// --- request shapes ------------------------------------------------------------

Addressing moto() {
  Addressing a;
  a.endpoint.scheme = "http";
  a.endpoint.host = "127.0.0.1";
  a.endpoint.port = 5000;
  a.endpoint.custom = true;
  a.region = "us-east-1";
  return a;
}

Addressing aws_eu() {
  Addressing a;
  a.endpoint.host = "s3.eu-west-1.amazonaws.com";
  a.region = "eu-west-1";
  return a;
}

std::string header(const Request& r, const std::string& lower_name) {
  for (const Header& h : r.headers) {
    if (util::to_lower(h.name) == lower_name) return h.value;
  }
  return "<absent>";
}

TEST(S3Request, PathStyleOnCustomEndpointsVirtualHostedOnAws) {
  Call m = get_object_call(moto(), "bkt", "a b/c");
  EXPECT_EQ(m.request.host, "127.0.0.1");
  EXPECT_EQ(m.request.port, 5000);
  EXPECT_EQ(m.request.scheme, "http");
  EXPECT_EQ(m.request.path, "/bkt/a b/c");
  EXPECT_EQ(wire_url(m.request), "http://127.0.0.1:5000/bkt/a%20b/c");

  Call a = get_object_call(aws_eu(), "bkt", "a b/c");
  EXPECT_EQ(a.request.host, "bkt.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(a.request.path, "/a b/c");
  EXPECT_EQ(wire_url(a.request), "https://bkt.s3.eu-west-1.amazonaws.com/a%20b/c");
  // Names that cannot be one DNS label under the wildcard certificate.
  EXPECT_EQ(get_object_call(aws_eu(), "my.bucket", "k").request.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(get_object_call(aws_eu(), "My_Bucket", "k").request.path, "/My_Bucket/k");

  Addressing prefixed = moto();
  prefixed.endpoint.base_path = "/s3";
  EXPECT_EQ(list_call(prefixed, "bkt", "", "").request.path, "/s3/bkt");
  EXPECT_EQ(list_call(aws_eu(), "bkt", "", "").request.path, "/");
}

TEST(S3Request, EveryRequestHasAContentType) {
  FileBody body{"/tmp/x", 0, 3, "md5==", ""};
  std::vector<Call> calls = {
      put_object_call(moto(), "b", "k", body, ""),
      put_object_call(moto(), "b", "k", body, "text/csv"),
      put_if_absent_call(moto(), "b", "k", "{}"),
      get_object_call(moto(), "b", "k"),
      head_object_call(moto(), "b", "k"),
      list_call(moto(), "b", "p", "t"),
      delete_object_call(moto(), "b", "k"),
      delete_objects_call(moto(), "b", {"k"}),
      copy_object_call(moto(), "b", "k", "k2"),
      create_multipart_call(moto(), "b", "k", ""),
      upload_part_call(moto(), "b", "k", "id", 1, body),
      complete_multipart_call(moto(), "b", "k", "id", {"e"}),
      abort_multipart_call(moto(), "b", "k", "id"),
  };
  for (const Call& c : calls) {
    EXPECT_EQ(c.service, "s3");
    std::string ct = header(c.request, "content-type");
    EXPECT_TRUE(ct == "application/octet-stream" || ct == "application/xml" || ct == "text/csv")
        << c.operation << ": " << ct;
  }
  EXPECT_EQ(header(calls[1].request, "content-type"), "text/csv");
}

TEST(S3Request, BodiesAndPayloadModes) {
  FileBody signed_body{"/data/f", 8, 16, "MD5B64==", std::string(64, 'a')};
  Call put = put_object_call(moto(), "b", "k", signed_body, "");
  EXPECT_EQ(put.body_file, "/data/f");
  EXPECT_EQ(put.body_offset, 8u);
  EXPECT_EQ(put.body_length, 16u);
  EXPECT_EQ(header(put.request, "content-md5"), "MD5B64==");
  EXPECT_EQ(put.mode, PayloadMode::content_sha256_header);
  EXPECT_EQ(put.request.payload_sha256, std::string(64, 'a'));

  FileBody unsigned_body = signed_body;
  unsigned_body.sha256_hex.clear();
  EXPECT_EQ(put_object_call(aws_eu(), "b", "k", unsigned_body, "").mode,
            PayloadMode::unsigned_payload_header);

  Call lease = put_if_absent_call(moto(), "b", "t/_handoff_lock", "{}");
  EXPECT_EQ(header(lease.request, "if-none-match"), "*");
  EXPECT_EQ(header(lease.request, "content-md5"), content_md5("{}"));
  EXPECT_EQ(lease.request.body, "{}");
  EXPECT_EQ(lease.accept_status, std::vector<int>{412});

  Call del = delete_objects_call(moto(), "b", {"x", "y"});
  EXPECT_EQ(del.request.method, "POST");
  EXPECT_EQ(wire_url(del.request), "http://127.0.0.1:5000/b?delete=");
  EXPECT_EQ(header(del.request, "content-md5"), content_md5(del.request.body));

  Call copy = copy_object_call(moto(), "b", "src dir/a+b=c~%.txt", "dst");
  EXPECT_EQ(header(copy.request, "x-amz-copy-source"), "b/src%20dir/a%2Bb%3Dc~%25.txt");
  EXPECT_EQ(copy.request.path, "/b/dst");

  Call part = upload_part_call(moto(), "b", "k", "UP+ID", 3, signed_body);
  EXPECT_EQ(wire_url(part.request), "http://127.0.0.1:5000/b/k?partNumber=3&uploadId=UP%2BID");
  EXPECT_EQ(head_object_call(moto(), "b", "k").accept_status, std::vector<int>{404});
  EXPECT_EQ(get_object_call(moto(), "b", "k").accept_status, std::vector<int>{404});
  EXPECT_EQ(list_call(moto(), "b", "", "").request.query.size(), 1u);
}

TEST(S3Request, SubjectsNameTheObject) {
  EXPECT_EQ(get_object_call(moto(), "b", "k").subject, "'s3://b/k'");
  EXPECT_EQ(list_call(moto(), "b", "p", "").subject, "bucket 's3://b'");
  EXPECT_EQ(copy_object_call(moto(), "b", "x", "y").subject, "'s3://b/x' to 's3://b/y'");
}

// --- the requests we build, signed by us and by botocore ---------------------------

struct BuiltCase {
  std::string name;
  Call call;
  std::string region;
  std::string body;  ///< the bytes a streamed body holds (botocore hashes them)
  std::string token;
};

void PrintTo(const BuiltCase& c, std::ostream* os) { *os << c.name; }

const std::string k_hostile = "dir/my key+v=1~x%41 (copy)/donn\xc3\xa9" "es \xe6\x97\xa5\xf0\x9f\x9a\x80.txt";

std::string sha256_of(const std::string& s) { return sha256_hex(s); }

std::vector<BuiltCase> built_cases() {
  const std::string data = "a,b\n1,2\n";
  FileBody signed_body{"/unused", 0, data.size(), content_md5(data), sha256_of(data)};
  FileBody unsigned_body{"/unused", 0, data.size(), content_md5(data), ""};
  const std::string id = "VXBsb2FkIElE+/=~x";
  std::vector<BuiltCase> c;
  auto add = [&](std::string name, Call call, const Addressing& a, std::string body = {},
                 std::string token = {}) {
    c.push_back({std::move(name), std::move(call), a.region, std::move(body), std::move(token)});
  };
  add("PutObjectPayloadHash", put_object_call(moto(), "bkt", k_hostile, signed_body, "text/csv"),
      moto(), data);
  add("PutObjectUnsignedPayload", put_object_call(aws_eu(), "bkt", k_hostile, unsigned_body, ""),
      aws_eu(), data);
  add("PutIfAbsentSessionToken", put_if_absent_call(moto(), "bkt", "t/_handoff_lock", "{\"a\":1}"),
      moto(), {}, "FQoGZXIvYXdzEXAMPLE//==");
  add("GetObjectHostileKey", get_object_call(aws_eu(), "bkt", k_hostile), aws_eu());
  add("HeadObjectPathStyle", head_object_call(moto(), "bkt", "a=b+c d"), moto());
  add("ListObjectsV2UnsortedQuery", list_call(aws_eu(), "bkt", "a b/+=~%/", "1ab+c/d=="),
      aws_eu());
  add("ListObjectsV2PathStyle", list_call(moto(), "bkt", "", ""), moto());
  add("DeleteObject", delete_object_call(moto(), "bkt", k_hostile), moto());
  add("DeleteObjects", delete_objects_call(aws_eu(), "bkt", {k_hostile, "a & b"}), aws_eu());
  add("CopyObject", copy_object_call(moto(), "bkt", k_hostile, "dst/" + k_hostile), moto());
  add("CreateMultipartUpload", create_multipart_call(aws_eu(), "bkt", k_hostile, ""), aws_eu());
  add("UploadPartPayloadHash", upload_part_call(moto(), "bkt", k_hostile, id, 2, signed_body),
      moto(), data);
  add("UploadPartUnsigned", upload_part_call(aws_eu(), "bkt", "big.bin", id, 10000, unsigned_body),
      aws_eu(), data);
  add("CompleteMultipartUpload",
      complete_multipart_call(moto(), "bkt", k_hostile, id, {"aa", "bb"}), moto(), {},
      "SESSIONTOKEN");
  add("AbortMultipartUpload", abort_multipart_call(aws_eu(), "bkt", "big.bin", id), aws_eu());
  return c;
}

const char* k_timestamp = "20261128T120000Z";
const system_clock::time_point k_now = system_clock::from_time_t(1795867200);  // that instant

nlohmann::json to_botocore_json(const BuiltCase& c) {
  const Request& r = c.call.request;
  nlohmann::json j;
  j["method"] = r.method;
  j["endpoint"] = r.scheme + "://" + host_header(r);
  j["path"] = r.path;
  nlohmann::json q = nlohmann::json::array();
  for (const QueryParam& p : r.query) q.push_back({p.key, p.value});
  j["query"] = q;
  nlohmann::json h = nlohmann::json::array();
  for (const Header& x : r.headers) h.push_back({x.name, x.value});
  j["headers"] = h;
  j["body"] = base64(c.call.body_file.empty() ? r.body : c.body);
  j["region"] = c.region;
  j["service"] = "s3";
  j["access_key"] = "AKIAIOSFODNN7EXAMPLE";
  j["secret_key"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  j["token"] = c.token;
  j["timestamp"] = k_timestamp;
  j["s3"] = true;
  j["unsigned_payload"] = c.call.mode == PayloadMode::unsigned_payload_header;
  return j;
}

// HANDOFF_SOURCE_DIR, else beside this file (__FILE__ may be relative to the
// build folder), else up from the working directory.
fs::path script_path() {
  const fs::path rel = "tests/tools/botocore_sign.py";
  if (const char* dir = getenv("HANDOFF_SOURCE_DIR")) return fs::path(dir) / rel;
  fs::path beside = fs::path(__FILE__).parent_path() / "../.." / rel;
  if (fs::exists(beside)) return beside;
  for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / rel)) return p / rel;
    if (p == p.parent_path()) break;
  }
  return beside;
}

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

class S3VsBotocore : public testing::TestWithParam<BuiltCase> {
 protected:
  static void SetUpTestSuite() {
    results_ = new std::map<std::string, nlohmann::json>;
    if (run("python3 -c 'import botocore.auth' 2>/dev/null").second != 0) {
      unavailable_ = "python3 with botocore is not available (pip install botocore)";
      return;
    }
    nlohmann::json batch = nlohmann::json::array();
    std::vector<BuiltCase> cases = built_cases();
    for (const BuiltCase& c : cases) batch.push_back(to_botocore_json(c));
    char tmp[] = "/tmp/handoff_s3sign_XXXXXX";
    int fd = mkstemp(tmp);
    ASSERT_GE(fd, 0);
    close(fd);
    std::ofstream(tmp) << batch.dump();
    auto [out, status] =
        run("python3 " + util::shell_quote(script_path().string()) + " < " + tmp);
    unlink(tmp);
    ASSERT_EQ(status, 0) << "botocore_sign.py failed: " << out;
    nlohmann::json res = nlohmann::json::parse(out);
    ASSERT_EQ(res.size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i) (*results_)[cases[i].name] = res[i];
  }
  static void TearDownTestSuite() {
    delete results_;
    results_ = nullptr;
  }
  void SetUp() override {
    if (!unavailable_.empty()) {
      const char* ci = getenv("CI");
      if (ci != nullptr && std::string(ci) == "true")
        FAIL() << unavailable_ << " (required when CI=true)";
      GTEST_SKIP() << unavailable_;
    }
  }
  static inline std::map<std::string, nlohmann::json>* results_ = nullptr;
  static inline std::string unavailable_;
};

TEST_P(S3VsBotocore, SameSignatureAndUrl) {
  const BuiltCase& c = GetParam();
  ASSERT_TRUE(results_->count(c.name));
  const nlohmann::json& want = results_->at(c.name);
  Credentials creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", c.token,
                    {}};
  SignedHeaders got = sign(c.call.request, creds, c.region, "s3", k_now, c.call.mode);
  EXPECT_EQ(got.canonical_request, want["canonical_request"].get<std::string>());
  EXPECT_EQ(got.signature, want["signature"].get<std::string>());
  std::map<std::string, std::string> ours;
  for (const Header& h : got.headers) ours[h.name] = h.value;
  for (const char* name :
       {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}) {
    if (want["headers"].contains(name)) {
      EXPECT_EQ(ours[name], want["headers"][name].get<std::string>()) << name;
    } else {
      EXPECT_EQ(ours.count(name), 0u) << name;
    }
  }
  EXPECT_EQ(wire_url(c.call.request), want["url"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(S3Built, S3VsBotocore, testing::ValuesIn(built_cases()),
                         [](const testing::TestParamInfo<BuiltCase>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace handoff::aws::s3
