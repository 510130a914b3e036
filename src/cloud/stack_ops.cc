#include "cloud/stack_ops.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <fmt/format.h>

#include "util/log.h"
#include "util/strings.h"
#include "util/term.h"

namespace handoff::cloud {

namespace {

void print(const OpContext& ctx, const aws::Stack& stack, const std::string& result) {
  std::string out = ctx.json ? status_json(stack, result) : status_text(stack, result);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

aws::StackRequest request_of(const StackSpec& spec, const std::string& body) {
  aws::StackRequest r;
  r.name = spec.stack_name;
  r.template_body = body;
  r.parameters = spec.parameters;
  r.tags = spec.tags;
  return r;
}

// The task stack imports the role stack's exports; without that stack AWS
// answers "No export named handoff-TaskExecutionRoleArn found".
[[noreturn]] void rethrow_with_hint(const aws::AwsError& e) {
  if (std::string_view(e.what()).find("No export named handoff-") != std::string_view::npos) {
    throw Error(e.what(), "create the role stack first: handoff cloud role create --external-id <phrase>");
  }
  throw e;
}

void log_parameters(const StackSpec& spec) {
  for (const auto& [k, v] : spec.parameters) {
    bool masked = std::find(spec.masked.begin(), spec.masked.end(), k) != spec.masked.end();
    log::debug("stack {} parameter {}={}", spec.stack_name, k, masked ? "****" : v);
  }
}

// Wait for the action, then return the final stack or throw the failure.
std::optional<aws::Stack> wait_and_check(const OpContext& ctx, StackAction action,
                                         const std::string& name, const std::string& stack_ref,
                                         const std::string& last_event_id) {
  log::info("Waiting for stack {} to {} (up to {} s)", name, action_name(action),
            ctx.wait.timeout.count());
  std::optional<term::Ticker> live;  // a live line between the events (terminal only)
  live.emplace(term::Printer::instance(), [&](double elapsed) {
    return fmt::format("waiting for stack {} to {}, {}", name, action_name(action), term::format_duration(elapsed));
  }, true);
  WaitResult w = wait_for_stack(*ctx.cfn, stack_ref, last_event_id, ctx.wait,
                                [&name](const aws::StackEvent& e) {
                                  log::info("{}: {}", name, format_event(e));
                                });
  live.reset();
  if (w.timed_out) {
    throw Error(fmt::format("stack {} is still {} after {} s", util::quote(name),
                            w.stack ? w.stack->status : "in progress", ctx.wait.timeout.count()),
                fmt::format("CloudFormation goes on without us: follow it with `{} status`, or wait "
                            "longer next time with --timeout SECONDS",
                            ctx.command));
  }
  std::string status = w.stack ? w.stack->status : "DELETE_COMPLETE";
  if (!is_success(action, status)) {
    throw failure_error(action, name, status, w.stack ? w.stack->status_reason : "",
                        first_failure(w.events), ctx.command);
  }
  return w.stack;
}

}  // namespace

void create_stack(const OpContext& ctx, const StackSpec& spec, const std::string& body) {
  log_parameters(spec);
  std::string id;
  try {
    id = ctx.cfn->create_stack(request_of(spec, body));
  } catch (const aws::AwsError& e) {
    if (e.code() != "AlreadyExistsException") rethrow_with_hint(e);
    auto existing = ctx.cfn->describe_stack(spec.stack_name);
    throw Error(fmt::format("stack {} already exists{}", util::quote(spec.stack_name),
                            existing ? " (" + existing->status + ")" : ""),
                fmt::format("change it with `{} update`, or remove it with `{} delete` first",
                            ctx.command, ctx.command));
  }
  log::info("Creating stack {} ({})", spec.stack_name, id);
  auto stack = wait_and_check(ctx, StackAction::create, spec.stack_name,
                              id.empty() ? spec.stack_name : id, "");
  print(ctx, *stack, "created");
}

void update_stack(const OpContext& ctx, const StackSpec& spec, const std::string& body) {
  log_parameters(spec);
  auto before = ctx.cfn->describe_stack(spec.stack_name);
  if (!before) {
    throw Error("stack " + util::quote(spec.stack_name) + " does not exist",
                fmt::format("create it with `{} create`", ctx.command));
  }
  std::string last = newest_event_id(*ctx.cfn, before->id);
  std::optional<std::string> id;
  try {
    id = ctx.cfn->update_stack(request_of(spec, body));
  } catch (const aws::AwsError& e) {
    rethrow_with_hint(e);
  }
  if (!id) {
    log::info("Stack {} is up to date: no changes to make", spec.stack_name);
    print(ctx, *before, "up to date");
    return;
  }
  log::info("Updating stack {}", spec.stack_name);
  auto stack = wait_and_check(ctx, StackAction::update, spec.stack_name,
                              id->empty() ? before->id : *id, last);
  print(ctx, *stack, "updated");
}

void delete_stack(const OpContext& ctx, const std::string& name) {
  auto before = ctx.cfn->describe_stack(name);
  if (!before) {
    throw Error("stack " + util::quote(name) + " does not exist, so there is nothing to delete",
                "check the names: the stage (-s), the resource group, the task and AWS_REGION; `" +
                    ctx.command + " status` shows what is there");
  }
  std::string last = newest_event_id(*ctx.cfn, before->id);
  ctx.cfn->delete_stack(before->id);
  log::info("Deleting stack {}", name);
  // By id: a deleted stack still answers DescribeStacks as DELETE_COMPLETE.
  auto stack = wait_and_check(ctx, StackAction::remove, name, before->id, last);
  aws::Stack gone = stack ? *stack : *before;
  gone.status = "DELETE_COMPLETE";
  gone.outputs.clear();
  print(ctx, gone, "deleted");
}

void stack_status(const OpContext& ctx, const std::string& name) {
  auto stack = ctx.cfn->describe_stack(name);
  if (!stack) {
    throw Error("stack " + util::quote(name) + " does not exist",
                fmt::format("create it with `{} create` (check the stage -s and AWS_REGION)",
                            ctx.command));
  }
  print(ctx, *stack, "");
}

}  // namespace handoff::cloud
