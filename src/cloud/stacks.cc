#include "cloud/stacks.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void require(const std::string& value, const std::string& what, const std::string& hint) {
  if (value.empty()) throw UsageError(what, hint);
}

// The names task.yml and resources.yml allow (their ResourceGroup parameter):
// moto does not check parameter constraints, so check here before any call.
void check_resource_group(const std::string& rg) {
  require(rg, "no resource group for the stack",
          "set deploy.resource_group in project.yml (-p), or pass -e resource_group=<name>");
  if (rg.size() > 27) {
    throw UsageError("resource group " + util::quote(rg) + " is longer than 27 characters",
                     "the stack names derived from it must stay within AWS limits: use a shorter "
                     "deploy.resource_group (the stage prefix counts)");
  }
}

void check_task_sizes(const StackInputs& in) {
  static const char* k_cpus[] = {"256", "512", "1024", "2048", "4096"};
  if (std::find(std::begin(k_cpus), std::end(k_cpus), in.cpu) == std::end(k_cpus)) {
    throw UsageError("cpu " + util::quote(in.cpu) + " is not a Fargate size",
                     "use 256, 512, 1024, 2048 or 4096 (deploy.cpu or -v cpu=)");
  }
  if (!all_digits(in.memory)) {
    throw UsageError("memory " + util::quote(in.memory) + " is not a number of MiB",
                     "use for example 512, 1024 or 2048 (deploy.memory or -v memory=)");
  }
  int storage = all_digits(in.storage) && in.storage.size() < 5 ? std::stoi(in.storage) : -1;
  if (storage < 21 || storage > 200) {
    throw UsageError("ephemeral storage " + util::quote(in.storage) + " is not 21 to 200 GiB",
                     "use a number of GiB from 21 (the default) to 200 (deploy.storage or -v storage=)");
  }
}

std::string yaml_scalar(const std::string& s) {
  // JSON strings are valid YAML scalars; plain ones only when unambiguous.
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/' || c == ':' || c == ',';
  });
  if (plain && s.find(": ") == std::string::npos && !all_digits(s) && s != "true" && s != "false") {
    return s;
  }
  return nlohmann::json(s).dump();
}

std::string shown_value(const StackSpec& spec, const std::string& key, const std::string& value) {
  bool masked = std::find(spec.masked.begin(), spec.masked.end(), key) != spec.masked.end();
  return masked ? "****" : value;
}

}  // namespace

const char* kind_name(StackKind kind) {
  switch (kind) {
    case StackKind::bucket: return "bucket";
    case StackKind::role: return "role";
    case StackKind::resources: return "resources";
    case StackKind::task: return "task";
  }
  return "?";
}

std::string stack_name(StackKind kind, const StackInputs& in) {
  if (kind != StackKind::role) check_resource_group(in.resource_group);
  if (kind == StackKind::task) {
    require(in.task, "no task name for the task stack",
            "set deploy.task in project.yml (-p), or pass -e task=<name>");
  }
  switch (kind) {
    case StackKind::bucket: return "handoff-" + in.resource_group + "-bucket";
    case StackKind::role:
      return "handoff-role-" + (in.grantee_account_id.empty() ? in.account_id : in.grantee_account_id);
    case StackKind::resources: return "handoff-" + in.resource_group + "-resources";
    case StackKind::task: return "handoff-" + in.resource_group + "-" + in.task;
  }
  return {};
}

std::string image_uri(const std::string& image_domain, const std::string& account_id,
                      const std::string& region, const std::string& image,
                      const std::string& version) {
  std::string domain = !image_domain.empty()
                           ? image_domain
                           : account_id + ".dkr.ecr." + region + ".amazonaws.com";
  while (!domain.empty() && domain.back() == '/') domain.pop_back();
  return domain + "/" + image + ":" + (version.empty() ? "latest" : version);
}

