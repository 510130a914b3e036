#pragma once
// The Step Functions calls handoff's schedules make (JSON protocol 1.0,
// AWSStepFunctions.*). Step Functions documents application/x-amz-json-1.0,
// so these calls go through Client::call() with that content type rather than
// call_json() (which sends 1.1, right for EventBridge, ECS and SSM).
// https://docs.aws.amazon.com/step-functions/latest/apireference/
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/client.h"

namespace handoff::aws::states {

struct StateMachine {
  std::string arn;
  std::string name;
  std::string definition;  ///< the Amazon States Language JSON text
  std::string role_arn;
  std::string status;      ///< "ACTIVE", "DELETING"
};

/// "arn:aws:states:<region>:<account>:stateMachine:<name>".
std::string state_machine_arn(const std::string& region, const std::string& account,
                              const std::string& name);

/// CreateStateMachine (STANDARD); returns its ARN. logging: the
/// loggingConfiguration object, or null for none.
std::string create_state_machine(Client& client, const std::string& name, const std::string& definition,
                                 const std::string& role_arn, const nlohmann::json& logging);
/// UpdateStateMachine: a new definition and role for an existing one.
void update_state_machine(Client& client, const std::string& arn, const std::string& definition,
                          const std::string& role_arn, const nlohmann::json& logging);
/// DescribeStateMachine; nullopt when it does not exist.
std::optional<StateMachine> describe_state_machine(Client& client, const std::string& arn);
/// DeleteStateMachine; false when it did not exist.
bool delete_state_machine(Client& client, const std::string& arn);

/// The JSON-1.0 call itself (exposed so tests can check the request shape).
nlohmann::json call(Client& client, const std::string& operation, const nlohmann::json& body,
                    const std::string& subject);

}  // namespace handoff::aws::states
