#include "cloud/runs.h"

#include <fmt/format.h>
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "cloud/logs.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cloud {
namespace {

// Python's datetime.utcnow().isoformat(), what the original puts in
// TASK_TRIGGERED_AT: "2021-04-07T05:20:14.567230".
std::string utc_now_isoformat() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}", buf, static_cast<int>(us % 1000000));
}

void put(EnvList& env, const std::string& key, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == key) {
      v = value;
      return;
    }
  }
  env.emplace_back(key, value);
}

// A missing cluster is the resources stack not made yet (or another stage).
template <typename F>
auto on_cluster(const Names& names, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const aws::AwsError& e) {
    if (e.code() != "ClusterNotFoundException") throw;
    throw Error(fmt::format("cluster {} does not exist", util::quote(names.cluster())),
                "create it with handoff cloud resources create (check -s and the region)");
  }
}

std::string when(const std::optional<double>& secs) {
  if (!secs) return "-";
  return format_utc_ms(static_cast<int64_t>(*secs * 1000.0), false).substr(0, 19);
}

}  // namespace

EnvList schedule_envs(const tmpl::Value& schedules, const std::string& target_id) {
  std::vector<std::string> declared;
  if (schedules.is_array()) {
    for (const auto& s : schedules) {
      if (!s.is_object() || !s.contains("target_id")) continue;
      std::string id = tmpl::to_python_str(s["target_id"]);
      declared.push_back(id);
      if (id != target_id) continue;
      EnvList out;
      if (s.contains("envs") && s["envs"].is_array()) {
        for (const auto& e : s["envs"]) {
          if (!e.is_object() || !e.contains("key")) continue;
          std::string value = e.contains("value") && !e["value"].is_null() ? tmpl::to_python_str(e["value"]) : "";
          put(out, tmpl::to_python_str(e["key"]), value);
        }
      }
      return out;
    }
  }
  throw UsageError(fmt::format("no schedule with target_id {} in project.yml", util::quote(target_id)),
                   declared.empty() ? "the project declares no schedules"
                                    : "declared target ids: " + util::join(declared, ", "));
}

EnvList merge_env(const EnvList& schedule, const EnvList& cli, const std::string& stage,
                  const std::string& triggered_at) {
  EnvList out;
  for (const auto& [k, v] : schedule) put(out, k, v);
  for (const auto& [k, v] : cli) put(out, k, v);
  put(out, "HO_STAGE", stage);
  put(out, "TASK_TRIGGERED_AT", triggered_at);
  return out;
}

std::map<std::string, std::string> parse_stack_outputs(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) throw Error("cloudformation DescribeStacks: the answer is not XML");
  std::map<std::string, std::string> out;
  auto stack = doc.child("DescribeStacksResponse").child("DescribeStacksResult").child("Stacks").child("member");
  for (auto m : stack.child("Outputs").children("member")) {
    out[m.child_value("OutputKey")] = m.child_value("OutputValue");
  }
  return out;
}

std::optional<std::map<std::string, std::string>> resources_outputs(aws::Client& client,
                                                                    const Names& names) {
  try {
    std::string xml = client.call_query("cloudformation", "DescribeStacks", "2010-05-15",
                                        {{"StackName", names.resources_stack()}},
                                        "stack " + util::quote(names.resources_stack()));
    return parse_stack_outputs(xml);
  } catch (const aws::AwsError& e) {
    // "Stack with id X does not exist" comes back as a ValidationError.
    if (e.code() == "ValidationError" && std::string(e.what()).find("does not exist") != std::string::npos) {
      return std::nullopt;
    }
    throw;
  }
}