StackSpec stack_spec(StackKind kind, const StackInputs& in) {
  StackSpec s;
  s.kind = kind;
  s.template_name = std::string(kind_name(kind)) + ".yml";
  switch (kind) {
    case StackKind::bucket:
      check_resource_group(in.resource_group);
      require(in.bucket, "no bucket name for the bucket stack", "pass --bucket or set deploy.bucket");
      s.parameters = {{"Bucket", in.bucket}};
      break;
    case StackKind::role: {
      std::string grantee = in.grantee_account_id.empty() ? in.account_id : in.grantee_account_id;
      bool known = !in.grantee_account_id.empty() || in.account_id != k_unknown_account;
      if (known && (grantee.size() != 12 || !all_digits(grantee))) {
        throw UsageError("grantee account id " + util::quote(grantee) + " is not 12 digits",
                         "pass --grantee-account-id 123456789012 (default: your own account)");
      }
      require(in.external_id, "the role stack needs an external id",
              "pass --external-id <secret phrase> (or the original's -v external_id=<phrase>); "
              "the granted account presents it when it assumes the role");
      s.parameters = {{"GranteeAccountId", grantee}, {"ExternalId", in.external_id}};
      s.masked = {"ExternalId"};
      s.tags = {{"handoff:grantee", grantee}};
      break;
    }
    case StackKind::resources:
      check_resource_group(in.resource_group);
      s.parameters = {{"ResourceGroup", in.resource_group}};
      if (in.new_vpc) {
        s.parameters.emplace_back("UseDefaultVpc", "false");
      } else {
        require(in.vpc_id, "no VPC for the resources stack",
                "pass --new-vpc to create one, or create a default VPC (aws ec2 create-default-vpc)");
        s.parameters.emplace_back("UseDefaultVpc", "true");
        s.parameters.emplace_back("VpcId", in.vpc_id);
        s.parameters.emplace_back("SubnetIds", util::join(in.subnet_ids, ","));
      }
      break;
    case StackKind::task:
      check_resource_group(in.resource_group);
      require(in.task, "no task name for the task stack",
              "set deploy.task in project.yml (-p), or pass -e task=<name>");
      require(in.image_name, "the task stack needs a container image name",
              "set deploy.container_image in project.yml (the ECR repository `container push` uses)");
      require(in.bucket, "no bucket for the task stack", "pass --bucket or set deploy.bucket");
      check_task_sizes(in);
      s.parameters = {{"ResourceGroup", in.resource_group}, {"TaskName", in.task},
                      {"Bucket", in.bucket},           {"ImageUri", in.image_uri},
                      {"ImageName", in.image_name},    {"Cpu", in.cpu},
                      {"Memory", in.memory},           {"EphemeralStorage", in.storage}};
      break;
  }
  s.stack_name = stack_name(kind, in);
  if (kind != StackKind::role) {
    s.tags.emplace_back("handoff:resource-group", in.resource_group);
    if (kind == StackKind::task) s.tags.emplace_back("handoff:task", in.task);
  }
  if (!in.stage.empty()) s.tags.emplace_back("handoff:stage", in.stage);
  return s;
}

std::string dry_run_text(const std::string& action, const StackSpec& spec,
                         const std::string& template_source, const std::string& template_body) {
  std::string out = fmt::format("action: {}\nstack: {}\ntemplate: {}\n", action, spec.stack_name,
                                yaml_scalar(template_source));
  out += "parameters:\n";
  for (const auto& [k, v] : spec.parameters) {
    out += fmt::format("  {}: {}\n", k, yaml_scalar(shown_value(spec, k, v)));
  }
  out += "capabilities:\n  - CAPABILITY_NAMED_IAM\n";
  out += spec.tags.empty() ? "tags: {}\n" : "tags:\n";
  for (const auto& [k, v] : spec.tags) out += fmt::format("  {}: {}\n", yaml_scalar(k), yaml_scalar(v));
  out += "---\n" + template_body;
  if (!template_body.empty() && template_body.back() != '\n') out += "\n";
  return out;
}

std::string dry_run_json(const std::string& action, const StackSpec& spec,
                         const std::string& template_source, const std::string& template_body) {
  nlohmann::ordered_json j;
  j["action"] = action;
  j["stack"] = spec.stack_name;
  j["template_source"] = template_source;
  j["parameters"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : spec.parameters) j["parameters"][k] = shown_value(spec, k, v);
  j["capabilities"] = {"CAPABILITY_NAMED_IAM"};
  j["tags"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : spec.tags) j["tags"][k] = v;
  j["template"] = template_body;
  return j.dump(2) + "\n";
}

std::string status_text(const aws::Stack& st, const std::string& result) {
  std::string out = "stack: " + st.name + "\n";
  if (!result.empty()) out += "result: " + yaml_scalar(result) + "\n";
  if (!st.status.empty()) out += "status: " + st.status + "\n";
  if (!st.status_reason.empty()) out += "reason: " + yaml_scalar(st.status_reason) + "\n";
  if (!st.creation_time.empty()) out += "created: " + st.creation_time + "\n";
  if (!st.last_updated_time.empty()) out += "updated: " + st.last_updated_time + "\n";
  out += st.outputs.empty() ? "outputs: {}\n" : "outputs:\n";
  for (const auto& o : st.outputs) out += fmt::format("  {}: {}\n", o.key, yaml_scalar(o.value));
  return out;
}

std::string status_json(const aws::Stack& st, const std::string& result) {
  nlohmann::ordered_json j;
  j["stack"] = st.name;
  if (!result.empty()) j["result"] = result;
  j["stack_id"] = st.id;
  j["status"] = st.status;
  j["reason"] = st.status_reason;
  j["created"] = st.creation_time;
  j["updated"] = st.last_updated_time;
  j["outputs"] = nlohmann::ordered_json::object();
  for (const auto& o : st.outputs) j["outputs"][o.key] = o.value;
  j["parameters"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : st.parameters) j["parameters"][k] = v;
  return j.dump(2) + "\n";
}

}  // namespace handoff::cloud
