#pragma once
// AWS credentials and the chain that finds them, in the order of the AWS SDKs.
// The order is written down once, in credentials.cc (resolve_credentials).
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/shared_config.h"

namespace handoff::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  /// When temporary credentials stop working; empty for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

/// What STS AssumeRole needs, from a profile's role settings.
struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;  // role_session_name, or "handoff-<unix time>"
  std::string external_id;        // empty: not sent
  std::optional<int> duration_seconds;
  std::string region;  // the profile's region for the STS endpoint; may be empty
};

/// The form body of the STS AssumeRole POST (Version 2011-06-15) for req,
/// sent as application/x-www-form-urlencoded; charset=utf-8.
std::string assume_role_form_body(const AssumeRoleRequest& req);

/// Calls STS AssumeRole signed with `source`; throws handoff::Error on failure.
using AssumeRoleFn =
    std::function<Credentials(const AssumeRoleRequest&, const Credentials& source)>;

struct HttpCall {
  std::string method;  // "GET" or "PUT"
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};
struct HttpReply {
  int status = 0;
  std::string body;
};
/// A plain HTTP request with short timeouts; nullopt when nothing answered
/// (connection refused, timeout).
using HttpFetch = std::function<std::optional<HttpReply>(const HttpCall&)>;

/// The chain's seams. Empty functions disable what needs them: no
/// assume_role makes a role profile an error; no http skips container
/// credentials and instance metadata.
struct CredentialSources {
  Env env = process_env();
  AssumeRoleFn assume_role;
  HttpFetch http;
  std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now;
};

struct ResolvedCredentials {
  Credentials credentials;
  /// For logs: "environment", "profile 'x' in ~/.aws/credentials",
  /// "role arn:... (profile 'x') from profile 'base' in ~/.aws/credentials",
  /// "credential_process of profile 'x'", "container credentials", "instance metadata (role r)".
  std::string source;
};

/// Walk the chain. The secret key and token are registered with the
/// process-wide redactor before this returns. Nothing found, a broken source
/// or an explicitly named profile that does not exist throws handoff::Error;
/// error messages never contain a secret.
ResolvedCredentials resolve_credentials(const CredentialSources& sources);

/// Resolves once and again when the credentials are within k_refresh_margin
/// of expiring. Safe to share between threads.
class CredentialCache {
 public:
  explicit CredentialCache(CredentialSources sources) : sources_(std::move(sources)) {}
  ResolvedCredentials get();

  static constexpr std::chrono::minutes k_refresh_margin{5};

 private:
  CredentialSources sources_;
  std::mutex mutex_;
  std::optional<ResolvedCredentials> cached_;
};

/// Parse an ISO 8601 UTC time as AWS writes it: "2026-11-28T13:00:00Z",
/// optionally with fractional seconds or a "+00:00" offset.
std::optional<std::chrono::system_clock::time_point> parse_aws_time(std::string_view s);

}  // namespace handoff::aws
