#pragma once
// Run a short-lived program by argv (never a shell) and collect what it
// printed, for doctor's checks: stdin from /dev/null, stdout and stderr into
// one pipe, its own process group, killed when it outlives the timeout.
#include <optional>
#include <string>
#include <vector>

namespace handoff::setup {

struct ProbeResult {
  bool started = false;    ///< false: the program was not found or not executable
  bool timed_out = false;  ///< killed after the timeout
  int exit_code = -1;      ///< 128+n when it died of signal n
  std::string output;      ///< stdout and stderr as they came (at most 64 KiB)
};

/// Run argv[0] (looked up on PATH when it holds no '/') with argv[1..] and
/// wait at most timeout_seconds. Never throws for the program's failures.
ProbeResult probe(const std::vector<std::string>& argv, double timeout_seconds);

/// The first non-empty line of text, trimmed ("" when none).
std::string first_line(const std::string& text);
/// The last non-empty line of text, trimmed (where programs put their error).
std::string last_line(const std::string& text);

}  // namespace handoff::setup
