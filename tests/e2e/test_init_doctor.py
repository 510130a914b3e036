"""Issue 7, point 4 (quick start): `handoff init` / `quick_start make` and `handoff doctor`.

- InitTest: init scaffolds a project that `run local` runs at once with an
  empty stderr (no warning at all), its secret private and never in a log; a
  non-empty folder is refused, --force keeps the user's files and secrets;
  `quick_start make` (the original's name) writes the same project; the
  default folder is ./projects as the original's quick_start make.
- DoctorTest: one line per check; with no AWS credentials the check warns
  (the local store, the default, does not need them; exit 0) and fails with
  --store aws (exit 1), each with a fix; a broken project is named with
  file:line; loose secrets-file permissions fail with the chmod to run.
- DoctorMotoTest: env credentials against moto_server: source "environment",
  the key id masked, STS GetCallerIdentity and HeadBucket answered; no secret
  value on stdout or stderr.
"""
import os
import re
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import MARK_VAR, HandoffTestCase  # noqa: E402
from moto import MotoTestCase, clean_env  # noqa: E402

SCAFFOLD = ["project.yml", "files/message.txt", "files/use_secret.sh", "files/api.json",
            ".secrets/dev_secrets.yml", ".gitignore", "README.md"]
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def dev_token(project):
    m = re.search(r"^\s*value:\s*(\S+)\s*$", read(os.path.join(project, ".secrets", "dev_secrets.yml")), re.M)
    return m.group(1)


