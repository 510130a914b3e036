// -v / -e KEY=VALUE tokens (spec §2.4 without the number coercion).
#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "project/context.h"
#include "util/error.h"
#include "util/strings.h"

namespace handoff::project {
namespace {

// A single token naming a file means the file's lines (blank lines skipped).
std::vector<std::string> expand_file(const std::vector<std::string>& tokens) {
  std::error_code ec;
  if (tokens.size() != 1 || !std::filesystem::is_regular_file(tokens[0], ec)) return tokens;
  std::ifstream in(tokens[0]);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!util::trim(line).empty()) lines.push_back(line);
  }
  return lines;
}

// Python's str.strip(c): every leading and trailing c.
std::string strip_char(std::string_view s, char c) {
  while (!s.empty() && s.front() == c) s.remove_prefix(1);
  while (!s.empty() && s.back() == c) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Assignments parse_assignments(const std::vector<std::string>& tokens, std::string_view option) {
  // A token without '=' continues the previous one: `a=x y b=z` is a="x y", b=z
  // (word splitting of $(eval echo $__VARS) survives).
  std::vector<std::string> joined;
  for (const auto& token : expand_file(tokens)) {
    if (token.find('=') == std::string::npos && !joined.empty()) {
      joined.back() += " " + token;
    } else {
      joined.push_back(token);
    }
  }
  Assignments out;
  for (const auto& token : joined) {
    size_t eq = token.find('=');
    if (eq == std::string::npos) {
      throw UsageError(fmt::format("{}: expected KEY=VALUE, got {}", option, util::quote(token)),
                       fmt::format("write {} key=value", option));
    }
    std::string key(util::trim(std::string_view(token).substr(0, eq)));
    std::string value(util::trim(std::string_view(token).substr(eq + 1)));
    if (key.empty()) {
      throw UsageError(fmt::format("{}: empty key in {}", option, util::quote(token)),
                       fmt::format("write {} key=value", option));
    }
    if (!value.empty() && (value[0] == '"' || value[0] == '\''))
      value = strip_char(value, value[0]);
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace handoff::project
