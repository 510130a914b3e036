#include "cloud/logs.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <regex>

#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::cloud {

std::string format_utc_ms(int64_t ms, bool iso) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = static_cast<int>(ms - secs * 1000);
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:03d}{}", buf, millis, iso ? "Z" : "");
}

int64_t parse_time(const std::string& raw, std::chrono::system_clock::time_point now,
                   const std::string& what) {
  std::string text(util::trim(raw));
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  auto bad = [&] {
    return UsageError(fmt::format("{}: cannot read {} as a time", what, util::quote(text)),
                      "use an ISO date or time (2026-12-01, 2026-12-01T08:00:00Z), a span before now "
                      "(30m, 1h, 2d) or now");
  };
  if (util::to_lower(text) == "now") return now_ms;
  static const std::regex span(R"(^(\d{1,9})\s*([smhdw])$)", std::regex::icase);
  static const std::regex digits(R"(^\d{10,}$)");
  static const std::regex iso(
      R"(^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$)",
      std::regex::icase);
  std::smatch m;
  if (std::regex_match(text, m, span)) {
    int64_t n = std::stoll(m[1].str());
    char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(m[2].str()[0])));
    int64_t per = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 604800;
    return now_ms - n * per * 1000;
  }
  if (std::regex_match(text, m, digits)) {
    if (text.size() > 15) throw bad();
    int64_t v = std::stoll(text);
    return text.size() >= 12 ? v : v * 1000;
  }
  if (!std::regex_match(text, m, iso)) throw bad();
  std::tm tm{};
  tm.tm_year = std::stoi(m[1].str()) - 1900;
  tm.tm_mon = std::stoi(m[2].str()) - 1;
  tm.tm_mday = std::stoi(m[3].str());
  tm.tm_hour = m[4].matched ? std::stoi(m[4].str()) : 0;
  tm.tm_min = m[5].matched ? std::stoi(m[5].str()) : 0;
  tm.tm_sec = m[6].matched ? std::stoi(m[6].str()) : 0;
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    throw bad();
  }
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (m[7].matched) ms += std::stoll((m[7].str() + "00").substr(0, 3));
  if (m[8].matched && util::to_upper(m[8].str()) != "Z") {
    std::string off = util::replace_all(m[8].str(), ":", "");
    int64_t hours = std::stoll(off.substr(1, 2));
    int64_t minutes = off.size() >= 5 ? std::stoll(off.substr(3, 2)) : 0;
    int64_t offset_ms = (hours * 60 + minutes) * 60 * 1000;
    ms += off[0] == '+' ? -offset_ms : offset_ms;  // 08:00+02:00 is 06:00 UTC
  }
  return ms;
}

std::string format_with(const std::string& format, const aws::logs::Event& e) {
  std::map<std::string, std::string> fields = {
      {"timestamp", std::to_string(e.timestamp)}, {"datetime", format_utc_ms(e.timestamp, false)},
      {"message", e.message},                     {"logStreamName", e.stream},
      {"eventId", e.id},                          {"ingestionTime", std::to_string(e.ingestion_time)}};
  std::string out;
  size_t i = 0;
  while (i < format.size()) {
    size_t open = format.find('{', i);
    size_t close = open == std::string::npos ? open : format.find('}', open);
    if (close == std::string::npos) {
      out += format.substr(i);
      break;
    }
    auto it = fields.find(format.substr(open + 1, close - open - 1));
    out += format.substr(i, open - i);
    out += it == fields.end() ? format.substr(open, close - open + 1) : it->second;
    i = close + 1;
  }
  return out;
}

