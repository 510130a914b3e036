#pragma once
// Which store a remote command talks to, and opening it (issue 4 point 1).
// In this order: --store / HO_STORE (local | aws); aws when STACK_NAME is set,
// when --cloud-provider / HO_CLOUD_PROVIDER / deploy.cloud_provider says aws,
// or when ECS container credentials are set; else the embedded local store.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "store/store.h"

namespace handoff::remote {

enum class StoreKind { local, aws };

struct StoreChoice {
  StoreKind kind = StoreKind::local;
  std::string reason;  ///< "--store aws", "STACK_NAME is set", …
  std::string hint;    ///< for local by default: how to choose AWS
};

using GetEnv = std::function<std::optional<std::string>(const std::string&)>;
/// getenv(3); unset and empty are both nullopt.
GetEnv process_getenv();

/// store_flag / cloud_provider_flag: the command-line values (may be empty);
/// deploy_provider: project.yml deploy.cloud_provider (may be empty).
/// Throws handoff::Error (exit 2) for an unknown store name.
StoreChoice choose_store(const std::string& store_flag, const std::string& cloud_provider_flag,
                         const std::string& deploy_provider, const GetEnv& env);

/// An open store: both halves of the seam, plus what only a backend knows.
struct Store {
  StoreKind kind = StoreKind::local;
  std::shared_ptr<store::ParameterStore> params;
  std::shared_ptr<store::ObjectStore> objects;
  /// The bucket name derived for a resource group (aws: needs the account id).
  std::function<std::string(const std::string& resource_group)> derive_bucket;
  std::string describe;  ///< "local store in /x" / "AWS (region eu-west-1)"
};

/// Open the chosen store and log which one and why.
Store open_store(const StoreChoice& choice);

/// The AWS backend (open_aws.cc: the one file that calls store::open_aws_backend).
Store open_aws_store();
/// `handoff aws env`: eval-able export lines for the resolved credentials and
/// region (stdout), and where they came from (returned, for stderr).
std::string aws_env_exports(std::string* source);

}  // namespace handoff::remote
