#pragma once
// Internal to project/: the machinery shared by load.cc and tasks.cc. A Loader
// collects every problem (file:line:column: path: message) instead of stopping
// at the first, and logs warnings (unknown keys with a "did you mean").
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "project/model.h"

namespace handoff::project::detail {

class Loader;

/// A mapping node checked against its known keys; duplicates resolved the
/// PyYAML way (last wins, with a warning). Unknown keys are warnings.
class Record {
 public:
  Record(Loader& loader, const YAML::Node& node, std::string path,
         const std::vector<std::string>& known_keys);

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  /// The key path of a field: "tasks[0].name".
  std::string path_of(std::string_view key) const;

  /// Typed fields. Absent and null give nullopt; a wrong type is a problem.
  std::optional<std::string> string(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;
  /// A positive number of seconds.
  std::optional<double> seconds(std::string_view key) const;
  /// A string, or a number printed as Python's str() does.
  std::optional<std::string> string_or_number(std::string_view key) const;
  /// The list node of a field (a present null is a problem when required).
  std::optional<YAML::Node> list(std::string_view key, bool null_ok = true) const;
  /// The value node, YAML-typed.
  std::optional<Value> value(std::string_view key) const;
  /// Mark of the value (or of the key when the value is null).
  const YAML::Node& at(std::string_view key) const;

 private:
  struct Field {
    std::string name;
    YAML::Node key;
    YAML::Node value;
  };
  const Field* find(std::string_view key) const;
  void wrong_type(const Field& f, std::string_view expected) const;

  Loader& loader_;
  YAML::Node node_;
  std::string path_;
  std::vector<Field> fields_;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  Location location(const YAML::Node& node, const std::string& path) const;
  /// Record "file:line:column: path: message".
  void problem(const YAML::Node& at, const std::string& path, std::string_view message);
  /// Same, at a location already taken.
  void problem(const Location& loc, std::string_view message);
  /// Log "file:line:column: message" as a warning.
  void warning(const YAML::Node& at, std::string_view message) const;
  size_t problem_count() const { return problems_.size(); }
  /// Throw the collected problems as one UsageError (nothing when there are none).
  void throw_if_problems() const;

  /// Check that node is a mapping; a problem when not.
  bool expect_map(const YAML::Node& node, const std::string& path);

  bool old_format = false;                   ///< command records may carry `installs`
  std::vector<Install>* installs = nullptr;  ///< old format: where step installs go

 private:
  std::string file_;
  struct Problem {
    int line;
    int column;
    std::string text;
  };
  void add(const Location& loc, std::string text);
  std::vector<Problem> problems_;
};

/// A key path for a list item: "tasks" + 1 → "tasks[1]".
std::string item_path(const std::string& list_path, size_t index);

/// Type of a node for messages, without converting containers.
std::string node_type_name(const YAML::Node& node);

// tasks.cc
Task parse_task(Loader& loader, const YAML::Node& node, const std::string& path);
std::vector<Task> parse_task_list(Loader& loader, const YAML::Node& list, const std::string& path);
/// Steps of a pipeline (in_pipeline) or commands list.
std::vector<Step> parse_steps(Loader& loader, const YAML::Node& list, const std::string& path,
                              bool in_pipeline);

}  // namespace handoff::project::detail
