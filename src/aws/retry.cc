#include "aws/retry.h"

#include <algorithm>
#include <array>

namespace handoff::aws {
namespace {

// Error codes the SDKs retry (botocore's standard retry mode lists).
constexpr std::array<std::string_view, 12> k_throttling = {
    "Throttling",          "ThrottlingException",      "ThrottledException",
    "RequestThrottledException", "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown"};
constexpr std::array<std::string_view, 4> k_transient = {
    "InternalError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException"};
constexpr std::array<std::string_view, 3> k_timeouts = {"RequestTimeout", "RequestTimeoutException",
                                                        "PriorRequestNotComplete"};

bool in(std::string_view code, auto const& list) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

}  // namespace

Outcome classify(int status, std::string_view code) {
  if (status >= 200 && status < 400 && code.empty()) return Outcome::ok;
  if (status == 429 || in(code, k_throttling)) return Outcome::throttled;
  if (status == 408 || in(code, k_timeouts)) return Outcome::timeout;
  if (status >= 500 || in(code, k_transient)) return Outcome::server;
  return Outcome::client;
}

bool retryable(Outcome o) {
  return o == Outcome::throttled || o == Outcome::server || o == Outcome::timeout ||
         o == Outcome::transport;
}

std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt, std::mt19937_64& rng) {
  int shift = std::clamp(attempt - 2, 0, 20);
  auto ceiling = std::min<long long>(policy.cap.count(), policy.base.count() << shift);
  std::uniform_int_distribution<long long> dist(0, std::max<long long>(ceiling, 0));
  return std::chrono::milliseconds(dist(rng));
}

}  // namespace handoff::aws
