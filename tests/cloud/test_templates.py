"""Tests of handoff's CloudFormation templates (cloud/templates/*.yml).

    python3 -m unittest discover -s tests/cloud -v
    python3 tests/cloud/test_templates.py --capture [--bin build/handoff]

What each class proves, and with which real component:
  LintTest          cfn-lint (on PATH) finds nothing in any template.
  TemplateTest      the rendered templates: names (spec 6.1), task sizes, role
                    scopes, no account-specific ARNs. moto cannot prove these: it
                    drops task-level Cpu/EphemeralStorage and never checks IAM.
  MetricFilterTest  the metric filter patterns, evaluated by a small matcher of
                    CloudWatch's filter syntax, against log lines of the REAL
                    engine (sample_logs.txt, and a fresh run when the binary is
                    built). moto skips AWS::Logs::MetricFilter entirely.
  MotoStackTest     every stack created, updated and deleted on moto_server,
                    checked with awscli.

A missing cfn-lint or moto_server skips its test, unless CI is set: then it is
a failure. --capture regenerates sample_logs.txt from the built binary.
"""
import argparse
import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("HANDOFF_SRC") or os.path.dirname(os.path.dirname(HERE))
TEMPLATES = os.path.join(ROOT, "cloud", "templates")
TEMPLATE_NAMES = ("bucket.yml", "role.yml", "resources.yml", "task.yml")
SAMPLES = os.path.join(HERE, "sample_logs.txt")

ACCOUNT = "123456789012"  # moto's account id
REGION = "us-east-1"


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_peer(test, what):
    """Skip outside CI; in CI a missing test peer is a failure."""
    if in_ci():
        test.fail("%s (CI is set: a missing test peer is a failure)" % what)
    raise unittest.SkipTest(what)


# ----- loading templates -------------------------------------------------------

class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags into their long form."""


def _construct_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(name):
    with open(os.path.join(TEMPLATES, name)) as f:
        return yaml.load(f, Loader=CfnLoader)


def walk_strings(node, path=""):
    """Yield (path, string) for every string in a loaded template."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk_strings(v, "%s/%s" % (path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_strings(v, "%s[%d]" % (path, i))
    elif isinstance(node, str):
        yield path, node


class Renderer:
    """Evaluates the intrinsic functions our templates use, for given parameters.

    Parameters not given take their template Default. Resource Refs render as
    "<Ref:Logical>", GetAtt as "<Logical.Attr>", ImportValue as "<import:Name>",
    so a test can see what a property points at.
    """

    def __init__(self, template, params, stack_name="stack"):
        self.t = template
        self.params = {}
        for k, p in template.get("Parameters", {}).items():
            if k in params:
                self.params[k] = params[k]
            elif "Default" in p:
                self.params[k] = p["Default"]
        self.params.update({"AWS::AccountId": ACCOUNT, "AWS::Region": REGION,
                            "AWS::Partition": "aws", "AWS::StackName": stack_name})
        for k, p in template.get("Parameters", {}).items():
            if p.get("Type") == "CommaDelimitedList" and isinstance(self.params.get(k), str):
                self.params[k] = self.params[k].split(",")

    def condition(self, name):
        return bool(self.eval(self.t["Conditions"][name]))

    def eval(self, node):
        if isinstance(node, list):
            return [self.eval(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: self.eval(v) for k, v in node.items()}
        (fn, arg), = node.items()
        if fn == "Ref":
            if arg in self.params:
                return self.params[arg]
            return "<Ref:%s>" % arg
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Sub":
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.eval({"Ref": m.group(1)})
                          if "." not in m.group(1) else "<%s>" % m.group(1)), arg)
        if fn == "Fn::GetAtt":
            return "<%s.%s>" % tuple(arg)
        if fn == "Fn::ImportValue":
            return "<import:%s>" % self.eval(arg)
        if fn == "Fn::Join":
            return self.eval(arg[0]).join(str(v) for v in self.eval(arg[1]))
        if fn == "Fn::Select":
            return self.eval(arg[1])[int(self.eval(arg[0]))]
        if fn == "Fn::GetAZs":
            return [REGION + "a", REGION + "b", REGION + "c"]
        if fn == "Fn::If":
            return self.eval(arg[1] if self.condition(arg[0]) else arg[2])
        if fn == "Fn::Equals":
            a, b = self.eval(arg)
            return str(a) == str(b)
        if fn == "Fn::Not":
            return not self.eval(arg[0])
        if fn == "Fn::And":
            return all(self.eval(v) for v in arg)
        if fn == "Fn::Or":
            return any(self.eval(v) for v in arg)
        if fn == "Fn::Contains":
            return str(self.eval(arg[1])) in [str(v) for v in self.eval(arg[0])]
        return {fn: self.eval(arg)}

    def resource(self, logical):
        return self.eval(self.t["Resources"][logical])

    def failed_rules(self):
        """Names of the template Rules whose assertions fail for these parameters."""
        failed = []
        for name, rule in self.t.get("Rules", {}).items():
            if "RuleCondition" in rule and not self.eval(rule["RuleCondition"]):
                continue
            if not all(self.eval(a["Assert"]) for a in rule["Assertions"]):
                failed.append(name)
        return failed


# ----- CloudWatch filter patterns ------------------------------------------------

class FilterPattern:
    """The unstructured-log forms of CloudWatch's filter pattern syntax that we use.

    Terms are separated by blanks: a bare word, or a "quoted phrase" (\\" escapes a
    quote). All terms must occur (AND) unless they carry a ? prefix: then any one
    of the ?-terms suffices (OR). A - prefix excludes a term. Matching is
    case-sensitive and by substring, as CloudWatch matches a quoted phrase. JSON
    ({ ... }), space-delimited ([ ... ]) and regex (% ... %) patterns are not
    supported and raise ValueError rather than being misread.
    """

    def __init__(self, text):
        self.text = text
        self.all, self.any, self.none = [], [], []
        i, n = 0, len(text)
        while i < n:
            if text[i].isspace():
                i += 1
                continue
            prefix = ""
            if text[i] in "?-":
                prefix = text[i]
                i += 1
            if i < n and text[i] == '"':
                j, term = i + 1, []
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n:
                        j += 1
                    term.append(text[j])
                    j += 1
                if j >= n:
                    raise ValueError("unterminated quote in %r" % text)
                term, i = "".join(term), j + 1
            else:
                j = i
                while j < n and not text[j].isspace():
                    j += 1
                term, i = text[i:j], j
                if not term or term[0] in "{[%" or '"' in term:
                    raise ValueError("unsupported filter syntax %r in %r" % (term, text))
            {"": self.all, "?": self.any, "-": self.none}[prefix].append(term)
        if self.any and self.all:
            raise ValueError("mixing ?-terms with plain terms is not modelled: %r" % text)

    def matches(self, line):
        if any(t in line for t in self.none):
            return False
        if self.any:
            return any(t in line for t in self.any)
        return all(t in line for t in self.all)


