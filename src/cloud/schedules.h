#pragma once
// Cron schedules of a task (spec §1.7, §8.5): what project.yml declares, the
// names and JSON handoff gives EventBridge and Step Functions, and the scoped
// listing. Pure logic here; schedule_ops.cc makes the AWS calls.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/events.h"
#include "project/model.h"

namespace handoff::cloud {

using Env = std::vector<std::pair<std::string, std::string>>;
using Json = nlohmann::ordered_json;

/// One item of project.yml `schedules`.
struct Schedule {
  std::string target_id;  ///< compared as a string ("1" for `target_id: 1`)
  std::string cron;       ///< the six fields, without `cron(...)`
  Env envs;               ///< in order, values as Python's str() prints them
  std::string name;
  std::string description;
};

/// deploy.platform_config, with the original's defaults.
struct PlatformConfig {
  bool state_machine = true;
  long state_machine_timeout = 14400;  ///< seconds (4 h)
  long retry_interval = 1800;          ///< seconds
  long max_retries = 4;
  double backoff_rate = 1;
  std::string role_arn;                ///< empty: look up handoff-CloudWatchEventECSRole
};

/// Read deploy.platform_config; throws handoff::Error (exit 2) for a value of
/// the wrong type, naming the key.
PlatformConfig platform_config(const project::Value& deploy);

/// Read project.yml `schedules` (null: none); throws handoff::Error (exit 2)
/// for an item without target_id or cron, or a duplicate target_id.
std::vector<Schedule> declared_schedules(const project::Value& schedules);

/// The rule and state machine name: "<stack>-<target_id>" where stack is
/// "handoff-<RG>-<T>". Throws handoff::Error (exit 2) when EventBridge would
/// refuse it (over 64 characters, or characters outside [.-_A-Za-z0-9]).
std::string rule_name(const std::string& stack, const std::string& target_id);

/// The container's environment: schedule envs < -e < HO_STAGE (later wins,
/// a key keeps the place where it first appeared).
Env merge_envs(const Env& schedule_envs, const Env& cli_envs, const std::string& stage);

/// Where and what a scheduled run starts.
struct RunTarget {
  std::string cluster_arn;
  std::string task_definition_arn;
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  std::string container;  ///< deploy.container_image: the ECS container name
};

/// {"ContainerOverrides": [{"Name": …, "Environment": [{"Name", "Value"}…]}]};
/// lower_case: the RunTask spelling an ECS target's Input needs
/// ({"containerOverrides": [{"name", "environment": [{"name", "value"}]}]}).
Json container_overrides(const std::string& container, const Env& env, bool lower_case);

/// The state machine: one RunTask state (ecs:runTask.sync, FARGATE, awsvpc,
/// public IP), retried on States.TaskFailed, with the global timeout.
Json state_machine_definition(const RunTarget& target, const Env& env, const PlatformConfig& config);

/// EcsParameters of a bare ECS target (state_machine: false).
Json ecs_parameters(const RunTarget& target);

// ----- listing ---------------------------------------------------------------

enum class Scope { declared, prefix, all };
/// "declared" | "prefix" | "all"; throws handoff::Error (exit 2) otherwise.
Scope parse_scope(const std::string& scope);

/// The two EventBridge calls the listing makes: the seam tests fake.
class EventsApi {
 public:
  virtual ~EventsApi() = default;
  virtual aws::events::RulesPage list_rules(const std::string& name_prefix,
                                            const std::string& next_token) = 0;
  /// nullopt: the rule is gone (deleted between the two calls).
  virtual std::optional<std::vector<aws::events::Target>> list_targets(const std::string& rule) = 0;
};

/// The real calls.
std::unique_ptr<EventsApi> make_events_api(aws::Client& client);

struct ListedSchedule {
  std::string name;
  std::string cron;          ///< inner text of cron(...), or the whole expression
  std::string target_id;     ///< the first target's Id
  Env envs;                  ///< from the target's Input, without HO_STAGE
  std::string target_arn;
  std::string kind;          ///< "state_machine" or "ecs" (or "other")
  std::string status = "scheduled";
};

/// The schedules of stack ("handoff-<RG>-<T>") in scope: scope is checked
/// before any call; declared keeps only "<stack>-<id>" for declared ids (none
/// declared: no call at all), so a sibling task "<T>-more" is never listed;
/// prefix keeps every rule starting with the stack name; all every
/// "handoff-" rule. Rules without targets are skipped with a line in
/// *warnings.
std::vector<ListedSchedule> list_schedules(EventsApi& api, const std::string& scope,
                                           const std::string& stack,
                                           const std::vector<std::string>& declared_ids,
                                           std::vector<std::string>* warnings);

/// The env of a target's Input, either spelling, without HO_STAGE.
Env envs_from_input(const std::string& input);

/// The listing as JSON (for --json).
Json to_json(const ListedSchedule& s);

}  // namespace handoff::cloud
