// cloud run's environment precedence, schedule envs and stack outputs; job
// status's family filter.
#include "cloud/runs.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace handoff::cloud {
namespace {

TEST(CloudRunEnv, ScheduleThenCliThenStageThenTriggeredAt) {
  EnvList schedule = {{"__VARS", "start=$(date -I)"}, {"A", "schedule"}, {"HO_STAGE", "bogus"}};
  EnvList cli = {{"A", "cli"}, {"B", "2"}};
  EnvList env = merge_env(schedule, cli, "dev", "2026-12-01T12:00:00.000001");
  EnvList expected = {{"__VARS", "start=$(date -I)"},
                      {"A", "cli"},
                      {"HO_STAGE", "dev"},
                      {"B", "2"},
                      {"TASK_TRIGGERED_AT", "2026-12-01T12:00:00.000001"}};
  EXPECT_EQ(env, expected);
}

TEST(CloudRunEnv, CliCannotOverrideStage) {
  EnvList env = merge_env({}, {{"HO_STAGE", "prod"}}, "dev", "t");
  EXPECT_EQ(env[0], (std::pair<std::string, std::string>("HO_STAGE", "dev")));
}

TEST(CloudRunEnv, ScheduleEnvsByTargetIdComparedAsText) {
  auto schedules = tmpl::Value::parse(R"j([
    {"target_id": 1, "cron": "0 0 * * ? *", "envs": [{"key": "__VARS", "value": "x=$(date)"}, {"key": "N", "value": 7}]},
    {"target_id": "nightly", "envs": [{"key": "FLAG", "value": true}]}
  ])j");
  EXPECT_EQ(schedule_envs(schedules, "1"), (EnvList{{"__VARS", "x=$(date)"}, {"N", "7"}}));
  EXPECT_EQ(schedule_envs(schedules, "nightly"), (EnvList{{"FLAG", "True"}}));
  try {
    schedule_envs(schedules, "2");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no schedule with target_id '2' in project.yml");
    EXPECT_EQ(e.hint(), "declared target ids: 1, nightly");
    EXPECT_EQ(e.exit_code(), 2);
  }
  EXPECT_THROW(schedule_envs(tmpl::Value(), "1"), Error);
}

TEST(CloudRunNetwork, ParsesDescribeStacksOutputs) {
  std::string xml = R"(<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult><Stacks><member>
    <StackName>handoff-dev-rg-resources</StackName>
    <Outputs>
      <member><OutputKey>SubnetIds</OutputKey><OutputValue>subnet-1,subnet-2</OutputValue></member>
      <member><OutputKey>SecurityGroupId</OutputKey><OutputValue>sg-9</OutputValue></member>
    </Outputs>
  </member></Stacks></DescribeStacksResult></DescribeStacksResponse>)";
  auto out = parse_stack_outputs(xml);
  EXPECT_EQ(out["SubnetIds"], "subnet-1,subnet-2");
  EXPECT_EQ(out["SecurityGroupId"], "sg-9");
  EXPECT_TRUE(parse_stack_outputs("<DescribeStacksResponse/>").empty());
}

TEST(CloudNames, FollowTheSpec) {
  Names n{"dev-rg", "t"};
  EXPECT_EQ(n.cluster(), "handoff-dev-rg-resources");
  EXPECT_EQ(n.family(), "handoff-dev-rg-t");
  EXPECT_EQ(n.log_group(), "handoff/dev-rg/t");
}

aws::ecs::Task task_of(const std::string& family, const std::string& id) {
  aws::ecs::Task t;
  t.id = id;
  t.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/" + family + ":1";
  return t;
}

TEST(CloudJobStatus, KeepsOnlyOurFamilyUnlessResourceGroupLevel) {
  Names n{"dev-rg", "t"};
  std::vector<aws::ecs::Task> tasks = {task_of("handoff-dev-rg-t", "a"), task_of("handoff-dev-rg-t-rest", "b"),
                                       task_of("handoff-dev-other-t", "c")};
  auto ours = tasks_of(tasks, n, false);
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(ours[0].id, "a");
  EXPECT_EQ(tasks_of(tasks, n, true).size(), 2u);
}

TEST(CloudJobStatus, DigestShowsTheContainersExitCode) {
  aws::ecs::Task t = task_of("handoff-dev-rg-t", "a");
  t.stopped_at = 1764590470.25;
  t.stopped_reason = "Essential container in task exited";
  t.containers = {{"sidecar", "STOPPED", 0, ""}, {"img", "STOPPED", 3, ""}};
  auto d = task_digest(t, "img");
  EXPECT_EQ(d["exit_code"], 3);
  EXPECT_EQ(d["task_definition"], "handoff-dev-rg-t:1");
  EXPECT_EQ(d["stopped_at"], "2025-12-01T12:01:10.250Z");
  EXPECT_EQ(d["started_at"], nullptr);
  EXPECT_EQ(d["stop_reason"], "Essential container in task exited");
}

}  // namespace
}  // namespace handoff::cloud
