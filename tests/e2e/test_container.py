"""issue 5, point 1: `handoff container build|run|push` with the docker CLI.

There is no Docker engine on the test machines, so a recording stand-in for
the docker binary goes first on PATH: it logs every call's argv, its stdin and
the AWS credential variables of its environment (one JSON line per call),
copies the build context it is given, answers `version` and `images`, and
fails the verb named in FAKE_DOCKER_FAIL with a message of its own. ECR is
moto_server's, checked with awscli. One test runs the real docker client
against no engine and checks the one-line error.

What this cannot prove without an engine: that the Dockerfile builds, that the
image runs handoff, that `docker login`/`push` work against a registry.
"""
import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import unittest

from harness import HandoffTestCase, HANDOFF_SRC

import moto as moto_helpers  # tests/e2e/moto.py (skips without moto_server; fails in CI)

IMAGE = "etl-image"
ACCOUNT = "123456789012"
SECRET_VALUE = "pa55-w0rd-that-must-never-leak"
PROD_SECRET = "prod-secret-that-must-never-leak"

PROJECT = """\
version: 0.5.0
deploy:
  resource_group: rg1
  task: task1
  container_image: %s
installs:
  - venv: proc
    command: pip --version
tasks:
  - name: hello
    commands:
      - command: echo
        args: hi
""" % IMAGE

FAKE_DOCKER = r'''#!%(python)s
import json, os, shutil, sys
args = sys.argv[1:]
verb = args[0] if args else ""
stdin = "" if verb in ("run", "version", "images") else sys.stdin.read()
rec = {"argv": args, "stdin": stdin,
       "env": {k: os.environ[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                          "AWS_SESSION_TOKEN") if k in os.environ}}
if verb == "build":
    ctx = args[-1]
    rec["context"] = ctx
    keep = os.environ.get("FAKE_DOCKER_KEEP")
    if keep:
        shutil.copytree(ctx, keep, symlinks=True)
with open(os.environ["FAKE_DOCKER_LOG"], "a") as f:
    f.write(json.dumps(rec) + "\n")
if os.environ.get("FAKE_DOCKER_FAIL") == verb:
    sys.stderr.write("Error response from daemon: fake %%s failure for the test\n" %% verb)
    sys.exit(1)
if verb == "version":
    print("28.2.2")
elif verb == "images":
    for t in os.environ.get("FAKE_DOCKER_TAGS", "").split():
        print(t)
elif verb == "build":
    print("Step 1/4 : FROM debian:12 AS build")
    print("Successfully tagged " + args[args.index("--tag") + 1])
elif verb == "run":
    print("container says hello")
    sys.exit(int(os.environ.get("FAKE_DOCKER_RUN_EXIT", "0")))
elif verb == "login":
    print("Login Succeeded")
elif verb == "push":
    print("The push refers to repository [%%s]" %% args[1])
'''


class ContainerBase(HandoffTestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = moto_helpers.MotoServer()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self):
        super().setUp()
        self.server.reset()
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        fake = os.path.join(self.bin, "docker")
        with open(fake, "w") as f:
            f.write(FAKE_DOCKER % {"python": sys.executable})
        os.chmod(fake, stat.S_IRWXU)
        self.log = os.path.join(self.tmp, "docker.jsonl")
        self.keep = os.path.join(self.tmp, "context-copy")
        self.project = self.write_project(
            PROJECT, files={"query.sql": "select 1\n"},
            secrets={"dev_secrets.yml": "- key: pw\n  value: %s\n" % SECRET_VALUE,
                     "secrets.yml": "- key: pw\n  value: %s\n" % PROD_SECRET})

    def ho(self, *args, env=None, fake=True, **kw):
        full = self.server.env(AWS_ACCESS_KEY_ID="AKIDCONTAINERTEST", AWS_SECRET_ACCESS_KEY="SeCrEtKeyOfTheTest0123")
        full.update({"HANDOFF_SRC": HANDOFF_SRC, "FAKE_DOCKER_LOG": self.log, "FAKE_DOCKER_KEEP": self.keep,
                     "HO_STORE": None, "HO_BUCKET": None, "HO_RESOURCE_GROUP": None, "HO_TASK": None,
                     "HO_CONTAINER_IMAGE": None, "DOCKER_HOST": None})
        if fake:
            full["PATH"] = self.bin + os.pathsep + os.environ.get("PATH", "")
        full.update(env or {})
        return self.handoff(*args, env=full, **kw)

    def calls(self, verb=None):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            recs = [json.loads(line) for line in f]
        return [r for r in recs if verb is None or r["argv"][0] == verb]

    def all_argv_text(self):
        return "\n".join(" ".join(r["argv"]) for r in self.calls())


