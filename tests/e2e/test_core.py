"""issue 2 (core): CLI, bad input, templating, secrets and the first half of the runner."""
import json
import os
import re
import stat
import unittest

from harness import EXAMPLES, HANDOFF_BIN, HandoffTestCase

SIMPLE = """\
version: 0.5.0
tasks:
  - name: hello
    pipeline:
      - command: echo
        args: hello
"""


class Cli(HandoffTestCase):
    def test_version(self):
        """issue 2 scope 9: --version prints the version and exits 0."""
        res = self.handoff("--version")
        self.assertExit(res, 0)
        self.assertRegex(res.stdout + res.stderr, r"\d+\.\d+\.\d+", res.describe())

    def test_help_on_every_command(self):
        """issue 2 scope 6/9: --help on every command, exit codes documented."""
        for cmd in ([], ["run", "local"], ["workspace", "install"], ["install"],
                    ["show_commands"], ["project", "show"]):
            res = self.handoff(*cmd, "--help")
            self.assertExit(res, 0)
            self.assertIn("usage", (res.stdout + res.stderr).lower(), res.describe())
        res = self.handoff("run", "local", "--help")
        text = res.stdout + res.stderr
        for code in ("124", "128"):
            self.assertIn(code, text, "exit codes must be documented in --help%s" % res.describe())
        for opt in ("--project", "--workspace", "--vars", "--envs", "--stage", "--strict",
                    "--timeout", "--grace"):
            self.assertIn(opt, text, res.describe())
        self.assertNoArtifactLogs()

    def test_run_without_project_is_usage_error(self):
        """issue 2 scope 6: usage error -> exit 2, one clean error line."""
        res = self.handoff("run", "local", "-w", self.ws)
        self.assertCleanError(res, 2)

    def test_unknown_option_is_usage_error(self):
        """issue 2 scope 6: an unknown option is a usage error (exit 2)."""
        proj = self.write_project(SIMPLE)
        res = self.run_local(proj, "--no-such-option")
        self.assertCleanError(res, 2, "--no-such-option")
        self.assertNoArtifactLogs(res)

    def test_long_option_forms_of_both_eras(self):
        """issue 2 scope 9: --project-dir/--workspace-dir and --project/--workspace, --vars, --stage."""
        proj = self.write_project(SIMPLE.replace("args: hello", "args: '{{ who }}-{{ _stage }}'"))
        res = self.handoff("run", "local", "--project-dir", proj, "--workspace-dir", self.ws,
                           "--vars", "who=a", "--stage", "x")
        self.assertExit(res, 0)
        self.assertArtifact("hello_stdout.log", "a-x\n", res)
        res = self.handoff("run", "local", "--project", proj, "--workspace", self.ws,
                           "--vars", "who=b", "--stage", "prod")
        self.assertExit(res, 0)
        self.assertArtifact("hello_stdout.log", "b-\n", res)

    def test_envs_option(self):
        """issue 2 scope 9: -e k=v is exported to the children's environment."""
        proj = self.write_project(SIMPLE.replace("args: hello", "args: \"[$MY_SETTING]\""))
        res = self.run_local(proj, "-e", "MY_SETTING=forty two")
        self.assertExit(res, 0)
        self.assertArtifact("hello_stdout.log", "[forty two]\n", res)

    def test_json_log_format(self):
        """issue 2 scope 7: --log-format json gives one JSON object per stderr line."""
        res = self.run_local(self.write_project(SIMPLE), "--log-format", "json")
        self.assertExit(res, 0)
        lines = [l for l in res.stderr.splitlines() if l.strip()]
        self.assertTrue(lines, res.describe())
        objs = []
        for line in lines:
            try:
                objs.append(json.loads(line))
            except ValueError:
                self.fail("not JSON: %r%s" % (line, res.describe()))
        self.assertTrue(any("Job started at" in json.dumps(o) for o in objs), res.describe())
        self.assertTrue(any("Job ended at" in json.dumps(o) for o in objs), res.describe())

    def test_log_level_warning_hides_info(self):
        """issue 2 scope 7: -l warning hides INFO lines."""
        res = self.run_local(self.write_project(SIMPLE), "-l", "warning")
        self.assertExit(res, 0)
        self.assertEqual(res.log_lines("INFO"), [], res.describe())
        self.assertArtifact("hello_stdout.log", "hello\n", res)


