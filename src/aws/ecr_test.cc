#include "aws/ecr.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace handoff::aws::ecr {
namespace {

TEST(EcrBase64, Decodes) {
  EXPECT_EQ(base64_decode("QVdTOnB3"), "AWS:pw");
  EXPECT_EQ(base64_decode("QVdTOnB3eA=="), "AWS:pwx");
  EXPECT_EQ(base64_decode("QVdTOnB3eHk="), "AWS:pwxy");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("QVd"), std::nullopt);
  EXPECT_EQ(base64_decode("QV=T"), std::nullopt);
  EXPECT_EQ(base64_decode("QV!T"), std::nullopt);
}

TEST(EcrAuthorization, SplitsTheTokenAndTakesTheRegistryHost) {
  // The documented response shape of GetAuthorizationToken.
  auto r = nlohmann::json::parse(R"({"authorizationData": [{
      "authorizationToken": "QVdTOnNlY3JldC1wYXNzd29yZA==",
      "expiresAt": 1.7e9,
      "proxyEndpoint": "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"}]})");
  Authorization a = parse_authorization(r);
  EXPECT_EQ(a.username, "AWS");
  EXPECT_EQ(a.password, "secret-password");
  EXPECT_EQ(a.registry, "123456789012.dkr.ecr.eu-west-1.amazonaws.com");
}

TEST(EcrAuthorization, MalformedIsAnError) {
  for (const char* body :
       {R"({})", R"({"authorizationData": []})",
        R"({"authorizationData": [{"authorizationToken": "bm9jb2xvbg==", "proxyEndpoint": "https://x"}]})",
        R"({"authorizationData": [{"authorizationToken": "QVdTOnB3"}]})"}) {
    EXPECT_THROW(parse_authorization(nlohmann::json::parse(body)), Error) << body;
  }
}

}  // namespace
}  // namespace handoff::aws::ecr
