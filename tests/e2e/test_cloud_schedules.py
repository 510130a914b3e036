"""Issue 5 point 4: `handoff cloud schedule create|list|delete|explain` against
moto_server, with awscli as the second client that checks what landed in
EventBridge and Step Functions.

What moto cannot prove (see the issue): it never runs a schedule, it accepts a
state machine definition without checking the ecs:runTask.sync integration
or the role's permissions, and it does not validate EcsParameters; the
definition and the ECS target's shape are pinned in src/cloud/schedules_test.cc.
"""
import json
import os
import unittest

from harness import HandoffTestCase
from moto import MotoTestCase

RG = "etl"
TASK = "widgets"
STACK = "handoff-dev-%s-%s" % (RG, TASK)          # stage dev: RG gets the "dev-" prefix
SIBLING = "handoff-dev-%s-%s-legacy" % (RG, TASK)  # a task whose name extends ours
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
  cloud_platform: fargate
  resource_group: %(rg)s
  task: %(task)s
  container_image: %(image)s
%(platform)s
schedules:
- target_id: 1
  cron: "0 0 * * ? *"
  envs:
  - key: __VARS
    value: '%(vars)s'
  - key: RETRIES
    value: 3
- target_id: 2
  cron: "30 6 ? * MON-FRI *"
"""

ROLE_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": ["events.amazonaws.com", "states.amazonaws.com"]}}]})

NETWORK_STACK = """\
Resources:
  SecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: handoff tasks}
Outputs:
  SubnetIds: {Value: "subnet-aaa,subnet-bbb"}
  SecurityGroupId: {Value: !GetAtt SecurityGroup.GroupId}
