"""Issue 5 points 3 and 5: `handoff cloud run`, `cloud job status|stop` and
`cloud logs` against moto_server, with awscli as the second client that sets
up ECS and CloudWatch Logs and checks what handoff did there.

What moto cannot prove: it never starts a container (a task's lastStatus
walks RUNNING, DEACTIVATING, STOPPING, … on its own as it is described, and
every container reports exit code 0), so the tests check desiredStatus and
stoppedReason, and exit codes are pinned on recorded DescribeTasks shapes in
src/aws/ecs_test.cc and src/cloud/runs_test.cc; its ListTaskDefinitions
familyPrefix matches the family exactly (real AWS matches a prefix, so the
exact-family rule is pinned in src/aws/ecs_test.cc as well), and its log
filter treats most patterns other than a single term as match-all — only a
single term is checked here.
"""
import json
import os
import signal
import subprocess
import time
import unittest

from harness import HANDOFF_BIN, HandoffTestCase, _reset_signals
from moto import MotoTestCase

RG = "etl"
TASK = "widgets"
FAMILY = "handoff-dev-%s-%s" % (RG, TASK)            # stage dev: RG gets "dev-"
SIBLING = "handoff-dev-%s-%s-rest" % (RG, TASK)      # a task whose name extends ours
CLUSTER = "handoff-dev-%s-resources" % RG
LOG_GROUP = "handoff/dev-%s/%s" % (RG, TASK)
IMAGE = "widgets-image"
VARS = 'start_at=$(date -I -d "-1 day") end_at=$(date -I)'

PROJECT = """\
tasks:
- name: hello
  pipeline:
  - command: echo
    args: hi
deploy:
  cloud_provider: aws
  resource_group: %(rg)s
  task: %(task)s
  container_image: %(image)s
schedules:
- target_id: 1
  cron: "0 0 * * ? *"
  envs:
  - key: __VARS
    value: '%(vars)s'
  - key: RETRIES
    value: 3
"""

RESOURCES_STACK = """\
Parameters:
  Subnets: {Type: String}
  Group: {Type: String}
Resources:
  Placeholder:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: handoff-test-placeholder}
Outputs:
  SubnetIds: {Value: !Ref Subnets}
  SecurityGroupId: {Value: !Ref Group}
"""


class CloudRunsBase(MotoTestCase, HandoffTestCase):
    """ECS set up once per class (awscli takes seconds a call here): tests
    check the tasks they started, by id, and clean up what others would see."""

    reset_per_test = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto.reset()
        subnets = cls.moto.aws_json("ec2", "describe-subnets")["Subnets"]
        cls.subnets = [s["SubnetId"] for s in subnets[:2]]
        cls.sg = cls.moto.aws_json("ec2", "describe-security-groups")["SecurityGroups"][0]["GroupId"]
        cls.moto.aws("ecs", "create-cluster", "--cluster-name", CLUSTER)
        cls.register(FAMILY, IMAGE)
        cls.register(FAMILY, IMAGE)  # revision 2 is ours
        # Registered later, with more revisions: a prefix match would pick it.
        for _ in range(3):
            cls.register(SIBLING, "rest-image")

    # ----- helpers ---------------------------------------------------------
    @classmethod
    def register(cls, family, container):
        return cls.moto.aws_json(
            "ecs", "register-task-definition", "--family", family,
            "--requires-compatibilities", "FARGATE", "--network-mode", "awsvpc",
            "--cpu", "256", "--memory", "512", "--container-definitions",
            json.dumps([{"name": container, "image": "x/%s:0.1" % container,
                         "cpu": 256, "memory": 512}]))["taskDefinition"]["taskDefinitionArn"]

    def project(self, task=TASK):
        return self.write_project(PROJECT % {"rg": RG, "task": task, "image": IMAGE, "vars": VARS})

    def ho_env(self):
        env = self.moto.env()
        for k in os.environ:  # anything AWS-ish the runner has, moto.env() dropped
            env.setdefault(k, None)
        return env

    def ho(self, *args, **kw):
        return self.handoff(*args, env=self.ho_env(), **kw)

    def ok(self, res):
        self.assertEqual(res.returncode, 0, res.describe())
        return res

    def net(self):
        return ["--subnets", ",".join(self.subnets), "--security-groups", self.sg]

    def run_task(self, *extra):
        res = self.ok(self.ho("cloud", "run", "-p", self.project(), *self.net(), *extra))
        task_id = res.stdout.strip()
        self.assertRegex(task_id, r"^[0-9a-f-]{20,}$", res.describe())
        return task_id, res

    def describe(self, task_id):
        doc = self.moto.aws_json("ecs", "describe-tasks", "--cluster", CLUSTER, "--tasks", task_id)
        self.assertEqual(len(doc["tasks"]), 1, doc)
        return doc["tasks"][0]

    @staticmethod
    def env_of(task):
        overrides = task["overrides"]["containerOverrides"]
        return overrides[0]["name"], {e["name"]: e["value"] for e in overrides[0]["environment"]}


