#include "cli/shell_commands.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_tree.h"
#include "docs/completion.h"
#include "docs/reference.h"
#include "util/edit_distance.h"
#include "util/error.h"
#include "util/version.h"

namespace handoff::cli {
namespace {

constexpr const char* k_completion_footer = R"(Load it in the current shell:
  bash: source <(handoff completion bash)
  zsh:  source <(handoff completion zsh)   (after compinit)
  fish: handoff completion fish | source
The .deb installs them where each shell looks on its own.)";

std::string completion_script(const CLI::App& root, const std::string& shell) {
  docs::CommandDoc tree = describe_commands(root);
  if (shell == "bash") return docs::bash_completion(tree);
  if (shell == "zsh") return docs::zsh_completion(tree);
  if (shell == "fish") return docs::fish_completion(tree);
  throw UsageError("no completion for shell '" + shell + "'", "use bash, zsh or fish");
}

// The command named by words under root, or an error naming the first
// unknown word.
const CLI::App& find_command(const CLI::App& root, const std::vector<std::string>& words) {
  const CLI::App* at = &root;
  std::string typed = root.get_name();
  for (const auto& w : words) {
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const CLI::App* sub : at->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
      names.push_back(sub->get_name());
      if (sub->check_name(w)) next = sub;
    }
    if (!next) {
      std::string hint = "run " + typed + " --help for its commands";
      std::string guess = util::spellcheck(w, names);
      if (!guess.empty()) hint = "did you mean '" + typed + " " + guess + "'?";
      throw UsageError("unknown command '" + typed + " " + w + "'", hint);
    }
    at = next;
    typed += " " + w;
  }
  return *at;
}

}  // namespace

void add_shell_commands(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* completion = app.add_subcommand("completion", "print a shell completion script (bash, zsh or fish)");
  completion->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->type_name("SHELL")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->footer(k_completion_footer);
  completion->callback([&app, shell] { std::fputs(completion_script(app, *shell).c_str(), stdout); });

  struct HelpOptions {
    std::vector<std::string> command;
    bool man = false;
    bool markdown = false;
  };
  auto h = std::make_shared<HelpOptions>();
  auto* help = app.add_subcommand(
      "help", "print a command's help, the man page (--man) or the markdown command reference (--markdown)");
  help->add_option("command", h->command, "the command's words, e.g. run local")->type_name("COMMAND");
  auto* man = help->add_flag("--man", h->man, "print the man page handoff(1) as roff");
  help->add_flag("--markdown", h->markdown, "print the command reference as markdown (docs/reference/commands.md)")
      ->excludes(man);
  help->callback([&app, h] {
    if (h->man || h->markdown) {
      if (!h->command.empty()) {
        throw UsageError("help --man and --markdown describe every command", "leave out the command's words");
      }
      docs::CommandDoc tree = describe_commands(app);
      std::string text = h->man ? docs::man_page(tree, k_version) : docs::markdown_reference(tree);
      std::fputs(text.c_str(), stdout);
      return;
    }
    const CLI::App& cmd = find_command(app, h->command);
    // CLI11 names the command after the words given as prev ("handoff run").
    std::string prev = app.get_name();
    for (size_t i = 0; i + 1 < h->command.size(); ++i) prev += " " + h->command[i];
    std::fputs((h->command.empty() ? cmd.help() : cmd.help(prev)).c_str(), stdout);
  });
}

}  // namespace handoff::cli
