// ECS request bodies and response parsing, on the shapes of the API reference
// and of answers recorded from moto_server.
#include "aws/ecs.h"

#include <gtest/gtest.h>

namespace handoff::aws::ecs {
namespace {

TEST(EcsTaskDefinition, ParsesFamilyAndRevisionFromArn) {
  auto ref = parse_task_definition_arn("arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-rg-t:12");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->family, "handoff-dev-rg-t");
  EXPECT_EQ(ref->revision, 12);
  auto bare = parse_task_definition_arn("fam:3");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->family, "fam");
  EXPECT_FALSE(parse_task_definition_arn("arn:aws:ecs:r:1:task-definition/fam"));
  EXPECT_FALSE(parse_task_definition_arn("fam:x1"));
}

TEST(EcsTaskDefinition, NewestOfFamilyIgnoresSiblingsWhoseNameStartsWithOurs) {
  std::string base = "arn:aws:ecs:us-east-1:123456789012:task-definition/";
  // A sibling task "t-rest" registered later, with a higher revision, and the
  // list in ascending order (moto ignores sort=DESC).
  std::vector<std::string> arns = {base + "handoff-dev-rg-t:1", base + "handoff-dev-rg-t:2",
                                   base + "handoff-dev-rg-t-rest:7", base + "handoff-dev-rg-tt:9"};
  auto ref = newest_of_family(arns, "handoff-dev-rg-t");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->arn, base + "handoff-dev-rg-t:2");
  EXPECT_FALSE(newest_of_family({base + "handoff-dev-rg-t-rest:1"}, "handoff-dev-rg-t"));
  EXPECT_FALSE(newest_of_family({}, "handoff-dev-rg-t"));
}

TEST(EcsRunTask, BodyIsFargateAwsvpcWithOneContainerOverride) {
  RunTaskInput in;
  in.cluster = "handoff-dev-rg-resources";
  in.task_definition = "arn:td/handoff-dev-rg-t:2";
  in.container = "img";
  in.environment = {{"__VARS", "d=$(date)"}, {"HO_STAGE", "dev"}};
  in.subnets = {"subnet-1", "subnet-2"};
  in.security_groups = {"sg-1"};
  nlohmann::json expected = nlohmann::json::parse(R"j({
    "cluster": "handoff-dev-rg-resources",
    "taskDefinition": "arn:td/handoff-dev-rg-t:2",
    "count": 1,
    "launchType": "FARGATE",
    "startedBy": "handoff",
    "networkConfiguration": {"awsvpcConfiguration": {
      "subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "assignPublicIp": "ENABLED"}},
    "overrides": {"containerOverrides": [{"name": "img", "environment": [
      {"name": "__VARS", "value": "d=$(date)"}, {"name": "HO_STAGE", "value": "dev"}]}]}
  })j");
  EXPECT_EQ(run_task_body(in), expected);
}

TEST(EcsTask, ParsesDescribeTasksEntry) {
  // DescribeTasks "tasks" item in the documented shape (timestamps in epoch seconds).
  auto j = nlohmann::json::parse(R"j({
    "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/handoff-dev-rg-resources/0123abcd",
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-rg-t:2",
    "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "stopCode": "EssentialContainerExited",
    "stoppedReason": "Essential container in task exited", "cpu": "256", "memory": "512",
    "createdAt": 1764590400.5, "startedAt": 1764590410, "stoppedAt": 1764590470.25,
    "containers": [{"name": "img", "lastStatus": "STOPPED", "exitCode": 1, "reason": "OutOfMemoryError"},
                   {"name": "sidecar", "lastStatus": "STOPPED"}]
  })j");
  Task t = parse_task(j);
  EXPECT_EQ(t.id, "0123abcd");
  EXPECT_EQ(t.last_status, "STOPPED");
  EXPECT_EQ(t.stop_code, "EssentialContainerExited");
  ASSERT_TRUE(t.created_at);
  EXPECT_DOUBLE_EQ(*t.created_at, 1764590400.5);
  ASSERT_TRUE(t.stopped_at);
  ASSERT_EQ(t.containers.size(), 2u);
  EXPECT_EQ(t.containers[0].exit_code, 1);
  EXPECT_EQ(t.containers[0].reason, "OutOfMemoryError");
  EXPECT_FALSE(t.containers[1].exit_code);
  EXPECT_EQ(t.raw, j);
}

TEST(EcsTask, ToleratesMissingFields) {
  Task t = parse_task(nlohmann::json::object());
  EXPECT_EQ(t.id, "");
  EXPECT_FALSE(t.started_at);
  EXPECT_TRUE(t.containers.empty());
  EXPECT_EQ(task_id_of("abc"), "abc");
}

}  // namespace
}  // namespace handoff::aws::ecs
