// `handoff cloud schedule create|list|delete|explain` (issue 5 point 4): cron
// schedules of a task on EventBridge, through a Step Functions state machine
// by default. The original's `-v target_id= cron= scope=` forms work beside
// the flags (a flag wins).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "aws/client.h"
#include "cli/options.h"
#include "cloud/cron.h"
#include "cloud/schedule_ops.h"
#include "cloud/schedules.h"
#include "project/context.h"
#include "project/load.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cli {

namespace {

struct Flags {
  std::string target_id;
  std::string cron;
  std::string scope;
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  std::string role_arn;
  std::string from;
  int count = 5;
  bool json = false;
};

/// The project (when -p), names, -v and -e of one invocation.
struct Inputs {
  std::optional<project::Project> project;
  cloud::ScheduleScope scope;
  project::Assignments vars;
  cloud::Env envs;
};

std::string deploy_string(const project::Project& p, const char* key) {
  if (!p.deploy.is_object() || !p.deploy.contains(key) || p.deploy[key].is_null()) return "";
  const auto& v = p.deploy[key];
  return v.is_string() ? v.get<std::string>() : tmpl::to_python_str(v);
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void require_names(const Inputs& in) {
  if (in.scope.resource_group.empty() || in.scope.task.empty()) {
    throw UsageError(in.scope.resource_group.empty() ? "no resource group" : "no task name",
                     "set deploy.resource_group and deploy.task in project.yml, or pass "
                     "-e resource_group=NAME task=NAME");
  }
}

/// Load -p, parse -v/-e, resolve RG and task as the remote commands do:
/// -e beats deploy, which beats HO_RESOURCE_GROUP/HO_TASK. need_names: throw
/// (exit 2) when either is missing.
Inputs load_inputs(const Options& o, bool need_project, bool need_names) {
  Inputs in;
  const auto& s = o.job;
  if (!s.project_dir.empty()) {
    in.project = project::load_project(s.project_dir);
  } else if (need_project) {
    throw UsageError("no project directory given", "pass -p PROJECT_DIR (the folder with project.yml)");
  }
  std::string prefix = s.stage == "prod" ? "" : s.stage + "-";
  in.scope.stage = s.stage;
  in.scope.resource_group = env_or_empty("HO_RESOURCE_GROUP");
  in.scope.task = env_or_empty("HO_TASK");
  if (in.project) {
    std::string rg = deploy_string(*in.project, "resource_group");
    std::string task = deploy_string(*in.project, "task");
    if (!rg.empty()) in.scope.resource_group = prefix + rg;
    if (!task.empty()) in.scope.task = task;
  }
  in.vars = project::parse_assignments(s.vars, "-v");
  for (const auto& [k, v] : project::parse_assignments(s.envs, "-e")) {
    std::string key = util::to_lower(k);
    if (key == "resource_group") in.scope.resource_group = prefix + v;
    if (key == "task") in.scope.task = v;
    in.envs.emplace_back(k, v);
  }
  if (need_names) require_names(in);
  return in;
}

/// flag, else -v key=, else "".
std::string pick(const std::string& flag, const Inputs& in, const char* key) {
  if (!flag.empty()) return flag;
  for (auto it = in.vars.rbegin(); it != in.vars.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return "";
}

std::vector<cloud::Schedule> declared(const Inputs& in) {
  return in.project ? cloud::declared_schedules(in.project->schedules) : std::vector<cloud::Schedule>{};
}

/// The schedules create/explain work on: the declared ones (only target_id's
/// when given), with cron replaced when given; or, when the project declares
/// none, the one given by target_id and cron.
std::vector<cloud::Schedule> select(const Inputs& in, const std::string& target_id, const std::string& cron) {
  std::vector<cloud::Schedule> all = declared(in);
  std::vector<cloud::Schedule> out;
  if (all.empty()) {
    if (target_id.empty() || cron.empty()) {
      throw UsageError("project.yml declares no schedules",
                       "add `schedules:` to project.yml, or pass --target-id ID --cron 'EXPR'");
    }
    out.push_back({target_id, cron, {}, "", ""});
    return out;
  }
  std::vector<std::string> ids;
  for (const auto& s : all) {
    ids.push_back(s.target_id);
    if (target_id.empty() || s.target_id == target_id) out.push_back(s);
  }
  if (out.empty()) {
    throw UsageError("target_id " + util::quote(target_id) + " is not declared in project.yml schedules",
                     "declared: " + util::join(ids, ", "));
  }
  for (auto& s : out) {
    if (!cron.empty()) s.cron = cron;
    if (s.cron.empty()) throw UsageError("schedule " + util::quote(s.target_id) + " has no cron");
  }
  return out;
}

std::string env_text(const cloud::Env& env) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : env) parts.push_back(k + "=" + util::shell_quote(v));
  return util::join(parts, " ");
}

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

int run_create(const Options& o, const Flags& f) {
  Inputs in = load_inputs(o, true, true);
  std::vector<cloud::Schedule> schedules = select(in, pick(f.target_id, in, "target_id"), pick(f.cron, in, "cron"));
  // Check everything before the first call.
  for (const auto& s : schedules) {
    cloud::parse_cron(s.cron);
    cloud::rule_name(in.scope.stack(), s.target_id);
  }
  std::string container = deploy_string(*in.project, "container_image");
  if (container.empty()) {
    throw UsageError("deploy.container_image is not set", "it names the ECS container the schedule overrides");
  }
  cloud::PlatformConfig config = cloud::platform_config(in.project->deploy);
  cloud::LookupOverrides lo{f.role_arn, f.subnets, f.security_groups};
  aws::Client client;
  std::string role = cloud::find_events_role(client, lo, config);
  cloud::RunTarget target = cloud::find_run_target(client, in.scope, lo, container);
  cloud::Json out = cloud::Json::array();
  for (const auto& s : schedules) {
    cloud::Env env = cloud::merge_envs(s.envs, in.envs, in.scope.stage);
    cloud::Created c = cloud::create_schedule(client, in.scope, s, env, target, role, config);
    for (const auto& note : c.notes) log::info("{}: {}", c.name, note);
    if (f.json) {
      out.push_back({{"name", c.name}, {"cron", s.cron}, {"target_id", s.target_id}, {"target", c.kind},
                     {"target_arn", c.target_arn}, {"rule_arn", c.rule_arn},
                     {"state_machine_replaced", c.replaced}});
    } else {
      print(fmt::format("{} schedule {} cron({}) -> {} {}\n", c.replaced ? "replaced" : "created", c.name,
                        s.cron, c.kind == "ecs" ? "ECS task" : "state machine", c.target_arn));
    }
  }
  if (f.json) print(out.dump(2) + "\n");
  return 0;
}

int run_list(const Options& o, const Flags& f) {
  // The scope is checked before the project is read or AWS is called.
  Inputs in = load_inputs(o, false, false);
  std::string scope = pick(f.scope, in, "scope");
  if (scope.empty()) scope = "declared";
  cloud::parse_scope(scope);
  if (scope != "all") require_names(in);
  if (scope == "declared" && !in.project) {
    throw UsageError("--scope declared needs the project's schedules", "pass -p PROJECT_DIR, or --scope prefix");
  }
  std::vector<std::string> ids;
  for (const auto& s : declared(in)) ids.push_back(s.target_id);
  aws::Client client;
  auto api = cloud::make_events_api(client);
  std::vector<std::string> warnings;
  std::vector<cloud::ListedSchedule> found = cloud::list_schedules(*api, scope, in.scope.stack(), ids, &warnings);
  for (const auto& w : warnings) log::warning("{}", w);
  if (f.json) {
    cloud::Json out = cloud::Json::array();
    for (const auto& s : found) out.push_back(cloud::to_json(s));
    print(out.dump(2) + "\n");
    return 0;
  }
  if (found.empty()) log::info("No schedules (scope {})", scope);
  for (const auto& s : found) {
    std::string what = s.kind == "state_machine" ? "state machine" : s.kind == "ecs" ? "ECS task" : "target";
    print(fmt::format("{}  cron({})  target_id {}  {} {}\n", s.name, s.cron, s.target_id, what, s.target_arn));
    if (!s.envs.empty()) print("    env: " + env_text(s.envs) + "\n");
  }
  return 0;
}

int run_delete(const Options& o, const Flags& f) {
  Inputs in = load_inputs(o, false, true);
  std::string id = pick(f.target_id, in, "target_id");
  if (id.empty()) {
    throw UsageError("schedule delete needs the schedule's target_id", "pass --target-id ID (or -v target_id=ID)");
  }
  std::string name = cloud::rule_name(in.scope.stack(), id);
  aws::Client client;
  cloud::Deleted d = cloud::delete_schedule(client, name);
  for (const auto& step : d.done) print(step + "\n");
  if (!d.failure.empty()) {
    throw Error("schedule " + util::quote(name) + " is only partly deleted: " + d.failure,
                "still there: " + util::join(d.left, "; ") + "; run the delete again");
  }
  print("deleted schedule " + name + "\n");
  return 0;
}

int run_explain(const Options& o, const Flags& f) {
  Inputs in = load_inputs(o, false, false);
  std::string cron = pick(f.cron, in, "cron");
  std::string id = pick(f.target_id, in, "target_id");
  std::vector<cloud::Schedule> schedules;
  if (!in.project && cron.empty()) {
    throw UsageError("nothing to explain", "pass -p PROJECT_DIR (its schedules) or --cron 'EXPR'");
  }
  if (!cron.empty() && id.empty()) {
    schedules.push_back({"", cron, {}, "", ""});
  } else {
    schedules = select(in, id, cron);
  }
  if (f.count < 1) throw UsageError("--count must be at least 1");
  cloud::TimePoint from = f.from.empty()
                              ? std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                              : cloud::parse_utc(f.from);
  bool named = !in.scope.resource_group.empty() && !in.scope.task.empty();
  cloud::Json out = cloud::Json::array();
  for (const auto& s : schedules) {
    cloud::Cron c = cloud::parse_cron(s.cron);
    std::vector<cloud::TimePoint> runs = cloud::next_runs(c, from, f.count);
    std::string name = s.target_id.empty() ? "" : named ? in.scope.stack() + "-" + s.target_id : "target_id " + s.target_id;
    if (f.json) {
      cloud::Json times = cloud::Json::array();
      for (auto t : runs) times.push_back(cloud::format_utc(t));
      out.push_back({{"name", name}, {"target_id", s.target_id}, {"cron", c.text}, {"next", times}});
      continue;
    }
    print(fmt::format("{}cron({})  next {} runs after {} (UTC):\n", name.empty() ? "" : name + "  ", c.text,
                      runs.size(), cloud::format_utc(from)));
    for (auto t : runs) {
      auto wd = std::chrono::weekday(std::chrono::floor<std::chrono::days>(t));
      static const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
      print(fmt::format("  {}  {}\n", cloud::format_utc(t), k_days[wd.c_encoding()]));
    }
    if (runs.empty()) print("  (none: the expression's years are over)\n");
  }
  if (f.json) print(out.dump(2) + "\n");
  return 0;
}

}  // namespace

