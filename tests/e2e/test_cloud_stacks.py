"""issue 5, scope 2: `handoff cloud bucket|role|resources|task create|update|delete|status`.

Against moto_server (tests/e2e/moto.py), with awscli as the second client that
checks what landed: the S3 bucket, the ECS cluster, the task definition family
and the log group exist after create; updates change what they should (or are
"up to date"); after delete the stacks are gone. --dry-run runs with no
credentials and an unreachable endpoint. API-level errors moto does return
(a stack that does not exist, one that already exists, a missing parameter)
are reported plainly with exit 1.

What moto cannot prove, and where it is proven instead: per-resource
*_FAILED events and rollbacks (moto emits only the stack's own events) are
tested on recorded DescribeStackEvents responses in
src/cloud/stack_events_test.cc; task-level Cpu and EphemeralStorage (moto
drops them) in src/cloud/stacks_test.cc and tests/cloud/. moto also keeps
the ECS cluster and most IAM roles after their stack is deleted, so deletion
is checked on the stack itself and on what moto does remove (log group,
security group).
"""
import json
import os
import unittest

from harness import HandoffTestCase

try:
    import moto as moto_helpers  # tests/e2e/moto.py
except Exception:  # pragma: no cover
    moto_helpers = None

ACCOUNT = "123456789012"  # moto's
RG = "dev-etl"
BUCKET = "handoff-dev-etl-f0cc306f"  # spec 6.1: handoff-<RG>-<last 8 hex of md5(account)>

PROJECT = """\
version: 0.5.0
deploy:
  resource_group: etl
  task: t1
  container_image: etl-image
  image_version: "0.3"
  cpu: 512
  memory: 1024
tasks:
  - name: hello
    commands:
      - command: echo
        args: hi
"""

