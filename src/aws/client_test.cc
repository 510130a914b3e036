// Tests of aws::Client's retry policy, error shapes and messages, and of the
// SSM calls' pagination, with a scripted fake at the HTTP seam (the real
// client is exercised against moto_server by the e2e suite).
#include "aws/client.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>

#include "aws/ssm.h"
#include "util/redact.h"

namespace handoff::aws {
namespace {

class ScriptedHttp : public HttpClient {
 public:
  std::deque<std::function<HttpResponse(const HttpRequest&)>> script;
  std::vector<HttpRequest> seen;

  HttpResponse send(const HttpRequest& req) override {
    seen.push_back(req);
    if (script.empty()) throw std::logic_error("unexpected request to " + req.url);
    auto next = std::move(script.front());
    script.pop_front();
    return next(req);
  }
  void reply(int status, std::string body, std::vector<Header> headers = {}) {
    script.push_back([=](const HttpRequest&) {
      HttpResponse r;
      r.status = status;
      r.body = body;
      r.headers = headers;
      return r;
    });
  }
  void fail(TransportError::Kind kind) {
    script.push_back([=](const HttpRequest&) -> HttpResponse {
      throw TransportError{kind, "Connection reset by peer (127.0.0.1:9)"};
    });
  }
};

class ClientTest : public testing::Test {
 protected:
  void SetUp() override {
    vars_ = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
             {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
             {"AWS_REGION", "eu-west-1"},
             {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
             {"AWS_CONFIG_FILE", "/nonexistent/config"},
             {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
    http_ = std::make_shared<ScriptedHttp>();
  }
  Client make(int attempts = 4) {
    ClientConfig cfg;
    cfg.env = [vars = vars_](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    cfg.http = http_;
    cfg.retry.max_attempts = attempts;
    cfg.retry.base = std::chrono::milliseconds(1);
    cfg.retry.cap = std::chrono::milliseconds(2);
    return Client(cfg);
  }
  std::map<std::string, std::string> vars_;
  std::shared_ptr<ScriptedHttp> http_;
};

TEST(EndpointUrl, ParsesHostPortAndPath) {
  auto e = parse_endpoint_url("http://127.0.0.1:5000/prefix/");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->scheme, "http");
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 5000);
  EXPECT_EQ(e->base_path, "/prefix");
  EXPECT_TRUE(e->custom);
  EXPECT_FALSE(parse_endpoint_url("127.0.0.1:5000"));
  EXPECT_FALSE(parse_endpoint_url("http://host:99999"));
}

TEST(Retry, ClassifiesStatusesAndCodes) {
  EXPECT_EQ(classify(200, ""), Outcome::ok);
  EXPECT_EQ(classify(400, "ThrottlingException"), Outcome::throttled);
  EXPECT_EQ(classify(503, "SlowDown"), Outcome::throttled);
  EXPECT_EQ(classify(429, ""), Outcome::throttled);
  EXPECT_EQ(classify(500, ""), Outcome::server);
  EXPECT_EQ(classify(400, "RequestTimeout"), Outcome::timeout);
  EXPECT_EQ(classify(400, "ValidationException"), Outcome::client);
  EXPECT_FALSE(retryable(Outcome::client));
  EXPECT_TRUE(retryable(Outcome::transport));
}

TEST(Retry, BackoffIsCappedAndJittered) {
  RetryPolicy p;
  p.base = std::chrono::milliseconds(100);
  p.cap = std::chrono::milliseconds(1000);
  std::mt19937_64 rng(42);
  for (int attempt = 2; attempt < 30; ++attempt) {
    auto w = backoff(p, attempt, rng);
    EXPECT_GE(w.count(), 0);
    EXPECT_LE(w.count(), std::min<long long>(1000, 100LL << std::min(attempt - 2, 20)));
  }
}

TEST_F(ClientTest, RetriesServerErrorsThrottlingAndResetsThenSucceeds) {
  http_->reply(500, "");
  http_->reply(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
  http_->fail(TransportError::Kind::io);
  http_->reply(200, R"({"Version": 3})");
  Client c = make(4);
  int64_t v = ssm::put_parameter(c, "/handoff/rg/t/k", "value", "SecureString", "Standard", true);
  EXPECT_EQ(v, 3);
  EXPECT_EQ(c.stats().requests.load(), 4u);
  EXPECT_EQ(c.stats().retries.load(), 3u);
  // Every attempt is signed afresh and says what it is.
  for (const auto& req : http_->seen) {
    EXPECT_EQ(req.url, "http://127.0.0.1:9/");
    bool has_target = false, has_auth = false, has_type = false;
    for (const auto& h : req.headers) {
      has_target |= h.name == "X-Amz-Target" && h.value == "AmazonSSM.PutParameter";
      has_type |= h.name == "Content-Type" && h.value == "application/x-amz-json-1.1";
      has_auth |= h.name == "authorization" &&
                  h.value.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
    }
    EXPECT_TRUE(has_target && has_auth && has_type);
  }
}

TEST_F(ClientTest, GivesUpAfterMaxAttemptsNamingTheCall) {
  for (int i = 0; i < 3; ++i) http_->reply(503, "<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>");
  Client c = make(3);
  try {
    ssm::get_parameter(c, "/handoff/rg/k", true);
    FAIL() << "no error";
  } catch (const AwsError& e) {
    EXPECT_STREQ(e.what(),
                 "ssm GetParameter of parameter '/handoff/rg/k' failed: HTTP 503 "
                 "ServiceUnavailable: busy (after 3 attempts)");
    EXPECT_EQ(e.code(), "ServiceUnavailable");
    EXPECT_EQ(e.status(), 503);
  }
}

TEST_F(ClientTest, ClientErrorsAreNotRetriedAndGetAHint) {
  http_->reply(400, R"({"__type":"com.amazon.coral.service#UnrecognizedClientException",
                        "message":"The security token included in the request is invalid."})");
  Client c = make(5);
  try {
    ssm::put_parameter(c, "/a/b", "v", "String", "Standard", true);
    FAIL() << "no error";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "UnrecognizedClientException");
    EXPECT_EQ(e.hint(),
              "AWS does not know this access key (credentials from environment): check "
              "AWS_ACCESS_KEY_ID, AWS_PROFILE and AWS_ENDPOINT_URL");
    EXPECT_EQ(std::string(e.what()).find("wJalrXUtnFEMI"), std::string::npos);
  }
  EXPECT_EQ(http_->seen.size(), 1u);
}

TEST_F(ClientTest, SignatureMismatchHintNamesTheSecretKey) {
  http_->reply(400, R"({"__type":"SignatureDoesNotMatch","message":"The request signature we calculated does not match"})");
  Client c = make(2);
  try {
    ssm::delete_parameter(c, "/a/b");
    FAIL() << "no error";
  } catch (const AwsError& e) {
    EXPECT_NE(e.hint().find("check AWS_SECRET_ACCESS_KEY"), std::string::npos);
  }
}

TEST_F(ClientTest, NoAnswerAfterRetriesSaysWhereItTried) {
  for (int i = 0; i < 2; ++i) http_->fail(TransportError::Kind::connect);
  Client c = make(2);
  try {
    ssm::get_parameter(c, "/a/b", true);
    FAIL() << "no error";
  } catch (const AwsError& e) {
    EXPECT_STREQ(e.what(),
                 "cannot reach ssm at 127.0.0.1:9 for GetParameter: Connection reset by peer "
                 "(127.0.0.1:9) (after 2 attempts)");
    EXPECT_EQ(e.hint(),
              "check the network, AWS_ENDPOINT_URL and AWS_REGION (endpoint from AWS_ENDPOINT_URL)");
  }
}

TEST_F(ClientTest, MissingParameterIsAbsentNotAnError) {
  http_->reply(400, R"({"__type":"ParameterNotFound","message":""})");
  http_->reply(400, R"({"__type":"ParameterNotFound","message":""})");
  Client c = make();
  EXPECT_FALSE(ssm::get_parameter(c, "/a/b", true));
  EXPECT_FALSE(ssm::delete_parameter(c, "/a/b"));
}

TEST_F(ClientTest, GetParametersByPathFollowsEveryPage) {
  for (int page = 0; page < 3; ++page) {
    nlohmann::json body = {{"Parameters", nlohmann::json::array()}};
    for (int i = 0; i < (page < 2 ? 10 : 3); ++i) {
      body["Parameters"].push_back({{"Name", "/handoff/rg/k" + std::to_string(page * 10 + i)},
                                    {"Value", "v"},
                                    {"Type", "SecureString"},
                                    {"Version", 1},
                                    {"LastModifiedDate", 1764590000.5}});
    }
    if (page < 2) body["NextToken"] = "tok" + std::to_string(page);
    http_->reply(200, body.dump());
  }
  Client c = make();
  auto all = ssm::get_parameters_by_path(c, "/handoff/rg", false, true);
  EXPECT_EQ(all.size(), 23u);
  ASSERT_EQ(http_->seen.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(http_->seen[0].body).count("NextToken"), 0u);
  EXPECT_EQ(nlohmann::json::parse(http_->seen[2].body)["NextToken"], "tok1");
  EXPECT_EQ(nlohmann::json::parse(http_->seen[1].body)["MaxResults"], 10);
}

TEST_F(ClientTest, RegionIsRequiredWithAHint) {
  vars_.erase("AWS_REGION");
  Client c = make();
  try {
    c.region();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.hint()).find("AWS_REGION"), std::string::npos);
  }
}

TEST_F(ClientTest, DefaultEndpointIsRegional) {
  vars_.erase("AWS_ENDPOINT_URL");
  Client c = make();
  Endpoint e = c.endpoint("ssm");
  EXPECT_EQ(e.host, "ssm.eu-west-1.amazonaws.com");
  EXPECT_EQ(e.scheme, "https");
  EXPECT_FALSE(e.custom);
}

}  // namespace
}  // namespace handoff::aws
