#include "cli/command_tree.h"

#include <map>

namespace handoff::cli {
namespace {

struct ValueHint {
  docs::ValueKind kind;
  std::vector<std::string> choices;
};

// What the shared flags' values are, by long name. Choices a command declares
// with CLI::IsMember are read from the option itself instead.
const std::map<std::string, ValueHint>& value_hints() {
  static const std::map<std::string, ValueHint> hints = {
      {"project", {docs::ValueKind::directory, {}}},
      {"project-dir", {docs::ValueKind::directory, {}}},
      {"workspace", {docs::ValueKind::directory, {}}},
      {"workspace-dir", {docs::ValueKind::directory, {}}},
      {"stage", {docs::ValueKind::choice, {"dev", "prod"}}},
      {"log-format", {docs::ValueKind::choice, {"text", "json"}}},
      {"log-level", {docs::ValueKind::choice, {"debug", "info", "warning", "error", "critical"}}},
      {"store", {docs::ValueKind::choice, {"local", "aws"}}},
      {"cloud-provider", {docs::ValueKind::choice, {"aws"}}},
  };
  return hints;
}

// CLI::IsMember describes itself as "{a,b,c}" after the type name.
std::vector<std::string> member_choices(const std::string& type_name) {
  std::vector<std::string> out;
  size_t open = type_name.find(":{");
  size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string list = type_name.substr(open + 2, close - open - 2);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool contains(const std::string& s, const char* word) { return s.find(word) != std::string::npos; }

docs::OptionDoc describe_option(const CLI::Option& opt) {
  docs::OptionDoc d;
  d.short_names = opt.get_snames();
  d.long_names = opt.get_lnames();
  if (!opt.nonpositional()) d.positional = opt.get_name(true, false);
  d.description = opt.get_description();
  d.default_value = opt.get_default_str();
  d.required = opt.get_required();
  d.repeatable = opt.get_expected_max() > 1 || opt.get_items_expected_max() > 1;
  if (opt.get_items_expected_max() == 0) return d;  // a flag

  std::string type = opt.get_type_name();
  d.value_name = type.substr(0, type.find(':'));
  d.kind = docs::ValueKind::text;
  if (auto choices = member_choices(type); !choices.empty()) {
    d.kind = docs::ValueKind::choice;
    d.choices = std::move(choices);
    return d;
  }
  for (const auto& name : d.long_names) {
    auto it = value_hints().find(name);
    if (it != value_hints().end()) {
      d.kind = it->second.kind;
      d.choices = it->second.choices;
      return d;
    }
  }
  if (contains(d.value_name, "DIR")) {
    d.kind = docs::ValueKind::directory;
  } else if (contains(d.value_name, "FILE") || contains(d.value_name, "PATH")) {
    d.kind = docs::ValueKind::file;
  }
  return d;
}

docs::CommandDoc describe(const CLI::App& app, std::vector<std::string> path) {
  docs::CommandDoc d;
  d.name = app.get_name();
  d.path = path;
  d.aliases = app.get_aliases();
  d.description = app.get_description();
  d.footer = app.get_footer();
  d.requires_subcommand = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    d.options.push_back(describe_option(*opt));
  }
  auto visible = [](const CLI::App* sub) { return !sub->get_group().empty() && !sub->get_disabled(); };
  for (const CLI::App* sub : app.get_subcommands(visible)) {
    if (sub->get_name().empty()) {  // an option group: its options are the command's
      for (const CLI::Option* opt : sub->get_options()) {
        if (!opt->get_group().empty()) d.options.push_back(describe_option(*opt));
      }
      continue;
    }
    auto sub_path = path;
    sub_path.push_back(sub->get_name());
    d.subcommands.push_back(describe(*sub, std::move(sub_path)));
  }
  return d;
}

}  // namespace

docs::CommandDoc describe_commands(const CLI::App& app) { return describe(app, {}); }

}  // namespace handoff::cli
