#pragma once
// The ECR calls `container push` makes (JSON protocol,
// AmazonEC2ContainerRegistry_V20150921.*):
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/
// Parsing is split from the calls so unit tests can check recorded shapes.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/client.h"

namespace handoff::aws::ecr {

/// What `docker login` needs. The password is a secret: it goes to docker's
/// stdin only and is registered with the redactor.
struct Authorization {
  std::string username;  ///< "AWS"
  std::string password;
  std::string registry;  ///< host of proxyEndpoint: "<acct>.dkr.ecr.<region>.amazonaws.com"
};

/// Decode a GetAuthorizationToken response (authorizationData[0]: base64
/// "user:password" and proxyEndpoint). Throws handoff::Error when malformed.
Authorization parse_authorization(const nlohmann::json& response);

/// GetAuthorizationToken.
Authorization get_authorization(Client& client);

/// DescribeRepositories for one name; false on RepositoryNotFoundException.
bool repository_exists(Client& client, const std::string& name);

/// CreateRepository with immutable tags (a pushed version is never replaced).
void create_repository(Client& client, const std::string& name);

/// ListImages, every page: the repository's tags (untagged images left out).
std::vector<std::string> list_image_tags(Client& client, const std::string& name);

/// Standard base64 (padded) to bytes; nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace handoff::aws::ecr
