#pragma once
// When and how long to wait before trying an AWS call again. The only place
// that knows the retry policy: capped exponential backoff with full jitter
// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
// on throttling, 5xx, timeouts and broken connections, bounded in attempts
// and in total time.
#include <chrono>
#include <random>
#include <string_view>

namespace handoff::aws {

enum class Outcome {
  ok,         ///< 2xx (or 3xx/304 the caller handles)
  throttled,  ///< 429, or a throttling error code (ThrottlingException, SlowDown, …)
  server,     ///< 5xx, or InternalError / ServiceUnavailable codes
  timeout,    ///< a request timed out or stalled (408, RequestTimeout, transport timeout)
  transport,  ///< connection refused or reset, response cut short
  client,     ///< any other 4xx: retrying cannot help
};

/// Classify an HTTP status and the service's error code (may be empty).
Outcome classify(int status, std::string_view code);
/// True for the outcomes worth another attempt.
bool retryable(Outcome o);

struct RetryPolicy {
  int max_attempts = 6;                        ///< the first try included
  std::chrono::milliseconds base{100};         ///< first backoff ceiling
  std::chrono::milliseconds cap{8000};         ///< largest backoff ceiling
  std::chrono::milliseconds budget{90000};     ///< no new attempt after this much time
};

/// The wait before attempt number `attempt` (2 for the first retry): uniform
/// in [0, min(cap, base * 2^(attempt-2))].
std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt, std::mt19937_64& rng);

}  // namespace handoff::aws
