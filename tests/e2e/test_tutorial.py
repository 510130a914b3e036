"""issue 7, point 6: docs/tutorial.md is run as written.

Every ```sh block of the tutorial runs, in order, in one temp dir holding a
copy of examples/, with `handoff` (HANDOFF_BIN) first on PATH; exported
variables carry from block to block as in one shell session. A ```text block
right after an sh block is that block's exact stdout. The AWS steps run
against moto_server (tests/e2e/moto.py), with the docker stand-in of
test_container.py on PATH for the container step (no engine here); the end
state is checked with awscli: no stacks, parameters, rules or state machines
of ours left.
"""
import os
import re
import shutil
import stat
import subprocess
import sys

from harness import HandoffTestCase, HANDOFF_BIN, HANDOFF_SRC, MARK_VAR
from moto import MotoTestCase
from test_container import FAKE_DOCKER

TUTORIAL = os.path.join(HANDOFF_SRC, "docs", "tutorial.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)
SECRET = "tutorial-secret-value-4d2a"


def tutorial_steps(text):
    """[(line, script, expected stdout or None)] for every sh block."""
    steps = []
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        if lang == "sh":
            steps.append([line, body, None])
        elif lang == "text" and steps and steps[-1][2] is None:
            between = text[prev_end:m.start()]
            if between.strip() == "":
                steps[-1][2] = body
        prev_end = m.end()
    return steps


class TutorialParsing(HandoffTestCase):
    def test_blocks_are_found_with_their_outputs(self):
        steps = tutorial_steps("a\n```sh\necho 1\n```\n\n```text\n1\n```\n```console\n$ x\n```\n"
                               "```sh\necho 2\n```\nprose\n```text\nnot an output\n```\n")
        self.assertEqual([(s[1], s[2]) for s in steps], [("echo 1\n", "1\n"), ("echo 2\n", None)])


class Tutorial(MotoTestCase, HandoffTestCase):
    reset_per_test = False

    def test_the_tutorial_runs_as_written(self):
        with open(TUTORIAL, encoding="utf-8") as f:
            steps = tutorial_steps(f.read())
        self.assertGreaterEqual(len(steps), 15)

        work = os.path.join(self.tmp, "clone")
        os.makedirs(work)
        shutil.copytree(os.path.join(HANDOFF_SRC, "examples"), os.path.join(work, "examples"),
                        ignore=shutil.ignore_patterns("*.whl", "__pycache__"))
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir)
        os.symlink(os.path.abspath(HANDOFF_BIN), os.path.join(bindir, "handoff"))
        docker = os.path.join(bindir, "docker")
        with open(docker, "w") as f:
            f.write(FAKE_DOCKER % {"python": sys.executable})
        os.chmod(docker, stat.S_IRWXU)

        env = self.moto.env()
        env.update({"PATH": bindir + os.pathsep + env.get("PATH", os.environ.get("PATH", "")),
                    "FAKE_DOCKER_LOG": os.path.join(self.tmp, "docker.jsonl"),
                    "FAKE_DOCKER_TAGS": "0.1",
                    "HOME": os.path.join(self.tmp, "home")})
        env.update({MARK_VAR: self.mark, "LC_ALL": "C.UTF-8"})
        state = os.path.join(self.tmp, "shell-state.sh")
        open(state, "w").close()
        for line, script, expected in steps:
            wrapped = "set -euo pipefail\nsource %s\n%s\nexport -p > %s\n" % (state, script, state)
            res = subprocess.run(["bash", "-c", wrapped], cwd=work, env=env, capture_output=True,
                                 text=True, timeout=600)
            where = "docs/tutorial.md:%d" % line
            self.assertEqual(res.returncode, 0, "%s failed (exit %d)\n--- script\n%s--- stdout\n%s--- stderr\n%s"
                             % (where, res.returncode, script, res.stdout, res.stderr[-4000:]))
            if expected is not None:
                self.assertEqual(res.stdout, expected, where + ": output differs from the text block")
            self.assertNotIn(SECRET, res.stdout + res.stderr, where)

        # The end state, checked with awscli: nothing of ours but the retained bucket's archives.
        stacks = [s["StackName"] for s in self.moto.aws_json("cloudformation", "list-stacks")["StackSummaries"]
                  if s["StackStatus"] != "DELETE_COMPLETE"]
        self.assertEqual(stacks, [])
        self.assertEqual(self.moto.aws_json("ssm", "get-parameters-by-path", "--path", "/handoff",
                                            "--recursive").get("Parameters", []), [])
        self.assertEqual(self.moto.aws_json("events", "list-rules", "--name-prefix", "handoff-")
                         .get("Rules", []), [])
        self.assertEqual(self.moto.aws_json("stepfunctions", "list-state-machines")
                         .get("stateMachines", []), [])
        self.assertNoProcessLeft()


class ReferenceDocs(HandoffTestCase):
    def test_project_yml_reference_is_generated_from_the_code(self):
        """docs/reference/project-yml.md is what `handoff reference project-yml` prints now
        (regenerate: build/handoff reference project-yml > docs/reference/project-yml.md)."""
        res = self.handoff("reference", "project-yml")
        self.assertEqual(res.returncode, 0, res.describe())
        with open(os.path.join(HANDOFF_SRC, "docs", "reference", "project-yml.md"), encoding="utf-8") as f:
            self.assertEqual(f.read(), res.stdout, "docs/reference/project-yml.md is stale")
        for key in ("kill_downstream_on_fail", "foreach", "target_id", "push", "platform_config"):
            self.assertIn("| `%s` |" % key, res.stdout)
