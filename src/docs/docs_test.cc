#include <gtest/gtest.h>

#include "docs/command_model.h"
#include "docs/completion.h"
#include "docs/reference.h"

namespace handoff::docs {
namespace {

OptionDoc option(std::vector<std::string> shorts, std::vector<std::string> longs, ValueKind kind,
                 std::string description) {
  OptionDoc o;
  o.short_names = std::move(shorts);
  o.long_names = std::move(longs);
  o.kind = kind;
  o.description = std::move(description);
  if (kind != ValueKind::none) o.value_name = "VALUE";
  return o;
}

// prog [--help] {run {local -p DIR -s dev|prod --strict}, completion SHELL}
CommandDoc tree() {
  CommandDoc root;
  root.name = "prog";
  root.description = "prog: does things\nquickly.";
  root.footer = "Exit codes:\n  0    fine\n  1    a task failed (also when\n       it was told to)\n  128+n  killed";
  root.requires_subcommand = true;
  root.options.push_back(option({"h"}, {"help"}, ValueKind::none, "Print this help message and exit"));
  CommandDoc run;
  run.name = "run";
  run.path = {"run"};
  run.description = "run a project";
  CommandDoc local;
  local.name = "local";
  local.path = {"run", "local"};
  local.description = "run `here` \\ now";
  local.options.push_back(option({"p"}, {"project", "project-dir"}, ValueKind::directory, "project directory"));
  local.options.back().required = true;
  local.options.back().value_name = "PROJECT";
  local.options.push_back(option({"s"}, {"stage"}, ValueKind::choice, "stage | env"));
  local.options.back().choices = {"dev", "prod"};
  local.options.back().default_value = "dev";
  local.options.push_back(option({}, {"strict"}, ValueKind::none, ".undefined is an error"));
  run.subcommands.push_back(local);
  CommandDoc completion;
  completion.name = "completion";
  completion.path = {"completion"};
  completion.description = "print a script";
  OptionDoc shell;
  shell.positional = "shell";
  shell.kind = ValueKind::choice;
  shell.choices = {"bash", "zsh"};
  shell.required = true;
  shell.value_name = "SHELL";
  completion.options.push_back(shell);
  root.subcommands = {run, completion};
  return root;
}

TEST(CommandModel, ParsesTheExitCodeTableWithContinuationLines) {
  auto codes = parse_exit_codes(tree().footer);
  ASSERT_EQ(codes.size(), 3u);
  EXPECT_EQ(codes[1].code, "1");
  EXPECT_EQ(codes[1].meaning, "a task failed (also when it was told to)");
  EXPECT_EQ(codes[2].code, "128+n");
  EXPECT_EQ(footer_without_exit_codes(tree().footer), "");
  EXPECT_EQ(footer_without_exit_codes("See also x.\nExit codes:\n  0  ok"), "See also x.");
}

TEST(CommandModel, UsageNamesRequiredOptionsPositionalsAndCommands) {
  CommandDoc t = tree();
  EXPECT_EQ(usage(t, "prog"), "prog COMMAND");
  EXPECT_EQ(usage(t.subcommands[0], "prog"), "prog run [COMMAND]");
  EXPECT_EQ(usage(t.subcommands[0].subcommands[0], "prog"), "prog run local -p PROJECT [OPTIONS]");
  EXPECT_EQ(usage(t.subcommands[1], "prog"), "prog completion SHELL");
}

TEST(BashCompletion, TablesHoldEveryPathAndValueKind) {
  std::string s = bash_completion(tree());
  EXPECT_NE(s.find("    '') REPLY='run completion' ;;"), std::string::npos) << s;
  EXPECT_NE(s.find("    'run') REPLY='local' ;;"), std::string::npos);
  EXPECT_NE(s.find("'run local|-p'|'run local|--project'|'run local|--project-dir') REPLY='dir' ;;"),
            std::string::npos);
  EXPECT_NE(s.find("'run local|-s'|'run local|--stage') REPLY='choice dev prod' ;;"), std::string::npos);
  EXPECT_NE(s.find("'completion|') REPLY='choice bash zsh' ;;"), std::string::npos);
  EXPECT_NE(s.find("complete -F _prog prog\n"), std::string::npos);
}

TEST(ZshCompletion, OneFunctionPerCommandWithEscapedSpecs) {
  std::string s = zsh_completion(tree());
  EXPECT_EQ(s.rfind("#compdef prog\n", 0), 0u);
  EXPECT_NE(s.find("_prog__run__local() {"), std::string::npos) << s;
  EXPECT_NE(s.find("'(-p --project --project-dir)--project-dir[project directory]:PROJECT:_files -/'"),
            std::string::npos);
  EXPECT_NE(s.find("'(-s --stage)-s[stage | env]:VALUE:(dev prod)'"), std::string::npos);
  EXPECT_NE(s.find("'local:run `here` \\ now'"), std::string::npos);
  EXPECT_NE(s.find("'1:SHELL:(bash zsh)'"), std::string::npos);
  EXPECT_NE(s.find("        'local') _prog__run__local && ret=0 ;;"), std::string::npos);
}

TEST(FishCompletion, ConditionsEachLineOnTheCommandPath) {
  std::string s = fish_completion(tree());
  EXPECT_NE(s.find("set -g __prog_commands 'run' 'run local' 'completion'\n"), std::string::npos) << s;
  EXPECT_NE(s.find("'run local|-p' 'run local|--project' 'run local|--project-dir' 'run local|-s'"),
            std::string::npos);
  EXPECT_NE(s.find("complete -c prog -n '__prog_at \\'\\'' -a 'run' -d 'run a project'\n"), std::string::npos);
  EXPECT_NE(s.find("complete -c prog -n '__prog_at \\'run local\\'' -s s -l stage -x -a 'dev prod' -d 'stage | env'"),
            std::string::npos);
  EXPECT_NE(s.find("-d 'run `here` \\\\ now'"), std::string::npos);
}

TEST(ManPage, EscapesRoffAndListsExitStatus) {
  std::string s = man_page(tree(), "1.2.3");
  EXPECT_NE(s.find(".TH PROG 1 \"\" \"prog 1.2.3\" \"User Commands\"\n"), std::string::npos) << s;
  EXPECT_NE(s.find(".SH NAME\nprog \\- does things quickly.\n"), std::string::npos);
  EXPECT_NE(s.find(".SS \"prog run local\"\nrun \\fBhere\\fR \\e now\n"), std::string::npos);
  EXPECT_NE(s.find("\\fB\\-p\\fR, \\fB\\-\\-project\\fR, \\fB\\-\\-project\\-dir\\fR \\fIPROJECT\\fR"),
            std::string::npos);
  EXPECT_NE(s.find("\\&.undefined is an error"), std::string::npos);  // a leading dot is not a request
  EXPECT_NE(s.find(".SH \"EXIT STATUS\"\n.TP\n.B 0\nfine\n"), std::string::npos);
  EXPECT_EQ(s.find("Print this help message"), std::string::npos);  // --help is said once, not per command
}

TEST(ManPage, WritesNonAsciiAsGroffEscapes) {
  CommandDoc t = tree();
  t.subcommands[0].description = "256 \u2026 4096 \xE2\x80";  // an ellipsis, then a cut sequence
  std::string s = man_page(t, "1");
  EXPECT_NE(s.find("256 \\[u2026] 4096 ??\n"), std::string::npos) << s;
}

TEST(MarkdownReference, LinksEveryCommandAndEscapesTableCells) {
  std::string s = markdown_reference(tree());
  EXPECT_NE(s.find("- [`prog run local`](#prog-run-local) — run `here` \\ now\n"), std::string::npos) << s;
  EXPECT_NE(s.find("\n## `prog completion`\n"), std::string::npos);
  EXPECT_NE(s.find("| `-s`, `--stage` | `dev` \\| `prod` | stage \\| env (default `dev`) |\n"), std::string::npos);
  EXPECT_NE(s.find("| `shell` | `bash` \\| `zsh` | (required) |\n"), std::string::npos);
  EXPECT_NE(s.find("| 128+n | killed |\n"), std::string::npos);
}

}  // namespace
}  // namespace handoff::docs
