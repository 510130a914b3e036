"""The projects in examples/, run by the real binary, with their exact expected output."""
import datetime
import json
import os
import stat
import subprocess
import sys
import unittest

from harness import EXAMPLES, HandoffTestCase, LOG_LINE

DEV_SECRETS = ("dev_user_c41d", "dev-password-never-in-logs-5b2e", "devkeyid9876543210fedcba",
               "etl-dev@handoff-example-dev.iam.gserviceaccount.com")
PROD_PASSWORD = ("isawsomeonewithastickynotewithapasswordonthelaptopscreenworkinginapubliccafe"
                 "inpaloalto")
PROD_SECRETS = ("prod_user_7f3a", PROD_PASSWORD, "prodkeyid0123456789abcdef",
                "etl-prod@handoff-example-prod.iam.gserviceaccount.com")


def example(name):
    return os.path.join(EXAMPLES, name)


class WordCount(HandoffTestCase):
    def test_01_word_count(self):
        """issue 2 / e2e: word count (spec 11 01_word_count, expectations 24)."""
        res = self.run_local(example("01_word_count"))
        self.assertExit(res, 0)
        # The real count of our own text, cross-checked with wc itself.
        with open(os.path.join(EXAMPLES, "01_word_count", "files", "ode_to_pipes.txt")) as f:
            real = len(f.read().split())
        self.assertEqual(real, 92)
        self.assertArtifact("word_count_stdout.log", "92\n", res)
        self.assertArtifact("word_count_stderr.log", "", res)
        # files/ rendered into the workspace, one trailing newline dropped.
        with open(os.path.join(EXAMPLES, "01_word_count", "files", "ode_to_pipes.txt")) as f:
            src = f.read()
        with open(self.ws_path("files", "ode_to_pipes.txt")) as f:
            self.assertEqual(f.read(), src[:-1])

    def test_01_run_log_lines(self):
        """issue 2 scope 7: the run log keeps the original's phrases and line format."""
        res = self.run_local(example("01_word_count"))
        self.assertExit(res, 0)
        self.assertStderrMatches(res, r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[    INFO\] - .*Job started at")
        self.assertStderrMatches(res, r"^\[.*\] \[    INFO\] - .*Job ended at")
        self.assertStderrMatches(res, r"Task word_count exited with code 0")
        self.assertNotIn("ended with exit code", res.stderr)
        # Every line handoff writes on stderr is a log line.
        for line in res.stderr.splitlines():
            self.assertRegex(line, LOG_LINE, "not a log line: %r%s" % (line, res.describe()))
        self.assertEqual(res.stdout, "", res.describe())


class VarsEnvs(HandoffTestCase):
    FIRST = "Modern Times is a 1936 silent comedy film written and directed by Charlie Chaplin."

    def test_02_commands_vars_envs(self):
        """issue 2 / e2e: commands and vars (expectations 25): envs reach the child, inactive task skipped."""
        res = self.run_local(example("02_vars_envs"))
        self.assertExit(res, 0)
        self.assertArtifact("show_content_stdout.log",
                            "The Great Dictator\n%s\ngreeting=[hello] zip=[02134] stage=[dev]\n"
                            % self.FIRST, res)
        self.assertArtifact("show_content_stderr.log", "", res)
        self.assertFalse([f for f in self.list_artifacts() if f.startswith("word_count")],
                         "inactive task must leave no log%s" % res.describe())
        self.assertStderrLacks(res, "Task word_count exited")

    def test_02_cli_vars_override_and_stay_strings(self):
        """issue 2 scope 3: -v wins over project vars, repeatable, spaces and '=' kept, 007 stays 007."""
        res = self.run_local(example("02_vars_envs"), "-v", "greeting=good morning = bonjour",
                             "-v", "zip_code=007", "-s", "qa")
        self.assertExit(res, 0)
        self.assertArtifact("show_content_stdout.log",
                            "The Great Dictator\n%s\ngreeting=[good morning = bonjour] zip=[007] "
                            "stage=[qa]\n" % self.FIRST, res)

    def test_02_multiple_tokens_after_one_v(self):
        """issue 2 scope 3 / spec 2.4: several k=v tokens after one -v."""
        res = self.run_local(example("02_vars_envs"), "-v", "greeting=hi", "zip_code=00501")
        self.assertExit(res, 0)
        self.assertIn("greeting=[hi] zip=[00501]", self.read_artifact("show_content_stdout.log"))

    def test_02_show_commands(self):
        """issue 2 scope 9: show_commands prints the rendered command lines."""
        res = self.handoff("show_commands", "-p", example("02_vars_envs"), "-w", self.ws,
                           "-v", "greeting=salut")
        self.assertExit(res, 0)
        self.assertIn("head -n 1 files/modern_times.txt", res.stdout, res.describe())
        self.assertIn("greeting=[salut]", res.stdout, res.describe())
        self.assertNotIn("{{", res.stdout, res.describe())
        self.assertNoArtifactLogs(res)


class Secrets(HandoffTestCase):
    def _check_files(self, res, secrets_file, user, password):
        with open(self.ws_path("files", "config.json")) as f:
            self.assertEqual(json.load(f), {"user": user, "password": password,
                                            "url": "https://example.com"})
        with open(os.path.join(EXAMPLES, "03_secrets", ".secrets", secrets_file)) as f:
            key_file = f.read()
        with open(self.ws_path("files", "google_client_secret.json")) as f:
            self.assertEqual(f.read(), key_file, res.describe())
        for name in ("config.json", "google_client_secret.json"):
            mode = stat.S_IMODE(os.stat(self.ws_path("files", name)).st_mode)
            self.assertEqual(mode, 0o600, "%s holds a secret: mode must be 0600, is %o"
                             % (name, mode))
        with open(self.ws_path("files", "readme.txt")) as f:
            self.assertEqual(f.read(), "This file uses no secret: https://example.com")

    def test_03_secrets_prod(self):
        """issue 2 / e2e: secrets run with -s prod (expectations 26): .secrets/secrets.yml."""
        res = self.run_local(example("03_secrets"), "-s", "prod")
        self.assertExit(res, 0)
        self.assertArtifact("show_curl_command_stdout.log",
                            "curl -u prod_user_7f3a:%s https://example.com\n"
                            "files/google_client_secret.json\n" % PROD_PASSWORD, res)
        self._check_files(res, "google_client_secret.json", "prod_user_7f3a", PROD_PASSWORD)
        for value in PROD_SECRETS:
            self.assertStderrLacks(res, value)

    def test_03_secrets_dev_default_stage(self):
        """issue 2 scope 4: default stage dev reads .secrets/dev_secrets.yml (different values)."""
        res = self.run_local(example("03_secrets"), "-l", "debug")
        self.assertExit(res, 0)
        self.assertArtifact("show_curl_command_stdout.log",
                            "curl -u dev_user_c41d:dev-password-never-in-logs-5b2e "
                            "https://example.com\nfiles/google_client_secret.json\n", res)
        self._check_files(res, "dev_google_client_secret.json", "dev_user_c41d",
                          "dev-password-never-in-logs-5b2e")
        # Secret values never appear in handoff's logs, even at debug level.
        for value in DEV_SECRETS:
            self.assertStderrLacks(res, value)

    def test_03_missing_stage_file_warns_no_fallback(self):
        """issue 2 scope 4: a missing stage file is a warning naming the exact file; no fallback to secrets.yml."""
        res = self.run_local(example("03_secrets"), "-s", "staging")
        self.assertExit(res, 0)
        expected = os.path.join(example("03_secrets"), ".secrets", "staging_secrets.yml")
        warnings = [l for l in res.log_lines("WARNING") if "staging_secrets.yml" in l]
        self.assertTrue(warnings, "no WARNING naming staging_secrets.yml%s" % res.describe())
        self.assertTrue(any(os.path.normpath(expected) in l or ".secrets/staging_secrets.yml" in l
                            for l in warnings), res.describe())
        self.assertTrue(any("secrets.yml" in l.replace("staging_secrets.yml", "") and "prod" in l
                            for l in warnings),
                        "the warning must say secrets.yml is read only with -s prod%s"
                        % res.describe())
        self.assertArtifact("show_curl_command_stdout.log",
                            "curl -u : https://example.com\nfiles/google_client_secret.json\n", res)

    def test_03_project_show_masks_secrets(self):
        """issue 2 scope 9: project show prints the task tree with rendered commands, secrets masked."""
        res = self.handoff("project", "show", "-p", example("03_secrets"))
        self.assertExit(res, 0)
        self.assertIn("show_curl_command", res.stdout, res.describe())
        self.assertIn("https://example.com", res.stdout, res.describe())
        for value in DEV_SECRETS + PROD_SECRETS:
            self.assertNotIn(value, res.stdout + res.stderr, res.describe())


class VenvWheel(HandoffTestCase):
    def _project_with_wheel(self):
        proj = self.copy_example("04_venv_wheel")
        out = subprocess.run([sys.executable, os.path.join(proj, "make_wheel.py"),
                              os.path.join(proj, "files")], check=True, capture_output=True,
                             text=True)
        wheel = out.stdout.strip()
        self.assertTrue(wheel.endswith("hello_handoff-0.1-py3-none-any.whl"), wheel)
        return proj, wheel

    def test_04_install_and_run_in_venv(self):
        """issue 2 scope 8 / 10: workspace install makes the venv, installs a local wheel offline; a stage runs in it."""
        proj, wheel = self._project_with_wheel()
        res = self.handoff("workspace", "install", "-p", proj, "-w", self.ws, timeout=120)
        self.assertExit(res, 0)
        self.assertTrue(os.path.isfile(self.ws_path("hello_venv", "bin", "hello-handoff")),
                        "console script not installed in the venv%s" % res.describe())
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("greet_stdout.log",
                            "HELLO, DATA ENGINEERS! (VENV=HELLO_VENV)\n> LINE ONE\n> LINE TWO\n",
                            res)
        # The wheel (a binary file) was copied into the workspace byte for byte.
        with open(wheel, "rb") as a, open(self.ws_path("files", os.path.basename(wheel)), "rb") as b:
            self.assertEqual(a.read(), b.read(), "binary file must be copied byte for byte")

    def test_04_old_install_alias(self):
        """issue 2 scope 8: the seed's `handoff install -p -w` does the same as workspace install."""
        proj, _wheel = self._project_with_wheel()
        res = self.handoff("install", "-p", proj, "-w", self.ws, timeout=120)
        self.assertExit(res, 0)
        self.assertTrue(os.path.isfile(self.ws_path("hello_venv", "bin", "hello-handoff")),
                        res.describe())

    def test_04_venv_never_installed(self):
        """issue 2 bad input: a venv that was never installed -> clear error naming the venv and the task."""
        proj, _wheel = self._project_with_wheel()
        res = self.run_local(proj)
        self.assertIn(res.returncode, (1, 2), "must fail (1 or 2)%s" % res.describe())
        self.assertStderrHas(res, "hello_venv", "greet")
        self.assertNotIn("Traceback", res.stderr)
        self.assertFalse(os.path.exists(self.ws_path("hello_venv")),
                         "handoff must not create the venv at run time%s" % res.describe())
        if res.returncode == 2:
            self.assertNoArtifactLogs(res)


class OldFormat(HandoffTestCase):
    def test_05_old_format_pipeline_and_state(self):
        """issue 2 scope 2: the seed's v0.1.x layout; {work_dir}/{code_dir}/{start_at}; last stdout kept as artifacts/state across runs."""
        proj = example("05_old_format")
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("records.txt", "JPY 1 1\nJPY 1 2\nJPY 1 3\n", res)
        state = json.loads(self.read_artifact("state"))
        yesterday = (datetime.datetime.now(datetime.timezone.utc).date()
                     - datetime.timedelta(days=1)).isoformat()
        self.assertEqual(state["run"], 1)
        self.assertEqual(state["greeting"], "hello from 2020")
        self.assertTrue(state["start_at"].startswith(yesterday),
                        "start_at defaults to yesterday UTC: %r" % state["start_at"])
        # Second run in the same workspace reads the state back.
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("records.txt", "JPY 2 1\nJPY 2 2\nJPY 2 3\n", res)
        self.assertEqual(json.loads(self.read_artifact("state"))["run"], 2)

    def test_05_old_format_show_commands(self):
        """issue 2 scope 2: old placeholders are substituted in show_commands."""
        res = self.handoff("show_commands", "-p", example("05_old_format"), "-w", self.ws)
        self.assertExit(res, 0)
        real_ws = os.path.realpath(self.ws) if os.path.exists(self.ws) else self.ws
        self.assertIn("/files/tap.py --config ", res.stdout, res.describe())
        self.assertIn("config/tap-config.json", res.stdout, res.describe())
        self.assertNotIn("{work_dir}", res.stdout, res.describe())
        self.assertNotIn("{code_dir}", res.stdout, res.describe())
        self.assertNotIn("{start_at}", res.stdout, res.describe())
        self.assertTrue(real_ws in res.stdout or self.ws in res.stdout, res.describe())


class Singer(HandoffTestCase):
    def test_06_singer_tap_target_bookmark(self):
        """issue 2 scope 10: Singer-style tap | target, CSV and state in artifacts, bookmark resumes."""
        proj = example("06_singer")
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("users.csv", "id,name,email\n" + "".join(
            "%d,user%d,user%d@example.com\n" % (i, i, i) for i in (1, 2, 3)), res)
        state = '{"bookmarks": {"users": {"last_id": 3}}}\n'
        self.assertArtifact("sync_stdout.log", state, res)
        self.assertArtifact("state.json", state, res)
        stderr_log = self.read_artifact("sync_stderr.log")
        self.assertIn("tap: users resuming after id 0", stderr_log)
        self.assertIn("target: wrote 3 records", stderr_log)
        res = self.run_local(proj)
        self.assertExit(res, 0)
        self.assertArtifact("users.csv", "id,name,email\n" + "".join(
            "%d,user%d,user%d@example.com\n" % (i, i, i) for i in (4, 5, 6)), res)
        self.assertArtifact("state.json", '{"bookmarks": {"users": {"last_id": 6}}}\n', res)
        self.assertIn("tap: users resuming after id 3", self.read_artifact("sync_stderr.log"))


class Foreach(HandoffTestCase):
    def test_07_foreach(self):
        """issue 3 / e2e: 05-style foreach (5 files made), per-iteration logs <name>_<line_safe>."""
        res = self.run_local(example("07_foreach"))
        self.assertExit(res, 0)
        arts = self.list_artifacts()
        for i in range(1, 6):
            self.assertIn("out_%d.txt" % i, arts, res.describe())
            self.assertIn("make_id_files_%d_stdout.log" % i, arts, res.describe())
        self.assertArtifact("verify_result_stdout.log", "5\n", res)

    def test_07a_foreach_except(self):
        """issue 3 / e2e: 05a-style foreach, item 4 fails, both kill flags false: 4 of 5 done, next task runs, exit 1."""
        res = self.run_local(example("07a_foreach_except"))
        self.assertExit(res, 1)
        arts = self.list_artifacts()
        self.assertEqual(sorted(a for a in arts if a.startswith("out_")),
                         ["out_1.txt", "out_2.txt", "out_3.txt", "out_5.txt"], res.describe())
        self.assertArtifact("verify_result_stdout.log", "4\n", res)
        self.assertArtifact("list.txt", "1\n2\n3\n4\n5\n", res)
        self.assertArtifact("list_double.txt", "2\n4\n6\n10\n", res)
        # One suffix, also for commands-mode sub-tasks.
        for i in range(1, 6):
            self.assertIn("make_number_list_%d_stdout.log" % i, arts, res.describe())
        self.assertNotIn("make_number_list_1_1_stdout.log", arts)
        self.assertIn("item 4 is broken on purpose", self.read_artifact("make_id_files_4_stderr.log"))
        self.assertStderrMatches(res, r"Task generate_files exited with code 1")
        self.assertStderrMatches(res, r"Task verify_result exited with code 0")


class Fork(HandoffTestCase):
    def test_08_fork(self):
        """issue 3 / e2e: fork of one stream into two branches, each with its own log."""
        res = self.run_local(example("08_fork"))
        self.assertExit(res, 0)
        self.assertArtifact("upper_stdout.log", "ALPHA\nBETA\nGAMMA", res)
        self.assertArtifact("words_stdout.log", "3\n", res)


if __name__ == "__main__":
    unittest.main()
