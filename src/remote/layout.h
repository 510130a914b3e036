#pragma once
// Where a project's config, secrets, files and artifacts live in the store,
// in both layouts (spec §6.1, §6.7):
//   seed (STACK_NAME set):  SSM <STACK_NAME>_config (compiled JSON),
//                           s3://$S3_BUCKET_NAME/<STACK_NAME>/files/, …/artifacts/
//   current:                s3://<bucket>/<task>/project.yml, <task>/files/,
//                           <task>/artifacts/{last,archives/<ts>}/,
//                           SSM /handoff/<RG>/[<task>/]<key>
// RG carries the stage prefix, the task name is always naked (§6.8 fixed).
#include <functional>
#include <optional>
#include <string>

#include "project/secrets.h"

namespace handoff::remote {

struct Layout {
  bool seed = false;
  std::string bucket;
  std::string bucket_source;   ///< for the log: "--bucket", "HO_BUCKET", "deploy.bucket", "derived"
  std::string stack;           ///< seed: STACK_NAME
  std::string resource_group;  ///< current: stage-prefixed
  std::string task;            ///< current: naked

  /// seed: "<STACK_NAME>_config".
  std::string config_parameter() const { return stack + "_config"; }
  /// current: "<task>/project.yml".
  std::string config_key() const { return task + "/project.yml"; }
  /// "<task>/files/" (seed: "<STACK_NAME>/files/"); always ends in '/'.
  std::string files_prefix() const { return root() + "files/"; }
  /// Where the last run's artifacts are: "<task>/artifacts/last/" (seed:
  /// "<STACK_NAME>/artifacts/", where the seed read and wrote them).
  std::string last_prefix() const { return seed ? root() + "artifacts/" : root() + "artifacts/last/"; }
  /// "<task>/artifacts/archives/" (seed: "<STACK_NAME>/archives/", outside last).
  std::string archives_prefix() const {
    return seed ? root() + "archives/" : root() + "artifacts/archives/";
  }
  /// The lease serializing artifacts pushes.
  std::string lock_key() const { return seed ? root() + "_handoff_lock" : root() + "artifacts/_handoff_lock"; }
  /// "/handoff/<RG>" or "/handoff/<RG>/<task>".
  std::string secrets_path(project::SecretLevel level) const;
  /// One line for the log: which layout and names.
  std::string describe() const;

 private:
  std::string root() const { return (seed ? stack : task) + "/"; }
};

/// What the names are resolved from; each value empty when not given.
struct LayoutInputs {
  std::string stack_name;        ///< $STACK_NAME
  std::string seed_bucket;       ///< $S3_BUCKET_NAME
  std::string bucket_flag;       ///< --bucket
  std::string bucket_env;        ///< $HO_BUCKET or -e bucket=
  std::string deploy_bucket;     ///< project.yml deploy.bucket
  std::string resource_group;    ///< stage-prefixed
  std::string task;              ///< naked
  /// The derived bucket for a resource group (aws: with the account id).
  std::function<std::string(const std::string& resource_group)> derive_bucket;
};

/// Resolve the names; throws handoff::Error (exit 2) naming what is missing
/// and how to give it.
Layout resolve_layout(const LayoutInputs& in);

/// `handoff-<RG>-<last 8 hex of md5(account id)>` (spec §6.1).
std::string derived_bucket(const std::string& resource_group, const std::string& account_id);
/// The local store's bucket: `handoff-<RG>` (no account there).
std::string local_bucket(const std::string& resource_group);

/// The `{{`/`}}` escaping the Python tool applies to SSM values, and back.
std::string escape_braces(const std::string& value);
std::string unescape_braces(const std::string& value);

}  // namespace handoff::remote