def check_lines(stdout):
    """{check name: (status, rest of the line)} from doctor's stdout."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"^(ok|warn|fail) +(\S.*?)  +(.*)$", line)
        if m:
            out[m.group(2)] = (m.group(1), m.group(3))
    return out


class InitTest(HandoffTestCase):
    def init(self, *args, **kw):
        return self.handoff("init", *args, **kw)

    def test_init_then_run_local_runs_at_once_without_a_warning(self):
        proj = os.path.join(self.tmp, "quick")
        res = self.init(proj)
        self.assertExit(res, 0)
        self.assertEqual(res.stderr, "", res.describe())
        for rel in SCAFFOLD:
            self.assertIn("created       %s\n" % rel, res.stdout, res.describe())
            self.assertTrue(os.path.isfile(os.path.join(proj, rel)), rel)
        self.assertIn("handoff run local -p . -w workspace", res.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(proj, ".secrets")).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(proj, ".secrets", "dev_secrets.yml")).st_mode), 0o600)
        gitignore = read(os.path.join(proj, ".gitignore")).splitlines()
        self.assertIn(".secrets/", gitignore)
        self.assertIn("workspace/", gitignore)

        # As the report says: from inside the project, workspace under it.
        run = self.handoff("run", "local", "-p", ".", "-w", "workspace", cwd=proj)
        self.assertExit(run, 0)
        self.assertEqual(run.log_lines("WARNING"), [], run.describe())
        self.assertNotRegex(run.stderr, re.compile("warn", re.I), run.describe())
        self.ws = os.path.join(proj, "workspace")

        message = read(self.ws_path("files", "message.txt"))
        self.assertTrue(message.startswith("Hello, data engineers!\n"), message)
        self.assertArtifact("word_count_stdout.log", "%d\n" % len(message.split()), run)
        token = dev_token(proj)
        api = self.ws_path("files", "api.json")
        self.assertIn('"token": "%s"' % token, read(api))
        self.assertEqual(stat.S_IMODE(os.stat(api).st_mode), 0o600)
        self.assertArtifact("use_secret_stdout.log",
                            "Hello, data engineers: stage dev, a token of %d characters\n"
                            "files/api.json: %d bytes\n" % (len(token), os.path.getsize(api)), run)
        # The secret reached the task, never a log.
        self.assertNotIn(token, run.stderr)
        for name in self.list_artifacts():
            if name.endswith("_stderr.log"):
                self.assertNotIn(token, read(self.artifact_path(name)), name)

        # A var overridden on the command line, as the README says.
        run2 = self.run_local(proj, "-v", "greeting=Hi")
        self.assertExit(run2, 0)
        self.assertTrue(read(self.ws_path("files", "message.txt")).startswith("Hi, data engineers!"))

    def test_default_folder_is_projects_like_the_originals_quick_start(self):
        res = self.init()
        self.assertExit(res, 0)
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "projects", "project.yml")), res.describe())
        self.assertIn("  cd projects\n", res.stdout)
        helped = self.handoff("init", "--help")
        self.assertExit(helped, 0)
        self.assertIn("./projects", helped.stdout)
        self.assertIn("quick_start make", helped.stdout)

    def test_refuses_a_non_empty_folder(self):
        proj = os.path.join(self.tmp, "mine")
        os.makedirs(proj)
        with open(os.path.join(proj, "notes.txt"), "w") as f:
            f.write("my notes")
        res = self.init(proj)
        self.assertCleanError(res, 2, "directory '%s' is not empty" % proj, "--force")
        self.assertEqual(os.listdir(proj), ["notes.txt"])
        self.assertEqual(res.stdout, "")

    def test_force_keeps_the_users_files_and_secrets(self):
        proj = os.path.join(self.tmp, "mine")
        os.makedirs(os.path.join(proj, ".secrets"))
        with open(os.path.join(proj, "notes.txt"), "w") as f:
            f.write("my notes")
        with open(os.path.join(proj, ".gitignore"), "w") as f:
            f.write("*.tmp\n")
        secrets = os.path.join(proj, ".secrets", "dev_secrets.yml")
        with open(secrets, "w") as f:
            f.write("- key: api_token\n  value: my-own-token-kept-42\n")
        os.chmod(secrets, 0o600)
        res = self.init(proj, "--force")
        self.assertExit(res, 0)
        self.assertIn("kept (yours)  .secrets/dev_secrets.yml", res.stdout)
        self.assertIn("merged        .gitignore", res.stdout)
        self.assertEqual(read(os.path.join(proj, "notes.txt")), "my notes")
        self.assertEqual(read(os.path.join(proj, ".gitignore")), "*.tmp\n.secrets/\nworkspace/\n")
        self.assertEqual(read(secrets), "- key: api_token\n  value: my-own-token-kept-42\n")
        run = self.run_local(proj)
        self.assertExit(run, 0)
        self.assertIn("a token of %d characters" % len("my-own-token-kept-42"),
                      self.read_artifact("use_secret_stdout.log"))

    def test_quick_start_make_is_an_alias(self):
        a = os.path.join(self.tmp, "a")
        b = os.path.join(self.tmp, "b")
        self.assertExit(self.init(a), 0)
        res = self.handoff("quick_start", "make", b)
        self.assertExit(res, 0)
        self.assertEqual(self.files_under(a), self.files_under(b))
        for rel in self.files_under(a):
            self.assertEqual(read(os.path.join(a, rel), "rb"), read(os.path.join(b, rel), "rb"), rel)
        self.assertExit(self.run_local(b), 0)


class DoctorTest(HandoffTestCase):
    """doctor without any AWS setup: a clean environment, HOME and the store in tmp."""

    def env(self, extra=None):
        env = clean_env()
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
            env.pop(k, None)
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)
        env.update({MARK_VAR: self.mark, "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_CONFIG_FILE": os.path.join(home, "no-config"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-credentials"),
                    "HO_STORE_DIR": os.path.join(self.tmp, "store"), "LC_ALL": "C.UTF-8"})
        env.pop("HANDOFF_LOG_LEVEL", None)
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def test_no_credentials_warn_for_the_local_store(self):
        res = self.handoff("doctor", timeout=60)
        self.assertExit(res, 0)
        checks = check_lines(res.stdout)
        self.assertEqual(list(checks), ["handoff", "python3", "python3 -m venv", "aws credentials",
                                        "aws region", "store", "docker"], res.describe())
        self.assertEqual(checks["handoff"][0], "ok")
        self.assertEqual(checks["python3"][0], "ok", res.describe())  # this test runs in python3
        status, text = checks["aws credentials"]
        self.assertEqual(status, "warn", res.describe())
        self.assertIn("no AWS credentials found", text)
        self.assertIn("(not needed by the local store)", text)
        self.assertIn("; fix: ", text)
        self.assertEqual(checks["aws region"][0], "warn")
        self.assertIn("fix: export AWS_REGION", checks["aws region"][1])
        self.assertEqual(checks["store"][0], "ok", res.describe())
        self.assertIn("local store %s" % os.path.join(self.tmp, "store"), checks["store"][1])
        status, text = checks["docker"]
        self.assertIn(status, ("ok", "warn"))
        if status == "warn":
            self.assertIn("container build, run and push need a Docker Engine", text)
            self.assertIn("fix: ", text)
        # Results on stdout, nothing else on stderr.
        self.assertEqual(res.stderr, "", res.describe())

    def test_no_credentials_fail_with_the_aws_store(self):
        res = self.handoff("doctor", "--store", "aws", timeout=60)
        self.assertExit(res, 1)
        checks = check_lines(res.stdout)
        self.assertEqual(checks["aws credentials"][0], "fail", res.describe())
        self.assertIn("fix: ", checks["aws credentials"][1])
        self.assertEqual(checks["store"][0], "fail")
        self.assertIn("AWS (--store aws) cannot be reached without credentials", checks["store"][1])
        # HO_STORE=aws chooses the same way as the remote commands.
        res2 = self.handoff("doctor", env={"HO_STORE": "aws"}, timeout=60)
        self.assertExit(res2, 1)
        self.assertIn("AWS (HO_STORE=aws)", check_lines(res2.stdout)["store"][1])

    def test_project_checks_and_no_secret_in_the_output(self):
        proj = os.path.join(self.tmp, "p")
        self.assertExit(self.handoff("init", proj), 0)
        res = self.handoff("doctor", "-p", proj, timeout=60)
        self.assertExit(res, 0)
        checks = check_lines(res.stdout)
        self.assertEqual(checks["project"][0], "ok", res.describe())
        self.assertIn("loads and renders: 2 task(s), 3 file(s), stage dev", checks["project"][1])
        self.assertEqual(checks["secrets file"][0], "ok", res.describe())
        token = dev_token(proj)
        self.assertNotIn(token, res.stdout + res.stderr)

        secrets = os.path.join(proj, ".secrets", "dev_secrets.yml")
        os.chmod(secrets, 0o644)
        loose = self.handoff("doctor", "-p", proj, timeout=60)
        self.assertExit(loose, 1)
        status, text = check_lines(loose.stdout)["secrets file"]
        self.assertEqual(status, "fail")
        self.assertIn("readable by others (mode 644); fix: chmod 600 %s" % secrets, text)

    def test_a_broken_project_is_named_with_file_and_line(self):
        proj = self.write_project("tasks:\n  - name: a\n    pipeline: 3\n", name="broken")
        res = self.handoff("doctor", "-p", proj, timeout=60)
        self.assertExit(res, 1)
        status, text = check_lines(res.stdout)["project"]
        self.assertEqual(status, "fail", res.describe())
        self.assertRegex(text, re.escape(os.path.join(proj, "project.yml")) + r":3:\d+: ")
        self.assertNotIn("Traceback", res.stderr)


class DoctorMotoTest(MotoTestCase, HandoffTestCase):
    """doctor with credentials in the environment against moto_server."""

    def env(self, extra=None):
        env = self.moto.env(AWS_ACCESS_KEY_ID=AWS_KEY_ID, AWS_SECRET_ACCESS_KEY=AWS_SECRET)
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)
        env.update({MARK_VAR: self.mark, "HOME": home, "LC_ALL": "C.UTF-8",
                    "HO_STORE_DIR": os.path.join(self.tmp, "store")})
        env.pop("HANDOFF_LOG_LEVEL", None)
        env.update(extra or {})
        return env

    def test_environment_credentials_reach_sts_and_the_bucket(self):
        self.moto.aws("s3", "mb", "s3://doctor-bucket")
        res = self.handoff("doctor", "--store", "aws", "--bucket", "doctor-bucket", timeout=60)
        self.assertExit(res, 0)
        checks = check_lines(res.stdout)
        self.assertEqual(checks["aws credentials"], ("ok", "AKIA…MPLE from environment"), res.describe())
        self.assertEqual(checks["aws region"], ("ok", "us-east-1 from AWS_REGION"))
        status, text = checks["store"]
        self.assertEqual(status, "ok", res.describe())
        self.assertIn("AWS (--store aws): STS GetCallerIdentity answered, account 123456789012", text)
        self.assertIn("%s from AWS_ENDPOINT_URL" % self.moto.endpoint, text)
        self.assertIn("bucket doctor-bucket is reachable", text)
        for out in (res.stdout, res.stderr):
            self.assertNotIn(AWS_SECRET, out)
            self.assertNotIn(AWS_KEY_ID, out)

    def test_a_missing_bucket_fails_with_a_fix(self):
        res = self.handoff("doctor", "--store", "aws", env={"HO_BUCKET": "no-such-bucket"}, timeout=60)
        self.assertExit(res, 1)
        status, text = check_lines(res.stdout)["store"]
        self.assertEqual(status, "fail", res.describe())
        self.assertIn("bucket no-such-bucket: does not exist; fix: create it", text)
        self.assertNotIn(AWS_SECRET, res.stdout + res.stderr)

    def test_credentials_without_the_aws_store_are_only_resolved(self):
        # With the local store (the default) credentials are resolved and
        # shown, and the store line is about the local folder.
        res = self.handoff("doctor", timeout=60)
        self.assertExit(res, 0)
        checks = check_lines(res.stdout)
        self.assertEqual(checks["aws credentials"], ("ok", "AKIA…MPLE from environment"))
        self.assertIn("local store", checks["store"][1])


if __name__ == "__main__":
    unittest.main()
