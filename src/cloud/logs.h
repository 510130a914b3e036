#pragma once
// `cloud logs` (spec §8.7, issue 5 point 5): the task's CloudWatch log group
// handoff/<RG>/<T> through FilterLogEvents, every page, optionally followed.
// Lines go to stdout (or appended to a file), progress to the log.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/logs.h"

namespace handoff::cloud {

/// Epoch milliseconds as UTC: "2026-12-01 12:00:00.123", or with iso
/// "2026-12-01T12:00:00.123Z".
std::string format_utc_ms(int64_t ms, bool iso);

/// A --start-time/--end-time value as epoch milliseconds: an ISO date or time
/// ("2026-12-01", "2026-12-01T08:00", "2026-12-01 08:00:00.5+02:00"; without
/// an offset it is UTC, the zone handoff prints), "now", a span before now
/// ("90s", "15m", "1h", "2d", "1w"), or epoch seconds / milliseconds (10+
/// digits; 12+ are milliseconds). Throws a usage error naming `what`.
int64_t parse_time(const std::string& text, std::chrono::system_clock::time_point now,
                   const std::string& what);

/// Python-style "{field}" placeholders over an event: timestamp (ms),
/// datetime (UTC), message, logStreamName, eventId, ingestionTime. Unknown
/// fields stay as written.
std::string format_with(const std::string& format, const aws::logs::Event& e);

struct LogsOptions {
  std::string log_group;
  std::optional<int64_t> start_ms;
  std::optional<int64_t> end_ms;
  std::string filter_pattern;
  std::vector<std::string> log_streams;
  bool follow = false;
  std::optional<double> follow_timeout;  ///< seconds; unset: until a signal
  bool json = false;                     ///< one object a line: timestamp, stream, message
  std::string format;                    ///< -v format_=…: a "{field}" format instead
  std::string file;                      ///< append here instead of stdout
  double first_delay = 2.5;              ///< follow: seconds between polls, doubling…
  double max_delay = 60.0;               ///< …up to this, back to first_delay on news
};

/// One event as a line (without the newline).
std::string render_event(const aws::logs::Event& e, const LogsOptions& o);

/// Print the events; with follow, poll until follow_timeout or SIGINT/SIGTERM.
/// Returns 0, or 130/143 when a signal ended the follow.
int logs(aws::Client& client, const LogsOptions& o);

}  // namespace handoff::cloud
