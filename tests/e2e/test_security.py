"""issue 6 point 4: security (threat model and answers in docs/SECURITY.md).

- Secret values never appear in handoff's logs (every level, text and JSON),
  its error messages, its own /proc/<pid>/cmdline and environ, the run record
  (.handoff/runs/*.json and the pushed _handoff_run.json), the logs it writes,
  or what it prints when it dies.
- Files that hold secrets are created 0600 (checked with strace: the mode is
  given to open(2), never fixed by a chmod afterwards), whatever the umask;
  the local store's key and data are unreadable by another user (nobody).
- No path handoff builds escapes the workspace: a symlink in files/ (refused
  when it leads out of the project), an S3 key (`../`, absolute, `..\\`), a
  foreach line used in a log name, a task name.
- Wrong AWS keys against a moto that checks signatures: covered by
  test_aws_client.py WrongKeysTest (referenced, not duplicated).

Figures go to reliability.record(), area "security: ...".
"""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import unittest
import urllib.parse
import urllib.request

from harness import HANDOFF_BIN, HandoffTestCase, Result, _reset_signals, in_ci
import moto as moto_helpers
import reliability
from test_remote import LocalBackend

CMD = "HANDOFF_BIN=build/handoff CI=true python3 -m unittest -v tests/e2e/test_security.py"
IN_CI = in_ci()

# Long and distinctive, so a hit is never a coincidence; one multi-line.
SECRET = "S3cr3tValue-e2e-7f3a9c1d5b2e4680-never-print-me"
SECRET2 = "second-SECRET-b9e1c0d2a7f34e5c8d6b"
KEY_LINES = ["-----BEGIN TEST KEY-----", "MIIBkeyline1e2eA9f8e7d6c5b4a3", "MIIBkeyline2e2eZ1y2x3w4v5u6t7",
             "-----END TEST KEY-----"]
SECRETS_YML = """\
- key: db_password
  value: %s
- key: api_token
  value: %s
- key: private_key
  value: |
%s
""" % (SECRET, SECRET2, "".join("    %s\n" % l for l in KEY_LINES))
NEEDLES = [SECRET, SECRET2] + KEY_LINES[1:3]

PROJECT = """\
version: 0.5.0
deploy:
  resource_group: rg
  task: t
tasks:
  - name: uses
    pipeline:
      - command: sh
        args: -c 'echo "to stderr {{ db_password }} and {{ api_token }}" >&2; echo ok'
  - name: waits
    pipeline:
      - command: sh
        args: -c 'while [ ! -e go ]; do sleep 0.05; done; echo waited'
  - name: fails
    pipeline:
      - command: "no-such-command-{{ db_password }}"
"""



def sanitizer_handlers_off():
    """ASAN_OPTIONS for a handoff that is signalled or traced on purpose (no effect
    on a build without sanitizers)."""
    base = os.environ.get("ASAN_OPTIONS", "")
    return {"ASAN_OPTIONS": (base + ":" if base else "") + "handle_segv=0:handle_abort=0:detect_leaks=0"}

class SecurityCase(HandoffTestCase):
    def secret_project(self, text=PROJECT, files=None):
        return self.write_project(text, files=files or {
            "conf.txt": "password={{ db_password }}\n", "plain.txt": "nothing secret\n"},
            secrets={"dev_secrets.yml": SECRETS_YML})

    def assertNoSecret(self, text, where):
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        for n in NEEDLES:
            self.assertNotIn(n, text, "secret %r found in %s" % (n[:12] + "…", where))

    def tree_bytes(self, root):
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                path = os.path.join(dirpath, f)
                if os.path.isfile(path) and not os.path.islink(path):
                    with open(path, "rb") as fh:
                        yield path, fh.read()