# ----- sample log lines of the real engine ------------------------------------------

KINDS = ("started", "ended", "error", "timeout", "success", "other")

# The engine's exact format strings (src/util/log.cc, src/engine/runner.cc and
# engine.cc), written as full-line regexes: a second, stricter description of
# each line than the filters, used to label captured lines.
_TS = r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] "
LABELS = (
    ("started", re.compile(_TS + r"\[    INFO\] - Job started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")),
    ("ended", re.compile(_TS + r"\[    INFO\] - Job ended at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")),
    ("error", re.compile(_TS + r"\[   ERROR\] - Task \S+ ended with exit code -?\d+\.$")),
    ("timeout", re.compile(_TS + r"\[ WARNING\] - Timeout: (process \d+ of task \S+|task \S+|"
                           r"the run) reached (its timeout of|--timeout) ")),
    ("success", re.compile(_TS + r"\[    INFO\] - Task \S+ exited with code 0$")),
)


def label(line):
    for kind, rx in LABELS:
        if rx.search(line):
            return kind
    return "other"


# Projects whose runs produce every kind of line. A task's own output mentions
# "Timeout:", "WARNING Timeout", "exited with code 1", "CRITICAL" and a Python
# traceback header: the engine relays it as INFO, and no filter may count it.
SCENARIOS = (
    ("success", """\
tasks:
- name: hello
  commands:
  - command: echo hello
  - command: >-
      sh -c 'echo "Timeout: configured 5 s" >&2;
      echo "WARNING Timeout is a word here" >&2;
      echo "exited with code 1 (a report, not a failure)" >&2;
      echo "ERROR: row 7 skipped; last exit code 0" >&2;
      echo "sync started, window ended at 12:00" >&2'
""", ()),
    ("failure", """\
tasks:
- name: fetch
  commands:
  - command: >-
      sh -c 'echo "CRITICAL Traceback (most recent call last)" >&2; exit 3'
""", ()),
    ("process timeout", """\
tasks:
- name: slow
  commands:
  - command: sleep 5
    timeout: 1
""", ()),
    ("task timeout", """\
tasks:
- name: group
  timeout: 1
  commands:
  - command: sleep 5
""", ()),
    ("run timeout", """\
tasks:
- name: long
  commands:
  - command: sleep 5
""", ("--timeout", "1")),
)


def find_binary():
    for path in (os.environ.get("HANDOFF_BIN"), os.path.join(ROOT, "build", "handoff")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK) and os.path.getsize(path):
            return os.path.abspath(path)
    return None


