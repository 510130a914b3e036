// Task and command records (spec §1.4, §1.5), with the checks that need to
// see a whole pipeline: nothing runs after foreach/fork, nulldev comes last.
#include <fmt/format.h>

#include "project/loader.h"
#include "project/schema.h"
#include "project/yaml_value.h"
#include "util/log.h"

namespace handoff::project::detail {
namespace {

// The known keys come from the schema table that also writes the reference.
const std::vector<std::string>& task_keys() {
  static const std::vector<std::string> keys = schema::key_names("task");
  return keys;
}

const std::vector<std::string>& step_keys(bool old_format) {
  static const std::vector<std::string> keys = schema::key_names("step");
  static const std::vector<std::string> old_keys = [] {
    auto k = keys;
    for (auto& extra : schema::key_names("old_step")) k.push_back(std::move(extra));
    return k;
  }();
  return old_format ? old_keys : keys;
}

const char* kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::foreach:
      return "foreach";
    case StepKind::fork:
      return "fork";
    case StepKind::nulldev:
      return "nulldev";
    case StepKind::command:
      break;
  }
  return "command";
}

// `stdout_to_file` and its obsolete spelling `stdout` (our decision: honoured;
// the new name wins when both are written).
bool output_flag(Loader& loader, const Record& rec, const char* key, const char* old_key) {
  auto value = rec.boolean(key);
  if (rec.has(old_key)) {
    auto old = rec.boolean(old_key);
    loader.warning(rec.at(old_key),
                   fmt::format("'{}' in {} is obsolete; use '{}'", old_key, rec.path(), key));
    if (!value) value = old;
  }
  return value.value_or(true);
}

void parse_old_installs(Loader& loader, const Record& rec, const Step& step) {
  auto list = rec.list("installs");
  if (!list || loader.installs == nullptr) return;
  for (size_t i = 0; i < list->size(); ++i) {
    YAML::Node item = (*list)[i];
    std::string path = item_path(rec.path_of("installs"), i);
    Value v = item.IsScalar() ? resolve_scalar(item) : Value();
    if (!item.IsScalar() || !v.is_string()) {
      loader.problem(item, path, fmt::format("expected a string, got {}", node_type_name(item)));
      continue;
    }
    loader.installs->push_back(
        Install{step.venv, v.get<std::string>(), loader.location(item, path)});
  }
}

Step parse_step(Loader& loader, const YAML::Node& node, const std::string& path) {
  Step step;
  step.loc = loader.location(node, path);
  if (!loader.expect_map(node, path)) {
    step.active = false;
    return step;
  }
  Record rec(loader, node, path, step_keys(loader.old_format));
  step.active = rec.boolean("active").value_or(true);
  step.timeout = rec.seconds("timeout");
  step.venv = rec.string("venv").value_or("");
  rec.string("description");
  if (auto args = rec.string_or_number("args")) {
    step.args = *args;
    step.has_args = true;
  }
  auto command = rec.string("command");

  std::vector<std::string> kinds;
  for (const char* k : {"command", "foreach", "fork", "nulldev"}) {
    if (rec.has(k)) kinds.emplace_back(k);
  }
  if (kinds.size() > 1) {
    loader.problem(node, path,
                   "a command record can only have one of command, foreach, fork, nulldev");
  }
  if (rec.has("foreach")) {
    step.kind = StepKind::foreach;
  } else if (rec.has("fork")) {
    step.kind = StepKind::fork;
  } else if (rec.has("nulldev")) {
    step.kind = StepKind::nulldev;
  } else if (command) {
    step.command = *command;
  } else if (!rec.has("command")) {
    loader.problem(node, path, "missing 'command' (or one of foreach, fork, nulldev)");
  }

  if (step.kind == StepKind::foreach || step.kind == StepKind::fork) {
    const char* key = kind_name(step.kind);
    if (auto list = rec.list(key, false)) {
      step.children = parse_task_list(loader, *list, rec.path_of(key));
    }
  }
  if (step.kind == StepKind::fork) {
    for (const auto& child : step.children) {
      if (child.active && child.mode != TaskMode::pipeline) {
        loader.problem(child.loc, "a fork child must have a pipeline");
      }
    }
  }
  if (rec.has("parallel")) {
    auto parallel = rec.number("parallel");
    if (step.kind != StepKind::foreach) {
      loader.problem(rec.at("parallel"), rec.path_of("parallel"), "only valid beside foreach");
    } else if (parallel) {
      if (*parallel != static_cast<double>(static_cast<int>(*parallel)) || *parallel < 1) {
        loader.problem(rec.at("parallel"), rec.path_of("parallel"),
                       fmt::format("expected an integer of at least 1, got {}",
                                   python_str(rec.value("parallel").value_or(Value()))));
      } else {
        step.parallel = static_cast<int>(*parallel);
      }
    }
  }
  if (loader.old_format) parse_old_installs(loader, rec, step);
  return step;
}

}  // namespace

