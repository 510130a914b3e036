"""issue 6 point 3: process faults.

A child killed by SIGKILL, a child that closes its stdout early (and one whose
reader does), a child that ignores SIGTERM (under run --timeout and with
handoff itself SIGTERMed), a child that forks a grandchild and exits, and a
disk that fills up while an artifact is written (a 2 MiB tmpfs over
WORKSPACE/artifacts in a private mount namespace, `unshare -m`), or while
`files get` / `artifacts get` write into the workspace.

Each must end with the documented exit code (`handoff --help`), keep what was
written before the fault, print one clear error line, and leave no process
behind (assertNoProcessLeft scans /proc for the test's marker).

Figures go to reliability.record(), one area per fault kind.
"""
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

from harness import CRASH_SIGNS, HANDOFF_BIN, HandoffTestCase, Result, _reset_signals, in_ci
import reliability
from test_remote import LocalBackend

CMD = ("HANDOFF_BIN=build/handoff CI=true python3 -m unittest -v "
       "tests/e2e/test_process_faults.py")
IN_CI = in_ci()


def can_unshare():
    if shutil.which("unshare") is None:
        return False
    proc = subprocess.run(["unshare", "-m", "true"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    return proc.returncode == 0


def seq_text(first, last):
    return "".join("%d\n" % i for i in range(first, last + 1))


class FaultCase(HandoffTestCase):
    def project(self, tasks, top=""):
        text = "version: 0.3\n" + top + "tasks:\n" + tasks
        return self.write_project(text)

    def run_record(self):
        records = self.run_records()
        self.assertTrue(records, "no run record in %s" % self.ws_path(".handoff", "runs"))
        with open(records[-1]) as f:
            return json.load(f)

    def error_lines(self, res):
        return [l for l in res.log_lines("ERROR")] + [
            l for l in res.stderr.splitlines() if l.startswith("handoff: error: ")]


class ChildFaults(FaultCase):
    def test_child_killed_by_sigkill_keeps_its_output(self):
        """point 3: a child SIGKILLed mid-task: exit 1, its logs kept, the rest not run."""
        proj = self.project("""\
- name: killed
  pipeline:
  - command: sh -c 'echo before; echo err-before >&2; kill -9 $$; echo after'
- name: later
  pipeline:
  - command: echo never
""")
        res = self.run_local(proj)
        self.assertExit(res, 1)
        self.assertArtifact("killed_stdout.log", "before\n", res)
        self.assertIn("err-before\n", self.read_artifact("killed_stderr.log"))
        self.assertNotIn("later_stdout.log", self.list_artifacts())
        self.assertStderrMatches(res, r"ERROR\] - Task killed ended with exit code 137\.$")
        self.assertEqual(self.run_record()["exit_code"], 1)
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: child SIGKILL", inputs=1, faults=1, survived=0,
                           failed_cleanly=1, data_lost=0, command=CMD)

    def test_child_killed_from_outside_while_writing(self):
        """point 3: a writer SIGKILLed by someone else: every line it wrote is in the log."""
        pidfile = os.path.join(self.tmp, "writer.pid")
        proj = self.project("""\
- name: writer
  pipeline:
  - command: sh -c 'echo $$ > %s; i=0; while :; do i=$((i+1)); echo line-$i; done'
""" % pidfile)
        proc = self.start_handoff("run", "local", "-p", proj, "-w", self.ws)
        log = self.artifact_path("writer_stdout.log")
        self.wait_for(lambda: os.path.exists(pidfile) and os.path.getsize(log) > 100000,
                      what="the writer to have written 100 kB")
        with open(pidfile) as f:
            os.kill(int(f.read()), signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        res = Result(proc.args, proc.returncode, out.decode(), err.decode(), 0)
        self.assertExit(res, 1)
        text = self.read_artifact("writer_stdout.log")
        lines = text.split("\n")
        # Every complete line is in order; at most the very last was cut.
        n = len(lines) - 1
        self.assertGreater(n, 1000)
        self.assertEqual(lines[:n], ["line-%d" % i for i in range(1, n + 1)])
        self.assertStderrHas(res, "Task writer ended with exit code 137.")
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: child SIGKILL", inputs=1, faults=1, survived=0,
                           failed_cleanly=1, data_lost=0, command=CMD)

    def test_reader_closes_stdout_early(self):
        """point 3: `head` closes the pipe: the writer stops on SIGPIPE, the run succeeds."""
        proj = self.project("""\
- name: closer
  pipeline:
  - command: seq 1 100000000
  - command: head -n 3
""")
        res = self.run_local(proj, timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("closer_stdout.log", "1\n2\n3\n", res)
        self.assertLess(res.elapsed, 20, "seq must stop at once, not run to the end")
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: stdout closed early", inputs=1, faults=1, survived=1,
                           failed_cleanly=0, data_lost=0, command=CMD)

    def test_writer_closes_its_stdout_and_keeps_running(self):
        """point 3: a stage that closes its own stdout and goes on: the next stage ends, handoff
        waits for both, the stderr written after the close is kept."""
        proj = self.project("""\
- name: early
  pipeline:
  - command: sh -c 'echo first; exec 1>&-; sleep 0.5; echo after-close >&2; exit 3'
  - command: cat
""")
        res = self.run_local(proj, timeout=30)
        self.assertExit(res, 1)
        self.assertArtifact("early_stdout.log", "first\n", res)
        self.assertIn("after-close", self.read_artifact("early_stderr.log"))
        self.assertStderrHas(res, "Task early ended with exit code")
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: stdout closed early", inputs=1, faults=1, survived=0,
                           failed_cleanly=1, data_lost=0, command=CMD)