std::string render_event(const aws::logs::Event& e, const LogsOptions& o) {
  std::string message = e.message;
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  if (o.json) {
    nlohmann::ordered_json j = {{"timestamp", format_utc_ms(e.timestamp, true)}, {"stream", e.stream}, {"message", message}};
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  if (!o.format.empty()) return format_with(o.format, e);
  return format_utc_ms(e.timestamp, false) + " " + message;
}

namespace {

// Following ends on SIGINT/SIGTERM: the handler notes the signal and wakes
// the poll(2) that stands in for sleep through a self-pipe, so the wait ends
// at once; an HTTP call under way finishes first (a page, not a hang).
volatile sig_atomic_t g_signal = 0;
int g_wake_fd = -1;
constexpr int64_t k_lookback_ms = 10000;

void on_signal(int sig) {
  g_signal = sig;
  if (g_wake_fd >= 0) {
    char c = 1;
    ssize_t n = ::write(g_wake_fd, &c, 1);
    (void)n;
  }
}

class SignalWatch {
 public:
  SignalWatch() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) throw Error("cannot make a pipe to watch for signals");
    g_signal = 0;
    g_wake_fd = fds_[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalWatch() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_wake_fd = -1;
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  /// Sleep up to seconds; false when a signal came.
  bool sleep(double seconds) {
    if (g_signal) return false;
    pollfd p{fds_[0], POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(seconds * 1000));
    (void)rc;  // EINTR or a wake byte: g_signal says which
    return g_signal == 0;
  }
  int signal() const { return g_signal; }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

int logs(aws::Client& client, const LogsOptions& o) {
  std::FILE* out = stdout;
  if (!o.file.empty()) {
    out = std::fopen(o.file.c_str(), "a");
    if (!out) throw Error(fmt::format("cannot open {} to append the logs: {}", util::quote(o.file), std::strerror(errno)));
  }
  struct Closer {
    std::FILE* f;
    ~Closer() {
      if (f != stdout) std::fclose(f);
    }
  } closer{out};

  std::optional<SignalWatch> watch;
  if (o.follow) watch.emplace();
  auto started = std::chrono::steady_clock::now();
  auto deadline_passed = [&] {
    if (!o.follow_timeout) return false;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= *o.follow_timeout;
  };
  // Events already printed, by id, with their timestamps (see the lookback).
  std::map<std::string, int64_t> seen;
  aws::logs::FilterInput in;
  in.log_group = o.log_group;
  in.start_ms = o.start_ms;
  in.end_ms = o.end_ms;
  in.filter_pattern = o.filter_pattern;
  in.log_streams = o.log_streams;
  double delay = o.first_delay;
  size_t total = 0;
  bool last_round = false;  // the follow timeout is up: one more poll, then stop
  int64_t newest = o.start_ms.value_or(0);  // the newest event time seen so far
  for (;;) {
    bool news = false;
    in.next_token.clear();
    for (int page = 0; page < 100000; ++page) {
      auto r = aws::logs::filter_log_events(client, in);
      std::string text;
      for (const auto& e : r.events) {
        newest = std::max(newest, e.timestamp);
        std::string key = !e.id.empty() ? e.id : fmt::format("{}\n{}\n{}", e.stream, e.timestamp, e.message);
        if (!seen.emplace(std::move(key), e.timestamp).second) continue;
        text += render_event(e, o) + "\n";
        news = true;
        ++total;
      }
      std::fputs(text.c_str(), out);
      std::fflush(out);
      in.next_token = r.next_token;
      if (in.next_token.empty() || (watch && watch->signal())) break;
    }
    if (!o.follow || last_round || watch->signal()) break;
    if (o.end_ms && std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count() > *o.end_ms + k_lookback_ms) {
      log::info("--end-time has passed: nothing more to follow");
      break;
    }
    // The next poll looks back a little before the newest event seen: events
    // reach CloudWatch late, and another stream's may carry an older time.
    // Ids already printed are dropped; older ones are forgotten.
    in.start_ms = std::max(o.start_ms.value_or(0), newest - k_lookback_ms);
    for (auto it = seen.begin(); it != seen.end();) {
      it = it->second < *in.start_ms ? seen.erase(it) : std::next(it);
    }
    delay = news ? o.first_delay : std::min(delay * 2, o.max_delay);
    double wait = delay;
    if (o.follow_timeout) {
      double left = *o.follow_timeout -
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      wait = std::max(0.0, std::min(wait, left));
    }
    log::debug("next poll in {:.1f} s", wait);
    if (!watch->sleep(wait)) break;
    last_round = deadline_passed();
  }
  log::info("{} event(s) from log group {}", total, o.log_group);
  if (watch && watch->signal()) {
    int sig = watch->signal();
    log::info("Stopped following on {}", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return k_exit_signal_base + sig;
  }
  return k_exit_ok;
}

}  // namespace handoff::cloud
