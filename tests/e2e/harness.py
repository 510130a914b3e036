"""Shared helpers for handoff's end-to-end tests (Python 3 stdlib only).

Environment:
  HANDOFF_BIN  path to the handoff binary (default <repo>/build/handoff)
  HANDOFF_SRC  repository root (default: two levels above this file)

Every test gets a fresh temporary directory (self.tmp) holding its workspace
(self.ws) and any generated project; it is removed even when the test fails.
Every handoff started by a test carries HANDOFF_E2E_MARK=<uuid> in its
environment; children inherit it, so scanning /proc for the marker finds every
descendant, even one that detached with setsid or was re-parented.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid

HANDOFF_SRC = os.path.abspath(
    os.environ.get("HANDOFF_SRC")
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HANDOFF_BIN = os.path.abspath(
    os.environ.get("HANDOFF_BIN") or os.path.join(HANDOFF_SRC, "build", "handoff"))
EXAMPLES = os.path.join(HANDOFF_SRC, "examples")

MARK_VAR = "HANDOFF_E2E_MARK"

# [2026-11-28 03:31:00,123] [    INFO] - Job started at ...
LOG_LINE = re.compile(
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[ *(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] - ")
# Signs that handoff itself crashed (children's tracebacks are relayed legitimately,
# so "Traceback" is only checked in assertCleanError).
CRASH_SIGNS = ("terminate called", "AddressSanitizer", "LeakSanitizer", "runtime error:",
               "Segmentation fault", "core dumped")


class Result:
    """What one handoff invocation did."""

    def __init__(self, args, returncode, stdout, stderr, elapsed):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed

    def describe(self):
        return ("\n--- command: %s\n--- exit code: %s, %.2f s\n--- stdout:\n%s\n--- stderr:\n%s"
                % (" ".join(self.args), self.returncode, self.elapsed,
                   self.stdout[-4000:], self.stderr[-6000:]))

    def log_lines(self, level=None):
        """handoff's own log lines on stderr (optionally only one level)."""
        out = []
        for line in self.stderr.splitlines():
            m = LOG_LINE.match(line)
            if m and (level is None or m.group(1) == level):
                out.append(line)
        return out


def _reset_signals():
    # A test runner started in the background may have SIGINT/SIGQUIT ignored;
    # a user's terminal has them at default. Start handoff like the latter.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


def marked_pids(mark):
    """PIDs of live (non-zombie) processes whose environment holds MARK_VAR=mark."""
    needle = ("%s=%s" % (MARK_VAR, mark)).encode()
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            try:
                with open("/proc/%s/stat" % name) as f:
                    stat = f.read()
                state = stat[stat.rindex(")") + 2]
            except (OSError, ValueError, IndexError):
                continue
            if state not in "ZX":
                pids.append(int(name))
    return pids


def process_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def in_ci():
    """CI is set: a missing test peer is a failure, never a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def need_tool(tool):
    """The path of a test peer on PATH; missing: a failure in CI, else a skip."""
    path = shutil.which(tool)
    if path:
        return path
    if in_ci():
        raise AssertionError("%s is not installed (CI is set: a missing test peer is a failure)" % tool)
    raise unittest.SkipTest("%s is not installed" % tool)


def children_of(pid):
    """(pid, state) of every process whose parent is pid, zombies included."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == pid:
            out.append((int(name), rest[0]))
    return out


def zombie_children(pid):
    """PIDs of zombie children of pid (handoff must reap everything)."""
    return [child for child, state in children_of(pid) if state == "Z"]


def yaml_quote(s):
    return json.dumps(s)