IGNORES_TERM = """\
- name: stubborn
  pipeline:
  - command: sh -c 'trap "" TERM INT HUP; echo ignoring; while :; do sleep 0.1; done'
"""


class StubbornChild(FaultCase):
    def test_ignores_sigterm_under_run_timeout(self):
        """point 3: --timeout 1 --grace 1 with a child ignoring INT and TERM: SIGKILLed after
        the grace periods, exit 124, its output kept, nothing left."""
        proj = self.project(IGNORES_TERM)
        res = self.run_local(proj, "--timeout", "1", "--grace", "1", timeout=40)
        self.assertExit(res, 124)
        self.assertArtifact("stubborn_stdout.log", "ignoring\n", res)
        self.assertStderrHas(res, "Timeout: the run reached --timeout 1")
        # 1 s timeout + SIGINT grace + SIGTERM grace; generous for a loaded machine.
        self.assertLess(res.elapsed, 15, res.describe())
        self.assertEqual(self.run_record()["exit_code"], 124)
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: child ignores SIGTERM", inputs=1, faults=1,
                           survived=0, failed_cleanly=1, data_lost=0, command=CMD)

    def test_ignores_sigterm_while_handoff_is_sigtermed(self):
        """point 3: handoff gets SIGTERM while its child ignores it: exit 143 after the grace
        period, the child killed, the run record written."""
        proj = self.project(IGNORES_TERM)
        proc = self.start_handoff("run", "local", "-p", proj, "-w", self.ws, "--grace", "1")
        log = self.artifact_path("stubborn_stdout.log")
        self.wait_for(lambda: os.path.exists(log) and os.path.getsize(log) > 0,
                      what="the child to start")
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - start
        res = Result(proc.args, proc.returncode, out.decode(), err.decode(), elapsed)
        self.assertExit(res, 143)
        self.assertStderrHas(res, "Received SIGTERM. Gracefully shutting down.")
        self.assertLess(elapsed, 12, res.describe())
        self.assertArtifact("stubborn_stdout.log", "ignoring\n", res)
        self.assertEqual(self.run_record()["exit_code"], 143)
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: child ignores SIGTERM", inputs=1, faults=1,
                           survived=0, failed_cleanly=1, data_lost=0, command=CMD)


class Grandchildren(FaultCase):
    def test_grandchild_does_not_outlive_handoff(self):
        """point 3: a child forks grandchildren (one in the background, one detached with
        setsid) and exits: the run succeeds and both are stopped before handoff exits
        (PR_SET_CHILD_SUBREAPER)."""
        proj = self.project("""\
- name: parent
  pipeline:
  - command: sh -c 'sleep 300 & setsid sleep 301 & echo started; exit 0'
- name: next
  pipeline:
  - command: echo next-ran
""")
        res = self.run_local(proj, "--grace", "1", timeout=40)
        self.assertExit(res, 0)
        self.assertArtifact("parent_stdout.log", "started\n", res)
        self.assertArtifact("next_stdout.log", "next-ran\n", res)
        self.assertStderrHas(res, "leftover background process(es)")
        # No wait: handoff itself must have stopped them before exiting.
        self.assertNoProcessLeft(wait=0, res=res)
        reliability.record("process faults: grandchild left behind", inputs=1, faults=1,
                           survived=1, failed_cleanly=0, data_lost=0, command=CMD)

    def test_grandchild_ignoring_sigterm_is_killed(self):
        """point 3: a detached grandchild that ignores SIGTERM is SIGKILLed after the grace."""
        proj = self.project("""\
- name: parent
  pipeline:
  - command: sh -c 'setsid sh -c "trap \\"\\" TERM; while :; do sleep 0.1; done" & echo started'
""")
        res = self.run_local(proj, "--grace", "1", timeout=40)
        self.assertExit(res, 0)
        self.assertLess(res.elapsed, 15, res.describe())
        self.assertNoProcessLeft(wait=0, res=res)
        reliability.record("process faults: grandchild left behind", inputs=1, faults=1,
                           survived=1, failed_cleanly=0, data_lost=0, command=CMD)