def capture(binary):
    """Run SCENARIOS with the binary; return [(scenario, line)] of stdout+stderr."""
    out = []
    with tempfile.TemporaryDirectory(prefix="ho-cloud-capture-") as tmp:
        for n, (name, project, extra) in enumerate(SCENARIOS):
            proj = "p%d" % n
            os.makedirs(os.path.join(tmp, proj))
            with open(os.path.join(tmp, proj, "project.yml"), "w") as f:
                f.write(project)
            env = dict(os.environ, NO_COLOR="1", TZ="UTC")
            res = subprocess.run([binary, "run", "local", "-p", proj, "-w", "ws%d" % n, *extra],
                                 cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
            for line in (res.stderr + res.stdout).splitlines():
                out.append((name, line))
    return out


def read_samples():
    """[(kind, line)] from sample_logs.txt: '<kind><TAB><line>', '#' comments."""
    rows = []
    with open(SAMPLES) as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if not raw or raw.startswith("#"):
                continue
            kind, line = raw.split("\t", 1)
            rows.append((kind, line))
    return rows


def write_samples(rows, binary):
    with open(SAMPLES, "w") as f:
        f.write("# Log lines of handoff's engine, captured from the built binary by\n"
                "#   python3 tests/cloud/test_templates.py --capture\n"
                "# (%s). Format: <kind><TAB><line>; kind is what the line tells a\n"
                "# metric filter: %s.\n"
                "# Regenerate when the engine's wording changes.\n"
                % (os.path.relpath(binary, ROOT), ", ".join(KINDS)))
        last = None
        for scenario, line in rows:
            if scenario != last:
                f.write("# scenario: %s\n" % scenario)
                last = scenario
            f.write("%s\t%s\n" % (label(line), line))


def rendered_filters():
    """{kind: pattern} of task.yml's metric filters, keyed by metric name suffix."""
    t = load_template("task.yml")
    r = Renderer(t, {"ResourceGroup": "dev-etl", "TaskName": "wc"}, "handoff-dev-etl-wc")
    filters = {}
    for logical, res in t["Resources"].items():
        if res["Type"] != "AWS::Logs::MetricFilter":
            continue
        props = r.resource(logical)["Properties"]
        (mt,) = props["MetricTransformations"]
        kind = mt["MetricName"].rsplit("-", 1)[1]
        filters[kind] = props["FilterPattern"]
    return filters


# ----- tests -------------------------------------------------------------------------

class LintTest(unittest.TestCase):
    def test_cfn_lint_clean(self):
        """issue 5 scope 2: every template is cfn-lint clean (one run; it names the file)."""
        exe = shutil.which("cfn-lint")
        if not exe:
            missing_peer(self, "cfn-lint is not on PATH")
        paths = [os.path.join(TEMPLATES, n) for n in TEMPLATE_NAMES]
        for p in paths:
            self.assertTrue(os.path.isfile(p), p)
        res = subprocess.run([exe, *paths], capture_output=True, text=True, timeout=300)
        self.assertEqual(res.returncode, 0, "cfn-lint:\n%s%s" % (res.stdout, res.stderr))


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = {name: load_template(name) for name in TEMPLATE_NAMES}

    # --- all templates
    def test_no_account_specific_or_partition_specific_arns(self):
        """ARNs are built with ${AWS::Partition} and ${AWS::AccountId}; no account ids."""
        for name, t in self.t.items():
            for path, s in walk_strings(t):
                with self.subTest(template=name, path=path):
                    self.assertNotRegex(s, r"\b\d{12}\b", "account id in %s" % path)
                    if "arn:" in s:
                        self.assertRegex(s, r"^arn:\$\{AWS::Partition\}:",
                                         "ARN without ${AWS::Partition} at %s: %s" % (path, s))

    # --- bucket.yml
    def test_bucket_is_private_encrypted_and_retained(self):
        t = self.t["bucket.yml"]
        self.assertEqual(list(t["Parameters"]), ["Bucket"])
        (b,) = [r for r in t["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
        self.assertEqual(b["DeletionPolicy"], "Retain")
        self.assertEqual(b["UpdateReplacePolicy"], "Retain")
        p = b["Properties"]
        self.assertEqual(p["BucketName"], {"Ref": "Bucket"})
        self.assertEqual(p["PublicAccessBlockConfiguration"], {
            "BlockPublicAcls": True, "BlockPublicPolicy": True,
            "IgnorePublicAcls": True, "RestrictPublicBuckets": True})
        (rule,) = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        self.assertEqual(rule["ServerSideEncryptionByDefault"], {"SSEAlgorithm": "AES256"})
        self.assertIn("BucketName", t["Outputs"])

    # --- role.yml
    def role(self, **params):
        p = {"GranteeAccountId": "210987654321", "ExternalId": "xid"}
        p.update(params)
        return Renderer(self.t["role.yml"], p)

    def statements(self, logical, **params):
        r = self.role(**params).resource(logical)
        out = []
        for pol in r["Properties"]["Policies"]:
            for st in pol["PolicyDocument"]["Statement"]:
                acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                out.append((acts, res, st))
        return out

    def test_role_names_trust_and_exports(self):
        """spec 6.1 names; the deploy role needs the grantee account and the external id."""
        t = self.t["role.yml"]
        self.assertTrue(t["Parameters"]["ExternalId"].get("NoEcho"))
        self.assertEqual(t["Parameters"]["ApplicationPrefix"]["Default"], "handoff")
        r = self.role()
        names = {k: r.resource(k)["Properties"]["RoleName"] for k, v in t["Resources"].items()
                 if v["Type"] == "AWS::IAM::Role"}
        self.assertEqual(sorted(names.values()), sorted([
            "handoff-FargateDeployRole-for-210987654321", "handoff-TaskExecutionRole",
            "handoff-TaskRole", "handoff-CloudWatchEventECSRole"]))
        exports = {r.eval(o["Export"]["Name"]): o["Value"] for o in t["Outputs"].values()
                   if "Export" in o}
        self.assertEqual(exports, {
            "handoff-FargateDeployRoleArn": {"Fn::GetAtt": ["FargateDeployRole", "Arn"]},
            "handoff-TaskExecutionRoleArn": {"Fn::GetAtt": ["TaskExecutionRole", "Arn"]},
            "handoff-TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]}})
        (trust,) = r.resource("FargateDeployRole")["Properties"]["AssumeRolePolicyDocument"][
            "Statement"]
        self.assertEqual(trust["Principal"], {"AWS": ["arn:aws:iam::210987654321:root"]})
        self.assertEqual(trust["Condition"], {"StringEquals": {"sts:ExternalId": "xid"}})
        events = r.resource("CloudWatchEventECSRole")["Properties"]["AssumeRolePolicyDocument"]
        (st,) = events["Statement"]
        self.assertEqual(sorted(st["Principal"]["Service"]),
                         ["events.amazonaws.com", "states.amazonaws.com"])

    def test_deploy_role_is_scoped_to_handoff_resources(self):
        """Every service the cloud commands use is allowed, only on handoff* names."""
        # Actions AWS accepts only on "*" (no resource-level permissions).
        star_ok = {"cloudformation:ValidateTemplate", "cloudformation:ListExports",
                   "cloudformation:ListStacks", "ecr:GetAuthorizationToken",
                   "ecs:CreateCluster", "ecs:ListTasks", "ecs:RegisterTaskDefinition",
                   "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition",
                   "ecs:ListTaskDefinitions", "ecs:ListClusters", "iam:ListRoles",
                   "ssm:DescribeParameters", "states:ListStateMachines"}
        # Services whose resource names carry no handoff prefix: account-scoped.
        account_scoped = {"ec2", "ecr"}
        seen = set()
        for acts, res, _ in self.statements("FargateDeployRole", ApplicationPrefix="pfx"):
            for a in acts:
                seen.add(a.split(":")[0])
                self.assertNotIn("*", a, "wildcard action %s" % a)
            for rs in res:
                with self.subTest(actions=acts, resource=rs):
                    if rs == "*":
                        self.assertTrue(set(acts) <= star_ok or all(
                            a.split(":")[1].startswith("Describe") for a in acts), acts)
                    elif rs.startswith("arn:aws:ec2:") or rs.startswith("arn:aws:ecr:"):
                        self.assertIn(":%s:" % ACCOUNT, rs)
                        self.assertTrue({a.split(":")[0] for a in acts} <= account_scoped)
                    elif "StepFunctionsGetEventsForECSTaskRule" not in rs and \
                            not rs.endswith(":log-group:*") and not rs.endswith(":rule/*"):
                        self.assertIn("pfx", rs)
        self.assertTrue({"cloudformation", "ec2", "ecr", "ecs", "events", "iam", "logs", "s3",
                         "ssm", "sts", "states"} <= seen, seen)
        by_action = {a: res for acts, res, _ in self.statements("FargateDeployRole")
                     for a in acts}
        self.assertEqual(by_action["s3:PutObject"], ["arn:aws:s3:::*handoff*"])
        self.assertEqual(by_action["ssm:PutParameter"],
                         ["arn:aws:ssm:*:%s:parameter/handoff*" % ACCOUNT])
        self.assertEqual(by_action["iam:PassRole"], ["arn:aws:iam::%s:role/handoff-*" % ACCOUNT])

    def test_task_role_reaches_only_handoff_buckets_and_parameters(self):
        """No "*" resource, only s3:/ssm: actions, nothing broader."""
        stmts = self.statements("TaskRole")
        services = set()
        for acts, res, st in stmts:
            self.assertEqual(st["Effect"], "Allow")
            for a in acts:
                services.add(a.split(":")[0])
                self.assertNotIn("*", a)
            for rs in res:
                self.assertNotEqual(rs, "*")
                self.assertIn(rs, ("arn:aws:s3:::*handoff*",
                                   "arn:aws:ssm:*:%s:parameter/handoff*" % ACCOUNT))
        self.assertEqual(services, {"s3", "ssm"})

    def test_events_role_runs_tasks_and_state_machines(self):
        by_action = {}
        for acts, res, st in self.statements("CloudWatchEventECSRole"):
            for a in acts:
                by_action[a] = (res, st)
        self.assertEqual(by_action["ecs:RunTask"][0],
                         ["arn:aws:ecs:*:%s:task-definition/handoff-*:*" % ACCOUNT])
        res, st = by_action["iam:PassRole"]
        self.assertEqual(st["Condition"],
                         {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
        self.assertEqual(by_action["states:StartExecution"][0],
                         ["arn:aws:states:*:%s:stateMachine:handoff-*" % ACCOUNT])
        for a in ("events:PutRule", "events:PutTargets", "logs:CreateLogDelivery"):
            self.assertIn(a, by_action)

    # --- resources.yml
    def test_resources_names_and_network_choices(self):
        t = self.t["resources.yml"]
        self.assertEqual(t["Parameters"]["UseDefaultVpc"]["AllowedValues"], ["true", "false"])
        stack = "handoff-dev-etl-resources"
        new = Renderer(t, {"ResourceGroup": "dev-etl", "UseDefaultVpc": "false"}, stack)
        self.assertTrue(new.condition("CreateVpc"))
        self.assertFalse(new.condition("UseExistingVpc"))
        self.assertEqual(new.resource("Vpc")["Properties"]["CidrBlock"], "10.0.0.0/16")
        azs = [new.resource(s)["Properties"]["AvailabilityZone"] for s in ("Subnet1", "Subnet2")]
        self.assertEqual(len(set(azs)), 2)
        for s in ("Subnet1", "Subnet2"):
            self.assertTrue(new.resource(s)["Properties"]["MapPublicIpOnLaunch"])
        self.assertEqual(new.resource("PublicRoute")["Properties"]["GatewayId"],
                         "<Ref:InternetGateway>")
        self.assertEqual(new.resource("Cluster")["Properties"]["ClusterName"], stack)
        sg = new.resource("SecurityGroup")["Properties"]
        self.assertEqual(sg["GroupName"], stack)
        self.assertNotIn("SecurityGroupIngress", sg)
        self.assertEqual(new.eval(t["Outputs"]["SubnetIds"]["Value"]),
                         "<Ref:Subnet1>,<Ref:Subnet2>")

        old = Renderer(t, {"ResourceGroup": "dev-etl", "UseDefaultVpc": "true",
                           "VpcId": "vpc-1", "SubnetIds": "subnet-a,subnet-b"}, stack)
        self.assertFalse(old.condition("CreateVpc"))
        self.assertEqual(old.resource("SecurityGroup")["Properties"]["VpcId"], "vpc-1")
        self.assertEqual(old.eval(t["Outputs"]["SubnetIds"]["Value"]), "subnet-a,subnet-b")
        self.assertEqual(old.failed_rules(), [])
        bad = Renderer(t, {"ResourceGroup": "dev-etl", "UseDefaultVpc": "true"}, stack)
        self.assertEqual(bad.failed_rules(), ["ExistingNetworkIsNamed"])
        every = [k for k, v in t["Resources"].items() if v.get("Condition") == "CreateVpc"]
        self.assertEqual(sorted(every), sorted(k for k in t["Resources"] if k not in (
            "SecurityGroup", "Cluster", "BuilderLogGroup")))
        for key in ("ClusterName", "ClusterArn", "SubnetIds", "SecurityGroupId"):
            self.assertIn(key, t["Outputs"])

    # --- task.yml
    def task(self, **params):
        p = {"ResourceGroup": "dev-etl", "TaskName": "wc", "Bucket": "handoff-dev-etl-f0cc306f",
             "ImageUri": "%s.dkr.ecr.%s.amazonaws.com/etl:0.1" % (ACCOUNT, REGION),
             "ImageName": "etl"}
        p.update(params)
        return Renderer(self.t["task.yml"], p, "handoff-dev-etl-wc")

    def test_task_sizes_reach_task_and_container(self):
        """issue 5 / moto fact: task-level Cpu/Memory/EphemeralStorage AND container cpu/memory."""
        params = self.t["task.yml"]["Parameters"]
        self.assertEqual(params["Cpu"]["AllowedValues"], [256, 512, 1024, 2048, 4096])
        # Number parameters: CloudFormation passes them on as text, moto as numbers.
        for k in ("Cpu", "Memory", "EphemeralStorage"):
            self.assertEqual(params[k]["Type"], "Number", k)
        self.assertEqual((params["Memory"]["MinValue"], params["Memory"]["MaxValue"]),
                         (512, 30720))
        self.assertEqual((params["EphemeralStorage"]["MinValue"],
                          params["EphemeralStorage"]["MaxValue"]), (21, 200))

        def sizes(r):
            td = r.resource("TaskDefinition")["Properties"]
            (c,) = td["ContainerDefinitions"]
            return tuple(str(v) for v in (td["Cpu"], td["Memory"],
                                          td["EphemeralStorage"]["SizeInGiB"],
                                          c["Cpu"], c["Memory"]))
        self.assertEqual(sizes(self.task(Cpu="1024", Memory="4096", EphemeralStorage="50")),
                         ("1024", "4096", "50", "1024", "4096"))
        self.assertEqual(sizes(self.task()), ("256", "512", "21", "256", "512"))

    def test_task_rules_take_only_fargate_cpu_memory_pairs(self):
        for cpu, mem in (("256", "512"), ("256", "2048"), ("512", "4096"), ("1024", "8192"),
                         ("2048", "16384"), ("4096", "30720")):
            self.assertEqual(self.task(Cpu=cpu, Memory=mem).failed_rules(), [], (cpu, mem))
        for cpu, mem in (("256", "4096"), ("512", "512"), ("1024", "1024"), ("2048", "2048"),
                         ("4096", "4096"), ("4096", "31744"), ("1024", "2500")):
            self.assertEqual(self.task(Cpu=cpu, Memory=mem).failed_rules(),
                             ["Memory%s" % cpu], (cpu, mem))

    def test_task_names_roles_env_and_logs(self):
        """spec 6.1 names; roles from role.yml's exports; the container's environment."""
        r = self.task()
        td = r.resource("TaskDefinition")["Properties"]
        self.assertEqual(td["Family"], "handoff-dev-etl-wc")
        self.assertEqual(td["RequiresCompatibilities"], ["FARGATE"])
        self.assertEqual(td["NetworkMode"], "awsvpc")
        self.assertEqual(td["ExecutionRoleArn"], "<import:handoff-TaskExecutionRoleArn>")
        self.assertEqual(td["TaskRoleArn"], "<import:handoff-TaskRoleArn>")
        (c,) = td["ContainerDefinitions"]
        self.assertEqual(c["Name"], "etl")
        self.assertEqual(c["Image"], r.params["ImageUri"])
        env = {e["Name"]: e["Value"] for e in c["Environment"]}
        self.assertEqual(env, {"HO_RESOURCE_GROUP": "dev-etl", "HO_TASK": "wc",
                               "HO_BUCKET": "handoff-dev-etl-f0cc306f",
                               "HO_CONTAINER_IMAGE": "etl", "HO_STORE": "aws",
                               "AWS_REGION": REGION})
        self.assertEqual(c["LogConfiguration"], {"LogDriver": "awslogs", "Options": {
            "awslogs-group": "<Ref:LogGroup>", "awslogs-region": REGION,
            "awslogs-stream-prefix": "handoff/dev-etl/wc"}})
        self.assertEqual(r.resource("LogGroup")["Properties"]["LogGroupName"],
                         "handoff/dev-etl/wc")
        t = self.t["task.yml"]
        names = {}
        for k, v in t["Resources"].items():
            if v["Type"] == "AWS::Logs::MetricFilter":
                p = r.resource(k)["Properties"]
                self.assertEqual(p["LogGroupName"], "<Ref:LogGroup>")
                (mt,) = p["MetricTransformations"]
                self.assertEqual((mt["MetricNamespace"], mt["MetricValue"]),
                                 ("handoff-dev-etl", "1"))
                names[mt["MetricName"]] = p["FilterName"]
        self.assertEqual(sorted(names), ["handoff-dev-etl-wc-" + k
                                         for k in ("ended", "error", "started", "timeout")])


class MetricFilterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.filters = rendered_filters()
        cls.samples = read_samples()

    def classify(self, filters, rows):
        """[(line, kind, matched filter kinds)] where a filter disagrees with the label."""
        wrong = []
        for kind, line in rows:
            got = sorted(k for k, p in filters.items() if FilterPattern(p).matches(line))
            want = [kind] if kind in filters else []
            if got != want:
                wrong.append((line, kind, got))
        return wrong

    def test_matcher_follows_cloudwatch_syntax(self):
        line = '[x] [ WARNING] - Timeout: task "a b" reached'
        self.assertTrue(FilterPattern('"Timeout: task"').matches(line))
        self.assertFalse(FilterPattern('"timeout: task"').matches(line))  # case-sensitive
        self.assertTrue(FilterPattern("WARNING reached").matches(line))   # AND
        self.assertFalse(FilterPattern("WARNING missing").matches(line))
        self.assertTrue(FilterPattern('?missing ?"a b"').matches(line))  # OR
        self.assertFalse(FilterPattern('?missing ?absent').matches(line))
        self.assertFalse(FilterPattern("WARNING -reached").matches(line))  # exclusion
        self.assertTrue(FilterPattern(r'"task \"a b\""').matches(line))
        self.assertTrue(FilterPattern("").matches(line))
        for bad in ('{ $.level = "x" }', "[ip, user]", "%Time.ut%", '"open', '?a b'):
            with self.assertRaises(ValueError, msg=bad):
                FilterPattern(bad)

    def test_filters_are_the_engine_phrases(self):
        self.assertEqual(self.filters, {
            "error": '"ended with exit code"', "started": '"Job started at"',
            "ended": '"Job ended at"', "timeout": '"[ WARNING] - Timeout:"'})

    def test_samples_have_every_kind_from_every_scenario(self):
        kinds = [k for k, _ in self.samples]
        for k in KINDS:
            self.assertIn(k, kinds)
        for k, line in self.samples:
            self.assertEqual(k, label(line), "stale label in sample_logs.txt: %s" % line)
        timeouts = [line for k, line in self.samples if k == "timeout"]
        for what in ("process ", "task ", "the run "):
            self.assertTrue(any("Timeout: " + what in l for l in timeouts), what)
        self.assertEqual(kinds.count("started"), len(SCENARIOS))
        self.assertEqual(kinds.count("ended"), len(SCENARIOS))
        self.assertEqual(kinds.count("error"), len(SCENARIOS) - 1)  # all but the success run

    def test_each_filter_matches_exactly_its_lines(self):
        """error only failure lines, timeout only timeout warnings; none a success line."""
        self.assertEqual(self.classify(self.filters, self.samples), [])
        for kind, line in self.samples:
            if kind in ("success", "other"):
                for k, p in self.filters.items():
                    self.assertFalse(FilterPattern(p).matches(line), (k, line))

    def test_broader_patterns_are_caught_by_the_samples(self):
        """The samples are strong enough: the original's patterns and looser ones fail."""
        looser = {
            "error": ['?"ended with exit code 1" ?"exited with code 1" ?"CRITICAL" '
                      '?"Traceback (most recent call last)"',  # the original's (spec 8.4)
                      '"exited with code"', "ERROR", '"exit code"'],
            "timeout": ["Timeout", '"Timeout:"', '"WARNING Timeout"', "WARNING"],
            "started": ['"started"'],
            "ended": ['"ended"', '"ended at"'],
        }
        for kind, patterns in looser.items():
            for p in patterns:
                with self.subTest(kind=kind, pattern=p):
                    filters = dict(self.filters, **{kind: p})
                    self.assertNotEqual(self.classify(filters, self.samples), [],
                                        "%s pattern %s passed: the samples are too weak"
                                        % (kind, p))

    def test_live_engine_lines_match_committed_samples(self):
        """The committed samples are what today's engine logs (wording drift fails here)."""
        binary = find_binary()
        if not binary:
            self.skipTest("no built handoff (set HANDOFF_BIN or build build/handoff)")
        rows = capture(binary)
        live = [(label(line), line) for _, line in rows]
        self.assertEqual(self.classify(self.filters, live), [])

        def shape(rows):
            return sorted((k, re.sub(r"\d+", "0", l)) for k, l in rows)
        self.assertEqual(shape(live), shape(self.samples),
                         "the engine's lines changed: run test_templates.py --capture")


# ----- moto_server --------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoStackTest(unittest.TestCase):
    """The four stacks on moto_server, in dependency order, checked with awscli.

    moto (5.2) cannot show: metric filters (skipped), task-level Cpu,
    EphemeralStorage, network mode and role ARNs of a task definition (dropped),
    IAM policy effects, parameter and rule validation, per-resource failure
    events; it does not delete ECS clusters or task definitions with their stack,
    cannot delete a VPCGatewayAttachment, and mangles container definitions on a
    task definition update. Those are proven by TemplateTest, MetricFilterTest
    and cfn-lint instead; the checks below stop where moto stops.
    """

    proc = None
    inprocess = False
    driver = None

    @classmethod
    def setUpClass(cls):
        cls.exe = shutil.which("moto_server")
        cls.aws_exe = shutil.which("aws")
        try:
            import awscli.clidriver  # noqa: F401
            cls.inprocess = True
        except ImportError:
            cls.inprocess = False
        if not cls.exe or not (cls.aws_exe or cls.inprocess):
            return
        cls.tmp = tempfile.mkdtemp(prefix="ho-cloud-moto-")
        cls.port = free_port()
        cls.log = open(os.path.join(cls.tmp, "moto.log"), "w")
        cls.proc = subprocess.Popen([cls.exe, "-H", "127.0.0.1", "-p", str(cls.port)],
                                    stdout=cls.log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy",
                                                                  "all_proxy")}
        env.update({"AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % cls.port,
                    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": REGION,
                    "AWS_CONFIG_FILE": os.path.join(cls.tmp, "none"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.tmp, "none"),
                    "AWS_PAGER": ""})
        cls.env = env
        deadline = time.time() + 30
        while time.time() < deadline:
            if cls.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", cls.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        cls.tearDownClass()
        raise RuntimeError("moto_server did not start; see %s" % cls.log.name)

    @classmethod
    def tearDownClass(cls):
        if cls.proc is not None:
            if cls.proc.poll() is None:
                os.killpg(cls.proc.pid, signal.SIGTERM)
                try:
                    cls.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(cls.proc.pid, signal.SIGKILL)
                    cls.proc.wait()
            cls.proc = None
            cls.log.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if not self.exe:
            missing_peer(self, "moto_server is not installed")
        if not self.aws_exe and not self.inprocess:
            missing_peer(self, "awscli (aws) is not installed")
        # Each test starts from an empty moto (the server itself is per class).
        req = urllib.request.Request("http://127.0.0.1:%d/moto-api/reset" % self.port,
                                     method="POST", data=b"")
        urllib.request.urlopen(req, timeout=30).close()

    def aws(self, *args, check=True):
        """Run awscli; returns an object with returncode, stdout, stderr.

        By default awscli's own driver runs inside this process (the same code
        as the `aws` command, without a new interpreter per call: a loaded
        machine spends seconds per start); HANDOFF_AWSCLI=subprocess runs the
        `aws` executable instead.
        """
        argv = [*args, "--output", "json"]
        t0 = time.time()
        if os.environ.get("HANDOFF_AWSCLI") == "subprocess" or not self.inprocess:
            res = subprocess.run([self.aws_exe, *argv], env=self.env, capture_output=True,
                                 text=True, timeout=120)
        else:
            res = self.aws_inprocess(argv)
        if os.environ.get("HANDOFF_CLOUD_TRACE"):
            sys.stderr.write("%5.2fs aws %s\n" % (time.time() - t0, " ".join(args[:2])))
        if check:
            self.assertEqual(res.returncode, 0, "aws %s:\n%s%s" % (" ".join(args), res.stdout,
                                                                  res.stderr))
        return res

    def aws_inprocess(self, argv):
        from awscli.clidriver import create_clidriver
        saved = dict(os.environ)
        out, err = io.StringIO(), io.StringIO()
        try:
            os.environ.clear()
            os.environ.update(self.env)
            # awscli's package import points botocore at its own data files.
            if "AWS_DATA_PATH" in saved:
                os.environ["AWS_DATA_PATH"] = saved["AWS_DATA_PATH"]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                # One driver for the class: its command table and service
                # models load once; each main() call parses its own argv.
                if MotoStackTest.driver is None:
                    MotoStackTest.driver = create_clidriver()
                rc = MotoStackTest.driver.main(argv)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return subprocess.CompletedProcess(["aws", *argv], rc, out.getvalue(), err.getvalue())

    def aws_json(self, *args):
        out = self.aws(*args).stdout
        return json.loads(out) if out.strip() else {}

    @staticmethod
    def params(**kv):
        """--parameters values; a value None means UsePreviousValue."""
        out = []
        for k, v in kv.items():
            if v is None:
                out.append("ParameterKey=%s,UsePreviousValue=true" % k)
            else:
                # awscli shorthand: quote values that contain commas.
                v = "'%s'" % v if "," in str(v) else v
                out.append("ParameterKey=%s,ParameterValue=%s" % (k, v))
        return ["--parameters", *out]

    def stack(self, verb, name, template, **params):
        """create/update a stack, wait for it, return its description."""
        self.aws("cloudformation", verb + "-stack", "--stack-name", name,
                 "--template-body", "file://" + os.path.join(TEMPLATES, template),
                 "--capabilities", "CAPABILITY_NAMED_IAM", *self.params(**params))
        self.aws("cloudformation", "wait", "stack-%s-complete" % verb, "--stack-name", name)
        (desc,) = self.aws_json("cloudformation", "describe-stacks",
                                "--stack-name", name)["Stacks"]
        self.assertEqual(desc["StackStatus"], verb.upper() + "_COMPLETE", desc)
        return desc, {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}

    def delete(self, name):
        self.aws("cloudformation", "delete-stack", "--stack-name", name)
        self.aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", name)
        live = [s["StackName"] for s in self.aws_json("cloudformation", "describe-stacks")[
            "Stacks"]]
        self.assertNotIn(name, live)

    def test_stacks_create_update_delete(self):
        """issue 5: role, bucket, resources and task stacks on moto, checked with awscli."""
        grantee, rg, task = "210987654321", "dev-etl", "wc"
        bucket = "handoff-%s-f0cc306f" % rg
        image = "%s.dkr.ecr.%s.amazonaws.com/etl:0.1" % (ACCOUNT, REGION)
        task_stack = "handoff-%s-%s" % (rg, task)
        task_params = dict(ResourceGroup=rg, TaskName=task, Bucket=bucket, ImageUri=image,
                           ImageName="etl", Cpu="512", Memory="2048", EphemeralStorage="30",
                           LogRetentionDays="30")

        # The task stack imports the role stack's exports: out of order it fails.
        # (moto still records that stack, CREATE_IN_PROGRESS: delete it.)
        early = "handoff-%s-early" % rg
        res = self.aws("cloudformation", "create-stack", "--stack-name", early,
                       "--template-body", "file://" + os.path.join(TEMPLATES, "task.yml"),
                       *self.params(**task_params), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("No export named handoff-TaskExecutionRoleArn", res.stderr)
        self.delete(early)

        # 1. role
        role_stack = "handoff-role-" + grantee
        _, out = self.stack("create", role_stack, "role.yml", GranteeAccountId=grantee,
                            ExternalId="ext-id-1")
        self.assertEqual(out["TaskRoleArn"], "arn:aws:iam::%s:role/handoff-TaskRole" % ACCOUNT)
        exports = {e["Name"]: e["Value"] for e in self.aws_json(
            "cloudformation", "list-exports")["Exports"]}
        self.assertEqual(exports, {
            "handoff-FargateDeployRoleArn":
                "arn:aws:iam::%s:role/handoff-FargateDeployRole-for-%s" % (ACCOUNT, grantee),
            "handoff-TaskExecutionRoleArn":
                "arn:aws:iam::%s:role/handoff-TaskExecutionRole" % ACCOUNT,
            "handoff-TaskRoleArn": "arn:aws:iam::%s:role/handoff-TaskRole" % ACCOUNT})
        trust = self.aws_json("iam", "get-role", "--role-name",
                              "handoff-FargateDeployRole-for-" + grantee)["Role"][
            "AssumeRolePolicyDocument"]
        self.assertIn("ext-id-1", json.dumps(trust))
        self.aws("iam", "get-role", "--role-name", "handoff-CloudWatchEventECSRole")

        # 2. bucket
        _, out = self.stack("create", "handoff-%s-bucket" % rg, "bucket.yml", Bucket=bucket)
        self.assertEqual(out["BucketName"], bucket)
        self.aws("s3api", "head-bucket", "--bucket", bucket)
        enc = self.aws_json("s3api", "get-bucket-encryption", "--bucket", bucket)
        self.assertIn("AES256", json.dumps(enc))
        # (moto ignores PublicAccessBlockConfiguration in a template: TemplateTest.)

        # 3. resources, in the default VPC's subnets
        vpc = self.aws_json("ec2", "describe-vpcs", "--filters",
                            "Name=is-default,Values=true")["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in self.aws_json(
            "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values=" + vpc)["Subnets"]]
        self.assertTrue(subnets)
        res_stack = "handoff-%s-resources" % rg
        vpcs_before = len(self.aws_json("ec2", "describe-vpcs")["Vpcs"])
        _, out = self.stack("create", res_stack, "resources.yml", ResourceGroup=rg,
                            UseDefaultVpc="true", VpcId=vpc, SubnetIds=",".join(subnets))
        out_res = out
        self.assertEqual(out["ClusterName"], res_stack)
        self.assertEqual(out["SubnetIds"].split(","), subnets)
        self.assertEqual(out["VpcId"], vpc)
        self.assertEqual(len(self.aws_json("ec2", "describe-vpcs")["Vpcs"]), vpcs_before,
                         "UseDefaultVpc=true must not create a VPC")
        (cluster,) = self.aws_json("ecs", "describe-clusters", "--clusters", res_stack)["clusters"]
        self.assertEqual((cluster["clusterName"], cluster["status"]), (res_stack, "ACTIVE"))
        self.assertEqual(out["ClusterArn"], cluster["clusterArn"])
        (sg,) = self.aws_json("ec2", "describe-security-groups", "--group-ids",
                              out["SecurityGroupId"])["SecurityGroups"]
        self.assertEqual((sg["GroupName"], sg["VpcId"], sg["IpPermissions"]), (res_stack, vpc, []))

        # 4. task
        _, out = self.stack("create", task_stack, "task.yml", **task_params)
        self.assertTrue(out["TaskDefinitionArn"].endswith(":task-definition/%s:1" % task_stack))
        td = self.aws_json("ecs", "describe-task-definition", "--task-definition",
                           task_stack)["taskDefinition"]
        self.assertEqual(td["family"], task_stack)
        (c,) = td["containerDefinitions"]
        self.assertEqual((c["name"], c["image"], c["cpu"], c["memory"]), ("etl", image, 512, 2048))
        self.assertEqual(c["logConfiguration"]["options"]["awslogs-group"], "handoff/dev-etl/wc")
        groups = {g["logGroupName"]: g for g in self.aws_json(
            "logs", "describe-log-groups", "--log-group-name-prefix", "handoff/")["logGroups"]}
        self.assertEqual(groups["handoff/dev-etl/wc"]["retentionInDays"], 30)

        # The task definition is runnable as `cloud run` will run it: Fargate in
        # the resources stack's subnets and security group (moto's RunTask needs
        # the container-level cpu/memory and the security group), overrides by
        # container name.
        net = {"awsvpcConfiguration": {"subnets": out_res["SubnetIds"].split(","),
                                       "securityGroups": [out_res["SecurityGroupId"]],
                                       "assignPublicIp": "ENABLED"}}
        overrides = {"containerOverrides": [{"name": out["ContainerName"], "environment": [
            {"name": "__VARS", "value": "day=1"}]}]}
        (run,) = self.aws_json("ecs", "run-task", "--cluster", res_stack, "--launch-type",
                               "FARGATE", "--task-definition", out["TaskDefinitionArn"],
                               "--network-configuration", json.dumps(net),
                               "--overrides", json.dumps(overrides))["tasks"]
        self.assertEqual(run["taskDefinitionArn"], out["TaskDefinitionArn"])
        self.assertEqual(run["overrides"]["containerOverrides"][0]["name"], "etl")
        self.aws("ecs", "stop-task", "--cluster", res_stack, "--task", run["taskArn"])

        # Update: a new image version and size registers a new revision and
        # retires the old one. (moto loses the container fields on update.)
        _, out = self.stack("update", task_stack, "task.yml", ResourceGroup=None, TaskName=None,
                            Bucket=None, ImageName=None, ImageUri=image.replace("0.1", "0.2"),
                            Cpu="1024", Memory="4096")
        self.assertTrue(out["TaskDefinitionArn"].endswith(":task-definition/%s:2" % task_stack))
        old = self.aws_json("ecs", "describe-task-definition", "--task-definition",
                            task_stack + ":1")["taskDefinition"]
        self.assertEqual(old["status"], "INACTIVE")

        # Delete in reverse order; every stack is gone, and so is what moto
        # deletes with it. The bucket is retained by its DeletionPolicy.
        self.delete(task_stack)
        groups = self.aws_json("logs", "describe-log-groups", "--log-group-name-prefix",
                               "handoff/dev-etl/wc")["logGroups"]
        self.assertEqual(groups, [])
        self.delete(res_stack)
        sgs = self.aws_json("ec2", "describe-security-groups", "--filters",
                            "Name=group-name,Values=" + res_stack)["SecurityGroups"]
        self.assertEqual(sgs, [])
        self.delete("handoff-%s-bucket" % rg)
        self.aws("s3api", "head-bucket", "--bucket", bucket)  # retained
        self.aws("s3api", "delete-bucket", "--bucket", bucket)
        self.assertNotEqual(self.aws("s3api", "head-bucket", "--bucket", bucket,
                                     check=False).returncode, 0)
        self.delete(role_stack)
        roles = [r["RoleName"] for r in self.aws_json("iam", "list-roles")["Roles"]]
        self.assertEqual([r for r in roles if r.startswith("handoff-")], [])
        self.assertEqual(self.aws_json("cloudformation", "list-exports")["Exports"], [])

    def test_resources_with_a_new_vpc(self):
        """UseDefaultVpc=false: a VPC 10.0.0.0/16, two public subnets in two AZs, IGW, routes."""
        rg = "dev-new"
        name = "handoff-%s-resources" % rg
        _, out = self.stack("create", name, "resources.yml", ResourceGroup=rg)
        vpc = self.aws_json("ec2", "describe-vpcs", "--vpc-ids", out["VpcId"])["Vpcs"][0]
        self.assertEqual(vpc["CidrBlock"], "10.0.0.0/16")
        subnets = self.aws_json("ec2", "describe-subnets", "--subnet-ids",
                                *out["SubnetIds"].split(","))["Subnets"]
        self.assertEqual(sorted(s["CidrBlock"] for s in subnets), ["10.0.0.0/24", "10.0.1.0/24"])
        self.assertEqual(len({s["AvailabilityZone"] for s in subnets}), 2)
        # (moto ignores MapPublicIpOnLaunch in a template: TemplateTest.)
        igws = self.aws_json("ec2", "describe-internet-gateways", "--filters",
                             "Name=attachment.vpc-id,Values=" + out["VpcId"])["InternetGateways"]
        self.assertEqual(len(igws), 1)
        routes = self.aws_json("ec2", "describe-route-tables", "--filters",
                               "Name=vpc-id,Values=" + out["VpcId"])["RouteTables"]
        self.assertIn(igws[0]["InternetGatewayId"],
                      [r.get("GatewayId") for t in routes for r in t["Routes"]])
        (sg,) = self.aws_json("ec2", "describe-security-groups", "--group-ids",
                              out["SecurityGroupId"])["SecurityGroups"]
        self.assertEqual((sg["GroupName"], sg["VpcId"]), (name, out["VpcId"]))
        # No delete here: moto cannot delete an AWS::EC2::VPCGatewayAttachment
        # or an AWS::EC2::Route, so DeleteStack fails with DependencyViolation
        # on the VPC (and manual detaching leaves a half-deleted stack). The
        # delete path is covered by test_stacks_create_update_delete.


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--capture", action="store_true",
                    help="regenerate sample_logs.txt from the built binary")
    ap.add_argument("--bin", help="handoff binary (default $HANDOFF_BIN or build/handoff)")
    args, rest = ap.parse_known_args()
    if args.capture:
        binary = os.path.abspath(args.bin) if args.bin else find_binary()
        if not binary:
            sys.exit("no handoff binary: pass --bin or set HANDOFF_BIN")
        write_samples(capture(binary), os.path.abspath(binary))
        print("wrote %s" % SAMPLES)
        return
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