class SecretsStayHidden(SecurityCase):
    def run_and_inspect(self, *flags):
        proj = self.secret_project()
        proc = self.start_handoff("run", "local", "-p", proj, "-w", self.ws, *flags)
        # While a task runs: handoff's own argv and environment.
        self.wait_for(lambda: os.path.exists(self.artifact_path("waits_stdout.log")),
                      what="the waiting task")
        for part in ("cmdline", "environ"):
            with open("/proc/%d/%s" % (proc.pid, part), "rb") as f:
                self.assertNoSecret(f.read(), "handoff's /proc/%s (%s)" % (part, flags))
        ps = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(proc.pid)],
                            capture_output=True, text=True)
        self.assertNoSecret(ps.stdout, "ps")
        with open(self.ws_path("go"), "w"):
            pass
        out, err = proc.communicate(timeout=60)
        res = Result(proc.args, proc.returncode, out.decode(), err.decode(), 0)
        self.assertExit(res, 1)  # the last task's command is not found
        self.assertNoSecret(res.stdout, "stdout %s" % (flags,))
        self.assertNoSecret(res.stderr, "stderr %s" % (flags,))
        self.assertIn("to stderr ****", res.stderr)  # the relayed line is there, masked
        for name in ("uses_stderr.log", "fails_stderr.log", "waits_stderr.log"):
            self.assertNoSecret(self.read_artifact(name, "rb"), name)
        self.assertIn("not found", self.read_artifact("fails_stderr.log"))
        for path in self.run_records():
            with open(path, "rb") as f:
                self.assertNoSecret(f.read(), path)
        return res

    def test_no_secret_in_logs_at_any_level_or_format(self):
        """point 4: default, --verbose, --log-format json (+ --verbose): no secret on stdout,
        stderr, in the stderr logs, the run records or handoff's own /proc cmdline/environ."""
        tried = 0
        for flags in ((), ("--verbose",), ("--log-format", "json"),
                      ("--log-format", "json", "--verbose")):
            shutil.rmtree(self.ws, ignore_errors=True)
            res = self.run_and_inspect(*flags)
            tried += 1
            if "--log-format" in flags:
                lines = [l for l in res.stderr.splitlines() if l.startswith("{")]
                self.assertTrue(lines, res.describe())
                for l in lines:
                    json.loads(l)
            if "--verbose" in flags:
                self.assertIn("DEBUG", res.stderr.upper())
        self.assertNoProcessLeft()
        reliability.record("security: secrets in handoff's output", inputs=tried * 8, faults=0,
                           survived=0, failed_cleanly=tried * 8, data_lost=0, command=CMD)

    def test_no_secret_in_show_or_pushed_run_record(self):
        """point 4: `show` masks rendered commands; _handoff_run.json pushed with the artifacts
        and everything else in the local store holds no secret."""
        proj = self.secret_project(PROJECT.replace("while [ ! -e go ]", "while false"))
        res = self.handoff("show", "-p", proj)
        self.assertNoSecret(res.stdout + res.stderr, "show")
        backend = LocalBackend(self)
        env = dict(backend.env(), HO_BUCKET="sec-bucket")
        self.run_local(proj, env=env)
        res = self.handoff("artifacts", "push", "-p", proj, "-w", self.ws, env=env)
        self.assertExit(res, 0)
        self.assertNoSecret(res.stdout + res.stderr, "artifacts push")
        self.assertExit(self.handoff("secrets", "push", "-p", proj, "-y", env=env), 0)
        found = False
        for path, data in backend.all_store_bytes():
            found = found or path.endswith("_handoff_run.json")
            self.assertNoSecret(data, path)
        self.assertTrue(found, "the pushed run record is in the store")
        reliability.record("security: secrets in handoff's output", inputs=3, faults=0, survived=0,
                           failed_cleanly=3, data_lost=0, command=CMD)

    def test_no_secret_on_an_error_path_or_when_handoff_dies(self):
        """point 4: an internal error whose message holds a secret is masked at the CLI; a
        handoff killed by SIGABRT or SIGSEGV prints nothing of the secrets."""
        proj = self.secret_project()
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w"):
            pass
        res = self.run_local(proj, workspace=os.path.join(blocker, "ws-" + SECRET))
        self.assertCleanError(res, 1, "cannot create directory", "ws-****")
        self.assertNoSecret(res.stderr + res.stdout, "error path")
        tried = 1
        for sig in (signal.SIGABRT, signal.SIGSEGV):
            shutil.rmtree(self.ws, ignore_errors=True)
            # Under ASan its own SEGV/abort handlers would turn the signal into a report and
            # an abort: off, so the signal kills handoff as it would a release build.
            proc = self.start_handoff("run", "local", "-p", proj, "-w", self.ws, "--verbose",
                                      env=sanitizer_handlers_off())
            self.wait_for(lambda: os.path.exists(self.artifact_path("waits_stdout.log")),
                          what="the waiting task")
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, -sig)
            self.assertNoSecret(out + err, "output of a handoff killed by %s" % sig.name)
            self._kill_leftovers()  # its children outlive a crashed handoff
            tried += 1
        reliability.record("security: secrets in handoff's output", inputs=tried, faults=2,
                           survived=0, failed_cleanly=tried, data_lost=0, command=CMD)


