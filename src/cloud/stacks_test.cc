// Tests of the stacks' names and parameters (from project.yml, -e, -v and
// flags), the dry-run output, and that every parameter we send is one the
// embedded template declares (and every required one is sent).
#include "cloud/stacks.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "cloud/stack_inputs.h"
#include "cloud/templates.h"
#include "project/test_util.h"

namespace handoff::cloud {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

StackInputs base() {
  StackInputs in;
  in.resource_group = "dev-etl";
  in.task = "t1";
  in.stage = "dev";
  in.bucket = "handoff-dev-etl-f0cc306f";
  in.account_id = "123456789012";
  in.region = "eu-west-1";
  in.image_name = "etl-image";
  in.image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl-image:0.3";
  in.vpc_id = "vpc-0abc";
  in.subnet_ids = {"subnet-1", "subnet-2"};
  in.external_id = "s3cr3t-phrase";
  return in;
}

TEST(StackSpec, BucketStack) {
  StackSpec s = stack_spec(StackKind::bucket, base());
  EXPECT_EQ(s.stack_name, "handoff-dev-etl-bucket");
  EXPECT_EQ(s.template_name, "bucket.yml");
  EXPECT_EQ(s.parameters, (Params{{"Bucket", "handoff-dev-etl-f0cc306f"}}));
  EXPECT_EQ(s.tags, (Params{{"handoff:resource-group", "dev-etl"}, {"handoff:stage", "dev"}}));
}

TEST(StackSpec, RoleStackDefaultsToTheOwnAccountAndMasksTheExternalId) {
  StackSpec s = stack_spec(StackKind::role, base());
  EXPECT_EQ(s.stack_name, "handoff-role-123456789012");
  EXPECT_EQ(s.parameters, (Params{{"GranteeAccountId", "123456789012"}, {"ExternalId", "s3cr3t-phrase"}}));
  EXPECT_EQ(s.masked, std::vector<std::string>{"ExternalId"});
  StackInputs in = base();
  in.grantee_account_id = "210987654321";
  EXPECT_EQ(stack_spec(StackKind::role, in).stack_name, "handoff-role-210987654321");
}

TEST(StackSpec, RoleStackNeedsAnExternalIdAndATwelveDigitGrantee) {
  StackInputs in = base();
  in.external_id.clear();
  try {
    stack_spec(StackKind::role, in);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the role stack needs an external id");
    EXPECT_NE(e.hint().find("-v external_id="), std::string::npos);
    EXPECT_EQ(e.exit_code(), 2);
  }
  in = base();
  in.grantee_account_id = "12345";
  EXPECT_THROW(stack_spec(StackKind::role, in), Error);
}

TEST(StackSpec, ResourcesStackInTheDefaultVpcOrANewOne) {
  StackSpec s = stack_spec(StackKind::resources, base());
  EXPECT_EQ(s.stack_name, "handoff-dev-etl-resources");
  EXPECT_EQ(s.parameters, (Params{{"ResourceGroup", "dev-etl"}, {"UseDefaultVpc", "true"},
                                  {"VpcId", "vpc-0abc"}, {"SubnetIds", "subnet-1,subnet-2"}}));
  StackInputs in = base();
  in.new_vpc = true;
  EXPECT_EQ(stack_spec(StackKind::resources, in).parameters,
            (Params{{"ResourceGroup", "dev-etl"}, {"UseDefaultVpc", "false"}}));
  in = base();
  in.vpc_id.clear();
  try {
    stack_spec(StackKind::resources, in);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no VPC for the resources stack");
    EXPECT_NE(e.hint().find("--new-vpc"), std::string::npos);
  }
}

TEST(StackSpec, TaskStack) {
  StackInputs in = base();
  in.cpu = "1024";
  in.memory = "2048";
  in.storage = "50";
  StackSpec s = stack_spec(StackKind::task, in);
  EXPECT_EQ(s.stack_name, "handoff-dev-etl-t1");
  EXPECT_EQ(s.parameters,
            (Params{{"ResourceGroup", "dev-etl"}, {"TaskName", "t1"},
                    {"Bucket", "handoff-dev-etl-f0cc306f"},
                    {"ImageUri", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl-image:0.3"},
                    {"ImageName", "etl-image"}, {"Cpu", "1024"}, {"Memory", "2048"},
                    {"EphemeralStorage", "50"}}));
  EXPECT_EQ(s.tags, (Params{{"handoff:resource-group", "dev-etl"}, {"handoff:task", "t1"},
                            {"handoff:stage", "dev"}}));
}

TEST(StackSpec, TaskSizesAreCheckedBeforeAnyCall) {
  StackInputs in = base();
  in.cpu = "300";
  try {
    stack_spec(StackKind::task, in);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cpu '300' is not a Fargate size");
  }
  in = base();
  in.storage = "20";
  try {
    stack_spec(StackKind::task, in);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ephemeral storage '20' is not 21 to 200 GiB");
  }
  in = base();
  in.image_name.clear();
  EXPECT_THROW(stack_spec(StackKind::task, in), Error);
}

TEST(StackSpec, LongResourceGroupIsRefused) {
  StackInputs in = base();
  in.resource_group = "dev-" + std::string(24, 'a');
  EXPECT_THROW(stack_name(StackKind::bucket, in), Error);
}

TEST(StackSpec, ImageUri) {
  EXPECT_EQ(image_uri("", "123456789012", "us-east-1", "img", ""),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/img:latest");
  EXPECT_EQ(image_uri("ghcr.io/acme/", "1", "r", "img", "1.2.0"), "ghcr.io/acme/img:1.2.0");
}

TEST(DryRun, TextShowsParametersMaskedTagsThenTheTemplate) {
  StackSpec s = stack_spec(StackKind::role, base());
  std::string out = dry_run_text("create", s, "embedded role.yml", "Resources: {}\n");
  EXPECT_EQ(out,
            "action: create\n"
            "stack: handoff-role-123456789012\n"
            "template: \"embedded role.yml\"\n"
            "parameters:\n"
            "  GranteeAccountId: \"123456789012\"\n"
            "  ExternalId: \"****\"\n"
            "capabilities:\n"
            "  - CAPABILITY_NAMED_IAM\n"
            "tags:\n"
            "  handoff:grantee: \"123456789012\"\n"
            "  handoff:stage: dev\n"
            "---\n"
            "Resources: {}\n");
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos);
  // The text before --- is YAML a script can read.
  YAML::Node head = YAML::Load(out.substr(0, out.find("---\n")));
  EXPECT_EQ(head["parameters"]["GranteeAccountId"].as<std::string>(), "123456789012");
}

TEST(DryRun, JsonHasTheSameFields) {
  StackSpec s = stack_spec(StackKind::bucket, base());
  std::string out = dry_run_json("update", s, "embedded bucket.yml", "x: 1\n");
  EXPECT_NE(out.find("\"action\": \"update\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"Bucket\": \"handoff-dev-etl-f0cc306f\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"template\": \"x: 1\\n\""), std::string::npos) << out;
}

TEST(EmbeddedTemplates, AllFourAreEmbeddedAndDeclareWhatWeSend) {
  auto all = embedded_templates();
  ASSERT_GE(all.size(), 4u);
  StackInputs in = base();
  for (StackKind kind : {StackKind::bucket, StackKind::role, StackKind::resources, StackKind::task}) {
    StackSpec s = stack_spec(kind, in);
    YAML::Node t = YAML::Load(embedded_template(s.template_name));
    ASSERT_TRUE(t["Parameters"]) << s.template_name;
    std::map<std::string, bool> sent;
    for (const auto& [k, v] : s.parameters) {
      EXPECT_TRUE(t["Parameters"][k]) << s.template_name << " has no parameter " << k;
      sent[k] = true;
    }
    for (const auto& p : t["Parameters"]) {
      std::string name = p.first.as<std::string>();
      if (!p.second["Default"]) {
        EXPECT_TRUE(sent[name]) << s.template_name << ": " << name << " not sent";
      }
    }
  }
  EXPECT_THROW(embedded_template("nope.yml"), Error);
}

TEST(StackInputs, FromProjectWithVarsAndFlagsLaterWinning) {
  project::testing::TempDir dir;
  dir.write("project.yml",
            "version: 0.5.0\n"
            "deploy:\n  resource_group: etl\n  task: t1\n  container_image: etl-image\n"
            "  image_version: '0.3'\n  cpu: 512\n  memory: 1024\n"
            "tasks:\n  - name: a\n    commands:\n      - command: echo\n");
  StackFlags f;
  f.project_dir = dir.path();
  f.stage = "prod";
  f.vars = {"memory=2048", "storage=30", "external_id=abc"};
  f.memory = "4096";
  AwsFacts aws{"123456789012", "us-east-1", {}};
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::filesystem::path tf;
  StackInputs in = resolve_stack_inputs(StackKind::task, f, aws, env, &tf);
  EXPECT_EQ(in.resource_group, "etl");  // prod: no prefix
  EXPECT_EQ(in.cpu, "512");             // deploy.cpu, a YAML number
  EXPECT_EQ(in.memory, "4096");         // --memory beats -v memory=
  EXPECT_EQ(in.storage, "30");          // -v storage=
  EXPECT_EQ(in.external_id, "abc");
  EXPECT_EQ(in.image_uri, "123456789012.dkr.ecr.us-east-1.amazonaws.com/etl-image:0.3");
  EXPECT_EQ(in.bucket, "handoff-etl-f0cc306f");  // spec 6.1's example account
  EXPECT_TRUE(tf.empty());

  f.stage = "dev";
  f.envs = {"resource_group=other", "bucket=my-bucket"};
  f.vars = {"template_file=/tmp/t.yml"};
  in = resolve_stack_inputs(StackKind::task, f, aws, env, &tf);
  EXPECT_EQ(in.resource_group, "dev-other");
  EXPECT_EQ(in.bucket, "my-bucket");
  EXPECT_EQ(tf, "/tmp/t.yml");
}

TEST(StackInputs, DefaultVpcIsAskedOnlyForTheResourcesStack) {
  StackFlags f;
  f.envs = {"resource_group=etl"};
  int asked = 0;
  AwsFacts aws{"123456789012", "us-east-1", [&asked] {
                 ++asked;
                 return std::optional<DefaultVpc>(DefaultVpc{"vpc-1", {"subnet-a", "subnet-b"}});
               }};
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  StackInputs in = resolve_stack_inputs(StackKind::bucket, f, aws, env, nullptr);
  EXPECT_EQ(asked, 0);
  in = resolve_stack_inputs(StackKind::resources, f, aws, env, nullptr);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(in.vpc_id, "vpc-1");
  f.new_vpc = true;
  in = resolve_stack_inputs(StackKind::resources, f, aws, env, nullptr);
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(in.new_vpc);
}

}  // namespace
}  // namespace handoff::cloud
