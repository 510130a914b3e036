#include "util/term.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "util/error.h"
#include "util/log.h"

namespace handoff::term {
namespace {

// Redraws of the live line at most this often (ninja-like, ~10 Hz).
constexpr double k_live_interval = 0.1;
// A Ticker's redraw period: enough for a seconds counter.
constexpr auto k_tick = std::chrono::milliseconds(500);

bool set(const char* v) { return v && *v; }

/// Display cells of UTF-8 text: one per code point (no wide-glyph table).
size_t cells(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t terminal_width() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char* columns = std::getenv("COLUMNS");
  if (set(columns)) return static_cast<size_t>(std::strtoul(columns, nullptr, 10));
  return 0;
}

void sink(std::string_view text) { Printer::instance().write_log(text); }

}  // namespace

Console decide(bool tty, const char* term, const char* ci, const char* no_color) {
  Console c;
  c.tty = tty;
  bool in_ci = set(ci) && std::strcmp(ci, "false") != 0 && std::strcmp(ci, "0") != 0;
  c.smart = tty && set(term) && std::strcmp(term, "dumb") != 0 && !in_ci;
  c.ansi = c.smart && !set(no_color);
  return c;
}

Console detect() {
  return decide(::isatty(STDERR_FILENO) == 1, std::getenv("TERM"), std::getenv("CI"),
                std::getenv("NO_COLOR"));
}

std::string format_bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes) / 1024;
  size_t u = 0;
  // Switch unit before the value would print as "1024.0".
  while (v >= 1023.95 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string format_duration(double seconds) {
  if (!(seconds > 0)) return "0s";
  auto s = static_cast<long long>(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
}

std::optional<double> eta(double done, double total, double elapsed) {
  if (!(total > 0) || !(done > 0) || !(elapsed > 0)) return std::nullopt;
  if (done >= total) return 0.0;
  return (total - done) * elapsed / done;
}

std::string bar(double fraction, int width) {
  if (width <= 0) return "[]";
  if (!(fraction > 0)) fraction = 0;
  if (fraction > 1) fraction = 1;
  auto filled = static_cast<size_t>(std::floor(fraction * width));
  return "[" + std::string(filled, '#') + std::string(static_cast<size_t>(width) - filled, '-') + "]";
}

std::string elide(std::string_view line, size_t width) {
  if (width == 0 || cells(line) <= width) return std::string(line);
  const std::string_view dots = width > 3 ? "..." : "";
  size_t keep = width - dots.size();
  size_t i = 0;
  size_t n = 0;
  // Stop before the (keep+1)-th code point's lead byte.
  for (; i < line.size(); ++i) {
    bool lead = (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
    if (lead && n++ == keep) break;
  }
  return std::string(line.substr(0, i)) + std::string(dots);
}

std::string transfer_line(std::string_view verb, const TransferState& s, bool with_bar) {
  bool by_bytes = s.bytes_total > 0;
  double done = by_bytes ? static_cast<double>(s.bytes_done) : static_cast<double>(s.files_done);
  double total = by_bytes ? static_cast<double>(s.bytes_total) : static_cast<double>(s.files_total);
  std::string out(verb);
  if (with_bar) out += " " + bar(total > 0 ? done / total : 0, 20);
  out += fmt::format(" {}/{} files, {}", s.files_done, s.files_total, format_bytes(s.bytes_done));
  if (by_bytes) out += "/" + format_bytes(s.bytes_total);
  if (s.elapsed > 0 && s.bytes_moved > 0) {
    out += fmt::format(", {}/s", format_bytes(static_cast<uint64_t>(static_cast<double>(s.bytes_moved) / s.elapsed)));
  }
  if (auto left = eta(done, total, s.elapsed); left && done < total) out += ", ETA " + format_duration(std::ceil(*left));
  return out;
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool Throttle::ready() {
  double t = clock_();
  if (last_ && t - *last_ < interval_) return false;
  last_ = t;
  return true;
}

// ---- Printer ---------------------------------------------------------------

Printer::Printer(int fd, Console console, Clock clock, std::function<size_t()> width)
    : fd_(fd), console_(console), clock_(std::move(clock)), width_(std::move(width)) {}

Printer& Printer::instance() {
  static Printer p(STDERR_FILENO, detect(), steady_seconds, terminal_width);
  return p;
}

void Printer::configure(bool quiet, bool json, bool verbose) {
  if (const char* v = std::getenv("HO_PROGRESS_INTERVAL"); set(v)) {
    char* end = nullptr;
    double seconds = std::strtod(v, &end);
    if (*end != '\0' || !(seconds >= 0)) {
      throw Error(fmt::format("HO_PROGRESS_INTERVAL={} is not a number of seconds", v),
                  "set it to e.g. 5 (seconds between plain progress lines), or unset it");
    }
    plain_interval_ = seconds;
  }
  if (quiet || json) {
    mode_ = Mode::off;
  } else if (console_.smart && !verbose) {
    mode_ = Mode::live;
  } else {
    mode_ = Mode::plain;
  }
  log::set_console_sink(&sink);
  log::set_color(console_.ansi);
}

std::string Printer::clear_sequence() const {
  if (shown_cells_ == 0) return {};
  if (console_.ansi) return "\r\033[K";
  return "\r" + std::string(shown_cells_, ' ') + "\r";
}

void Printer::write_raw(std::string_view s) const {
  while (!s.empty()) {
    ssize_t n = ::write(fd_, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
}

void Printer::status(const std::string& line, bool force) {
  Mode mode = mode_;
  if (mode == Mode::off) return;
  std::unique_lock lock(mutex_);
  double now = clock_();
  if (!active_) {
    active_ = true;
    since_ = now;
  }
  if (mode == Mode::live) {
    size_t w = width_ ? width_() : 0;
    line_ = elide(line, w > 1 ? w - 1 : w);  // never the last column: no auto-wrap
    if (!force && now - last_draw_ < k_live_interval) return;  // a later draw or log shows it
    last_draw_ = now;
    std::string out = clear_sequence() + line_;
    shown_cells_ = cells(line_);
    write_raw(out);
    return;
  }
  // Plain: a line once the interval has passed since the work began or since
  // the previous line; a forced (closing) one only after an earlier one.
  bool due = now - std::max(since_, last_plain_) >= plain_interval_;
  if (!(force ? plain_shown_ : due)) return;
  last_plain_ = now;
  plain_shown_ = true;
  lock.unlock();  // the log sink takes the lock
  log::info("{}", line);
}

void Printer::clear() {
  std::lock_guard lock(mutex_);
  write_raw(clear_sequence());
  shown_cells_ = 0;
  line_.clear();
  active_ = false;
  plain_shown_ = false;
  last_plain_ = -1e9;
  last_draw_ = -1e9;
}

void Printer::write_log(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (shown_cells_ == 0) {
    write_raw(text);
    return;
  }
  std::string out = clear_sequence();
  out += text;
  out += line_;
  shown_cells_ = cells(line_);
  write_raw(out);
}

// ---- TransferProgress --------------------------------------------------------

TransferProgress::TransferProgress(Printer& printer, std::string verb, size_t files_total,
                                   uint64_t bytes_total)
    : printer_(printer), verb_(std::move(verb)), files_total_(files_total), bytes_total_(bytes_total),
      start_(steady_seconds()) {}

TransferProgress::~TransferProgress() {
  if (printer_.mode() == Mode::off || files_ == 0) return;
  printer_.status(transfer_line(verb_, state(), printer_.live()), true);
  printer_.clear();
}

TransferState TransferProgress::state() const {
  TransferState s;
  s.files_done = files_;
  s.files_total = files_total_;
  s.bytes_done = bytes_;
  s.bytes_total = bytes_total_;
  s.bytes_moved = moved_;
  s.elapsed = steady_seconds() - start_;
  return s;
}

void TransferProgress::step(uint64_t size, uint64_t moved) {
  size_t n = ++files_;
  bytes_ += size;
  moved_ += moved;
  if (printer_.mode() == Mode::off) return;
  // Format only when a draw is due; one worker at a time, the others go on.
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock) return;
  double now = steady_seconds();
  bool last = n == files_total_;
  if (!last && now < next_) return;
  next_ = now + k_live_interval;
  printer_.status(transfer_line(verb_, state(), printer_.live()), last && printer_.live());
}

// ---- Ticker -----------------------------------------------------------------

Ticker::Ticker(Printer& printer, std::function<std::string(double)> line, bool live_only)
    : printer_(printer) {
  if (printer.mode() == Mode::off || (live_only && !printer.live())) return;
  double start = steady_seconds();
  thread_ = std::thread([this, start, line = std::move(line)] {
    // Signals are the main thread's: the engine reads SIGCHLD and SIGINT from a
    // signalfd, which only works while no thread leaves them unblocked.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock lock(mutex_);
    while (!stop_) {
      lock.unlock();
      try {
        printer_.status(line(steady_seconds() - start));
      } catch (const std::exception&) {
        // A status line is never worth failing the work for.
      }
      lock.lock();
      cv_.wait_for(lock, k_tick, [this] { return stop_; });
    }
  });
}

Ticker::~Ticker() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  printer_.clear();
}

}  // namespace handoff::term
