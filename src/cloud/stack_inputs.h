#pragma once
// From the command line, the environment and project.yml to a stack's inputs
// (cloud/stacks.h), before any stack call. Precedence, later wins:
//   1. defaults (cpu 256, memory 512, storage 21 GiB, image version latest)
//   2. the environment (HO_RESOURCE_GROUP, HO_TASK, HO_BUCKET)
//   3. project.yml deploy (resource_group, task, bucket, container_image,
//      image_version, image_domain, cpu, memory, storage)
//   4. -e resource_group= task= bucket=
//   5. the original's -v forms (external_id=, grantee_account_id=, cpu=, …)
//   6. our flags (--bucket, --external-id, --cpu, …)
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cloud/default_vpc.h"
#include "cloud/stacks.h"
#include "remote/store_select.h"

namespace handoff::cloud {

/// What the command line said; empty means not given.
struct StackFlags {
  std::filesystem::path project_dir;
  std::string stage = "dev";
  std::vector<std::string> envs;  ///< -e tokens
  std::vector<std::string> vars;  ///< -v tokens
  std::string bucket;
  std::string external_id;
  std::string grantee_account_id;
  bool new_vpc = false;
  std::string cpu;
  std::string memory;
  std::string storage;
  std::string image_version;
  std::string image_domain;
  std::filesystem::path template_file;
  int timeout = 1800;  ///< seconds
  bool json = false;
};

/// What only AWS knows; for --dry-run, placeholders ("<account id>").
struct AwsFacts {
  std::string account_id;
  std::string region;
  /// The default VPC (called only for the resources stack without --new-vpc).
  std::function<std::optional<DefaultVpc>()> default_vpc;
};

/// Resolve the inputs of `kind`. Loads project.yml when flags.project_dir is
/// set; throws handoff::Error (exit 2) for a project or usage problem.
/// *template_file receives --template-file or -v template_file=.
StackInputs resolve_stack_inputs(StackKind kind, const StackFlags& flags, const AwsFacts& aws,
                                 const remote::GetEnv& env, std::filesystem::path* template_file);

}  // namespace handoff::cloud
