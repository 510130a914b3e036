#pragma once
// handoff's diagnostics on stderr. Every line passes through the process-wide
// Redactor, so secret values never reach the log whatever a call site passes.
// Formatting happens only when the level is enabled.
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace handoff::log {

enum class Level { debug = 0, info, warning, error, critical, off };
enum class Format { text, json };

/// Parse "debug", "info", "warning", "error", "critical" (case-insensitive).
bool parse_level(std::string_view name, Level* level);
void set_level(Level level);
void set_format(Format format);
Level level();
/// Where formatted records go instead of a plain write(2) to stderr: the
/// terminal printer (util/term.h) installs itself here; null restores stderr.
using ConsoleSink = void (*)(std::string_view records);
void set_console_sink(ConsoleSink sink);
/// Color the level names of warnings and errors in text records (a color
/// terminal without NO_COLOR; decided by the terminal printer).
void set_color(bool on);
bool enabled(Level level);
/// Write one record (masked). In text format, the original's layout:
/// `[YYYY-MM-DD HH:MM:SS,mmm] [    INFO] - message`.
void write(Level level, std::string_view message);
/// Write one record with a source prefix (a task name for relayed child stderr).
void write_from(Level level, std::string_view source, std::string_view message);

/// Write each line of text (separated by '\n'; a final newline is optional)
/// as one record from source, with one timestamp and one write(2) for the
/// whole block: the relay of a chatty child's stderr stays cheap.
void write_block(Level level, std::string_view source, std::string_view text);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::warning)) write(Level::warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::error)) write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void critical(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::critical)) write(Level::critical, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace handoff::log
