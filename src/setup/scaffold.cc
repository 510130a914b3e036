// The quick-start project's text and the rules for writing it. The content
// is plain data here so unit tests can load it with the real project loader
// and the e2e test can run it; nothing in it depends on the machine.
#include "setup/scaffold.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace handoff::setup {
namespace {

constexpr const char* k_project_yml = R"(version: 0.5.0
description: >
  A quick-start project made by `handoff init`: a pipeline over a file
  rendered with variables, and a secret used in a file and an environment
  variable without ever reaching a log.
vars:
  - key: greeting
    value: Hello
  - key: audience
    value: data engineers
secrets:
  - key: api_token
    description: valued in .secrets/dev_secrets.yml (stage dev, the default)
envs:
  - key: api_token
    description: no value, so it takes the secret of the same key
tasks:
  - name: word_count
    description: files/message.txt, rendered with the vars, through cat | wc -w
    pipeline:
      - command: cat
        args: files/message.txt
      - command: wc
        args: -w
  - name: use_secret
    description: the secret as $api_token and inside files/api.json (written 0600)
    commands:
      - command: sh files/use_secret.sh
)";

constexpr const char* k_message = R"({{ greeting }}, {{ audience }}!
This text is a template: handoff rendered it into the workspace before the run,
and the word_count task counts its words with a pipeline, cat | wc -w.
)";

constexpr const char* k_use_secret =
    R"(# Rendered by handoff into WORKSPACE/files: greeting and audience are vars
# from project.yml (override one with -v greeting=Hi). api_token is a secret
# from .secrets/dev_secrets.yml: it reaches this script as $api_token and is
# inside files/api.json, and handoff masks it in every log it writes.
echo "{{ greeting }}, {{ audience }}: stage {{ _stage }}, a token of $(printf %s "$api_token" | wc -c) characters"
echo "files/api.json: $(wc -c < files/api.json) bytes"
)";

constexpr const char* k_api_json = R"({"url": "https://api.example.com", "token": "{{ api_token }}"}
)";

constexpr const char* k_dev_secrets = R"(# Secrets of stage dev (the default; -s prod reads secrets.yml).
# This file stays out of git (.gitignore) and out of every log.
- key: api_token
  value: dev-token-change-me-0000
)";

constexpr const char* k_gitignore = R"(.secrets/
workspace/
)";

constexpr const char* k_readme = R"(# A handoff project

Made by `handoff init`. Run it from this folder:

    handoff run local -p . -w workspace

- `project.yml` lists the tasks: `word_count` pipes `files/message.txt` through
  `cat | wc -w`; `use_secret` runs `files/use_secret.sh`.
- `files/` holds templates: handoff renders them with the project's `vars`
  and secrets into `workspace/files/` before the run (a file that holds a
  secret is written 0600).
- `.secrets/dev_secrets.yml` holds the secrets of stage `dev`, the default
  (`-s prod` reads `.secrets/secrets.yml`). It is ignored by git and its
  values are masked in every log.
- Results: each task's stdout and stderr land in `workspace/artifacts/`
  (`word_count_stdout.log`, `use_secret_stdout.log`, ...).

Next: `handoff doctor -p .` checks python3, AWS credentials, the store and
docker; `handoff --help` lists the commands (config, files and secrets push,
container, cloud).
)";

std::vector<ScaffoldFile> make_files() {
  return {
      {"project.yml", k_project_yml, 0644, false, false},
      {"files/message.txt", k_message, 0644, false, false},
      {"files/use_secret.sh", k_use_secret, 0644, false, false},
      {"files/api.json", k_api_json, 0644, false, false},
      {".secrets/dev_secrets.yml", k_dev_secrets, 0600, true, false},
      {".gitignore", k_gitignore, 0644, false, true},
      {"README.md", k_readme, 0644, false, false},
  };
}

bool is_empty_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// An existing file keeps its lines; ours that are missing are appended.
std::string merged(const std::string& existing, const std::string& ours) {
  auto have_lines = lines_of(existing);
  std::set<std::string> have(have_lines.begin(), have_lines.end());
  std::string out = existing;
  if (!out.empty() && out.back() != '\n') out += '\n';
  for (const auto& line : lines_of(ours)) {
    if (!have.count(line)) out += line + "\n";
  }
  return out;
}

void make_private_dir(const fs::path& dir) {
  util::make_dirs(dir);
  if (::chmod(dir.c_str(), 0700) != 0) {
    throw Error(fmt::format("cannot make {} private (0700): {}", dir.string(), util::errno_text(errno)));
  }
}

// The directory as a user would type it: quoted only when the shell needs it.
std::string for_shell(const std::string& s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-';
  });
  return plain ? s : util::shell_quote(s);
}

}  // namespace

const std::vector<ScaffoldFile>& scaffold_files() {
  static const std::vector<ScaffoldFile> files = make_files();
  return files;
}

std::vector<WrittenFile> write_scaffold(const fs::path& dir, bool force) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw UsageError(fmt::format("{} exists and is not a directory", util::quote(dir.string())),
                     "choose a new directory name: handoff init DIR");
  }
  if (fs::exists(dir, ec) && !is_empty_dir(dir) && !force) {
    throw UsageError(fmt::format("directory {} is not empty", util::quote(dir.string())),
                     "choose a new directory, or pass --force to add the quick-start files "
                     "(files of the same name are replaced, .secrets/dev_secrets.yml is kept, "
                     "nothing is deleted)");
  }
  util::make_dirs(dir);
  std::vector<WrittenFile> written;
  for (const auto& f : scaffold_files()) {
    fs::path path = dir / f.relative;
    fs::path parent = path.parent_path();
    if (parent.filename() == ".secrets") {
      make_private_dir(parent);
    } else {
      util::make_dirs(parent);
    }
    WrittenFile w{f.relative, WriteAction::created};
    std::string content = f.content;
    if (fs::exists(path, ec)) {
      std::string existing = util::read_file(path);
      if (f.keep_existing) {
        written.push_back({f.relative, WriteAction::kept});
        continue;
      }
      if (f.merge_lines) {
        content = merged(existing, f.content);
        w.action = WriteAction::merged;
      } else {
        w.action = WriteAction::replaced;
      }
      if (content == existing) w.action = WriteAction::unchanged;
    }
    if (w.action != WriteAction::unchanged) util::write_file_atomic(path, content, f.mode);
    written.push_back(w);
  }
  return written;
}

std::string scaffold_report(const fs::path& dir, const std::vector<WrittenFile>& written) {
  std::string out = fmt::format("Quick-start project in {}:\n", dir.string());
  for (const auto& w : written) {
    const char* action = "created";
    switch (w.action) {
      case WriteAction::created: action = "created"; break;
      case WriteAction::replaced: action = "replaced"; break;
      case WriteAction::merged: action = "merged"; break;
      case WriteAction::unchanged: action = "unchanged"; break;
      case WriteAction::kept: action = "kept (yours)"; break;
    }
    out += fmt::format("  {:<13} {}\n", action, w.relative);
  }
  out += fmt::format(
      "Next:\n"
      "  cd {}\n"
      "  handoff run local -p . -w workspace\n"
      "  cat workspace/artifacts/word_count_stdout.log workspace/artifacts/use_secret_stdout.log\n"
      "  handoff doctor -p .\n",
      for_shell(dir.string()));
  return out;
}

}  // namespace handoff::setup
