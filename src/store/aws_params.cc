// The ParameterStore seam on AWS SSM Parameter Store.
#include <algorithm>

#include "aws/ssm.h"
#include "store/aws_store.h"
#include "store/ssm_rules.h"

namespace handoff::store {
namespace {

ParameterType type_of(const std::string& t) {
  return t == "SecureString" ? ParameterType::secure_string : ParameterType::string;
}

Parameter convert(aws::ssm::Parameter p) {
  Parameter out;
  out.name = std::move(p.name);
  out.value = std::move(p.value);
  out.type = type_of(p.type);
  out.tier = p.tier == "Advanced" ? ParameterTier::advanced : ParameterTier::standard;
  out.version = p.version;
  out.last_modified = p.last_modified;
  return out;
}

class AwsParameterStore : public ParameterStore {
 public:
  explicit AwsParameterStore(std::shared_ptr<aws::Client> client) : client_(std::move(client)) {}

  int64_t put(const std::string& name, std::string_view value, ParameterType type,
              ParameterTier tier, bool overwrite) override {
    // The tier's size limit is ours to check (moto does not), before any write.
    check_parameter(name, value, tier);
    return aws::ssm::put_parameter(*client_, name, std::string(value),
                                   std::string(to_string(type)), std::string(to_string(tier)),
                                   overwrite);
  }

  std::optional<Parameter> get(const std::string& name, bool decrypt) override {
    check_parameter_name(name);
    auto p = aws::ssm::get_parameter(*client_, name, decrypt);
    if (!p) return std::nullopt;
    return convert(std::move(*p));
  }

  std::vector<Parameter> get_by_path(const std::string& path, bool recursive,
                                     bool decrypt) override {
    check_parameter_path(path);
    std::vector<Parameter> out;
    for (auto& p : aws::ssm::get_parameters_by_path(*client_, path, recursive, decrypt)) {
      out.push_back(convert(std::move(p)));
    }
    std::sort(out.begin(), out.end(),
              [](const Parameter& a, const Parameter& b) { return a.name < b.name; });
    return out;
  }

  bool remove(const std::string& name) override {
    check_parameter_name(name);
    return aws::ssm::delete_parameter(*client_, name);
  }

 private:
  std::shared_ptr<aws::Client> client_;
};

}  // namespace

std::unique_ptr<ParameterStore> make_aws_parameter_store(std::shared_ptr<aws::Client> client) {
  return std::make_unique<AwsParameterStore>(std::move(client));
}

AwsBackend open_aws_backend(aws::ClientConfig config) {
  AwsBackend b;
  b.client = std::make_shared<aws::Client>(std::move(config));
  b.params = make_aws_parameter_store(b.client);
  b.objects = make_aws_object_store(b.client);
  return b;
}

}  // namespace handoff::store
