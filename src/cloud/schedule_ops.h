#pragma once
// `cloud schedule create|delete` against AWS (spec §8.5): the lookups a
// scheduled run needs (events role, task definition, network) and the calls
// that make or remove a schedule, each step's real outcome reported.
#include <string>
#include <vector>

#include "aws/client.h"
#include "cloud/schedules.h"

namespace handoff::cloud {

/// What a schedule command works on.
struct ScheduleScope {
  std::string resource_group;  ///< stage-prefixed
  std::string task;            ///< naked
  std::string stage;
  /// "handoff-<RG>-<T>": the task stack, task definition family and the
  /// prefix of every rule and state machine name.
  std::string stack() const { return "handoff-" + resource_group + "-" + task; }
  /// "handoff-<RG>-resources": the ECS cluster and the network stack.
  std::string resources_stack() const { return "handoff-" + resource_group + "-resources"; }
  /// "handoff/<RG>/<T>".
  std::string log_group() const { return "handoff/" + resource_group + "/" + task; }
};

/// Flags that replace lookups.
struct LookupOverrides {
  std::string role_arn;                      ///< --role-arn (beats platform_config.role_arn)
  std::vector<std::string> subnets;          ///< --subnets
  std::vector<std::string> security_groups;  ///< --security-groups
};

inline constexpr const char* k_events_role = "handoff-CloudWatchEventECSRole";

/// The role EventBridge and Step Functions act as: the flag, then
/// platform_config.role_arn, then IAM GetRole of handoff-CloudWatchEventECSRole.
/// Throws handoff::Error (exit 1) with a hint when the role does not exist.
std::string find_events_role(aws::Client& client, const LookupOverrides& o, const PlatformConfig& c);

/// The cluster, latest ACTIVE task definition of family stack(), and the
/// network (flags, else the resources stack's SubnetIds/SecurityGroupId outputs).
RunTarget find_run_target(aws::Client& client, const ScheduleScope& scope, const LookupOverrides& o,
                          const std::string& container);

/// What create did for one schedule.
struct Created {
  std::string name;
  std::string rule_arn;
  std::string target_arn;
  std::string kind;  ///< "state_machine" or "ecs"
  bool replaced = false;  ///< the state machine existed and got the new definition
  std::vector<std::string> notes;  ///< other changes (a stale state machine removed)
};

/// PutRule, the state machine (created or updated) or the ECS target's
/// parameters, PutTargets. env: the merged environment (merge_envs).
Created create_schedule(aws::Client& client, const ScheduleScope& scope, const Schedule& schedule,
                        const Env& env, const RunTarget& target, const std::string& role_arn,
                        const PlatformConfig& config);

/// What delete did, step by step.
struct Deleted {
  std::string name;
  std::vector<std::string> done;    ///< "removed target 1", "deleted rule …"
  std::string failure;              ///< the step that failed, with AWS's message; empty: none
  std::vector<std::string> left;    ///< what still exists after a failure
};

/// Remove the targets, the rule, and the state machines it started (also the
/// one of the rule's name when a target no longer points at it). A missing
/// rule throws handoff::Error (exit 1); a failing step stops the steps that
/// depend on it and is reported in failure/left, not thrown.
Deleted delete_schedule(aws::Client& client, const std::string& name);

}  // namespace handoff::cloud
