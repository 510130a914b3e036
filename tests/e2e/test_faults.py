"""issue 6 point 2: remote commands under injected network faults.

handoff talks to moto_server through tests/e2e/fault_proxy.py, which resets
connections, stalls past handoff's timeout, cuts answers mid-body and answers
500 / 503 / SlowDown / ThrottlingException at 10 %, 30 % and 50 % of the
requests. Each command either completes correctly — checked with awscli
straight against moto, byte for byte — or fails with one clear error line
and a non-zero exit, and then: every object is entirely its old or its new
content, no multipart upload is left open, no partial or temp file is left in
the workspace, and what a reader gets from artifacts/last is exactly one run.

Also (issue 6, artifacts/last readers): when last/ lost its manifest to an
interrupted push, `artifacts get` and `run -a` read the newest complete
archive instead, against the local store and against moto.

Environment: HO_FAULT_ROUNDS (default 1) rounds per rate and operation;
HO_FAULT_SEED (default 6) seeds the proxy.
"""
import base64
import hashlib
import json
import os
import random
import shutil

from harness import HandoffTestCase

import moto as moto_helpers  # skips without moto_server; fails in CI
import reliability
import fault_proxy
from fault_proxy import FaultProxy
from test_remote import SEED_PROJECT

ROUNDS = int(os.environ.get("HO_FAULT_ROUNDS", "1"))
SEED = int(os.environ.get("HO_FAULT_SEED", "6"))
RATES = (0.1, 0.3, 0.5)
STALL_TIMEOUT = 2  # handoff's HO_HTTP_STALL_SECONDS; the proxy stalls longer
BIG = 17 * 1024 * 1024  # over the 16 MiB multipart threshold: 3 parts
BUCKET = "handoff-faults"
RG, TASK = "etl", "t1"
IDENT = ["-e", "resource_group=" + RG, "task=" + TASK]
COMMAND = ("cd tests/e2e && HANDOFF_BIN=build/handoff HANDOFF_SRC=$PWD/../.. CI=true "
           "python3 -m unittest -v test_faults")
PROJECT = """\
version: 0.5.0
deploy:
  resource_group: %s
  task: %s
tasks:
  - name: show
    pipeline:
      - command: cat
        args: artifacts/state.txt
""" % (RG, TASK)


