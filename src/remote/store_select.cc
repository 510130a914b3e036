#include "remote/store_select.h"

#include <cstdlib>

#include <fmt/format.h>

#include "remote/layout.h"
#include "store/local_store.h"
#include "store/secretbox.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::remote {

GetEnv process_getenv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

StoreKind parse_kind(const std::string& value, const std::string& origin) {
  std::string v = util::to_lower(util::trim(value));
  if (v == "local") return StoreKind::local;
  if (v == "aws") return StoreKind::aws;
  throw UsageError(fmt::format("{}: unknown store {}", origin, util::quote(value)),
                   "use local (the embedded store under $HO_STORE_DIR) or aws");
}

}  // namespace

StoreChoice choose_store(const std::string& store_flag, const std::string& cloud_provider_flag,
                         const std::string& deploy_provider, const GetEnv& env) {
  StoreChoice c;
  // 1. An explicit choice.
  if (!store_flag.empty()) {
    c.kind = parse_kind(store_flag, "--store");
    c.reason = "--store " + store_flag;
    return c;
  }
  if (auto v = env("HO_STORE")) {
    c.kind = parse_kind(*v, "HO_STORE");
    c.reason = "HO_STORE=" + *v;
    return c;
  }
  // 2. The seed's layout lives in AWS.
  c.kind = StoreKind::aws;
  if (env("STACK_NAME")) {
    c.reason = "STACK_NAME is set (the seed's layout)";
    return c;
  }
  // 3. A cloud provider named by flag, environment or project.
  auto is_aws = [](const std::string& s) { return util::to_lower(util::trim(s)) == "aws"; };
  if (!cloud_provider_flag.empty() && is_aws(cloud_provider_flag)) {
    c.reason = "--cloud-provider aws";
    return c;
  }
  if (auto v = env("HO_CLOUD_PROVIDER"); v && is_aws(*v)) {
    c.reason = "HO_CLOUD_PROVIDER=aws";
    return c;
  }
  if (!deploy_provider.empty() && is_aws(deploy_provider)) {
    c.reason = "project.yml deploy.cloud_provider is aws";
    return c;
  }
  // 4. Running in ECS.
  for (const char* name : {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"}) {
    if (env(name)) {
      c.reason = std::string(name) + " is set (running in ECS)";
      return c;
    }
  }
  c.kind = StoreKind::local;
  c.reason = "no cloud chosen";
  c.hint = "pass --store aws (or export HO_STORE=aws, or set deploy.cloud_provider: aws) to use AWS";
  return c;
}

Store open_store(const StoreChoice& choice) {
  if (choice.kind == StoreKind::aws) {
    log::info("Using the AWS store ({})", choice.reason);
    return open_aws_store();
  }
  Store s;
  s.kind = StoreKind::local;
  auto root = store::default_store_dir();
  s.params = std::make_shared<store::LocalParameterStore>(root, store::default_key_path());
  s.objects = std::make_shared<store::LocalObjectStore>(root);
  s.derive_bucket = [](const std::string& rg) { return local_bucket(rg); };
  s.describe = "local store in " + root.string();
  log::info("Using the local store in {} ({}){}", root.string(), choice.reason,
            choice.hint.empty() ? "" : "; " + choice.hint);
  return s;
}

}  // namespace handoff::remote
