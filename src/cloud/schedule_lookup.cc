// What a scheduled run needs besides the schedule itself: the role EventBridge
// and Step Functions act as, the task definition, the cluster and the network.
// Each lookup names what it looked for and the command that creates it.
#include <pugixml.hpp>

#include "cloud/schedule_ops.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

constexpr const char* k_iam_version = "2010-05-08";
constexpr const char* k_cfn_version = "2010-05-15";
constexpr const char* k_ecs_target = "AmazonEC2ContainerServiceV20141113";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& part : util::split(text, ',')) {
    std::string s(util::trim(part));
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

}  // namespace

std::string find_events_role(aws::Client& client, const LookupOverrides& o, const PlatformConfig& c) {
  if (!o.role_arn.empty()) return o.role_arn;
  if (!c.role_arn.empty()) return c.role_arn;
  std::string xml;
  try {
    xml = client.call_query("iam", "GetRole", k_iam_version, {{"RoleName", k_events_role}},
                            "role " + util::quote(k_events_role));
  } catch (const aws::AwsError& e) {
    if (e.code() != "NoSuchEntity") throw;
    throw Error(std::string("role ") + util::quote(k_events_role) + " not found",
                "create it with `handoff cloud role create`, or pass --role-arn (or set "
                "deploy.platform_config.role_arn)");
  }
  pugi::xml_document doc;
  doc.load_buffer(xml.data(), xml.size());
  auto node = doc.select_node("//Role/Arn");
  std::string arn = node ? node.node().text().get() : "";
  if (arn.empty()) throw Error("iam GetRole of " + util::quote(k_events_role) + " returned no Arn");
  return arn;
}

RunTarget find_run_target(aws::Client& client, const ScheduleScope& scope, const LookupOverrides& o,
                          const std::string& container) {
  RunTarget t;
  t.container = container;
  std::string region = client.region().value;
  std::string account = client.account_id();
  t.cluster_arn = "arn:aws:ecs:" + region + ":" + account + ":cluster/" + scope.resources_stack();

  // DescribeTaskDefinition of the bare family is its latest ACTIVE revision, and
  // exactly this family: ListTaskDefinitions' familyPrefix could pick a sibling's.
  std::string family = scope.stack();
  try {
    nlohmann::json r = client.call_json("ecs", k_ecs_target, "DescribeTaskDefinition",
                                        {{"taskDefinition", family}},
                                        "task definition " + util::quote(family));
    if (r.contains("taskDefinition") && r["taskDefinition"].is_object() &&
        r["taskDefinition"].contains("taskDefinitionArn") && r["taskDefinition"]["taskDefinitionArn"].is_string()) {
      t.task_definition_arn = r["taskDefinition"]["taskDefinitionArn"].get<std::string>();
    }
  } catch (const aws::AwsError& e) {
    if (e.code() != "ClientException") throw;
    throw Error("task definition family " + util::quote(family) + " not found",
                "create it with `handoff cloud task create` first");
  }
  if (t.task_definition_arn.empty()) {
    throw Error("ecs DescribeTaskDefinition of " + util::quote(family) + " returned no ARN");
  }

  t.subnets = o.subnets;
  t.security_groups = o.security_groups;
  if (t.subnets.empty() || t.security_groups.empty()) {
    std::string stack = scope.resources_stack();
    std::string xml;
    try {
      xml = client.call_query("cloudformation", "DescribeStacks", k_cfn_version, {{"StackName", stack}},
                              "stack " + util::quote(stack));
    } catch (const aws::AwsError& e) {
      if (e.code() != "ValidationError") throw;
      throw Error("stack " + util::quote(stack) + " not found, so no subnets and security groups",
                  "create it with `handoff cloud resources create`, or pass --subnets and "
                  "--security-groups");
    }
    pugi::xml_document doc;
    doc.load_buffer(xml.data(), xml.size());
    std::string subnets, groups;
    for (const auto& m : doc.select_nodes("//Outputs/member")) {
      std::string key = m.node().child("OutputKey").text().get();
      std::string value = m.node().child("OutputValue").text().get();
      if (key == "SubnetIds") subnets = value;
      if (key == "SecurityGroupId") groups = value;
    }
    if (t.subnets.empty()) t.subnets = split_list(subnets);
    if (t.security_groups.empty()) t.security_groups = split_list(groups);
    if (t.subnets.empty() || t.security_groups.empty()) {
      throw Error("stack " + util::quote(stack) + " has no SubnetIds or SecurityGroupId output",
                  "update it with `handoff cloud resources update`, or pass --subnets and "
                  "--security-groups");
    }
    log::info("Network from stack {}: subnets {}, security groups {}", stack,
              util::join(t.subnets, ","), util::join(t.security_groups, ","));
  }
  return t;
}

}  // namespace handoff::cloud
