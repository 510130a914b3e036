// Tests of waiting for a stack and of the failure report, on RECORDED
// DescribeStackEvents responses in the documented shape (moto never emits
// per-resource *_FAILED events, so this is where the report is proven):
// a create that failed and rolled back, and an update that rolled back.
#include "cloud/stack_events.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

namespace handoff::cloud {
namespace {

// handoff-dev-etl-resources: the security group's VPC does not exist; the
// cluster is cancelled as a consequence. Newest first, as AWS answers.
const char* k_create_failed_rollback = R"xml(<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackEventsResult>
    <StackEvents>
      <member>
        <EventId>7c1d2e80-afd4-11ef-8a3e-0e6b1f0d3b27</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>handoff-dev-etl-resources</LogicalResourceId>
        <PhysicalResourceId>arn:aws:cloudformation:us-east-1:123456789012:stack/handoff-dev-etl-resources/5a0f7c10-afd4-11ef-9d2a-12b3c4d5e6f7</PhysicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T10:16:42.918Z</Timestamp>
        <ResourceStatus>ROLLBACK_COMPLETE</ResourceStatus>
      </member>
      <member>
        <EventId>Cluster-DELETE_COMPLETE-2026-12-01T10:16:42.301Z</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>Cluster</LogicalResourceId>
        <PhysicalResourceId>handoff-dev-etl-resources</PhysicalResourceId>
        <ResourceType>AWS::ECS::Cluster</ResourceType>
        <Timestamp>2026-12-01T10:16:42.301Z</Timestamp>
        <ResourceStatus>DELETE_COMPLETE</ResourceStatus>
      </member>
      <member>
        <EventId>6b4e9f20-afd4-11ef-b0c1-0a9d8e7f6c5b</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>handoff-dev-etl-resources</LogicalResourceId>
        <PhysicalResourceId>arn:aws:cloudformation:us-east-1:123456789012:stack/handoff-dev-etl-resources/5a0f7c10-afd4-11ef-9d2a-12b3c4d5e6f7</PhysicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T10:16:31.077Z</Timestamp>
        <ResourceStatus>ROLLBACK_IN_PROGRESS</ResourceStatus>
        <ResourceStatusReason>The following resource(s) failed to create: [Cluster, SecurityGroup]. Rollback requested by user.</ResourceStatusReason>
      </member>
      <member>
        <EventId>Cluster-CREATE_FAILED-2026-12-01T10:16:30.655Z</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>Cluster</LogicalResourceId>
        <PhysicalResourceId>handoff-dev-etl-resources</PhysicalResourceId>
        <ResourceType>AWS::ECS::Cluster</ResourceType>
        <Timestamp>2026-12-01T10:16:30.655Z</Timestamp>
        <ResourceStatus>CREATE_FAILED</ResourceStatus>
        <ResourceStatusReason>Resource creation cancelled</ResourceStatusReason>
      </member>
      <member>
        <EventId>SecurityGroup-CREATE_FAILED-2026-12-01T10:16:30.214Z</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>SecurityGroup</LogicalResourceId>
        <PhysicalResourceId></PhysicalResourceId>
        <ResourceType>AWS::EC2::SecurityGroup</ResourceType>
        <Timestamp>2026-12-01T10:16:30.214Z</Timestamp>
        <ResourceStatus>CREATE_FAILED</ResourceStatus>
        <ResourceStatusReason>Resource handler returned message: "The vpc ID 'vpc-0d1e2f3a4b5c6d7e8' does not exist (Service: Ec2, Status Code: 400, Request ID: 0c9f6a0e-1b2d-4e3f-8a7b-6c5d4e3f2a1b)" (RequestToken: 3f2e1d0c-9b8a-7f6e-5d4c-3b2a1f0e9d8c, HandlerErrorCode: NotFound)</ResourceStatusReason>
      </member>
      <member>
        <EventId>Cluster-CREATE_IN_PROGRESS-2026-12-01T10:16:29.870Z</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>Cluster</LogicalResourceId>
        <PhysicalResourceId>handoff-dev-etl-resources</PhysicalResourceId>
        <ResourceType>AWS::ECS::Cluster</ResourceType>
        <Timestamp>2026-12-01T10:16:29.870Z</Timestamp>
        <ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>
        <ResourceStatusReason>Resource creation Initiated</ResourceStatusReason>
      </member>
      <member>
        <EventId>SecurityGroup-CREATE_IN_PROGRESS-2026-12-01T10:16:28.992Z</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>SecurityGroup</LogicalResourceId>
        <PhysicalResourceId></PhysicalResourceId>
        <ResourceType>AWS::EC2::SecurityGroup</ResourceType>
        <Timestamp>2026-12-01T10:16:28.992Z</Timestamp>
        <ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>
      </member>
      <member>
        <EventId>5a10b6a0-afd4-11ef-9d2a-12b3c4d5e6f7</EventId>
        <StackName>handoff-dev-etl-resources</StackName>
        <LogicalResourceId>handoff-dev-etl-resources</LogicalResourceId>
        <PhysicalResourceId>arn:aws:cloudformation:us-east-1:123456789012:stack/handoff-dev-etl-resources/5a0f7c10-afd4-11ef-9d2a-12b3c4d5e6f7</PhysicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T10:16:25.446Z</Timestamp>
        <ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>
        <ResourceStatusReason>User Initiated</ResourceStatusReason>
      </member>
    </StackEvents>
  </DescribeStackEventsResult>
  <ResponseMetadata><RequestId>1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9</RequestId></ResponseMetadata>
</DescribeStackEventsResponse>)xml";

// handoff-dev-etl-t1: an update to a size Fargate does not offer, rolled
// back. Two pages (NextToken); the second ends in the events of the create
// before, which the update must not report.
const char* k_update_rollback_page1 = R"xml(<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackEventsResult>
    <StackEvents>
      <member>
        <EventId>d4e5f600-afd9-11ef-a1b2-0f1e2d3c4b5a</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>handoff-dev-etl-t1</LogicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T11:02:19.530Z</Timestamp>
        <ResourceStatus>UPDATE_ROLLBACK_COMPLETE</ResourceStatus>
      </member>
      <member>
        <EventId>d1c2b3a0-afd9-11ef-8e7d-0a1b2c3d4e5f</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>handoff-dev-etl-t1</LogicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T11:02:18.964Z</Timestamp>
        <ResourceStatus>UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS</ResourceStatus>
      </member>
      <member>
        <EventId>cc0d1e20-afd9-11ef-b3a4-0e9f8d7c6b5a</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>handoff-dev-etl-t1</LogicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T11:02:14.102Z</Timestamp>
        <ResourceStatus>UPDATE_ROLLBACK_IN_PROGRESS</ResourceStatus>
        <ResourceStatusReason>The following resource(s) failed to update: [TaskDefinition]. </ResourceStatusReason>
      </member>
      <member>
        <EventId>TaskDefinition-UPDATE_FAILED-2026-12-01T11:02:13.587Z</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>TaskDefinition</LogicalResourceId>
        <PhysicalResourceId>arn:aws:ecs:us-east-1:123456789012:task-definition/handoff-dev-etl-t1:3</PhysicalResourceId>
        <ResourceType>AWS::ECS::TaskDefinition</ResourceType>
        <Timestamp>2026-12-01T11:02:13.587Z</Timestamp>
        <ResourceStatus>UPDATE_FAILED</ResourceStatus>
        <ResourceStatusReason>Resource handler returned message: "Invalid request provided: Create TaskDefinition: No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values. (Service: AmazonECS; Status Code: 400; Error Code: ClientException)" (HandlerErrorCode: InvalidRequest)</ResourceStatusReason>
      </member>
    </StackEvents>
    <NextToken>eyJ2IjoxLCJjIjoiZXhhbXBsZSJ9</NextToken>
  </DescribeStackEventsResult>
  <ResponseMetadata><RequestId>2a3b4c5d-6e7f-4801-9a2b-3c4d5e6f7a8b</RequestId></ResponseMetadata>
</DescribeStackEventsResponse>)xml";