SMALL_DISK = "2m"


class DiskFull(FaultCase):
    """A 2 MiB tmpfs mounted in a private mount namespace (`unshare -m`): the mount
    vanishes with the namespace, so the shell copies what the disk held out first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not can_unshare():
            if IN_CI:
                raise AssertionError("`unshare -m` is needed for the disk-full tests (run as root)")
            raise unittest.SkipTest("`unshare -m` not available (needs root)")

    def handoff_on_small_disk(self, mountpoint, *args, env=None, timeout=90):
        """Run handoff ARGS with a 2 MiB tmpfs over mountpoint; returns (Result, listing,
        kept) where listing maps each file on the tmpfs to its size and kept is a copy."""
        kept = os.path.join(self.tmp, "kept")
        listing = os.path.join(self.tmp, "listing.txt")
        out_path = os.path.join(self.tmp, "ho.out")
        err_path = os.path.join(self.tmp, "ho.err")
        os.makedirs(mountpoint, exist_ok=True)
        script = ('set -e; mount -t tmpfs -o size=%s tmpfs "$MNT"; set +e; '
                  '"$HO" "$@" >"$OUT" 2>"$ERR"; rc=$?; '
                  '(cd "$MNT" && find . -type f -printf "%%s %%p\\n") >"$LIST"; '
                  'mkdir -p "$KEPT" && cp -a "$MNT/." "$KEPT/"; exit $rc' % SMALL_DISK)
        full_env = self.env(env)
        full_env.update({"MNT": mountpoint, "HO": HANDOFF_BIN, "OUT": out_path, "ERR": err_path,
                         "LIST": listing, "KEPT": kept})
        argv = ["unshare", "-m", "sh", "-c", script, "sh"] + [str(a) for a in args]
        start = time.monotonic()
        try:
            proc = subprocess.run(argv, env=full_env, cwd=self.tmp, timeout=timeout,
                                  preexec_fn=_reset_signals, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self._kill_leftovers()
            self.fail("handoff did not finish within %s s on a full disk" % timeout)
        with open(out_path, errors="replace") as f:
            out = f.read()
        with open(err_path, errors="replace") as f:
            err = f.read()
        res = Result(argv, proc.returncode, out, err, time.monotonic() - start)
        for sign in CRASH_SIGNS:
            self.assertNotIn(sign, res.stderr, "crash sign %r%s" % (sign, res.describe()))
        files = {}
        with open(listing) as f:
            for line in f:
                size, name = line.rstrip("\n").split(" ", 1)
                files[os.path.normpath(name)] = int(size)
        return res, files, kept

    def assertOneErrorNaming(self, res, *needles):
        errors = [l for l in self.error_lines(res) if all(n in l for n in needles)]
        self.assertEqual(len(errors), 1, "one error line naming %s%s" % (needles, res.describe()))
        self.assertNotIn("Traceback", res.stderr)

    def test_stdout_artifact_fills_the_disk(self):
        """point 3: a child's stdout fills artifacts/: exit 1, one error line with ENOSPC and
        the path, the log keeps an exact prefix, the run record is written, nothing left."""
        proj = self.project("""\
- name: big
  pipeline:
  - command: seq 1 2000000
""")
        arts = self.ws_path("artifacts")
        res, files, kept = self.handoff_on_small_disk(arts, "run", "local", "-p", proj, "-w", self.ws)
        self.assertExit(res, 1)
        log_path = os.path.join(arts, "big_stdout.log")
        self.assertOneErrorNaming(res, "No space left on device", log_path)
        with open(os.path.join(kept, "big_stdout.log")) as f:
            got = f.read()
        expected = seq_text(1, 2000000)
        self.assertGreater(len(got), 1000000, "most of the 2 MiB must hold data")
        self.assertTrue(expected.startswith(got), "the log is an exact prefix of the output")
        self.assertEqual(self.run_record()["exit_code"], 1)
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: disk full (artifact)", inputs=1, faults=1, survived=0,
                           failed_cleanly=1, data_lost=0 if expected.startswith(got) else len(got),
                           command=CMD)

    def test_stderr_log_fills_the_disk(self):
        """point 3 (bug fixed): handoff's own write of <task>_stderr.log fails with ENOSPC: the
        task fails (it used to report success with a truncated log), one error line with the
        path, the log keeps an exact prefix, the console still gets every line."""
        proj = self.project("""\
