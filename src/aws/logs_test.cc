// FilterLogEvents request bodies and response parsing (documented shape).
#include "aws/logs.h"

#include <gtest/gtest.h>

namespace handoff::aws::logs {
namespace {

TEST(LogsFilter, BodyCarriesOnlyWhatWasGiven) {
  FilterInput in;
  in.log_group = "handoff/dev-rg/t";
  EXPECT_EQ(filter_body(in), nlohmann::json({{"logGroupName", "handoff/dev-rg/t"}}));
  in.start_ms = 1764590400000;
  in.end_ms = 1764594000000;
  in.filter_pattern = "ERROR";
  in.log_streams = {"s1"};
  in.next_token = "tok";
  nlohmann::json expected = {{"logGroupName", "handoff/dev-rg/t"},
                             {"startTime", 1764590400000},
                             {"endTime", 1764594000000},
                             {"filterPattern", "ERROR"},
                             {"logStreamNames", {"s1"}},
                             {"nextToken", "tok"}};
  EXPECT_EQ(filter_body(in), expected);
}

TEST(LogsFilter, ParsesEventsAndNextToken) {
  auto r = nlohmann::json::parse(R"({
    "events": [
      {"logStreamName": "handoff/dev-rg/t/img/abc", "timestamp": 1764590400123,
       "message": "[2026-12-01 12:00:00,123] [    INFO] - Job started at 2026-12-01",
       "ingestionTime": 1764590401000, "eventId": "37600000000000000000000000000000000000000000000000000000"}
    ],
    "searchedLogStreams": [{"logStreamName": "handoff/dev-rg/t/img/abc", "searchedCompletely": true}],
    "nextToken": "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCr"
  })");
  FilterPage page = parse_filter_page(r);
  ASSERT_EQ(page.events.size(), 1u);
  EXPECT_EQ(page.events[0].stream, "handoff/dev-rg/t/img/abc");
  EXPECT_EQ(page.events[0].timestamp, 1764590400123);
  EXPECT_EQ(page.events[0].ingestion_time, 1764590401000);
  EXPECT_EQ(page.events[0].id.substr(0, 3), "376");
  EXPECT_EQ(page.next_token, "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCr");
  EXPECT_TRUE(parse_filter_page(nlohmann::json::object()).events.empty());
}

}  // namespace
}  // namespace handoff::aws::logs