const char* k_update_rollback_page2 = R"xml(<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackEventsResult>
    <StackEvents>
      <member>
        <EventId>TaskDefinition-UPDATE_IN_PROGRESS-2026-12-01T11:02:12.940Z</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>TaskDefinition</LogicalResourceId>
        <ResourceType>AWS::ECS::TaskDefinition</ResourceType>
        <Timestamp>2026-12-01T11:02:12.940Z</Timestamp>
        <ResourceStatus>UPDATE_IN_PROGRESS</ResourceStatus>
        <ResourceStatusReason>Requested update requires the creation of a new physical resource; hence creating one.</ResourceStatusReason>
      </member>
      <member>
        <EventId>c8f9e0d0-afd9-11ef-9c8b-0d1c2b3a4f5e</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>handoff-dev-etl-t1</LogicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T11:02:09.315Z</Timestamp>
        <ResourceStatus>UPDATE_IN_PROGRESS</ResourceStatus>
        <ResourceStatusReason>User Initiated</ResourceStatusReason>
      </member>
      <member>
        <EventId>0a9b8c70-afd8-11ef-8f9e-0c1d2e3f4a5b</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>handoff-dev-etl-t1</LogicalResourceId>
        <ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <Timestamp>2026-12-01T10:41:55.020Z</Timestamp>
        <ResourceStatus>CREATE_COMPLETE</ResourceStatus>
      </member>
      <member>
        <EventId>LogGroup-CREATE_FAILED-2026-12-01T10:40:00.000Z</EventId>
        <StackName>handoff-dev-etl-t1</StackName>
        <LogicalResourceId>OldFailure</LogicalResourceId>
        <ResourceType>AWS::Logs::LogGroup</ResourceType>
        <Timestamp>2026-12-01T10:40:00.000Z</Timestamp>
        <ResourceStatus>CREATE_FAILED</ResourceStatus>
        <ResourceStatusReason>an older failure that is not this update's</ResourceStatusReason>
      </member>
    </StackEvents>
  </DescribeStackEventsResult>
  <ResponseMetadata><RequestId>3b4c5d6e-7f80-4912-ab3c-4d5e6f7a8b9c</RequestId></ResponseMetadata>
