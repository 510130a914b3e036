"""issue 5, "What must be shown": the original tutorial's journey from remote
config to cleanup, as one script against moto with our commands (only the
docker engine steps left out), checked with awscli as the second client.

Left behind by design, and checked to be exactly that: the bucket itself (its
stack's DeletionPolicy is Retain, as the original's) and the dated archives of
the run's artifacts (history; `artifacts delete` removes last/ only). moto also
keeps the ECS cluster, old task-definition revisions and some IAM roles after
their stacks are deleted (tests/e2e/test_cloud_stacks.py); those are moto's,
not ours, so the end state is checked on what handoff manages: stacks,
parameters, objects, rules and state machines.
"""
import json
import os

from harness import HandoffTestCase
from moto import MotoTestCase

BUCKET = "handoff-dev-etl-f0cc306f"  # handoff-<RG>-<8 hex of md5(moto's account)>
PROJECT = """\
version: 0.5.0
deploy:
  cloud_provider: aws
  resource_group: etl
  task: journey
  container_image: journey-image
  image_version: "0.1"
tasks:
  - name: greet
    pipeline:
      - command: cat
        args: files/greeting.txt
      - command: tr a-z A-Z
schedules:
  - target_id: 1
    cron: "0 6 * * ? *"
    envs:
      - key: __VARS
        value: 'start_date=$(date -I -d "-7 day")'
"""
SECRETS = """\
- key: api_password
  value: journey-secret-value-7c1f
- key: shared_token
  value: journey-shared-token-2b9e
  level: resource group
"""


class TutorialJourney(MotoTestCase, HandoffTestCase):
    reset_per_test = False

    def ho(self, *args, **kw):
        env = self.moto.env()
        for k in os.environ:  # anything AWS-ish the runner has, moto.env() dropped
            env.setdefault(k, None)
        res = self.handoff(*args, env=env, **kw)
        self.assertEqual(res.returncode, 0, res.describe())
        self.assertNotIn("journey-secret-value-7c1f", res.stderr)
        return res

    def keys(self, prefix):
        doc = self.moto.aws_json("s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", prefix)
        return sorted(o["Key"] for o in doc.get("Contents", []))

    def live_stacks(self):
        doc = self.moto.aws_json("cloudformation", "list-stacks")
        return sorted(s["StackName"] for s in doc.get("StackSummaries", [])
                      if s["StackStatus"] != "DELETE_COMPLETE")

    def test_remote_config_to_cleanup(self):
        proj = self.write_project(PROJECT, files={"greeting.txt": "hello from the journey\n"},
                                  secrets={"dev_secrets.yml": SECRETS})
        p = ["-p", proj]
        # The account's role stack and the bucket, then the project in the store.
        self.ho("cloud", "role", "create", "--external-id", "journey-external-id", *p)
        self.ho("cloud", "bucket", "create", *p)
        self.ho("config", "push", *p)
        self.ho("files", "push", *p)
        self.ho("secrets", "push", "-y", *p)
        self.assertEqual(self.keys("journey/"), ["journey/files/greeting.txt", "journey/project.yml"])
        names = self.moto.aws_json("ssm", "get-parameters-by-path", "--path", "/handoff/dev-etl",
                                   "--recursive")["Parameters"]
        self.assertEqual(sorted(n["Name"] for n in names),
                         ["/handoff/dev-etl/journey/api_password", "/handoff/dev-etl/shared_token"])

        # A run in a fresh workspace from the store, artifacts published.
        ws = os.path.join(self.tmp, "remote_ws")
        self.ho("run", "-w", ws, "--store", "aws", "-e", "resource_group=etl", "task=journey", "-a")
        with open(os.path.join(ws, "artifacts", "greet_stdout.log")) as f:
            self.assertEqual(f.read(), "HELLO FROM THE JOURNEY")
        self.assertIn("journey/artifacts/last/greet_stdout.log", self.keys("journey/artifacts/last/"))

        # Fargate: network, task, a one-off run and its status.
        self.ho("cloud", "resources", "create", *p)
        self.ho("cloud", "task", "create", *p)
        task_id = self.ho("cloud", "run", *p, "-e", "GREETING=hi").stdout.strip().splitlines()[-1]
        self.assertTrue(task_id)
        status = self.ho("cloud", "job", "status", *p, "--json").stdout
        self.assertIn(task_id, status)

        # A schedule through a state machine: created, listed, deleted.
        self.ho("cloud", "schedule", "create", *p)
        rule = "handoff-dev-etl-journey-1"
        listed = self.ho("cloud", "schedule", "list", *p, "--json").stdout
        self.assertIn(rule, listed)
        self.assertIn('start_date=$(date -I -d \\"-7 day\\")', listed)
        machines = self.moto.aws_json("stepfunctions", "list-state-machines")["stateMachines"]
        self.assertEqual([m["name"] for m in machines], [rule])
        self.ho("cloud", "schedule", "delete", "--target-id", "1", *p)

        # Cleanup, in the tutorial's order.
        self.ho("cloud", "task", "delete", *p)
        self.ho("cloud", "resources", "delete", *p)
        self.ho("secrets", "delete", "-y", *p)
        self.ho("files", "delete", *p)
        self.ho("artifacts", "delete", *p)
        self.ho("config", "delete", *p)
        self.ho("cloud", "bucket", "delete", *p)
        self.ho("cloud", "role", "delete", *p)

        # Nothing of ours is left but the retained bucket's archives.
        self.assertEqual(self.live_stacks(), [])
        self.assertEqual(self.moto.aws_json("ssm", "get-parameters-by-path", "--path", "/handoff",
                                            "--recursive").get("Parameters", []), [])
        self.assertEqual(self.moto.aws_json("events", "list-rules", "--name-prefix", "handoff-")
                         .get("Rules", []), [])
        self.assertEqual(self.moto.aws_json("stepfunctions", "list-state-machines")
                         .get("stateMachines", []), [])
        left = self.keys("")
        self.assertTrue(left and all(k.startswith("journey/artifacts/archives/") for k in left), left)