class BuildTest(ContainerBase):
    def test_build_passes_context_and_incremented_tag(self):
        """build: the tag is the newest local one incremented; the context has the source, the
        project without .secrets/, our Dockerfile and entrypoint; no secret value in any file."""
        res = self.ho("container", "build", "-p", self.project, "-y", env={"FAKE_DOCKER_TAGS": "0.1 0.9 latest"})
        self.assertExit(res, 0)
        self.assertEqual(res.stdout, "%s:0.10\n" % IMAGE)
        [b] = self.calls("build")
        ctx = b["context"]
        self.assertEqual(b["argv"], ["build", "--tag", IMAGE + ":0.10", "--file", os.path.join(ctx, "Dockerfile"), ctx])
        self.assertFalse(os.path.exists(ctx), "the temp context is removed afterwards")
        files = self.files_under(self.keep)
        for need in ("Dockerfile", "script/entrypoint.sh", "project/project.yml", "project/files/query.sql",
                     "handoff/CMakeLists.txt", "handoff/scripts/install-deps.sh",
                     "handoff/src/container/dockerfile.cc", "handoff/cloud/templates/task.yml"):
            self.assertIn(need, files)
        for f in files:
            self.assertNotIn(".secret", f)
            self.assertFalse(f.startswith(("handoff/build", "handoff/.git", "handoff/tests")), f)
            with open(os.path.join(self.keep, f), "rb") as fh:
                data = fh.read()
            self.assertNotIn(SECRET_VALUE.encode(), data, f)
            self.assertNotIn(PROD_SECRET.encode(), data, f)
        with open(os.path.join(self.keep, "Dockerfile")) as fh:
            dockerfile = fh.read()
        self.assertIn("ENV HO_STORE=aws", dockerfile)
        self.assertIn("handoff workspace install -p project -w workspace", dockerfile)
        self.assertStderrHas(res, "Successfully tagged %s:0.10" % IMAGE, "project/.secrets")

    def test_vars_forms_and_no_installs(self):
        """-v version= docker_file= files_dir= beside flags; a project without installs skips
        workspace install through the build argument HO_INSTALL=0."""
        proj = self.write_project("deploy:\n  container_image: %s\ntasks: []\n" % IMAGE, name="bare")
        custom = os.path.join(self.tmp, "Dockerfile.mine")
        with open(custom, "w") as f:
            f.write("FROM scratch\n")
        extra = os.path.join(self.tmp, "extra")
        os.makedirs(extra)
        with open(os.path.join(extra, "tool.sh"), "w") as f:
            f.write("echo tool\n")
        res = self.ho("container", "build", "-p", proj, "-y", "-v", "version=2.0", "docker_file=" + custom,
                      "files_dir=" + extra)
        self.assertExit(res, 0)
        [b] = self.calls("build")
        self.assertEqual(b["argv"][:3], ["build", "--tag", IMAGE + ":2.0"])
        self.assertIn("HO_INSTALL=0", b["argv"])
        with open(os.path.join(self.keep, "Dockerfile")) as f:
            self.assertEqual(f.read(), "FROM scratch\n")
        self.assertTrue(os.path.isfile(os.path.join(self.keep, "extra", "tool.sh")))
        self.assertEqual(self.calls("images"), [], "a given version needs no local tag lookup")

    def test_docker_build_failure_is_reported_with_its_output(self):
        res = self.ho("container", "build", "-p", self.project, "-y", env={"FAKE_DOCKER_FAIL": "build"})
        self.assertCleanError(res, 1, "docker build failed with exit code 1",
                              "Error response from daemon: fake build failure for the test")

    def test_declined_prompt_builds_nothing(self):
        res = self.ho("container", "build", "-p", self.project, input="n\n")
        self.assertExit(res, 1)
        self.assertStderrHas(res, "Build %s:0.1 (y/N)? " % IMAGE, "not confirmed")
        self.assertEqual(self.calls("build"), [])

    def test_no_image_name_is_a_usage_error(self):
        proj = self.write_project("tasks: []\n", name="noimage")
        res = self.ho("container", "build", "-p", proj, "-y")
        self.assertCleanError(res, 2, "no container image name", "deploy.container_image")
        self.assertEqual(self.calls(), [])

    def test_real_docker_client_without_engine(self):
        """The real docker client, no engine: one clear line and a hint, exit 1."""
        if not shutil.which("docker"):
            raise unittest.SkipTest("no docker client on PATH")
        probe = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if probe.returncode == 0:
            raise unittest.SkipTest("a Docker engine answers here")
        res = self.ho("container", "build", "-p", self.project, "-y", fake=False)
        self.assertCleanError(res, 1, "handoff: error: no Docker engine answers: ", "hint: start the Docker daemon")
        errors = [l for l in res.stderr.splitlines() if l.startswith("handoff: error:")]
        self.assertEqual(len(errors), 1, res.describe())


