#pragma once
// The ECS calls handoff makes (JSON protocol, AmazonEC2ContainerServiceV20141113.*):
// task definitions of a family, RunTask on Fargate, ListTasks/DescribeTasks and
// StopTask. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/
// Request bodies and response parsing are separate functions so unit tests can
// check them on recorded shapes without a server.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/client.h"

namespace handoff::aws::ecs {

/// A task definition ARN split up: ".../task-definition/<family>:<revision>".
struct TaskDefinitionRef {
  std::string arn;
  std::string family;
  int64_t revision = 0;
};

/// Parse a task definition ARN (or "family:revision"); nullopt when it has no
/// ":<number>" revision.
std::optional<TaskDefinitionRef> parse_task_definition_arn(const std::string& arn);

/// The newest revision among arns whose family is exactly `family`; a family
/// that merely starts with it ("<family>-rest") never counts. nullopt: none.
std::optional<TaskDefinitionRef> newest_of_family(const std::vector<std::string>& arns,
                                                  const std::string& family);

/// ListTaskDefinitions with familyPrefix and status ACTIVE, every page.
std::vector<std::string> list_task_definitions(Client& client, const std::string& family_prefix);

struct RunTaskInput {
  std::string cluster;
  std::string task_definition;  ///< ARN or family:revision
  std::string container;        ///< container name for the overrides
  std::vector<std::pair<std::string, std::string>> environment;  ///< in order
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  bool assign_public_ip = true;
  std::string started_by = "handoff";
};

/// The RunTask request body (count 1, FARGATE, awsvpc).
nlohmann::json run_task_body(const RunTaskInput& in);

struct Container {
  std::string name;
  std::string last_status;
  std::optional<int> exit_code;
  std::string reason;
};

/// What handoff shows of a task (DescribeTasks / RunTask / StopTask).
struct Task {
  std::string arn;
  std::string id;  ///< last part of the ARN
  std::string task_definition_arn;
  std::string last_status;
  std::string desired_status;
  std::string stop_code;
  std::string stopped_reason;
  std::optional<double> created_at;  ///< epoch seconds
  std::optional<double> started_at;
  std::optional<double> stopped_at;
  std::string cpu;
  std::string memory;
  std::vector<Container> containers;
  nlohmann::json raw;  ///< the service's object, for --full
};

Task parse_task(const nlohmann::json& j);
/// "arn:…:task/<cluster>/<id>" → "<id>" (and an id stays as it is).
std::string task_id_of(const std::string& arn);

/// RunTask; throws Error naming the failure reasons when no task started.
Task run_task(Client& client, const RunTaskInput& in);

/// ListTasks of a cluster with the desired status ("RUNNING" / "STOPPED"),
/// optionally of one family, every page.
std::vector<std::string> list_tasks(Client& client, const std::string& cluster,
                                    const std::string& desired_status, const std::string& family);

/// DescribeTasks in batches of 100 (the API's cap); tasks the service does not
/// know are left out.
std::vector<Task> describe_tasks(Client& client, const std::string& cluster,
                                 const std::vector<std::string>& tasks);

/// StopTask; returns the task as the service reports it.
Task stop_task(Client& client, const std::string& cluster, const std::string& task,
               const std::string& reason);

}  // namespace handoff::aws::ecs
