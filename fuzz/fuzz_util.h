#pragma once
// Shared by the fuzz targets: the input's parts, a scratch directory, and the
// process-wide state (log level, redactor) reset between inputs.
//
// The contract every target checks: a parser given any bytes either returns
// or throws handoff::Error (the one clear line a user sees). Any other
// exception escaping is a bug and aborts the run (libFuzzer reports it as a
// crash with the input), as do ASan/UBSan findings, leaks and hangs.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/log.h"
#include "util/redact.h"

namespace handoff::fuzz {

/// Inputs with several parts (a file and a second file, responses in
/// sequence) separate them with a line holding only "%%".
inline constexpr std::string_view k_separator = "\n%%\n";

/// Up to max_parts parts; the last one keeps any further separators.
inline std::vector<std::string_view> split_parts(std::string_view data, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = data.find(k_separator);
    if (at == std::string_view::npos) break;
    parts.push_back(data.substr(0, at));
    data.remove_prefix(at + k_separator.size());
  }
  parts.push_back(data);
  return parts;
}

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A directory of this process's own, removed at exit (on tmpfs when there is one).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm")
                                     ? std::filesystem::path("/dev/shm")
                                     : std::filesystem::temp_directory_path();
    std::filesystem::path d = base / ("handoff-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    static const std::filesystem::path to_remove = d;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(to_remove, ec);
    });
    return d;
  }();
  return dir;
}

/// Quiet logs (a warning per input would dominate the run) and no secrets
/// kept from a previous input (the redactor would grow without bound).
inline void reset_process_state() {
  log::set_level(log::Level::off);
  util::redactor().clear();
}

/// Run one parse; handoff::Error is the documented failure, anything else is a
/// finding: report and abort so libFuzzer saves the input.
template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: an exception other than handoff::Error escaped: %s\n", e.what());
    std::abort();
  }
}

}  // namespace handoff::fuzz
