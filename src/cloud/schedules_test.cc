#include "cloud/schedules.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "project/load.h"
#include "util/error.h"

namespace handoff::cloud {
namespace {

// The original's tests/unit/test_events_list_schedules.py (expectations 9-15):
// ListRules filtered by NamePrefix, optionally paginated with a numeric
// NextToken; ListTargetsByRule gives one target per rule here (the original's
// fake gave none, which our listing skips with a warning: see the last test).
class FakeEvents : public EventsApi {
 public:
  std::vector<std::string> rules;
  size_t page_size = 0;  ///< 0: everything on one page
  bool with_targets = true;
  std::vector<std::string> prefixes;  ///< NamePrefix of each ListRules call
  std::vector<std::string> target_calls;

  aws::events::RulesPage list_rules(const std::string& prefix, const std::string& token) override {
    prefixes.push_back(prefix);
    std::vector<std::string> match;
    for (const auto& r : rules) {
      if (r.rfind(prefix, 0) == 0) match.push_back(r);
    }
    size_t start = token.empty() ? 0 : std::stoul(token);
    size_t n = page_size ? page_size : match.size();
    aws::events::RulesPage page;
    for (size_t i = start; i < match.size() && i < start + n; ++i) {
      page.rules.push_back({match[i], "arn:aws:events:us-east-1:123456789012:rule/" + match[i],
                            "cron(0 0 * * ? *)", "ENABLED"});
    }
    if (start + n < match.size()) page.next_token = std::to_string(start + n);
    return page;
  }
  std::optional<std::vector<aws::events::Target>> list_targets(const std::string& rule) override {
    target_calls.push_back(rule);
    if (!with_targets) return std::vector<aws::events::Target>{};
    aws::events::Target t;
    t.id = rule.substr(rule.rfind('-') + 1);
    t.arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + rule;
    t.input = R"({"ContainerOverrides":[{"Name":"img","Environment":[{"Name":"__VARS","Value":"a=1"},{"Name":"HO_STAGE","Value":"prod"}]}]})";
    return std::vector<aws::events::Target>{t};
  }
};

std::vector<std::string> names(const std::vector<ListedSchedule>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.name);
  return out;
}

using V = std::vector<std::string>;
const std::string k_stack = "handoff-etl-widgets";

TEST(ScheduleList, DeclaredScopeExcludesASiblingTasksRule) {  // 9
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-daily-1", "handoff-etl-widgets-legacy-nightly-1"};
  auto got = list_schedules(api, "declared", k_stack, {"daily-1"}, nullptr);
  EXPECT_EQ(names(got), V{"handoff-etl-widgets-daily-1"});
  EXPECT_EQ(api.target_calls, V{"handoff-etl-widgets-daily-1"});
}

TEST(ScheduleList, DeclaredScopeWithNothingDeclaredCallsNothing) {  // 10
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-daily-1"};
  EXPECT_TRUE(list_schedules(api, "declared", k_stack, {}, nullptr).empty());
  EXPECT_TRUE(api.target_calls.empty());
  EXPECT_TRUE(api.prefixes.empty());
}

TEST(ScheduleList, PrefixScopeKeepsTheKnownOverMatch) {  // 11
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-daily-1", "handoff-etl-widgets-legacy-nightly-1"};
  auto got = list_schedules(api, "prefix", k_stack, {"daily-1"}, nullptr);
  EXPECT_EQ(names(got), (V{"handoff-etl-widgets-daily-1", "handoff-etl-widgets-legacy-nightly-1"}));
}

TEST(ScheduleList, AllScopeIgnoresTheTaskStack) {  // 12
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-daily-1", "handoff-etl-widgets-legacy-nightly-1", "handoff-role-other-thing"};
  auto got = list_schedules(api, "all", k_stack, {}, nullptr);
  EXPECT_EQ(names(got), (V{"handoff-etl-widgets-daily-1", "handoff-etl-widgets-legacy-nightly-1",
                           "handoff-role-other-thing"}));
  ASSERT_FALSE(api.prefixes.empty());
  EXPECT_EQ(api.prefixes.front(), "handoff-");
}

TEST(ScheduleList, FollowsEveryPage) {  // 13
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-1", "handoff-etl-widgets-2", "handoff-etl-widgets-3"};
  api.page_size = 1;
  auto got = list_schedules(api, "declared", k_stack, {"1", "2", "3"}, nullptr);
  EXPECT_EQ(api.prefixes.size(), 3u);
  EXPECT_EQ(names(got), (V{"handoff-etl-widgets-1", "handoff-etl-widgets-2", "handoff-etl-widgets-3"}));
}

TEST(ScheduleList, NoRulesIsAnEmptyListNotAnError) {  // 14
  FakeEvents api;
  EXPECT_TRUE(list_schedules(api, "prefix", k_stack, {}, nullptr).empty());
  EXPECT_TRUE(api.target_calls.empty());
}

TEST(ScheduleList, AnInvalidScopeFailsBeforeAnyCall) {  // 15
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-daily-1"};
  try {
    list_schedules(api, "declare", k_stack, {"daily-1"}, nullptr);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown schedule list scope 'declare'");
    EXPECT_EQ(e.exit_code(), k_exit_usage);
  }
  EXPECT_TRUE(api.prefixes.empty());
}

TEST(ScheduleList, RecordsCronIdEnvsWithoutStageAndSkipsRulesWithoutTargets) {
  FakeEvents api;
  api.rules = {"handoff-etl-widgets-1"};
  auto got = list_schedules(api, "declared", k_stack, {"1"}, nullptr);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].cron, "0 0 * * ? *");
  EXPECT_EQ(got[0].target_id, "1");
  EXPECT_EQ(got[0].kind, "state_machine");
  EXPECT_EQ(got[0].envs, (Env{{"__VARS", "a=1"}}));
  EXPECT_EQ(to_json(got[0]).dump(),
            R"({"name":"handoff-etl-widgets-1","cron":"0 0 * * ? *","target_id":"1","envs":[{"key":"__VARS","value":"a=1"}],)"
            R"("target":"state_machine","target_arn":"arn:aws:states:us-east-1:123456789012:stateMachine:handoff-etl-widgets-1",)"
            R"("status":"scheduled"})");
  api.with_targets = false;
  std::vector<std::string> warnings;
  EXPECT_TRUE(list_schedules(api, "declared", k_stack, {"1"}, &warnings).empty());
  EXPECT_EQ(warnings, V{"rule 'handoff-etl-widgets-1' has no targets: skipped"});
}

