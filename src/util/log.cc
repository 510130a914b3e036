#include "util/log.h"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "util/redact.h"
#include "util/strings.h"

namespace handoff::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<Format> g_format{Format::text};
std::mutex g_mutex;
std::atomic<ConsoleSink> g_sink{nullptr};
std::atomic<bool> g_color{false};

const char* level_name(Level l) {
  switch (l) {
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warning: return "WARNING";
    case Level::error: return "ERROR";
    case Level::critical: return "CRITICAL";
    case Level::off: break;
  }
  return "OFF";
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

bool parse_level(std::string_view name, Level* level) {
  std::string n = util::to_lower(util::trim(name));
  if (n == "debug") *level = Level::debug;
  else if (n == "info") *level = Level::info;
  else if (n == "warning" || n == "warn") *level = Level::warning;
  else if (n == "error") *level = Level::error;
  else if (n == "critical") *level = Level::critical;
  else return false;
  return true;
}

void set_level(Level l) { g_level = l; }
void set_format(Format f) { g_format = f; }
void set_console_sink(ConsoleSink sink) { g_sink = sink; }
void set_color(bool on) { g_color = on; }
Level level() { return g_level; }
bool enabled(Level l) { return l >= g_level.load() && l != Level::off; }

void write(Level l, std::string_view message) { write_from(l, {}, message); }

namespace {

/// Append one formatted record for line to out.
void format_record(std::string* out, Level l, std::string_view source, std::string_view line,
                   const struct timeval& tv, const char* stamp, const char* iso) {
  if (g_format == Format::json) {
    *out += fmt::format(R"({{"time":"{}.{:06d}Z","level":"{}")", iso, tv.tv_usec, level_name(l));
    if (!source.empty()) *out += fmt::format(R"(,"source":"{}")", json_escape(source));
    *out += fmt::format(R"(,"message":"{}"}})", json_escape(line));
  } else {
    // Warnings yellow, errors red, on a color terminal only (set_color).
    const char* on = !g_color || l < Level::warning ? "" : l == Level::warning ? "\033[33m" : "\033[31m";
    *out += fmt::format("[{},{:03d}] [{}{:>8}{}] - ", stamp, tv.tv_usec / 1000, on, level_name(l),
                        *on ? "\033[0m" : "");
    if (!source.empty()) *out += fmt::format("{}: ", source);
    *out += line;
  }
  *out += '\n';
}

void emit(Level l, std::string_view source, std::string_view text, bool split) {
  if (!enabled(l)) return;
  std::string masked = util::redactor().mask(text);
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  char iso[40];
  struct tm utc;
  gmtime_r(&tv.tv_sec, &utc);
  strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out;
  if (!split) {
    format_record(&out, l, source, masked, tv, stamp, iso);
  } else {
    std::string_view rest = masked;
    if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
    while (true) {
      size_t nl = rest.find('\n');
      format_record(&out, l, source, rest.substr(0, nl), tv, stamp, iso);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  if (auto* sink = g_sink.load()) {
    sink(out);  // the terminal printer keeps its status line below the records
    return;
  }
  std::lock_guard lock(g_mutex);
  write_all(STDERR_FILENO, out);
}

}  // namespace

void write_from(Level l, std::string_view source, std::string_view message) {
  emit(l, source, message, false);
}

void write_block(Level l, std::string_view source, std::string_view text) {
  emit(l, source, text, true);
}

}  // namespace handoff::log
