// project.yml, current and old (v0.1.x) layouts (spec §1, §1.9). The whole
// file is checked before anything is returned: every problem is collected by
// the Loader and thrown as one UsageError.
#include "project/load.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "project/loader.h"
#include "project/schema.h"
#include "project/yaml_value.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::project {
namespace {

using detail::Loader;
using detail::Record;

// The known keys come from the schema table that also writes the reference.
std::vector<std::string> with_old(std::vector<std::string> keys, bool old_format, const char* extra) {
  if (old_format) {
    auto more = schema::key_names(extra);
    keys.insert(keys.end(), more.begin(), more.end());
  }
  return keys;
}

const std::vector<std::string>& top_keys(bool old_format) {
  static const std::vector<std::string> keys = with_old(schema::key_names("top"), false, "old_top");
  static const std::vector<std::string> old_keys = with_old(schema::key_names("top"), true, "old_top");
  return old_format ? old_keys : keys;
}

// The list items of a top-level key, each checked to be a mapping.
template <typename F>
void for_each_record(Loader& loader, const Record& top, std::string_view key,
                     const std::vector<std::string>& known, F&& f) {
  auto list = top.list(key);
  if (!list) return;
  std::string list_path = top.path_of(key);
  for (size_t i = 0; i < list->size(); ++i) {
    YAML::Node item = (*list)[i];
    std::string path = detail::item_path(list_path, i);
    if (!loader.expect_map(item, path)) continue;
    f(Record(loader, item, path, known), item);
  }
}

std::vector<KeyValue> parse_key_values(Loader& loader, const Record& top, std::string_view key) {
  std::vector<KeyValue> out;
  bool is_env = key == "envs";
  for_each_record(loader, top, key, schema::key_names("key_value"),
                  [&](const Record& rec, const YAML::Node& node) {
                    KeyValue kv;
                    kv.loc = loader.location(node, rec.path());
                    auto k = rec.string("key");
                    if (!k) {
                      if (!rec.has("key"))
                        loader.problem(node, rec.path(), "missing required key 'key'");
                      return;
                    }
                    kv.key = *k;
                    kv.description = rec.string("description").value_or("");
                    kv.value = rec.value("value").value_or(Value());
                    kv.has_value = !kv.value.is_null();
                    if (is_env && (kv.value.is_array() || kv.value.is_object())) {
                      loader.problem(rec.at("value"), rec.path_of("value"),
                                     fmt::format("expected a string, a number or a boolean, got {}",
                                                 detail::type_name(kv.value)));
                      return;
                    }
                    out.push_back(std::move(kv));
                  });
  return out;
}

std::vector<KeyValue> parse_secret_decls(Loader& loader, const Record& top) {
  std::vector<KeyValue> out;
  for_each_record(
      loader, top, "secrets", schema::key_names("secret_decl"),
      [&](const Record& rec, const YAML::Node& node) {
        KeyValue kv;
        kv.loc = loader.location(node, rec.path());
        auto k = rec.string("key");
        if (!k && !rec.has("key")) loader.problem(node, rec.path(), "missing required key 'key'");
        kv.key = k.value_or("");
        kv.description = rec.string("description").value_or("");
        rec.string("level");
        // Never echo the value: it is a secret written in the wrong place.
        if (rec.value("value").value_or(Value()).is_null() == false) {
          loader.problem(
              rec.at("value"), rec.path_of("value"),
              "secret values do not belong in project.yml; put them in the secrets file");
        }
        if (k) out.push_back(std::move(kv));
      });
  return out;
}

void parse_installs(Loader& loader, const Record& top, std::vector<Install>& installs) {
  for_each_record(loader, top, "installs", schema::key_names("installs"),
                  [&](const Record& rec, const YAML::Node& node) {
                    Install install;
                    install.loc = loader.location(node, rec.path());
                    install.venv = rec.string("venv").value_or("");
                    install.command = rec.string("command").value_or("");
                    rec.string_or_number("args");
                    rec.string("description");
                    installs.push_back(std::move(install));
                  });
}

void check_schedules(Loader& loader, const Record& top) {
  for_each_record(loader, top, "schedules", schema::key_names("schedule"),
                  [&](const Record& rec, const YAML::Node& node) {
                    if (!rec.string_or_number("target_id")) {
                      if (!rec.has("target_id")) {
                        loader.problem(node, rec.path(), "missing required key 'target_id'");
                      } else {
                        loader.problem(rec.at("target_id"), rec.path_of("target_id"),
                                       "expected a string or a number, got null");
                      }
                    }
                    rec.string("cron");
                    rec.string("description");
                    rec.string("name");
                    parse_key_values(loader, rec, "envs");
                  });
}

void check_deploy(Loader& loader, const Record& top, Project& project) {
  if (!top.has("deploy")) return;
  const YAML::Node& node = top.at("deploy");
  project.deploy = top.value("deploy").value_or(Value());
  if (project.deploy.is_null()) return;
  if (!project.deploy.is_object()) {
    loader.problem(node, "deploy",
                   fmt::format("expected a mapping, got {}", detail::type_name(project.deploy)));
    project.deploy = nullptr;
    return;
  }
  // Deploy keys are free-form (each becomes HO_<KEY>); only their types are checked.
  for (const auto& [key, value] : project.deploy.items()) {
    if (key == "platform_config") {
      if (!value.is_object() && !value.is_null()) {
        loader.problem(node, "deploy.platform_config",
                       fmt::format("expected a mapping, got {}", detail::type_name(value)));
      }
    } else if (value.is_array() || value.is_object()) {
      loader.problem(
          node, "deploy." + key,
          fmt::format("expected a string or a number, got {}", detail::type_name(value)));
    }
  }
}

// The old layout's single pipeline, as one task in pipeline mode.
void parse_old_commands(Loader& loader, const Record& top, Project& project) {
  Task task;
  task.name = "pipeline";
  task.mode = TaskMode::pipeline;
  task.state_file = "artifacts/state";
  task.loc = loader.location(top.at("commands"), "commands");
  loader.installs = &project.installs;
  if (auto list = top.list("commands", false)) {
    task.steps = detail::parse_steps(loader, *list, "commands", true);
  }
  loader.installs = nullptr;
  project.tasks.push_back(std::move(task));
}

std::string read_file(const std::filesystem::path& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  *ok = static_cast<bool>(in) || in.eof();
  return out.str();
}

// Old layout: <dir>/config/*.json, regular files only, not recursive, by name.
std::vector<ConfigFile> read_config_files(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::vector<ConfigFile> files;
  std::error_code ec;
  fs::path config_dir = dir / "config";
  if (!fs::is_directory(config_dir, ec)) return files;
  for (const auto& entry : fs::directory_iterator(config_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || name.size() < 5 ||
        name.compare(name.size() - 5, 5, ".json") != 0) {
      continue;
    }
    bool ok = false;
    std::string text = read_file(entry.path(), &ok);
    if (!ok) {
      throw UsageError(fmt::format("cannot read {}", entry.path().string()),
                       "check the file's permissions");
    }
    files.push_back(ConfigFile{std::move(name), std::move(text)});
  }
  std::sort(files.begin(), files.end(),
            [](const ConfigFile& a, const ConfigFile& b) { return a.name < b.name; });
  return files;
}

YAML::Node parse_yaml(std::string_view text, const std::string& file) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw UsageError(
        fmt::format("{}:{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg),
        "check the indentation and quoting around that line");
  }
}

}  // namespace

