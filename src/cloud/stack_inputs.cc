#include "cloud/stack_inputs.h"

#include "project/context.h"
#include "project/load.h"
#include "remote/layout.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

std::string deploy_string(const project::Project& p, const char* key) {
  if (!p.deploy.is_object() || !p.deploy.contains(key)) return "";
  const auto& v = p.deploy[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();  // cpu: 512 is a number in YAML
}

void set_if(std::string& target, const std::string& value) {
  if (!value.empty()) target = value;
}

}  // namespace

StackInputs resolve_stack_inputs(StackKind kind, const StackFlags& f, const AwsFacts& aws,
                                 const remote::GetEnv& env, std::filesystem::path* template_file) {
  StackInputs in;
  in.stage = f.stage;
  in.account_id = aws.account_id;
  in.region = aws.region;
  const std::string prefix = f.stage == "prod" ? "" : f.stage + "-";
  std::string image_version;
  std::string image_domain;
  std::string deploy_bucket;

  // 2. The environment, as a container gets it (HO_RESOURCE_GROUP prefixed).
  in.resource_group = env("HO_RESOURCE_GROUP").value_or("");
  in.task = env("HO_TASK").value_or("");
  std::string bucket_env = env("HO_BUCKET").value_or("");
  // 3. project.yml.
  if (!f.project_dir.empty()) {
    project::Project p = project::load_project(f.project_dir);
    std::string rg = deploy_string(p, "resource_group");
    if (!rg.empty()) in.resource_group = prefix + rg;
    set_if(in.task, deploy_string(p, "task"));
    deploy_bucket = deploy_string(p, "bucket");
    in.image_name = deploy_string(p, "container_image");
    image_version = deploy_string(p, "image_version");
    image_domain = deploy_string(p, "image_domain");
    set_if(in.cpu, deploy_string(p, "cpu"));
    set_if(in.memory, deploy_string(p, "memory"));
    set_if(in.storage, deploy_string(p, "storage"));
  }
  // 4. -e.
  for (const auto& [k, v] : project::parse_assignments(f.envs, "-e")) {
    std::string key = util::to_lower(k);
    if (key == "resource_group") in.resource_group = prefix + v;
    if (key == "task") in.task = v;
    if (key == "bucket" || key == "ho_bucket") bucket_env = v;
    if (key == "container_image" || key == "ho_container_image") in.image_name = v;
    if (key == "image_version" || key == "ho_image_version") image_version = v;
  }
  // 5. -v, the original's parameters of the cloud commands.
  std::string vars_template;
  for (const auto& [k, v] : project::parse_assignments(f.vars, "-v")) {
    if (k == "external_id") in.external_id = v;
    else if (k == "grantee_account_id") in.grantee_account_id = v;
    else if (k == "cpu") in.cpu = v;
    else if (k == "memory") in.memory = v;
    else if (k == "storage") in.storage = v;
    else if (k == "image_version") image_version = v;
    else if (k == "image_domain") image_domain = v;
    else if (k == "template_file") vars_template = v;
    else if (k == "static_ip") {
      log::warning("-v static_ip is not supported: the resources stack uses the default VPC, "
                   "or a new one with --new-vpc");
    }
  }
  // 6. Flags.
  set_if(in.external_id, f.external_id);
  set_if(in.grantee_account_id, f.grantee_account_id);
  set_if(in.cpu, f.cpu);
  set_if(in.memory, f.memory);
  set_if(in.storage, f.storage);
  set_if(image_version, f.image_version);
  set_if(image_domain, f.image_domain);
  in.new_vpc = f.new_vpc;
  if (template_file) *template_file = !f.template_file.empty() ? f.template_file : std::filesystem::path(vars_template);

  // Bucket (bucket and task stacks): --bucket, HO_BUCKET or -e, deploy.bucket, derived.
  if (kind == StackKind::bucket || kind == StackKind::task) {
    if (!f.bucket.empty()) {
      in.bucket = f.bucket;
    } else if (!bucket_env.empty()) {
      in.bucket = bucket_env;
    } else if (!deploy_bucket.empty()) {
      in.bucket = deploy_bucket;
    } else if (!in.resource_group.empty()) {
      in.bucket = aws.account_id == k_unknown_account
                      ? "handoff-" + in.resource_group + "-<md5 of account id>"
                      : remote::derived_bucket(in.resource_group, aws.account_id);
    }
  }
  if (kind == StackKind::task && !in.image_name.empty()) {
    in.image_uri = image_uri(image_domain, in.account_id, in.region, in.image_name, image_version);
  }
  if (kind == StackKind::resources && !in.new_vpc && aws.default_vpc) {
    if (auto vpc = aws.default_vpc()) {
      in.vpc_id = vpc->id;
      in.subnet_ids = vpc->subnet_ids;
      log::info("Default VPC {} with subnets {}", vpc->id, util::join(vpc->subnet_ids, ", "));
      if (vpc->subnet_ids.empty()) {
        throw Error("the default VPC " + vpc->id + " has no subnets",
                    "create one (aws ec2 create-default-subnet --availability-zone ...), or pass "
                    "--new-vpc");
      }
    }
  }
  return in;
}

}  // namespace handoff::cloud
