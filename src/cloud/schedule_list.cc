// `cloud schedule list`: the task's rules in scope, with what their targets
// start (spec §8.5). The scope check comes before any call, and scope
// `declared` matches whole names, never a prefix: `handoff-etl-widgets-` is
// also the start of a sibling task `widgets-legacy`'s rules.
#include <set>

#include <fmt/format.h>

#include "cloud/schedules.h"
#include "util/error.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

class RealEventsApi : public EventsApi {
 public:
  explicit RealEventsApi(aws::Client& client) : client_(client) {}
  aws::events::RulesPage list_rules(const std::string& prefix, const std::string& token) override {
    return aws::events::list_rules_page(client_, prefix, token);
  }
  std::optional<std::vector<aws::events::Target>> list_targets(const std::string& rule) override {
    return aws::events::list_targets_by_rule(client_, rule);
  }

 private:
  aws::Client& client_;
};

std::string cron_of(const std::string& expression) {
  if (expression.rfind("cron(", 0) == 0 && expression.size() > 6 && expression.back() == ')') {
    return expression.substr(5, expression.size() - 6);
  }
  return expression;
}

std::string kind_of(const aws::events::Target& t) {
  if (t.arn.find(":stateMachine:") != std::string::npos) return "state_machine";
  if (!t.ecs_parameters.is_null() || t.arn.find(":cluster/") != std::string::npos) return "ecs";
  return "other";
}

/// The first of the keys that j has.
const nlohmann::json* either(const nlohmann::json& j, const char* a, const char* b) {
  if (!j.is_object()) return nullptr;
  if (j.contains(a)) return &j[a];
  if (j.contains(b)) return &j[b];
  return nullptr;
}

std::string text_of(const nlohmann::json* j) {
  if (!j || j->is_null()) return "";
  return j->is_string() ? j->get<std::string>() : j->dump();
}

}  // namespace

std::unique_ptr<EventsApi> make_events_api(aws::Client& client) {
  return std::make_unique<RealEventsApi>(client);
}

Scope parse_scope(const std::string& scope) {
  if (scope == "declared") return Scope::declared;
  if (scope == "prefix") return Scope::prefix;
  if (scope == "all") return Scope::all;
  throw UsageError("unknown schedule list scope " + util::quote(scope),
                   "use --scope declared (this task's declared schedules, the default), prefix or all");
}

Env envs_from_input(const std::string& input) {
  Env out;
  if (input.empty()) return out;
  nlohmann::json j = nlohmann::json::parse(input, nullptr, false);
  const nlohmann::json* overrides = either(j, "ContainerOverrides", "containerOverrides");
  if (!overrides || !overrides->is_array()) return out;
  for (const auto& container : *overrides) {
    const nlohmann::json* env = either(container, "Environment", "environment");
    if (!env || !env->is_array()) continue;
    for (const auto& e : *env) {
      std::string name = text_of(either(e, "Name", "name"));
      if (name == "HO_STAGE") continue;
      out.emplace_back(name, text_of(either(e, "Value", "value")));
    }
  }
  return out;
}

std::vector<ListedSchedule> list_schedules(EventsApi& api, const std::string& scope_text,
                                           const std::string& stack,
                                           const std::vector<std::string>& declared_ids,
                                           std::vector<std::string>* warnings) {
  Scope scope = parse_scope(scope_text);
  std::set<std::string> wanted;
  if (scope == Scope::declared) {
    for (const auto& id : declared_ids) wanted.insert(stack + "-" + id);
    if (wanted.empty()) return {};
  }
  std::string prefix = scope == Scope::all ? "handoff-" : stack + "-";
  std::vector<aws::events::Rule> rules;
  std::string token;
  for (int page = 0;; ++page) {
    if (page >= 10000) throw Error("events ListRules returned more than 10000 pages");
    aws::events::RulesPage p = api.list_rules(prefix, token);
    for (auto& r : p.rules) {
      // NamePrefix is a prefix match; the whole-name check is ours.
      if (r.name.rfind(prefix, 0) != 0) continue;
      if (scope == Scope::declared && !wanted.count(r.name)) continue;
      rules.push_back(std::move(r));
    }
    token = p.next_token;
    if (token.empty()) break;
  }
  std::vector<ListedSchedule> out;
  for (const auto& r : rules) {
    std::optional<std::vector<aws::events::Target>> targets = api.list_targets(r.name);
    if (!targets || targets->empty()) {
      if (warnings) {
        warnings->push_back(fmt::format("rule {} has no targets{}: skipped", util::quote(r.name),
                                        targets ? "" : " (it is gone)"));
      }
      continue;
    }
    const aws::events::Target& t = targets->front();
    ListedSchedule s;
    s.name = r.name;
    s.cron = cron_of(r.schedule_expression);
    s.target_id = t.id;
    s.envs = envs_from_input(t.input);
    s.target_arn = t.arn;
    s.kind = kind_of(t);
    out.push_back(std::move(s));
  }
  return out;
}

Json to_json(const ListedSchedule& s) {
  Json envs = Json::array();
  for (const auto& [k, v] : s.envs) envs.push_back({{"key", k}, {"value", v}});
  return {{"name", s.name},     {"cron", s.cron},     {"target_id", s.target_id},
          {"envs", envs},       {"target", s.kind},   {"target_arn", s.target_arn},
          {"status", s.status}};
}

}  // namespace handoff::cloud