class EntrypointTest(ContainerBase):
    def test_entrypoint_runs_the_stored_project_with_vars_evaluated_at_start(self):
        """What the image runs, without an image: the built context's entrypoint.sh with the real
        handoff on PATH, in an /app-like dir, with the environment `container run` and the task
        definition give. __VARS is evaluated when it starts; artifacts land in moto's bucket."""
        proj = self.write_project(PROJECT.replace("args: hi", 'args: "hello {{ who }}"'), name="entry")
        bucket = "handoff-e2e-container"
        self.server.aws("s3api", "create-bucket", "--bucket", bucket)
        remote = {"HO_BUCKET": bucket, "HO_STORE": "aws"}
        self.assertExit(self.ho("config", "push", "-p", proj, env=remote), 0)
        self.assertExit(self.ho("container", "build", "-p", proj, "-y", "-v", "version=0.1"), 0)
        app = os.path.join(self.tmp, "app")
        os.makedirs(os.path.join(app, "workspace"))
        shutil.copy(os.path.join(self.keep, "script", "entrypoint.sh"), app)
        os.symlink(os.environ.get("HANDOFF_BIN") or os.path.join(HANDOFF_SRC, "build", "handoff"),
                   os.path.join(self.bin, "handoff"))
        env = self.server.env()
        env.update({"PATH": self.bin + os.pathsep + os.environ.get("PATH", ""), "HO_RESOURCE_GROUP": "dev-rg1",
                    "HO_TASK": "task1", "HO_BUCKET": bucket, "HO_STORE": "aws", "HO_STAGE": "dev",
                    "__VARS": "who=$(echo container-world)"})
        proc = subprocess.run(["/bin/sh", "entrypoint.sh"], cwd=app, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr[-4000:])
        keys = [o["Key"] for o in self.server.aws_json("s3api", "list-objects-v2", "--bucket", bucket,
                                                         "--prefix", "task1/artifacts/last/").get("Contents", [])]
        stdout_logs = [k for k in keys if k.endswith("_stdout.log")]
        self.assertTrue(stdout_logs, (keys, proc.stderr[-4000:]))
        out = os.path.join(self.tmp, "log.txt")
        self.server.aws("s3api", "get-object", "--bucket", bucket, "--key", stdout_logs[0], out)
        with open(out) as f:
            self.assertEqual(f.read(), "hello container-world\n")


