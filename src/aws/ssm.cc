#include "aws/ssm.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "util/strings.h"

namespace handoff::aws::ssm {
namespace {

constexpr const char* k_target = "AmazonSSM";

// A field of the answer, "" (or 0) when absent or of another type: json's
// value() would throw its own type_error on a broken or hostile endpoint.
std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.is_object() ? j.find(key) : j.end();
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t integer(const nlohmann::json& j, const char* key) {
  auto it = j.is_object() ? j.find(key) : j.end();
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

Parameter from_json(const nlohmann::json& j) {
  Parameter p;
  p.name = str(j, "Name");
  p.value = str(j, "Value");
  p.type = str(j, "Type");
  p.tier = str(j, "Tier");
  p.version = integer(j, "Version");
  if (j.is_object() && j.contains("LastModifiedDate") && j["LastModifiedDate"].is_number()) {
    double secs = j["LastModifiedDate"].get<double>();
    // Epoch seconds; outside ±1e11 (year 5138) the cast to nanoseconds overflows.
    if (std::isfinite(secs) && std::abs(secs) < 1e11) p.last_modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(secs)));
  }
  return p;
}

std::string subject(const std::string& name) { return "parameter " + util::quote(name); }

}  // namespace

int64_t put_parameter(Client& client, const std::string& name, const std::string& value,
                      const std::string& type, const std::string& tier, bool overwrite) {
  nlohmann::json body = {{"Name", name}, {"Value", value}, {"Type", type},
                         {"Overwrite", overwrite}, {"Tier", tier}};
  nlohmann::json r = client.call_json("ssm", k_target, "PutParameter", body, subject(name));
  return integer(r, "Version");
}

std::optional<Parameter> get_parameter(Client& client, const std::string& name, bool decrypt) {
  try {
    nlohmann::json r = client.call_json("ssm", k_target, "GetParameter",
                                        {{"Name", name}, {"WithDecryption", decrypt}}, subject(name));
    if (!r.contains("Parameter")) return std::nullopt;
    return from_json(r["Parameter"]);
  } catch (const AwsError& e) {
    if (e.code() == "ParameterNotFound") return std::nullopt;
    throw;
  }
}

std::vector<Parameter> get_parameters_by_path(Client& client, const std::string& path,
                                              bool recursive, bool decrypt) {
  std::vector<Parameter> out;
  std::string token;
  // A bounded loop: a service that kept handing out tokens would otherwise
  // spin forever (10,000 pages is 100,000 parameters, ten times SSM's quota).
  for (int page = 0; page < 10000; ++page) {
    nlohmann::json body = {{"Path", path},
                           {"Recursive", recursive},
                           {"WithDecryption", decrypt},
                           {"MaxResults", 10}};
    if (!token.empty()) body["NextToken"] = token;
    nlohmann::json r =
        client.call_json("ssm", k_target, "GetParametersByPath", body, "path " + util::quote(path));
    if (r.contains("Parameters") && r["Parameters"].is_array()) {
      for (const auto& p : r["Parameters"]) out.push_back(from_json(p));
    }
    token = str(r, "NextToken");
    if (token.empty()) return out;
  }
  throw Error("ssm GetParametersByPath of path " + util::quote(path) +
              " returned more than 10000 pages");
}

bool delete_parameter(Client& client, const std::string& name) {
  try {
    client.call_json("ssm", k_target, "DeleteParameter", {{"Name", name}}, subject(name));
    return true;
  } catch (const AwsError& e) {
    if (e.code() == "ParameterNotFound") return false;
    throw;
  }
}

}  // namespace handoff::aws::ssm
