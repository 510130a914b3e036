#include "util/term.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "util/log.h"

namespace handoff::term {
namespace {

TEST(TermConsole, SmartOnlyOnATerminalThatIsNotDumbOutsideCi) {
  Console c = decide(true, "xterm-256color", nullptr, nullptr);
  EXPECT_TRUE(c.tty);
  EXPECT_TRUE(c.smart);
  EXPECT_TRUE(c.ansi);
  EXPECT_FALSE(decide(false, "xterm", nullptr, nullptr).smart);
  EXPECT_FALSE(decide(true, "dumb", nullptr, nullptr).smart);
  EXPECT_FALSE(decide(true, nullptr, nullptr, nullptr).smart);
  EXPECT_FALSE(decide(true, "xterm", "true", nullptr).smart);
  EXPECT_TRUE(decide(true, "xterm", "false", nullptr).smart);
  EXPECT_TRUE(decide(true, "xterm", "", nullptr).smart);
}

TEST(TermConsole, NoColorKeepsTheLiveLineButNoEscapes) {
  Console c = decide(true, "xterm", nullptr, "1");
  EXPECT_TRUE(c.smart);
  EXPECT_FALSE(c.ansi);
  EXPECT_TRUE(decide(true, "xterm", nullptr, "").ansi);  // NO_COLOR= (empty) is unset
}

TEST(TermFormat, BytesInBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(1024 * 1024 - 1), "1.0 MiB");  // never "1024.0 KiB"
  EXPECT_EQ(format_bytes(12 * 1024 * 1024 + 300 * 1024), "12.3 MiB");
  EXPECT_EQ(format_bytes(5ULL << 30), "5.0 GiB");
  EXPECT_EQ(format_bytes(3ULL << 40), "3.0 TiB");
}

TEST(TermFormat, Durations) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(-3), "0s");
  EXPECT_EQ(format_duration(std::nan("")), "0s");
  EXPECT_EQ(format_duration(7.9), "7s");
  EXPECT_EQ(format_duration(65), "1m05s");
  EXPECT_EQ(format_duration(3599), "59m59s");
  EXPECT_EQ(format_duration(3725), "1h02m");
}

TEST(TermFormat, EtaFromThePaceSoFar) {
  EXPECT_FALSE(eta(0, 10, 5).has_value());  // nothing done yet
  EXPECT_FALSE(eta(5, 0, 5).has_value());   // total unknown
  EXPECT_FALSE(eta(5, 10, 0).has_value());
  EXPECT_DOUBLE_EQ(*eta(5, 10, 5), 5);
  EXPECT_DOUBLE_EQ(*eta(1, 4, 2), 6);
  EXPECT_DOUBLE_EQ(*eta(10, 10, 3), 0);
}

TEST(TermFormat, BarIsClamped) {
  EXPECT_EQ(bar(0.5, 10), "[#####-----]");
  EXPECT_EQ(bar(0.99, 10), "[#########-]");
  EXPECT_EQ(bar(-1, 4), "[----]");
  EXPECT_EQ(bar(2, 4), "[####]");
  EXPECT_EQ(bar(std::nan(""), 3), "[---]");
  EXPECT_EQ(bar(0.5, 0), "[]");
}

TEST(TermFormat, ElideCountsCodePoints) {
  EXPECT_EQ(elide("hello", 10), "hello");
  EXPECT_EQ(elide("hello", 5), "hello");
  EXPECT_EQ(elide("hello world", 8), "hello...");
  EXPECT_EQ(elide("h\xc3\xa9llo w\xc3\xb6rld", 8), "h\xc3\xa9llo...");
  EXPECT_EQ(elide("hello world", 0), "hello world");
  EXPECT_EQ(elide("hello", 2), "he");
}

TEST(TermFormat, TransferLine) {
  TransferState s;
  s.files_done = 12;
  s.files_total = 40;
  s.bytes_done = 1024 * 1024;
  s.bytes_total = 4 * 1024 * 1024;
  s.bytes_moved = 1024 * 1024;
  s.elapsed = 2;
  EXPECT_EQ(transfer_line("uploading", s, true),
            "uploading [#####---------------] 12/40 files, 1.0 MiB/4.0 MiB, 512.0 KiB/s, ETA 6s");
  EXPECT_EQ(transfer_line("uploading", s, false),
            "uploading 12/40 files, 1.0 MiB/4.0 MiB, 512.0 KiB/s, ETA 6s");
  // Unknown byte total: the files count drives the bar and the ETA.
  s.bytes_total = 0;
  s.bytes_moved = 0;
  EXPECT_EQ(transfer_line("downloading", s, false), "downloading 12/40 files, 1.0 MiB, ETA 5s");
  s.files_done = 40;
  EXPECT_EQ(transfer_line("downloading", s, true), "downloading [####################] 40/40 files, 1.0 MiB");
}

TEST(TermThrottle, OncePerIntervalWithAnInjectedClock) {
  double now = 100;
  Throttle t(0.1, [&] { return now; });
  EXPECT_TRUE(t.ready());
  now += 0.05;
  EXPECT_FALSE(t.ready());
  now += 0.06;
  EXPECT_TRUE(t.ready());
  EXPECT_FALSE(t.ready());
}

/// A Printer writing into a temp file, with a clock and a width the test sets.
class PrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
  }
  void TearDown() override {
    log::set_console_sink(nullptr);
    std::fclose(file_);
  }
  /// What was written since the last call.
  std::string output() {
    std::string all;
    ::lseek(fileno(file_), 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fileno(file_), buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    std::string fresh = all.substr(seen_);
    seen_ = all.size();
    return fresh;
  }

  std::FILE* file_ = nullptr;
  size_t seen_ = 0;
  double now_ = 1000;
  size_t width_ = 80;
};

