#include "aws/logs.h"

#include "util/error.h"
#include "util/strings.h"

namespace handoff::aws::logs {
namespace {

constexpr const char* k_target = "Logs_20140328";

int64_t int_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<int64_t>();
}

std::string str_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

}  // namespace

nlohmann::json filter_body(const FilterInput& in) {
  nlohmann::json body = {{"logGroupName", in.log_group}};
  if (in.start_ms) body["startTime"] = *in.start_ms;
  if (in.end_ms) body["endTime"] = *in.end_ms;
  if (!in.filter_pattern.empty()) body["filterPattern"] = in.filter_pattern;
  if (!in.log_streams.empty()) body["logStreamNames"] = in.log_streams;
  if (!in.next_token.empty()) body["nextToken"] = in.next_token;
  return body;
}

FilterPage parse_filter_page(const nlohmann::json& r) {
  FilterPage page;
  if (r.contains("events") && r["events"].is_array()) {
    for (const auto& e : r["events"]) {
      Event ev;
      ev.id = str_of(e, "eventId");
      ev.stream = str_of(e, "logStreamName");
      ev.timestamp = int_of(e, "timestamp");
      ev.ingestion_time = int_of(e, "ingestionTime");
      ev.message = str_of(e, "message");
      page.events.push_back(std::move(ev));
    }
  }
  page.next_token = str_of(r, "nextToken");
  return page;
}

FilterPage filter_log_events(Client& client, const FilterInput& in) {
  try {
    return parse_filter_page(client.call_json("logs", k_target, "FilterLogEvents", filter_body(in),
                                              "log group " + util::quote(in.log_group)));
  } catch (const AwsError& e) {
    if (e.code() == "ResourceNotFoundException") {
      throw Error("log group " + util::quote(in.log_group) + " does not exist",
                  "the task stack makes it: handoff cloud task create -p PROJECT (check -s and the region)");
    }
    throw;
  }
}

}  // namespace handoff::aws::logs
