#pragma once
// The SSM Parameter Store calls handoff makes (JSON protocol, AmazonSSM.*).
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"

namespace handoff::aws::ssm {

struct Parameter {
  std::string name;
  std::string value;
  std::string type;  ///< "String", "StringList", "SecureString"
  std::string tier;  ///< "Standard", "Advanced", "Intelligent-Tiering"; may be empty
  int64_t version = 0;
  std::chrono::system_clock::time_point last_modified;
};

/// PutParameter; return the new version. tier: "Standard" or "Advanced".
int64_t put_parameter(Client& client, const std::string& name, const std::string& value,
                      const std::string& type, const std::string& tier, bool overwrite);
/// GetParameter; nullopt on ParameterNotFound.
std::optional<Parameter> get_parameter(Client& client, const std::string& name, bool decrypt);
/// GetParametersByPath, every page (10 a page, following NextToken).
std::vector<Parameter> get_parameters_by_path(Client& client, const std::string& path,
                                              bool recursive, bool decrypt);
/// DeleteParameter; false on ParameterNotFound.
bool delete_parameter(Client& client, const std::string& name);

}  // namespace handoff::aws::ssm
