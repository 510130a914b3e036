#include "project/load.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "project/test_util.h"
#include "util/error.h"

namespace handoff::project {
namespace {

using testing::TempDir;

Project load(const std::string& yaml) { return load_project_text(yaml, "proj", "project.yml"); }

// Load, expecting an Error; return it.
Error load_error(const std::string& yaml) {
  try {
    load(yaml);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return Error("none");
}

// Load, returning what was written to stderr (warnings).
std::string load_warnings(const std::string& yaml, Project* out = nullptr) {
  ::testing::internal::CaptureStderr();
  Project p;
  try {
    p = load(yaml);
  } catch (...) {
    ::testing::internal::GetCapturedStderr();
    throw;
  }
  if (out != nullptr) *out = p;
  return ::testing::internal::GetCapturedStderr();
}

TEST(LoadProject, LoadsCurrentFormat) {
  Project p = load(R"(version: 0.4.0
description: test
installs:
  - venv: tap
    command: pip install tap-x
vars:
  - key: file_path
    value: files/a.txt
  - key: n
    value: 7
envs:
  - key: TITLE
    value: The Great Dictator
  - key: FROM_SECRET
secrets:
  - key: password
    level: resource group
kill_downstream_on_fail: false
grace: 2.5
deploy:
  resource_group: rg
  task: t
tasks:
  - name: word_count
    active: False
    pipeline:
      - command: cat
        args: files/a.txt
        venv: tap
        timeout: 10
      - command: wc
        args: -w
  - name: show
    commands:
      - command: echo $TITLE
  - name: group
    kill_loop_on_fail: no
    tasks:
      - name: inner
        pipeline:
          - command: ls
)");
  EXPECT_FALSE(p.old_format);
  ASSERT_EQ(p.installs.size(), 1u);
  EXPECT_EQ(p.installs[0].venv, "tap");
  EXPECT_EQ(p.installs[0].command, "pip install tap-x");
  ASSERT_EQ(p.vars.size(), 2u);
  EXPECT_EQ(p.vars[1].value, Value(7));
  ASSERT_EQ(p.envs.size(), 2u);
  EXPECT_TRUE(p.envs[0].has_value);
  EXPECT_FALSE(p.envs[1].has_value);
  ASSERT_EQ(p.secret_decls.size(), 1u);
  EXPECT_EQ(p.secret_decls[0].key, "password");
  EXPECT_FALSE(p.kill_downstream_on_fail);
  EXPECT_TRUE(p.kill_loop_on_fail);
  EXPECT_EQ(p.grace, 2.5);
  EXPECT_EQ(p.deploy["task"], "t");
  ASSERT_EQ(p.tasks.size(), 3u);

  const Task& wc = p.tasks[0];
  EXPECT_EQ(wc.name, "word_count");
  EXPECT_FALSE(wc.active);
  EXPECT_EQ(wc.mode, TaskMode::pipeline);
  ASSERT_EQ(wc.steps.size(), 2u);
  EXPECT_EQ(wc.steps[0].command_line(), "cat files/a.txt");
  EXPECT_EQ(wc.steps[0].venv, "tap");
  EXPECT_EQ(wc.steps[0].timeout, 10.0);
  EXPECT_EQ(wc.steps[1].loc.where(), "project.yml:31:9");
  EXPECT_EQ(wc.steps[1].loc.path, "tasks[0].pipeline[1]");

  EXPECT_EQ(p.tasks[1].mode, TaskMode::commands);
  EXPECT_EQ(p.tasks[1].steps[0].command_line(), "echo $TITLE ");
  EXPECT_FALSE(p.tasks[1].steps[0].has_args);
  EXPECT_FALSE(p.tasks[1].kill_downstream_on_fail.has_value());

  EXPECT_EQ(p.tasks[2].mode, TaskMode::tasks);
  EXPECT_EQ(p.tasks[2].kill_loop_on_fail, false);
  ASSERT_EQ(p.tasks[2].subtasks.size(), 1u);
  EXPECT_EQ(p.tasks[2].subtasks[0].steps[0].command, "ls");
}

TEST(LoadProject, KeepsDocumentOrderInRaw) {
  Project p = load("tasks: []\nzeta: 1\nalpha: {b: 1, a: 2}\n");
  EXPECT_EQ(p.raw.dump(), R"({"tasks":[],"zeta":1,"alpha":{"b":1,"a":2}})");
}

TEST(LoadProject, ReportsWrongTypeWithPath) {
  Error e = load_error(R"(tasks:
  - name: a
    pipeline:
      - command: cat
        args: {x: 1}
)");
  EXPECT_STREQ(
      e.what(),
      "project.yml:5:15: tasks[0].pipeline[0].args: expected a string or a number, got a mapping");
  EXPECT_EQ(e.exit_code(), 2);
  EXPECT_EQ(e.hint(), "fix project.yml and try again");
}

TEST(LoadProject, CollectsAllProblemsInOneError) {
  Error e = load_error(R"(kill_loop_on_fail: maybe
tasks:
  - name: [a]
    active: 1
    pipeline:
      - args: x
  - name: b
    pipeline: []
    commands: []
)");
  EXPECT_STREQ(
      e.what(),
      "project.yml has 5 problems:\n"
      "  project.yml:1:20: kill_loop_on_fail: expected a boolean, got a string\n"
      "  project.yml:3:11: tasks[0].name: expected a string, got a list\n"
      "  project.yml:4:13: tasks[0].active: expected a boolean, got an integer\n"
      "  project.yml:6:9: tasks[0].pipeline[0]: missing 'command' (or one of foreach, fork, "
      "nulldev)\n"
      "  project.yml:7:5: tasks[1]: a task record can only have one of tasks, pipeline, commands");
  EXPECT_EQ(e.exit_code(), 2);
}

TEST(LoadProject, TaskNeedsOneMode) {
  Error e = load_error("tasks:\n  - name: a\n");
  EXPECT_STREQ(
      e.what(),
      "project.yml:2:5: tasks[0]: a task record can only have one of tasks, pipeline, commands");
}

TEST(LoadProject, UnknownKeysAreWarningsWithSuggestion) {
  Project p;
  std::string err = load_warnings(R"(version: 0.3.0

descriptoin: typo
tasks:
  - name: a
    pipeline:
      - comand: ls
        command: ls
)",
                                  &p);
  EXPECT_NE(err.find("project.yml:3:1: unknown key 'descriptoin' (did you mean 'description'?)\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("project.yml:7:9: unknown key 'comand' in tasks[0].pipeline[0] (did you mean "
                     "'command'?)\n"),
            std::string::npos)
      << err;
  EXPECT_EQ(p.tasks[0].steps[0].command, "ls");
}

TEST(LoadProject, UnknownKeyFarFromAnyHasNoSuggestion) {
  std::string err = load_warnings("tasks: []\nxyzzy_plugh: 1\n");
  EXPECT_NE(err.find("project.yml:2:1: unknown key 'xyzzy_plugh'\n"), std::string::npos) << err;
}

TEST(LoadProject, DuplicateKeyLastWinsWithWarning) {
  Project p;
  std::string err = load_warnings(R"(tasks:
  - name: first
    name: second
    commands: [{command: ls}]
)",
                                  &p);
  EXPECT_EQ(p.tasks[0].name, "second");
  EXPECT_EQ(p.raw["tasks"][0]["name"], "second");
  EXPECT_NE(err.find("project.yml:3:5: duplicate key 'name' in tasks[0]; the last one wins"),
            std::string::npos)
      << err;
}

TEST(LoadProject, AppliesMergeKeys) {
  Project p = load(R"(base: &base
  command: ls
  args: -l
tasks:
  - name: a
    commands:
      - <<: *base
        args: -a
)");
  EXPECT_EQ(p.tasks[0].steps[0].command_line(), "ls -a");
  EXPECT_EQ(p.raw["tasks"][0]["commands"][0].dump(), R"({"command":"ls","args":"-a"})");
}

TEST(LoadProject, NumericArgsPrintLikePython) {
  Project p = load(R"(tasks:
  - name: a
    commands:
      - {command: sleep, args: 1.0}
      - {command: sleep, args: 5}
      - {command: sleep, args: 0x10}
      - {command: sleep, args: '007'}
)");
  EXPECT_EQ(p.tasks[0].steps[0].args, "1.0");
  EXPECT_EQ(p.tasks[0].steps[1].args, "5");
  EXPECT_EQ(p.tasks[0].steps[2].args, "16");
  EXPECT_EQ(p.tasks[0].steps[3].args, "007");
}

TEST(LoadProject, ControlRecords) {
  Project p;
  std::string err = load_warnings(R"(tasks:
  - name: gen
    pipeline:
      - command: cat in.txt
      - foreach:
          - name: child
            pipeline:
              - command: touch out_{{ _line }}
        parallel: 4
      - command: never
  - name: f
    pipeline:
      - command: cat in.txt
      - fork:
          - name: x
            pipeline: [{command: wc}]
          - name: disabled
            active: false
            commands: [{command: ls}]
  - name: n
    pipeline:
      - command: cat
      - nulldev:
        active: false
)",
                                  &p);
  const Task& gen = p.tasks[0];
  ASSERT_EQ(gen.steps.size(), 3u);
  EXPECT_EQ(gen.steps[1].kind, StepKind::foreach);
  EXPECT_EQ(gen.steps[1].parallel, 4);
  ASSERT_EQ(gen.steps[1].children.size(), 1u);
  EXPECT_EQ(gen.steps[1].children[0].loc.path, "tasks[0].pipeline[1].foreach[0]");
  EXPECT_FALSE(gen.steps[2].active);
  EXPECT_NE(err.find("project.yml:10:9: you cannot place a command after foreach; ignoring "
                     "tasks[0].pipeline[2]"),
            std::string::npos)
      << err;
  EXPECT_EQ(p.tasks[1].steps[1].kind, StepKind::fork);
  EXPECT_EQ(p.tasks[1].steps[1].children.size(), 2u);
  EXPECT_EQ(p.tasks[2].steps[1].kind, StepKind::nulldev);
  EXPECT_FALSE(p.tasks[2].steps[1].active);
}

TEST(LoadProject, ControlRecordErrors) {
  Error e = load_error(R"(tasks:
  - name: a
    pipeline:
      - command: cat
      - nulldev: true
      - command: wc
        parallel: 2
  - name: b
    commands:
      - foreach: []
  - name: c
    pipeline:
      - command: cat
      - fork:
          - name: x
            commands: [{command: ls}]
        parallel: 0
      - command: cat
        foreach: []
)");
  EXPECT_STREQ(
      e.what(),
      "project.yml has 6 problems:\n"
      "  project.yml:5:9: tasks[0].pipeline[1]: nulldev is only valid as the last item of a "
      "pipeline\n"
      "  project.yml:7:19: tasks[0].pipeline[2].parallel: only valid beside foreach\n"
      "  project.yml:10:9: tasks[1].commands[0]: foreach is only valid in a pipeline\n"
      "  project.yml:15:13: tasks[2].pipeline[1].fork[0]: a fork child must have a pipeline\n"
      "  project.yml:17:19: tasks[2].pipeline[1].parallel: only valid beside foreach\n"
      "  project.yml:18:9: tasks[2].pipeline[2]: a command record can only have one of command, "
      "foreach, fork, nulldev");
}

TEST(LoadProject, ParallelMustBeAPositiveInteger) {
  Error e = load_error(R"(tasks:
  - name: a
    pipeline:
      - command: cat
      - foreach: [{name: c, commands: [{command: ls}]}]
        parallel: 0
)");
  EXPECT_STREQ(
      e.what(),
      "project.yml:6:19: tasks[0].pipeline[1].parallel: expected an integer of at least 1, got 0");
}

TEST(LoadProject, TimeoutsMustBePositive) {
  Error e = load_error(R"(grace: -1
tasks:
  - name: a
    timeout: 0
    commands: [{command: ls, timeout: '5'}]
)");
  EXPECT_STREQ(
      e.what(),
      "project.yml has 3 problems:\n"
      "  project.yml:1:8: grace: expected a number of seconds of at least 0, got -1.0\n"
      "  project.yml:4:14: tasks[0].timeout: expected a number of seconds greater than 0, got 0.0\n"
      "  project.yml:5:39: tasks[0].commands[0].timeout: expected a number, got a string");
}

TEST(LoadProject, HonoursObsoleteOutputKeys) {
  Project p;
  std::string err = load_warnings(R"(tasks:
  - name: a
    stdout: False
    stderr_to_file: false
    stderr: true
    commands: [{command: ls}]
)",
                                  &p);
  EXPECT_FALSE(p.tasks[0].stdout_to_file);
  EXPECT_FALSE(p.tasks[0].stderr_to_file);  // the new name wins
  EXPECT_NE(err.find("project.yml:3:13: 'stdout' in tasks[0] is obsolete; use 'stdout_to_file'"),
            std::string::npos)
      << err;
}

