"""issue 6 point 5: soak and concurrency of remote runs, each run its own process.

- Remote soak: HO_SOAK_REMOTE_RUNS (default 200) runs of `handoff run -w W -a`
  against the embedded local store, and HO_SOAK_MOTO_RUNS (default 20) against
  moto_server. After every run: no process carrying the test's marker is left,
  this test process (a child subreaper while the tests run, so orphans come to
  it) has no child but moto, and the store grew by exactly the run's own data:
  one new archive holding the workspace's artifacts byte for byte (plus the run
  record and the manifest), last/ equal to that archive, nothing else changed
  (the local store: no metadata without its object, nothing left in tmp/).
- Concurrent pushes: two `artifacts push` for the same task at once,
  HO_SOAK_PUSH_ROUNDS (default 5) times, on both backends: the lease
  serializes them, both archives are complete (the manifest lists exactly
  their files, the bytes are theirs) and last/ equals one of them exactly.

Figures go to reliability.record() (docs/RELIABILITY.md, scripts/reliability).
"""
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import moto as moto_helpers  # tests/e2e/moto.py (skips without moto_server; fails in CI)
import reliability
import test_remote
from harness import HANDOFF_BIN, HandoffTestCase, children_of, marked_pids, process_cmdline

RG = "soak"
TASK = "t1"
BUCKET = "handoff-soak-bucket"
IDENT = ["-e", "resource_group=" + RG, "task=" + TASK]
ARTIFACTS = TASK + "/artifacts/"
ARCHIVES = ARTIFACTS + "archives/"
LAST = ARTIFACTS + "last/"
MANIFEST = "_handoff_manifest.json"
RUN_RECORD = "_handoff_run.json"
LOCK = ARTIFACTS + "_handoff_lock"

# Fork + foreach with fixed line names (last/ is fetched into each fresh
# workspace, so names that changed per run would pile up) and a stamp task
# whose bytes differ per run, so last/ holding an older run shows.
PROJECT = """\
version: 0.5.0
deploy:
  resource_group: %s
  task: %s
vars:
  - key: n
    value: "0"
tasks:
  - name: src
    pipeline:
      - command: printf
        args: "'a\\\\nb\\\\n'"
      - fork:
          - name: copy
            pipeline:
              - command: cat
          - name: lines
            pipeline:
              - foreach:
                  - name: each
                    pipeline:
                      - command: echo
                        args: "{{ _line }}"
  - name: stamp
    pipeline:
      - command: echo
        args: "run {{ n }}"
""" % (RG, TASK)

PR_SET_CHILD_SUBREAPER = 36
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def env_count(name, default):
    return max(1, int(os.environ.get(name) or default))


def set_subreaper(on):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def workspace_files(ws):
    """{name: (size, md5)} of WS/artifacts (flat: our projects write no sub-folders)."""
    d = os.path.join(ws, "artifacts")
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        out[name] = (os.path.getsize(p), md5_file(p))
    return out