</DescribeStackEventsResponse>)xml";

std::vector<aws::StackEvent> oldest_first(const char* xml) {
  auto events = aws::parse_describe_stack_events(xml).events;
  std::reverse(events.begin(), events.end());
  return events;
}

TEST(StackFailure, CreateRollbackNamesTheCauseNotTheCancelledResource) {
  auto events = oldest_first(k_create_failed_rollback);
  ASSERT_EQ(events.size(), 8u);
  auto f = first_failure(events);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->logical_id, "SecurityGroup");
  Error e = failure_error(StackAction::create, "handoff-dev-etl-resources", "ROLLBACK_COMPLETE", "",
                          f, "handoff cloud resources");
  EXPECT_STREQ(e.what(),
               "stack 'handoff-dev-etl-resources' failed to create (ROLLBACK_COMPLETE): SecurityGroup "
               "(AWS::EC2::SecurityGroup) CREATE_FAILED: Resource handler returned message: \"The vpc ID "
               "'vpc-0d1e2f3a4b5c6d7e8' does not exist (Service: Ec2, Status Code: 400, Request ID: "
               "0c9f6a0e-1b2d-4e3f-8a7b-6c5d4e3f2a1b)\" (RequestToken: "
               "3f2e1d0c-9b8a-7f6e-5d4c-3b2a1f0e9d8c, HandlerErrorCode: NotFound)");
  EXPECT_EQ(e.hint(),
            "fix the cause, then remove the rolled-back stack (handoff cloud resources delete) and "
            "create it again");
  EXPECT_EQ(e.exit_code(), 1);
}

