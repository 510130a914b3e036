// ECS request bodies and response parsing, on the shapes of the API reference
// and of answers recorded from moto_server.
#include "aws/ecs.h"

#include <gtest/gtest.h>

#include <memory>

#include "util/error.h"

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
  EXPECT_FALSE(parse_task_definition_arn("fam:99999999999999999999999"));
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

// ----- pagination and batching on a scripted HTTP seam ----------------------
namespace handoff::aws::ecs {
namespace {

struct Recorder : HttpClient {
  std::vector<nlohmann::json> answers;
  std::vector<std::pair<std::string, nlohmann::json>> calls;  ///< X-Amz-Target, body
  HttpResponse send(const HttpRequest& req) override {
    std::string target;
    for (const auto& h : req.headers) {
      if (h.name == "X-Amz-Target" || h.name == "x-amz-target") target = h.value;
    }
    calls.emplace_back(target, nlohmann::json::parse(req.body));
    HttpResponse r;
    r.status = 200;
    r.body = (calls.size() <= answers.size() ? answers[calls.size() - 1] : nlohmann::json::object()).dump();
    return r;
  }
};

Client fake_client(const std::shared_ptr<Recorder>& http) {
  ClientConfig cfg;
  cfg.env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "AWS_ACCESS_KEY_ID") return "AKID";
    if (n == "AWS_SECRET_ACCESS_KEY") return "secret-for-the-fake";
    if (n == "AWS_REGION") return "eu-west-1";
    if (n == "AWS_ENDPOINT_URL") return "http://127.0.0.1:9";
    if (n == "AWS_CONFIG_FILE" || n == "AWS_SHARED_CREDENTIALS_FILE") return "/nonexistent";
    return std::nullopt;
  };
  cfg.http = http;
  return Client(cfg);
}

TEST(EcsCalls, ListTasksFollowsEveryPage) {
  auto http = std::make_shared<Recorder>();
  http->answers = {{{"taskArns", {"t1", "t2"}}, {"nextToken", "p2"}}, {{"taskArns", {"t3"}}}};
  Client client = fake_client(http);
  EXPECT_EQ(list_tasks(client, "c", "STOPPED", "fam"), (std::vector<std::string>{"t1", "t2", "t3"}));
  ASSERT_EQ(http->calls.size(), 2u);
  EXPECT_EQ(http->calls[0].first, "AmazonEC2ContainerServiceV20141113.ListTasks");
  EXPECT_EQ(http->calls[0].second,
            nlohmann::json({{"cluster", "c"}, {"desiredStatus", "STOPPED"}, {"maxResults", 100}, {"family", "fam"}}));
  EXPECT_EQ(http->calls[1].second["nextToken"], "p2");
}

TEST(EcsCalls, DescribeTasksInBatchesOfHundred) {
  auto http = std::make_shared<Recorder>();
  http->answers = {{{"tasks", {{{"taskArn", "arn:x:task/c/1"}}}}}, {{"tasks", nlohmann::json::array()}}};
  Client client = fake_client(http);
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back("id" + std::to_string(i));
  auto tasks = describe_tasks(client, "c", ids);
  ASSERT_EQ(http->calls.size(), 2u);
  EXPECT_EQ(http->calls[0].second["tasks"].size(), 100u);
  EXPECT_EQ(http->calls[1].second["tasks"].size(), 50u);
  EXPECT_EQ(http->calls[1].second["tasks"][0], "id100");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, "1");
}

TEST(EcsCalls, RunTaskWithOnlyFailuresNamesThem) {
  auto http = std::make_shared<Recorder>();
  http->answers = {{{"tasks", nlohmann::json::array()},
                    {"failures", {{{"arn", "arn:c"}, {"reason", "RESOURCE:MEMORY"}, {"detail", "no room"}}}}}};
  Client client = fake_client(http);
  RunTaskInput in;
  in.cluster = "c";
  in.task_definition = "fam:1";
  try {
    run_task(client, in);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ecs RunTask started no task of 'fam:1' in cluster 'c': RESOURCE:MEMORY (no room)");
  }
}

}  // namespace
}  // namespace handoff::aws::ecs