OPEN_RE = re.compile(r'^(\d+) +(?:openat\(AT_FDCWD, |open\()"([^"]+)", ([A-Z_|]+)(?:, (0\d+))?\)')
CHMOD_RE = re.compile(r'^(\d+) +(?:fchmod\((\d+)|chmod\("([^"]+)"|fchmodat\(AT_FDCWD, "([^"]+)"), (0\d+)')


class FileModes(SecurityCase):
    def strace(self, *args, env=None, umask=0o000):
        """Run handoff under strace -f; returns (Result, [(path, flags, mode)], chmods)."""
        if shutil.which("strace") is None:
            if IN_CI:
                self.fail("strace is needed to check file modes at creation")
            raise unittest.SkipTest("strace not installed")
        trace = os.path.join(self.tmp, "trace.txt")
        argv = ["strace", "-f", "-qq", "-s", "512", "-o", trace, "-e",
                "trace=open,openat,creat,chmod,fchmod,fchmodat", HANDOFF_BIN] + list(args)

        def pre():
            _reset_signals()
            os.umask(umask)
        proc = subprocess.run(argv, env=self.env(env), cwd=self.tmp, capture_output=True,
                              preexec_fn=pre, timeout=120)
        res = Result(argv, proc.returncode, proc.stdout.decode(), proc.stderr.decode(), 0)
        opens, chmods = [], []
        with open(trace) as f:
            for line in f:
                m = OPEN_RE.match(line)
                if m and "O_CREAT" in m.group(3):
                    opens.append((m.group(2), m.group(3), int(m.group(4), 8)))
                c = CHMOD_RE.match(line)
                if c:
                    chmods.append((c.group(3) or c.group(4) or "fd", int(c.group(5), 8)))
        return res, opens, chmods

    def assertCreated0600(self, opens, chmods, pattern, what):
        hits = [o for o in opens if re.search(pattern, o[0])]
        self.assertTrue(hits, "no O_CREAT open of %s (%s) in %s" % (what, pattern, opens))
        for path, flags, mode in hits:
            self.assertEqual(mode & 0o077, 0, "%s created with mode %o (%s)" % (path, mode, flags))
        for path, mode in chmods:
            if re.search(pattern, path):
                self.assertEqual(mode & 0o077, 0, "%s chmod to %o" % (path, mode))
        return len(hits)

    def test_secret_files_are_0600_from_creation_whatever_the_umask(self):
        """point 4: rendered files holding a secret, the run record, the store key, sealed
        parameters and the etag cache are opened O_CREAT with 0600 (umask 000): no window."""
        proj = self.secret_project(PROJECT.replace("while [ ! -e go ]", "while false"))
        backend = LocalBackend(self)
        # LeakSanitizer cannot run under ptrace (strace): off for this run only.
        env = dict(backend.env(), HO_BUCKET="sec-bucket", **sanitizer_handlers_off())
        checked = 0
        res, opens, chmods = self.strace("run", "local", "-p", proj, "-w", self.ws, env=env)
        self.assertExit(res, 1)
        checked += self.assertCreated0600(opens, chmods, r"/files/conf\.txt", "the rendered secret file")
        checked += self.assertCreated0600(opens, chmods, r"/\.handoff/runs/", "the run record")
        self.assertEqual(stat.S_IMODE(os.stat(self.ws_path("files", "conf.txt")).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.ws_path("files", "plain.txt")).st_mode), 0o644)

        res, opens, chmods = self.strace("secrets", "push", "-p", proj, "-y", env=env)
        self.assertExit(res, 0)
        checked += self.assertCreated0600(opens, chmods, r"store\.key", "the store key")
        checked += self.assertCreated0600(opens, chmods, r"/params/.*db_password", "a sealed parameter")

        res, opens, chmods = self.strace("files", "push", "-p", proj, env=env)
        self.assertExit(res, 0)
        res, opens, chmods = self.strace("files", "get", "-p", proj, "-w", self.ws, env=env)
        self.assertExit(res, 0)
        checked += self.assertCreated0600(opens, chmods, r"/files/conf\.txt", "files get's rendered secret file")
        checked += self.assertCreated0600(opens, chmods, r"etag", "the etag cache")
        reliability.record("security: file modes", inputs=checked, faults=0, survived=0,
                           failed_cleanly=checked, data_lost=0, command=CMD)

    def test_local_store_unreadable_by_another_user(self):
        """point 4: as `nobody`, every file of the local store and its key cannot be read and
        its folders cannot be listed (0700 folders, 0600 files)."""
        setpriv = shutil.which("setpriv")
        if setpriv is None or os.getuid() != 0:
            if IN_CI:
                self.fail("root and setpriv are needed to test as another user")
            raise unittest.SkipTest("needs root and setpriv")
        os.chmod(self.tmp, 0o755)  # only the store's own modes may protect it
        proj = self.secret_project()
        backend = LocalBackend(self)
        env = dict(backend.env(), HO_BUCKET="sec-bucket")
        self.assertExit(self.handoff("secrets", "push", "-p", proj, "-y", env=env), 0)
        self.assertExit(self.handoff("files", "push", "-p", proj, env=env), 0)
        tried = 0
        for top in (backend.root, backend.config_home):
            for dirpath, dirs, files in os.walk(top):
                mode = stat.S_IMODE(os.stat(dirpath).st_mode)
                if dirpath != backend.config_home:  # XDG_CONFIG_HOME itself is the user's
                    self.assertEqual(mode & 0o077, 0, "%s is %o" % (dirpath, mode))
                for f in files:
                    path = os.path.join(dirpath, f)
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode) & 0o077, 0, path)
                    proc = subprocess.run([setpriv, "--reuid=nobody", "--regid=nogroup",
                                           "--clear-groups", "cat", path], capture_output=True)
                    self.assertNotEqual(proc.returncode, 0, "nobody read %s" % path)
                    self.assertIn(b"Permission denied", proc.stderr)
                    tried += 1
        self.assertGreater(tried, 3)
        key = os.path.join(backend.config_home, "handoff", "store.key")
        self.assertTrue(os.path.exists(key))
        reliability.record("security: local store vs other users", inputs=tried, faults=0,
                           survived=0, failed_cleanly=tried, data_lost=0, command=CMD)


