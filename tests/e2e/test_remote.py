"""issue 4: remote config, secrets, files and artifacts, in both layouts.

The same test classes run against every backend: the embedded local store
(always; files under HO_STORE_DIR inspected directly) and, when
tests/e2e/moto.py finds moto_server and awscli, AWS emulated by moto (checked
with awscli as a second client). Backend specifics — environment, reading,
planting and listing objects and parameters — sit behind a small Backend class.
"""
import hashlib
import json
import os
import time
import unittest

from harness import HandoffTestCase

import moto as moto_helpers  # tests/e2e/moto.py (skips without moto_server; fails in CI)

RG = "etl"
TASK = "t1"
BUCKET = "handoff-e2e-bucket"

SEED_PROJECT = """\
commands:
  - command: tap-exchangeratesapi
    args: --config config/tap-config.json
    venv: proc_01
    installs:
      - pip install tap-exchangeratesapi
  - command: files/stats_collector.py
    venv: proc_01
  - command: target-csv
    venv: proc_02
    installs:
      - pip install target-csv
"""
SEED_TAP_CONFIG = '{ "base": "JPY", "start_date": "2020-07-09" }\n'
# The seed document's example string, byte for byte (spec §6.4).
SEED_JSON = (
    '{"commands": [{"command": "tap-exchangeratesapi", "args": "--config config/tap-config.json", '
    '"venv": "proc_01", "installs": ["pip install tap-exchangeratesapi"]}, {"command": '
    '"files/stats_collector.py", "venv": "proc_01"}, {"command": "target-csv", "venv": "proc_02", '
    '"installs": ["pip install target-csv"]}], "files": [{"name": "tap-config.json", "value": '
    '"{ \\"base\\": \\"JPY\\", \\"start_date\\": \\"2020-07-09\\" }\\n"}]}')

CURRENT_PROJECT = """\
version: 0.5.0
deploy:
  resource_group: %s
  task: %s
tasks:
  - name: hello
    pipeline:
      - command: cat
        args: files/greeting.txt
""" % (RG, TASK)


