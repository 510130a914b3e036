#pragma once
// The CloudWatch Logs call handoff makes (JSON protocol, Logs_20140328.*):
// FilterLogEvents, one page at a time so a follower can stop between pages.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/client.h"

namespace handoff::aws::logs {

struct FilterInput {
  std::string log_group;
  std::optional<int64_t> start_ms;  ///< epoch milliseconds, inclusive
  std::optional<int64_t> end_ms;    ///< epoch milliseconds, inclusive
  std::string filter_pattern;       ///< empty: every event
  std::vector<std::string> log_streams;
  std::string next_token;
};

struct Event {
  std::string id;       ///< eventId
  std::string stream;   ///< logStreamName
  int64_t timestamp = 0;  ///< epoch milliseconds
  int64_t ingestion_time = 0;
  std::string message;
};

struct FilterPage {
  std::vector<Event> events;
  std::string next_token;  ///< empty: last page
};

/// The FilterLogEvents request body.
nlohmann::json filter_body(const FilterInput& in);
/// A FilterLogEvents response.
FilterPage parse_filter_page(const nlohmann::json& r);

/// One FilterLogEvents page. A missing log group is an Error whose hint says
/// how the group comes to exist.
FilterPage filter_log_events(Client& client, const FilterInput& in);

}  // namespace handoff::aws::logs