# ---------------------------------------------------------------------------
# Listing a bucket with sizes and MD5s, per backend.
class LocalView(test_remote.LocalBackend):
    """The embedded store, read directly; MD5s cached by the file's identity."""

    def __init__(self, tc):
        super().__init__(tc)
        self._md5 = {}
        self._params = None  # the parameter files at the first check

    def snapshot(self, bucket):
        base = os.path.join(self.root, "objects", bucket)
        out = {}
        for dirpath, _dirs, files in os.walk(base):
            for f in files:
                p = os.path.join(dirpath, f)
                st = os.stat(p)
                ident = (st.st_ino, st.st_size, st.st_mtime_ns)
                cached = self._md5.get(p)
                if not cached or cached[0] != ident:
                    cached = (ident, md5_file(p))
                    self._md5[p] = cached
                out[os.path.relpath(p, base).replace(os.sep, "/")] = (st.st_size, cached[1])
        return out

    def aws_snapshot(self, bucket):
        return self.snapshot(bucket)

    def housekeeping_problems(self, bucket):
        """What the store keeps beside objects that it should not: orphan metadata, temp files."""
        problems = []
        objects = set(self.list_objects(bucket))
        meta_base = os.path.join(self.root, "meta", bucket)
        metas = set()
        for dirpath, _dirs, files in os.walk(meta_base):
            for f in files:
                metas.add(os.path.relpath(os.path.join(dirpath, f), meta_base).replace(os.sep, "/"))
        if metas - objects:
            problems.append("metadata without an object: %s" % sorted(metas - objects)[:5])
        tmp = os.path.join(self.root, "tmp")
        if os.path.isdir(tmp) and os.listdir(tmp):
            problems.append("left in tmp/: %s" % sorted(os.listdir(tmp))[:5])
        params = sorted(self.files_and_sizes(os.path.join(self.root, "params")))
        if self._params is None:
            self._params = params
        elif params != self._params:
            problems.append("parameters changed: %s" % sorted(set(params) ^ set(self._params))[:5])
        others = sorted(set(os.listdir(self.root)) - {"objects", "meta", "tmp", "params"})
        if others:
            problems.append("unexpected entries in the store: %s" % others)
        return problems

    @staticmethod
    def files_and_sizes(top):
        for dirpath, _dirs, files in os.walk(top):
            for f in files:
                p = os.path.join(dirpath, f)
                yield os.path.relpath(p, top), os.path.getsize(p)


class MotoView(test_remote.MotoBackend):
    """moto, listed over plain HTTP from Python (fast enough to do after every run; moto
    checks no signatures here) and cross-checked once per test with awscli."""

    def _get(self, bucket, query):
        url = "%s/%s?%s" % (self.server.endpoint, bucket, urllib.parse.urlencode(query))
        with urllib.request.urlopen(url, timeout=60) as r:
            return ET.fromstring(r.read())

    def snapshot(self, bucket):
        out, token = {}, None
        while True:
            query = {"list-type": "2", **({"continuation-token": token} if token else {})}
            root = self._get(bucket, query)
            for c in root.iter(S3_NS + "Contents"):
                out[c.findtext(S3_NS + "Key")] = (int(c.findtext(S3_NS + "Size")),
                                                   c.findtext(S3_NS + "ETag").strip('"'))
            token = root.findtext(S3_NS + "NextContinuationToken")
            if root.findtext(S3_NS + "IsTruncated") != "true" or not token:
                return out

    def aws_snapshot(self, bucket):
        doc = self.server.aws_json("s3api", "list-objects-v2", "--bucket", bucket)
        return {o["Key"]: (o["Size"], o["ETag"].strip('"')) for o in doc.get("Contents", [])}

    def housekeeping_problems(self, bucket):
        ups = [u.findtext(S3_NS + "Key") for u in self._get(bucket, {"uploads": ""}).iter(S3_NS + "Upload")]
        return ["open multipart uploads: %s" % ups] if ups else []


# ---------------------------------------------------------------------------
class SoakBase(HandoffTestCase):
    view_class = LocalView
    default_timeout = 120

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_subreaper(True)

    @classmethod
    def tearDownClass(cls):
        set_subreaper(False)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.backend = self.view_class(self)
        self.backend.start()
        self.backend.make_bucket(BUCKET)
        self.allowed_children = set()
        server = getattr(type(self), "moto_server", None)
        if server and server.proc:
            self.allowed_children.add(server.proc.pid)

    def ho(self, *args, env=None, **kw):
        full = self.backend.env()
        full.update({"HO_BUCKET": BUCKET})
        full.update(env or {})
        return self.handoff(*args, env=full, **kw)

    def start_ho(self, *args, env=None):
        full = self.backend.env()
        full.update({"HO_BUCKET": BUCKET})
        full.update(env or {})
        return self.start_handoff(*args, env=full)

    def stray_children(self):
        """Children of this process other than moto: orphans handoff left (alive or zombie)."""
        return [(p, s, process_cmdline(p)) for p, s in children_of(os.getpid())
                if p not in self.allowed_children]

    def assertNoStray(self, what):
        deadline = time.monotonic() + 2.0
        while True:
            marked, stray = marked_pids(self.mark), self.stray_children()
            if (not marked and not stray) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(marked, [], "%s: processes left: %s" % (what, [(p, process_cmdline(p)) for p in marked]))
        self.assertEqual(stray, [], "%s: stray children or zombies: %s" % (what, stray))