TEST_F(PrinterTest, LiveLineIsRewrittenInPlaceAtMostTenTimesASecond) {
  Printer p(fileno(file_), Console{true, true, true}, [this] { return now_; }, [this] { return width_; });
  p.set_mode(Mode::live);
  p.status("one");
  EXPECT_EQ(output(), "one");
  now_ += 0.05;
  p.status("two");  // too soon
  EXPECT_EQ(output(), "");
  now_ += 0.06;
  p.status("three");
  EXPECT_EQ(output(), "\r\033[Kthree");
  p.status("four", true);  // forced: drawn at once
  EXPECT_EQ(output(), "\r\033[Kfour");
  p.clear();
  EXPECT_EQ(output(), "\r\033[K");
  p.clear();  // nothing shown: nothing written
  EXPECT_EQ(output(), "");
}

TEST_F(PrinterTest, LiveLineIsElidedToTheTerminalWidth) {
  width_ = 11;
  Printer p(fileno(file_), Console{true, true, true}, [this] { return now_; }, [this] { return width_; });
  p.set_mode(Mode::live);
  p.status("uploading 1234 files");
  EXPECT_EQ(output(), "uploadi...");  // width - 1: the last column would wrap
  EXPECT_EQ(std::string("uploadi...").size(), width_ - 1);
}

TEST_F(PrinterTest, LogLinesClearTheStatusAndRedrawItAfter) {
  Printer p(fileno(file_), Console{true, true, true}, [this] { return now_; }, [this] { return width_; });
  p.set_mode(Mode::live);
  p.write_log("before\n");
  EXPECT_EQ(output(), "before\n");
  p.status("working");
  now_ += 0.01;
  p.status("working more");  // throttled, but the redraw after a log shows it
  EXPECT_EQ(output(), "working");
  p.write_log("a record\n");
  EXPECT_EQ(output(), "\r\033[Ka record\nworking more");
}

TEST_F(PrinterTest, WithoutAnsiTheLineIsBlankedWithSpaces) {
  Printer p(fileno(file_), Console{true, true, false}, [this] { return now_; }, [this] { return width_; });
  p.set_mode(Mode::live);
  p.status("abc");
  p.write_log("x\n");
  p.clear();
  std::string out = output();
  EXPECT_EQ(out, "abc\r   \rx\nabc\r   \r");
  EXPECT_EQ(out.find('\033'), std::string::npos);
}

std::string* g_records = nullptr;
void capture(std::string_view text) { g_records->append(text); }

TEST_F(PrinterTest, PlainModeLogsALineAtMostEveryIntervalAndAClosingOne) {
  std::string records;
  g_records = &records;
  log::set_console_sink(&capture);
  Printer p(fileno(file_), Console{false, false, false}, [this] { return now_; }, [this] { return width_; });
  p.set_mode(Mode::plain);
  p.set_plain_interval(5);
  p.status("step 1");  // the work begins: nothing yet
  now_ += 3;
  p.status("step 2");
  EXPECT_EQ(records, "");
  now_ += 2.5;
  p.status("step 3");
  EXPECT_NE(records.find("] - step 3\n"), std::string::npos) << records;
  EXPECT_EQ(records.find('\r'), std::string::npos);
  now_ += 1;
  p.status("step 4");  // within 5 s of step 3
  EXPECT_EQ(records.find("step 4"), std::string::npos);
  p.status("done", true);
  EXPECT_NE(records.find("] - done\n"), std::string::npos);
  EXPECT_EQ(output(), "");  // plain lines are log records, nothing raw
  p.clear();
  // After clear, a quick job logs nothing, not even a closing line.
  records.clear();
  p.status("quick");
  p.status("quick done", true);
  EXPECT_EQ(records, "");
  g_records = nullptr;
}

TEST_F(PrinterTest, OffModePrintsNothing) {
  Printer p(fileno(file_), Console{true, true, true}, [this] { return now_; }, [this] { return width_; });
  p.status("hidden", true);
  { TransferProgress t(p, "uploading", 3, 30); t.step(10, 10); }
  EXPECT_EQ(output(), "");
}

TEST_F(PrinterTest, TransferProgressFromManyThreadsEndsWithTheFullCount) {
  width_ = 200;
  Printer p(fileno(file_), Console{true, true, true}, steady_seconds, [this] { return width_; });
  p.set_mode(Mode::live);
  {
    TransferProgress t(p, "uploading", 800, 800 * 1024);
    std::vector<std::thread> workers;
    for (int w = 0; w < 8; ++w) {
      workers.emplace_back([&t] {
        for (int i = 0; i < 100; ++i) t.step(1024, 1024);
      });
    }
    for (auto& w : workers) w.join();
  }
  std::string out = output();
  size_t last = out.rfind("uploading");
  ASSERT_NE(last, std::string::npos) << out;
  EXPECT_NE(out.find("800/800 files, 800.0 KiB/800.0 KiB", last), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 4), "\r\033[K");  // the line is gone at the end
  // At most one draw per 0.1 s, plus the forced last ones.
  size_t draws = 0;
  for (size_t i = out.find("uploading"); i != std::string::npos; i = out.find("uploading", i + 1)) ++draws;
  EXPECT_LE(draws, 20u);
}

}  // namespace
}  // namespace handoff::term
