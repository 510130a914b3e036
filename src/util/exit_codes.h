#pragma once
// handoff's documented exit codes (README, `handoff --help`).
namespace handoff {
inline constexpr int k_exit_ok = 0;       ///< every task succeeded
inline constexpr int k_exit_failure = 1;  ///< a task or an operation failed
inline constexpr int k_exit_usage = 2;    ///< usage, project or template error, before anything ran
inline constexpr int k_exit_timeout = 124;  ///< the whole run's --timeout expired
inline constexpr int k_exit_signal_base = 128;  ///< 128+n: handoff was stopped by signal n
}  // namespace handoff
