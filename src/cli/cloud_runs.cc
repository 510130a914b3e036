// `handoff cloud run`, `cloud job status|stop` and `cloud logs` (issue 5
// points 3 and 5). Flags first; the original's `-v key=value` forms fill what
// no flag gave (spec §7.6).
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "aws/client.h"
#include "cli/options.h"
#include "cloud/logs.h"
#include "cloud/runs.h"
#include "job/remote.h"
#include "project/context.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cli {
namespace {

struct Flags {
  std::string target_id;
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  bool json = false;
  bool full = false;
  bool running_only = false;
  bool stopped_only = false;
  bool resource_group_level = false;
  std::string id;
  std::string reason;
  std::string start_time;
  std::string end_time;
  std::string filter;
  bool follow = false;
  std::optional<double> follow_timeout;
  std::vector<std::string> streams;
};

bool truthy(const std::string& v) {
  std::string s = util::to_lower(util::trim(v));
  return s == "true" || s == "t" || s == "1" || s == "yes" || s == "y";
}

// The -v pairs a command knows; others are warned about, not fatal (the
// original passed extras on to the AWS call).
std::map<std::string, std::string> known_vars(const Options& o, std::initializer_list<const char*> keys) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : project::parse_assignments(o.job.vars, "-v")) {
    bool known = false;
    for (const char* key : keys) known = known || k == key;
    if (known) {
      out[k] = v;
    } else {
      log::warning("-v {}= is not used by this command (known: {})", k,
                   util::join(std::vector<std::string>(keys.begin(), keys.end()), ", "));
    }
  }
  return out;
}

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    for (const auto& part : util::split(v, ',')) {
      if (!util::trim(part).empty()) out.emplace_back(util::trim(part));
    }
  }
  return out;
}

struct Target {
  cloud::Names names;
  std::string container;
  tmpl::Value schedules;
};

// The names from -p's deploy, -e and the environment (remote/session.h);
// cloud commands always talk to AWS.
Target resolve(const Options& o) {
  job::RemoteCommand c = remote_command(o);
  if (c.remote.store.empty()) c.remote.store = "aws";
  remote::Session s = job::open_remote(c, false);
  Target t;
  t.names.resource_group = s.layout.resource_group;
  t.names.task = s.layout.task;
  if (s.project) {
    t.schedules = s.project->schedules;
    const auto& d = s.project->deploy;
    if (d.is_object() && d.contains("container_image") && !d["container_image"].is_null()) {
      t.container = tmpl::to_python_str(d["container_image"]);
    }
  }
  for (const auto& [k, v] : project::parse_assignments(o.job.envs, "-e")) {
    std::string key = util::to_lower(k);
    if (key == "container_image" || key == "ho_container_image") t.container = v;
  }
  if (t.container.empty()) {
    if (const char* env = std::getenv("HO_CONTAINER_IMAGE")) t.container = env;
  }
  return t;
}

void add_base(CLI::App* cmd, Options& o, Flags& f, bool json) {
  add_project(cmd, o, false);
  add_common(cmd, o);
  if (json) cmd->add_flag("--json", f.json, "JSON output on stdout");
}

}  // namespace