Project load_project_text(std::string_view yaml_text, const std::filesystem::path& dir,
                          const std::string& file) {
  // PyYAML refuses bytes that are not UTF-8; yaml-cpp would pass them on into
  // the compiled config and SSM.
  if (!util::is_valid_utf8(yaml_text)) {
    throw UsageError(file + " is not UTF-8 text", "save the project file as UTF-8");
  }
  YAML::Node root = parse_yaml(yaml_text, file);
  Project project;
  project.dir = dir;
  project.file = dir / "project.yml";
  Loader loader(file);
  if (!root.IsMap()) {
    loader.problem(
        root, {},
        fmt::format("expected a mapping of top-level keys, got {}", detail::node_type_name(root)));
    loader.throw_if_problems();
  }
  project.raw = detail::node_to_value(root);
  project.old_format = project.raw.contains("commands") && !project.raw.contains("tasks");
  loader.old_format = project.old_format;

  Record top(loader, root, {}, top_keys(project.old_format));
  top.string_or_number("version");
  top.string("description");
  parse_installs(loader, top, project.installs);
  project.vars = parse_key_values(loader, top, "vars");
  project.envs = parse_key_values(loader, top, "envs");
  project.secret_decls = parse_secret_decls(loader, top);
  project.kill_downstream_on_fail = top.boolean("kill_downstream_on_fail").value_or(true);
  project.kill_loop_on_fail = top.boolean("kill_loop_on_fail").value_or(true);
  if (auto grace = top.number("grace")) {
    if (*grace >= 0) {
      project.grace = grace;
    } else {
      loader.problem(top.at("grace"), "grace",
                     fmt::format("expected a number of seconds of at least 0, got {}",
                                 detail::python_str(*grace)));
    }
  }
  check_deploy(loader, top, project);
  check_schedules(loader, top);
  if (top.has("schedules")) project.schedules = top.value("schedules").value_or(Value());
  if (project.old_format) {
    parse_old_commands(loader, top, project);
  } else if (auto tasks = top.list("tasks")) {
    project.tasks = detail::parse_task_list(loader, *tasks, "tasks");
  }
  loader.throw_if_problems();
  return project;
}

Project load_project(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  fs::path path = dir / "project.yml";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw UsageError(
        fmt::format("{} not found", fs::absolute(path, ec).lexically_normal().string()),
        "pass -p DIR with a project.yml, or run handoff init");
  }
  bool ok = false;
  std::string text = read_file(path, &ok);
  if (!ok || fs::is_directory(path, ec)) {
    throw UsageError(fmt::format("cannot read {}", path.string()), "check the file's permissions");
  }
  Project project = load_project_text(text, dir, path.lexically_normal().string());
  if (project.old_format) project.config_files = read_config_files(dir);
  return project;
}

Value yaml_to_value(const std::string& yaml_text) {
  return detail::node_to_value(parse_yaml(yaml_text, "<text>"));
}

}  // namespace handoff::project
