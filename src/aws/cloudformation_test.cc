// Tests of the CloudFormation calls: the request form fields, the XML parsers
// on responses in the documented shape, "absent" and "no updates" as answers,
// and DescribeStackEvents pagination, with a scripted fake at the HTTP seam.
#include "aws/cloudformation.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

namespace handoff::aws {
namespace {

class ScriptedHttp : public HttpClient {
 public:
  std::deque<HttpResponse> replies;
  std::vector<HttpRequest> seen;

  HttpResponse send(const HttpRequest& req) override {
    seen.push_back(req);
    if (replies.empty()) throw std::logic_error("unexpected request: " + req.body);
    HttpResponse r = replies.front();
    replies.pop_front();
    return r;
  }
  void reply(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = {{"content-type", "text/xml"}};
    replies.push_back(r);
  }
};

std::string error_xml(const std::string& code, const std::string& message) {
  return "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>"
         "<Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
         "</Message></Error><RequestId>4af14eec-3f8e-4b1a-8d9f-7c1e3e2b9a10</RequestId>"
         "</ErrorResponse>";
}

class CloudFormationTest : public testing::Test {
 protected:
  void SetUp() override {
    http_ = std::make_shared<ScriptedHttp>();
    ClientConfig cfg;
    std::map<std::string, std::string> vars = {
        {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret"},
        {"AWS_REGION", "us-east-1"},          {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
        {"AWS_CONFIG_FILE", "/nonexistent"},  {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}};
    cfg.env = [vars](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    cfg.http = http_;
    cfg.retry.max_attempts = 1;
    client_ = std::make_unique<Client>(cfg);
    cfn_ = std::make_unique<CloudFormation>(*client_);
  }
  std::shared_ptr<ScriptedHttp> http_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<CloudFormation> cfn_;
};

const char* k_describe_stacks = R"(<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/handoff-dev-etl-resources/6f1f2a30-8f7e-11ef-9b51-0affd3c1b2e7</StackId>
        <StackName>handoff-dev-etl-resources</StackName>
        <StackStatus>CREATE_COMPLETE</StackStatus>
        <CreationTime>2026-12-01T10:15:03.412Z</CreationTime>
        <Parameters>
          <member><ParameterKey>ResourceGroup</ParameterKey><ParameterValue>dev-etl</ParameterValue></member>
          <member><ParameterKey>UseDefaultVpc</ParameterKey><ParameterValue>true</ParameterValue></member>
        </Parameters>
        <Outputs>
          <member>
            <OutputKey>ClusterName</OutputKey>
            <OutputValue>handoff-dev-etl-resources</OutputValue>
            <Description>Name of the ECS cluster.</Description>
          </member>
          <member>
            <OutputKey>SecurityGroupId</OutputKey>
            <OutputValue>sg-0a1b2c3d4e5f60718</OutputValue>
            <ExportName>handoff-dev-etl-sg</ExportName>
          </member>
        </Outputs>
        <Capabilities><member>CAPABILITY_NAMED_IAM</member></Capabilities>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata>
</DescribeStacksResponse>)";

TEST(CloudFormationXml, ParsesDescribeStacksStatusParametersAndOutputs) {
  auto s = parse_describe_stacks(k_describe_stacks);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "handoff-dev-etl-resources");
  EXPECT_EQ(s->status, "CREATE_COMPLETE");
  EXPECT_EQ(s->creation_time, "2026-12-01T10:15:03.412Z");
  EXPECT_EQ(s->last_updated_time, "");
  ASSERT_EQ(s->parameters.size(), 2u);
  EXPECT_EQ(s->parameters[1].first, "UseDefaultVpc");
  EXPECT_EQ(s->parameters[1].second, "true");
  ASSERT_EQ(s->outputs.size(), 2u);
  EXPECT_EQ(s->outputs[0].key, "ClusterName");
  EXPECT_EQ(s->outputs[0].description, "Name of the ECS cluster.");
  EXPECT_EQ(s->outputs[1].value, "sg-0a1b2c3d4e5f60718");
  EXPECT_EQ(s->outputs[1].export_name, "handoff-dev-etl-sg");
}

TEST(CloudFormationXml, EmptyStacksIsAbsent) {
  EXPECT_FALSE(parse_describe_stacks("<DescribeStacksResponse><DescribeStacksResult><Stacks/>"
                                     "</DescribeStacksResult></DescribeStacksResponse>"));
}

TEST(CloudFormationXml, NotXmlIsAPlainError) {
  try {
    parse_describe_stacks("<!doctype html><html><title>500 Internal Server Error");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cloudformation DescribeStacks returned a body that is not XML");
  }
}

TEST(CloudFormationXml, StackRequestFormFields) {
  StackRequest r;
  r.name = "handoff-dev-etl-t1";
  r.template_body = "Resources: {}";
  r.parameters = {{"Cpu", "512"}, {"Memory", "1024"}};
  r.tags = {{"handoff:task", "t1"}};
  QueryParams expected = {{"StackName", "handoff-dev-etl-t1"},
                          {"TemplateBody", "Resources: {}"},
                          {"Parameters.member.1.ParameterKey", "Cpu"},
                          {"Parameters.member.1.ParameterValue", "512"},
                          {"Parameters.member.2.ParameterKey", "Memory"},
                          {"Parameters.member.2.ParameterValue", "1024"},
                          {"Capabilities.member.1", "CAPABILITY_NAMED_IAM"},
                          {"Tags.member.1.Key", "handoff:task"},
                          {"Tags.member.1.Value", "t1"}};
  EXPECT_EQ(stack_request_params(r), expected);
}

TEST_F(CloudFormationTest, CreateStackSendsTheFormAndReturnsTheId) {
  http_->reply(200, "<CreateStackResponse><CreateStackResult><StackId>arn:aws:cloudformation:"
                    "us-east-1:123456789012:stack/s/1</StackId></CreateStackResult>"
                    "</CreateStackResponse>");
  StackRequest r;
  r.name = "s";
  r.template_body = "a: b&c";
  EXPECT_EQ(cfn_->create_stack(r), "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1");
  ASSERT_EQ(http_->seen.size(), 1u);
  const std::string& body = http_->seen[0].body;
  EXPECT_NE(body.find("Action=CreateStack&Version=2010-05-15"), std::string::npos) << body;
  EXPECT_NE(body.find("TemplateBody=a%3A%20b%26c"), std::string::npos) << body;
  EXPECT_NE(body.find("Capabilities.member.1=CAPABILITY_NAMED_IAM"), std::string::npos) << body;
}

TEST_F(CloudFormationTest, MissingStackIsAbsentNotAnError) {
  http_->reply(400, error_xml("ValidationError", "Stack with id handoff-dev-x-bucket does not exist"));
  EXPECT_FALSE(cfn_->describe_stack("handoff-dev-x-bucket"));
}

TEST_F(CloudFormationTest, OtherDescribeErrorsAreThrown) {
  http_->reply(403, error_xml("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized"));
  try {
    cfn_->describe_stack("s");
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "AccessDenied");
  }
}

TEST_F(CloudFormationTest, NoUpdatesIsNotAFailure) {
  http_->reply(400, error_xml("ValidationError", "No updates are to be performed."));
  StackRequest r;
  r.name = "s";
  EXPECT_FALSE(cfn_->update_stack(r));
}

TEST_F(CloudFormationTest, UpdateValidationErrorsAreThrown) {
  http_->reply(400, error_xml("ValidationError",
                              "Stack:arn:aws:cloudformation:us-east-1:1:stack/s/1 is in "
                              "ROLLBACK_COMPLETE state and can not be updated."));
  StackRequest r;
  r.name = "s";
  try {
    cfn_->update_stack(r);
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ValidationError");
    EXPECT_NE(std::string(e.what()).find("ROLLBACK_COMPLETE state"), std::string::npos) << e.what();
  }
}

std::string events_page(const std::vector<std::string>& ids, const std::string& token) {
  std::string xml = "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents>";
  for (const auto& id : ids) {
    xml += "<member><EventId>" + id + "</EventId><LogicalResourceId>L" + id +
           "</LogicalResourceId><ResourceStatus>CREATE_COMPLETE</ResourceStatus>"
           "<Timestamp>2026-12-01T10:00:00Z</Timestamp></member>";
  }
  xml += "</StackEvents>";
  if (!token.empty()) xml += "<NextToken>" + token + "</NextToken>";
  return xml + "</DescribeStackEventsResult></DescribeStackEventsResponse>";
}

TEST_F(CloudFormationTest, StackEventsFollowNextToken) {
  http_->reply(200, events_page({"e5", "e4"}, "page2"));
  http_->reply(200, events_page({"e3", "e2"}, "page3"));
  http_->reply(200, events_page({"e1"}, ""));
  auto events = cfn_->describe_stack_events("s");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events.front().id, "e5");
  EXPECT_EQ(events.back().id, "e1");
  EXPECT_EQ(events[2].logical_id, "Le3");
  ASSERT_EQ(http_->seen.size(), 3u);
  EXPECT_NE(http_->seen[1].body.find("NextToken=page2"), std::string::npos);
  EXPECT_NE(http_->seen[2].body.find("NextToken=page3"), std::string::npos);
}

TEST_F(CloudFormationTest, StackEventsStopAtAKnownEventWithoutReadingFurtherPages) {
  http_->reply(200, events_page({"e5", "e4"}, "page2"));
  http_->reply(200, events_page({"e3", "e2"}, "page3"));
  auto events = cfn_->describe_stack_events("s", [](const StackEvent& e) { return e.id == "e3"; });
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].id, "e4");
  EXPECT_EQ(http_->seen.size(), 2u);  // page3 never asked for
}

}  // namespace
}  // namespace handoff::aws
