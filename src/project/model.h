#pragma once
// The project model: plain structs, filled by load.cc from project.yml (current
// or the seed's old format). No I/O here.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "template/value.h"

namespace handoff::project {

using tmpl::Value;

/// Where something was written: for messages "file:line:column (path)".
struct Location {
  std::string file;   ///< project.yml path as given
  int line = 0;       ///< 1-based; 0 when unknown
  int column = 0;     ///< 1-based
  std::string path;   ///< key path, e.g. "tasks[1].pipeline[0].args"
  /// "file:line:column" (or just file when the line is unknown).
  std::string where() const;
};

struct KeyValue {
  std::string key;
  Value value;            ///< YAML-typed (PyYAML 1.1 rules); null when absent
  bool has_value = false; ///< false when `value` was absent or null
  std::string description;
  Location loc;
};

struct Install {
  std::string venv;     ///< relative to the workspace; may be empty
  std::string command;  ///< shell command run inside the venv
  Location loc;
};

struct Task;

enum class StepKind { command, foreach, fork, nulldev };

/// One item of a `pipeline` or `commands` list.
struct Step {
  StepKind kind = StepKind::command;
  std::string command;        ///< raw, unrendered `command`
  std::string args;           ///< raw `args` (numbers as Python str() prints them)
  bool has_args = false;
  std::string venv;           ///< empty: none
  bool active = true;
  std::optional<double> timeout;  ///< seconds
  std::vector<Task> children;     ///< foreach / fork sub-tasks
  int parallel = 1;               ///< foreach: iterations at once
  Location loc;

  /// The original joins "<command> <args>"; with no args the line still ends
  /// in a space, which is harmless for /bin/sh and kept for compatibility.
  std::string command_line() const { return command + " " + args; }
};

enum class TaskMode { pipeline, commands, tasks };

struct Task {
  std::string name;
  std::string description;
  bool active = true;
  TaskMode mode = TaskMode::pipeline;
  std::vector<Step> steps;     ///< pipeline / commands
  std::vector<Task> subtasks;  ///< mode tasks: a nested group run in order
  std::optional<bool> kill_downstream_on_fail;  ///< unset: inherited
  std::optional<bool> kill_loop_on_fail;        ///< unset: inherited
  bool stdout_to_file = true;  ///< also read from the old key `stdout`
  bool stderr_to_file = true;  ///< also read from the old key `stderr`
  std::optional<double> timeout;  ///< seconds, the whole task
  /// Old format only: the last stage's stdout replaces this file (relative to
  /// the workspace) when the run produced any, else the previous one is kept.
  std::string state_file;
  Location loc;
};

/// A config/*.json file of the old format, embedded in the compiled config.
struct ConfigFile {
  std::string name;  ///< file name, e.g. "tap-config.json"
  std::string text;  ///< raw content
};

struct Project {
  std::filesystem::path dir;   ///< the project directory (-p)
  std::filesystem::path file;  ///< dir / "project.yml"
  bool old_format = false;     ///< the seed's v0.1.x layout (top-level `commands:`)
  Value raw;                   ///< the whole document, in key order (compiled config)
  std::vector<Install> installs;
  std::vector<KeyValue> vars;
  std::vector<KeyValue> envs;
  std::vector<KeyValue> secret_decls;  ///< `secrets:` declarations (no values)
  std::vector<Task> tasks;
  bool kill_downstream_on_fail = true;
  bool kill_loop_on_fail = true;
  std::optional<double> grace;  ///< seconds between SIGINT/SIGTERM/SIGKILL
  Value deploy;                 ///< mapping or null
  Value schedules;              ///< list or null
  std::vector<ConfigFile> config_files;  ///< old format: <dir>/config/*.json
};

}  // namespace handoff::project