TEST(ScheduleList, EnvsFromEitherSpellingOfTheInput) {
  EXPECT_EQ(envs_from_input(R"({"containerOverrides":[{"name":"c","environment":[{"name":"A","value":"1"}]}]})"),
            (Env{{"A", "1"}}));
  EXPECT_EQ(envs_from_input(""), Env{});
  EXPECT_EQ(envs_from_input("not json"), Env{});
}

// ----- project.yml, names and environment ----------------------------------

project::Project load(const std::string& yaml) { return project::load_project_text(yaml, "/tmp/p", "project.yml"); }

TEST(Schedules, DeclaredSchedulesStringifyIdsAndValuesAndKeepVarsUnevaluated) {
  auto p = load(R"(tasks: [{name: t, pipeline: [{command: echo}]}]
schedules:
- target_id: 1
  cron: "0 0 * * ? *"
  envs:
  - {key: __VARS, value: 'start_at=$(date -I -d "-1 day")'}
  - {key: RETRIES, value: 3}
  - {key: VERBOSE, value: true}
- target_id: nightly
  cron: "30 2 ? * MON-FRI *"
)");
  auto s = declared_schedules(p.schedules);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].target_id, "1");
  EXPECT_EQ(s[0].envs, (Env{{"__VARS", "start_at=$(date -I -d \"-1 day\")"}, {"RETRIES", "3"}, {"VERBOSE", "True"}}));
  EXPECT_EQ(s[1].target_id, "nightly");
  EXPECT_TRUE(s[1].envs.empty());
}

