#include "aws/ecs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::aws::ecs {
namespace {

constexpr const char* k_target = "AmazonEC2ContainerServiceV20141113";
// A bound on pagination: a service that kept handing out tokens would
// otherwise spin forever.
constexpr int k_max_pages = 10000;

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::optional<double> time_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
  return j[key].get<double>();
}

std::string cluster_subject(const std::string& cluster) { return "cluster " + util::quote(cluster); }

}  // namespace

std::optional<TaskDefinitionRef> parse_task_definition_arn(const std::string& arn) {
  std::string rest = arn;
  size_t slash = rest.rfind('/');
  if (slash != std::string::npos) rest = rest.substr(slash + 1);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) return std::nullopt;
  std::string rev = rest.substr(colon + 1);
  // A revision is a number that fits: a longer run of digits is not a revision.
  if (rev.size() > 18 ||
      !std::all_of(rev.begin(), rev.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  TaskDefinitionRef ref;
  ref.arn = arn;
  ref.family = rest.substr(0, colon);
  ref.revision = std::stoll(rev);
  return ref;
}

std::optional<TaskDefinitionRef> newest_of_family(const std::vector<std::string>& arns,
                                                  const std::string& family) {
  std::optional<TaskDefinitionRef> best;
  for (const auto& arn : arns) {
    auto ref = parse_task_definition_arn(arn);
    // The familyPrefix filter is a prefix on real AWS: keep only the family
    // itself, never a sibling task whose name starts with ours.
    if (!ref || ref->family != family) continue;
    if (!best || ref->revision > best->revision) best = ref;
  }
  return best;
}

std::vector<std::string> list_task_definitions(Client& client, const std::string& family_prefix) {
  std::vector<std::string> out;
  std::string token;
  for (int page = 0; page < k_max_pages; ++page) {
    nlohmann::json body = {{"familyPrefix", family_prefix}, {"status", "ACTIVE"}, {"sort", "DESC"}};
    if (!token.empty()) body["nextToken"] = token;
    nlohmann::json r = client.call_json("ecs", k_target, "ListTaskDefinitions", body,
                                        "task definition family " + util::quote(family_prefix));
    if (r.contains("taskDefinitionArns") && r["taskDefinitionArns"].is_array()) {
      for (const auto& a : r["taskDefinitionArns"]) {
        if (a.is_string()) out.push_back(a.get<std::string>());
      }
    }
    token = str(r, "nextToken");
    if (token.empty()) return out;
  }
  throw Error("ecs ListTaskDefinitions returned more than 10000 pages");
}

nlohmann::json run_task_body(const RunTaskInput& in) {
  nlohmann::json env = nlohmann::json::array();
  for (const auto& [k, v] : in.environment) env.push_back({{"name", k}, {"value", v}});
  nlohmann::json body = {
      {"cluster", in.cluster},
      {"taskDefinition", in.task_definition},
      {"count", 1},
      {"launchType", "FARGATE"},
      {"networkConfiguration",
       {{"awsvpcConfiguration",
         {{"subnets", in.subnets},
          {"securityGroups", in.security_groups},
          {"assignPublicIp", in.assign_public_ip ? "ENABLED" : "DISABLED"}}}}},
      {"overrides", {{"containerOverrides", {{{"name", in.container}, {"environment", env}}}}}},
  };
  if (!in.started_by.empty()) body["startedBy"] = in.started_by;
  return body;
}

std::string task_id_of(const std::string& arn) {
  size_t slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

Task parse_task(const nlohmann::json& j) {
  Task t;
  t.raw = j;
  t.arn = str(j, "taskArn");
  t.id = task_id_of(t.arn);
  t.task_definition_arn = str(j, "taskDefinitionArn");
  t.last_status = str(j, "lastStatus");
  t.desired_status = str(j, "desiredStatus");
  t.stop_code = str(j, "stopCode");
  t.stopped_reason = str(j, "stoppedReason");
  t.created_at = time_of(j, "createdAt");
  t.started_at = time_of(j, "startedAt");
  t.stopped_at = time_of(j, "stoppedAt");
  t.cpu = str(j, "cpu");
  t.memory = str(j, "memory");
  if (j.contains("containers") && j["containers"].is_array()) {
    for (const auto& c : j["containers"]) {
      Container k;
      k.name = str(c, "name");
      k.last_status = str(c, "lastStatus");
      k.reason = str(c, "reason");
      if (c.contains("exitCode") && c["exitCode"].is_number_integer()) k.exit_code = c["exitCode"].get<int>();
      t.containers.push_back(std::move(k));
    }
  }
  return t;
}

Task run_task(Client& client, const RunTaskInput& in) {
  nlohmann::json r = client.call_json("ecs", k_target, "RunTask", run_task_body(in),
                                      "task definition " + util::quote(in.task_definition));
  if (r.contains("tasks") && r["tasks"].is_array() && !r["tasks"].empty()) return parse_task(r["tasks"][0]);
  // RunTask answers 200 with "failures" when it could not place the task.
  std::vector<std::string> reasons;
  if (r.contains("failures") && r["failures"].is_array()) {
    for (const auto& f : r["failures"]) {
      std::string reason = str(f, "reason");
      std::string detail = str(f, "detail");
      reasons.push_back(detail.empty() ? reason : reason + " (" + detail + ")");
    }
  }
  throw Error(fmt::format("ecs RunTask started no task of {} in {}: {}", util::quote(in.task_definition),
                          cluster_subject(in.cluster),
                          reasons.empty() ? std::string("no reason given") : util::join(reasons, "; ")),
              "check the cluster, subnets and security groups, then retry");
}

std::vector<std::string> list_tasks(Client& client, const std::string& cluster,
                                    const std::string& desired_status, const std::string& family) {
  std::vector<std::string> out;
  std::string token;
  for (int page = 0; page < k_max_pages; ++page) {
    nlohmann::json body = {{"cluster", cluster}, {"desiredStatus", desired_status}, {"maxResults", 100}};
    if (!family.empty()) body["family"] = family;
    if (!token.empty()) body["nextToken"] = token;
    nlohmann::json r = client.call_json("ecs", k_target, "ListTasks", body, cluster_subject(cluster));
    if (r.contains("taskArns") && r["taskArns"].is_array()) {
      for (const auto& a : r["taskArns"]) {
        if (a.is_string()) out.push_back(a.get<std::string>());
      }
    }
    token = str(r, "nextToken");
    if (token.empty()) return out;
  }
  throw Error("ecs ListTasks returned more than 10000 pages");
}

std::vector<Task> describe_tasks(Client& client, const std::string& cluster,
                                 const std::vector<std::string>& tasks) {
  std::vector<Task> out;
  for (size_t i = 0; i < tasks.size(); i += 100) {
    size_t end = std::min(tasks.size(), i + 100);
    nlohmann::json ids(std::vector<std::string>(tasks.begin() + static_cast<std::ptrdiff_t>(i),
                                                tasks.begin() + static_cast<std::ptrdiff_t>(end)));
    nlohmann::json r = client.call_json("ecs", k_target, "DescribeTasks",
                                        {{"cluster", cluster}, {"tasks", ids}}, cluster_subject(cluster));
    if (r.contains("tasks") && r["tasks"].is_array()) {
      for (const auto& t : r["tasks"]) out.push_back(parse_task(t));
    }
  }
  return out;
}

Task stop_task(Client& client, const std::string& cluster, const std::string& task,
               const std::string& reason) {
  nlohmann::json body = {{"cluster", cluster}, {"task", task}};
  if (!reason.empty()) body["reason"] = reason;
  nlohmann::json r = client.call_json("ecs", k_target, "StopTask", body, "task " + util::quote(task));
  return parse_task(r.value("task", nlohmann::json::object()));
}

}  // namespace handoff::aws::ecs