void add_cloud_schedule_commands(CLI::App* cloud, Options& o, int* exit_code) {
  auto flags = std::make_shared<Flags>();
  auto* group = cloud->add_subcommand("schedule", "cron schedules of the task (EventBridge, Step Functions)");
  group->require_subcommand(1);
  using Runner = int (*)(const Options&, const Flags&);
  auto add = [&](const char* name, const char* help, Runner run) {
    auto* cmd = group->add_subcommand(name, help);
    add_project(cmd, o, false);
    add_common(cmd, o);
    cmd->callback([&o, flags, run, exit_code] {
      configure(o);
      *exit_code = run(o, *flags);
    });
    return cmd;
  };
  Flags& f = *flags;
  auto* create = add("create", "create or replace the schedules project.yml declares (-p)", run_create);
  create->add_option("--target-id", f.target_id, "only this schedule (or -v target_id=)");
  create->add_option("--cron", f.cron, "replace the cron, e.g. '0 0 * * ? *' (or -v cron=)");
  create->add_option("--subnets", f.subnets, "subnet ids (default: the resources stack's)")->delimiter(',');
  create->add_option("--security-groups", f.security_groups, "security group ids (default: the resources stack's)")
      ->delimiter(',');
  create->add_option("--role-arn", f.role_arn, "role for EventBridge and Step Functions (default: "
                                                "handoff-CloudWatchEventECSRole)");
  create->add_flag("--json", f.json, "print what was made as JSON");
  auto* list = add("list", "list the task's schedules", run_list);
  list->add_option("--scope", f.scope,
                   "declared (default: the ids in project.yml), prefix (every rule starting with the task's "
                   "name) or all (every handoff rule); or -v scope=");
  list->add_flag("--json", f.json, "print JSON");
  auto* del = add("delete", "delete a schedule: its targets, rule and state machine", run_delete);
  del->add_option("--target-id", f.target_id, "the schedule (or -v target_id=)");
  auto* explain = add("explain", "print the next run times (UTC) of the schedules or of --cron", run_explain);
  explain->add_option("--target-id", f.target_id, "only this schedule");
  explain->add_option("--cron", f.cron,
                      "explain this expression: minutes hours day-of-month month day-of-week year, with * ? , - /, "
                      "JAN-DEC, SUN-SAT (1 = SUN), L, LW, nW, nL, n#k");
  explain->add_option("--from", f.from, "start after this UTC time (default now), e.g. 2026-12-01T00:00:00Z");
  explain->add_option("--count", f.count, "how many run times")->capture_default_str();
  explain->add_flag("--json", f.json, "print JSON");
}

}  // namespace handoff::cli
