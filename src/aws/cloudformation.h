#pragma once
// CloudFormation over the query protocol (version 2010-05-15): the calls the
// `cloud` stack commands make, and the XML parsers behind them (pure, so the
// unit tests feed them recorded responses).
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/client.h"

namespace handoff::aws {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct StackOutput {
  std::string key;
  std::string value;
  std::string description;
  std::string export_name;  ///< "" when not exported
};

/// One DescribeStacks member.
struct Stack {
  std::string id;             ///< the stack ARN (DescribeStacks also takes it after deletion)
  std::string name;
  std::string status;         ///< CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, …
  std::string status_reason;  ///< may be empty
  std::string creation_time;  ///< ISO 8601 as AWS sent it
  std::string last_updated_time;
  std::vector<std::pair<std::string, std::string>> parameters;  ///< key, value ("****" for NoEcho)
  std::vector<StackOutput> outputs;
};

/// One DescribeStackEvents member.
struct StackEvent {
  std::string id;           ///< EventId, unique within the stack
  std::string timestamp;    ///< ISO 8601 as AWS sent it
  std::string logical_id;   ///< LogicalResourceId (the stack's own name for stack events)
  std::string physical_id;
  std::string resource_type;
  std::string status;       ///< ResourceStatus
  std::string reason;       ///< ResourceStatusReason; may be empty
};

struct StackEventsPage {
  std::vector<StackEvent> events;  ///< newest first, as AWS returns them
  std::string next_token;          ///< "" on the last page
};

/// What CreateStack and UpdateStack send.
struct StackRequest {
  std::string name;
  std::string template_body;
  std::vector<std::pair<std::string, std::string>> parameters;  ///< ParameterKey, ParameterValue
  std::vector<std::pair<std::string, std::string>> tags;        ///< Key, Value
  bool named_iam = true;  ///< Capabilities.member.1=CAPABILITY_NAMED_IAM
};

/// The form fields of a Create/UpdateStack request (StackName, TemplateBody,
/// Parameters.member.N.*, Capabilities.member.1, Tags.member.N.*).
QueryParams stack_request_params(const StackRequest& request);

/// DescribeStacks' first member; nullopt when the response holds none.
std::optional<Stack> parse_describe_stacks(const std::string& xml);
StackEventsPage parse_describe_stack_events(const std::string& xml);
/// The <StackId> of a Create/UpdateStack response ("" when absent).
std::string parse_stack_id(const std::string& xml);

/// True for the error DescribeStacks/DescribeStackEvents give for a stack that
/// does not exist (ValidationError "Stack with id X does not exist").
bool is_missing_stack(const AwsError& e);
/// True for UpdateStack's ValidationError "No updates are to be performed."
bool is_no_updates(const AwsError& e);

class CloudFormation {
 public:
  explicit CloudFormation(Client& client) : client_(client) {}

  /// Returns the new stack's id. Throws AwsError (AlreadyExistsException, …).
  std::string create_stack(const StackRequest& request);
  /// Returns the stack id, or nullopt when AWS says there is nothing to update.
  std::optional<std::string> update_stack(const StackRequest& request);
  void delete_stack(const std::string& name_or_id);
  /// nullopt when the stack does not exist (a name of a deleted stack too).
  std::optional<Stack> describe_stack(const std::string& name_or_id);
  /// Events newest first, following NextToken until the last page or until
  /// stop_at returns true for an event (that event and older ones are left out).
  std::vector<StackEvent> describe_stack_events(
      const std::string& name_or_id, const std::function<bool(const StackEvent&)>& stop_at = {});

 private:
  Client& client_;
};

}  // namespace handoff::aws