class RunTest(ContainerBase):
    def test_run_passes_names_store_stage_and_envs_but_no_secret_keys_in_argv(self):
        res = self.ho("container", "run", "-p", self.project, "-y", "-e", "__VARS=start=$(date -I)", "MY_FLAG=on",
                      env={"FAKE_DOCKER_TAGS": "0.1 0.2"})
        self.assertExit(res, 0)
        [r] = self.calls("run")
        argv = r["argv"]
        self.assertEqual(argv[:2], ["run", "--rm"])
        self.assertEqual(argv[-1], IMAGE + ":0.2")
        envs = [argv[i + 1] for i, a in enumerate(argv) if a == "--env"]
        bucket = "handoff-dev-rg1-" + hashlib.md5(ACCOUNT.encode()).hexdigest()[-8:]
        for e in ("HO_RESOURCE_GROUP=dev-rg1", "HO_TASK=task1", "HO_BUCKET=" + bucket, "HO_STORE=aws",
                  "HO_STAGE=dev", "HO_CONTAINER_IMAGE=" + IMAGE, "AWS_REGION=us-east-1",
                  "__VARS=start=$(date -I)", "MY_FLAG=on", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            self.assertIn(e, envs)
        self.assertNotIn("SeCrEtKeyOfTheTest0123", self.all_argv_text())
        self.assertNotIn("AKIDCONTAINERTEST", self.all_argv_text())
        # The values reach docker through its environment (`--env NAME`).
        self.assertEqual(r["env"]["AWS_SECRET_ACCESS_KEY"], "SeCrEtKeyOfTheTest0123")
        self.assertEqual(r["env"]["AWS_ACCESS_KEY_ID"], "AKIDCONTAINERTEST")
        self.assertStderrHas(res, "container says hello")

    def test_prod_stage_and_original_vars(self):
        res = self.ho("container", "run", "-p", self.project, "-y", "-s", "prod", "-v", "version=0.7",
                      "command=show_commands", "detach=true", 'ports={"22": 2222}', "platform=linux/x86_64")
        self.assertExit(res, 0)
        [r] = self.calls("run")
        argv = r["argv"]
        self.assertEqual(argv[-1], IMAGE + ":0.7")
        for seq in (["--detach"], ["--publish", "2222:22"], ["--platform", "linux/x86_64"],
                    ["--env", "HO_RESOURCE_GROUP=rg1"], ["--env", "HO_STAGE=prod"],
                    ["--env", "COMMAND=show_commands"]):
            self.assertTrue(any(argv[i:i + len(seq)] == seq for i in range(len(argv))), (seq, argv))
        self.assertEqual(res.stdout, "container says hello\n", "detached: docker's output is the id")

    def test_container_failure_is_reported_with_its_output(self):
        res = self.ho("container", "run", "-p", self.project, "-y", "-v", "version=0.1",
                      env={"FAKE_DOCKER_RUN_EXIT": "3"})
        self.assertCleanError(res, 1, "container %s:0.1 failed with exit code 3" % IMAGE, "container says hello")

    def test_no_local_image(self):
        res = self.ho("container", "run", "-p", self.project, "-y")
        self.assertCleanError(res, 1, "no local image '%s'" % IMAGE, "handoff container build")
        self.assertEqual(self.calls("run"), [])


class PushTest(ContainerBase):
    def repositories(self):
        doc = self.server.aws_json("ecr", "describe-repositories")
        return {r["repositoryName"]: r for r in doc.get("repositories", [])}

    def test_push_creates_repository_logs_in_on_stdin_tags_and_pushes(self):
        self.assertNotIn(IMAGE, self.repositories())
        res = self.ho("container", "push", "-p", self.project, "-y", env={"FAKE_DOCKER_TAGS": "0.1 0.3 latest"})
        self.assertExit(res, 0)
        repo = self.repositories()[IMAGE]
        self.assertEqual(repo["imageTagMutability"], "IMMUTABLE")
        registry = repo["repositoryUri"].split("/")[0]
        target = "%s/%s:0.3" % (registry, IMAGE)
        self.assertEqual([c["argv"][0] for c in self.calls()], ["version", "images", "tag", "login", "push"])
        self.assertEqual(self.calls("tag")[0]["argv"], ["tag", IMAGE + ":0.3", target])
        [login] = self.calls("login")
        self.assertEqual(login["argv"], ["login", "--username", "AWS", "--password-stdin", registry])
        token = self.server.aws_json("ecr", "get-authorization-token")["authorizationData"][0]["authorizationToken"]
        password = base64.b64decode(token).decode().split(":", 1)[1]
        self.assertEqual(login["stdin"], password)
        self.assertNotIn(password, self.all_argv_text())
        self.assertEqual(self.calls("push")[0]["argv"], ["push", target])
        self.assertEqual(res.stdout, target + "\n")

    def test_version_already_in_ecr_is_refused(self):
        self.server.aws("ecr", "create-repository", "--repository-name", IMAGE)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                               "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                          "size": 1, "digest": "sha256:" + "a" * 64}, "layers": []})
        self.server.aws("ecr", "put-image", "--repository-name", IMAGE, "--image-tag", "0.3",
                        "--image-manifest", manifest)
        res = self.ho("container", "push", "-p", self.project, "-y", "-v", "version=0.3")
        self.assertCleanError(res, 1, "%s:0.3 is already in" % IMAGE, "immutable")
        self.assertEqual(self.calls("push"), [])

    def test_declined_repository_creation(self):
        res = self.ho("container", "push", "-p", self.project, "-v", "version=0.1", input="no\n")
        self.assertExit(res, 1)
        self.assertStderrHas(res, "Repository %s does not exist. Create (y/N)? " % IMAGE)
        self.assertNotIn(IMAGE, self.repositories())
        self.assertEqual(self.calls("push"), [])

    def test_each_docker_failure_is_reported_with_its_output(self):
        for verb in ("tag", "login", "push"):
            with self.subTest(verb=verb):
                res = self.ho("container", "push", "-p", self.project, "-y", "-v", "version=0.1",
                              env={"FAKE_DOCKER_FAIL": verb})
                self.assertCleanError(res, 1, "docker %s failed with exit code 1" % verb,
                                      "fake %s failure for the test" % verb)


if __name__ == "__main__":
    unittest.main()
