// create_schedule and delete_schedule step by step against a scripted HTTP peer: moto
// never refuses a step, so what is left after a failure is checked here.
#include "cloud/schedule_ops.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "util/error.h"

namespace handoff::cloud {
namespace {

class Scripted : public aws::HttpClient {
 public:
  std::deque<aws::HttpResponse> replies;
  std::vector<std::string> targets;  ///< X-Amz-Target (or the query Action) of each request
  aws::HttpResponse send(const aws::HttpRequest& req) override {
    std::string what = req.body.substr(0, req.body.find('&'));
    for (const auto& h : req.headers) {
      if (h.name == "X-Amz-Target") what = h.value;
    }
    targets.push_back(what);
    if (replies.empty()) throw std::logic_error("unexpected request " + what);
    aws::HttpResponse r = replies.front();
    replies.pop_front();
    return r;
  }
  void reply(int status, std::string body) {
    aws::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    replies.push_back(r);
  }
};

const std::string k_rule = "handoff-dev-etl-w-1";
const std::string k_machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:" + k_rule;

class ScheduleOps : public testing::Test {
 protected:
  ScheduleOps() : http_(std::make_shared<Scripted>()), client_(config()) {}
  aws::ClientConfig config() {
    std::map<std::string, std::string> vars = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                               {"AWS_SECRET_ACCESS_KEY", "secret"},
                                               {"AWS_REGION", "eu-west-1"},
                                               {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
                                               {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                               {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
    aws::ClientConfig c;
    c.env = [vars](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    c.http = http_;
    c.retry.max_attempts = 1;
    return c;
  }
  /// ListTargetsByRule with one state machine target, then the account id.
  void rule_with_machine() {
    http_->reply(200, R"({"Targets":[{"Id":"1","Arn":")" + k_machine + R"("}]})");
    http_->reply(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
                      "</GetCallerIdentityResult></GetCallerIdentityResponse>");
  }
  void denied() { http_->reply(400, R"({"__type":"AccessDeniedException","message":"not allowed"})"); }

  std::shared_ptr<Scripted> http_;
  aws::Client client_;
};

TEST_F(ScheduleOps, EveryStepInOrder) {
  rule_with_machine();
  http_->reply(200, R"({"FailedEntryCount":0,"FailedEntries":[]})");
  http_->reply(200, "{}");
  http_->reply(200, "{}");
  Deleted d = delete_schedule(client_, k_rule);
  EXPECT_EQ(d.done, (std::vector<std::string>{"removed target 1", "deleted rule " + k_rule,
                                              "deleted state machine " + k_machine}));
  EXPECT_TRUE(d.failure.empty());
  EXPECT_TRUE(d.left.empty());
  EXPECT_EQ(http_->targets,
            (std::vector<std::string>{"AWSEvents.ListTargetsByRule", "Action=GetCallerIdentity",
                                      "AWSEvents.RemoveTargets", "AWSEvents.DeleteRule",
                                      "AWSStepFunctions.DeleteStateMachine"}));
}

TEST_F(ScheduleOps, ARefusedRuleDeleteLeavesTheRuleAndTheStateMachine) {
  rule_with_machine();
  http_->reply(200, R"({"FailedEntryCount":0})");
  denied();
  Deleted d = delete_schedule(client_, k_rule);
  EXPECT_EQ(d.done, std::vector<std::string>{"removed target 1"});
  EXPECT_NE(d.failure.find("AccessDeniedException"), std::string::npos) << d.failure;
  EXPECT_EQ(d.left, (std::vector<std::string>{"rule " + k_rule, "state machine " + k_machine}));
}

TEST_F(ScheduleOps, ARefusedTargetRemovalLeavesEverything) {
  rule_with_machine();
  http_->reply(200, R"({"FailedEntryCount":1,"FailedEntries":[{"TargetId":"1","ErrorCode":"InternalException","ErrorMessage":"try later"}]})");
  Deleted d = delete_schedule(client_, k_rule);
  EXPECT_TRUE(d.done.empty());
  EXPECT_EQ(d.failure, "events RemoveTargets on rule '" + k_rule + "' failed: target '1': InternalException try later");
  EXPECT_EQ(d.left, (std::vector<std::string>{"rule " + k_rule, "targets 1", "state machine " + k_machine}));
}

TEST_F(ScheduleOps, ARefusedStateMachineDeleteLeavesOnlyIt) {
  rule_with_machine();
  http_->reply(200, R"({"FailedEntryCount":0})");
  http_->reply(200, "{}");
  denied();
  Deleted d = delete_schedule(client_, k_rule);
  EXPECT_EQ(d.done, (std::vector<std::string>{"removed target 1", "deleted rule " + k_rule}));
  EXPECT_EQ(d.left, std::vector<std::string>{"state machine " + k_machine});
}

TEST_F(ScheduleOps, AMissingRuleIsAnError) {
  http_->reply(400, R"({"__type":"ResourceNotFoundException","message":"Rule x does not exist."})");
  try {
    delete_schedule(client_, k_rule);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "no schedule '" + k_rule + "': EventBridge has no rule of that name");
    EXPECT_EQ(e.exit_code(), k_exit_failure);
  }
}

TEST_F(ScheduleOps, ACreateThatFailsHalfWaySaysWhatItMade) {
  http_->reply(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
                    "</GetCallerIdentityResult></GetCallerIdentityResponse>");
  http_->reply(400, R"({"__type":"StateMachineDoesNotExist","message":"no"})");
  http_->reply(200, R"({"stateMachineArn":")" + k_machine + R"("})");
  http_->reply(200, R"({"RuleArn":"arn:aws:events:eu-west-1:123456789012:rule/)" + k_rule + R"("})");
  http_->reply(200, R"({"FailedEntryCount":1,"FailedEntries":[{"TargetId":"1","ErrorCode":"ValidationException","ErrorMessage":"bad"}]})");
  ScheduleScope scope{"dev-etl", "w", "dev"};
  Schedule s{"1", "0 0 * * ? *", {}, "", ""};
  RunTarget t{"arn:cluster", "arn:td", {"subnet-1"}, {"sg-1"}, "img"};
  try {
    create_schedule(client_, scope, s, {{"HO_STAGE", "dev"}}, t, "arn:role", PlatformConfig{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "schedule '" + k_rule +
                                         "': events PutTargets on rule '" + k_rule +
                                         "' failed: target '1': ValidationException bad");
    EXPECT_EQ(e.hint(), "already made: state machine " + k_machine + "; rule " + k_rule +
                            " (without this target); run create again, or `handoff cloud schedule delete "
                            "--target-id 1`");
  }
  EXPECT_EQ(http_->targets,
            (std::vector<std::string>{"Action=GetCallerIdentity", "AWSStepFunctions.DescribeStateMachine",
                                      "AWSStepFunctions.CreateStateMachine", "AWSEvents.PutRule",
                                      "AWSEvents.PutTargets"}));
}

}  // namespace
}  // namespace handoff::cloud
