#pragma once
// Masks secret values in text. One process-wide set (secrets are registered as
// soon as they are loaded), used by the logger and by the engine's stderr relay,
// so a call site cannot forget to redact.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::util {

inline constexpr std::string_view k_mask = "****";

class Redactor {
 public:
  /// Register a secret value. Besides the whole value, each line of a
  /// multi-line value (a key file) is masked on its own when it is long enough
  /// to be distinctive (k_min_line_length), so line-by-line output is covered.
  void add(std::string_view secret);
  /// Return text with every registered secret replaced by "****". A value
  /// shorter than k_min_line_length is replaced only where it stands alone
  /// (no letter, digit or '_' touching it), so a short secret still vanishes
  /// from `user=ab` while "table" keeps its "ab".
  std::string mask(std::string_view text) const;
  /// Longest registered pattern; a streaming reader keeps this many bytes minus
  /// one back when it has to cut a line, so a secret split across reads is still found.
  size_t longest() const;
  bool empty() const;
  void clear();

  static constexpr size_t k_min_line_length = 6;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> patterns_;  // longest first
};

/// The process-wide redactor.
Redactor& redactor();

}  // namespace handoff::util