class HandoffTestCase(unittest.TestCase):
    """Base class: a fresh temp dir per test, helpers to run and check handoff."""

    maxDiff = None
    default_timeout = 60

    @classmethod
    def setUpClass(cls):
        if not os.access(HANDOFF_BIN, os.X_OK):
            raise unittest.SkipTest("handoff binary not found at %s (set HANDOFF_BIN)" % HANDOFF_BIN)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="handoff-e2e-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.ws = os.path.join(self.tmp, "ws")
        self.mark = uuid.uuid4().hex
        # Runs last-in-first-out: kill leftovers before the directory goes.
        self.addCleanup(self._kill_leftovers)

    def _kill_leftovers(self):
        for pid in marked_pids(self.mark):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    # ----- running handoff -------------------------------------------------
    def env(self, extra=None):
        env = dict(os.environ)
        env[MARK_VAR] = self.mark
        env.pop("HANDOFF_LOG_LEVEL", None)
        env.setdefault("LC_ALL", "C.UTF-8")
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)  # None removes a variable the test runner has
            else:
                env[k] = v
        return env

    def handoff(self, *args, timeout=None, input=None, env=None, cwd=None):
        """Run handoff to completion (killed after `timeout` s: a hang fails the test)."""
        argv = [HANDOFF_BIN] + [str(a) for a in args]
        start = time.monotonic()
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env(env),
            cwd=cwd or self.tmp, preexec_fn=_reset_signals)
        try:
            out, err = proc.communicate(
                input=input.encode() if isinstance(input, str) else input,
                timeout=timeout or self.default_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            self._kill_leftovers()
            self.fail("handoff did not finish within %s s (hang): %s\nstderr:\n%s"
                      % (timeout or self.default_timeout, " ".join(argv),
                         err.decode(errors="replace")[-4000:]))
        elapsed = time.monotonic() - start
        res = Result(argv, proc.returncode, out.decode(errors="replace"),
                     err.decode(errors="replace"), elapsed)
        self.assertGreaterEqual(res.returncode, 0,
                                "handoff was killed by a signal (crash?)%s" % res.describe())
        for sign in CRASH_SIGNS:
            self.assertNotIn(sign, res.stderr, "crash sign %r in handoff's stderr%s"
                             % (sign, res.describe()))
        return res

    def start_handoff(self, *args, env=None):
        """Start handoff in the background (for signal tests); returns the Popen."""
        argv = [HANDOFF_BIN] + [str(a) for a in args]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env(env), cwd=self.tmp,
                                preexec_fn=_reset_signals)
        self.addCleanup(self._reap, proc)
        return proc

    @staticmethod
    def _reap(proc):
        if proc.poll() is None:
            proc.kill()
        proc.communicate()

    def run_local(self, project, *extra, workspace=None, **kw):
        """handoff run local -p PROJECT -w WORKSPACE EXTRA..."""
        return self.handoff("run", "local", "-p", project, "-w", workspace or self.ws,
                            *extra, **kw)

    # ----- projects --------------------------------------------------------
    def write_project(self, project, files=None, secrets=None, name="proj"):
        """Write a project under self.tmp and return its path.

        project: project.yml text, or a dict/list written as JSON (a subset of YAML).
        files:   {relative path under files/: text or bytes}
        secrets: {relative path under .secrets/: text or bytes}
        """
        root = os.path.join(self.tmp, name)
        os.makedirs(root, exist_ok=True)
        text = project if isinstance(project, str) else json.dumps(project, indent=2)
        with open(os.path.join(root, "project.yml"), "w") as f:
            f.write(text)
        for sub, entries in (("files", files), (".secrets", secrets)):
            for rel, content in (entries or {}).items():
                path = os.path.join(root, sub, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb" if isinstance(content, bytes) else "w") as f:
                    f.write(content)
        return root

    def copy_example(self, name):
        """A private copy of examples/<name> (tests never write into the repo)."""
        dst = os.path.join(self.tmp, name)
        shutil.copytree(os.path.join(EXAMPLES, name), dst, symlinks=True)
        return dst

    # ----- workspace -------------------------------------------------------
    def ws_path(self, *parts):
        return os.path.join(self.ws, *parts)

    def artifact_path(self, name):
        return self.ws_path("artifacts", name)

    def read_artifact(self, name, mode="r"):
        path = self.artifact_path(name)
        self.assertTrue(os.path.isfile(path), "missing artifact %s; artifacts: %s"
                        % (name, self.list_artifacts()))
        with open(path, mode) as f:
            return f.read()

    def list_artifacts(self):
        try:
            return sorted(os.listdir(self.ws_path("artifacts")))
        except OSError:
            return []

    def files_under(self, root):
        out = []
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                out.append(os.path.relpath(os.path.join(dirpath, f), root))
        return sorted(out)

    def run_records(self):
        d = self.ws_path(".handoff", "runs")
        try:
            return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".json"))
        except OSError:
            return []

    # ----- assertions ------------------------------------------------------
    def assertExit(self, res, code):
        self.assertEqual(res.returncode, code, "unexpected exit code%s" % res.describe())

    def assertIn_(self, needle, haystack, res, what="stderr"):
        self.assertIn(needle, haystack, "%r not in %s%s" % (needle, what, res.describe()))

    def assertStderrHas(self, res, *needles):
        for n in needles:
            self.assertIn(n, res.stderr, "%r not in stderr%s" % (n, res.describe()))

    def assertStderrMatches(self, res, pattern, flags=re.M):
        self.assertRegex(res.stderr, re.compile(pattern, flags),
                         "pattern %r not in stderr%s" % (pattern, res.describe()))

    def assertStderrLacks(self, res, *needles):
        for n in needles:
            self.assertNotIn(n, res.stderr, "%r must not be in stderr%s" % (n, res.describe()))

    def assertCleanError(self, res, code, *needles):
        """A handoff error: exit code, `handoff: error: ...` line(s) naming needles."""
        self.assertExit(res, code)
        errors = [l for l in res.stderr.splitlines() if l.startswith("handoff: error: ")]
        self.assertTrue(errors, "no 'handoff: error:' line%s" % res.describe())
        self.assertNotIn("Traceback", res.stderr, "no stack trace%s" % res.describe())
        for n in needles:
            self.assertIn(n, res.stderr, "%r not in the error output%s" % (n, res.describe()))

    def assertArtifact(self, name, expected, res=None):
        got = self.read_artifact(name)
        self.assertEqual(got, expected, "artifact %s%s" % (name, res.describe() if res else ""))

    def assertNoArtifactLogs(self, res=None):
        logs = [f for f in self.list_artifacts() if f.endswith(".log")]
        self.assertEqual(logs, [], "no task may have run%s" % (res.describe() if res else ""))

    def assertNothingRan(self, res):
        """After an error found before anything ran: no logs, no rendered files."""
        self.assertNoArtifactLogs(res)
        self.assertEqual(self.files_under(self.ws_path("files")), [],
                         "no file may be rendered into the workspace%s" % res.describe())
        self.assertEqual(marked_pids(self.mark), [])

    def assertNoProcessLeft(self, wait=2.0, res=None):
        """No process carrying this test's marker is alive (polls up to `wait` s)."""
        deadline = time.monotonic() + wait
        while True:
            pids = marked_pids(self.mark)
            if not pids or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(pids, [], "processes left behind: %s%s" % (
            [(p, process_cmdline(p)) for p in pids], res.describe() if res else ""))

    def wait_for(self, predicate, timeout=10.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        self.fail("timed out waiting for %s" % what)
