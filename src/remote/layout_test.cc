#include "remote/layout.h"

#include <gtest/gtest.h>

#include <map>

#include "remote/store_select.h"
#include "util/error.h"

namespace handoff::remote {
namespace {

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Layout, CurrentNamesUseTheNakedTask) {
  LayoutInputs in;
  in.resource_group = "dev-handoff-etl";
  in.task = "exchange-rates";
  in.derive_bucket = [](const std::string& rg) { return derived_bucket(rg, "123456789012"); };
  auto l = resolve_layout(in);
  EXPECT_FALSE(l.seed);
  EXPECT_EQ(l.bucket, "handoff-dev-handoff-etl-f0cc306f");
  EXPECT_EQ(l.bucket_source, "derived");
  EXPECT_EQ(l.config_key(), "exchange-rates/project.yml");
  EXPECT_EQ(l.files_prefix(), "exchange-rates/files/");
  EXPECT_EQ(l.last_prefix(), "exchange-rates/artifacts/last/");
  EXPECT_EQ(l.archives_prefix(), "exchange-rates/artifacts/archives/");
  EXPECT_EQ(l.lock_key(), "exchange-rates/artifacts/_handoff_lock");
  EXPECT_EQ(l.secrets_path(project::SecretLevel::task), "/handoff/dev-handoff-etl/exchange-rates");
  EXPECT_EQ(l.secrets_path(project::SecretLevel::resource_group), "/handoff/dev-handoff-etl");
}

TEST(Layout, BucketPrecedenceFlagEnvDeployDerived) {
  LayoutInputs in;
  in.resource_group = "rg";
  in.task = "t";
  in.deploy_bucket = "from-deploy";
  EXPECT_EQ(resolve_layout(in).bucket, "from-deploy");
  in.bucket_env = "from-env";
  EXPECT_EQ(resolve_layout(in).bucket, "from-env");
  in.bucket_flag = "from-flag";
  EXPECT_EQ(resolve_layout(in).bucket, "from-flag");
  in = {};
  in.resource_group = "rg";
  in.task = "t";
  EXPECT_EQ(resolve_layout(in).bucket, "handoff-rg");
}

TEST(Layout, SeedNames) {
  LayoutInputs in;
  in.stack_name = "mystack";
  in.seed_bucket = "mybucket";
  auto l = resolve_layout(in);
  EXPECT_TRUE(l.seed);
  EXPECT_EQ(l.bucket, "mybucket");
  EXPECT_EQ(l.config_parameter(), "mystack_config");
  EXPECT_EQ(l.files_prefix(), "mystack/files/");
  EXPECT_EQ(l.last_prefix(), "mystack/artifacts/");
  in.seed_bucket.clear();
  try {
    resolve_layout(in);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Set S3_BUCKET_NAME env");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(Layout, MissingNamesSayHowToGiveThem) {
  try {
    resolve_layout({});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the remote names need a resource group and a task (got resource group '', task '')");
    EXPECT_NE(e.hint().find("--envs resource_group=<name> task=<name>"), std::string::npos);
  }
}

TEST(Layout, BraceEscapingRoundTrip) {
  EXPECT_EQ(escape_braces("a{{b}}c"), "a\\{\\{b\\}\\}c");
  EXPECT_EQ(unescape_braces(escape_braces("a{{b}}c {x}")), "a{{b}}c {x}");
}

TEST(StoreChoice, OrderOfTheRules) {
  EXPECT_EQ(choose_store("", "", "", env_of({})).kind, StoreKind::local);
  EXPECT_EQ(choose_store("", "", "", env_of({})).reason, "no cloud chosen");
  EXPECT_NE(choose_store("", "", "", env_of({})).hint.find("--store aws"), std::string::npos);
  EXPECT_EQ(choose_store("aws", "", "", env_of({})).reason, "--store aws");
  EXPECT_EQ(choose_store("local", "", "aws", env_of({{"STACK_NAME", "s"}})).kind, StoreKind::local);
  EXPECT_EQ(choose_store("", "", "", env_of({{"HO_STORE", "local"}, {"STACK_NAME", "s"}})).kind,
            StoreKind::local);
  auto c = choose_store("", "", "", env_of({{"STACK_NAME", "s"}}));
  EXPECT_EQ(c.kind, StoreKind::aws);
  EXPECT_EQ(c.reason, "STACK_NAME is set (the seed's layout)");
  EXPECT_EQ(choose_store("", "aws", "", env_of({})).reason, "--cloud-provider aws");
  EXPECT_EQ(choose_store("", "", "", env_of({{"HO_CLOUD_PROVIDER", "aws"}})).reason, "HO_CLOUD_PROVIDER=aws");
  EXPECT_EQ(choose_store("", "", "aws", env_of({})).reason, "project.yml deploy.cloud_provider is aws");
  EXPECT_EQ(choose_store("", "", "", env_of({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"}})).reason,
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set (running in ECS)");
  try {
    choose_store("s3", "", "", env_of({}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--store: unknown store 's3'");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

}  // namespace
}  // namespace handoff::remote
