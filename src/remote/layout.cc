#include "remote/layout.h"

#include <fmt/format.h>

#include "store/etag.h"
#include "util/error.h"
#include "util/strings.h"

namespace handoff::remote {

std::string Layout::secrets_path(project::SecretLevel level) const {
  std::string path = "/handoff/" + resource_group;
  if (level == project::SecretLevel::task) path += "/" + task;
  return path;
}

std::string Layout::describe() const {
  if (seed) {
    return fmt::format("seed layout (STACK_NAME={}): config in parameter '{}', files in s3://{}/{}",
                       stack, config_parameter(), bucket, files_prefix());
  }
  return fmt::format("layout of resource group '{}', task '{}': bucket '{}' ({}), secrets under '{}'",
                     resource_group, task, bucket, bucket_source,
                     secrets_path(project::SecretLevel::resource_group));
}

Layout resolve_layout(const LayoutInputs& in) {
  Layout l;
  if (!in.stack_name.empty()) {
    l.seed = true;
    l.stack = in.stack_name;
    l.bucket = !in.bucket_flag.empty() ? in.bucket_flag : in.seed_bucket;
    l.bucket_source = !in.bucket_flag.empty() ? "--bucket" : "S3_BUCKET_NAME";
    if (l.bucket.empty()) {
      throw UsageError("Set S3_BUCKET_NAME env",
                       "the seed's layout (STACK_NAME is set) keeps files in $S3_BUCKET_NAME; "
                       "export S3_BUCKET_NAME=<bucket>, or unset STACK_NAME for the current layout");
    }
    return l;
  }
  if (in.resource_group.empty() || in.task.empty()) {
    throw UsageError(
        fmt::format("the remote names need a resource group and a task (got resource group {}, task {})",
                    util::quote(in.resource_group), util::quote(in.task)),
        "set deploy.resource_group and deploy.task in project.yml, or pass "
        "--envs resource_group=<name> task=<name> (or export STACK_NAME for the seed's layout)");
  }
  l.resource_group = in.resource_group;
  l.task = in.task;
  if (!in.bucket_flag.empty()) {
    l.bucket = in.bucket_flag;
    l.bucket_source = "--bucket";
  } else if (!in.bucket_env.empty()) {
    l.bucket = in.bucket_env;
    l.bucket_source = "HO_BUCKET";
  } else if (!in.deploy_bucket.empty()) {
    l.bucket = in.deploy_bucket;
    l.bucket_source = "deploy.bucket";
  } else {
    l.bucket = in.derive_bucket ? in.derive_bucket(in.resource_group) : local_bucket(in.resource_group);
    l.bucket_source = "derived";
  }
  return l;
}

std::string derived_bucket(const std::string& resource_group, const std::string& account_id) {
  std::string md5 = store::md5_hex(account_id);
  return "handoff-" + resource_group + "-" + md5.substr(md5.size() - 8);
}

std::string local_bucket(const std::string& resource_group) { return "handoff-" + resource_group; }

std::string escape_braces(const std::string& value) {
  return util::replace_all(util::replace_all(value, "{{", "\\{\\{"), "}}", "\\}\\}");
}

std::string unescape_braces(const std::string& value) {
  return util::replace_all(util::replace_all(value, "\\{\\{", "{{"), "\\}\\}", "}}");
}

}  // namespace handoff::remote