class CloudRun(CloudRunsBase):

    def test_run_starts_our_family_with_schedule_and_cli_overrides(self):
        task_id, res = self.run_task("--target-id", "1", "-e", "RETRIES=9", "EXTRA=from-cli")
        task = self.describe(task_id)
        self.assertTrue(task["taskDefinitionArn"].endswith("/%s:2" % FAMILY), task["taskDefinitionArn"])
        self.assertEqual(task["launchType"], "FARGATE")
        name, env = self.env_of(task)
        self.assertEqual(name, IMAGE)
        self.assertEqual(env["__VARS"], VARS)          # passed through, not evaluated
        self.assertEqual(env["RETRIES"], "9")          # -e beats the schedule
        self.assertEqual(env["EXTRA"], "from-cli")
        self.assertEqual(env["HO_STAGE"], "dev")
        self.assertRegex(env["TASK_TRIGGERED_AT"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")
        subnet = [d["value"] for a in task.get("attachments", []) for d in a["details"]
                  if d["name"] == "subnetId"]
        self.assertIn(subnet[0], self.subnets)
        self.assertIn("console.aws.amazon.com/ecs/v2/clusters/%s/tasks/%s" % (CLUSTER, task_id), res.stderr)

    def test_original_v_forms_and_stage_beats_e(self):
        task_id, _ = self.run_task("-v", "target_id=1", "-e", "HO_STAGE=prod")
        _, env = self.env_of(self.describe(task_id))
        self.assertEqual(env["RETRIES"], "3")
        self.assertEqual(env["HO_STAGE"], "dev")
        self.assertEqual(env["__VARS"], VARS)

    def test_without_target_id_no_schedule_envs(self):
        task_id, _ = self.run_task()
        _, env = self.env_of(self.describe(task_id))
        self.assertEqual(sorted(env), ["HO_STAGE", "TASK_TRIGGERED_AT"])

    def test_network_from_the_resources_stack(self):
        self.moto.aws("cloudformation", "create-stack", "--stack-name", CLUSTER,
                      "--template-body", RESOURCES_STACK, "--parameters",
                      "ParameterKey=Subnets,ParameterValue=%s" % "\\,".join(self.subnets),
                      "ParameterKey=Group,ParameterValue=%s" % self.sg)
        self.addCleanup(self.moto.aws, "cloudformation", "delete-stack", "--stack-name", CLUSTER)
        res = self.ok(self.ho("cloud", "run", "-p", self.project()))
        task = self.describe(res.stdout.strip())
        self.assertTrue(task["taskDefinitionArn"].endswith("/%s:2" % FAMILY))
        self.assertIn(",".join(self.subnets), res.stderr)

    def test_no_stack_and_no_flags_is_a_clear_error(self):
        res = self.ho("cloud", "run", "-p", self.project())
        self.assertCleanError(res, 1, "stack 'handoff-dev-etl-resources' does not exist", "--subnets")
        self.assertNotIn("Running ", res.stderr)  # nothing was started

    def test_unknown_family_and_unknown_target_id(self):
        res = self.ho("cloud", "run", "-p", self.project(task="nothing"), *self.net())
        self.assertCleanError(res, 1, "no active task definition of family 'handoff-dev-etl-nothing'",
                              "cloud task create")
        res = self.ho("cloud", "run", "-p", self.project(), *self.net(), "--target-id", "7")
        self.assertCleanError(res, 2, "no schedule with target_id '7'", "declared target ids: 1")


class CloudJobs(CloudRunsBase):

    def test_status_lists_our_task_only_then_stop_stops_it(self):
        task_id, _ = self.run_task()
        # A sibling task's run in the same cluster must not be listed.
        sibling = self.moto.aws_json(
            "ecs", "run-task", "--cluster", CLUSTER, "--task-definition", SIBLING, "--launch-type",
            "FARGATE", "--network-configuration",
            "awsvpcConfiguration={subnets=[%s],securityGroups=[%s]}" % (self.subnets[0], self.sg)
        )["tasks"][0]["taskArn"].rsplit("/", 1)[1]
        res = self.ok(self.ho("cloud", "job", "status", "-p", self.project()))
        self.assertIn(task_id, res.stdout)
        self.assertNotIn(sibling, res.stdout)
        doc = json.loads(self.ok(self.ho("cloud", "job", "status", "-p", self.project(), "--json")).stdout)
        mine = [t for t in doc if t["task_id"] == task_id]
        self.assertEqual(len(mine), 1, doc)
        self.assertEqual(mine[0]["task_definition"], FAMILY + ":2")
        self.assertEqual({t["task_definition"].rsplit(":", 1)[0] for t in doc}, {FAMILY})
        wide = self.ok(self.ho("cloud", "job", "status", "-p", self.project(), "--resource-group-level"))
        self.assertIn(sibling, wide.stdout)

        res = self.ok(self.ho("cloud", "job", "stop", "-p", self.project(), "--id", task_id,
                              "--reason", "test over"))
        self.assertIn(task_id, res.stdout)
        task = self.describe(task_id)
        self.assertEqual(task["desiredStatus"], "STOPPED")
        self.assertEqual(task["stoppedReason"], "test over")
        res = self.ok(self.ho("cloud", "job", "status", "-p", self.project(), "--stopped"))
        self.assertIn(task_id, res.stdout)
        self.assertIn("test over", res.stdout)
        self.assertNotIn(sibling, res.stdout)
        running = json.loads(self.ok(self.ho("cloud", "job", "status", "-p", self.project(),
                                             "-v", "running=true", "--json")).stdout)
        self.assertNotIn(task_id, [t["task_id"] for t in running])
        self.assertEqual({t["desired_status"] for t in running} - {"RUNNING"}, set())

    def test_stop_with_v_forms_and_refusing_a_siblings_task(self):
        task_id, _ = self.run_task()
        sibling = self.moto.aws_json(
            "ecs", "run-task", "--cluster", CLUSTER, "--task-definition", SIBLING, "--launch-type",
            "FARGATE", "--network-configuration",
            "awsvpcConfiguration={subnets=[%s],securityGroups=[%s]}" % (self.subnets[0], self.sg)
        )["tasks"][0]["taskArn"]
        res = self.ho("cloud", "job", "stop", "-p", self.project(), "--id", sibling)
        self.assertCleanError(res, 1, "belongs to", SIBLING)
        self.assertEqual(self.describe(sibling)["desiredStatus"], "RUNNING")
        self.ok(self.ho("cloud", "job", "stop", "-p", self.project(), "-v", "id=" + task_id))
        task = self.describe(task_id)
        self.assertEqual(task["desiredStatus"], "STOPPED")
        self.assertEqual(task["stoppedReason"], "Stopped by the user")
        res = self.ho("cloud", "job", "stop", "-p", self.project())
        self.assertCleanError(res, 2, "no task to stop", "--id")


    def test_missing_cluster_is_named_with_a_hint(self):
        res = self.ho("cloud", "job", "status", "-p", self.project(), "-s", "qa")
        self.assertCleanError(res, 1, "cluster 'handoff-qa-etl-resources' does not exist",
                              "cloud resources create")


class CloudLogs(CloudRunsBase):
    """Only Logs: a fresh server state per test, no ECS set-up."""

    reset_per_test = True

    @classmethod
    def setUpClass(cls):
        super(CloudRunsBase, cls).setUpClass()


    STREAM = "%s/%s/abc123" % (LOG_GROUP, IMAGE)

    def setUp(self):
        super().setUp()
        self.moto.aws("logs", "create-log-group", "--log-group-name", LOG_GROUP)
        self.moto.aws("logs", "create-log-stream", "--log-group-name", LOG_GROUP,
                      "--log-stream-name", self.STREAM)
        self.now = int(time.time() * 1000)
        self.put(("[    INFO] - Job started at 2026", -3000), ("ERROR something broke", -2000),
                 ("[    INFO] - Job ended at 2026", -1000))

    def put(self, *events):
        body = [{"timestamp": self.now + off, "message": msg} for msg, off in events]
        self.moto.aws("logs", "put-log-events", "--log-group-name", LOG_GROUP,
                      "--log-stream-name", self.STREAM, "--log-events", json.dumps(body))

    def test_prints_events_put_with_awscli(self):
        res = self.ok(self.ho("cloud", "logs", "-p", self.project()))
        lines = res.stdout.splitlines()
        self.assertEqual(len(lines), 3, res.describe())
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[    INFO\] - Job started at 2026$")
        self.assertTrue(lines[2].endswith("Job ended at 2026"))

    def test_json_lines_and_single_term_filter(self):
        res = self.ok(self.ho("cloud", "logs", "-p", self.project(), "--json", "--filter", "ERROR"))
        lines = [json.loads(l) for l in res.stdout.splitlines()]
        self.assertEqual([l["message"] for l in lines], ["ERROR something broke"], res.describe())
        self.assertEqual(list(lines[0]), ["timestamp", "stream", "message"])
        self.assertEqual(lines[0]["stream"], self.STREAM)
        self.assertRegex(lines[0]["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        res = self.ok(self.ho("cloud", "logs", "-p", self.project(),
                              "-v", "filter_pattern=ERROR", "format_=json"))
        self.assertEqual([json.loads(l)["message"] for l in res.stdout.splitlines()],
                         ["ERROR something broke"])

    def test_time_window(self):
        start = str(self.now - 2500)
        end = str(self.now - 1500)
        res = self.ok(self.ho("cloud", "logs", "-p", self.project(), "--start-time", start,
                              "--end-time", end))
        self.assertEqual(len(res.stdout.splitlines()), 1, res.describe())
        self.assertIn("ERROR something broke", res.stdout)
        res = self.ok(self.ho("cloud", "logs", "-p", self.project(), "-v", "start_time=1h"))
        self.assertEqual(len(res.stdout.splitlines()), 3)
        res = self.ho("cloud", "logs", "-p", self.project(), "--start-time", "soon")
        self.assertCleanError(res, 2, "--start-time: cannot read 'soon' as a time")

    def test_missing_log_group(self):
        res = self.ho("cloud", "logs", "-p", self.project(task="nothing"))
        self.assertCleanError(res, 1, "log group 'handoff/dev-etl/nothing' does not exist")

    def start_follow(self, *extra):
        argv = [HANDOFF_BIN, "cloud", "logs", "-p", self.project(), "--follow"] + list(extra)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env(self.ho_env()), cwd=self.tmp,
                                preexec_fn=_reset_signals)
        self.addCleanup(self._reap, proc)
        lines = [proc.stdout.readline().decode() for _ in range(3)]  # the first pass
        self.assertTrue(all(lines), lines)
        return proc, lines

    def test_follow_shows_new_events_then_stops_by_its_timeout(self):
        start = time.monotonic()
        proc, _ = self.start_follow("--follow-timeout", "12")
        self.now = int(time.time() * 1000)
        self.put(("later event one", 0), ("later event two", 1))
        out, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - start
        rest = out.decode().splitlines()
        self.assertEqual(proc.returncode, 0, err.decode())
        self.assertEqual([l.split(" ", 2)[2] for l in rest], ["later event one", "later event two"],
                         err.decode())
        self.assertLess(elapsed, 25)
        self.assertGreaterEqual(elapsed, 11.5)

    def test_follow_stops_cleanly_on_sigint_and_sigterm(self):
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            proc, _ = self.start_follow()
            time.sleep(0.5)
            sent = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=15)
            self.assertEqual(proc.returncode, code, err.decode())
            self.assertLess(time.monotonic() - sent, 5)
            self.assertIn("Stopped following", err.decode())


if __name__ == "__main__":
    unittest.main()