def text_blob(rng, size):
    """size bytes of base64 lines with no final newline: no '{', so files get
    renders them to themselves."""
    raw = base64.encodebytes(rng.randbytes(size * 3 // 4 + 3))[:size]
    return raw.rstrip(b"\n") + b"x" * (size - len(raw.rstrip(b"\n")))


def read_tree(root):
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


class Stats:
    def __init__(self):
        self.inputs = self.faults = self.survived = self.failed_cleanly = self.data_lost = 0


class FaultBase(HandoffTestCase):
    default_timeout = 240

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto = moto_helpers.MotoServer()
        cls.addClassCleanup(cls.moto.stop)
        cls.proxy = FaultProxy(cls.moto.endpoint, stall_seconds=STALL_TIMEOUT + 2)
        cls.addClassCleanup(cls.proxy.stop)

    def setUp(self):
        super().setUp()
        self.moto.reset()
        self.proxy.configure(rate=0, kinds=fault_proxy.KINDS, match=None, limit=None)
        self.proxy.stall_seconds = STALL_TIMEOUT + 2
        self.proxy.reset_counts()
        self.moto.aws("s3api", "create-bucket", "--bucket", BUCKET)
        self.problems = []
        self.stats = {}

    # ----- running ---------------------------------------------------------
    def ho(self, *args, env=None):
        full = self.moto.env(AWS_ENDPOINT_URL=self.proxy.url)
        for k in moto_helpers.AWS_VARS_TO_DROP + ("S3_BUCKET_NAME",):
            full.setdefault(k, None)
        full.update({"HO_STORE": "aws", "HO_BUCKET": BUCKET,
                     "HO_HTTP_STALL_SECONDS": str(STALL_TIMEOUT), "HO_LEASE_WAIT_SECONDS": "5"})
        full.update(env or {})
        return self.handoff(*args, env=full)

    def faulty(self, op, rate, round_no, *args, env=None):
        """Run one handoff command at `rate`; count it; return the Result."""
        st = self.stats.setdefault((op, rate), Stats())
        self.proxy.configure(rate=rate, seed="%d:%s:%s:%d" % (SEED, op, rate, round_no))
        before = self.proxy.counts()["faults"]
        try:
            res = self.ho(*args, env=env)
        finally:
            self.proxy.configure(rate=0)
        st.inputs += 1
        st.faults += self.proxy.counts()["faults"] - before
        injected = self.proxy.counts()["faults"] - before
        if res.returncode == 0:
            st.survived += 1
        elif injected == 0:
            self.problems.append("%s at %d%%: failed with no fault injected%s"
                                 % (op, rate * 100, res.describe()))
        else:
            errors = [l for l in res.stderr.splitlines() if l.startswith("handoff: error: ")]
            if len(errors) != 1 or "Traceback" in res.stderr:
                self.problems.append("%s at %d%%: not one clear error line%s"
                                     % (op, rate * 100, res.describe()))
            else:
                st.failed_cleanly += 1
        return res

    def lost(self, op, rate, nbytes, why):
        if nbytes:
            self.stats[(op, rate)].data_lost += nbytes
            self.problems.append("%s at %d%%: %s" % (op, rate * 100, why))

    def finish(self):
        """Record the figures, then fail on any problem seen."""
        for (op, rate), st in sorted(self.stats.items()):
            reliability.record("fault injection: %s at %d%%" % (op, round(rate * 100)),
                               inputs=st.inputs, faults=st.faults, survived=st.survived,
                               failed_cleanly=st.failed_cleanly, data_lost=st.data_lost,
                               command=COMMAND)
        total = sum(s.faults for s in self.stats.values())
        self.assertGreater(total, 0, "the proxy injected no fault")
        self.assertEqual(self.problems, [], "\n\n".join(self.problems))

    # ----- checking with awscli, straight against moto ---------------------
    def s3_get(self, key):
        out = os.path.join(self.tmp, "awscli-get.bin")
        proc = self.moto.aws("s3api", "get-object", "--bucket", BUCKET, "--key", key, out,
                             check=False)
        if proc.returncode != 0:
            return None
        with open(out, "rb") as f:
            return f.read()

    def s3_tree(self, prefix):
        """{relative key: bytes} under prefix, fetched by awscli in one call."""
        out = os.path.join(self.tmp, "awscli-tree")
        shutil.rmtree(out, ignore_errors=True)
        self.moto.aws("s3", "cp", "--recursive", "--quiet", "s3://%s/%s" % (BUCKET, prefix), out)
        return read_tree(out)

    def s3_list(self, prefix):
        doc = self.moto.aws_json("s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", prefix)
        return {o["Key"]: o["ETag"].strip('"') for o in doc.get("Contents", [])}

    def check_no_open_uploads(self, op, rate):
        doc = self.moto.aws_json("s3api", "list-multipart-uploads", "--bucket", BUCKET)
        uploads = doc.get("Uploads", [])
        if uploads:
            self.problems.append("%s at %d%%: multipart uploads left open: %s"
                                 % (op, rate * 100, [(u["Key"], u["UploadId"]) for u in uploads]))
            for u in uploads:  # the next round starts clean
                self.moto.aws("s3api", "abort-multipart-upload", "--bucket", BUCKET,
                              "--key", u["Key"], "--upload-id", u["UploadId"])

    def check_no_temp_files(self, op, rate, root):
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                if ".ho-tmp" in f or f.startswith(".tmp") or f.endswith(".tmp"):
                    self.problems.append("%s at %d%%: temp file left: %s"
                                         % (op, rate * 100, os.path.join(dirpath, f)))

    def compare(self, op, rate, ok, got, old, new):
        """One object/file: new after success; old or new (entirely) after a failure."""
        if got == new or (not ok and got == old):
            return
        size = max(len(new or b""), len(got or b""))
        self.lost(op, rate, size, "%s content is %s" % (
            "the" if ok else "after a failure, the",
            "missing" if got is None else "neither old nor new (%d bytes)" % len(got)))

    def rounds(self):
        for rate in RATES:
            for n in range(ROUNDS):
                yield rate, n


class ConfigUnderFaults(FaultBase):
    def test_config_push_s3_and_ssm(self):
        """point 2: config push (S3 object; seed layout: SSM SecureString) is old or new, never torn."""
        proj = os.path.join(self.tmp, "proj")
        seed = os.path.join(self.tmp, "seedproj")
        os.makedirs(os.path.join(seed, "config"))
        with open(os.path.join(seed, "project.yml"), "w") as f:
            f.write(SEED_PROJECT)
        old_yml, old_tap = None, None
        seed_env = {"STACK_NAME": "seedstack", "S3_BUCKET_NAME": BUCKET, "HO_BUCKET": None}
        for rate, n in self.rounds():
            new_yml = (PROJECT + "# round %s %d\n" % (rate, n)).encode()
            self.write_project(new_yml.decode(), name="proj")
            res = self.faulty("config push", rate, n, "config", "push", "-p", proj)
            self.compare("config push", rate, res.returncode == 0,
                         self.s3_get(TASK + "/project.yml"), old_yml, new_yml)
            if res.returncode == 0:
                old_yml = new_yml

            new_tap = '{"round": "%s %d"}\n' % (rate, n)
            with open(os.path.join(seed, "config", "tap-config.json"), "w") as f:
                f.write(new_tap)
            res = self.faulty("config push (SSM)", rate, n, "push_config", "-p", seed, env=seed_env)
            proc = self.moto.aws("ssm", "get-parameter", "--name", "seedstack_config",
                                 "--with-decryption", "--output", "json", check=False)
            got = None
            if proc.returncode == 0:
                doc = json.loads(json.loads(proc.stdout)["Parameter"]["Value"])
                got = [f["value"] for f in doc["files"] if f["name"] == "tap-config.json"][0]
            self.compare("config push (SSM)", rate, res.returncode == 0,
                         None if got is None else got.encode(), old_tap and old_tap.encode(),
                         new_tap.encode())
            if res.returncode == 0:
                old_tap = new_tap
        self.finish()


class FilesUnderFaults(FaultBase):
    def test_files_push_and_get(self):
        """point 2: files push/get, small files and a multipart one, old or new, nothing left open."""
        rng = random.Random(SEED)
        proj = self.write_project(PROJECT, name="proj")
        ws = os.path.join(self.tmp, "ws")
        remote = {}  # what the store holds after the last successful push
        got_before = {}  # what the workspace holds after the last files get
        for rate, n in self.rounds():
            local = {"f%d.txt" % i: text_blob(rng, rng.randint(1, 64 * 1024)) for i in range(6)}
            local["sub/keep.txt"] = b"unchanged"
            big_round = n == 0 and rate == RATES[-1]  # a new multipart file at 50 %
            if big_round:
                local["big.txt"] = text_blob(rng, BIG)
            elif "big.txt" in remote:
                local["big.txt"] = remote["big.txt"]
            shutil.rmtree(os.path.join(proj, "files"), ignore_errors=True)
            for rel, data in local.items():
                path = os.path.join(proj, "files", rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)

            res = self.faulty("files push", rate, n, "files", "push", "-p", proj, "--jobs", "4")
            ok = res.returncode == 0
            stored = self.s3_tree(TASK + "/files/")
            for rel in sorted(set(local) | set(stored)):
                self.compare("files push", rate, ok, stored.get(rel), remote.get(rel),
                             local.get(rel))
            self.check_no_open_uploads("files push", rate)
            self.check_no_temp_files("files push", rate, proj)
            if not ok:  # the reads below need the new files in the store
                self.assertExit(self.ho("files", "push", "-p", proj), 0)
            remote = dict(local)

            res = self.faulty("files get", rate, n, "files", "get", "-p", proj, "-w", ws)
            ok = res.returncode == 0
            self.check_no_temp_files("files get", rate, ws)
            for sub in ("files", "templates"):
                have = read_tree(os.path.join(ws, sub))
                for rel in sorted(set(have) | set(remote)):
                    self.compare("files get", rate, ok, have.get(rel),
                                 got_before.get(rel), remote.get(rel))
            got_before = dict(remote) if ok else read_tree(os.path.join(ws, "files"))
        self.finish()


class ArtifactsUnderFaults(FaultBase):
    def test_artifacts_push(self):
        """point 2: artifacts push: archives complete or without manifest, last/ one run, no lease left."""
        rng = random.Random(SEED + 1)
        ws = os.path.join(self.tmp, "ws")
        art = os.path.join(ws, "artifacts")
        visible = {}  # what a reader of last/ got after the previous round
        seen, md5s = {}, set()
        for rate, n in self.rounds():
            shutil.rmtree(art, ignore_errors=True)
            runset = {"state.txt": ("state %s %d\n" % (rate, n)).encode(),
                      "keep.log": b"same every run\n",
                      "only_%s_%d.log" % (rate, n): text_blob(rng, rng.randint(1, 32 * 1024))}
            if rate == 0.3 and n == 0:
                runset["big.bin"] = text_blob(rng, BIG)
            os.makedirs(art)
            for rel, data in runset.items():
                with open(os.path.join(art, rel), "wb") as f:
                    f.write(data)

            op = "artifacts push"
            res = self.faulty(op, rate, n, "artifacts", "push", "-w", ws, *IDENT)
            ok = res.returncode == 0
            self.check_no_open_uploads(op, rate)
            self.check_no_temp_files(op, rate, ws)
            if self.s3_get(TASK + "/artifacts/_handoff_lock") is not None:
                self.problems.append("%s at %d%%: the lease was left behind%s"
                                     % (op, rate * 100, res.describe()))
                self.moto.aws("s3api", "delete-object", "--bucket", BUCKET,
                              "--key", TASK + "/artifacts/_handoff_lock")
            md5s.update(hashlib.md5(v).hexdigest() for v in runset.values())
            self.check_archives(op, rate, seen, md5s)
            # What a reader gets is exactly one run: this one, or (after a
            # failure) the one readers saw before.
            reader_ws = os.path.join(self.tmp, "reader-%s-%d" % (rate, n))
            got = self.ho("artifacts", "get", "-w", reader_ws, *IDENT)
            self.assertExit(got, 0)
            have = read_tree(os.path.join(reader_ws, "artifacts"))
            if have != runset and (ok or have != visible):
                size = sum(len(v) for v in runset.values())
                self.lost(op, rate, size, "artifacts get after %s returned %s, not one run"
                          % ("success" if ok else "a failure", sorted(have)))
            visible = have
        self.finish()

    def check_archives(self, op, rate, seen, md5s):
        """Every archive with a manifest holds what it lists; so does last/ when it has
        one, and that is some archive's list. seen: archive prefix -> files, checked
        already (a complete archive never changes). md5s: of every content pushed:
        a copy of a multipart object gets the MD5 of its bytes as its ETag."""
        objs = self.s3_list(TASK + "/artifacts/")
        last_prefix = TASK + "/artifacts/last/"
        for key in sorted(objs):
            if not key.endswith("/_handoff_manifest.json"):
                continue
            prefix = key[:-len("_handoff_manifest.json")]
            if prefix in seen:
                continue
            files = json.loads(self.s3_get(key))["files"]
            for f in files:
                etag = objs.get(prefix + f["key"])
                if etag != f["etag"] and not ("-" in f["etag"] and etag in md5s):
                    self.lost(op, rate, f["size"], "%s%s does not match its manifest"
                              % (prefix, f["key"]))
            if prefix == last_prefix:
                if files not in seen.values():
                    self.problems.append("%s at %d%%: last/'s manifest is no archive's"
                                         % (op, rate * 100))
            else:
                seen[prefix] = files


def request_to(method, key_suffix, query=None):
    """A FaultProxy match: method on a key ending in key_suffix (and a query word)."""
    def match(m, target, _headers):
        path, _, q = target.partition("?")
        return m == method and path.endswith(key_suffix) and (query is None or query in q)
    return match


class OneFaultRegressions(FaultBase):
    """Bugs the fault runs found, each pinned by one fault on one request."""

    def test_lost_answer_to_the_lease_put_is_ours(self):
        """issue 6: the lease PUT's answer is lost, its retry meets our own lease (412): taken, not waited on."""
        os.makedirs(self.ws_path("artifacts"))
        with open(self.ws_path("artifacts", "a.txt"), "w") as f:
            f.write("a")
        self.proxy.configure(rate=1, kinds=["reset_after"], limit=1,
                             match=request_to("PUT", "/artifacts/_handoff_lock"))
        res = self.ho("artifacts", "push", "-w", self.ws, *IDENT)
        self.assertEqual(self.proxy.counts()["reset_after"], 1)
        self.assertExit(res, 0)
        self.assertStderrLacks(res, "Waiting for another artifacts push")
        self.assertIsNone(self.s3_get(TASK + "/artifacts/_handoff_lock"))

    def test_lost_answer_to_create_multipart_leaves_no_upload(self):
        """issue 6: CreateMultipartUpload acted on but its answer lost: the orphan upload is aborted."""
        proj = self.write_project(PROJECT, files={"big.txt": text_blob(random.Random(1), BIG)})
        self.proxy.configure(rate=1, kinds=["reset_after"], limit=1,
                             match=request_to("POST", "/files/big.txt", "uploads"))
        res = self.ho("files", "push", "-p", proj)
        self.assertEqual(self.proxy.counts()["reset_after"], 1)
        self.assertExit(res, 0)
        with open(os.path.join(proj, "files", "big.txt"), "rb") as f:
            self.assertEqual(self.s3_get(TASK + "/files/big.txt"), f.read())
        doc = self.moto.aws_json("s3api", "list-multipart-uploads", "--bucket", BUCKET)
        self.assertEqual(doc.get("Uploads", []), [])

    def test_stall_is_retried_after_the_stall_timeout(self):
        """issue 6: a stalled answer is given up after HO_HTTP_STALL_SECONDS and retried."""
        proj = self.write_project(PROJECT, files={"a.txt": "stalled once"})
        self.assertExit(self.ho("files", "push", "-p", proj), 0)
        self.proxy.stall_seconds = 60  # far longer than handoff's timeout
        self.proxy.configure(rate=1, kinds=["stall"], limit=1, match=request_to("GET", "/files/a.txt"))
        res = self.ho("files", "get", "-p", proj, "-w", self.ws)
        self.assertEqual(self.proxy.counts()["stall"], 1)
        self.assertExit(res, 0)
        self.assertLess(res.elapsed, STALL_TIMEOUT + 15, res.describe())
        with open(self.ws_path("files", "a.txt")) as f:
            self.assertEqual(f.read(), "stalled once")

    def test_failing_parts_abort_the_upload(self):
        """issue 6: parts that keep failing: one clear error, the upload aborted, the old object kept."""
        proj = self.write_project(PROJECT, files={"big.txt": text_blob(random.Random(2), BIG)})
        self.assertExit(self.ho("files", "push", "-p", proj), 0)
        with open(os.path.join(proj, "files", "big.txt"), "rb") as f:
            old = f.read()
        with open(os.path.join(proj, "files", "big.txt"), "wb") as f:
            f.write(text_blob(random.Random(3), BIG))
        self.proxy.configure(rate=1, kinds=["http500"], match=request_to("PUT", "/files/big.txt",
                                                                         "partNumber"))
        res = self.ho("files", "push", "-p", proj)
        self.assertCleanError(res, 1, "UploadPart", "InternalError")
        self.assertEqual(self.s3_get(TASK + "/files/big.txt"), old)
        doc = self.moto.aws_json("s3api", "list-multipart-uploads", "--bucket", BUCKET)
        self.assertEqual(doc.get("Uploads", []), [])


class LastWithoutManifest:
    """Readers of a last/ that an interrupted push left without its manifest."""

    def plant(self, key, data):
        raise NotImplementedError

    def remove(self, key):
        raise NotImplementedError

    def push(self, files):
        art = os.path.join(self.ws, "artifacts")
        shutil.rmtree(art, ignore_errors=True)
        os.makedirs(art)
        for rel, data in files.items():
            with open(os.path.join(art, rel), "wb") as f:
                f.write(data)
        self.assertExit(self.ho("artifacts", "push", "-w", self.ws, *IDENT), 0)

    def interrupt_last(self, run_a):
        """What a push of run B killed between dropping last's manifest and
        writing the new one leaves: pending, no manifest, a mix of A and B."""
        last = TASK + "/artifacts/last/"
        self.plant(last + "_handoff_pending.json", b'{"archive": "x"}\n')
        self.remove(last + "_handoff_manifest.json")
        self.plant(last + "a.txt", run_a["a.txt"])

    def test_artifacts_get_reads_newest_complete_archive(self):
        """issue 6: last/ without manifest but pending: artifacts get fetches the newest complete archive."""
        run_a = {"a.txt": b"run A\n", "only_a.txt": b"A\n"}
        run_b = {"a.txt": b"run B\n", "b.txt": b"B\n"}
        self.push(run_a)
        self.push(run_b)
        self.interrupt_last(run_a)
        ws2 = os.path.join(self.tmp, "ws2")
        res = self.ho("artifacts", "get", "-w", ws2, *IDENT)
        self.assertExit(res, 0)
        self.assertStderrHas(res, "has no manifest (a push was interrupted): fetching the newest "
                                  "complete archive")
        self.assertEqual(read_tree(os.path.join(ws2, "artifacts")), run_b)

    def test_run_a_reads_newest_complete_archive(self):
        """issue 6: run -a's fetch of last/ takes the same fallback."""
        proj = self.write_project(PROJECT, files={"x.txt": "x"})
        for what in ("config", "files"):
            self.assertExit(self.ho(what, "push", "-p", proj), 0)
        self.push({"state.txt": b"state A\n"})
        self.push({"state.txt": b"state B\n"})
        self.interrupt_last({"a.txt": b"mixed in\n"})
        ws2 = os.path.join(self.tmp, "ws2")
        res = self.ho("run", "-w", ws2, "-a", *IDENT)
        self.assertExit(res, 0)
        self.assertStderrHas(res, "has no manifest (a push was interrupted)")
        with open(os.path.join(ws2, "artifacts", "show_stdout.log")) as f:
            self.assertEqual(f.read(), "state B\n")


class LastWithoutManifestLocal(LastWithoutManifest, HandoffTestCase):
    def ho(self, *args, env=None):
        full = {"HO_STORE": "local", "HO_STORE_DIR": os.path.join(self.tmp, "store"),
                "XDG_CONFIG_HOME": os.path.join(self.tmp, "xdg"), "HO_BUCKET": BUCKET,
                "STACK_NAME": None, "S3_BUCKET_NAME": None}
        full.update(env or {})
        return self.handoff(*args, env=full)

    def _path(self, key):
        return os.path.join(self.tmp, "store", "objects", BUCKET, *key.split("/"))

    def plant(self, key, data):
        with open(self._path(key), "wb") as f:
            f.write(data)

    def remove(self, key):
        os.remove(self._path(key))


class LastWithoutManifestMoto(LastWithoutManifest, FaultBase):
    def plant(self, key, data):
        src = os.path.join(self.tmp, "plant.bin")
        with open(src, "wb") as f:
            f.write(data)
        self.moto.aws("s3api", "put-object", "--bucket", BUCKET, "--key", key, "--body", src)

    def remove(self, key):
        self.moto.aws("s3api", "delete-object", "--bucket", BUCKET, "--key", key)


if __name__ == "__main__":
    import unittest
    unittest.main()