int run(aws::Client& client, const RunOptions& o) {
  // 1. The task definition: the family exactly, its newest ACTIVE revision.
  std::string family = o.names.family();
  auto def = aws::ecs::newest_of_family(aws::ecs::list_task_definitions(client, family), family);
  if (!def) {
    throw Error(fmt::format("no active task definition of family {}", util::quote(family)),
                "create it with: handoff cloud task create -p PROJECT -s " + o.stage);
  }
  // 2. The network: flags first, the resources stack's outputs for the rest.
  aws::ecs::RunTaskInput in;
  in.cluster = o.names.cluster();
  in.task_definition = def->arn;
  in.container = o.container;
  in.subnets = o.subnets;
  in.security_groups = o.security_groups;
  if (in.subnets.empty() || in.security_groups.empty()) {
    auto outputs = resources_outputs(client, o.names);
    if (!outputs) {
      throw Error(fmt::format("stack {} does not exist, so the subnets and security group are unknown",
                              util::quote(o.names.resources_stack())),
                  "create it with handoff cloud resources create, or pass --subnets and --security-groups");
    }
    if (in.subnets.empty() && outputs->count("SubnetIds")) {
      for (const auto& s : util::split((*outputs)["SubnetIds"], ',')) {
        if (!util::trim(s).empty()) in.subnets.emplace_back(util::trim(s));
      }
    }
    if (in.security_groups.empty() && outputs->count("SecurityGroupId")) {
      in.security_groups.push_back((*outputs)["SecurityGroupId"]);
    }
    if (in.subnets.empty() || in.security_groups.empty()) {
      throw Error(fmt::format("stack {} has no SubnetIds or SecurityGroupId output",
                              util::quote(o.names.resources_stack())),
                  "update it with handoff cloud resources update, or pass --subnets and --security-groups");
    }
  }
  // 3. The environment: schedule envs < -e < HO_STAGE, then TASK_TRIGGERED_AT.
  EnvList schedule = o.target_id.empty() ? EnvList{} : schedule_envs(o.schedules, o.target_id);
  in.environment = merge_env(schedule, o.cli_envs, o.stage, utc_now_isoformat());
  log::info("Running {} (revision {}) on cluster {} in subnets {} with security groups {}", family,
            def->revision, in.cluster, util::join(in.subnets, ","), util::join(in.security_groups, ","));
  // 4. Start it.
  aws::ecs::Task task = on_cluster(o.names, [&] { return aws::ecs::run_task(client, in); });
  if (o.json) {
    std::fputs((task_digest(task, o.container).dump() + "\n").c_str(), stdout);
  } else {
    std::fputs((task.id + "\n").c_str(), stdout);
  }
  std::string region = client.region().value;
  log::info("Started task {}; see https://{}.console.aws.amazon.com/ecs/v2/clusters/{}/tasks/{}/configuration?region={}",
            task.id, region, in.cluster, task.id, region);
  log::info("Follow it with: handoff cloud job status / handoff cloud logs --follow");
  return k_exit_ok;
}

std::vector<aws::ecs::Task> tasks_of(const std::vector<aws::ecs::Task>& tasks, const Names& names,
                                     bool resource_group_level) {
  std::vector<aws::ecs::Task> out;
  std::string rg_prefix = "handoff-" + names.resource_group + "-";
  for (const auto& t : tasks) {
    auto ref = aws::ecs::parse_task_definition_arn(t.task_definition_arn);
    if (!ref) continue;
    bool keep = resource_group_level ? ref->family.rfind(rg_prefix, 0) == 0 : ref->family == names.family();
    if (keep) out.push_back(t);
  }
  return out;
}

namespace {

// The exit code to show: the named container's, else the first one known.
std::optional<int> exit_code_of(const aws::ecs::Task& t, const std::string& container) {
  for (const auto& c : t.containers) {
    if (c.name == container && c.exit_code) return c.exit_code;
  }
  for (const auto& c : t.containers) {
    if (c.exit_code) return c.exit_code;
  }
  return std::nullopt;
}

std::string reason_of(const aws::ecs::Task& t) {
  std::vector<std::string> parts;
  if (!t.stopped_reason.empty()) parts.push_back(t.stopped_reason);
  for (const auto& c : t.containers) {
    if (!c.reason.empty()) parts.push_back(c.name + ": " + c.reason);
  }
  return util::join(parts, "; ");
}

nlohmann::json time_json(const std::optional<double>& secs) {
  if (!secs) return nullptr;
  return format_utc_ms(static_cast<int64_t>(*secs * 1000.0), true);
}

}  // namespace

