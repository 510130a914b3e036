#include "cloud/schedules.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

std::string env_value(const project::Value& v) {
  if (v.is_null()) return "";
  return tmpl::to_python_str(v);
}

bool read_bool(const project::Value& v, const char* key) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = util::to_lower(v.get<std::string>());
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  throw UsageError(fmt::format("deploy.platform_config.{} must be true or false, not {}", key, v.dump()));
}

double read_number(const project::Value& v, const char* key) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      double d = std::stod(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) return d;
    } catch (const std::exception&) {
    }
  }
  throw UsageError(fmt::format("deploy.platform_config.{} must be a number, not {}", key, v.dump()));
}

}  // namespace

PlatformConfig platform_config(const project::Value& deploy) {
  PlatformConfig c;
  if (!deploy.is_object() || !deploy.contains("platform_config")) return c;
  const auto& pc = deploy["platform_config"];
  if (pc.is_null()) return c;
  if (!pc.is_object()) throw UsageError("deploy.platform_config must be a mapping, not " + pc.dump());
  for (const auto& [key, v] : pc.items()) {
    if (v.is_null()) continue;
    if (key == "state_machine") {
      c.state_machine = read_bool(v, "state_machine");
    } else if (key == "state_machine_timeout") {
      c.state_machine_timeout = static_cast<long>(read_number(v, "state_machine_timeout"));
    } else if (key == "retry_interval") {
      c.retry_interval = static_cast<long>(read_number(v, "retry_interval"));
    } else if (key == "max_retries") {
      c.max_retries = static_cast<long>(read_number(v, "max_retries"));
    } else if (key == "backoff_rate") {
      c.backoff_rate = read_number(v, "backoff_rate");
    } else if (key == "role_arn") {
      c.role_arn = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  return c;
}

std::vector<Schedule> declared_schedules(const project::Value& schedules) {
  std::vector<Schedule> out;
  if (schedules.is_null()) return out;
  if (!schedules.is_array()) throw UsageError("project.yml: schedules must be a list, not " + schedules.dump());
  std::set<std::string> seen;
  for (size_t i = 0; i < schedules.size(); ++i) {
    const auto& item = schedules[i];
    std::string where = fmt::format("project.yml: schedules[{}]", i);
    if (!item.is_object()) throw UsageError(where + " must be a mapping");
    Schedule s;
    if (!item.contains("target_id") || item["target_id"].is_null()) {
      throw UsageError(where + " has no target_id", "give each schedule a target_id, e.g. target_id: 1");
    }
    s.target_id = env_value(item["target_id"]);
    if (!seen.insert(s.target_id).second) {
      throw UsageError(where + ": target_id " + util::quote(s.target_id) + " is declared twice");
    }
    if (item.contains("cron") && item["cron"].is_string()) s.cron = item["cron"].get<std::string>();
    if (item.contains("name") && item["name"].is_string()) s.name = item["name"].get<std::string>();
    if (item.contains("description") && item["description"].is_string()) {
      s.description = item["description"].get<std::string>();
    }
    if (item.contains("envs") && item["envs"].is_array()) {
      for (const auto& e : item["envs"]) {
        if (!e.is_object() || !e.contains("key")) {
          throw UsageError(where + ": each envs item needs a key");
        }
        s.envs.emplace_back(env_value(e["key"]), e.contains("value") ? env_value(e["value"]) : "");
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string rule_name(const std::string& stack, const std::string& target_id) {
  std::string name = stack + "-" + target_id;
  if (target_id.empty()) throw UsageError("the schedule's target_id is empty");
  bool ok = std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_';
  });
  if (!ok) {
    throw UsageError("schedule name " + util::quote(name) + " has characters EventBridge refuses",
                     "use letters, digits, '.', '-' and '_' in target_id");
  }
  if (name.size() > 64) {
    throw UsageError(fmt::format("schedule name {} is {} characters, EventBridge allows 64",
                                 util::quote(name), name.size()),
                     "use a shorter target_id, resource group or task name");
  }
  return name;
}

Env merge_envs(const Env& schedule_envs, const Env& cli_envs, const std::string& stage) {
  Env out;
  auto set = [&out](const std::string& k, const std::string& v) {
    for (auto& [key, value] : out) {
      if (key == k) {
        value = v;
        return;
      }
    }
    out.emplace_back(k, v);
  };
  for (const auto& [k, v] : schedule_envs) set(k, v);
  for (const auto& [k, v] : cli_envs) set(k, v);
  set("HO_STAGE", stage);
  return out;
}

Json container_overrides(const std::string& container, const Env& env, bool lower_case) {
  const char* k_name = lower_case ? "name" : "Name";
  const char* k_value = lower_case ? "value" : "Value";
  Json environment = Json::array();
  for (const auto& [k, v] : env) environment.push_back({{k_name, k}, {k_value, v}});
  Json one = {{k_name, container}, {lower_case ? "environment" : "Environment", environment}};
  return {{lower_case ? "containerOverrides" : "ContainerOverrides", Json::array({one})}};
}

Json state_machine_definition(const RunTarget& t, const Env& env, const PlatformConfig& c) {
  Json network = {{"AwsvpcConfiguration",
                   {{"Subnets", t.subnets}, {"SecurityGroups", t.security_groups},
                    {"AssignPublicIp", "ENABLED"}}}};
  Json params = {{"LaunchType", "FARGATE"},
                 {"Cluster", t.cluster_arn},
                 {"TaskDefinition", t.task_definition_arn},
                 {"NetworkConfiguration", network},
                 {"Overrides", container_overrides(t.container, env, false)}};
  Json retry = {{"ErrorEquals", {"States.TaskFailed"}},
                {"IntervalSeconds", c.retry_interval},
                {"MaxAttempts", c.max_retries},
                {"BackoffRate", c.backoff_rate}};
  Json run = {{"Type", "Task"},
              {"Resource", "arn:aws:states:::ecs:runTask.sync"},
              {"Parameters", params},
              {"Retry", Json::array({retry})},
              {"End", true}};
  return {{"Comment", "handoff: run " + t.task_definition_arn + " on Fargate"},
          {"StartAt", "RunTask"},
          {"TimeoutSeconds", c.state_machine_timeout},
          {"States", {{"RunTask", run}}}};
}

Json ecs_parameters(const RunTarget& t) {
  return {{"TaskDefinitionArn", t.task_definition_arn},
          {"TaskCount", 1},
          {"LaunchType", "FARGATE"},
          {"NetworkConfiguration",
           {{"awsvpcConfiguration",
             {{"Subnets", t.subnets}, {"SecurityGroups", t.security_groups},
              {"AssignPublicIp", "ENABLED"}}}}}};
}

}  // namespace handoff::cloud