# ---------------------------------------------------------------------------
# Backends
class LocalBackend:
    """The embedded store: objects/<bucket>/<key>, params/…/<name>@.json."""

    name = "local"

    def __init__(self, tc):
        self.tc = tc
        self.root = os.path.join(tc.tmp, "store")
        self.config_home = os.path.join(tc.tmp, "xdg-config")

    def start(self):
        pass

    def stop(self):
        pass

    def env(self):
        return {"HO_STORE": "local", "HO_STORE_DIR": self.root, "XDG_CONFIG_HOME": self.config_home,
                "STACK_NAME": None, "S3_BUCKET_NAME": None, "HO_BUCKET": None,
                "HO_RESOURCE_GROUP": None, "HO_TASK": None}

    def make_bucket(self, bucket):
        pass

    def derived_bucket(self, rg):
        return "handoff-" + rg

    def _object_path(self, bucket, key):
        return os.path.join(self.root, "objects", bucket, *key.split("/"))

    def read_object(self, bucket, key):
        try:
            with open(self._object_path(bucket, key), "rb") as f:
                return f.read()
        except OSError:
            return None

    def plant_object(self, bucket, key, data):
        path = self._object_path(bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    def age_object(self, bucket, key, seconds):
        t = time.time() - seconds
        os.utime(self._object_path(bucket, key), (t, t))

    def list_objects(self, bucket, prefix=""):
        base = os.path.join(self.root, "objects", bucket)
        out = []
        for dirpath, _dirs, files in os.walk(base):
            for f in files:
                key = os.path.relpath(os.path.join(dirpath, f), base).replace(os.sep, "/")
                if key.startswith(prefix):
                    out.append(key)
        return sorted(out)

    def parameter(self, name):
        """{'type', 'tier', 'version'} of a parameter, or None (values stay sealed)."""
        rel = name.lstrip("/").split("/") if name.startswith("/") else ["@flat", name]
        path = os.path.join(self.root, "params", *rel[:-1], rel[-1] + "@.json")
        try:
            with open(path) as f:
                doc = json.load(f)
        except OSError:
            return None
        return {"type": doc.get("type"), "tier": doc.get("tier"), "version": doc.get("version")}

    def parameter_names(self, path):
        base = os.path.join(self.root, "params", *path.strip("/").split("/"))
        out = []
        for dirpath, _dirs, files in os.walk(base):
            for f in files:
                if f.endswith("@.json"):
                    rel = os.path.relpath(os.path.join(dirpath, f[:-len("@.json")]),
                                          os.path.join(self.root, "params"))
                    out.append("/" + rel.replace(os.sep, "/"))
        return sorted(out)

    def all_store_bytes(self):
        """Every byte the store keeps on disk (for the no-plaintext check)."""
        blobs = []
        for top in (self.root, self.config_home):
            for dirpath, _dirs, files in os.walk(top):
                for f in files:
                    with open(os.path.join(dirpath, f), "rb") as fh:
                        blobs.append((os.path.join(dirpath, f), fh.read()))
        return blobs


class MotoBackend:
    """AWS emulated by moto_server, checked with awscli."""

    name = "moto"
    account = "123456789012"

    def __init__(self, tc):
        self.tc = tc
        self.server = type(tc).moto_server

    def start(self):
        self.server.reset()

    def stop(self):
        pass

    def env(self):
        env = self.server.env()
        env.update({"HO_STORE": "aws", "STACK_NAME": None, "S3_BUCKET_NAME": None, "HO_BUCKET": None,
                    "HO_RESOURCE_GROUP": None, "HO_TASK": None})
        return {k: env.get(k) for k in set(env) | {"STACK_NAME", "S3_BUCKET_NAME", "HO_BUCKET",
                                                    "HO_RESOURCE_GROUP", "HO_TASK"}}

    def make_bucket(self, bucket):
        self.server.aws("s3api", "create-bucket", "--bucket", bucket)

    def derived_bucket(self, rg):
        return "handoff-%s-%s" % (rg, hashlib.md5(self.account.encode()).hexdigest()[-8:])

    def read_object(self, bucket, key):
        out = os.path.join(self.tc.tmp, "moto-get.bin")
        proc = self.server.aws("s3api", "get-object", "--bucket", bucket, "--key", key, out, check=False)
        if proc.returncode != 0:
            return None
        with open(out, "rb") as f:
            return f.read()

    def plant_object(self, bucket, key, data):
        src = os.path.join(self.tc.tmp, "moto-put.bin")
        with open(src, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        self.server.aws("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", src)

    def age_object(self, bucket, key, seconds):
        raise unittest.SkipTest("moto cannot back-date an object")

    def list_objects(self, bucket, prefix=""):
        doc = self.server.aws_json("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix)
        return sorted(o["Key"] for o in doc.get("Contents", []))

    def parameter(self, name):
        proc = self.server.aws("ssm", "get-parameter", "--name", name, "--output", "json", check=False)
        if proc.returncode != 0:
            return None
        p = json.loads(proc.stdout)["Parameter"]
        desc = self.server.aws_json("ssm", "describe-parameters", "--parameter-filters",
                                    "Key=Name,Values=%s" % name)
        tier = desc["Parameters"][0].get("Tier", "Standard") if desc.get("Parameters") else None
        return {"type": p["Type"], "tier": tier, "version": p["Version"]}

    def parameter_names(self, path):
        doc = self.server.aws_json("ssm", "get-parameters-by-path", "--path", path, "--recursive")
        return sorted(p["Name"] for p in doc.get("Parameters", []))

    def all_store_bytes(self):
        raise unittest.SkipTest("the local store's files only")


# ---------------------------------------------------------------------------
class RemoteBase(HandoffTestCase):
    backend_class = LocalBackend

    def setUp(self):
        super().setUp()
        self.backend = self.backend_class(self)
        self.backend.start()
        self.backend.make_bucket(BUCKET)

    def ho(self, *args, env=None, **kw):
        full = self.backend.env()
        full.update(env or {})
        return self.handoff(*args, env=full, **kw)  # None values remove a variable

    def current_project(self, text=CURRENT_PROJECT, files=None, secrets=None, name="proj"):
        return self.write_project(text, files=files if files is not None else
                                  {"greeting.txt": "hello {{ who }}\n"},
                                  secrets=secrets, name=name)

    def bucket_env(self):
        return {"HO_BUCKET": BUCKET}

    def seed_env(self, stack="seedstack"):
        return {"STACK_NAME": stack, "S3_BUCKET_NAME": BUCKET}

    def seed_project(self, commands=SEED_PROJECT, tap_config=SEED_TAP_CONFIG):
        root = self.write_project(commands, name="seedproj")
        os.makedirs(os.path.join(root, "config"), exist_ok=True)
        with open(os.path.join(root, "config", "tap-config.json"), "w") as f:
            f.write(tap_config)
        return root


class StoreSelection(RemoteBase):
    def test_local_by_default_with_reason_and_hint(self):
        """point 1: without a cloud the local store is used, logged with its reason and a hint."""
        proj = self.current_project()
        res = self.ho("config", "push", "-p", proj, env={"HO_STORE": None, **self.bucket_env()})
        if self.backend.name != "local":
            return
        self.assertExit(res, 0)
        self.assertStderrHas(res, "Using the local store in", "no cloud chosen", "--store aws")
        self.assertIsNotNone(self.backend.read_object(BUCKET, TASK + "/project.yml"))

    def test_store_flag_and_unknown_store(self):
        """point 1: --store beats HO_STORE; an unknown name is a usage error."""
        proj = self.current_project()
        res = self.ho("config", "push", "-p", proj, "--store", "nowhere", env=self.bucket_env())
        self.assertCleanError(res, 2, "unknown store 'nowhere'")
        res = self.ho("config", "push", "-p", proj, "--store", self.backend.name.replace("moto", "aws"),
                      env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertStderrHas(res, "--store")

    def test_stack_name_chooses_aws(self):
        """point 1: STACK_NAME alone (no HO_STORE) means AWS, logged."""
        if self.backend.name != "local":
            return
        proj = self.seed_project()
        env = {"HO_STORE": None, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x",
               "AWS_SECRET_ACCESS_KEY": "y", "AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
               "AWS_EC2_METADATA_DISABLED": "true", **self.seed_env()}
        res = self.ho("push_config", "-p", proj, env=env, timeout=120)
        self.assertStderrHas(res, "STACK_NAME is set")


class Config(RemoteBase):
    def test_current_layout_push_print_delete(self):
        """point 3: project.yml byte for byte at <task>/project.yml; print; delete only that."""
        proj = self.current_project()
        res = self.ho("config", "push", "-p", proj, env=self.bucket_env())
        self.assertExit(res, 0)
        with open(os.path.join(proj, "project.yml"), "rb") as f:
            self.assertEqual(self.backend.read_object(BUCKET, TASK + "/project.yml"), f.read())
        self.assertExit(self.ho("files", "push", "-p", proj, env=self.bucket_env()), 0)
        res = self.ho("config", "print", "-e", "resource_group=" + RG, "task=" + TASK, env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertEqual(res.stdout, CURRENT_PROJECT, res.describe())
        res = self.ho("config", "delete", "-p", proj, env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertEqual(self.backend.list_objects(BUCKET, TASK + "/"), [TASK + "/files/greeting.txt"])

    def test_derived_bucket_and_stage_prefix_on_resource_group_only(self):
        """§6.1/§6.2: bucket handoff-<stage>-<RG>[-hash]; the naked task name in keys and secrets."""
        bucket = self.backend.derived_bucket("dev-" + RG)
        self.backend.make_bucket(bucket)
        proj = self.current_project(secrets={"dev_secrets.yml": "- key: pw\n  value: s3cr3t-derived\n"})
        res = self.ho("config", "push", "-p", proj)
        self.assertExit(res, 0)
        self.assertStderrHas(res, bucket)
        self.assertEqual(self.backend.list_objects(bucket), [TASK + "/project.yml"])
        self.assertExit(self.ho("secrets", "push", "-p", proj, "-y"), 0)
        self.assertEqual(self.backend.parameter_names("/handoff/dev-" + RG),
                         ["/handoff/dev-%s/%s/pw" % (RG, TASK)])
        res = self.ho("secrets", "push", "-p", proj, "-y", "-s", "prod")
        self.assertCleanError(res, 1, "No secrets are defined")

    def test_seed_json_is_the_seed_documents_string(self):
        """§6.4: push_config stores the seed's example JSON byte for byte; print_config prints it."""
        proj = self.seed_project()
        res = self.ho("push_config", "-p", proj, env=self.seed_env())
        self.assertExit(res, 0)
        p = self.backend.parameter("seedstack_config")
        self.assertEqual((p["type"], p["tier"]), ("SecureString", "Standard"), res.describe())
        res = self.ho("print_config", "-w", self.ws, env=self.seed_env())
        self.assertExit(res, 0)
        self.assertEqual(res.stdout, SEED_JSON + "\n", res.describe())
        with open(self.ws_path("config", "tap-config.json")) as f:
            self.assertEqual(f.read(), SEED_TAP_CONFIG)
        # the current tree's name does the same while STACK_NAME is set
        res = self.ho("config", "print", env=self.seed_env())
        self.assertEqual(res.stdout, SEED_JSON + "\n", res.describe())

    def _sized_seed(self, size):
        """A seed project whose compiled JSON is exactly `size` bytes."""
        base = len(SEED_JSON.replace(SEED_TAP_CONFIG.replace('"', '\\"').replace("\n", "\\n"), ""))
        pad = size - base - len('{ \\"pad\\": \\"\\" }\\n')
        proj = self.seed_project(tap_config='{ "pad": "%s" }\n' % ("x" * pad))
        return proj

    def test_size_limits(self):
        """point 3: 3.9 KB ok; 5 KB needs -t (then Advanced); 9 KB refused; nothing written on refusal."""
        env = self.seed_env()
        proj = self._sized_seed(3900)
        res = self.ho("push_config", "-p", proj, env=env)
        self.assertExit(res, 0)
        self.assertEqual(self.backend.parameter("seedstack_config")["tier"], "Standard")
        self.assertStderrHas(res, "3900 bytes")

        env = self.seed_env("stack5k")
        proj = self._sized_seed(5000)
        res = self.ho("push_config", "-p", proj, env=env)
        self.assertCleanError(res, 1, "parameter 'stack5k_config' is 5000 bytes, over the Standard tier's "
                              "limit of 4096 bytes", "-t/--allow-advanced-tier")
        self.assertIsNone(self.backend.parameter("stack5k_config"))
        res = self.ho("push_config", "-p", proj, "-t", env=env)
        self.assertExit(res, 0)
        self.assertEqual(self.backend.parameter("stack5k_config")["tier"], "Advanced")

        env = self.seed_env("stack9k")
        proj = self._sized_seed(9000)
        res = self.ho("push_config", "-p", proj, "--allow-advanced-tier", env=env)
        self.assertCleanError(res, 1, "9000 bytes", "8192")
        self.assertIsNone(self.backend.parameter("stack9k_config"))


class Files(RemoteBase):
    def test_push_get_render_skip_unchanged_delete(self):
        """point 5: files push/get; unchanged files skipped; rendered into files/, raw in templates/."""
        files = {"greeting.txt": "hello {{ who }}\n", "sub/data.bin": bytes(range(256)) * 40}
        for i in range(20):
            files["many/f%02d.txt" % i] = "file %d\n" % i
        proj = self.current_project(CURRENT_PROJECT.replace("tasks:", "vars:\n  - key: who\n    value: world\ntasks:"),
                                    files=files)
        res = self.ho("files", "push", "-p", proj, "--jobs", "4", env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertStderrHas(res, "22 uploaded, 0 unchanged")
        self.assertEqual(self.backend.read_object(BUCKET, TASK + "/files/sub/data.bin"), files["sub/data.bin"])
        res = self.ho("files", "push", "-p", proj, env=self.bucket_env())
        self.assertStderrHas(res, "0 uploaded, 22 unchanged")
        with open(os.path.join(proj, "files", "many", "f03.txt"), "w") as f:
            f.write("changed\n")
        res = self.ho("files", "push", "-p", proj, env=self.bucket_env())
        self.assertStderrHas(res, "1 uploaded, 21 unchanged")

        res = self.ho("files", "get", "-p", proj, "-w", self.ws, env=self.bucket_env())
        self.assertExit(res, 0)
        with open(self.ws_path("files", "greeting.txt")) as f:
            self.assertEqual(f.read(), "hello world")  # Jinja drops one final newline
        with open(self.ws_path("templates", "greeting.txt")) as f:
            self.assertEqual(f.read(), "hello {{ who }}\n")
        res = self.ho("files", "get", "-p", proj, "-w", self.ws, env=self.bucket_env())
        self.assertStderrHas(res, "0 downloaded, 22 unchanged")

        res = self.ho("files", "delete", "-p", proj, env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertEqual(self.backend.list_objects(BUCKET, TASK + "/files/"), [])

    def test_dry_run_changes_nothing(self):
        """point 5: --dry-run prints the plan on stdout and transfers nothing."""
        proj = self.current_project()
        res = self.ho("files", "push", "-p", proj, "--dry-run", env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertIn("upload ", res.stdout)
        self.assertIn("s3://%s/%s/files/greeting.txt" % (BUCKET, TASK), res.stdout)
        self.assertEqual(self.backend.list_objects(BUCKET), [])

    def test_sibling_prefix_not_matched(self):
        """spec §10 item 17 fixed: files/ does not match files_old/."""
        self.backend.plant_object(BUCKET, TASK + "/files/a.txt", "a\n")
        self.backend.plant_object(BUCKET, TASK + "/files_old/b.txt", "b\n")
        res = self.ho("files", "get", "-w", self.ws, "-e", "resource_group=" + RG, "task=" + TASK,
                      env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertEqual(self.files_under(self.ws_path("files")), ["a.txt"])

    def test_traversal_keys_refused_rest_fetched(self):
        """point 5: a hostile key is refused and listed, the rest fetched, exit 1."""
        self.backend.plant_object(BUCKET, TASK + "/files/good.txt", "good\n")
        if self.backend.name == "local":
            # A file system cannot hold a '..' segment: a name with backslashes
            # (a Windows-style traversal) is the local store's hostile key.
            hostile = TASK + "/files/..\\..\\evil.txt"
        else:
            hostile = TASK + "/files/../../evil.txt"
        self.backend.plant_object(BUCKET, hostile, "evil\n")
        res = self.ho("files", "get", "-w", self.ws, "-e", "resource_group=" + RG, "task=" + TASK,
                      env=self.bucket_env())
        self.assertCleanError(res, 1, "refused 1 object key", "evil.txt")
        self.assertEqual(self.files_under(self.ws_path("files")), ["good.txt"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "evil.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.ws, "evil.txt")))


SECRETS = """\
- key: pw
  value: task-secret-value-1
- key: shared
  value: rg-secret-value-2
  level: resource group
- key: braces
  value: "a{{b}}c"
- key: local_only
  value: never-pushed-value
  push: false
"""


class Secrets(RemoteBase):
    def test_push_print_delete_both_levels(self):
        """point 4: both levels, {{ }} escaping round trip, push: false, masked print, --reveal."""
        proj = self.current_project(secrets={"dev_secrets.yml": SECRETS})
        res = self.ho("secrets", "push", "-p", proj, "-y")
        self.assertExit(res, 0)
        self.assertIn("Secrets to be pushed to the remote parameter store:", res.stdout)
        self.assertIn("  - /handoff/dev-etl/t1/pw (task level)", res.stdout)
        self.assertIn("  - /handoff/dev-etl/shared (resource group level)", res.stdout)
        self.assertIn("/handoff/dev-etl/t1/local_only (task level) SKIP PUSH", res.stdout)
        self.assertEqual(self.backend.parameter_names("/handoff/dev-etl"),
                         ["/handoff/dev-etl/shared", "/handoff/dev-etl/t1/braces", "/handoff/dev-etl/t1/pw"])
        self.assertEqual(self.backend.parameter("/handoff/dev-etl/t1/pw")["type"], "SecureString")
        res = self.ho("secrets", "print", "-p", proj)
        self.assertExit(res, 0)
        self.assertNotIn("task-secret-value-1", res.stdout + res.stderr)
        self.assertIn("****", res.stdout)
        res = self.ho("secrets", "print", "-p", proj, "--reveal")
        self.assertIn('"task-secret-value-1"', res.stdout)
        self.assertIn('"a{{b}}c"', res.stdout)
        self.assertIn("level: resource group", res.stdout)
        self.assertNotIn("task-secret-value-1", res.stderr)
        res = self.ho("secrets", "delete", "-p", proj, "-y")
        self.assertExit(res, 0)
        self.assertIn("local_only (task level) SKIP DELETE", res.stdout)
        self.assertEqual(self.backend.parameter_names("/handoff/dev-etl"), [])

    def test_confirmation_from_stdin(self):
        """point 4: EOF or anything but y/yes aborts (exit 1, nothing written); `yes |` works."""
        proj = self.current_project(secrets={"dev_secrets.yml": SECRETS})
        for answer in ("", "no\n", "maybe\n"):
            res = self.ho("secrets", "push", "-p", proj, input=answer)
            self.assertCleanError(res, 1, "aborted")
            self.assertEqual(self.backend.parameter_names("/handoff/dev-etl"), [])
        res = self.ho("secrets", "push", "-p", proj, input="y\ny\ny\n")
        self.assertExit(res, 0)
        self.assertEqual(len(self.backend.parameter_names("/handoff/dev-etl")), 3)
        res = self.ho("secrets", "delete", "-p", proj, input="")
        self.assertCleanError(res, 1, "aborted")
        self.assertEqual(len(self.backend.parameter_names("/handoff/dev-etl")), 3)
        res = self.ho("secrets", "delete", "-p", proj, input="YES\n")
        self.assertExit(res, 0)
        self.assertEqual(self.backend.parameter_names("/handoff/dev-etl"), [])

    def test_many_secrets_read_back_and_used_by_a_run(self):
        """point 4, §3.5: 12 at one level (more than a page of 10) all read back and rendered."""
        lines = "".join("- key: k%02d\n  value: value-%02d\n" % (i, i) for i in range(12))
        lines += "- key: g1\n  value: group-one\n  level: resource group\n"
        args = " ".join("{{ k%02d }}" % i for i in range(12)) + " {{ g1 }}"
        text = CURRENT_PROJECT.replace("args: files/greeting.txt", "args: files/greeting.txt; echo " + args)
        text = text.replace("pipeline:", "commands:")
        proj = self.current_project(text, secrets={"dev_secrets.yml": lines})
        self.assertExit(self.ho("secrets", "push", "-p", proj, "-y"), 0)
        res = self.ho("secrets", "print", "-p", proj, "--reveal")
        for i in range(12):
            self.assertIn('"value-%02d"' % i, res.stdout)
        self.assertExit(self.ho("config", "push", "-p", proj, env=self.bucket_env()), 0)
        self.assertExit(self.ho("files", "push", "-p", proj, env=self.bucket_env()), 0)
        res = self.ho("run", "-w", self.ws, "-e", "resource_group=" + RG, "task=" + TASK, env=self.bucket_env())
        self.assertExit(res, 0)
        out = self.read_artifact("hello_stdout.log")
        self.assertIn(" ".join("value-%02d" % i for i in range(12)) + " group-one", out)
        self.assertStderrLacks(res, "value-07")

    def test_no_secret_in_plaintext_on_disk(self):
        """point 1: the local store keeps SecureStrings sealed; the key lives apart, 0600."""
        if self.backend.name != "local":
            return
        proj = self.current_project(secrets={"dev_secrets.yml": SECRETS})
        self.assertExit(self.ho("secrets", "push", "-p", proj, "-y"), 0)
        blobs = self.backend.all_store_bytes()
        self.assertTrue(blobs)
        for path, data in blobs:
            for secret in (b"task-secret-value-1", b"rg-secret-value-2", b"a\\{\\{b"):
                self.assertNotIn(secret, data, path)
        key = os.path.join(self.backend.config_home, "handoff", "store.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        self.assertFalse(key.startswith(self.backend.root))


SINGER_ENV = ["-e", "resource_group=rg", "task=singer"]


class RemoteRun(RemoteBase):
    def push_project(self, proj, *extra):
        for what in ("config", "files"):
            res = self.ho(what, "push", "-p", proj, *extra, env=self.bucket_env())
            self.assertExit(res, 0)

    def test_run_with_artifacts_last_archive_manifests(self):
        """point 5/6: run -a publishes archives/<ts>/ and last/, manifests last, the run record along."""
        proj = self.current_project(CURRENT_PROJECT.replace("tasks:", "vars:\n  - key: who\n    value: you\ntasks:"))
        self.push_project(proj)
        res = self.ho("run", "-w", self.ws, "-a", "-e", "resource_group=" + RG, "task=" + TASK,
                      env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertArtifact("hello_stdout.log", "hello you", res)
        last = self.backend.list_objects(BUCKET, TASK + "/artifacts/last/")
        names = [k.rsplit("/", 1)[1] for k in last]
        self.assertEqual(sorted(names), ["_handoff_manifest.json", "_handoff_run.json",
                                         "hello_stderr.log", "hello_stdout.log"])
        archives = self.backend.list_objects(BUCKET, TASK + "/artifacts/archives/")
        stamps = {k.split("/")[3] for k in archives}
        self.assertEqual(len(stamps), 1, archives)
        self.assertRegex(stamps.pop(), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")
        manifest = json.loads(self.backend.read_object(BUCKET, TASK + "/artifacts/last/_handoff_manifest.json"))
        keys = {f["key"]: f for f in manifest["files"]}
        self.assertEqual(sorted(keys), ["hello_stderr.log", "hello_stdout.log"])
        self.assertEqual(keys["hello_stdout.log"]["etag"], hashlib.md5(b"hello you").hexdigest())
        self.assertEqual(keys["hello_stdout.log"]["size"], 9)
        run = json.loads(self.backend.read_object(BUCKET, TASK + "/artifacts/last/_handoff_run.json"))
        self.assertEqual(run["exit_code"], 0)

    def test_singer_state_carried_into_the_next_run(self):
        """point 6: artifacts/last brings the Singer bookmark into a fresh workspace."""
        proj = self.copy_example("06_singer")
        self.push_project(proj, *SINGER_ENV)
        ws1 = os.path.join(self.tmp, "ws1")
        res = self.ho("run", "-w", ws1, "-a", *SINGER_ENV, env=self.bucket_env())
        self.assertExit(res, 0)
        ws2 = os.path.join(self.tmp, "ws2")
        res = self.ho("run", "-w", ws2, "-a", *SINGER_ENV, env=self.bucket_env())
        self.assertExit(res, 0)
        with open(os.path.join(ws2, "artifacts", "sync_stderr.log")) as f:
            self.assertIn("tap: users resuming after id 3", f.read())
        with open(os.path.join(ws2, "artifacts", "state.json")) as f:
            self.assertEqual(f.read(), '{"bookmarks": {"users": {"last_id": 6}}}\n')
        state = self.backend.read_object(BUCKET, "singer/artifacts/last/state.json")
        self.assertEqual(state, b'{"bookmarks": {"users": {"last_id": 6}}}\n')
        archives = {k.split("/")[3] for k in self.backend.list_objects(BUCKET, "singer/artifacts/archives/")}
        self.assertEqual(len(archives), 2)

    def test_failed_run_still_pushes_and_keeps_its_exit_code(self):
        """point 6: -a pushes also when the run failed; exit code is the run's."""
        text = CURRENT_PROJECT.replace("args: files/greeting.txt", "args: files/missing.txt")
        proj = self.current_project(text)
        self.push_project(proj)
        res = self.ho("run", "-w", self.ws, "-a", "-e", "resource_group=" + RG, "task=" + TASK,
                      env=self.bucket_env())
        self.assertExit(res, 1)
        log = self.backend.read_object(BUCKET, TASK + "/artifacts/last/hello_stderr.log")
        self.assertIn(b"missing.txt", log)
        self.assertIsNotNone(self.backend.read_object(BUCKET, TASK + "/artifacts/last/_handoff_manifest.json"))

    def test_stale_objects_leave_last_and_manifest_decides_reads(self):
        """point 5: last/ matches the newest run; readers fetch the manifest's list only."""
        ws = self.ws_path("artifacts")
        os.makedirs(ws)
        for name in ("a.txt", "b.txt"):
            with open(os.path.join(ws, name), "w") as f:
                f.write(name)
        env = {**self.bucket_env()}
        ident = ["-e", "resource_group=" + RG, "task=" + TASK]
        self.assertExit(self.ho("artifacts", "push", "-w", self.ws, *ident, env=env), 0)
        os.remove(os.path.join(ws, "b.txt"))
        self.assertExit(self.ho("artifacts", "push", "-w", self.ws, *ident, env=env), 0)
        last = [k.rsplit("/", 1)[1] for k in self.backend.list_objects(BUCKET, TASK + "/artifacts/last/")]
        self.assertEqual(sorted(last), ["_handoff_manifest.json", "a.txt"])
        # an object outside the manifest is not fetched …
        self.backend.plant_object(BUCKET, TASK + "/artifacts/last/stray.txt", "stray")
        ws2 = os.path.join(self.tmp, "ws2")
        res = self.ho("artifacts", "get", "-w", ws2, *ident, env=env)
        self.assertExit(res, 0)
        self.assertEqual(self.files_under(os.path.join(ws2, "artifacts")), ["a.txt"])
        # … but without a manifest (what the Python tool pushed) everything is.
        self.assertExit(self.ho("artifacts", "archive", *ident, env=env), 0)
        self.assertEqual(len({k.split("/")[3] for k in
                              self.backend.list_objects(BUCKET, TASK + "/artifacts/archives/")}), 3)
        self.assertExit(self.ho("artifacts", "delete", *ident, env=env), 0)
        self.assertEqual(self.backend.list_objects(BUCKET, TASK + "/artifacts/last/"), [])
        self.backend.plant_object(BUCKET, TASK + "/artifacts/last/x.txt", "x")
        self.backend.plant_object(BUCKET, TASK + "/artifacts/last/y.txt", "y")
        ws3 = os.path.join(self.tmp, "ws3")
        self.assertExit(self.ho("artifacts", "get", "-w", ws3, *ident, env=env), 0)
        self.assertEqual(self.files_under(os.path.join(ws3, "artifacts")), ["x.txt", "y.txt"])

    def test_lease_serializes_pushes(self):
        """point 5: a live lease blocks a push (plain error); a stale one is taken over."""
        os.makedirs(self.ws_path("artifacts"))
        with open(self.ws_path("artifacts", "a.txt"), "w") as f:
            f.write("a")
        ident = ["-e", "resource_group=" + RG, "task=" + TASK]
        lock = TASK + "/artifacts/_handoff_lock"
        self.backend.plant_object(BUCKET, lock, "{}")
        res = self.ho("artifacts", "push", "-w", self.ws, *ident,
                      env={**self.bucket_env(), "HO_LEASE_WAIT_SECONDS": "1"})
        self.assertCleanError(res, 1, "another artifacts push holds the lease")
        self.assertEqual(self.backend.list_objects(BUCKET, TASK + "/artifacts/last/"), [])
        self.backend.age_object(BUCKET, lock, 3600)
        res = self.ho("artifacts", "push", "-w", self.ws, *ident, env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertStderrHas(res, "stale artifacts lease")
        self.assertIsNone(self.backend.read_object(BUCKET, lock))


class RunLocalPush(RemoteBase):
    def test_run_local_with_push_artifacts(self):
        """§7.5: run local -a publishes the local run's artifacts like run -a."""
        proj = self.current_project(CURRENT_PROJECT.replace("tasks:", "vars:\n  - key: who\n    value: me\ntasks:"))
        res = self.ho("run", "local", "-p", proj, "-w", self.ws, "-a", env=self.bucket_env())
        self.assertExit(res, 0)
        self.assertEqual(self.backend.read_object(BUCKET, TASK + "/artifacts/last/hello_stdout.log"), b"hello me")
        self.assertIsNotNone(self.backend.read_object(BUCKET, TASK + "/artifacts/last/_handoff_manifest.json"))


class RemoteExample(RemoteBase):
    def test_09_remote_counter_carries_over(self):
        """examples/09_remote: push, then two runs in fresh workspaces count 1 and 2."""
        proj = self.copy_example("09_remote")
        for args in (("config", "push"), ("files", "push"), ("secrets", "push", "-y")):
            self.assertExit(self.ho(*args, "-p", proj, env=self.bucket_env()), 0)
        for n in (1, 2):
            ws = os.path.join(self.tmp, "ws%d" % n)
            res = self.ho("run", "-w", ws, "-a", "-e", "resource_group=demo", "task=counter",
                          env=self.bucket_env())
            self.assertExit(res, 0)
            with open(os.path.join(ws, "artifacts", "count_stdout.log")) as f:
                self.assertEqual(f.read(), "run %d for ACME, token of 24 characters\n" % n)
            self.assertStderrLacks(res, "demo-token-9f1c-not-real")


class SeedCommands(RemoteBase):
    def test_seed_flat_commands_end_to_end(self):
        """§7.8: push_config, push_files, get_files, run -w -a, get_artifacts, push_artifacts, show_commands."""
        proj = self.copy_example("05_old_format")
        env = self.seed_env("oldstack")
        self.assertExit(self.ho("push_config", "-p", proj, env=env), 0)
        self.assertExit(self.ho("push_files", "-p", proj, env=env), 0)
        self.assertEqual(self.backend.list_objects(BUCKET, "oldstack/files/"),
                         ["oldstack/files/tap.py", "oldstack/files/target.py"])
        res = self.ho("get_files", "-w", self.ws, env=env)
        self.assertExit(res, 0)
        self.assertEqual(self.files_under(self.ws_path("files")), ["tap.py", "target.py"])
        ws = os.path.join(self.tmp, "seedws")
        res = self.ho("run", "-w", ws, "-a", env=env)
        self.assertExit(res, 0)
        self.assertTrue(os.path.isfile(os.path.join(ws, "config", "tap-config.json")), res.describe())
        self.assertIn("oldstack/artifacts/state", self.backend.list_objects(BUCKET, "oldstack/artifacts/"))
        ws2 = os.path.join(self.tmp, "seedws2")
        res = self.ho("get_artifacts", "-w", ws2, env=env)
        self.assertExit(res, 0)
        self.assertIn("state", self.files_under(os.path.join(ws2, "artifacts")))
        res = self.ho("push_artifacts", "-w", ws2, env=env)
        self.assertExit(res, 0)
        res = self.ho("show_commands", "-p", proj, env=env)
        self.assertExit(res, 0)
        self.assertIn("tap.py", res.stdout)

    def test_install_without_project_uses_the_stored_config(self):
        """§5.3: install -w without -p installs what the stored project lists."""
        text = CURRENT_PROJECT + "installs:\n  - command: echo installed > installed.txt\n"
        proj = self.current_project(text)
        self.assertExit(self.ho("config", "push", "-p", proj, env=self.bucket_env()), 0)
        res = self.ho("install", "-w", self.ws, "-e", "resource_group=" + RG, "task=" + TASK,
                      env=self.bucket_env())
        self.assertExit(res, 0)
        with open(self.ws_path("installed.txt")) as f:
            self.assertEqual(f.read(), "installed\n")


class RemoteErrors(RemoteBase):
    def test_help_on_every_remote_command(self):
        if self.backend.name != "local":
            return
        for cmd in (["config", "push"], ["config", "print"], ["config", "delete"], ["files", "push"],
                    ["files", "get"], ["files", "delete"], ["secrets", "push"], ["secrets", "print"],
                    ["secrets", "delete"], ["artifacts", "push"], ["artifacts", "get"],
                    ["artifacts", "archive"], ["artifacts", "delete"], ["run"], ["aws", "env"],
                    ["push_config"], ["print_config"], ["push_files"], ["get_files"], ["install"],
                    ["get_artifacts"], ["push_artifacts"], ["show_commands"]):
            res = self.ho(*cmd, "--help")
            self.assertExit(res, 0)
            self.assertIn("usage", (res.stdout + res.stderr).lower(), res.describe())
        res = self.ho("push_config", "--help")
        self.assertIn("--allow-advanced-tier", res.stdout + res.stderr)

    def test_artifacts_push_without_artifacts_keeps_last(self):
        ident = ["-e", "resource_group=" + RG, "task=" + TASK]
        self.backend.plant_object(BUCKET, TASK + "/artifacts/last/state.json", "{}")
        res = self.ho("artifacts", "push", "-w", self.ws, *ident, env=self.bucket_env())
        self.assertCleanError(res, 1, "nothing to push")
        self.assertEqual(self.backend.list_objects(BUCKET, TASK + "/artifacts/last/"),
                         [TASK + "/artifacts/last/state.json"])

    def test_missing_names_is_a_usage_error_with_hint(self):
        res = self.ho("artifacts", "get", "-w", self.ws)
        self.assertCleanError(res, 2, "resource group and a task", "--envs resource_group=")

    def test_run_without_stored_config(self):
        res = self.ho("run", "-w", self.ws, "-e", "resource_group=" + RG, "task=" + TASK, env=self.bucket_env())
        self.assertCleanError(res, 1, "no config at", "config push")


# ---------------------------------------------------------------------------
# The same classes against moto, when moto.py finds moto_server and awscli.
def _moto_classes():
    out = {}
    for cls in (StoreSelection, Config, Files, Secrets, RemoteRun, RunLocalPush, RemoteExample, SeedCommands,
                RemoteErrors):
        def setUpClass(c, _base=cls):
            _base.setUpClass.__func__(c)
            # Missing moto_server or awscli: MotoServer skips, or fails when CI is set.
            c.moto_server = moto_helpers.MotoServer()

        def tearDownClass(c):
            server = getattr(c, "moto_server", None)
            if server:
                server.stop()

        name = "Moto" + cls.__name__
        out[name] = type(name, (cls,), {"backend_class": MotoBackend,
                                        "setUpClass": classmethod(setUpClass),
                                        "tearDownClass": classmethod(tearDownClass)})
    return out


globals().update(_moto_classes())


if __name__ == "__main__":
    unittest.main()
