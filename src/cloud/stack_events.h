#pragma once
// Waiting for a stack: poll DescribeStacks until the action ends, stream the
// new DescribeStackEvents oldest first as they appear, and turn a failure into
// an Error naming the first resource that failed and why.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/cloudformation.h"
#include "util/error.h"

namespace handoff::cloud {

enum class StackAction { create, update, remove };

/// "create", "update", "delete".
const char* action_name(StackAction action);
/// CREATE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, …: not over yet.
bool is_in_progress(const std::string& status);
/// The status an action ends with when it worked (DELETE_COMPLETE for remove).
bool is_success(StackAction action, const std::string& status);

/// One line per event: "<time> <logical id> <status>[ <reason>]".
std::string format_event(const aws::StackEvent& event);
/// The oldest event whose status ends in _FAILED (CREATE_FAILED, UPDATE_FAILED,
/// DELETE_FAILED): the cause; later ones are its consequences ("Resource
/// creation cancelled"). events: oldest first.
std::optional<aws::StackEvent> first_failure(const std::vector<aws::StackEvent>& events);

/// The Error for an action that ended in final_status. command: the command
/// prefix for the hint ("handoff cloud bucket").
Error failure_error(StackAction action, const std::string& stack_name,
                    const std::string& final_status, const std::string& status_reason,
                    const std::optional<aws::StackEvent>& failure, const std::string& command);

struct WaitOptions {
  std::chrono::seconds timeout{1800};
  std::chrono::milliseconds first_poll{500};  ///< grows to max_poll
  std::chrono::milliseconds max_poll{5000};
  std::function<void(std::chrono::milliseconds)> sleep;  ///< empty: this_thread::sleep_for
  std::function<std::chrono::steady_clock::time_point()> now;  ///< empty: steady_clock::now
};

struct WaitResult {
  std::optional<aws::Stack> stack;       ///< nullopt: the stack is gone (deleted)
  std::vector<aws::StackEvent> events;   ///< the action's events, oldest first
  bool timed_out = false;
};

/// Poll stack_ref (an id, so a deleted stack still answers) until it is no
/// longer in progress or the timeout passes. Events newer than
/// last_event_id ("" for a new stack) go to on_event as they come.
WaitResult wait_for_stack(aws::CloudFormation& cfn, const std::string& stack_ref,
                          const std::string& last_event_id, const WaitOptions& options,
                          const std::function<void(const aws::StackEvent&)>& on_event);

/// The id of the stack's newest event ("" when there is none or no stack).
std::string newest_event_id(aws::CloudFormation& cfn, const std::string& stack_ref);

}  // namespace handoff::cloud
