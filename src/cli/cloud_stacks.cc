// `handoff cloud bucket|role|resources|task create|update|delete|status`: the
// four CloudFormation stacks (issue 5, scope point 2; spec §7.6, §8.4).
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "aws/client.h"
#include "cli/options.h"
#include "cloud/default_vpc.h"
#include "cloud/stack_inputs.h"
#include "cloud/stack_ops.h"
#include "cloud/templates.h"
#include "util/error.h"
#include "util/log.h"

namespace handoff::cli {

namespace {

using cloud::StackAction;
using cloud::StackKind;

struct Verb {
  const char* name;
  const char* help;
  std::optional<StackAction> action;  ///< nullopt: status
};

// Every verb binds the same flags: only one command runs per invocation.
cloud::StackFlags& stack_flags() {
  static cloud::StackFlags flags;
  return flags;
}

std::string region_or_placeholder(aws::Client& client) {
  try {
    return client.region().value;
  } catch (const Error&) {
    return "<region>";
  }
}

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

// What the original printed after a role stack: the profile the granted
// account adds to assume the deploy role (the external id stays out of logs).
void log_profile_snippet(const cloud::StackInputs& in, const std::string& region) {
  std::string grantee = in.grantee_account_id.empty() ? in.account_id : in.grantee_account_id;
  log::info("To use the deploy role from account {}, add to its ~/.aws/config:", grantee);
  log::info("  [profile handoff-{}]", in.account_id);
  log::info("  role_arn = arn:aws:iam::{}:role/handoff-FargateDeployRole-for-{}", in.account_id, grantee);
  log::info("  external_id = <the external id given to this command>");
  log::info("  source_profile = <a profile of account {}>", grantee);
  log::info("  region = {}", region);
}

void run_stack_command(StackKind kind, const Verb& verb, Options& o) {
  configure(o);
  cloud::StackFlags& f = stack_flags();
  f.project_dir = o.job.project_dir;
  f.stage = o.job.stage;
  f.envs = o.job.envs;
  f.vars = o.job.vars;
  f.bucket = o.remote.bucket;
  if (f.timeout < 1) throw UsageError("--timeout must be at least 1 second", "pass --timeout 1800");
  const std::string command = std::string("handoff cloud ") + cloud::kind_name(kind);
  const bool dry_run = o.remote.dry_run;
  const bool sends_template = verb.action && *verb.action != StackAction::remove;

  // No call to AWS before everything local is resolved and checked; --dry-run
  // makes none at all (the account and the default VPC are shown as names).
  aws::Client client;
  cloud::AwsFacts facts;
  if (dry_run) {
    facts.account_id = cloud::k_unknown_account;
    facts.region = region_or_placeholder(client);
    facts.default_vpc = [] {
      return cloud::DefaultVpc{"<default VPC id>", {"<subnets of the default VPC>"}};
    };
  } else {
    facts.region = client.region().value;
    facts.account_id = client.account_id();
    facts.default_vpc = [&client] { return cloud::find_default_vpc(client); };
  }
  std::filesystem::path template_file;
  auto resolve = [&] {
    return cloud::resolve_stack_inputs(kind, f, facts, remote::process_getenv(), &template_file);
  };

  if (!sends_template) {
    facts.default_vpc = {};  // delete and status need no VPC
    cloud::StackInputs in = resolve();
    std::string name = cloud::stack_name(kind, in);
    if (dry_run) {
      print("action: " + std::string(verb.action ? "delete" : "status") + "\nstack: " + name + "\n");
      return;
    }
    aws::CloudFormation cfn(client);
    cloud::OpContext ctx{&cfn, {}, command, f.json};
    ctx.wait.timeout = std::chrono::seconds(f.timeout);
    if (verb.action) {
      cloud::delete_stack(ctx, name);
      if (kind == StackKind::bucket) {
        log::info("The bucket itself stays (DeletionPolicy Retain); remove it with "
                  "`aws s3 rb s3://{} --force` when its data is no longer needed",
                  in.bucket);
      }
    } else {
      cloud::stack_status(ctx, name);
    }
    return;
  }

  cloud::StackInputs in = resolve();
  cloud::StackSpec spec = cloud::stack_spec(kind, in);
  std::string source;
  std::string body = cloud::load_template(spec.template_name, template_file, &source);
  const char* action = cloud::action_name(*verb.action);
  if (dry_run) {
    print(f.json ? cloud::dry_run_json(action, spec, source, body)
                 : cloud::dry_run_text(action, spec, source, body));
    return;
  }
  log::info("Stack {}: {} from {}", spec.stack_name, action, source);
  aws::CloudFormation cfn(client);
  cloud::OpContext ctx{&cfn, {}, command, f.json};
  ctx.wait.timeout = std::chrono::seconds(f.timeout);
  if (*verb.action == StackAction::create) {
    cloud::create_stack(ctx, spec, body);
    if (kind == StackKind::role) log_profile_snippet(in, facts.region);
  } else {
    cloud::update_stack(ctx, spec, body);
    if (kind == StackKind::role) log_profile_snippet(in, facts.region);
    if (kind == StackKind::task) {
      log::info("Schedules start the task definition revision they were made with: re-create "
                "them with `handoff cloud schedule create` to use this one");
    }
  }
}

void add_kind_flags(CLI::App* cmd, StackKind kind, bool sends_template) {
  cloud::StackFlags& f = stack_flags();
  switch (kind) {
    case StackKind::bucket:
      break;
    case StackKind::role:
      cmd->add_option("--grantee-account-id", f.grantee_account_id,
                      "12-digit account allowed to assume the deploy role (default: your own; "
                      "also -v grantee_account_id=)");
      if (sends_template) {
        cmd->add_option("--external-id", f.external_id,
                        "external id the grantee must present (required; also -v external_id=)");
      }
      break;
    case StackKind::resources:
      if (sends_template) {
        cmd->add_flag("--new-vpc", f.new_vpc,
                      "create a VPC with two public subnets instead of using the default VPC");
      }
      break;
    case StackKind::task:
      if (sends_template) {
        cmd->add_option("--cpu", f.cpu, "task CPU units: 256 … 4096 (default: deploy.cpu, else 256)");
        cmd->add_option("--memory", f.memory, "task memory in MiB (default: deploy.memory, else 512)");
        cmd->add_option("--storage", f.storage,
                        "ephemeral storage in GiB, 21 … 200 (default: deploy.storage, else 21)");
        cmd->add_option("--image-version", f.image_version,
                        "image tag (default: deploy.image_version, else latest)");
        cmd->add_option("--image-domain", f.image_domain,
                        "registry host (default: deploy.image_domain, else ACCOUNT.dkr.ecr.REGION.amazonaws.com)");
      }
      break;
  }
}

}  // namespace

void add_cloud_stack_commands(CLI::App* cloud, Options& o, int* exit_code) {
  struct Kind {
    StackKind kind;
    const char* help;
  };
  const Kind kinds[] = {
      {StackKind::bucket, "the bucket stack handoff-<RG>-bucket (the bucket stays when it is deleted)"},
      {StackKind::role, "the role stack handoff-role-<grantee account>: deploy, task and schedule roles"},
      {StackKind::resources, "the resources stack handoff-<RG>-resources: network, security group, ECS cluster"},
      {StackKind::task, "the task stack handoff-<RG>-<task>: task definition, log group, metric filters"},
  };
  const Verb verbs[] = {
      {"create", "create the stack and wait for it, streaming its events", StackAction::create},
      {"update", "update the stack and wait for it (no changes: up to date)", StackAction::update},
      {"delete", "delete the stack and wait for it", StackAction::remove},
      {"status", "print the stack's status and outputs (stdout)", std::nullopt},
  };
  cloud::StackFlags& f = stack_flags();
  for (const Kind& k : kinds) {
    auto* group = cloud->add_subcommand(cloud::kind_name(k.kind), k.help);
    group->require_subcommand(1);
    for (const Verb& v : verbs) {
      auto* cmd = group->add_subcommand(v.name, v.help);
      const bool sends_template = v.action && *v.action != StackAction::remove;
      add_project(cmd, o, false);
      add_common(cmd, o);
      if (k.kind == StackKind::bucket || k.kind == StackKind::task) {
        cmd->add_option("--bucket", o.remote.bucket,
                        "bucket (default: $HO_BUCKET, then deploy.bucket, then handoff-<RG>-<hash>)");
      }
      add_kind_flags(cmd, k.kind, sends_template);
      if (sends_template) {
        cmd->add_option("--template-file", f.template_file,
                        "send this template instead of the embedded one (also -v template_file=)");
      }
      if (v.action) {
        cmd->add_option("--timeout", f.timeout, "seconds to wait for the stack")
            ->capture_default_str();
      }
      cmd->add_flag("--dry-run", o.remote.dry_run,
                    sends_template ? "print the template and parameters; call no AWS API"
                                   : "print the stack's name; call no AWS API");
      cmd->add_flag("--json", f.json, "results on stdout as JSON");
      StackKind kind = k.kind;
      Verb verb = v;
      cmd->callback([kind, verb, &o, exit_code] {
        run_stack_command(kind, verb, o);
        *exit_code = k_exit_ok;
      });
    }
  }
}

}  // namespace handoff::cli
