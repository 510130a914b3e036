#include "aws/ecr.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::aws::ecr {
namespace {

constexpr const char* k_target = "AmazonEC2ContainerRegistry_V20150921";
constexpr int k_max_pages = 10000;  // a service handing out tokens forever must not spin us

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string repo_subject(const std::string& name) { return "repository " + util::quote(name); }

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = value(c)) < 0) {
        return std::nullopt;
      }
    }
    unsigned n = (unsigned(v[0]) << 18) | (unsigned(v[1]) << 12) | (unsigned(v[2]) << 6) | unsigned(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

Authorization parse_authorization(const nlohmann::json& response) {
  const char* hint = "check that the credentials may call ecr:GetAuthorizationToken";
  if (!response.is_object() || !response.contains("authorizationData") ||
      !response["authorizationData"].is_array() || response["authorizationData"].empty()) {
    throw Error("ECR GetAuthorizationToken returned no authorizationData", hint);
  }
  const auto& data = response["authorizationData"][0];
  auto token = base64_decode(str(data, "authorizationToken"));
  size_t colon = token ? token->find(':') : std::string::npos;
  if (colon == std::string::npos) throw Error("ECR GetAuthorizationToken returned a malformed token", hint);
  Authorization a;
  a.username = token->substr(0, colon);
  a.password = token->substr(colon + 1);
  std::string endpoint = str(data, "proxyEndpoint");
  for (const char* scheme : {"https://", "http://"}) {
    if (endpoint.rfind(scheme, 0) == 0) endpoint = endpoint.substr(std::string_view(scheme).size());
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.empty()) throw Error("ECR GetAuthorizationToken returned no proxyEndpoint", hint);
  a.registry = endpoint;
  return a;
}

Authorization get_authorization(Client& client) {
  nlohmann::json r =
      client.call_json("ecr", k_target, "GetAuthorizationToken", nlohmann::json::object(), "the registry");
  Authorization a = parse_authorization(r);
  util::redactor().add(a.password);
  return a;
}

bool repository_exists(Client& client, const std::string& name) {
  nlohmann::json body = {{"repositoryNames", {name}}};
  try {
    client.call_json("ecr", k_target, "DescribeRepositories", body, repo_subject(name));
    return true;
  } catch (const AwsError& e) {
    if (e.code() == "RepositoryNotFoundException") return false;
    throw;
  }
}

void create_repository(Client& client, const std::string& name) {
  nlohmann::json body = {{"repositoryName", name}, {"imageTagMutability", "IMMUTABLE"}};
  client.call_json("ecr", k_target, "CreateRepository", body, repo_subject(name));
}

std::vector<std::string> list_image_tags(Client& client, const std::string& name) {
  std::vector<std::string> tags;
  std::string token;
  for (int page = 0; page < k_max_pages; ++page) {
    nlohmann::json body = {{"repositoryName", name}, {"filter", {{"tagStatus", "TAGGED"}}}};
    if (!token.empty()) body["nextToken"] = token;
    nlohmann::json r = client.call_json("ecr", k_target, "ListImages", body, repo_subject(name));
    if (r.contains("imageIds") && r["imageIds"].is_array()) {
      for (const auto& id : r["imageIds"]) {
        std::string tag = str(id, "imageTag");
        if (!tag.empty()) tags.push_back(tag);
      }
    }
    token = str(r, "nextToken");
    if (token.empty()) return tags;
  }
  throw Error(
      fmt::format("ECR ListImages on {} did not end after {} pages", repo_subject(name), k_max_pages));
}

}  // namespace handoff::aws::ecr
