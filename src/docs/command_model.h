#pragma once
// A plain description of the command line (commands, options, help texts,
// exit codes), taken from the CLI11 tree by cli/command_tree.cc and turned into
// completion scripts, the man page and the markdown reference by the emitters
// in this folder. Nothing here knows CLI11, so each emitter is testable on a
// hand-built tree.
#include <string>
#include <vector>

namespace handoff::docs {

/// What an option's value is, for the shells' completion of it.
enum class ValueKind {
  none,       ///< a flag: no value
  text,       ///< any text; nothing to offer
  directory,  ///< a directory path
  file,       ///< a file path
  choice,     ///< one of OptionDoc::choices
};

struct OptionDoc {
  std::vector<std::string> short_names;  ///< without the dash: "p"
  std::vector<std::string> long_names;   ///< without the dashes: "project"
  std::string positional;                ///< the name of a positional argument; empty for options
  std::string value_name;                ///< "SECONDS", "KEY=VALUE ..."; empty for flags
  std::string description;
  std::string default_value;  ///< empty when none is shown
  bool required = false;
  bool repeatable = false;  ///< takes several values (after one flag or by repeating it)
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;  ///< kind == choice

  bool takes_value() const { return kind != ValueKind::none; }
  /// "-p, --project, --project-dir" (or the positional's name).
  std::string display_names() const;
  /// Every spelling with its dashes: "-p", "--project", "--project-dir".
  std::vector<std::string> spellings() const;
};

struct ExitCode {
  std::string code;     ///< "0", "128+n"
  std::string meaning;  ///< one line, continuation lines joined
};

struct CommandDoc {
  std::string name;               ///< "local"; the program's name at the root
  std::vector<std::string> path;  ///< words after the program name: {"run", "local"}; empty at the root
  std::vector<std::string> aliases;
  std::string description;
  std::string footer;  ///< free text after the options in --help
  std::vector<OptionDoc> options;
  std::vector<CommandDoc> subcommands;
  bool requires_subcommand = false;

  /// "handoff run local" (the program's name, then path).
  std::string full_name(const std::string& program) const;
  /// The path joined with single spaces ("run local"; "" at the root).
  std::string path_key() const;
};

/// "handoff run local -p PROJECT -w WORKSPACE [OPTIONS]": required options
/// with their value, positionals, then COMMAND when there are subcommands.
std::string usage(const CommandDoc& c, const std::string& program);

/// Whether emitters of reference text list the option (--help is said once).
bool documented(const OptionDoc& o);

/// Every command of the tree in depth-first order, the root first.
std::vector<const CommandDoc*> flatten(const CommandDoc& root);

/// The "Exit codes:" table of a footer ("  0    success", continuation lines
/// indented further); empty when the footer holds none.
std::vector<ExitCode> parse_exit_codes(const std::string& footer);

/// The footer without its "Exit codes:" table.
std::string footer_without_exit_codes(const std::string& footer);

}  // namespace handoff::docs
