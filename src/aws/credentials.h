#pragma once
// AWS credentials.
#include <chrono>
#include <optional>
#include <string>

namespace handoff::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  /// When temporary credentials stop working; empty for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

}  // namespace handoff::aws
