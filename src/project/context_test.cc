#include "project/context.h"

#include <gtest/gtest.h>

#include <cctype>

#include "project/load.h"
#include "project/test_util.h"
#include "util/error.h"

namespace handoff::project {
namespace {

using testing::TempDir;

std::string env_of(const RunContext& ctx, const std::string& key) {
  for (const auto& [k, v] : ctx.env) {
    if (k == key) return v;
  }
  return "<unset>";
}

Secret secret(std::string key, std::string value) {
  Secret s;
  s.key = std::move(key);
  s.value = std::move(value);
  s.has_value = true;
  return s;
}

TEST(ReservedVars, EmptyForProd) {
  Value v = reserved_vars("prod");
  for (const char* k : {"_stage", "_stage_", "_stage-", "__stage", "__stage_"}) {
    EXPECT_EQ(v[k], "") << k;
  }
}

TEST(ReservedVars, StageForms) {
  Value v = reserved_vars("dev");
  EXPECT_EQ(v["_stage"], "dev");
  EXPECT_EQ(v["_stage_"], "dev_");
  EXPECT_EQ(v["_stage-"], "dev-");
  EXPECT_EQ(v["__stage"], "_dev");
  EXPECT_EQ(v["__stage_"], "_dev_");
}

TEST(ReservedVars, LocalDates) {
  Value v = reserved_vars("dev");
  auto is_date = [](const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
  };
  for (const char* k : {"_today", "_yesterday", "_tomorrow"}) {
    EXPECT_TRUE(is_date(v[k].get<std::string>())) << v[k];
  }
  EXPECT_LT(v["_yesterday"].get<std::string>(), v["_today"].get<std::string>());
  EXPECT_LT(v["_today"].get<std::string>(), v["_tomorrow"].get<std::string>());
}

TEST(BuildContext, DeployAndEnvOptionPrefixNamesByStage) {
  Project p = load_project_text(R"(deploy:
  cloud_provider: aws
  resource_group: etl
  task: rates
  cpu: 256
  bucket: my-bucket
tasks: []
)",
                                ".", "project.yml");
  RunContext ctx = build_context(p, {}, "dev", {}, {{"task", "other"}, {"region", "x"}});
  EXPECT_EQ(env_of(ctx, "HO_STAGE"), "dev");
  EXPECT_EQ(env_of(ctx, "HO_CLOUD_PROVIDER"), "aws");
  EXPECT_EQ(env_of(ctx, "HO_RESOURCE_GROUP"), "dev-etl");
  EXPECT_EQ(ctx.vars["HO_RESOURCE_GROUP_NAKED"], "etl");
  EXPECT_EQ(env_of(ctx, "HO_TASK"), "dev-other");  // -e beats deploy
  EXPECT_EQ(ctx.vars["HO_TASK_NAKED"], "other");
  EXPECT_EQ(env_of(ctx, "HO_BUCKET"), "my-bucket");
  EXPECT_EQ(env_of(ctx, "HO_CPU"), "<unset>");
  EXPECT_EQ(ctx.vars["HO_CPU"], 256);
  EXPECT_EQ(env_of(ctx, "REGION"), "x");
  EXPECT_EQ(ctx.vars["REGION"], "x");
  std::vector<std::string> order;
  for (const auto& kv : ctx.env) order.push_back(kv.first);
  EXPECT_EQ(order, (std::vector<std::string>{"HO_STAGE", "HO_CLOUD_PROVIDER", "HO_RESOURCE_GROUP",
                                             "HO_TASK", "HO_BUCKET", "REGION"}));

  RunContext prod = build_context(p, {}, "prod", {}, {});
  EXPECT_EQ(env_of(prod, "HO_RESOURCE_GROUP"), "etl");
  EXPECT_EQ(env_of(prod, "HO_TASK"), "rates");
  EXPECT_EQ(prod.vars["_stage"], "");
}

TEST(BuildContext, LaterSourcesWin) {
  Project p = load_project_text(R"(envs:
  - key: TITLE
    value: The Great Dictator
  - key: password
  - key: EMPTY
    value: ""
  - key: ZERO
    value: 0
  - key: RENDERED
    value: "{{ a }}"
vars:
  - key: url
    value: https://example.com
  - key: n
    value: 7
  - key: TITLE
    value: from vars
tasks: []
)",
                                ".", "project.yml");
  SecretsFile secrets;
  secrets.secrets = {secret("password", "pw1"), secret("url", "secret-url"),
                     secret("username", "me")};
  RunContext ctx = build_context(p, secrets, "prod", {{"n", "007"}}, {});
  EXPECT_EQ(ctx.vars["username"], "me");
  EXPECT_EQ(ctx.vars["url"], "https://example.com");  // vars beat secrets
  EXPECT_EQ(ctx.vars["n"], "007");                    // -v stays a string
  EXPECT_EQ(ctx.vars["TITLE"], "from vars");
  EXPECT_EQ(env_of(ctx, "TITLE"), "The Great Dictator");
  EXPECT_EQ(env_of(ctx, "password"), "pw1");  // envs without value take the secret
  EXPECT_EQ(env_of(ctx, "EMPTY"), "<unset>");
  EXPECT_EQ(env_of(ctx, "ZERO"), "<unset>");
  EXPECT_EQ(env_of(ctx, "RENDERED"), "{{ a }}");
  EXPECT_FALSE(ctx.vars.contains("EMPTY"));
}

TEST(BuildContext, EnvWithoutValueOrSecretIsSkipped) {
  Project p = load_project_text("envs:\n  - key: GONE\ntasks: []\n", ".", "project.yml");
  RunContext ctx = build_context(p, {}, "dev", {}, {});
  EXPECT_EQ(env_of(ctx, "GONE"), "<unset>");
}

TEST(ParseAssignments, GluesSplitsAndStripsQuotes) {
  Assignments a = parse_assignments(
      {"a=x", "y", "b = z ", "c=\"quoted value\"", "d='''x'''", "e=007", "f=1=2", "g="}, "-v");
  Assignments expected = {{"a", "x y"}, {"b", "z"}, {"c", "quoted value"}, {"d", "x"}, {"e", "007"},
                          {"f", "1=2"}, {"g", ""}};
  EXPECT_EQ(a, expected);
}

TEST(ParseAssignments, ReadsLinesOfASingleFileToken) {
  TempDir dir;
  auto file = dir.write("vars.txt", "start_date=2021-01-01\n\nbase_currency = JPY\n");
  Assignments a = parse_assignments({file.string()}, "-v");
  Assignments expected = {{"start_date", "2021-01-01"}, {"base_currency", "JPY"}};
  EXPECT_EQ(a, expected);
}

TEST(ParseAssignments, EmptyKeyIsAUsageError) {
  try {
    parse_assignments({"=x"}, "-v");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "-v: empty key in '=x'");
    EXPECT_EQ(e.hint(), "write -v key=value");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(ParseAssignments, TokenWithoutEqualsFirstIsAUsageError) {
  try {
    parse_assignments({"novalue"}, "-e");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "-e: expected KEY=VALUE, got 'novalue'");
  }
}

}  // namespace
}  // namespace handoff::project