TEST(StackFailure, EventLinesShowTimeLogicalIdStatusAndReason) {
  auto events = oldest_first(k_create_failed_rollback);
  EXPECT_EQ(format_event(events[0]),
            "2026-12-01 10:16:25Z handoff-dev-etl-resources CREATE_IN_PROGRESS User Initiated");
  EXPECT_EQ(format_event(events[1]), "2026-12-01 10:16:28Z SecurityGroup CREATE_IN_PROGRESS");
  EXPECT_EQ(format_event(events[4]),
            "2026-12-01 10:16:30Z Cluster CREATE_FAILED Resource creation cancelled");
}

TEST(StackFailure, WithoutFailedEventsTheStackReasonIsReported) {
  // moto's shape: no per-resource failure, only the stack's own status.
  Error e = failure_error(StackAction::remove, "handoff-dev-etl-bucket", "DELETE_FAILED",
                          "The bucket you tried to delete is not empty", std::nullopt,
                          "handoff cloud bucket");
  EXPECT_STREQ(e.what(),
               "stack 'handoff-dev-etl-bucket' failed to delete (DELETE_FAILED): The bucket you tried "
               "to delete is not empty");
  EXPECT_NE(e.hint().find("handoff cloud bucket delete again"), std::string::npos);
}

TEST(StackStatus, InProgressAndSuccess) {
  EXPECT_TRUE(is_in_progress("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
  EXPECT_TRUE(is_in_progress("ROLLBACK_IN_PROGRESS"));
  EXPECT_FALSE(is_in_progress("ROLLBACK_COMPLETE"));
  EXPECT_TRUE(is_success(StackAction::create, "CREATE_COMPLETE"));
  EXPECT_FALSE(is_success(StackAction::create, "ROLLBACK_COMPLETE"));
  EXPECT_FALSE(is_success(StackAction::update, "UPDATE_ROLLBACK_COMPLETE"));
  EXPECT_TRUE(is_success(StackAction::remove, "DELETE_COMPLETE"));
}

// ----- waiting, against a scripted HTTP seam ---------------------------------
class ScriptedHttp : public aws::HttpClient {
 public:
  std::deque<std::pair<int, std::string>> replies;
  std::vector<std::string> bodies;
  aws::HttpResponse send(const aws::HttpRequest& req) override {
    bodies.push_back(req.body);
    if (replies.empty()) throw std::logic_error("unexpected request: " + req.body);
    aws::HttpResponse r;
    std::tie(r.status, r.body) = replies.front();
    replies.pop_front();
    return r;
  }
};

std::string stack_xml(const std::string& status, const std::string& reason = {}) {
  return "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>arn:s</StackId>"
         "<StackName>handoff-dev-etl-t1</StackName><StackStatus>" + status + "</StackStatus>" +
         (reason.empty() ? "" : "<StackStatusReason>" + reason + "</StackStatusReason>") +
         "</member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
}

class WaitTest : public testing::Test {
 protected:
  void SetUp() override {
    http_ = std::make_shared<ScriptedHttp>();
    aws::ClientConfig cfg;
    std::map<std::string, std::string> vars = {
        {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret"},
        {"AWS_REGION", "us-east-1"},          {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
        {"AWS_CONFIG_FILE", "/nonexistent"},  {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}};
    cfg.env = [vars](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    cfg.http = http_;
    cfg.retry.max_attempts = 1;
    client_ = std::make_unique<aws::Client>(cfg);
    cfn_ = std::make_unique<aws::CloudFormation>(*client_);
    options_.sleep = [this](std::chrono::milliseconds d) { clock_ += d; };
    options_.now = [this] { return std::chrono::steady_clock::time_point(clock_); };
  }
  std::shared_ptr<ScriptedHttp> http_;
  std::unique_ptr<aws::Client> client_;
  std::unique_ptr<aws::CloudFormation> cfn_;
  WaitOptions options_;
  std::chrono::milliseconds clock_{0};
};

TEST_F(WaitTest, UpdateRollbackStreamsOnlyItsOwnEventsOldestFirstAndReportsTheCause) {
  // Poll 1: in progress, the first two events so far. Poll 2: rolled back,
  // the rest, over two pages, down to the event that was newest before.
  http_->replies.push_back({200, stack_xml("UPDATE_IN_PROGRESS")});
  http_->replies.push_back({200, k_update_rollback_page2});
  http_->replies.push_back({200, stack_xml("UPDATE_ROLLBACK_COMPLETE")});
  http_->replies.push_back({200, k_update_rollback_page1});
  http_->replies.push_back({200, k_update_rollback_page2});
  std::vector<std::string> streamed;
  WaitResult w = wait_for_stack(*cfn_, "arn:s", "0a9b8c70-afd8-11ef-8f9e-0c1d2e3f4a5b", options_,
                                [&](const aws::StackEvent& e) { streamed.push_back(e.logical_id + " " + e.status); });
  ASSERT_TRUE(w.stack);
  EXPECT_EQ(w.stack->status, "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_FALSE(w.timed_out);
  std::vector<std::string> expected = {
      "handoff-dev-etl-t1 UPDATE_IN_PROGRESS", "TaskDefinition UPDATE_IN_PROGRESS",
      "TaskDefinition UPDATE_FAILED", "handoff-dev-etl-t1 UPDATE_ROLLBACK_IN_PROGRESS",
      "handoff-dev-etl-t1 UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
      "handoff-dev-etl-t1 UPDATE_ROLLBACK_COMPLETE"};
  EXPECT_EQ(streamed, expected);
  EXPECT_EQ(clock_, std::chrono::milliseconds(500));  // one sleep of first_poll
  EXPECT_NE(http_->bodies[4].find("NextToken=eyJ2IjoxLCJjIjoiZXhhbXBsZSJ9"), std::string::npos);

  auto f = first_failure(w.events);
  ASSERT_TRUE(f);  // this update's failure, not the older OldFailure
  Error e = failure_error(StackAction::update, "handoff-dev-etl-t1", w.stack->status, "", f,
                          "handoff cloud task");
  EXPECT_NE(std::string(e.what()).find("failed to update (UPDATE_ROLLBACK_COMPLETE): TaskDefinition "
                                       "(AWS::ECS::TaskDefinition) UPDATE_FAILED: Resource handler "
                                       "returned message: \"Invalid request provided: Create "
                                       "TaskDefinition: No Fargate configuration exists for given "
                                       "values: 256 CPU, 4096 memory."),
            std::string::npos)
      << e.what();
  EXPECT_EQ(e.hint(), "the stack is back as it was: fix the cause and run handoff cloud task update again");
}

TEST_F(WaitTest, DeletedStackEndsTheWait) {
  http_->replies.push_back({400, "<ErrorResponse><Error><Code>ValidationError</Code><Message>Stack "
                                 "with id arn:s does not exist</Message></Error></ErrorResponse>"});
  http_->replies.push_back({400, "<ErrorResponse><Error><Code>ValidationError</Code><Message>Stack "
                                 "with id arn:s does not exist</Message></Error></ErrorResponse>"});
  WaitResult w = wait_for_stack(*cfn_, "arn:s", "", options_, {});
  EXPECT_FALSE(w.stack);
  EXPECT_FALSE(w.timed_out);
}

TEST_F(WaitTest, GivesUpAtTheTimeoutWithBackoff) {
  options_.timeout = std::chrono::seconds(3);
  for (int i = 0; i < 5; ++i) {
    http_->replies.push_back({200, stack_xml("CREATE_IN_PROGRESS")});
    http_->replies.push_back({200, "<DescribeStackEventsResponse><DescribeStackEventsResult>"
                                   "<StackEvents/></DescribeStackEventsResult>"
                                   "</DescribeStackEventsResponse>"});
  }
  WaitResult w = wait_for_stack(*cfn_, "arn:s", "", options_, {});
  EXPECT_TRUE(w.timed_out);
  ASSERT_TRUE(w.stack);
  EXPECT_EQ(w.stack->status, "CREATE_IN_PROGRESS");
  // Sleeps of 500, 1000, then what was left (1500): exactly the timeout.
  EXPECT_EQ(clock_, std::chrono::milliseconds(3000));
}

}  // namespace
}  // namespace handoff::cloud
