#include "docs/command_model.h"

#include <cctype>
#include <sstream>

namespace handoff::docs {
namespace {

constexpr const char* k_exit_heading = "Exit codes:";

void collect(const CommandDoc& c, std::vector<const CommandDoc*>* out) {
  out->push_back(&c);
  for (const auto& sub : c.subcommands) collect(sub, out);
}

size_t indent_of(const std::string& line) {
  size_t n = line.find_first_not_of(' ');
  return n == std::string::npos ? line.size() : n;
}

}  // namespace

std::string OptionDoc::display_names() const {
  if (!positional.empty()) return positional;
  std::string out;
  for (const auto& s : spellings()) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::vector<std::string> OptionDoc::spellings() const {
  std::vector<std::string> out;
  for (const auto& s : short_names) out.push_back("-" + s);
  for (const auto& l : long_names) out.push_back("--" + l);
  return out;
}

std::string CommandDoc::full_name(const std::string& program) const {
  std::string out = program;
  for (const auto& w : path) out += " " + w;
  return out;
}

std::string CommandDoc::path_key() const {
  std::string out;
  for (const auto& w : path) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string usage(const CommandDoc& c, const std::string& program) {
  std::string out = c.full_name(program);
  bool optional = false;
  for (const auto& o : c.options) {
    if (!o.positional.empty() || !documented(o)) continue;
    if (!o.required) {
      optional = true;
      continue;
    }
    out += " " + o.spellings().front();
    if (o.takes_value()) out += " " + (o.value_name.empty() ? std::string("VALUE") : o.value_name);
  }
  if (optional) out += " [OPTIONS]";
  for (const auto& o : c.options) {
    if (o.positional.empty()) continue;
    std::string name = o.positional;
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (o.repeatable) name += " ...";
    out += " " + (o.required ? name : "[" + name + "]");
  }
  if (!c.subcommands.empty()) out += c.requires_subcommand ? " COMMAND" : " [COMMAND]";
  return out;
}

bool documented(const OptionDoc& o) {
  return !(o.long_names.size() == 1 && o.long_names.front() == "help");
}

std::vector<const CommandDoc*> flatten(const CommandDoc& root) {
  std::vector<const CommandDoc*> out;
  collect(root, &out);
  return out;
}

// The table is "  CODE  meaning" with the meaning's continuation lines
// indented deeper than the code; it ends at the first blank or unindented line.
std::vector<ExitCode> parse_exit_codes(const std::string& footer) {
  std::vector<ExitCode> out;
  std::istringstream in(footer);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      inside = line == k_exit_heading;
      continue;
    }
    size_t indent = indent_of(line);
    if (indent == line.size() || indent == 0) break;
    size_t code_end = line.find(' ', indent);
    size_t text = code_end == std::string::npos ? std::string::npos : line.find_first_not_of(' ', code_end);
    if (indent <= 2 && text != std::string::npos) {
      out.push_back({line.substr(indent, code_end - indent), line.substr(text)});
    } else if (!out.empty()) {
      out.back().meaning += " " + line.substr(indent);
    }
  }
  return out;
}

std::string footer_without_exit_codes(const std::string& footer) {
  std::istringstream in(footer);
  std::string line;
  std::string out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == k_exit_heading) {
      inside = true;
      continue;
    }
    if (inside && indent_of(line) > 0 && indent_of(line) < line.size()) continue;
    inside = false;
    out += line + "\n";
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace handoff::docs