class PathsStayInside(SecurityCase):
    def outside_marker(self):
        """A file outside every project and workspace that a leak would copy."""
        path = os.path.join(self.tmp, "outside", "credentials")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("OUTSIDE-PRIVATE-e2e-3c5d\n")
        return path

    def test_symlink_in_files_leading_out_is_refused(self):
        """point 4 (bug fixed): files/ links to a file outside the project, a relative link
        climbing out, and a files/ folder that is itself such a link: run local and files push
        refuse with exit 2 and one clear error; nothing is rendered or uploaded. A link to a
        file inside the project is rendered as its target."""
        outside = self.outside_marker()
        backend = LocalBackend(self)
        env = dict(backend.env(), HO_BUCKET="sec-bucket")
        tried = 0
        for kind in ("absolute", "relative", "folder"):
            shutil.rmtree(os.path.join(self.tmp, "proj"), ignore_errors=True)
            shutil.rmtree(self.ws, ignore_errors=True)
            proj = self.write_project(PROJECT.split("  - name: waits")[0],
                                      files=None if kind == "folder" else {"ok.txt": "ok\n"},
                                      secrets={"dev_secrets.yml": SECRETS_YML})
            files = os.path.join(proj, "files")
            if kind == "absolute":
                os.symlink(outside, os.path.join(files, "creds"))
            elif kind == "relative":
                os.symlink(os.path.relpath(outside, files), os.path.join(files, "creds"))
            else:
                shutil.rmtree(files, ignore_errors=True)
                os.symlink(os.path.dirname(outside), files)
            res = self.run_local(proj)
            self.assertCleanError(res, 2, "is a symbolic link to", "outside the project")
            self.assertNothingRan(res)
            res = self.handoff("files", "push", "-p", proj, env=env)
            self.assertNotEqual(res.returncode, 0, res.describe())
            self.assertIn("symbolic link", res.stderr, res.describe())
            for path, data in backend.all_store_bytes():
                self.assertNotIn(b"OUTSIDE-PRIVATE", data, path)
            tried += 2
        # Inside the project: followed, rendered from its target.
        shutil.rmtree(os.path.join(self.tmp, "proj"), ignore_errors=True)
        shutil.rmtree(self.ws, ignore_errors=True)
        proj = self.write_project(PROJECT.split("  - name: waits")[0],
                                  secrets={"dev_secrets.yml": SECRETS_YML})
        os.makedirs(os.path.join(proj, "shared"))
        with open(os.path.join(proj, "shared", "g.txt"), "w") as f:
            f.write("shared file\n")
        os.makedirs(os.path.join(proj, "files"))
        os.symlink("../shared/g.txt", os.path.join(proj, "files", "g.txt"))
        self.assertExit(self.run_local(proj), 0)
        with open(self.ws_path("files", "g.txt")) as f:
            self.assertEqual(f.read(), "shared file")
        self.assertFalse(os.path.islink(self.ws_path("files", "g.txt")))
        reliability.record("security: path escapes (files/ symlinks)", inputs=tried, faults=0,
                           survived=0, failed_cleanly=tried, data_lost=0, command=CMD)

    def test_foreach_lines_and_task_names_stay_in_artifacts(self):
        """point 4: foreach lines `../../x`, `/etc/x`, 600 bytes, odd bytes and task names
        with `../` and `/` become log names inside WORKSPACE/artifacts only."""
        hostile_lines = [b"../../escape-line", b"/etc/escape-abs", b"..", b".", b"a/../../b",
                         b"x" * 600, b"y" * 600, b"odd \x01\x7f\xff\xfe bytes", b"..\\..\\win",
                         b"-rf", b"$(id)"]
        lines_file = os.path.join(self.tmp, "lines.bin")
        with open(lines_file, "wb") as f:
            f.write(b"\n".join(hostile_lines) + b"\n")
        proj = self.write_project("""\
version: 0.3
tasks:
  - name: "../../escape-task"
    pipeline:
      - command: echo task
  - name: "/etc/escape-task-abs"
    pipeline:
      - command: echo task
  - name: loop
    pipeline:
      - command: cat %s
      - foreach:
          - name: child
            pipeline:
              - command: echo line
""" % lines_file)
        before = set(self.all_paths(self.tmp))
        res = self.run_local(proj, timeout=60)
        self.assertExit(res, 0)
        after = set(self.all_paths(self.tmp))
        new = sorted(after - before)
        for p in new:
            self.assertTrue(p == self.ws or p.startswith(self.ws + os.sep),
                            "created outside the workspace: %r" % p)
        arts = self.ws_path("artifacts")
        logs = os.listdir(arts)
        for name in logs:
            self.assertLessEqual(len(name.encode()), 255, name)
            self.assertTrue(os.path.isfile(os.path.join(arts, name)), name)
        child_logs = [n for n in logs if n.startswith("child_") and n.endswith("_stdout.log")]
        # "." and ".." both become "_"-only names; every other line has its own log, the
        # two 600-byte lines too (cut, with a hash of the whole line).
        self.assertGreaterEqual(len(child_logs), len(hostile_lines) - 1, sorted(logs))
        for n in child_logs:
            with open(os.path.join(arts, n)) as f:
                self.assertEqual(f.read(), "line\n")
        self.assertFalse(os.path.exists("/etc/escape-abs_stdout.log"))
        self.assertFalse(os.path.exists("/etc/escape-task-abs_stdout.log"))
        reliability.record("security: path escapes (log names)", inputs=len(hostile_lines) + 2,
                           faults=0, survived=len(hostile_lines) + 2, failed_cleanly=0, data_lost=0,
                           command=CMD)

    @staticmethod
    def all_paths(root):
        out = []
        for dirpath, dirs, files in os.walk(root):
            out.extend(os.path.join(dirpath, n) for n in dirs + files)
        return out