nlohmann::json task_digest(const aws::ecs::Task& t, const std::string& container) {
  auto ref = aws::ecs::parse_task_definition_arn(t.task_definition_arn);
  auto code = exit_code_of(t, container);
  return {{"task_id", t.id},
          {"task_arn", t.arn},
          {"task_definition", ref ? fmt::format("{}:{}", ref->family, ref->revision) : t.task_definition_arn},
          {"status", t.last_status},
          {"desired_status", t.desired_status},
          {"created_at", time_json(t.created_at)},
          {"started_at", time_json(t.started_at)},
          {"stopped_at", time_json(t.stopped_at)},
          {"exit_code", code ? nlohmann::json(*code) : nlohmann::json(nullptr)},
          {"stop_code", t.stop_code.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.stop_code)},
          {"stop_reason", reason_of(t)},
          {"cpu", t.cpu},
          {"memory", t.memory}};
}

int job_status(aws::Client& client, const StatusOptions& o) {
  std::string cluster = o.names.cluster();
  std::string family = o.resource_group_level ? "" : o.names.family();
  auto tasks = on_cluster(o.names, [&] {
    std::vector<std::string> arns;
    if (o.running) {
      auto r = aws::ecs::list_tasks(client, cluster, "RUNNING", family);
      arns.insert(arns.end(), r.begin(), r.end());
    }
    if (o.stopped) {
      auto s = aws::ecs::list_tasks(client, cluster, "STOPPED", family);
      arns.insert(arns.end(), s.begin(), s.end());
    }
    return tasks_of(aws::ecs::describe_tasks(client, cluster, arns), o.names, o.resource_group_level);
  });
  // Running first, then the newest.
  std::stable_sort(tasks.begin(), tasks.end(), [](const aws::ecs::Task& a, const aws::ecs::Task& b) {
    bool ar = a.last_status != "STOPPED";
    bool br = b.last_status != "STOPPED";
    if (ar != br) return ar;
    return a.created_at.value_or(0) > b.created_at.value_or(0);
  });
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : tasks) out.push_back(o.full ? t.raw : task_digest(t, o.container));
    std::fputs((out.dump(2) + "\n").c_str(), stdout);
    return k_exit_ok;
  }
  log::info("{} task(s) of {} in cluster {}", tasks.size(), o.resource_group_level ? "handoff-" + o.names.resource_group + "-*" : o.names.family(),
            cluster);
  if (tasks.empty()) return k_exit_ok;
  std::string text = fmt::format("{:<36}  {:<14}  {:<19}  {:<19}  {:>4}  {}\n", "TASK ID", "STATUS", "STARTED",
                                 "STOPPED", "EXIT", "REASON");
  for (const auto& t : tasks) {
    auto code = exit_code_of(t, o.container);
    text += fmt::format("{:<36}  {:<14}  {:<19}  {:<19}  {:>4}  {}\n", t.id, t.last_status, when(t.started_at),
                        when(t.stopped_at), code ? std::to_string(*code) : "-", reason_of(t));
  }
  std::fputs(text.c_str(), stdout);
  return k_exit_ok;
}

int job_stop(aws::Client& client, const StopOptions& o) {
  std::string cluster = o.names.cluster();
  auto found = on_cluster(o.names, [&] { return aws::ecs::describe_tasks(client, cluster, {o.id}); });
  if (found.empty()) {
    throw Error(fmt::format("no task {} in cluster {}", util::quote(o.id), util::quote(cluster)),
                "list the tasks with handoff cloud job status");
  }
  if (tasks_of(found, o.names, o.resource_group_level).empty()) {
    throw Error(fmt::format("task {} belongs to {}, not to {}", util::quote(o.id),
                            util::quote(found[0].task_definition_arn), util::quote(o.names.family())),
                "stop it from its own project, or pass --resource-group-level");
  }
  aws::ecs::Task t = aws::ecs::stop_task(client, cluster, found[0].arn, o.reason);
  if (t.arn.empty()) t = found[0];
  if (o.json) {
    std::fputs((task_digest(t, "").dump() + "\n").c_str(), stdout);
  } else {
    std::fputs(fmt::format("{}  {} -> STOPPED  {}\n", t.id, found[0].last_status, o.reason).c_str(), stdout);
  }
  log::info("Stopped task {} of cluster {} (desired status {})", t.id, cluster, t.desired_status);
  return k_exit_ok;
}

}  // namespace handoff::cloud