std::vector<Step> parse_steps(Loader& loader, const YAML::Node& list, const std::string& path,
                              bool in_pipeline) {
  std::vector<Step> steps;
  for (size_t i = 0; i < list.size(); ++i) {
    steps.push_back(parse_step(loader, list[i], item_path(path, i)));
  }
  if (!in_pipeline) {
    for (const auto& s : steps) {
      if (s.kind != StepKind::command) {
        loader.problem(s.loc, fmt::format("{} is only valid in a pipeline", kind_name(s.kind)));
      }
    }
    return steps;
  }
  // The original ignores whatever follows an active foreach or fork: keep
  // those steps, inactive, and say so.
  const Step* control = nullptr;
  for (auto& s : steps) {
    if (control != nullptr) {
      if (s.active) {
        log::warning("{}: you cannot place a command after {}; ignoring {}", s.loc.where(),
                     kind_name(control->kind), s.loc.path);
      }
      s.active = false;
    } else if (s.active && (s.kind == StepKind::foreach || s.kind == StepKind::fork)) {
      control = &s;
    }
  }
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    if (steps[i].active && steps[i].kind == StepKind::nulldev) {
      loader.problem(steps[i].loc, "nulldev is only valid as the last item of a pipeline");
    }
  }
  return steps;
}

Task parse_task(Loader& loader, const YAML::Node& node, const std::string& path) {
  Task task;
  task.loc = loader.location(node, path);
  if (!loader.expect_map(node, path)) {
    task.active = false;
    return task;
  }
  Record rec(loader, node, path, task_keys());
  task.name = rec.string("name").value_or("");
  task.description = rec.string("description").value_or("");
  task.active = rec.boolean("active").value_or(true);
  task.kill_downstream_on_fail = rec.boolean("kill_downstream_on_fail");
  task.kill_loop_on_fail = rec.boolean("kill_loop_on_fail");
  task.stdout_to_file = output_flag(loader, rec, "stdout_to_file", "stdout");
  task.stderr_to_file = output_flag(loader, rec, "stderr_to_file", "stderr");
  task.timeout = rec.seconds("timeout");

  int modes = static_cast<int>(rec.has("pipeline")) + static_cast<int>(rec.has("commands")) +
              static_cast<int>(rec.has("tasks"));
  if (modes != 1) {
    loader.problem(node, path, "a task record can only have one of tasks, pipeline, commands");
  }
  if (rec.has("pipeline")) {
    task.mode = TaskMode::pipeline;
    if (auto list = rec.list("pipeline", false)) {
      task.steps = parse_steps(loader, *list, rec.path_of("pipeline"), true);
    }
  } else if (rec.has("commands")) {
    task.mode = TaskMode::commands;
    if (auto list = rec.list("commands", false)) {
      task.steps = parse_steps(loader, *list, rec.path_of("commands"), false);
    }
  } else if (rec.has("tasks")) {
    task.mode = TaskMode::tasks;
    if (auto list = rec.list("tasks", false)) {
      task.subtasks = parse_task_list(loader, *list, rec.path_of("tasks"));
    }
  }
  return task;
}

std::vector<Task> parse_task_list(Loader& loader, const YAML::Node& list, const std::string& path) {
  std::vector<Task> tasks;
  for (size_t i = 0; i < list.size(); ++i) {
    tasks.push_back(parse_task(loader, list[i], item_path(path, i)));
  }
  return tasks;
}

}  // namespace handoff::project::detail
