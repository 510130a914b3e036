#pragma once
// The one user-facing error type. cli/ catches it once and prints
// `handoff: error: <message>` and `  hint: <hint>`, then exits with exit_code().
#include <stdexcept>
#include <string>

#include "util/exit_codes.h"

namespace handoff {

class Error : public std::runtime_error {
 public:
  /// message: lower-case, no final period, names the object and quotes the bad
  /// value. hint: the concrete next step, may be empty.
  explicit Error(std::string message, std::string hint = {}, int exit_code = k_exit_failure)
      : std::runtime_error(std::move(message)), hint_(std::move(hint)), exit_code_(exit_code) {}

  const std::string& hint() const { return hint_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string hint_;
  int exit_code_;
};

/// A usage, project or template error found before anything ran (exit code 2).
inline Error UsageError(std::string message, std::string hint = {}) {
  return Error(std::move(message), std::move(hint), k_exit_usage);
}

}  // namespace handoff
