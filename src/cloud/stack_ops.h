#pragma once
// create, update, delete and status of one stack: send the call, wait for the
// stack while its events stream to the log, report the result on stdout, and
// throw handoff::Error (exit 1) naming the failing resource when it failed.
#include <string>

#include "aws/cloudformation.h"
#include "cloud/stack_events.h"
#include "cloud/stacks.h"

namespace handoff::cloud {

struct OpContext {
  aws::CloudFormation* cfn = nullptr;
  WaitOptions wait;
  std::string command;  ///< "handoff cloud bucket", for hints
  bool json = false;    ///< results as JSON on stdout
};

/// CreateStack; an existing stack is an Error that says to update or delete it.
void create_stack(const OpContext& ctx, const StackSpec& spec, const std::string& template_body);
/// UpdateStack; "No updates are to be performed" is a success ("up to date").
void update_stack(const OpContext& ctx, const StackSpec& spec, const std::string& template_body);
/// DeleteStack; a stack that does not exist is an Error.
void delete_stack(const OpContext& ctx, const std::string& stack_name);
/// DescribeStacks: status and outputs; a stack that does not exist is an Error.
void stack_status(const OpContext& ctx, const std::string& stack_name);

}  // namespace handoff::cloud
