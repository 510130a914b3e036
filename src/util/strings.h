#pragma once
// Small string helpers that know nothing about handoff.
#include <string>
#include <string_view>
#include <vector>

namespace handoff::util {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
std::string replace_all(std::string s, std::string_view from, std::string_view to);
/// True when s is valid UTF-8 text without NUL bytes (binary files fail).
bool is_valid_utf8(std::string_view s);
/// Quote a value for a message: 'value', with control characters escaped.
std::string quote(std::string_view s);
/// Quote for /bin/sh: single quotes, embedded ' as '\''.
std::string shell_quote(std::string_view s);

}  // namespace handoff::util
