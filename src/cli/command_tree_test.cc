#include "cli/command_tree.h"

#include <gtest/gtest.h>

namespace handoff::cli {
namespace {

TEST(CommandTree, WalksVisibleCommandsWithTheirOptionKinds) {
  CLI::App app{"prog: test"};
  app.name("prog");
  std::string project, stage = "dev", shell, text;
  std::vector<std::string> vars;
  bool strict = false;
  auto* run = app.add_subcommand("run", "run it");
  auto* local = run->add_subcommand("local", "here");
  local->add_option("-p,--project", project, "project directory")->required();
  local->add_option("-s,--stage", stage, "stage")->capture_default_str();
  local->add_option("-v,--vars", vars, "variables")->allow_extra_args()->type_name("KEY=VALUE ...");
  local->add_option("--out", text, "where")->type_name("FILE");
  local->add_flag("--strict", strict, "strict");
  local->add_flag("--secret", strict, "hidden")->group("");
  auto* completion = app.add_subcommand("completion", "script");
  completion->add_option("shell", shell, "which")->check(CLI::IsMember({"bash", "fish"}));
  app.add_subcommand("hidden", "not listed")->group("");

  docs::CommandDoc root = describe_commands(app);
  EXPECT_EQ(root.name, "prog");
  ASSERT_EQ(root.subcommands.size(), 2u);
  const auto& l = root.subcommands[0].subcommands.at(0);
  EXPECT_EQ(l.path_key(), "run local");
  ASSERT_EQ(l.options.size(), 6u);  // --help, -p, -s, -v, --out, --strict
  EXPECT_EQ(l.options[0].long_names, std::vector<std::string>{"help"});
  EXPECT_EQ(l.options[0].kind, docs::ValueKind::none);
  EXPECT_EQ(l.options[1].kind, docs::ValueKind::directory);
  EXPECT_TRUE(l.options[1].required);
  EXPECT_EQ(l.options[2].kind, docs::ValueKind::choice);
  EXPECT_EQ(l.options[2].choices, (std::vector<std::string>{"dev", "prod"}));
  EXPECT_EQ(l.options[2].default_value, "dev");
  EXPECT_TRUE(l.options[3].repeatable);
  EXPECT_EQ(l.options[3].value_name, "KEY=VALUE ...");
  EXPECT_EQ(l.options[4].kind, docs::ValueKind::file);
  EXPECT_EQ(l.options[5].kind, docs::ValueKind::none);
  const auto& c = root.subcommands[1];
  ASSERT_EQ(c.options.size(), 2u);
  EXPECT_EQ(c.options[1].positional, "shell");
  EXPECT_EQ(c.options[1].kind, docs::ValueKind::choice);
  EXPECT_EQ(c.options[1].choices, (std::vector<std::string>{"bash", "fish"}));
}

}  // namespace
}  // namespace handoff::cli