TEST(LoadProject, SecretValueInProjectIsAnErrorThatDoesNotEchoIt) {
  Error e = load_error("secrets:\n  - key: pw\n    value: hunter2\ntasks: []\n");
  EXPECT_STREQ(
      e.what(),
      "project.yml:3:12: secrets[0].value: secret values do not belong in project.yml; put "
      "them in the secrets file");
  EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
}

TEST(LoadProject, KeyValueNeedsKey) {
  Error e = load_error("vars:\n  - value: 1\ntasks: []\n");
  EXPECT_STREQ(e.what(), "project.yml:2:5: vars[0]: missing required key 'key'");
}

TEST(LoadProject, TopLevelMustBeAMapping) {
  Error e = load_error("- a\n- b\n");
  EXPECT_STREQ(e.what(), "project.yml:1:1: expected a mapping of top-level keys, got a list");
}

TEST(LoadProject, ReportsInvalidYaml) {
  Error e = load_error("tasks:\n  - name: [a\n");
  EXPECT_STREQ(e.what(), "project.yml:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(e.exit_code(), 2);
}

TEST(LoadProject, MissingFileNamesFullPath) {
  TempDir dir;
  try {
    load_project(dir.path());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path() / "project.yml").string() + " not found");
    EXPECT_EQ(e.hint(), "pass -p DIR with a project.yml, or run handoff init");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(LoadProject, LoadsFromDirectory) {
  TempDir dir;
  dir.write("project.yml", "tasks:\n  - name: a\n    commands: [{command: ls, args: [x]}]\n");
  try {
    load_project(dir.path());
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string file = (dir.path() / "project.yml").string();
    EXPECT_EQ(std::string(e.what()),
              file + ":3:36: tasks[0].commands[0].args: expected a string or a number, got a list");
    EXPECT_EQ(e.hint(), "fix " + file + " and try again");
  }
}

TEST(LoadProject, LoadsOldFormatWithConfigFiles) {
  TempDir dir;
  dir.write("project.yml", R"(commands:
  - command: tap-exchangeratesapi
    args: "--config config/tap-config.json"
    venv: proc_01
    installs:
      - "pip install tap-exchangeratesapi"
  - command: "python files/stats_collector.py"
    venv: proc_01
  - command: target-csv
    venv: proc_02
    installs: ["pip install target-csv", "pip install x"]
envs:
  - key: GOOGLE_APPLICATION_CREDENTIALS
    value: config/google_client_secret.json
)");
  dir.write("config/tap-config.json", "{ \"base\": \"JPY\" }\n");
  dir.write("config/a.json", "{}");
  dir.write("config/notes.txt", "x");
  dir.write("config/sub/nested.json", "{}");
  Project p = load_project(dir.path());
  EXPECT_TRUE(p.old_format);
  ASSERT_EQ(p.tasks.size(), 1u);
  const Task& t = p.tasks[0];
  EXPECT_EQ(t.name, "pipeline");
  EXPECT_EQ(t.mode, TaskMode::pipeline);
  EXPECT_EQ(t.state_file, "artifacts/state");
  ASSERT_EQ(t.steps.size(), 3u);
  EXPECT_EQ(t.steps[0].command_line(), "tap-exchangeratesapi --config config/tap-config.json");
  EXPECT_EQ(t.steps[2].venv, "proc_02");
  ASSERT_EQ(p.installs.size(), 3u);
  EXPECT_EQ(p.installs[0].venv, "proc_01");
  EXPECT_EQ(p.installs[0].command, "pip install tap-exchangeratesapi");
  EXPECT_EQ(p.installs[2].venv, "proc_02");
  EXPECT_EQ(p.installs[2].command, "pip install x");
  EXPECT_EQ(p.envs[0].key, "GOOGLE_APPLICATION_CREDENTIALS");
  ASSERT_EQ(p.config_files.size(), 2u);
  EXPECT_EQ(p.config_files[0].name, "a.json");
  EXPECT_EQ(p.config_files[1].name, "tap-config.json");
  EXPECT_EQ(p.config_files[1].text, "{ \"base\": \"JPY\" }\n");
  EXPECT_EQ(p.raw.begin().key(), "commands");
  EXPECT_EQ(p.raw["commands"][0]["installs"][0], "pip install tap-exchangeratesapi");
}

TEST(LoadProject, CommandsBesideTasksIsNotOldFormat) {
  Project p;
  std::string err = load_warnings("commands: []\ntasks: []\n", &p);
  EXPECT_FALSE(p.old_format);
  EXPECT_NE(err.find("project.yml:1:1: unknown key 'commands'"), std::string::npos) << err;
}

TEST(LoadProject, InstallsOnCommandsOnlyInOldFormat) {
  std::string err =
      load_warnings("tasks:\n  - name: a\n    commands:\n      - {command: ls, installs: [x]}\n");
  EXPECT_NE(err.find("unknown key 'installs' in tasks[0].commands[0]"), std::string::npos) << err;
}

// Expected values come from PyYAML 6 (yaml.full_load) on python3.
TEST(YamlToValue, ResolvesScalarsLikePyYaml) {
  struct Case {
    const char* text;
    Value expected;
  };
  const Case cases[] = {
      {"True", true},
      {"true", true},
      {"TRUE", true},
      {"yes", true},
      {"Yes", true},
      {"on", true},
      {"On", true},
      {"ON", true},
      {"False", false},
      {"no", false},
      {"off", false},
      {"Off", false},
      {"tRue", "tRue"},
      {"y", "y"},
      {"n", "n"},
      {"~", nullptr},
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"", nullptr},
      {"nUll", "nUll"},
      {"0x1F", 31},
      {"-0x1F", -31},
      {"0o17", "0o17"},
      {"017", 15},
      {"018", "018"},
      {"09", "09"},
      {"00", 0},
      {"1_000", 1000},
      {"0b101", 5},
      {"+1", 1},
      {"-0", 0},
      {"1:30", 90},
      {"190:20:30", 685230},
      {"1.5", 1.5},
      {".5", 0.5},
      {"-.5", "-.5"},
      {"+0.5", 0.5},
      {"1.", 1.0},
      {"0.", 0.0},
      {"1_0.5", 10.5},
      {"1e3", "1e3"},
      {"1e+3", "1e+3"},
      {"1.0e3", "1.0e3"},
      {"1.0E3", "1.0E3"},
      {"6.8523015e+5", 685230.15},
      {"685.230_15e+03", 685230.15},
      {"1.5e", "1.5e"},
      {"--1", "--1"},
      {"2021-01-01", "2021-01-01"},
      {"'1'", "1"},
      {"\"true\"", "true"},
      {"'~'", "~"},
      {"!!str 3", "3"},
      {"!!float 3", 3.0},
      {"12345678901234567890", 12345678901234567890ull},
  };
  for (const auto& c : cases) {
    Value v = yaml_to_value(std::string("a: ") + c.text)["a"];
    EXPECT_EQ(v, c.expected) << "for " << c.text << " got " << v.dump();
    EXPECT_EQ(v.type(), c.expected.type()) << "for " << c.text << " got " << v.dump();
  }
  EXPECT_TRUE(std::isinf(yaml_to_value("a: .inf")["a"].get<double>()));
  EXPECT_LT(yaml_to_value("a: -.inf")["a"].get<double>(), 0);
  EXPECT_TRUE(std::isnan(yaml_to_value("a: .NaN")["a"].get<double>()));
  EXPECT_TRUE(std::isnan(yaml_to_value("a: .nan")["a"].get<double>()));
  EXPECT_EQ(yaml_to_value("a: |\n  x\n  y\n")["a"], "x\ny\n");
}

}  // namespace
}  // namespace handoff::project
