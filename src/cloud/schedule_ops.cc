// `cloud schedule create|delete`: the calls, in the order that leaves the
// least behind when one fails. Create makes the state machine before the rule
// points at it; delete unhooks the targets, then the rule, then the state
// machines, and says what is left when a step fails.
#include <fmt/format.h>

#include "aws/events.h"
#include "aws/states.h"
#include "cloud/schedule_ops.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

std::string state_machine_arn_for(aws::Client& client, const std::string& name) {
  return aws::states::state_machine_arn(client.region().value, client.account_id(), name);
}

}  // namespace

Created create_schedule(aws::Client& client, const ScheduleScope& scope, const Schedule& schedule,
                        const Env& env, const RunTarget& target, const std::string& role_arn,
                        const PlatformConfig& config) {
  Created c;
  c.name = rule_name(scope.stack(), schedule.target_id);
  std::string sm_arn = state_machine_arn_for(client, c.name);
  aws::events::Target t;
  t.id = schedule.target_id;
  t.role_arn = role_arn;
  if (config.state_machine) {
    std::string definition = state_machine_definition(target, env, config).dump();
    nlohmann::json logging = {
        {"level", "ALL"},
        {"includeExecutionData", false},
        {"destinations",
         {{{"cloudWatchLogsLogGroup",
            {{"logGroupArn", "arn:aws:logs:" + client.region().value + ":" + client.account_id() +
                                 ":log-group:" + scope.log_group() + ":*"}}}}}}};
    // CreateStateMachine refuses a new definition under an existing name, and
    // moto silently keeps the old one: update what exists, create the rest.
    if (aws::states::describe_state_machine(client, sm_arn)) {
      aws::states::update_state_machine(client, sm_arn, definition, role_arn, logging);
      c.replaced = true;
      log::info("Updated state machine {}", sm_arn);
    } else {
      sm_arn = aws::states::create_state_machine(client, c.name, definition, role_arn, logging);
      log::info("Created state machine {}", sm_arn);
    }
    t.arn = sm_arn;
    t.input = container_overrides(target.container, env, false).dump();
    c.kind = "state_machine";
  } else {
    t.arn = target.cluster_arn;
    t.ecs_parameters = ecs_parameters(target);
    t.input = container_overrides(target.container, env, true).dump();
    c.kind = "ecs";
  }
  std::string description = schedule.description.empty() ? "handoff schedule " + schedule.target_id
                                                         : schedule.description;
  bool rule_made = false;
  try {
    c.rule_arn = aws::events::put_rule(client, c.name, "cron(" + schedule.cron + ")", description);
    rule_made = true;
    aws::events::put_targets(client, c.name, {t});
  } catch (const Error& e) {
    // Say what this attempt already made, so nothing is left unnoticed.
    std::vector<std::string> made;
    if (config.state_machine) made.push_back("state machine " + sm_arn);
    if (rule_made) made.push_back("rule " + c.name + " (without this target)");
    throw Error(fmt::format("schedule {}: {}", util::quote(c.name), e.what()),
                made.empty() ? "nothing was changed for it; fix the cause and run create again"
                             : "already made: " + util::join(made, "; ") +
                                   "; run create again, or `handoff cloud schedule delete --target-id " +
                                   schedule.target_id + "`");
  }
  c.target_arn = t.arn;
  if (!config.state_machine && aws::states::describe_state_machine(client, sm_arn)) {
    // The schedule used a state machine before state_machine: false.
    aws::states::delete_state_machine(client, sm_arn);
    c.notes.push_back("deleted the state machine " + sm_arn + " it used before");
  }
  return c;
}

Deleted delete_schedule(aws::Client& client, const std::string& name) {
  Deleted d;
  d.name = name;
  std::optional<std::vector<aws::events::Target>> targets = aws::events::list_targets_by_rule(client, name);
  if (!targets) {
    throw Error("no schedule " + util::quote(name) + ": EventBridge has no rule of that name",
                "see the task's schedules with `handoff cloud schedule list --scope prefix`");
  }
  std::vector<std::string> ids;
  std::vector<std::string> machines;
  for (const auto& t : *targets) {
    ids.push_back(t.id);
    if (t.arn.find(":stateMachine:") != std::string::npos) machines.push_back(t.arn);
  }
  std::string own = state_machine_arn_for(client, name);
  bool own_listed = false;
  for (const auto& m : machines) own_listed = own_listed || m == own;
  if (!own_listed) {
    try {
      if (aws::states::describe_state_machine(client, own)) machines.push_back(own);
    } catch (const aws::AwsError& e) {
      log::warning("Cannot check for state machine {}: {}", own, e.what());
    }
  }
  auto left_all = [&](bool rule, bool target_list) {
    if (rule) d.left.push_back("rule " + name);
    if (target_list && !ids.empty()) d.left.push_back("targets " + util::join(ids, ", "));
    for (const auto& m : machines) d.left.push_back("state machine " + m);
  };
  try {
    if (!ids.empty()) aws::events::remove_targets(client, name, ids);
    if (!ids.empty()) d.done.push_back("removed target" + std::string(ids.size() > 1 ? "s " : " ") +
                                       util::join(ids, ", "));
  } catch (const Error& e) {
    d.failure = e.what();
    left_all(true, true);
    return d;
  }
  try {
    if (aws::events::delete_rule(client, name)) {
      d.done.push_back("deleted rule " + name);
    } else {
      d.done.push_back("rule " + name + " was already gone");
    }
  } catch (const Error& e) {
    d.failure = e.what();
    left_all(true, false);
    return d;
  }
  for (size_t i = 0; i < machines.size(); ++i) {
    try {
      if (aws::states::delete_state_machine(client, machines[i])) {
        d.done.push_back("deleted state machine " + machines[i]);
      } else {
        d.done.push_back("state machine " + machines[i] + " was already gone");
      }
    } catch (const Error& e) {
      if (d.failure.empty()) d.failure = e.what();
      d.left.push_back("state machine " + machines[i]);
    }
  }
  return d;
}

}  // namespace handoff::cloud
