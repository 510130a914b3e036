#include "aws/events.h"

#include "util/strings.h"

namespace handoff::aws::events {
namespace {

/// j[key] as a string; "" when missing or null (moto sends "NextToken": null).
std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

constexpr const char* k_service = "events";
constexpr const char* k_target = "AWSEvents";

std::string subject(const std::string& rule) { return "rule " + util::quote(rule); }

nlohmann::json call(Client& client, const std::string& op, const nlohmann::json& body,
                    const std::string& rule) {
  return client.call_json(k_service, k_target, op, body, rule.empty() ? "" : subject(rule));
}

/// PutTargets and RemoveTargets answer 200 with FailedEntries: an error to us.
void check_failed_entries(const nlohmann::json& r, const std::string& op, const std::string& rule) {
  if (!r.contains("FailedEntryCount") || !r["FailedEntryCount"].is_number() ||
      r["FailedEntryCount"].get<int>() == 0) {
    return;
  }
  std::vector<std::string> parts;
  std::string code;
  if (r.contains("FailedEntries") && r["FailedEntries"].is_array()) {
    for (const auto& e : r["FailedEntries"]) {
      code = str(e, "ErrorCode");
      parts.push_back("target " + util::quote(str(e, "TargetId")) + ": " + code + " " +
                      str(e, "ErrorMessage"));
    }
  }
  throw AwsError("events " + op + " on " + subject(rule) + " failed: " + util::join(parts, "; "),
                 "", code, 200);
}

}  // namespace

std::string put_rule(Client& client, const std::string& name, const std::string& schedule_expression,
                     const std::string& description) {
  nlohmann::json body = {{"Name", name}, {"ScheduleExpression", schedule_expression}, {"State", "ENABLED"}};
  if (!description.empty()) body["Description"] = description;
  return str(call(client, "PutRule", body, name), "RuleArn");
}

RulesPage list_rules_page(Client& client, const std::string& name_prefix, const std::string& next_token) {
  nlohmann::json body = {{"NamePrefix", name_prefix}};
  if (!next_token.empty()) body["NextToken"] = next_token;
  nlohmann::json r = call(client, "ListRules", body, "");
  RulesPage page;
  if (r.contains("Rules") && r["Rules"].is_array()) {
    for (const auto& j : r["Rules"]) {
      page.rules.push_back({str(j, "Name"), str(j, "Arn"), str(j, "ScheduleExpression"),
                            str(j, "State")});
    }
  }
  page.next_token = str(r, "NextToken");
  return page;
}

Target target_from_json(const nlohmann::json& j) {
  Target t;
  t.id = str(j, "Id");
  t.arn = str(j, "Arn");
  t.role_arn = str(j, "RoleArn");
  t.input = str(j, "Input");
  if (j.contains("EcsParameters")) t.ecs_parameters = j["EcsParameters"];
  return t;
}

nlohmann::json target_json(const Target& t) {
  nlohmann::json j = {{"Id", t.id}, {"Arn", t.arn}};
  if (!t.role_arn.empty()) j["RoleArn"] = t.role_arn;
  if (!t.input.empty()) j["Input"] = t.input;
  if (!t.ecs_parameters.is_null()) j["EcsParameters"] = t.ecs_parameters;
  return j;
}

std::optional<std::vector<Target>> list_targets_by_rule(Client& client, const std::string& rule) {
  std::vector<Target> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    nlohmann::json body = {{"Rule", rule}};
    if (!token.empty()) body["NextToken"] = token;
    nlohmann::json r;
    try {
      r = call(client, "ListTargetsByRule", body, rule);
    } catch (const AwsError& e) {
      if (e.code() == "ResourceNotFoundException") return std::nullopt;
      throw;
    }
    if (r.contains("Targets") && r["Targets"].is_array()) {
      for (const auto& j : r["Targets"]) out.push_back(target_from_json(j));
    }
    token = str(r, "NextToken");
    if (token.empty()) return out;
  }
  throw Error("events ListTargetsByRule of " + subject(rule) + " returned more than 1000 pages");
}

void put_targets(Client& client, const std::string& rule, const std::vector<Target>& targets) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : targets) list.push_back(target_json(t));
  check_failed_entries(call(client, "PutTargets", {{"Rule", rule}, {"Targets", list}}, rule),
                       "PutTargets", rule);
}

void remove_targets(Client& client, const std::string& rule, const std::vector<std::string>& ids) {
  check_failed_entries(call(client, "RemoveTargets", {{"Rule", rule}, {"Ids", ids}}, rule),
                       "RemoveTargets", rule);
}

bool delete_rule(Client& client, const std::string& rule) {
  try {
    call(client, "DeleteRule", {{"Name", rule}}, rule);
    return true;
  } catch (const AwsError& e) {
    if (e.code() == "ResourceNotFoundException") return false;
    throw;
  }
}

}  // namespace handoff::aws::events
