#pragma once
// The one terminal printer (ninja's LinePrinter idea) that owns stderr while
// handoff shows progress. Three modes, decided once by cli::configure():
//   live   stderr is a terminal, TERM is not dumb, CI is unset: one status line
//          rewritten in place ('\r' + clear to end of line), elided to the
//          terminal's width, redrawn at most ~10 times a second;
//   plain  anything else (a pipe, a file, CI, TERM=dumb, --verbose): a plain
//          log line at most every few seconds ($HO_PROGRESS_INTERVAL seconds,
//          default 5), and a closing one if any was printed;
//   off    --quiet, --log-format json, and until configured (unit tests,
//          library use): no progress at all.
// Every log line goes through Printer::write_log (log.cc's console sink), so a
// record printed while the status line is shown clears it first and redraws
// it after, in one write(2). NO_COLOR: no escape sequence at all; the line is
// then cleared by overwriting it with spaces.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace handoff::term {

enum class Mode { off, plain, live };

/// What the console allows, from stderr being a terminal and the environment.
struct Console {
  bool tty = false;   ///< stderr is a terminal
  bool smart = false;  ///< tty, TERM set and not "dumb", CI unset or "false"/"0"
  bool ansi = false;   ///< escape sequences allowed: smart and NO_COLOR unset or empty
};
/// Pure: the decision for the given facts (null pointers are unset variables).
Console decide(bool tty, const char* term, const char* ci, const char* no_color);
/// The decision for this process's stderr and environment.
Console detect();

// ---- formatting (pure) ----------------------------------------------------

/// "512 B", "1.5 KiB", "12.3 MiB", "4.0 GiB" (binary units, one decimal).
std::string format_bytes(uint64_t bytes);
/// "7s", "1m05s", "2h03m"; negative or NaN as "0s".
std::string format_duration(double seconds);
/// Seconds left at the current pace, or nothing when it cannot be known yet
/// (nothing done, nothing to do, or total unknown).
std::optional<double> eta(double done, double total, double elapsed);
/// "[#####-----]" with width cells inside the brackets; fraction clamped to [0, 1].
std::string bar(double fraction, int width);
/// line cut to width display cells (UTF-8 code points), ending in "..." when
/// cut; width 0 means no limit.
std::string elide(std::string_view line, size_t width);

/// A transfer's counters: processed files and bytes (skipped unchanged
/// files count as processed) and the bytes actually moved, for the rate.
struct TransferState {
  size_t files_done = 0;
  size_t files_total = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;  ///< 0: unknown
  uint64_t bytes_moved = 0;
  double elapsed = 0;
};
/// "uploading [####------] 12/40 files, 1.2 MiB/4.0 MiB, 3.1 MiB/s, ETA 2s";
/// the bar only when with_bar (live mode), ETA only when known.
std::string transfer_line(std::string_view verb, const TransferState& s, bool with_bar);

/// A steady clock in seconds; tests inject their own.
using Clock = std::function<double()>;
double steady_seconds();

/// Lets an event through at most once per interval (the first one at once).
class Throttle {
 public:
  Throttle(double interval, Clock clock) : interval_(interval), clock_(std::move(clock)) {}
  /// True (and the window restarts) when interval has passed since the last true.
  bool ready();
  double now() const { return clock_(); }

 private:
  double interval_;
  Clock clock_;
  std::optional<double> last_;
};

// ---- the printer ----------------------------------------------------------

class Printer {
 public:
  /// fd: where to write (stderr for the process-wide one); width: the
  /// terminal's columns (0 = unknown, no elision).
  Printer(int fd, Console console, Clock clock, std::function<size_t()> width);

  /// The process-wide printer on stderr; mode off until configure().
  static Printer& instance();
  /// Pick the mode for this process from the console and the flags, and
  /// install the log sink. quiet or json: off; verbose or not smart: plain.
  void configure(bool quiet, bool json, bool verbose);

  void set_mode(Mode mode) { mode_ = mode; }
  Mode mode() const { return mode_; }
  bool live() const { return mode_ == Mode::live; }
  void set_plain_interval(double seconds) { plain_interval_ = seconds; }

  /// Show line as the status. Live: drawn if 0.1 s passed since the last draw
  /// (or force). Plain: logged at info if the plain interval passed (or
  /// force and an earlier line was logged). Off: nothing.
  void status(const std::string& line, bool force = false);
  /// Remove the status line (live); forget it (plain).
  void clear();
  /// Write one block of log records, keeping the status line below them.
  void write_log(std::string_view text);
  /// Whether a plain progress line was logged since the last clear().
  bool plain_shown() const { return plain_shown_; }

 private:
  std::string clear_sequence() const;  // caller holds mutex_
  void write_raw(std::string_view s) const;

  int fd_;
  Console console_;
  Clock clock_;
  std::function<size_t()> width_;
  std::atomic<Mode> mode_{Mode::off};
  double plain_interval_ = 5.0;
  std::mutex mutex_;
  std::string line_;        ///< the latest status line, elided
  size_t shown_cells_ = 0;  ///< cells of the line on screen (0 = none), to blank it without ANSI
  double last_draw_ = -1e9;
  bool active_ = false;      ///< a status() since the last clear()
  double since_ = 0;         ///< when that work began
  double last_plain_ = -1e9;
  bool plain_shown_ = false;
};

/// A transfer's progress, fed by worker threads: step() is cheap and
/// thread-safe; the destructor removes the line (live) or logs a closing one
/// (plain, only if a periodic one was logged).
class TransferProgress {
 public:
  TransferProgress(Printer& printer, std::string verb, size_t files_total, uint64_t bytes_total);
  ~TransferProgress();
  TransferProgress(const TransferProgress&) = delete;
  TransferProgress& operator=(const TransferProgress&) = delete;

  /// One file processed: size bytes looked at, moved of them sent or fetched.
  void step(uint64_t size, uint64_t moved);

 private:
  TransferState state() const;

  Printer& printer_;
  std::string verb_;
  size_t files_total_;
  uint64_t bytes_total_;
  double start_;
  std::atomic<size_t> files_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> moved_{0};
  std::mutex mutex_;  ///< one worker formats a line at a time
  double next_ = 0;   ///< no line before this time
};

/// A status line for slow work with no steps of its own (an install command,
/// a run): a thread redraws line(elapsed seconds) twice a second until the
/// ticker is destroyed, which clears the line. live_only: nothing in plain mode.
class Ticker {
 public:
  Ticker(Printer& printer, std::function<std::string(double elapsed)> line, bool live_only = false);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  Printer& printer_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace handoff::term
