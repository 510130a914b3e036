"""Issue 7 point 1: the terminal printer.

handoff is run with its stderr on a pseudo-terminal (a window size set with
TIOCSWINSZ, the slave in raw mode so every byte arrives as written) and its
stdout on a pipe: a `files push` of many files to the embedded local store
must show a status line rewritten in place ('\\r', the files count, bytes),
elided to the window's width; and none of that when stderr is a pipe, with
--quiet, with --log-format json (every stderr line is JSON), in CI (plain log
lines), with TERM=dumb; NO_COLOR keeps the live line but no escape sequence.
stdout holds results only. Runs and installs show their own status lines.
"""
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import threading
import time
import tty
import unittest

import harness

BUCKET = "handoff-e2e-output"
COLS = 60
FILES = 200
PROJECT = """\
version: 0.5.0
deploy:
  resource_group: etl
  task: t1
tasks:
  - name: hello
    pipeline:
      - command: cat
        args: files/f000.txt
"""


class OutputTest(harness.HandoffTestCase):

    def setUp(self):
        super().setUp()
        files = {"f%03d.txt" % i: ("file %d\n" % i) * (i + 1) for i in range(FILES)}
        self.proj = self.write_project(PROJECT, files=files)
        self.store_env = {"HO_STORE": "local", "HO_STORE_DIR": os.path.join(self.tmp, "store"),
                          "XDG_CONFIG_HOME": os.path.join(self.tmp, "xdg"), "HO_BUCKET": BUCKET,
                          "STACK_NAME": None, "S3_BUCKET_NAME": None, "HO_RESOURCE_GROUP": None,
                          "HO_TASK": None, "NO_COLOR": None, "CI": None, "TERM": "xterm",
                          "HO_PROGRESS_INTERVAL": None, "COLUMNS": None}

    # ----- running under a terminal ------------------------------------------
    def on_tty(self, *args, env=None, stdout_tty=False, timeout=60):
        """Run handoff with stderr (and stdout when stdout_tty) on a pty."""
        master, slave = pty.openpty()
        tty.setraw(slave)  # no "\n" -> "\r\n": the bytes as handoff wrote them
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLS, 0, 0))
        argv = [harness.HANDOFF_BIN] + [str(a) for a in args]
        full = dict(self.store_env)
        full.update(env or {})
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=slave if stdout_tty else subprocess.PIPE, stderr=slave,
                                env=self.env(full), cwd=self.tmp,
                                preexec_fn=harness._reset_signals)
        os.close(slave)
        chunks = []

        def drain():
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every slave fd is closed
                    return
                if not data:
                    return
                chunks.append(data)

        reader = threading.Thread(target=drain)
        reader.start()
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            self.fail("handoff hung: %s" % " ".join(argv))
        finally:
            reader.join(10)
            os.close(master)
        res = harness.Result(argv, proc.returncode, (out or b"").decode(errors="replace"),
                        b"".join(chunks).decode(errors="replace"), time.monotonic() - start)
        for sign in harness.CRASH_SIGNS:
            self.assertNotIn(sign, res.stderr, res.describe())
        return res

    def push(self, *extra, env=None):
        return self.on_tty("files", "push", "-p", self.proj, *extra, env=env)

    def assertNoLiveLine(self, res):
        self.assertNotIn("\r", res.stderr, res.describe())
        self.assertNotIn("\x1b[", res.stderr, res.describe())
        self.assertNotIn("%d/%d files" % (FILES, FILES), res.stderr, res.describe())

    # ----- transfers ---------------------------------------------------------
    def test_tty_status_line_is_rewritten_in_place(self):
        """A terminal gets one line rewritten with '\\r' + clear, files and bytes, within the width."""
        res = self.push()
        self.assertExit(res, 0)
        err = res.stderr
        self.assertIn("\r\x1b[K", err, res.describe())
        self.assertIn("%d/%d files" % (FILES, FILES), err, res.describe())
        self.assertRegex(err, r"\d+(\.\d)? KiB", res.describe())
        # Every drawn status (between rewrites) fits the 60-column window.
        drawn = [s for s in re.split(r"\r\x1b\[K|\n", err) if s.startswith("uploading")]
        self.assertTrue(drawn, res.describe())
        for seg in drawn:
            self.assertLessEqual(len(seg), COLS - 1, "status wider than the terminal: %r" % seg)
        # The line is removed before the summary is logged, which is a whole line.
        self.assertRegex(err, r"\r\x1b\[K\[\d{4}-[^\r]*uploaded, 0 unchanged", res.describe())
        self.assertTrue(err.endswith("\n"), repr(err[-200:]))
        self.assertEqual(res.stdout, "", "files push has no results on stdout")

    def test_pipe_gets_no_live_line(self):
        """stderr on a pipe: no '\\r', no escapes, only log lines."""
        res = self.handoff("files", "push", "-p", self.proj, env=self.store_env)
        self.assertExit(res, 0)
        self.assertNoLiveLine(res)
        for line in res.stderr.splitlines():
            self.assertRegex(line, harness.LOG_LINE, res.describe())
        self.assertEqual(res.stdout, "")

    def test_quiet_shows_no_progress(self):
        """--quiet: warnings and errors only, no progress on the terminal."""
        res = self.push("--quiet")
        self.assertExit(res, 0)
        self.assertNoLiveLine(res)
        self.assertEqual(res.stderr, "", res.describe())

    def test_json_log_format_is_json_only(self):
        """--log-format json on a terminal: every stderr line is one JSON record."""
        res = self.push("--log-format", "json")
        self.assertExit(res, 0)
        self.assertNoLiveLine(res)
        lines = res.stderr.splitlines()
        self.assertTrue(lines, res.describe())
        for line in lines:
            rec = json.loads(line)
            self.assertIn("level", rec)
            self.assertIn("message", rec)
        self.assertTrue(any("uploaded" in json.loads(l)["message"] for l in lines))
        # Errors are JSON records too, with their hint.
        res = self.on_tty("files", "push", "-p", os.path.join(self.tmp, "nowhere"), "--log-format", "json")
        self.assertNotEqual(res.returncode, 0)
        recs = [json.loads(l) for l in res.stderr.splitlines()]
        self.assertTrue(recs, res.describe())
        self.assertEqual(recs[0]["level"], "ERROR", res.describe())

    def test_no_color_means_no_escape_at_all(self):
        """NO_COLOR: the live line stays (cleared with spaces), but no '\\x1b[' anywhere."""
        res = self.push(env={"NO_COLOR": "1"})
        self.assertExit(res, 0)
        self.assertNotIn("\x1b", res.stderr, res.describe())
        self.assertIn("\r", res.stderr)
        self.assertIn("%d/%d files" % (FILES, FILES), res.stderr)

    def test_ci_gets_plain_lines(self):
        """CI=true on a terminal: plain log lines; progress lines are log records too."""
        res = self.push(env={"CI": "true", "HO_PROGRESS_INTERVAL": "0"})
        self.assertExit(res, 0)
        self.assertNotIn("\r", res.stderr, res.describe())
        self.assertNotIn("\x1b[", res.stderr, res.describe())
        for line in res.stderr.splitlines():
            self.assertRegex(line, harness.LOG_LINE, res.describe())
        self.assertRegex(res.stderr, r"\] - uploading %d/%d files" % (FILES, FILES), res.describe())
        # The default interval (5 s) keeps a quick push to its summary.
        res = self.push(env={"CI": "true"})
        self.assertNotIn("] - uploading", res.stderr, res.describe())

    def test_dumb_terminal_gets_plain_lines(self):
        res = self.push(env={"TERM": "dumb"})
        self.assertExit(res, 0)
        self.assertNoLiveLine(res)

    def test_bad_progress_interval_is_a_usage_error(self):
        res = self.push(env={"HO_PROGRESS_INTERVAL": "soon"})
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("HO_PROGRESS_INTERVAL=soon is not a number of seconds", res.stderr)

    def test_dry_run_plan_on_stdout_only(self):
        """Results on stdout (the plan), diagnostics on stderr."""
        res = self.push("--dry-run")
        self.assertExit(res, 0)
        plan = res.stdout.splitlines()
        self.assertEqual(len(plan), FILES, res.describe())
        self.assertTrue(all(l.startswith("upload ") for l in plan), res.describe())
        self.assertNotIn("upload /", res.stderr)

    def test_warnings_are_colored_on_a_color_terminal_only(self):
        """Level names of warnings in yellow on a terminal; NO_COLOR and pipes: none."""
        proj = self.write_project(
            "tasks:\n  - name: t\n    commands:\n      - command: echo {{ nope }}\n", name="warn")
        res = self.on_tty("run", "local", "-p", proj, "-w", self.ws)
        self.assertExit(res, 0)
        self.assertIn("[\x1b[33m WARNING\x1b[0m] - ", res.stderr, res.describe())
        res = self.on_tty("run", "local", "-p", proj, "-w", self.ws, env={"NO_COLOR": "1"})
        self.assertIn("[ WARNING] - ", res.stderr, res.describe())
        self.assertNotIn("\x1b", res.stderr, res.describe())
        res = self.run_local(proj, env={"TERM": "xterm", "NO_COLOR": None, "CI": None})
        self.assertIn("[ WARNING] - ", res.stderr, res.describe())
        self.assertNotIn("\x1b", res.stderr, res.describe())

    # ----- every command --------------------------------------------------------
    def leaf_commands(self, path=()):
        res = self.handoff(*path, "--help")
        self.assertExit(res, 0)
        subs = []
        if "Subcommands:" in res.stdout:
            for line in res.stdout.split("Subcommands:", 1)[1].splitlines():
                m = re.match(r"^  (\S+)", line)
                if m:
                    subs.append(m.group(1))
                elif line.strip() and not line.startswith(" "):
                    break
        if not subs:
            return [(path, res.stdout)]
        out = []
        for sub in subs:
            out += self.leaf_commands(path + (sub,))
        return out

    def test_every_command_takes_quiet_verbose_and_log_format(self):
        """--quiet, --verbose (no short form) and --log-format on every command that logs."""
        exempt = {("version",), ("completion",), ("help",), ("reference",)}  # fixed text, no logs
        leaves = self.leaf_commands()
        self.assertGreater(len(leaves), 30)
        missing = []
        for path, text in leaves:
            if path in exempt or path[:1] in exempt:
                continue
            for flag in ("--quiet", "--verbose", "--log-format"):
                if not re.search(r"(^|[ ,])%s\b" % flag, text, re.M):
                    missing.append("%s: %s" % (" ".join(path), flag))
            self.assertNotRegex(text, r"-v,\s*--verbose", " ".join(path))
        self.assertEqual(missing, [], "commands without the common output flags")

    # ----- runs and installs -------------------------------------------------
    def test_run_shows_running_processes_on_a_terminal(self):
        """run local: a live line with the running processes, only when stdout is no terminal."""
        proj = self.write_project(
            "tasks:\n  - name: nap\n    commands:\n      - command: sleep 1.6\n", name="nap")
        res = self.on_tty("run", "local", "-p", proj, "-w", self.ws)
        self.assertExit(res, 0)
        self.assertRegex(res.stderr, r"running \d+ process(es)? \([^)]*sleep[^)]*\), \ds", res.describe())
        self.assertTrue(res.stderr.endswith(("\n", "\r\x1b[K")), "the line is erased at the end")
        res = self.on_tty("run", "local", "-p", proj, "-w", self.ws, stdout_tty=True)
        self.assertExit(res, 0)
        self.assertNotRegex(res.stderr, r"running \d+ process", res.describe())
        res = self.on_tty("run", "local", "-p", proj, "-w", self.ws, "--quiet")
        self.assertNotRegex(res.stderr, r"running \d+ process", res.describe())

    def test_install_steps_show_elapsed_time(self):
        """workspace install: a status line per install command with its elapsed time."""
        proj = self.write_project(
            "installs:\n  - command: sleep 1.2\ntasks:\n  - name: t\n    commands:\n"
            "      - command: 'true'\n", name="inst")
        res = self.on_tty("workspace", "install", "-p", proj, "-w", self.ws)
        self.assertExit(res, 0)
        self.assertRegex(res.stderr, r"\r\x1b\[Kworkspace install: installs\[0\] \(.sleep 1\.2.\), 1s",
                         res.describe())
        res = self.on_tty("workspace", "install", "-p", proj, "-w", self.ws,
                          env={"CI": "true", "HO_PROGRESS_INTERVAL": "0.4"})
        self.assertExit(res, 0)
        self.assertNotIn("\r", res.stderr)
        self.assertRegex(res.stderr, r"\] - workspace install: installs\[0\] ", res.describe())


if __name__ == "__main__":
    unittest.main()