# A template moto refuses at the API: a parameter nobody sends.
NEEDS_MORE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Bucket:
    Type: String
  Colour:
    Type: String
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref Bucket
"""

# MotoTestCase first: its setUpClass starts moto, then calls HandoffTestCase's.
BASES = (moto_helpers.MotoTestCase, HandoffTestCase) if moto_helpers else (HandoffTestCase,)


class DryRunTest(HandoffTestCase):
    """--dry-run calls no AWS API: no credentials, an endpoint nobody answers."""

    def no_aws_env(self):
        return {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None,
                "AWS_PROFILE": None, "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                "AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": os.path.join(self.tmp, "none"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.tmp, "none")}

    def test_every_stack_renders_without_credentials(self):
        proj = self.write_project(PROJECT)
        for kind, extra in (("bucket", []), ("role", ["--external-id", "x-secret-phrase"]),
                            ("resources", []), ("task", [])):
            for verb in ("create", "update"):
                res = self.handoff("cloud", kind, verb, "-p", proj, "--dry-run", *extra,
                                   env=self.no_aws_env())
                self.assertExit(res, 0)
                head, _, template = res.stdout.partition("---\n")
                self.assertIn("action: %s\n" % verb, head, res.describe())
                self.assertIn("AWSTemplateFormatVersion", template, res.describe())
                self.assertNotIn("x-secret-phrase", res.stdout + res.stderr)
        res = self.handoff("cloud", "bucket", "delete", "-p", proj, "--dry-run", env=self.no_aws_env())
        self.assertExit(res, 0)
        self.assertEqual(res.stdout, "action: delete\nstack: handoff-dev-etl-bucket\n")

    def test_task_parameters_from_project_and_vars(self):
        proj = self.write_project(PROJECT)
        res = self.handoff("cloud", "task", "create", "-p", proj, "--dry-run", "--json",
                           "-v", "memory=2048", "storage=40", env=self.no_aws_env())
        self.assertExit(res, 0)
        out = json.loads(res.stdout)
        self.assertEqual(out["stack"], "handoff-dev-etl-t1")
        p = out["parameters"]
        self.assertEqual((p["Cpu"], p["Memory"], p["EphemeralStorage"]), ("512", "2048", "40"))
        self.assertEqual(p["ImageUri"], "<account id>.dkr.ecr.eu-west-1.amazonaws.com/etl-image:0.3")
        self.assertEqual((p["ResourceGroup"], p["TaskName"], p["ImageName"]), (RG, "t1", "etl-image"))
        self.assertIn("AWS::ECS::TaskDefinition", out["template"])

    def test_usage_errors_before_any_call(self):
        proj = self.write_project(PROJECT)
        res = self.handoff("cloud", "role", "create", "--dry-run", env=self.no_aws_env())
        self.assertCleanError(res, 2, "the role stack needs an external id", "-v external_id=")
        res = self.handoff("cloud", "task", "create", "-p", proj, "--dry-run", "-v", "cpu=300",
                           env=self.no_aws_env())
        self.assertCleanError(res, 2, "cpu '300' is not a Fargate size")


class CloudStacksTest(*BASES):
    """Every stack created, updated and deleted on moto, checked with awscli."""

    default_timeout = 120

    def setUp(self):
        if moto_helpers is None:
            self.skipTest("tests/e2e/moto.py did not load")
        super().setUp()
        self.proj = self.write_project(PROJECT)

    def run_ok(self, *args):
        res = self.handoff(*args, env=self.moto.env())
        self.assertExit(res, 0)
        return res

    def stack_exists(self, name):
        proc = self.moto.aws("cloudformation", "describe-stacks", "--stack-name", name, check=False)
        return proc.returncode == 0

    def test_create_update_delete_all_four(self):
        aws = self.moto.aws_json
        # role: the exports the task stack imports.
        res = self.run_ok("cloud", "role", "create", "-v", "external_id=ext-12345")
        self.assertIn("stack: handoff-role-%s\nresult: created\nstatus: CREATE_COMPLETE\n" % ACCOUNT,
                      res.stdout)
        role = aws("iam", "get-role", "--role-name", "handoff-FargateDeployRole-for-" + ACCOUNT)
        self.assertIn("ext-12345", json.dumps(role["Role"]["AssumeRolePolicyDocument"]))
        self.assertNotIn("ext-12345", res.stdout + res.stderr)  # NoEcho: never printed
        # Events stream as they happen, one line each.
        self.assertStderrMatches(res, r"handoff-role-%s: \S+ \S+ handoff-role-%s CREATE_COMPLETE$"
                                 % (ACCOUNT, ACCOUNT))

        # bucket: the derived name.
        res = self.run_ok("cloud", "bucket", "create", "-p", self.proj)
        self.assertIn("BucketName: %s\n" % BUCKET, res.stdout)
        self.moto.aws("s3api", "head-bucket", "--bucket", BUCKET)

        # resources: in moto's default VPC, with all its subnets.
        res = self.run_ok("cloud", "resources", "create", "-p", self.proj)
        vpc = aws("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true")["Vpcs"][0]["VpcId"]
        subnets = sorted(s["SubnetId"] for s in aws("ec2", "describe-subnets", "--filters",
                                                        "Name=vpc-id,Values=" + vpc)["Subnets"])
        status = json.loads(self.run_ok("cloud", "resources", "status", "-p", self.proj, "--json").stdout)
        self.assertEqual(status["status"], "CREATE_COMPLETE")
        self.assertEqual(status["outputs"]["VpcId"], vpc)
        self.assertEqual(status["outputs"]["SubnetIds"], ",".join(subnets))
        clusters = aws("ecs", "describe-clusters", "--clusters", "handoff-dev-etl-resources")["clusters"]
        self.assertEqual([c["status"] for c in clusters], ["ACTIVE"])
        sg = aws("ec2", "describe-security-groups", "--filters",
                 "Name=group-name,Values=handoff-dev-etl-resources")["SecurityGroups"]
        self.assertEqual([g["VpcId"] for g in sg], [vpc])

        # task: family, container sizes from project.yml, image, log group.
        self.run_ok("cloud", "task", "create", "-p", self.proj)
        td = aws("ecs", "describe-task-definition", "--task-definition", "handoff-dev-etl-t1")
        td = td["taskDefinition"]
        c = td["containerDefinitions"][0]
        self.assertEqual((td["family"], td["revision"]), ("handoff-dev-etl-t1", 1))
        self.assertEqual((c["name"], c["cpu"], c["memory"]), ("etl-image", 512, 1024))
        self.assertEqual(c["image"], "%s.dkr.ecr.us-east-1.amazonaws.com/etl-image:0.3" % ACCOUNT)
        groups = aws("logs", "describe-log-groups", "--log-group-name-prefix", "handoff/dev-etl/t1")
        self.assertEqual([g["logGroupName"] for g in groups["logGroups"]], ["handoff/dev-etl/t1"])

        # update: nothing changed is "up to date"; new sizes make a new revision.
        res = self.run_ok("cloud", "bucket", "update", "-p", self.proj)
        self.assertIn('result: "up to date"\n', res.stdout)
        res = self.run_ok("cloud", "task", "update", "-p", self.proj, "-v", "cpu=1024", "memory=2048")
        self.assertIn("result: updated\nstatus: UPDATE_COMPLETE\n", res.stdout)
        self.assertStderrHas(res, "UPDATE_COMPLETE", "handoff cloud schedule create")
        # moto's update of a task definition through CloudFormation registers
        # the new revision with empty container definitions (awscli's own
        # update-stack does the same), keeping only task-level memory: check
        # that, and the parameters the stack now has.
        td = aws("ecs", "describe-task-definition", "--task-definition", "handoff-dev-etl-t1")
        td = td["taskDefinition"]
        self.assertEqual((td["revision"], str(td["memory"])), (2, "2048"))
        c = td["containerDefinitions"][0]
        if "memory" in c:  # a moto that keeps them
            self.assertEqual((c["cpu"], c["memory"]), (1024, 2048))
        stack = aws("cloudformation", "describe-stacks", "--stack-name", "handoff-dev-etl-t1")["Stacks"][0]
        params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
        self.assertEqual((params["Cpu"], params["Memory"], params["ImageUri"]),
                         ("1024", "2048", "%s.dkr.ecr.us-east-1.amazonaws.com/etl-image:0.3" % ACCOUNT))
        res = self.run_ok("cloud", "role", "update", "--external-id", "ext-67890")
        self.assertIn("result: updated\n", res.stdout)

        # delete, in reverse order.
        res = self.run_ok("cloud", "task", "delete", "-p", self.proj)
        self.assertIn("result: deleted\nstatus: DELETE_COMPLETE\n", res.stdout)
        self.assertStderrHas(res, "DELETE_COMPLETE")
        self.assertFalse(self.stack_exists("handoff-dev-etl-t1"))
        groups = aws("logs", "describe-log-groups", "--log-group-name-prefix", "handoff/dev-etl/t1")
        self.assertEqual(groups["logGroups"], [])
        self.run_ok("cloud", "resources", "delete", "-p", self.proj)
        self.assertFalse(self.stack_exists("handoff-dev-etl-resources"))
        sg = aws("ec2", "describe-security-groups", "--filters",
                 "Name=group-name,Values=handoff-dev-etl-resources")["SecurityGroups"]
        self.assertEqual(sg, [])
        res = self.run_ok("cloud", "bucket", "delete", "-p", self.proj)
        self.assertFalse(self.stack_exists("handoff-dev-etl-bucket"))
        self.moto.aws("s3api", "head-bucket", "--bucket", BUCKET)  # DeletionPolicy Retain
        self.assertStderrHas(res, "aws s3 rb s3://%s" % BUCKET)
        self.run_ok("cloud", "role", "delete")
        self.assertFalse(self.stack_exists("handoff-role-" + ACCOUNT))

    def test_resources_in_a_new_vpc(self):
        self.run_ok("cloud", "resources", "create", "-p", self.proj, "--new-vpc")
        status = json.loads(self.run_ok("cloud", "resources", "status", "-p", self.proj, "--json").stdout)
        default = self.moto.aws_json("ec2", "describe-vpcs", "--filters",
                                     "Name=is-default,Values=true")["Vpcs"][0]["VpcId"]
        self.assertNotEqual(status["outputs"]["VpcId"], default)
        self.assertEqual(len(status["outputs"]["SubnetIds"].split(",")), 2)
        self.assertEqual(status["parameters"]["UseDefaultVpc"], "false")

    def test_stage_prefix_and_explicit_bucket(self):
        res = self.run_ok("cloud", "bucket", "create", "-p", self.proj, "-s", "prod",
                          "--bucket", "my-handoff-bucket")
        self.assertIn("stack: handoff-etl-bucket\n", res.stdout)
        self.moto.aws("s3api", "head-bucket", "--bucket", "my-handoff-bucket")

    def test_task_before_role_is_reported_with_a_hint(self):
        # The task stack before the role stack: its exports are missing. (moto
        # then keeps a broken half-stack that DescribeStacks answers with 500,
        # so nothing more is asked of this server state.)
        res = self.handoff("cloud", "task", "create", "-p", self.proj, env=self.moto.env())
        self.assertCleanError(res, 1, "No export named handoff-TaskExecutionRoleArn",
                              "hint: create the role stack first: handoff cloud role create")

    def test_api_errors_are_reported_plainly(self):
        res = self.handoff("cloud", "bucket", "delete", "-p", self.proj, env=self.moto.env())
        self.assertCleanError(res, 1, "stack 'handoff-dev-etl-bucket' does not exist, so there is "
                                      "nothing to delete", "hint: ")
        res = self.handoff("cloud", "bucket", "update", "-p", self.proj, env=self.moto.env())
        self.assertCleanError(res, 1, "stack 'handoff-dev-etl-bucket' does not exist",
                              "handoff cloud bucket create")
        res = self.handoff("cloud", "task", "status", "-p", self.proj, env=self.moto.env())
        self.assertCleanError(res, 1, "stack 'handoff-dev-etl-t1' does not exist")

        self.run_ok("cloud", "bucket", "create", "-p", self.proj)
        res = self.handoff("cloud", "bucket", "create", "-p", self.proj, env=self.moto.env())
        self.assertCleanError(res, 1, "stack 'handoff-dev-etl-bucket' already exists (CREATE_COMPLETE)",
                              "handoff cloud bucket update")

        bad = os.path.join(self.tmp, "needs-more.yml")
        with open(bad, "w") as f:
            f.write(NEEDS_MORE)
        res = self.handoff("cloud", "bucket", "create", "-p", self.proj, "-s", "test",
                           "--template-file", bad, env=self.moto.env())
        self.assertCleanError(res, 1, "cloudformation CreateStack of stack 'handoff-test-etl-bucket' "
                                      "failed", "ValidationError", "Missing parameter Colour")
        self.assertFalse(self.stack_exists("handoff-test-etl-bucket"))

    def test_timeout_must_be_positive(self):
        res = self.handoff("cloud", "bucket", "create", "-p", self.proj, "--timeout", "0",
                           env=self.moto.env())
        self.assertCleanError(res, 2, "--timeout must be at least 1 second")


if __name__ == "__main__":
    unittest.main()