- name: noisy
  pipeline:
  - command: sh -c 'seq 1 400000 >&2'
""")
        arts = self.ws_path("artifacts")
        res, files, kept = self.handoff_on_small_disk(arts, "run", "local", "-p", proj, "-w", self.ws)
        self.assertExit(res, 1)
        self.assertOneErrorNaming(res, "No space left on device",
                                  os.path.join(arts, "noisy_stderr.log"))
        with open(os.path.join(kept, "noisy_stderr.log")) as f:
            got = f.read()
        expected = seq_text(1, 400000)
        self.assertGreater(len(got), 1000000)
        self.assertTrue(expected.startswith(got), "the log is an exact prefix of the output")
        self.assertIn("noisy: 400000", res.stderr, "the console still gets the last line")
        self.assertStderrHas(res, "Task noisy ended with exit code 1.")
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: disk full (artifact)", inputs=1, faults=1, survived=0,
                           failed_cleanly=1, data_lost=0 if expected.startswith(got) else len(got),
                           command=CMD)

    def remote_env(self):
        backend = LocalBackend(self)
        env = backend.env()
        env["HO_BUCKET"] = "handoff-e2e-bucket"
        return env

    def assertNoPartialFiles(self, files, expected_sizes, res):
        for name, size in files.items():
            self.assertNotIn(".handoff", os.path.basename(name), "temp file left: %s%s"
                             % (name, res.describe()))
            if name in expected_sizes:
                self.assertEqual(size, expected_sizes[name], "partial file %s%s"
                                 % (name, res.describe()))

    def test_files_get_into_a_full_workspace(self):
        """point 3: files get of 3 MiB into a 2 MiB workspace: exit 1, one error naming ENOSPC
        and the path, no partial file or temp file left."""
        big = os.urandom(3 * 1024 * 1024)
        proj = self.write_project("version: 0.5.0\ndeploy:\n  resource_group: rg\n  task: t\n"
                                  "tasks:\n  - name: a\n    pipeline:\n      - command: echo\n",
                                  files={"small.txt": "small\n", "z/big.bin": big})
        env = self.remote_env()
        self.assertExit(self.handoff("files", "push", "-p", proj, env=env), 0)
        res, files, _kept = self.handoff_on_small_disk(
            self.ws, "files", "get", "-p", proj, "-w", self.ws, "--jobs", "1", env=env)
        self.assertExit(res, 1)
        self.assertIn("No space left on device", res.stderr, res.describe())
        self.assertIn("big.bin", res.stderr, res.describe())
        self.assertNoPartialFiles(files, {"files/z/big.bin": len(big), "templates/z/big.bin": len(big),
                                          "files/small.txt": 6, "templates/small.txt": 6}, res)
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: disk full (files get)", inputs=1, faults=1, survived=0,
                           failed_cleanly=1, data_lost=0, command=CMD)

    def test_artifacts_get_into_a_full_workspace(self):
        """point 3: artifacts get of 3 MiB into a 2 MiB workspace: exit 1, a clear error, no
        partial file or temp file left."""
        proj = self.write_project("version: 0.5.0\ndeploy:\n  resource_group: rg\n  task: t\n"
                                  "tasks:\n  - name: big\n    pipeline:\n"
                                  "      - command: head -c 3145728 /dev/urandom\n")
        env = self.remote_env()
        src_ws = os.path.join(self.tmp, "src-ws")
        self.assertExit(self.run_local(proj, workspace=src_ws), 0)
        res = self.handoff("artifacts", "push", "-p", proj, "-w", src_ws, env=env)
        self.assertExit(res, 0)
        size = os.path.getsize(os.path.join(src_ws, "artifacts", "big_stdout.log"))
        res, files, _kept = self.handoff_on_small_disk(
            self.ws, "artifacts", "get", "-p", proj, "-w", self.ws, "--jobs", "1", env=env)
        self.assertExit(res, 1)
        self.assertIn("No space left on device", res.stderr, res.describe())
        self.assertIn("big_stdout.log", res.stderr, res.describe())
        self.assertNoPartialFiles(files, {"artifacts/big_stdout.log": size}, res)
        self.assertNoProcessLeft(res=res)
        reliability.record("process faults: disk full (artifacts get)", inputs=1, faults=1,
                           survived=0, failed_cleanly=1, data_lost=0, command=CMD)


if __name__ == "__main__":
    unittest.main()