TEST(Schedules, DeclaredSchedulesRejectMissingAndDuplicateIds) {
  EXPECT_THROW(declared_schedules(project::Value::parse(R"([{"cron": "0 0 * * ? *"}])")), Error);
  try {
    declared_schedules(project::Value::parse(R"([{"target_id": 1}, {"target_id": "1"}])"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "project.yml: schedules[1]: target_id '1' is declared twice");
  }
  EXPECT_TRUE(declared_schedules(project::Value()).empty());
}

TEST(Schedules, EnvPrecedenceIsScheduleThenDashEThenStage) {
  Env merged = merge_envs({{"A", "schedule"}, {"B", "schedule"}, {"HO_STAGE", "x"}},
                          {{"B", "cli"}, {"C", "cli"}, {"HO_STAGE", "cli"}}, "dev");
  EXPECT_EQ(merged, (Env{{"A", "schedule"}, {"B", "cli"}, {"HO_STAGE", "dev"}, {"C", "cli"}}));
}

TEST(Schedules, RuleNamesAreCheckedAgainstEventBridgeRules) {
  EXPECT_EQ(rule_name("handoff-dev-etl-widgets", "1"), "handoff-dev-etl-widgets-1");
  EXPECT_THROW(rule_name("handoff-dev-etl-widgets", "a b"), Error);
  EXPECT_THROW(rule_name("handoff-dev-etl-widgets", ""), Error);
  try {
    rule_name("handoff-" + std::string(50, 'r') + "-task", "1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), k_exit_usage);
    EXPECT_NE(std::string(e.what()).find("is 65 characters, EventBridge allows 64"), std::string::npos);
  }
}

TEST(Schedules, PlatformConfigDefaultsAndOverrides) {
  PlatformConfig d = platform_config(project::Value());
  EXPECT_TRUE(d.state_machine);
  EXPECT_EQ(d.state_machine_timeout, 14400);
  EXPECT_EQ(d.retry_interval, 1800);
  EXPECT_EQ(d.max_retries, 4);
  EXPECT_EQ(d.backoff_rate, 1);
  PlatformConfig c = platform_config(project::Value::parse(
      R"({"platform_config": {"state_machine": false, "state_machine_timeout": 600, "retry_interval": 60,
          "max_retries": 2, "backoff_rate": 1.5, "role_arn": "arn:aws:iam::1:role/r"}})"));
  EXPECT_FALSE(c.state_machine);
  EXPECT_EQ(c.state_machine_timeout, 600);
  EXPECT_EQ(c.retry_interval, 60);
  EXPECT_EQ(c.max_retries, 2);
  EXPECT_EQ(c.backoff_rate, 1.5);
  EXPECT_EQ(c.role_arn, "arn:aws:iam::1:role/r");
  EXPECT_THROW(platform_config(project::Value::parse(R"({"platform_config": {"max_retries": "many"}})")), Error);
}

RunTarget target() {
  return {"arn:aws:ecs:us-east-1:123456789012:cluster/handoff-dev-etl-resources",
          "arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-etl-widgets:3",
          {"subnet-1", "subnet-2"},
          {"sg-1"},
          "widgets-image"};
}

TEST(Schedules, StateMachineDefinition) {
  PlatformConfig c;
  EXPECT_EQ(state_machine_definition(target(), {{"__VARS", "a=1"}, {"HO_STAGE", "dev"}}, c).dump(),
            R"({"Comment":"handoff: run arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-etl-widgets:3 on Fargate",)"
            R"("StartAt":"RunTask","TimeoutSeconds":14400,"States":{"RunTask":{"Type":"Task",)"
            R"("Resource":"arn:aws:states:::ecs:runTask.sync","Parameters":{"LaunchType":"FARGATE",)"
            R"("Cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/handoff-dev-etl-resources",)"
            R"("TaskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-etl-widgets:3",)"
            R"("NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["subnet-1","subnet-2"],"SecurityGroups":["sg-1"],)"
            R"("AssignPublicIp":"ENABLED"}},"Overrides":{"ContainerOverrides":[{"Name":"widgets-image","Environment":)"
            R"([{"Name":"__VARS","Value":"a=1"},{"Name":"HO_STAGE","Value":"dev"}]}]}},)"
            R"("Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":1800,"MaxAttempts":4,"BackoffRate":1.0}],)"
            R"("End":true}}})");
}

TEST(Schedules, EcsTargetUsesTheSpellingRunTaskAccepts) {
  EXPECT_EQ(container_overrides("img", {{"A", "1"}}, true).dump(),
            R"({"containerOverrides":[{"name":"img","environment":[{"name":"A","value":"1"}]}]})");
  EXPECT_EQ(ecs_parameters(target()).dump(),
            R"({"TaskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-etl-widgets:3",)"
            R"("TaskCount":1,"LaunchType":"FARGATE","NetworkConfiguration":{"awsvpcConfiguration":)"
            R"({"Subnets":["subnet-1","subnet-2"],"SecurityGroups":["sg-1"],"AssignPublicIp":"ENABLED"}}})");
}

}  // namespace
}  // namespace handoff::cloud
