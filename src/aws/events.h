#pragma once
// The EventBridge calls handoff's schedules make (JSON protocol, AWSEvents.*),
// on the default event bus.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/client.h"

namespace handoff::aws::events {

struct Rule {
  std::string name;
  std::string arn;
  std::string schedule_expression;  ///< "cron(0 0 * * ? *)"; may be empty
  std::string state;                ///< "ENABLED" / "DISABLED"
};

struct Target {
  std::string id;
  std::string arn;
  std::string role_arn;
  std::string input;               ///< the JSON text given as Input; may be empty
  nlohmann::json ecs_parameters;   ///< null unless an ECS target
};

/// One page of ListRules.
struct RulesPage {
  std::vector<Rule> rules;
  std::string next_token;  ///< empty on the last page
};

/// PutRule (creates or updates; enabled); returns the rule ARN.
std::string put_rule(Client& client, const std::string& name, const std::string& schedule_expression,
                     const std::string& description);
/// ListRules with NamePrefix, one page (next_token empty for the first).
RulesPage list_rules_page(Client& client, const std::string& name_prefix, const std::string& next_token);
/// ListTargetsByRule, every page; nullopt when the rule does not exist.
std::optional<std::vector<Target>> list_targets_by_rule(Client& client, const std::string& rule);
/// PutTargets; throws AwsError naming the failed entries.
void put_targets(Client& client, const std::string& rule, const std::vector<Target>& targets);
/// RemoveTargets by id; throws AwsError naming the failed entries.
void remove_targets(Client& client, const std::string& rule, const std::vector<std::string>& ids);
/// DeleteRule; false when the rule did not exist.
bool delete_rule(Client& client, const std::string& rule);

/// The JSON body of a target for PutTargets (exposed for tests).
nlohmann::json target_json(const Target& t);
/// A target from ListTargetsByRule's JSON.
Target target_from_json(const nlohmann::json& j);

}  // namespace handoff::aws::events