# ---------------------------------------------------------------------------
class RemoteSoak(SoakBase):
    runs_var, runs_default = "HO_SOAK_REMOTE_RUNS", 200

    def test_runs_leave_no_process_and_grow_the_store_by_their_own_data(self):
        """point 5: N remote runs as separate processes: no zombie, no stray, store growth = the runs' data."""
        runs = env_count(self.runs_var, self.runs_default)
        proj = self.write_project(PROJECT, name="proj")
        for what in ("config", "files"):
            self.assertExit(self.ho(what, "push", "-p", proj, *IDENT), 0)
        before = self.backend.snapshot(BUCKET)
        outside = {k: v for k, v in before.items() if not k.startswith(ARTIFACTS)}
        problems, lost, ok, growth = [], 0, 0, []
        t0 = time.monotonic()
        for i in range(1, runs + 1):
            ws = os.path.join(self.tmp, "ws%d" % i)
            res = self.ho("run", "-w", ws, "-a", "-v", "n=%d" % i, *IDENT)
            run_problems = []
            if res.returncode != 0:
                run_problems.append("exit %d: %s" % (res.returncode, res.stderr[-2000:]))
            self.assertNoStray("run %d" % i)
            after = self.backend.snapshot(BUCKET)
            mine = workspace_files(ws)
            run_lost, why = self.check_growth(before, after, outside, mine, ws, i)
            run_problems += why
            run_problems += self.backend.housekeeping_problems(BUCKET)
            lost += run_lost
            added = set(after) - set(before)
            growth.append((len(added), sum(after[k][0] for k in added)))
            if run_problems:
                problems.append("run %d: %s" % (i, "; ".join(run_problems)))
            else:
                ok += 1
            before = after
            shutil.rmtree(ws, ignore_errors=True)
        took = time.monotonic() - t0
        # The second client sees the same bucket as the per-run listings.
        self.assertEqual(self.backend.aws_snapshot(BUCKET), before)
        print("\n[ soak ] %s: %d runs in %.1f s (%.0f ms/run); per run +%d..%d objects, +%d..%d bytes"
              % (self.backend.name, runs, took, 1000 * took / runs, min(g[0] for g in growth),
                 max(g[0] for g in growth), min(g[1] for g in growth), max(g[1] for g in growth)))
        reliability.record("Remote soak (%s)" % self.backend.name, inputs=runs, faults=0, survived=ok,
                           failed_cleanly=0, data_lost=lost,
                           command="%s=%d python3 -m unittest -v test_soak.%s"
                                   % (self.runs_var, runs, type(self).__name__))
        self.assertEqual(problems, [], "%d of %d runs went wrong" % (len(problems), runs))
        self.assertEqual(lost, 0)

    def check_growth(self, before, after, outside, mine, ws, i):
        """(bytes lost, problems) of one run: exactly one new archive = the workspace = last/."""
        why = []
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        stamps = {k[len(ARCHIVES):].split("/")[0] for k in added if k.startswith(ARCHIVES)}
        if len(stamps) != 1:
            return sum(s for s, _ in mine.values()), ["%d new archives (want 1): %s" % (len(stamps), added[:8])]
        archive = ARCHIVES + stamps.pop() + "/"
        names = set(mine) | {RUN_RECORD, MANIFEST}
        # The first run also creates last/; later ones only replace what is there.
        want = {archive + n for n in names} | ({LAST + n for n in names} - set(before))
        if set(added) != want:
            why.append("new objects %s, want %s" % (sorted(set(added) ^ want)[:8], "the archive only"))
        if removed:
            why.append("objects removed: %s" % removed[:8])
        changed_outside = {k for k, v in outside.items() if after.get(k) != v}
        if changed_outside:
            why.append("objects outside artifacts/ changed: %s" % sorted(changed_outside))
        if LOCK in after:
            why.append("the lease is left behind")
        lost = 0
        for name, (size, md5) in mine.items():
            for key in (archive + name, LAST + name):
                if after.get(key) != (size, md5):
                    lost += size
                    why.append("%s is %s, the workspace's %s is %s" % (key, after.get(key), name, (size, md5)))
        last = {k[len(LAST):]: v for k, v in after.items() if k.startswith(LAST)}
        arch = {k[len(archive):]: v for k, v in after.items() if k.startswith(archive)}
        if last != arch:
            why.append("last/ differs from the new archive: %s" % sorted(set(last.items()) ^ set(arch.items()))[:6])
        stamp = mine.get("stamp_stdout.log")
        if stamp != (len("run %d\n" % i), hashlib.md5(b"run %d\n" % i).hexdigest()):
            why.append("stamp_stdout.log is %s, not run %d's" % (stamp, i))
        return lost, why