void add_cloud_run_commands(CLI::App* cloud, Options& o, int* exit_code) {
  auto f = std::make_shared<Flags>();

  auto* run = cloud->add_subcommand("run", "start the task once on Fargate; prints the task id (-v target_id=)");
  add_base(run, o, *f, true);
  run->add_option("--target-id", f->target_id, "reuse the envs of this schedule (project.yml schedules)");
  run->add_option("--subnets", f->subnets, "subnet ids, comma-separated (default: the resources stack's)")
      ->delimiter(',');
  run->add_option("--security-groups", f->security_groups,
                  "security group ids, comma-separated (default: the resources stack's)")
      ->delimiter(',');
  run->callback([&o, f, exit_code] {
    configure(o);
    auto vars = known_vars(o, {"target_id"});
    Target t = resolve(o);
    if (t.container.empty()) {
      throw UsageError("no container name for the overrides",
                       "set deploy.container_image in project.yml or pass -e container_image=NAME");
    }
    cloud::RunOptions r;
    r.names = t.names;
    r.container = t.container;
    r.stage = o.job.stage;
    r.schedules = t.schedules;
    r.target_id = !f->target_id.empty() ? f->target_id : vars["target_id"];
    r.cli_envs = project::parse_assignments(o.job.envs, "-e");
    r.subnets = split_list(f->subnets);
    r.security_groups = split_list(f->security_groups);
    r.json = f->json;
    aws::Client client;
    *exit_code = cloud::run(client, r);
  });

  auto* job = cloud->add_subcommand("job", "the task's ECS jobs");
  job->require_subcommand(1);
  auto* status = job->add_subcommand("status", "running and recent stopped tasks of this task's family");
  add_base(status, o, *f, true);
  status->add_flag("--running", f->running_only, "running tasks only");
  status->add_flag("--stopped", f->stopped_only, "stopped tasks only");
  status->add_flag("--resource-group-level", f->resource_group_level, "every task family of the resource group");
  status->add_flag("--full", f->full, "with --json: the tasks as ECS describes them");
  status->callback([&o, f, exit_code] {
    configure(o);
    auto vars = known_vars(o, {"full", "running", "stopped", "resource_group_level"});
    Target t = resolve(o);
    cloud::StatusOptions s;
    s.names = t.names;
    s.container = t.container;
    bool running_only = f->running_only || truthy(vars["running"]);
    bool stopped_only = f->stopped_only || truthy(vars["stopped"]);
    s.running = running_only || !stopped_only;
    s.stopped = stopped_only || !running_only;
    s.resource_group_level = f->resource_group_level || truthy(vars["resource_group_level"]);
    s.full = f->full || truthy(vars["full"]);
    s.json = f->json || s.full;
    aws::Client client;
    *exit_code = cloud::job_status(client, s);
  });

  auto* stop = job->add_subcommand("stop", "stop one task (-v id= reason=)");
  add_base(stop, o, *f, true);
  stop->add_option("--id", f->id, "task id or ARN (from cloud job status)");
  stop->add_option("--reason", f->reason, "why, for ECS (default: Stopped by the user)");
  stop->add_flag("--resource-group-level", f->resource_group_level, "allow a task of another family of the RG");
  stop->callback([&o, f, exit_code] {
    configure(o);
    auto vars = known_vars(o, {"id", "reason", "resource_group_level"});
    cloud::StopOptions s;
    s.id = !f->id.empty() ? f->id : vars["id"];
    if (s.id.empty()) throw UsageError("no task to stop", "pass --id TASK_ID (see handoff cloud job status)");
    if (!f->reason.empty()) {
      s.reason = f->reason;
    } else if (!vars["reason"].empty()) {
      s.reason = vars["reason"];
    }
    s.resource_group_level = f->resource_group_level || truthy(vars["resource_group_level"]);
    s.json = f->json;
    s.names = resolve(o).names;
    aws::Client client;
    *exit_code = cloud::job_stop(client, s);
  });

  auto* logs = cloud->add_subcommand("logs", "the task's CloudWatch logs (-v start_time= end_time= follow= "
                                             "filter_pattern= format_=json file=)");
  add_base(logs, o, *f, true);
  logs->add_option("--start-time", f->start_time, "from: ISO date/time (UTC unless it has an offset), 1h, 2d, now");
  logs->add_option("--end-time", f->end_time, "until: same forms as --start-time");
  logs->add_option("--filter", f->filter, "CloudWatch filter pattern, e.g. ERROR or '\"ended with exit code\"'");
  logs->add_option("--stream", f->streams, "only these log streams (repeatable)");
  logs->add_flag("-f,--follow", f->follow, "keep polling for new events (2.5 s doubling to 60 s) until Ctrl-C");
  logs->add_option("--follow-timeout", f->follow_timeout, "stop following after SECONDS")->type_name("SECONDS");
  logs->callback([&o, f, exit_code] {
    configure(o);
    auto vars = known_vars(o, {"start_time", "end_time", "follow", "filter_pattern", "format_", "file"});
    auto now = std::chrono::system_clock::now();
    cloud::LogsOptions l;
    l.log_group = resolve(o).names.log_group();
    std::string start = !f->start_time.empty() ? f->start_time : vars["start_time"];
    std::string end = !f->end_time.empty() ? f->end_time : vars["end_time"];
    if (!start.empty()) l.start_ms = cloud::parse_time(start, now, "--start-time");
    if (!end.empty()) l.end_ms = cloud::parse_time(end, now, "--end-time");
    if (l.start_ms && l.end_ms && *l.end_ms < *l.start_ms) {
      throw UsageError("--end-time is before --start-time", "swap them or leave --end-time out");
    }
    l.filter_pattern = !f->filter.empty() ? f->filter : std::string(util::trim(vars["filter_pattern"]));
    l.log_streams = f->streams;
    l.follow = f->follow || truthy(vars["follow"]);
    l.follow_timeout = f->follow_timeout;
    if (l.follow_timeout && *l.follow_timeout < 0) throw UsageError("--follow-timeout must not be negative");
    std::string format = vars["format_"];
    l.json = f->json || util::to_lower(format) == "json";
    if (!l.json) l.format = format;
    l.file = vars["file"];
    aws::Client client;
    *exit_code = cloud::logs(client, l);
  });
}

}  // namespace handoff::cli
