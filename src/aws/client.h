#pragma once
// One AWS client for every service handoff calls: endpoint and region
// resolution, the credential chain (cached), SigV4 signing, retries
// (retry.h) and the services' error shapes. ssm.cc, s3.cc, sts.cc, … build
// on call(). Safe to share between threads.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/retry.h"
#include "aws/shared_config.h"
#include "aws/sigv4.h"
#include "util/error.h"

namespace handoff::aws {

/// A call the service answered with an error. what() says which call on what
/// failed and the service's code and message; hint() what to do.
class AwsError : public Error {
 public:
  AwsError(std::string message, std::string hint, std::string code, int status)
      : Error(std::move(message), std::move(hint)), code_(std::move(code)), status_(status) {}
  const std::string& code() const { return code_; }  ///< "NoSuchKey", "ParameterNotFound", …
  int status() const { return status_; }             ///< HTTP status; 0 after transport failures

 private:
  std::string code_;
  int status_;
};

struct Endpoint {
  std::string scheme = "https";
  std::string host;        ///< lower case, no port
  int port = 0;            ///< 0: the scheme's default
  std::string base_path;   ///< "" or "/prefix" from an endpoint URL with a path
  bool custom = false;     ///< from AWS_ENDPOINT_URL*/endpoint_url: S3 goes path-style
  std::string source;      ///< for logs: "AWS_ENDPOINT_URL", "default for eu-west-1"
};

/// Parse "http://127.0.0.1:5000" / "https://host/path"; nullopt when malformed.
std::optional<Endpoint> parse_endpoint_url(std::string_view url);

struct ClientConfig {
  Env env = process_env();
  std::shared_ptr<HttpClient> http;  ///< empty: make_curl_client()
  RetryPolicy retry;
  std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now;
};

/// One request to a service. Unless request.host is set (S3's virtual-hosted
/// style), the client fills scheme, host and port from endpoint() and prefixes
/// the endpoint's base path; then it signs, sends and retries.
struct Call {
  std::string service;    ///< signing name and endpoint key: "ssm", "s3", "sts"
  std::string operation;  ///< for messages: "PutParameter"
  std::string subject;    ///< for messages: "parameter '/handoff/x'"; may be empty
  Request request;        ///< method, path (decoded), query, headers, body
  PayloadMode mode = PayloadMode::body_hash;
  /// Streamed request body (a slice of a file) instead of request.body; its
  /// hex SHA-256 goes in request.payload_sha256 (or use unsigned_payload_header).
  std::filesystem::path body_file;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  /// Streamed 2xx response body; on_attempt runs before every attempt so the
  /// sink can start over (truncate its temp file).
  std::function<bool(const char*, size_t)> on_body;
  std::function<void()> on_attempt;
  std::function<void(uint64_t)> on_upload;
  /// HTTP statuses that are answers, not errors, for this call (404 for a
  /// HEAD that finds nothing, 412 for If-None-Match): returned, not thrown.
  std::vector<int> accept_status;
};

struct ClientStats {
  std::atomic<uint64_t> requests{0};  ///< attempts sent
  std::atomic<uint64_t> retries{0};   ///< attempts after the first
  std::atomic<uint64_t> failures{0};  ///< calls that threw
};

class Client {
 public:
  explicit Client(ClientConfig config = {});

  /// AWS_REGION / AWS_DEFAULT_REGION / the profile's region; throws with a hint.
  const Resolved& region();
  Endpoint endpoint(const std::string& service);
  /// The credential chain's answer (cached until near expiry).
  ResolvedCredentials credentials();
  const SharedConfig& shared_config();

  /// Sign, send and retry; return a 2xx response or one of accept_status.
  /// Throws AwsError when the service says no (or retries ran out on it), and
  /// Error when no answer came after the retries.
  HttpResponse call(const Call& call);

  /// JSON protocol (SSM, ECS, Logs, …): POST / with X-Amz-Target
  /// "<target_prefix>.<operation>" and application/x-amz-json-1.1.
  nlohmann::json call_json(const std::string& service, const std::string& target_prefix,
                           const std::string& operation, const nlohmann::json& body,
                           const std::string& subject = {});
  /// Query protocol (STS, CloudFormation, IAM, …): form POST with Action and
  /// Version; returns the XML response body.
  std::string call_query(const std::string& service, const std::string& action,
                         const std::string& version,
                         const std::vector<std::pair<std::string, std::string>>& params,
                         const std::string& subject = {});

  /// STS GetCallerIdentity's Account, asked once.
  std::string account_id();

  ClientStats& stats() { return stats_; }
  const RetryPolicy& retry_policy() const { return config_.retry; }

 private:
  /// call() with the given credentials and region (AssumeRole signs with
  /// the source profile's keys, before the chain has an answer).
  HttpResponse send_signed(const Call& call, const Credentials& creds,
                           const std::string& cred_source, const std::string& region_name);

  ClientConfig config_;
  std::once_flag shared_once_;
  std::optional<SharedConfig> shared_;
  std::mutex mutex_;
  std::optional<Resolved> region_;
  std::optional<std::string> account_id_;
  std::unique_ptr<CredentialCache> credentials_;
  ClientStats stats_;
};

}  // namespace handoff::aws