class HostileKeys(HandoffTestCase):
    """point 4: hostile S3 keys planted with awscli in moto: `../`, absolute, `..\\`,
    `./`, `//`: files get and artifacts get refuse them, write nothing outside."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = moto_helpers.MotoServer()  # skips without moto, fails in CI
        cls.addClassCleanup(cls.server.stop)

    def put(self, path, data=b""):
        """A plain PUT to moto (it checks no signature here): awscli takes ~5 s a call on a
        loaded machine, so the keys are planted this way and checked with one awscli listing."""
        url = self.server.endpoint + "/" + urllib.parse.quote(path, safe="/")
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method="PUT")) as r:
            self.assertEqual(r.status, 200)

    def test_hostile_keys_refused_by_files_get_and_artifacts_get(self):
        """point 4: 7 hostile keys under files/ and artifacts/last/: each refused and listed,
        exit 1, good.txt fetched, nothing written outside the workspace."""
        server = self.server
        server.reset()
        bucket = "sec-hostile"
        self.put(bucket)
        hostile = ["../../evil-up", "/evil-abs", "//evil-abs2", "..\\..\\evil-win", "a/../../../evil-mid",
                   "./evil-dot", "sub/./../../evil-dot2"]
        planted = []
        for where in ("t/files/", "t/artifacts/last/"):
            for k in ["good.txt"] + hostile:
                self.put(bucket + "/" + where + k, b"EVIL-CONTENT\n")
                planted.append(where + k)
        listed = server.aws_json("s3api", "list-objects-v2", "--bucket", bucket)
        self.assertEqual(sorted(o["Key"] for o in listed["Contents"]), sorted(planted))
        env = server.env()
        env.update({"HO_STORE": "aws", "HO_BUCKET": bucket, "STACK_NAME": None})
        before = set(PathsStayInside.all_paths(self.tmp))
        tried = 0
        for cmd in ("files", "artifacts"):
            res = self.handoff(cmd, "get", "-w", self.ws, "-e", "resource_group=rg", "task=t",
                               env=env)
            self.assertCleanError(res, 1, "refused")
            tried += len(hostile)
        after = set(PathsStayInside.all_paths(self.tmp))
        for p in sorted(after - before):
            self.assertTrue(p == self.ws or p.startswith(self.ws + os.sep),
                            "written outside the workspace: %s" % p)
        for root, _dirs, files in os.walk(self.ws):
            for f in files:
                self.assertNotIn("evil", f, os.path.join(root, f))
        for p in ("/evil-abs", "/evil-abs2"):
            self.assertFalse(os.path.exists(p))
        self.assertTrue(os.path.exists(self.ws_path("files", "good.txt")))
        self.assertTrue(os.path.exists(self.ws_path("artifacts", "good.txt")))
        reliability.record("security: path escapes (S3 keys)", inputs=tried, faults=0, survived=0,
                           failed_cleanly=tried, data_lost=0, command=CMD)


if __name__ == "__main__":
    unittest.main()