class BadInput(HandoffTestCase):
    def test_malformed_yaml(self):
        """issue 2 bad input: malformed YAML -> exit 2, file:line in the message, nothing written."""
        text = ("version: 0.5.0\n"                 # 1
                "tasks:\n"                          # 2
                "  - name: a\n"                     # 3
                "    pipeline:\n"                   # 4
                "      - command: echo \"unterminated\n"  # 5
                "        args: [1, 2\n"             # 6
                "  - name: b\n")                    # 7
        proj = self.write_project(text, files={"x.txt": "x"})
        res = self.run_local(proj)
        self.assertCleanError(res, 2, "project.yml")
        m = re.search(r"project\.yml:(\d+)(?::(\d+))?", res.stderr)
        self.assertTrue(m, "no file:line in message%s" % res.describe())
        self.assertTrue(5 <= int(m.group(1)) <= 7, "line %s not near the error (5-7)%s"
                        % (m.group(1), res.describe()))
        self.assertNothingRan(res)

    def test_wrong_type_names_key_path(self):
        """issue 2 bad input: a wrong type -> exit 2, file:line:column and the key path."""
        text = ("version: 0.5.0\n"
                "tasks:\n"
                "  - name: ok\n"
                "    pipeline:\n"
                "      - command: echo ok\n"
                "  - name: bad\n"
                "    pipeline:\n"
                "      - command: echo\n"
                "        args:\n"
                "          nested: mapping\n")
        proj = self.write_project(text)
        res = self.run_local(proj)
        self.assertCleanError(res, 2, "tasks[1].pipeline[0].args")
        self.assertRegex(res.stderr, r"project\.yml:(9|10):\d+", res.describe())
        self.assertNothingRan(res)

    def test_all_problems_reported_together(self):
        """issue 2 scope 2: every schema problem is reported in one go."""
        text = ("tasks:\n"
                "  - name: a\n"
                "    active: [1]\n"
                "    pipeline:\n"
                "      - command: {x: 1}\n"
                "  - name: b\n"
                "    commands: 5\n")
        res = self.run_local(self.write_project(text))
        self.assertCleanError(res, 2, "tasks[0].active", "tasks[0].pipeline[0].command",
                              "tasks[1].commands")
        self.assertNothingRan(res)

    def test_missing_project_yml(self):
        """issue 2 bad input: missing project.yml -> exit 2, names the file."""
        empty = os.path.join(self.tmp, "empty_project")
        os.makedirs(empty)
        res = self.run_local(empty)
        self.assertCleanError(res, 2, "project.yml")
        self.assertNothingRan(res)

    def test_template_syntax_error_in_files(self):
        """issue 2 bad input: a files/ template with a syntax error -> exit 2, file and line named, nothing run."""
        proj = self.write_project(
            SIMPLE + "  - name: marker\n    commands:\n      - command: touch artifacts/RAN\n",
            files={"a_good.txt": "fine {{ x | default('y') }}\n",
                   "bad.txt": "line one\nline two {{ name \nline three\n"})
        res = self.run_local(proj)
        self.assertCleanError(res, 2, "bad.txt")
        self.assertRegex(res.stderr, r"bad\.txt:(2|3)", res.describe())
        self.assertFalse(os.path.exists(self.artifact_path("RAN")))
        self.assertNothingRan(res)

    def test_template_syntax_error_in_command(self):
        """issue 2 bad input: a malformed template in a command -> exit 2 before anything ran."""
        text = SIMPLE + ("  - name: second\n"
                         "    commands:\n"
                         "      - command: echo {% if x %}unclosed\n")
        res = self.run_local(self.write_project(text))
        self.assertCleanError(res, 2, "tasks[1].commands[0]")
        self.assertNothingRan(res)

    def test_unreadable_secrets_file(self):
        """issue 2 bad input: an unreadable secrets file -> exit 2 naming it, value never shown."""
        cases = {}
        if os.geteuid() != 0:
            cases["chmod000"] = None
        cases["directory"] = None
        cases["invalid_yaml"] = "- key: token\n  value: s3cr3t-in-bad-yaml\n - key: [broken\n"
        cases["invalid_utf8"] = b"- key: token\n  value: \xff\xfe\xfa\n"
        for case, content in cases.items():
            with self.subTest(case=case):
                proj = self.write_project(SIMPLE, name=case)
                secrets = os.path.join(proj, ".secrets", "dev_secrets.yml")
                os.makedirs(os.path.dirname(secrets), exist_ok=True)
                if case == "directory":
                    os.makedirs(secrets)
                elif case == "chmod000":
                    with open(secrets, "w") as f:
                        f.write("- key: token\n  value: abc\n")
                    os.chmod(secrets, 0)
                else:
                    with open(secrets, "wb" if isinstance(content, bytes) else "w") as f:
                        f.write(content)
                ws = os.path.join(self.tmp, case + "_ws")
                res = self.run_local(proj, workspace=ws)
                self.assertCleanError(res, 2, "dev_secrets.yml")
                self.assertNotIn("s3cr3t-in-bad-yaml", res.stderr)
                self.assertFalse(os.path.exists(os.path.join(ws, "artifacts", "hello_stdout.log")),
                                 res.describe())

    def test_secret_without_value_or_file(self):
        """spec 3.1: a task-level secret with neither value nor file is an error (exit 2)."""
        proj = self.write_project(SIMPLE, secrets={"dev_secrets.yml": "- key: lonely\n"})
        res = self.run_local(proj)
        self.assertCleanError(res, 2, "lonely")
        self.assertNothingRan(res)

    def test_undefined_variable_warns(self):
        """issue 2 bad input: an undefined variable renders empty, with a warning naming it."""
        proj = self.write_project(SIMPLE.replace("args: hello", "args: '[{{ no_such_var_e2e }}]'"),
                                  files={"t.txt": "<{{ also_missing_e2e }}>\n"})
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("hello_stdout.log", "[]\n", res)
        with open(self.ws_path("files", "t.txt")) as f:
            self.assertEqual(f.read(), "<>")
        warn = "\n".join(res.log_lines("WARNING"))
        self.assertIn("no_such_var_e2e", warn, res.describe())
        self.assertIn("also_missing_e2e", warn, res.describe())
        self.assertIn("t.txt", warn, res.describe())

    def test_undefined_variable_strict(self):
        """issue 2 bad input: --strict makes an undefined variable an error (exit 2), nothing runs."""
        proj = self.write_project(SIMPLE.replace("args: hello", "args: '[{{ no_such_var_e2e }}]'"))
        res = self.run_local(proj, "--strict")
        self.assertCleanError(res, 2, "no_such_var_e2e")
        self.assertNothingRan(res)

    def test_undefined_variable_strict_in_later_task(self):
        """issue 2: --strict reports an undefined variable of a later task before the first runs."""
        text = (SIMPLE + "  - name: second\n    commands:\n"
                "      - command: echo '{{ missing_in_second }}'\n")
        res = self.run_local(self.write_project(text), "--strict")
        self.assertCleanError(res, 2, "missing_in_second")
        self.assertNothingRan(res)

    def test_defined_by_cli_is_fine_in_strict(self):
        """issue 2: --strict accepts a variable given with -v (no false positive)."""
        proj = self.write_project(SIMPLE.replace("args: hello", "args: '[{{ given }}]'"))
        res = self.run_local(proj, "--strict", "-v", "given=yes")
        self.assertExit(res, 0)
        self.assertArtifact("hello_stdout.log", "[yes]\n", res)

    def test_command_not_found_direct_exec(self):
        """issue 2 bad input: a command that does not exist (exec'd directly) -> exit 1, 'not found', task named."""
        text = ("tasks:\n  - name: missing_cmd_task\n    pipeline:\n"
                "      - command: no_such_command_e2e\n        args: --flag\n"
                "  - name: after\n    commands:\n      - command: echo after\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 1)
        self.assertStderrHas(res, "no_such_command_e2e", "missing_cmd_task")
        self.assertRegex(res.stderr, re.compile(r"not found", re.I), res.describe())
        self.assertStderrMatches(res, r"ended with exit code \d+")
        self.assertFalse(os.path.exists(self.artifact_path("after_stdout.log")),
                         "kill_downstream_on_fail defaults to true%s" % res.describe())

    def test_command_not_found_via_shell(self):
        """issue 2 bad input: a command that does not exist inside a shell line -> exit 1, sh's 'not found' in the stderr log."""
        text = ("tasks:\n  - name: shell_missing\n    commands:\n"
                "      - command: no_such_command_e2e && echo never\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 1)
        self.assertStderrHas(res, "shell_missing")
        self.assertIn("not found", self.read_artifact("shell_missing_stderr.log"))
        self.assertArtifact("shell_missing_stdout.log", "", res)

    def test_unknown_key_did_you_mean(self):
        """issue 2 bad input: unknown keys are warnings with a did-you-mean, never errors."""
        text = ("version: 0.5.0\n"
                "descriptoin: typo at the top\n"
                "tasks:\n"
                "  - name: hello\n"
                "    pipline_typo: 1\n"
                "    pipeline:\n"
                "      - command: echo hello\n"
                "        timout: 3\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 0)
        warn = "\n".join(res.log_lines("WARNING"))
        self.assertIn("descriptoin", warn, res.describe())
        self.assertRegex(warn, re.compile(r"did you mean.*description", re.I), res.describe())
        self.assertRegex(warn, re.compile(r"timout.*did you mean.*timeout|did you mean.*timeout",
                                          re.I | re.S), res.describe())
        # The key path of the unknown key is named (as "tasks[0].pipeline[0].timout" or
        # "'timout' in tasks[0].pipeline[0]").
        self.assertRegex(warn, r"tasks\[0\]\.pipeline\[0\](\.timout|\W.*timout)|timout\W.*tasks\[0\]\.pipeline\[0\]",
                         res.describe())
        self.assertArtifact("hello_stdout.log", "hello\n", res)

    def test_task_needs_exactly_one_mode(self):
        """spec 1.4: a task with both pipeline and commands is a project error (exit 2)."""
        text = ("tasks:\n  - name: both\n    pipeline:\n      - command: echo a\n"
                "    commands:\n      - command: echo b\n")
        res = self.run_local(self.write_project(text))
        self.assertCleanError(res, 2, "tasks[0]")
        self.assertNothingRan(res)


class Runner(HandoffTestCase):
    def test_failed_task_stops_downstream_exit_1(self):
        """issue 2 scope 6: a failed task -> exit 1, 'ended with exit code', later tasks not run."""
        text = ("tasks:\n"
                "  - name: first\n    commands:\n      - command: echo one; exit 3\n"
                "      - command: echo never\n"
                "  - name: second\n    commands:\n      - command: echo two\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 1)
        self.assertArtifact("first_stdout.log", "one\n", res)
        self.assertFalse(os.path.exists(self.artifact_path("second_stdout.log")), res.describe())
        self.assertStderrMatches(res, r"ended with exit code 3")
        self.assertStderrMatches(res, r"Task first exited with code 3")

    def test_kill_downstream_false_still_exit_1(self):
        """issue 2 scope 6: kill_downstream_on_fail false -> later tasks run, exit code still 1."""
        text = ("kill_downstream_on_fail: false\ntasks:\n"
                "  - name: first\n    commands:\n      - command: exit 3\n"
                "  - name: second\n    commands:\n      - command: echo two\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 1)
        self.assertArtifact("second_stdout.log", "two\n", res)

    def test_active_false_command_skipped(self):
        """issue 2 scope 5: active: false on a command skips it."""
        text = ("tasks:\n  - name: t\n    commands:\n      - command: echo a\n"
                "      - command: echo b\n        active: false\n      - command: echo c\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 0)
        self.assertArtifact("t_stdout.log", "a\nc\n", res)

    def test_yaml_11_scalars(self):
        """issue 2 scope 2: YAML 1.1 scalars (no, True) mean what PyYAML makes of them."""
        text = ("tasks:\n  - name: skipped\n    active: no\n    commands:\n      - command: echo x\n"
                "  - name: kept\n    active: True\n    commands:\n      - command: echo y\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 0)
        self.assertFalse(os.path.exists(self.artifact_path("skipped_stdout.log")))
        self.assertArtifact("kept_stdout.log", "y\n", res)

    def test_shell_features_and_workspace_cwd(self):
        """issue 2 scope 5: command lines are shell lines (redirections, $VAR, globs, &&) run in the workspace."""
        text = ("envs:\n  - key: GREETING\n    value: hi there\n"
                "tasks:\n  - name: sh\n    commands:\n"
                "      - command: pwd\n"
                "      - command: echo \"$GREETING\" > artifacts/g.txt && cat artifacts/g.txt\n"
                "      - command: ls files/*.txt\n")
        proj = self.write_project(text, files={"a.txt": "a", "b.txt": "b"})
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("sh_stdout.log", "%s\nhi there\nfiles/a.txt\nfiles/b.txt\n"
                            % os.path.realpath(self.ws), res)

    def test_pipeline_stdout_to_file_false(self):
        """issue 2 scope 5: stdout_to_file: false (and old name stdout: false) sends output to the console."""
        for key in ("stdout_to_file", "stdout"):
            with self.subTest(key=key):
                text = ("tasks:\n  - name: loud\n    %s: false\n    pipeline:\n"
                        "      - command: echo to-the-console-%s\n      - command: cat\n" % (key, key))
                ws = os.path.join(self.tmp, "ws_" + key)
                res = self.run_local(self.write_project(text, name="p_" + key), workspace=ws)
                self.assertExit(res, 0)
                self.assertIn("to-the-console-%s\n" % key, res.stdout, res.describe())
                log = os.path.join(ws, "artifacts", "loud_stdout.log")
                self.assertFalse(os.path.exists(log) and os.path.getsize(log) > 0, res.describe())

    def test_stdout_to_file_false_large_output_no_deadlock(self):
        """spec 10 item 4: stdout_to_file false with > 64 KiB must not deadlock or lose data."""
        text = ("tasks:\n  - name: big\n    stdout_to_file: false\n    pipeline:\n"
                "      - command: seq 1 100000\n")
        res = self.run_local(self.write_project(text), timeout=30)
        self.assertExit(res, 0)
        self.assertEqual(res.stdout, "".join("%d\n" % i for i in range(1, 100001)))

    def test_nulldev_discards(self):
        """issue 2 scope 5: a `- nulldev:` item at the end of a pipeline discards the output."""
        text = ("tasks:\n  - name: quiet\n    pipeline:\n"
                "      - command: echo discard-me\n      - nulldev:\n"
                "  - name: after\n    commands:\n      - command: echo after\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 0)
        self.assertNotIn("discard-me", res.stdout)
        log = self.artifact_path("quiet_stdout.log")
        if os.path.exists(log):
            self.assertEqual(self.read_artifact("quiet_stdout.log"), "", res.describe())
        self.assertArtifact("after_stdout.log", "after\n", res)

    def test_first_stage_reads_piped_stdin(self):
        """issue 2 scope 5: the first stage reads handoff's stdin when it is not a terminal."""
        text = "tasks:\n  - name: count\n    pipeline:\n      - command: wc -l\n"
        res = self.run_local(self.write_project(text), input="a\nb\nc\n")
        self.assertExit(res, 0)
        self.assertArtifact("count_stdout.log", "3\n", res)

    def test_pipeline_stderr_log(self):
        """issue 2 scope 5: every stage's stderr goes to <task>_stderr.log, in pipeline mode too."""
        text = ("tasks:\n  - name: p\n    pipeline:\n"
                "      - command: sh -c 'echo first-err >&2; echo data'\n"
                "      - command: sh -c 'cat; echo second-err >&2'\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 0)
        self.assertArtifact("p_stdout.log", "data\n", res)
        err = self.read_artifact("p_stderr.log")
        self.assertIn("first-err", err)
        self.assertIn("second-err", err)
        self.assertIn("first-err", res.stderr, "stderr is relayed to the console%s" % res.describe())

    def test_stdout_log_complete_before_next_task(self):
        """spec 10 item 3: the pipeline's stdout log is complete when the next task starts."""
        text = ("tasks:\n  - name: produce\n    pipeline:\n      - command: seq 1 200000\n"
                "      - command: cat\n"
                "  - name: check\n    commands:\n      - command: wc -l < artifacts/produce_stdout.log\n")
        res = self.run_local(self.write_project(text))
        self.assertExit(res, 0)
        self.assertArtifact("check_stdout.log", "200000\n", res)

    def test_template_features(self):
        """issue 2 scope 3: filters, if/elif/else, operators, set, comments, whitespace control, _stage variants."""
        tpl = ("{# a comment #}"
               "{% set who = name | upper %}{{ who }}|{{ missing | default('dflt') }}|"
               "{{ csv | replace(',', ';') }}|{{ '  pad  ' | trim }}|{{ 'MiXed' | lower }}|"
               "{{ n | int }}|"
               "{% if n | int > 2 and name == 'ann' %}big{% elif n == '2' %}two{% else %}small{% endif %}|"
               "{% if not (name != 'ann') or n < '1' %}yes{% endif %}|"
               "{% if 'nn' in name %}in{% endif %}|"
               "{% if missing is defined %}def{% else %}undef{% endif %}|"
               "{{ name ~ '-' ~ _stage }}|{{ _stage_ }}|{{ _stage- }}|{{ name | tojson }}\n"
               "  {%- if name %} trimmed{% endif -%}  \n"
               "end\n")
        text = ("vars:\n  - key: name\n    value: ann\n  - key: n\n    value: '3'\n"
                "  - key: csv\n    value: a,b\n"
                "tasks:\n  - name: t\n    commands:\n      - command: cat files/t.txt\n")
        res = self.run_local(self.write_project(text, files={"t.txt": tpl}), "-s", "qa")
        self.assertExit(res, 0)
        self.assertArtifact("t_stdout.log",
                            'ANN|dflt|a;b|pad|mixed|3|big|yes|in|undef|ann-qa|qa_|qa-|"ann"'
                            ' trimmedend', res)

    def test_template_structured_values(self):
        """issue 2 scope 3: for, join, length, dotted and indexed access, tojson on YAML-typed vars (spec 1.3: value keeps its YAML type)."""
        tpl = ("{% for i in items %}[{{ i }}]{% endfor %}|{{ items | join('+') }}|"
               "{{ items | length }}|{{ items[1] }}|{{ cfg.a.b }}|{{ cfg['a']['b'] }}|"
               "{{ cfg | tojson }}|{{ items | tojson }}\n")
        text = ("vars:\n  - key: items\n    value: [x, y, z]\n"
                "  - key: cfg\n    value: {a: {b: deep}}\n"
                "tasks:\n  - name: t\n    commands:\n      - command: cat files/t.txt\n")
        res = self.run_local(self.write_project(text, files={"t.txt": tpl}))
        self.assertExit(res, 0)
        self.assertArtifact("t_stdout.log",
                            '[x][y][z]|x+y+z|3|y|deep|deep|{"a": {"b": "deep"}}|["x", "y", "z"]',
                            res)

    def test_render_trailing_newline_rule(self):
        """issue 2 scope 3 / spec 2.1: one trailing newline dropped: '1\\n2\\n' -> '1\\n2', 'x\\n\\n' -> 'x\\n'."""
        proj = self.write_project(SIMPLE, files={"a.txt": "1\n2\n", "sub/b.txt": "x\n\n",
                                                 ".hidden": "h\n", "bin.dat": b"\x00\xff{{ x }}\n"})
        res = self.run_local(proj)
        self.assertExit(res, 0)
        for rel, want in (("a.txt", b"1\n2"), ("sub/b.txt", b"x\n"), (".hidden", b"h"),
                          ("bin.dat", b"\x00\xff{{ x }}\n")):
            with open(self.ws_path("files", rel), "rb") as f:
                self.assertEqual(f.read(), want, rel)

    def test_venv_env_activation(self):
        """issue 2 scope 5: `venv:` activates through PATH and VIRTUAL_ENV (no bash source)."""
        text = ("tasks:\n  - name: v\n    commands:\n"
                "      - command: 'echo \"$VIRTUAL_ENV\"; echo \"$PATH\" | cut -d: -f1'\n"
                "        venv: myenv\n")
        proj = self.write_project(text)
        # A fake venv is enough: handoff must only set the environment.
        os.makedirs(self.ws_path("myenv", "bin"))
        with open(self.ws_path("myenv", "bin", "activate"), "w") as f:
            f.write("# fake\n")
        with open(self.ws_path("myenv", "pyvenv.cfg"), "w") as f:
            f.write("home = /usr/bin\n")
        os.symlink("/usr/bin/python3", self.ws_path("myenv", "bin", "python"))
        res = self.run_local(proj)
        self.assertExit(res, 0)
        venv = os.path.realpath(self.ws_path("myenv"))
        lines = self.read_artifact("v_stdout.log").splitlines()
        self.assertEqual(len(lines), 2, res.describe())
        self.assertTrue(lines[0], "VIRTUAL_ENV must be set%s" % res.describe())
        self.assertEqual(os.path.realpath(lines[0]), venv, res.describe())
        self.assertEqual(os.path.realpath(lines[1]), os.path.join(venv, "bin"), res.describe())


class SecretsCore(HandoffTestCase):
    SECRET = "s3cr3t-Value-9f8e7d6c"

    def test_secrets_dir_var_and_precedence(self):
        """issue 2 scope 3/4: -v secrets_dir=DIR; precedence secrets < envs < vars < -v."""
        sdir = os.path.join(self.tmp, "elsewhere")
        os.makedirs(sdir)
        with open(os.path.join(sdir, "dev_secrets.yml"), "w") as f:
            f.write("- key: a\n  value: from-secret-a\n- key: b\n  value: from-secret-b\n"
                    "- key: c\n  value: from-secret-c\n- key: d\n  value: from-secret-d\n")
        text = ("envs:\n  - key: b\n    value: from-env-b\n  - key: c\n    value: from-env-c\n"
                "vars:\n  - key: c\n    value: from-var-c\n  - key: d\n    value: from-var-d\n"
                "tasks:\n  - name: t\n    commands:\n"
                "      - command: echo '{{ a }} {{ b }} {{ c }} {{ d }}'\n")
        res = self.run_local(self.write_project(text), "-v", "secrets_dir=" + sdir,
                             "-v", "d=from-cli-d")
        self.assertExit(res, 0)
        self.assertArtifact("t_stdout.log", "from-secret-a from-env-b from-var-c from-cli-d\n", res)

    def test_secret_never_in_logs_even_in_errors(self):
        """issue 2 scope 4: a secret value never appears in handoff's logs or errors."""
        text = ("tasks:\n  - name: leak\n    commands:\n"
                "      - command: echo '{{ token }}' > /dev/null; exit 4\n")
        proj = self.write_project(text, secrets={"dev_secrets.yml":
                                                 "- key: token\n  value: %s\n" % self.SECRET})
        res = self.run_local(proj, "-l", "debug")
        self.assertExit(res, 1)
        self.assertStderrLacks(res, self.SECRET)
        res = self.handoff("show_commands", "-p", proj, "-w", self.ws)
        self.assertNotIn(self.SECRET, res.stderr, res.describe())


if __name__ == "__main__":
    unittest.main()
