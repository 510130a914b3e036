#include "project/schema.h"

#include <fmt/format.h>

#include <stdexcept>

namespace handoff::project::schema {

const std::vector<Section>& sections() {
  static const std::vector<Section> all = {
      {"top",
       "project.yml (top level)",
       "Every key is checked before anything runs; an unknown key is a warning with a "
       "\"did you mean\", a wrong type is an error naming file:line:column.",
       {
           {"version", "string or number", "informational"},
           {"description", "string", "informational"},
           {"installs", "list of install records", "what `handoff workspace install` runs"},
           {"vars", "list of {key, value}", "template variables; `-v KEY=VALUE` overrides them"},
           {"envs", "list of {key, value}",
            "environment variables for every task; without a value, taken from the secret of the "
            "same key"},
           {"secrets", "list of {key, level, description}",
            "declares the secrets the project expects; values belong in the secrets file, never here"},
           {"tasks", "list of task records", "the tasks, run one after another"},
           {"kill_downstream_on_fail", "bool, default true",
            "project-wide default: a failed task stops the tasks after it"},
           {"kill_loop_on_fail", "bool, default true",
            "project-wide default: a failed foreach iteration stops the loop"},
           {"deploy", "mapping", "the project's identity in the cloud (see deploy below)"},
           {"schedules", "list of schedule records", "cron schedules for `cloud schedule create`"},
           {"container", "mapping", "accepted and ignored, as in the original"},
           {"schedule", "any", "accepted and ignored (a spelling found in old projects)"},
           {"grace", "number (seconds)",
            "time between SIGINT, SIGTERM and SIGKILL when a run is stopped (default 10)"},
       }},
      {"installs",
       "installs[]",
       "Run by `handoff workspace install`, in order, each in its virtualenv.",
       {
           {"venv", "string", "virtualenv directory, relative to the workspace"},
           {"command", "string", "shell command run with that venv activated"},
           {"args", "string or number", "accepted, ignored (as in the original)"},
           {"description", "string", "informational"},
       }},
      {"key_value",
       "vars[], envs[], schedules[].envs[]",
       "Values keep their YAML type in vars; env values are strings and are not rendered.",
       {
           {"key", "string", "the name"},
           {"value", "any scalar", "the value"},
           {"description", "string", "informational"},
       }},
      {"secret_decl",
       "secrets[] (in project.yml)",
       "A declaration only: a value here is an error, so a secret is never committed by mistake.",
       {
           {"key", "string", "the secret's name"},
           {"level", "task or resource group", "where it is stored remotely"},
           {"description", "string", "informational"},
           {"value", "must be empty", "refused when set"},
       }},
      {"task",
       "tasks[] (also the children of foreach, fork and nested tasks)",
       "Exactly one of pipeline, commands or tasks.",
       {
           {"name", "string", "names the logs: artifacts/<name>_stdout.log, <name>_stderr.log"},
           {"description", "string", "informational"},
           {"active", "bool, default true", "false skips the task"},
           {"pipeline", "list of command records", "stages joined by pipes"},
           {"commands", "list of command records", "run one after another, stopping at the first failure"},
           {"tasks", "list of task records", "a nested group run one after another"},
           {"kill_downstream_on_fail", "bool", "overrides the project-wide default"},
           {"kill_loop_on_fail", "bool", "overrides the project-wide default (foreach)"},
           {"stdout_to_file", "bool, default true", "write stdout to artifacts/<name>_stdout.log"},
           {"stderr_to_file", "bool, default true", "write stderr to artifacts/<name>_stderr.log"},
           {"stdout", "bool", "old name of stdout_to_file (the new name wins)"},
           {"stderr", "bool", "old name of stderr_to_file (the new name wins)"},
           {"timeout", "number (seconds)", "stop the task after this long"},
       }},
      {"step",
       "pipeline[] and commands[] items (command records)",
       "A command record, or one of the control records foreach, fork, nulldev.",
       {
           {"command", "string", "program or shell snippet, rendered as a template"},
           {"args", "string or number", "appended after one space"},
           {"venv", "string", "virtualenv (relative to the workspace) activated for this command"},
           {"active", "bool, default true", "false skips the command"},
           {"timeout", "number (seconds)", "per-process timeout"},
           {"description", "string", "informational"},
           {"foreach", "list of task records", "a sub-task per line of the upstream stdout ({{ _line }})"},
           {"fork", "list of task records", "the upstream stream copied into several pipelines"},
           {"nulldev", "empty", "last in a pipeline: discard its output (no stdout log)"},
           {"parallel", "number", "foreach: iterations at once (default 1)"},
       }},
      {"schedule",
       "schedules[]",
       "Used by `handoff cloud schedule create|list|delete|explain`.",
       {
           {"target_id", "string or number (required)", "the schedule's id"},
           {"cron", "string", "AWS 6-field cron, e.g. `0 6 * * ? *`"},
           {"envs", "list of {key, value}", "container environment for this schedule (e.g. __VARS)"},
           {"description", "string", "informational"},
           {"name", "string", "informational"},
       }},
      {"deploy",
       "deploy",
       "Free-form: every key becomes HO_<KEY>; only their types are checked (scalars, "
       "platform_config a mapping). The keys handoff reads:",
       {
           {"cloud_provider", "string", "aws"},
           {"cloud_platform", "string", "fargate"},
           {"resource_group", "string", "the resource group: names parameters, buckets and stacks"},
           {"task", "string", "the task's name in the store and the cloud"},
           {"container_image", "string", "image and ECS container name"},
           {"image_version", "string or number", "image tag"},
           {"image_domain", "string", "registry host (default: the account's ECR)"},
           {"bucket", "string", "overrides the derived bucket name"},
           {"cpu", "number", "task CPU units (default 256)"},
           {"memory", "number", "task memory in MiB (default 512)"},
           {"platform_config", "mapping",
            "state_machine (default true), state_machine_timeout, retry_interval, max_retries, "
            "backoff_rate"},
           {"push_artifacts_on_fail", "bool, default true", "push artifacts after a failed remote run"},
       }},
      {"secret_file",
       ".secrets/<stage>_secrets.yml (and .secrets/secrets.yml for -s prod)",
       "A YAML list; the file should be 0600.",
       {
           {"key", "string (required)", "the secret's name, a template variable in commands and files"},
           {"value", "string", "the value"},
           {"file", "string", "a file under .secrets/ whose content is the value"},
           {"level", "task or resource group", "where it is stored remotely (default task)"},
           {"push", "bool, default true", "false keeps it out of `secrets push`"},
           {"description", "string", "informational"},
       }},
      {"old_top",
       "project.yml, old layout (v0.1.x): extra top-level key",
       "The seed's layout is read unchanged.",
       {
           {"commands", "list of command records", "the single pipeline of the old layout"},
       }},
      {"old_step",
       "old layout: extra command-record key",
       "",
       {
           {"installs", "list of strings", "install commands run in the record's venv"},
       }},
  };
  return all;
}

std::vector<std::string> key_names(std::string_view section_id) {
  for (const auto& s : sections()) {
    if (s.id != section_id) continue;
    std::vector<std::string> names;
    names.reserve(s.keys.size());
    for (const auto& k : s.keys) names.emplace_back(k.name);
    return names;
  }
  throw std::logic_error(fmt::format("project schema has no section '{}'", section_id));
}

std::string markdown() {
  std::string out =
      "# project.yml reference\n\n"
      "Generated from the code (`src/project/schema.cc`) by `handoff reference project-yml`; "
      "the loader accepts exactly these keys.\n";
  for (const auto& s : sections()) {
    out += fmt::format("\n## {}\n\n", s.title);
    if (!s.intro.empty()) out += fmt::format("{}\n\n", s.intro);
    out += "| key | type | meaning |\n|---|---|---|\n";
    for (const auto& k : s.keys) out += fmt::format("| `{}` | {} | {} |\n", k.name, k.type, k.meaning);
  }
  return out;
}

}  // namespace handoff::project::schema