"""


class CloudSchedules(MotoTestCase, HandoffTestCase):

    def setUp(self):
        super().setUp()
        self.role_arn = self.moto.aws_json(
            "iam", "create-role", "--role-name", "handoff-CloudWatchEventECSRole",
            "--assume-role-policy-document", ROLE_TRUST)["Role"]["Arn"]
        self.moto.aws("ecs", "create-cluster", "--cluster-name", "handoff-dev-etl-resources")
        for _ in range(2):  # revision 2 is the latest
            td = self.moto.aws_json(
                "ecs", "register-task-definition", "--family", STACK,
                "--requires-compatibilities", "FARGATE", "--network-mode", "awsvpc",
                "--cpu", "256", "--memory", "512", "--container-definitions",
                json.dumps([{"name": IMAGE, "image": "x/%s:0.1" % IMAGE, "cpu": 256, "memory": 512}]))
        self.task_definition_arn = td["taskDefinition"]["taskDefinitionArn"]

    # ----- helpers ---------------------------------------------------------
    def project(self, platform=""):
        return self.write_project(PROJECT % {"rg": RG, "task": TASK, "image": IMAGE, "vars": VARS,
                                             "platform": platform})

    def ho(self, *args, **kw):
        env = self.moto.env()
        for k in os.environ:  # anything AWS-ish the runner has, moto.env() dropped
            env.setdefault(k, None)
        return self.handoff(*args, env=env, **kw)

    def ok(self, res):
        self.assertEqual(res.returncode, 0, res.describe())
        return res

    def rules(self, prefix="handoff-"):
        doc = self.moto.aws_json("events", "list-rules", "--name-prefix", prefix)
        return {r["Name"]: r for r in doc.get("Rules", [])}

    def targets(self, rule):
        return self.moto.aws_json("events", "list-targets-by-rule", "--rule", rule)["Targets"]

    def machines(self):
        doc = self.moto.aws_json("stepfunctions", "list-state-machines")
        return {m["name"]: m["stateMachineArn"] for m in doc.get("stateMachines", [])}

    def create(self, project, *extra):
        return self.ok(self.ho("cloud", "schedule", "create", "-p", project,
                               "--subnets", "subnet-1,subnet-2", "--security-groups", "sg-1", *extra))

    # ----- create ----------------------------------------------------------
    def test_create_makes_rules_state_machines_and_targets_with_the_overrides(self):
        res = self.create(self.project(), "-e", "EXTRA=from-cli")
        self.assertIn("created schedule %s-1 cron(0 0 * * ? *)" % STACK, res.stdout)
        rules = self.rules()
        self.assertEqual(sorted(rules), [STACK + "-1", STACK + "-2"])
        self.assertEqual(rules[STACK + "-1"]["ScheduleExpression"], "cron(0 0 * * ? *)")
        self.assertEqual(rules[STACK + "-2"]["ScheduleExpression"], "cron(30 6 ? * MON-FRI *)")
        self.assertEqual(rules[STACK + "-1"]["State"], "ENABLED")

        machines = self.machines()
        self.assertEqual(sorted(machines), [STACK + "-1", STACK + "-2"])
        (target,) = self.targets(STACK + "-1")
        self.assertEqual(target["Id"], "1")
        self.assertEqual(target["Arn"], machines[STACK + "-1"])
        self.assertEqual(target["RoleArn"], self.role_arn)
        env = [{"Name": "__VARS", "Value": VARS}, {"Name": "RETRIES", "Value": "3"},
               {"Name": "EXTRA", "Value": "from-cli"}, {"Name": "HO_STAGE", "Value": "dev"}]
        overrides = {"ContainerOverrides": [{"Name": IMAGE, "Environment": env}]}
        self.assertEqual(json.loads(target["Input"]), overrides)

        sm = self.moto.aws_json("stepfunctions", "describe-state-machine",
                                "--state-machine-arn", machines[STACK + "-1"])
        self.assertEqual(sm["roleArn"], self.role_arn)
        definition = json.loads(sm["definition"])
        self.assertEqual(definition["TimeoutSeconds"], 14400)
        state = definition["States"][definition["StartAt"]]
        self.assertEqual(state["Resource"], "arn:aws:states:::ecs:runTask.sync")
        params = state["Parameters"]
        self.assertEqual(params["LaunchType"], "FARGATE")
        self.assertEqual(params["TaskDefinition"], self.task_definition_arn)
        self.assertTrue(params["TaskDefinition"].endswith(":2"))
        self.assertTrue(params["Cluster"].endswith(":cluster/handoff-dev-etl-resources"))
        self.assertEqual(params["NetworkConfiguration"]["AwsvpcConfiguration"],
                         {"Subnets": ["subnet-1", "subnet-2"], "SecurityGroups": ["sg-1"],
                          "AssignPublicIp": "ENABLED"})
        self.assertEqual(params["Overrides"], overrides)
        self.assertEqual(state["Retry"], [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1800,
                                           "MaxAttempts": 4, "BackoffRate": 1.0}])

    def test_recreate_replaces_the_definition_and_the_cron(self):
        project = self.project()
        self.create(project)
        res = self.create(project, "--target-id", "1", "--cron", "15 3 * * ? *", "-e", "NEW=1")
        self.assertIn("replaced schedule %s-1 cron(15 3 * * ? *)" % STACK, res.stdout)
        self.assertEqual(self.rules()[STACK + "-1"]["ScheduleExpression"], "cron(15 3 * * ? *)")
        sm = self.moto.aws_json("stepfunctions", "describe-state-machine",
                                "--state-machine-arn", self.machines()[STACK + "-1"])
        env = json.loads(sm["definition"])["States"]["RunTask"]["Parameters"]["Overrides"][
            "ContainerOverrides"][0]["Environment"]
        self.assertIn({"Name": "NEW", "Value": "1"}, env)
        self.assertEqual(len(self.machines()), 2)

    def test_without_state_machine_the_target_is_the_cluster_with_ecs_parameters(self):
        project = self.project("  platform_config:\n    state_machine: false\n    max_retries: 1")
        self.create(project, "-v", "target_id=2")
        self.assertEqual(sorted(self.rules()), [STACK + "-2"])
        self.assertEqual(self.machines(), {})
        (target,) = self.targets(STACK + "-2")
        self.assertTrue(target["Arn"].endswith(":cluster/handoff-dev-etl-resources"), target)
        ecs = target["EcsParameters"]
        self.assertEqual(ecs["TaskDefinitionArn"], self.task_definition_arn)
        self.assertEqual(ecs["LaunchType"], "FARGATE")
        self.assertEqual(ecs["TaskCount"], 1)

    def test_switching_to_a_bare_ecs_target_removes_the_old_state_machine(self):
        self.create(self.project(), "-v", "target_id=1", "cron=0 4 * * ? *")
        self.assertEqual(sorted(self.machines()), [STACK + "-1"])
        res = self.create(self.project("  platform_config:\n    state_machine: false"), "--target-id", "1")
        self.assertIn("deleted the state machine", res.stderr)
        self.assertEqual(self.machines(), {})
        (target,) = self.targets(STACK + "-1")
        self.assertIn("EcsParameters", target)
        self.assertEqual(self.rules()[STACK + "-1"]["ScheduleExpression"], "cron(0 0 * * ? *)")

    def test_network_from_the_resources_stack(self):
        self.moto.aws("cloudformation", "create-stack", "--stack-name", "handoff-dev-etl-resources",
                      "--template-body", NETWORK_STACK)
        (stack,) = self.moto.aws_json("cloudformation", "describe-stacks", "--stack-name",
                                      "handoff-dev-etl-resources")["Stacks"]
        group = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}["SecurityGroupId"]
        project = self.project("  platform_config:\n    state_machine: false")
        self.ok(self.ho("cloud", "schedule", "create", "-p", project, "--target-id", "2"))
        (target,) = self.targets(STACK + "-2")
        net = target["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]
        self.assertEqual(net["Subnets"], ["subnet-aaa", "subnet-bbb"])
        self.assertEqual(net["SecurityGroups"], [group])
        self.assertEqual(json.loads(target["Input"]),
                         {"containerOverrides": [{"name": IMAGE, "environment": [
                             {"name": "HO_STAGE", "value": "dev"}]}]})


    # ----- errors before anything is made ------------------------------------
    def test_errors_name_what_is_missing_and_make_nothing(self):
        project = self.project()
        res = self.ho("cloud", "schedule", "create", "-p", project)
        self.assertEqual(res.returncode, 1, res.describe())
        self.assertIn("stack 'handoff-dev-etl-resources' not found", res.stderr)
        self.assertIn("--subnets", res.stderr)

        res = self.ho("cloud", "schedule", "create", "-p", project, "--target-id", "9")
        self.assertEqual(res.returncode, 2, res.describe())
        self.assertIn("target_id '9' is not declared in project.yml schedules", res.stderr)

        res = self.ho("cloud", "schedule", "create", "-p", project, "--cron", "0 0 * * *")
        self.assertEqual(res.returncode, 2, res.describe())
        self.assertIn("cron '0 0 * * *' has 5 fields, AWS cron has 6", res.stderr)

        self.moto.aws("iam", "delete-role", "--role-name", "handoff-CloudWatchEventECSRole")
        res = self.ho("cloud", "schedule", "create", "-p", project, "--subnets", "s", "--security-groups", "g")
        self.assertEqual(res.returncode, 1, res.describe())
        self.assertIn("role 'handoff-CloudWatchEventECSRole' not found", res.stderr)
        self.assertEqual(self.rules(), {})
        self.assertEqual(self.machines(), {})

    # ----- list ----------------------------------------------------------------
    def make_sibling(self):
        """A sibling task's schedule, made with awscli: its name starts with ours."""
        self.moto.aws("events", "put-rule", "--name", SIBLING + "-1", "--schedule-expression",
                      "cron(0 1 * * ? *)")
        self.moto.aws("events", "put-targets", "--rule", SIBLING + "-1", "--targets", json.dumps([{
            "Id": "1", "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:" + SIBLING + "-1",
            "RoleArn": self.role_arn, "Input": json.dumps({"ContainerOverrides": [
                {"Name": "legacy", "Environment": [{"Name": "X", "Value": "y"}]}]})}]))

    def test_list_shows_only_this_tasks_schedules(self):
        project = self.project()
        res = self.ok(self.ho("cloud", "schedule", "list", "-p", project))
        self.assertEqual(res.stdout, "")  # zero schedules: nothing, exit 0
        self.assertEqual(json.loads(self.ok(self.ho("cloud", "schedule", "list", "-p", project,
                                                    "--json")).stdout), [])
        self.create(project)
        self.make_sibling()
        res = self.ok(self.ho("cloud", "schedule", "list", "-p", project, "--json"))
        records = json.loads(res.stdout)
        self.assertEqual([r["name"] for r in records], [STACK + "-1", STACK + "-2"])
        first = records[0]
        self.assertEqual(first["cron"], "0 0 * * ? *")
        self.assertEqual(first["target_id"], "1")
        self.assertEqual(first["target"], "state_machine")
        self.assertEqual(first["envs"], [{"key": "__VARS", "value": VARS}, {"key": "RETRIES", "value": "3"}])
        self.assertEqual(first["status"], "scheduled")
        text = self.ok(self.ho("cloud", "schedule", "list", "-p", project)).stdout
        self.assertNotIn("legacy", text)
        self.assertIn(STACK + "-1  cron(0 0 * * ? *)  target_id 1  state machine arn:aws:states:", text)

        # prefix: the documented over-match; all: every handoff rule.
        res = self.ok(self.ho("cloud", "schedule", "list", "-p", project, "-v", "scope=prefix", "--json"))
        self.assertEqual(sorted(r["name"] for r in json.loads(res.stdout)),
                         [STACK + "-1", STACK + "-2", SIBLING + "-1"])
        self.moto.aws("events", "put-rule", "--name", "handoff-other-rule", "--schedule-expression", "rate(1 day)")
        res = self.ok(self.ho("cloud", "schedule", "list", "-p", project, "--scope", "all", "--json"))
        self.assertEqual(len(json.loads(res.stdout)), 3)  # handoff-other-rule has no targets: skipped
        self.assertIn("'handoff-other-rule' has no targets: skipped", res.stderr)

    def test_an_invalid_scope_is_a_usage_error(self):
        res = self.ho("cloud", "schedule", "list", "-p", self.project(), "--scope", "declare")
        self.assertEqual(res.returncode, 2, res.describe())
        self.assertIn("unknown schedule list scope 'declare'", res.stderr)
        self.assertIn("hint: use --scope declared", res.stderr)

    # ----- delete --------------------------------------------------------------
    def test_delete_removes_targets_rule_and_state_machine(self):
        project = self.project()
        self.create(project)
        self.make_sibling()
        machine = self.machines()[STACK + "-1"]
        res = self.ok(self.ho("cloud", "schedule", "delete", "-p", project, "--target-id", "1"))
        self.assertEqual(res.stdout.splitlines(), [
            "removed target 1", "deleted rule " + STACK + "-1", "deleted state machine " + machine,
            "deleted schedule " + STACK + "-1"])
        self.assertEqual(sorted(self.rules()), [STACK + "-2", SIBLING + "-1"])
        self.assertEqual(sorted(self.machines()), [STACK + "-2"])
        self.assertEqual(len(self.targets(SIBLING + "-1")), 1)
        gone = self.moto.aws("events", "list-targets-by-rule", "--rule", STACK + "-1", check=False)
        self.assertNotEqual(gone.returncode, 0)

        res = self.ho("cloud", "schedule", "delete", "-p", project, "--target-id", "1")
        self.assertEqual(res.returncode, 1, res.describe())
        self.assertIn("no schedule '%s-1': EventBridge has no rule of that name" % STACK, res.stderr)

        res = self.ho("cloud", "schedule", "delete", "-p", project)
        self.assertEqual(res.returncode, 2, res.describe())

        self.ok(self.ho("cloud", "schedule", "delete", "-p", project, "-v", "target_id=2"))
        self.assertEqual(sorted(self.rules()), [SIBLING + "-1"])
        self.assertEqual(self.machines(), {})

    def test_delete_of_an_ecs_schedule(self):
        project = self.project("  platform_config:\n    state_machine: false")
        self.create(project, "--target-id", "1")
        res = self.ok(self.ho("cloud", "schedule", "delete", "-e", "resource_group=" + RG, "task=" + TASK,
                              "--target-id", "1"))
        self.assertEqual(res.stdout.splitlines(), ["removed target 1", "deleted rule " + STACK + "-1",
                                                   "deleted schedule " + STACK + "-1"])
        self.assertEqual(self.rules(), {})

    # ----- explain ---------------------------------------------------------------
    def test_explain_prints_the_next_runs_in_utc(self):
        res = self.ok(self.ho("cloud", "schedule", "explain", "-p", self.project(), "--from",
                              "2026-02-26T12:00:00Z"))
        # 2026-02-26 is a Thursday; February 2026 has 28 days.
        self.assertEqual(res.stdout, (
            STACK + "-1  cron(0 0 * * ? *)  next 5 runs after 2026-02-26T12:00:00Z (UTC):\n"
            "  2026-02-27T00:00:00Z  Fri\n  2026-02-28T00:00:00Z  Sat\n  2026-03-01T00:00:00Z  Sun\n"
            "  2026-03-02T00:00:00Z  Mon\n  2026-03-03T00:00:00Z  Tue\n" +
            STACK + "-2  cron(30 6 ? * MON-FRI *)  next 5 runs after 2026-02-26T12:00:00Z (UTC):\n"
            "  2026-02-27T06:30:00Z  Fri\n  2026-03-02T06:30:00Z  Mon\n  2026-03-03T06:30:00Z  Tue\n"
            "  2026-03-04T06:30:00Z  Wed\n  2026-03-05T06:30:00Z  Thu\n"))
        # Stage prod: no prefix in the names; --target-id picks one schedule, --count how many runs.
        res = self.ok(self.handoff("cloud", "schedule", "explain", "-p", self.project(), "-s", "prod",
                                   "--target-id", "1", "--count", "2", "--from", "2024-02-28T00:00:00Z"))
        self.assertEqual(res.stdout, "handoff-etl-widgets-1  cron(0 0 * * ? *)  next 2 runs after "
                         "2024-02-28T00:00:00Z (UTC):\n  2024-02-29T00:00:00Z  Thu\n  2024-03-01T00:00:00Z  Fri\n")
        res = self.ok(self.handoff("cloud", "schedule", "explain", "--cron", "0 12 ? * 6L 2024",
                                   "--from", "2024-10-01", "--json"))
        self.assertEqual(json.loads(res.stdout), [{"name": "", "target_id": "", "cron": "0 12 ? * 6L 2024",
                                                   "next": ["2024-10-25T12:00:00Z", "2024-11-29T12:00:00Z",
                                                            "2024-12-27T12:00:00Z"]}])
        res = self.handoff("cloud", "schedule", "explain", "--cron", "0 0 ? * 2#6 *")
        self.assertEqual(res.returncode, 2, res.describe())
        self.assertIn("day-of-week '2#6': after '#' comes 1-5", res.stderr)


if __name__ == "__main__":
    unittest.main()
