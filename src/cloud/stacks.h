#pragma once
// The four stacks of `handoff cloud bucket|role|resources|task` (spec §6.1,
// §8.4): their names, templates, parameters and tags from resolved inputs
// (pure), and the create/update/delete/status operations that wait for a
// stack and stream its events (stack_ops.cc).
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/cloudformation.h"

namespace handoff::cloud {

/// The account id --dry-run shows when it does not ask AWS.
inline constexpr const char* k_unknown_account = "<account id>";

enum class StackKind { bucket, role, resources, task };

/// "bucket", "role", "resources", "task".
const char* kind_name(StackKind kind);

/// Everything the parameters are made of, resolved by the command (project.yml,
/// flags, -v, the account) before any stack call.
struct StackInputs {
  std::string resource_group;  ///< stage-prefixed
  std::string task;            ///< naked
  std::string stage;
  std::string bucket;
  std::string account_id;
  std::string region;
  // role
  std::string grantee_account_id;  ///< default: account_id
  std::string external_id;
  // resources
  bool new_vpc = false;
  std::string vpc_id;                ///< the default VPC (when !new_vpc)
  std::vector<std::string> subnet_ids;
  // task
  std::string image_name;  ///< deploy.container_image
  std::string image_uri;   ///< <domain>/<image>:<version>
  std::string cpu = "256";
  std::string memory = "512";
  std::string storage = "21";  ///< GiB
};

/// One stack, ready to be sent.
struct StackSpec {
  StackKind kind = StackKind::bucket;
  std::string stack_name;     ///< handoff-<RG>-bucket, handoff-role-<grantee>, …
  std::string template_name;  ///< bucket.yml, role.yml, resources.yml, task.yml
  std::vector<std::pair<std::string, std::string>> parameters;
  std::vector<std::pair<std::string, std::string>> tags;
  /// Parameters whose value is not printed (the template's NoEcho ones).
  std::vector<std::string> masked;
};

/// The stack's name alone (status and delete need nothing else); throws
/// handoff::Error (exit 2) when the resource group or task is missing.
std::string stack_name(StackKind kind, const StackInputs& in);
/// Names, parameters and tags; throws handoff::Error (exit 2) naming what is
/// missing (a task without deploy.container_image, a role without an
/// external id, a bad cpu value, …).
StackSpec stack_spec(StackKind kind, const StackInputs& in);

/// The image a task runs: <image_domain or ACCT.dkr.ecr.REGION.amazonaws.com>/<image>:<version or latest>.
std::string image_uri(const std::string& image_domain, const std::string& account_id,
                      const std::string& region, const std::string& image,
                      const std::string& version);

/// --dry-run's stdout: the action, stack, template source, parameters (masked
/// ones as ****), capabilities and tags as YAML, then `---` and the template.
std::string dry_run_text(const std::string& action, const StackSpec& spec,
                         const std::string& template_source, const std::string& template_body);
/// The same as one JSON object (--json).
std::string dry_run_json(const std::string& action, const StackSpec& spec,
                         const std::string& template_source, const std::string& template_body);

/// The stdout of status (and of create/update/delete, with result "created",
/// "updated", "up to date", "deleted"): stack, status, reason, times and
/// outputs as YAML, or as one JSON object.
std::string status_text(const aws::Stack& stack, const std::string& result = {});
std::string status_json(const aws::Stack& stack, const std::string& result = {});

}  // namespace handoff::cloud
