// Template variables and environment of a run (spec §2.3, §1.6), applied in
// this order, later wins:
//   1. reserved stage and date variables;
//   2. HO_STAGE, then deploy keys, then -e values (our decision: flags beat
//      the project file, so -e is applied after deploy, unlike the original);
//   3. secrets, by key;
//   4. envs (a null value takes the secret of the same key; only truthy
//      values are exported, and they become variables too);
//   5. vars, YAML-typed;
//   6. -v values, always strings.
#include "project/context.h"

#include <time.h>

#include <array>

#include "project/yaml_value.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::project {
namespace {

// The env names the original exports from deploy; other deploy keys stay
// template variables only.
constexpr std::array<std::string_view, 7> k_env_whitelist = {"HO_CLOUD_PROVIDER",
                                                             "HO_CLOUD_PLATFORM",
                                                             "HO_CONTAINER_IMAGE",
                                                             "HO_IMAGE_VERSION",
                                                             "HO_BUCKET",
                                                             "HO_RESOURCE_GROUP",
                                                             "HO_TASK"};

bool whitelisted(std::string_view name) {
  for (auto w : k_env_whitelist) {
    if (w == name) return true;
  }
  return false;
}

std::string stage_prefix(std::string_view stage) {
  return stage == "prod" ? std::string() : std::string(stage) + "-";
}

class Builder {
 public:
  explicit Builder(RunContext& ctx) : ctx_(ctx) {}

  /// Export name=value (replacing an earlier value in place) and make it a variable.
  void set_env(const std::string& name, const std::string& value) {
    for (auto& [k, v] : ctx_.env) {
      if (k == name) {
        v = value;
        ctx_.vars[name] = value;
        return;
      }
    }
    ctx_.env.emplace_back(name, value);
    ctx_.vars[name] = value;
  }

  /// resource_group / task: the prefixed name is exported, the naked one is a variable.
  bool set_identity(std::string_view key, const std::string& value, std::string_view stage) {
    std::string lower = util::to_lower(key);
    if (lower != "resource_group" && lower != "task") return false;
    std::string name = "HO_" + util::to_upper(lower);
    set_env(name, stage_prefix(stage) + value);
    ctx_.vars[name + "_NAKED"] = value;
    return true;
  }

 private:
  RunContext& ctx_;
};

std::string local_date(int day_offset) {
  time_t now = time(nullptr);
  struct tm tm;
  localtime_r(&now, &tm);
  // Noon avoids a daylight-saving change moving the date twice or not at all.
  tm.tm_hour = 12;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  tm.tm_mday += day_offset;
  tm.tm_isdst = -1;
  mktime(&tm);
  char buf[16];
  strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

Value reserved_vars(std::string_view stage) {
  bool prod = stage == "prod";
  std::string s(stage);
  Value vars = Value::object();
  vars["_stage"] = prod ? "" : s;
  vars["_stage_"] = prod ? "" : s + "_";
  vars["_stage-"] = prod ? "" : s + "-";
  vars["__stage"] = prod ? "" : "_" + s;
  vars["__stage_"] = prod ? "" : "_" + s + "_";
  vars["_today"] = local_date(0);
  vars["_yesterday"] = local_date(-1);
  vars["_tomorrow"] = local_date(1);
  return vars;
}

RunContext build_context(const Project& project, const SecretsFile& secrets, std::string_view stage,
                         const Assignments& cli_vars, const Assignments& cli_envs) {
  RunContext ctx;
  ctx.vars = reserved_vars(stage);
  Builder b(ctx);

  b.set_env("HO_STAGE", std::string(stage));
  if (project.deploy.is_object()) {
    for (const auto& [key, value] : project.deploy.items()) {
      if (value.is_null()) continue;
      if (b.set_identity(key, detail::python_str(value), stage)) continue;
      std::string name = "HO_" + util::to_upper(key);
      if (whitelisted(name)) {
        b.set_env(name, detail::python_str(value));
      } else {
        ctx.vars[name] = value;
      }
    }
  }
  for (const auto& [key, value] : cli_envs) {
    if (!b.set_identity(key, value, stage)) b.set_env(util::to_upper(key), value);
  }

  for (const auto& s : secrets.secrets) {
    if (s.has_value) ctx.vars[s.key] = s.value;
  }

  for (const auto& e : project.envs) {
    Value value = e.value;
    if (!e.has_value) {
      for (const auto& s : secrets.secrets) {
        if (s.key == e.key && s.has_value) value = s.value;
      }
    }
    if (!detail::python_truthy(value)) {
      log::debug("{}: env {} is empty, not exported", e.loc.where(), e.key);
      continue;
    }
    b.set_env(e.key, detail::python_str(value));
    ctx.vars[e.key] = value;  // typed, as the original keeps it in its state
  }

  for (const auto& v : project.vars) ctx.vars[v.key] = v.value;
  for (const auto& [key, value] : cli_vars) ctx.vars[key] = value;
  return ctx;
}

}  // namespace handoff::project
