#include "aws/ini.h"

#include "util/error.h"
#include "util/strings.h"

namespace handoff::aws {

IniFile parse_ini(std::string_view text, std::string_view origin) {
  IniFile out;
  IniSection* section = nullptr;
  bool in_nested = false;  // inside the indented block of a `key =` line
  int line_no = 0;
  auto fail = [&](std::string_view what) {
    return Error(std::string(origin) + ":" + std::to_string(line_no) + ": " + std::string(what),
                 "fix the line; the format is described at "
                 "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html");
  };
  for (const std::string& raw : util::split(text, '\n')) {
    ++line_no;
    std::string_view line = util::trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && in_nested) continue;
    in_nested = false;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) throw fail("section header without ']'");
      std::string name(util::trim(line.substr(1, close - 1)));
      if (name.empty()) throw fail("empty section name");
      section = &out.sections[name];
      continue;
    }
    size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) throw fail("expected 'key = value' or '[section]'");
    if (section == nullptr) throw fail("key before the first '[section]'");
    std::string key = util::to_lower(util::trim(line.substr(0, sep)));
    if (key.empty()) throw fail("empty key");
    std::string value(util::trim(line.substr(sep + 1)));
    if (value.empty()) in_nested = true;
    section->values[key] = value;
  }
  return out;
}

}  // namespace handoff::aws
