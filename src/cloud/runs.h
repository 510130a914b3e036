#pragma once
// One-off Fargate runs and job control (spec §8.6, issue 5 point 3):
// `cloud run` starts the task definition family handoff-<RG>-<T> (that family
// exactly, newest ACTIVE revision) on the cluster handoff-<RG>-resources;
// `cloud job status` lists that family's running and stopped tasks;
// `cloud job stop` stops one. Each returns handoff's exit code or throws
// handoff::Error; results go to stdout, progress to the log.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/client.h"
#include "aws/ecs.h"
#include "template/value.h"

namespace handoff::cloud {

using EnvList = std::vector<std::pair<std::string, std::string>>;

/// The names of spec §6.1 for a stage-prefixed resource group and a naked task.
struct Names {
  std::string resource_group;
  std::string task;
  std::string cluster() const { return "handoff-" + resource_group + "-resources"; }
  std::string resources_stack() const { return cluster(); }
  std::string family() const { return "handoff-" + resource_group + "-" + task; }
  std::string log_group() const { return "handoff/" + resource_group + "/" + task; }
};

/// The envs of the schedule whose target_id (compared as text) is target_id,
/// values as Python's str() prints them. Throws Error (exit 2) naming the
/// declared ids when there is no such schedule.
EnvList schedule_envs(const tmpl::Value& schedules, const std::string& target_id);

/// The container environment, later wins and keeps the first one's place:
/// schedule envs < -e pairs < HO_STAGE, then TASK_TRIGGERED_AT. `__VARS` and
/// other values pass through as written (the container evaluates them).
EnvList merge_env(const EnvList& schedule, const EnvList& cli, const std::string& stage,
                  const std::string& triggered_at);

/// A CloudFormation DescribeStacks response's first stack's outputs.
std::map<std::string, std::string> parse_stack_outputs(const std::string& xml);

/// The resources stack's outputs; nullopt when the stack does not exist.
std::optional<std::map<std::string, std::string>> resources_outputs(aws::Client& client,
                                                                    const Names& names);

struct RunOptions {
  Names names;
  std::string container;  ///< deploy.container_image: the container to override
  std::string stage;
  tmpl::Value schedules;  ///< project.yml schedules (may be null)
  std::string target_id;  ///< reuse this schedule's envs; may be empty
  EnvList cli_envs;       ///< -e pairs, raw
  std::vector<std::string> subnets;          ///< empty: the resources stack's
  std::vector<std::string> security_groups;  ///< empty: the resources stack's
  bool json = false;
};

/// `cloud run`: the task id on stdout (the task as JSON with json), the
/// console address in the log.
int run(aws::Client& client, const RunOptions& o);

struct StatusOptions {
  Names names;
  std::string container;  ///< whose exit code to show first; may be empty
  bool running = true;
  bool stopped = true;
  bool resource_group_level = false;  ///< every handoff-<RG>-* family
  bool json = false;
  bool full = false;  ///< json: the service's task objects as they came
};

/// Keep the tasks of exactly `family` (or, with resource_group_level, of any
/// family starting "handoff-<RG>-").
std::vector<aws::ecs::Task> tasks_of(const std::vector<aws::ecs::Task>& tasks, const Names& names,
                                     bool resource_group_level);

/// One task as handoff prints it in JSON.
nlohmann::json task_digest(const aws::ecs::Task& t, const std::string& container);

/// `cloud job status`.
int job_status(aws::Client& client, const StatusOptions& o);

struct StopOptions {
  Names names;
  std::string id;  ///< task id or ARN
  std::string reason = "Stopped by the user";
  bool resource_group_level = false;  ///< allow another family of the RG
  bool json = false;
};

/// `cloud job stop`: refuses a task of another family (a sibling's).
int job_stop(aws::Client& client, const StopOptions& o);

}  // namespace handoff::cloud
