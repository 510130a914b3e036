#pragma once
// A local job from the command line's point of view: load the project, build
// its variables, check and render everything before the first side effect,
// then run it with the engine. cli/ parses flags into Settings and calls these.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "project/context.h"
#include "project/model.h"
#include "project/secrets.h"
#include "template/template.h"

namespace handoff::job {

struct Settings {
  std::filesystem::path project_dir;  ///< -p
  std::filesystem::path workspace;    ///< -w
  std::string stage = "dev";          ///< -s
  std::vector<std::string> vars;      ///< -v tokens
  std::vector<std::string> envs;      ///< -e tokens
  std::string old_data;               ///< -d JSON (old format placeholders)
  bool strict = false;                ///< undefined variables are errors
  std::optional<double> timeout;      ///< whole run
  std::optional<double> grace;        ///< overrides project.yml `grace`
  /// Where the project's file templates are; empty: PROJECT/files. A remote
  /// run renders WORKSPACE/templates (fetched from the store).
  std::filesystem::path files_dir;
  /// Secrets to use instead of the local secrets file (a remote run's).
  std::optional<project::SecretsFile> secrets;
};

/// A rendered file for WORKSPACE/files.
struct RenderedFile {
  std::filesystem::path relative;
  std::string content;
  bool secret = false;  ///< contains a secret value: written 0600
  /// A large file that renders to itself (binary, or text without template
  /// syntax) is not held in memory: its first copy_length bytes are copied
  /// from here when written (the text form drops one final newline, as
  /// rendering would).
  std::filesystem::path copy_from;
  uint64_t copy_length = 0;
};

/// Everything a run needs, checked and rendered, with nothing written yet.
struct Prepared {
  project::Project project;
  project::SecretsFile secrets;
  project::RunContext context;
  std::map<const project::Step*, tmpl::Template> templates;
  std::vector<RenderedFile> files;
  tmpl::Value old_params;  ///< old format: python, code_dir, start_at, … and -d data
};

/// Load and check. Throws handoff::Error (exit 2) listing every problem.
/// check_workspace: also require the venvs the steps use to be installed.
Prepared prepare(const Settings& settings, bool check_workspace);

/// The variables a step renders with: exec params (python, work_dir, code_dir)
/// under the run's variables, and `venv` on top.
tmpl::Value step_vars(const Prepared& prepared, const Settings& settings,
                      const project::Step& step, const tmpl::Value& vars);

/// Render one step's command line (templates must come from prepare()).
std::string render_step(const Prepared& prepared, const Settings& settings,
                        const project::Step& step, const tmpl::Value& vars, bool strict);

/// `run local`: prepare, render files into the workspace, run, save the run
/// record. Returns handoff's exit code.
int run_local(const Settings& settings);

/// `workspace install` / old `install`: create venvs and run installs.
void install(const Settings& settings);

/// `show_commands` / `project show`: the task tree with rendered command lines,
/// secrets masked.
std::string describe(const Settings& settings, bool tree);

/// The regular files under files_dir (the project's files/), symlinks
/// included only when they lead to a regular file inside the project (the
/// folder holding files_dir); a link leading out is a problem, a link to a
/// directory or a broken one a warning.
std::vector<std::filesystem::path> project_files(const std::filesystem::path& files_dir,
                                                 std::vector<std::string>* problems,
                                                 std::vector<std::string>* warnings);

/// Render project files (dir/files/**) in memory; binary files are copied.
std::vector<RenderedFile> render_files(const std::filesystem::path& files_dir,
                                       const tmpl::Value& vars, bool strict,
                                       std::vector<std::string>* problems,
                                       std::vector<std::string>* warnings);

/// Replace WORKSPACE/files with the rendered files.
void write_files(const std::filesystem::path& workspace, const std::vector<RenderedFile>& files);

/// Old format: write config/*.json of the project into WORKSPACE/config (0600:
/// the seed kept its sensitive settings there).
void write_config_files(const std::filesystem::path& workspace, const project::Project& project);

}  // namespace handoff::job