class MotoRemoteSoak(RemoteSoak):
    view_class = MotoView
    runs_var, runs_default = "HO_SOAK_MOTO_RUNS", 20

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto_server = moto_helpers.MotoServer()

    @classmethod
    def tearDownClass(cls):
        server = getattr(cls, "moto_server", None)
        if server:
            server.stop()
        super().tearDownClass()


# ---------------------------------------------------------------------------
class ConcurrentPush(SoakBase):
    rounds_var, rounds_default = "HO_SOAK_PUSH_ROUNDS", 5

    def make_workspace(self, name, files, run_record):
        ws = os.path.join(self.tmp, name)
        os.makedirs(os.path.join(ws, "artifacts"))
        for rel, data in files.items():
            with open(os.path.join(ws, "artifacts", rel), "wb") as f:
                f.write(data)
        if run_record is not None:
            os.makedirs(os.path.join(ws, ".handoff", "runs"))
            with open(os.path.join(ws, ".handoff", "runs", "20261201T000000Z-1.json"), "w") as f:
                f.write(run_record)
        return ws

    def test_two_pushes_at_once_are_serialized_and_last_is_one_of_them(self):
        """point 5: two artifacts pushes for one task at once: both archives whole, last/ is one of them."""
        rounds = env_count(self.rounds_var, self.rounds_default)
        size = 1 << 20
        problems, lost, waited, ok = [], 0, 0, 0
        # Both start at once, but a fast machine may finish one push before the
        # other reaches the lease: go on (up to 4x) until they met at least once.
        r = 0
        while r < rounds or (not waited and r < 4 * rounds):
            # Different names, a shared name with different bytes, and a run
            # record in one workspace only: any mix of the two shows in last/.
            sides = []
            for side in ("x", "y"):
                files = {"shared.bin": (side * 7 + str(r)).encode() * (size // 8),
                         "only_%s.txt" % side: ("%s %d\n" % (side, r)).encode()}
                for k in range(3):
                    files["part%d_%s.bin" % (k, side)] = os.urandom(size)
                record = '{"exit_code": 0, "side": "%s"}\n' % side if side == "x" else None
                sides.append((self.make_workspace("ws_%s_%d" % (side, r), files, record), files, record))
            before = set(self.backend.snapshot(BUCKET))
            procs = [self.start_ho("artifacts", "push", "-w", ws, *IDENT, env={"HO_LEASE_WAIT_SECONDS": "120"})
                     for ws, _files, _record in sides]
            outs = [p.communicate(timeout=240) for p in procs]
            round_problems = []
            for p, (_out, err) in zip(procs, outs):
                if p.returncode != 0:
                    round_problems.append("push exit %d: %s" % (p.returncode, err.decode(errors="replace")[-1500:]))
                if b"Waiting for another artifacts push" in err:
                    waited += 1
            self.assertNoStray("round %d" % r)
            after = self.backend.snapshot(BUCKET)
            round_lost, why = self.check_round(before, after, sides)
            round_problems += why + self.backend.housekeeping_problems(BUCKET)
            lost += round_lost
            if round_problems:
                problems.append("round %d: %s" % (r, "; ".join(round_problems)))
            else:
                ok += 1
            r += 1
        rounds = r
        self.assertEqual(self.backend.aws_snapshot(BUCKET), after)
        print("\n[ soak ] %s: %d rounds of two pushes; %d pushes waited for the other's lease"
              % (self.backend.name, rounds, waited))
        reliability.record("Concurrent artifacts pushes (%s)" % self.backend.name, inputs=2 * rounds,
                           faults=waited, survived=2 * ok, failed_cleanly=0, data_lost=lost,
                           command="%s=%d python3 -m unittest -v test_soak.%s"
                                   % (self.rounds_var, rounds, type(self).__name__))
        self.assertEqual(problems, [])
        self.assertEqual(lost, 0)
        self.assertGreater(waited, 0, "no push ever met the other's lease: the test did not race them")

    def test_push_without_run_record_drops_the_older_one_from_last(self):
        """point 5 regression: last/ kept an older push's _handoff_run.json when the newer push had none."""
        with_record = self.make_workspace("ws_rec", {"a.txt": b"a\n"}, '{"exit_code": 0}\n')
        without = self.make_workspace("ws_plain", {"b.txt": b"b\n"}, None)
        for ws in (with_record, without):
            self.assertExit(self.ho("artifacts", "push", "-w", ws, *IDENT), 0)
        last = sorted(k[len(LAST):] for k in self.backend.snapshot(BUCKET) if k.startswith(LAST))
        self.assertEqual(last, [MANIFEST, "b.txt"])
        manifest = json.loads(self.backend.read_object(BUCKET, LAST + MANIFEST))
        self.assertIsNone(manifest["run_record"])

    def check_round(self, before, after, sides):
        why, lost = [], 0
        stamps = sorted({k[len(ARCHIVES):].split("/")[0] for k in set(after) - before if k.startswith(ARCHIVES)})
        if len(stamps) != 2:
            return sum(len(d) for _ws, files, _r in sides for d in files.values()), [
                "%d new archives (want 2)" % len(stamps)]
        archives = {}
        for stamp in stamps:
            prefix = ARCHIVES + stamp + "/"
            manifest = self.backend.read_object(BUCKET, prefix + MANIFEST)
            doc = json.loads(manifest) if manifest else {"files": []}
            names = sorted(f["key"] for f in doc["files"])
            match = [s for s in sides if sorted(s[1]) == names]
            if len(match) != 1:
                why.append("archive %s's manifest lists %s, neither push's files" % (stamp, names))
                continue
            _ws, files, record = match[0]
            want = {n: (len(d), hashlib.md5(d).hexdigest()) for n, d in files.items()}
            if record is not None:
                want[RUN_RECORD] = (len(record), hashlib.md5(record.encode()).hexdigest())
            want[MANIFEST] = after.get(prefix + MANIFEST)
            got = {k[len(prefix):]: v for k, v in after.items() if k.startswith(prefix)}
            if got != want:
                why.append("archive %s holds %s, want %s" % (stamp, sorted(set(got) ^ set(want)) or "other bytes",
                                                             sorted(want)))
            for n, d in files.items():
                if got.get(n) != want[n]:
                    lost += len(d)
            for entry in doc["files"]:
                if (entry["size"], entry["etag"]) != want.get(entry["key"]):
                    why.append("archive %s's manifest has %s for %s" % (stamp, entry, entry["key"]))
            archives[stamp] = got
        last = {k[len(LAST):]: v for k, v in after.items() if k.startswith(LAST)}
        if archives and last not in archives.values():
            why.append("last/ is neither archive: %s" % {
                s: sorted(set(last.items()) ^ set(a.items()))[:6] for s, a in archives.items()})
        elif archives and last != archives[stamps[-1]]:
            why.append("last/ is the older archive, not the newer one")
        if LOCK in after:
            why.append("the lease is left behind")
        return lost, why


class MotoConcurrentPush(ConcurrentPush):
    view_class = MotoView

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto_server = moto_helpers.MotoServer()

    @classmethod
    def tearDownClass(cls):
        server = getattr(cls, "moto_server", None)
        if server:
            server.stop()
        super().tearDownClass()


if __name__ == "__main__":
    import unittest
    unittest.main()
