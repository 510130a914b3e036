#include "cloud/stack_events.h"

#include <algorithm>
#include <cctype>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include "util/log.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "2026-12-01T12:00:07.088238Z" -> "2026-12-01 12:00:07Z": the seconds are
// what a person follows; the full stamp stays in --json status.
std::string short_time(const std::string& ts) {
  std::string t = ts;
  if (t.size() > 10 && t[10] == 'T') t[10] = ' ';
  size_t dot = t.find('.');
  if (dot != std::string::npos) {
    size_t end = dot + 1;
    while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) ++end;
    t.erase(dot, end - dot);
  }
  return t;
}

}  // namespace

const char* action_name(StackAction action) {
  switch (action) {
    case StackAction::create: return "create";
    case StackAction::update: return "update";
    case StackAction::remove: return "delete";
  }
  return "?";
}

bool is_in_progress(const std::string& status) { return ends_with(status, "_IN_PROGRESS"); }

bool is_success(StackAction action, const std::string& status) {
  switch (action) {
    case StackAction::create: return status == "CREATE_COMPLETE";
    case StackAction::update: return status == "UPDATE_COMPLETE";
    case StackAction::remove: return status == "DELETE_COMPLETE";
  }
  return false;
}

std::string format_event(const aws::StackEvent& e) {
  std::string line = fmt::format("{} {} {}", short_time(e.timestamp), e.logical_id, e.status);
  if (!e.reason.empty()) line += " " + e.reason;
  return line;
}

std::optional<aws::StackEvent> first_failure(const std::vector<aws::StackEvent>& events) {
  for (const auto& e : events) {
    if (ends_with(e.status, "_FAILED")) return e;
  }
  return std::nullopt;
}

Error failure_error(StackAction action, const std::string& stack_name,
                    const std::string& final_status, const std::string& status_reason,
                    const std::optional<aws::StackEvent>& failure, const std::string& command) {
  std::string message = fmt::format("stack {} failed to {} ({})", util::quote(stack_name),
                                    action_name(action), final_status);
  if (failure) {
    message += fmt::format(": {}{} {}", failure->logical_id,
                           failure->resource_type.empty() ? "" : " (" + failure->resource_type + ")",
                           failure->status);
    if (!failure->reason.empty()) message += ": " + failure->reason;
  } else if (!status_reason.empty()) {
    message += ": " + status_reason;
  }
  std::string hint;
  if (action == StackAction::create) {
    hint = fmt::format("fix the cause, then remove the rolled-back stack ({} delete) and create it again",
                       command);
  } else if (action == StackAction::update) {
    hint = final_status == "UPDATE_ROLLBACK_COMPLETE"
               ? "the stack is back as it was: fix the cause and run " + command + " update again"
               : "the stack could not roll back: see its events in the CloudFormation console, "
                 "then run " + command + " update again";
  } else {
    hint = "remove what blocks the deletion (a resource still in use, or kept outside the stack), "
           "then run " + command + " delete again";
  }
  return Error(message, hint);
}

std::string newest_event_id(aws::CloudFormation& cfn, const std::string& stack_ref) {
  std::string id;
  try {
    cfn.describe_stack_events(stack_ref, [&id](const aws::StackEvent& e) {
      id = e.id;
      return true;  // the first (newest) one is all we need
    });
  } catch (const aws::AwsError& e) {
    if (!aws::is_missing_stack(e)) throw;
  }
  return id;
}

WaitResult wait_for_stack(aws::CloudFormation& cfn, const std::string& stack_ref,
                          const std::string& last_event_id, const WaitOptions& o,
                          const std::function<void(const aws::StackEvent&)>& on_event) {
  auto now = o.now ? o.now : [] { return std::chrono::steady_clock::now(); };
  auto sleep = o.sleep ? o.sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  const auto deadline = now() + o.timeout;
  std::unordered_set<std::string> seen;
  if (!last_event_id.empty()) seen.insert(last_event_id);
  WaitResult result;
  // New events come first in each answer; everything from the first one seen
  // before is older. Shown oldest first, as they happened.
  auto drain_events = [&] {
    std::vector<aws::StackEvent> fresh;
    try {
      fresh = cfn.describe_stack_events(
          stack_ref, [&seen](const aws::StackEvent& e) { return seen.count(e.id) > 0; });
    } catch (const aws::AwsError& e) {
      if (!aws::is_missing_stack(e)) throw;  // a deleted stack asked by name: nothing more
    }
    std::reverse(fresh.begin(), fresh.end());
    for (auto& e : fresh) {
      seen.insert(e.id);
      if (on_event) on_event(e);
      result.events.push_back(std::move(e));
    }
  };
  std::chrono::milliseconds interval = o.first_poll;
  for (;;) {
    result.stack = cfn.describe_stack(stack_ref);
    drain_events();
    if (!result.stack || !is_in_progress(result.stack->status)) return result;
    if (now() >= deadline) {
      result.timed_out = true;
      return result;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
    sleep(std::min(interval, left));
    interval = std::min(o.max_poll, interval * 2);
    log::debug("stack {}: {}, still waiting", stack_ref, result.stack->status);
  }
}

}  // namespace handoff::cloud
