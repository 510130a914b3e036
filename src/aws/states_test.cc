// Request shapes of the Step Functions and EventBridge calls (states.cc,
// events.cc) against a scripted HTTP peer: content types, targets, bodies,
// and the "not found" answers that are values, not errors.
#include "aws/states.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "aws/events.h"

namespace handoff::aws {
namespace {

class Scripted : public HttpClient {
 public:
  std::deque<HttpResponse> replies;
  std::vector<HttpRequest> seen;
  HttpResponse send(const HttpRequest& req) override {
    seen.push_back(req);
    if (replies.empty()) throw std::logic_error("unexpected request");
    HttpResponse r = replies.front();
    replies.pop_front();
    return r;
  }
  void reply(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    replies.push_back(r);
  }
  std::string header(size_t i, const std::string& name) const {
    for (const auto& h : seen.at(i).headers) {
      if (h.name == name) return h.value;
    }
    return "";
  }
};

class AwsCalls : public testing::Test {
 protected:
  AwsCalls() : http_(std::make_shared<Scripted>()), client_(config()) {}
  ClientConfig config() {
    std::map<std::string, std::string> vars = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                               {"AWS_SECRET_ACCESS_KEY", "secret"},
                                               {"AWS_REGION", "eu-west-1"},
                                               {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
                                               {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                               {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
    ClientConfig c;
    c.env = [vars](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    c.http = http_;
    c.retry.max_attempts = 1;
    return c;
  }
  nlohmann::json body(size_t i) const { return nlohmann::json::parse(http_->seen.at(i).body); }

  std::shared_ptr<Scripted> http_;
  Client client_;
};

TEST_F(AwsCalls, StepFunctionsSpeaksJson10) {
  http_->reply(200, R"({"stateMachineArn":"arn:aws:states:eu-west-1:1:stateMachine:sm"})");
  EXPECT_EQ(states::create_state_machine(client_, "sm", "{}", "arn:role", nullptr),
            "arn:aws:states:eu-west-1:1:stateMachine:sm");
  EXPECT_EQ(http_->header(0, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(http_->header(0, "X-Amz-Target"), "AWSStepFunctions.CreateStateMachine");
  EXPECT_EQ(body(0).dump(), R"({"definition":"{}","name":"sm","roleArn":"arn:role","type":"STANDARD"})");
}

TEST_F(AwsCalls, AMissingStateMachineIsAnAnswer) {
  http_->reply(400, R"({"__type":"StateMachineDoesNotExist","message":"no"})");
  EXPECT_FALSE(states::describe_state_machine(client_, "arn:x"));
  http_->reply(400, R"({"__type":"StateMachineDoesNotExist","message":"no"})");
  EXPECT_FALSE(states::delete_state_machine(client_, "arn:x"));
  http_->reply(400, R"({"__type":"AccessDeniedException","message":"no"})");
  EXPECT_THROW(states::describe_state_machine(client_, "arn:x"), AwsError);
  EXPECT_EQ(states::state_machine_arn("eu-west-1", "123", "n"), "arn:aws:states:eu-west-1:123:stateMachine:n");
}

TEST_F(AwsCalls, EventBridgeSpeaksJson11AndFollowsTargetPages) {
  http_->reply(200, R"({"Targets":[{"Id":"1","Arn":"a1","Input":"{}"}],"NextToken":"t2"})");
  http_->reply(200, R"({"Targets":[{"Id":"2","Arn":"a2","EcsParameters":{"TaskCount":1}}],"NextToken":null})");
  auto targets = events::list_targets_by_rule(client_, "r");
  ASSERT_TRUE(targets);
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[1].ecs_parameters["TaskCount"], 1);
  EXPECT_EQ(http_->header(0, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(http_->header(1, "X-Amz-Target"), "AWSEvents.ListTargetsByRule");
  EXPECT_EQ(body(1).dump(), R"({"NextToken":"t2","Rule":"r"})");
  http_->reply(400, R"({"__type":"ResourceNotFoundException","message":"Rule r does not exist."})");
  EXPECT_FALSE(events::list_targets_by_rule(client_, "r"));
}

TEST_F(AwsCalls, FailedEntriesOfPutTargetsAreErrors) {
  http_->reply(200, R"({"FailedEntryCount":1,"FailedEntries":[{"TargetId":"1","ErrorCode":"ValidationException","ErrorMessage":"bad arn"}]})");
  try {
    events::put_targets(client_, "r", {{"1", "arn", "role", "{}", nullptr}});
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_STREQ(e.what(), "events PutTargets on rule 'r' failed: target '1': ValidationException bad arn");
    EXPECT_EQ(e.code(), "ValidationException");
  }
  EXPECT_EQ(body(0).dump(), R"({"Rule":"r","Targets":[{"Arn":"arn","Id":"1","Input":"{}","RoleArn":"role"}]})");
}

}  // namespace
}  // namespace handoff::aws
