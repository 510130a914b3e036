"""issue 7 point 2 (run history) and the report command of point 3: `handoff runs list|show|report`,
`run local --report`, local records and pushed runs (--remote) in the embedded store and in moto."""
import json
import os
import re
import unittest

import moto as moto_helpers
from harness import HandoffTestCase

RG = "hist-rg"
TASK = "hist"
BUCKET = "hist-bucket"
IDENT = ["-e", "resource_group=" + RG, "task=" + TASK]

# A pipeline of three stages, a fork of two branches and a foreach of three
# iterations: 3 + (1 + 1 + 1) + (1 + 3) = 10 processes.
PROJECT = {"tasks": [
    {"name": "extract", "pipeline": [
        {"command": "seq 1 200"}, {"command": "grep -v 7"}, {"command": "wc -l"}]},
    {"name": "split", "pipeline": [
        {"command": "echo 'a<b & \"c\"'"},
        {"fork": [
            {"name": "left", "pipeline": [{"command": "cat"}]},
            {"name": "right", "pipeline": [{"command": "tr a-z A-Z"}]}]}]},
    {"name": "each", "pipeline": [
        {"command": "seq 1 3"},
        {"foreach": [{"name": "item", "commands": [{"command": "echo item {{ _line }}"}]}]}]}]}
PROCESSES = 10


def no_aws_env(tc):
    """No credentials, config or store anywhere: history must not need any."""
    home = os.path.join(tc.tmp, "home")
    os.makedirs(home, exist_ok=True)
    env = {k: None for k in os.environ if k.startswith("AWS_") or k.startswith("HO_")}
    env.update({"HOME": home, "STACK_NAME": None, "S3_BUCKET_NAME": None,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.path.join(home, "none"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none")})
    return env


class LocalHistory(HandoffTestCase):
    def setUp(self):
        super().setUp()
        self.project = self.write_project(PROJECT)
        self.noaws = no_aws_env(self)

    def ho(self, *args, **kw):
        return self.handoff(*args, env=self.noaws, **kw)

    def make_runs(self, n):
        for _ in range(n):
            self.assertExit(self.run_local(self.project, env=self.noaws), 0)
        return [os.path.basename(p)[:-5] for p in self.run_records()]

    def test_list_json_and_text(self):
        """issue 7 point 2: runs list (and --json, --limit) reads WORKSPACE/.handoff/runs, oldest first, without any AWS setting."""
        ids = self.make_runs(2)
        self.assertEqual(len(ids), 2)
        res = self.ho("runs", "list", "-w", self.ws, "--json")
        self.assertExit(res, 0)
        runs = json.loads(res.stdout)
        self.assertEqual([r["id"] for r in runs], ids, res.describe())
        for r in runs:
            self.assertEqual(r["stage"], "dev")
            self.assertEqual(r["exit_code"], 0)
            self.assertEqual(r["processes"], PROCESSES)
            self.assertEqual(r["failed"], 0)
            self.assertGreater(r["duration_s"], 0)
            self.assertRegex(r["start"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")
            self.assertGreater(r["bytes"]["log"], 0)
            self.assertIsNone(r["archive"])
        res = self.ho("runs", "list", "-w", self.ws)
        self.assertExit(res, 0)
        lines = res.stdout.splitlines()
        self.assertTrue(lines[0].startswith("ID "), res.describe())
        self.assertEqual([l.split()[0] for l in lines[1:]], ids, res.describe())
        res = self.ho("runs", "list", "-w", self.ws, "--json", "--limit", "1")
        self.assertEqual([r["id"] for r in json.loads(res.stdout)], ids[-1:], res.describe())

    def test_show_by_prefix_last_and_json(self):
        """issue 7 point 2: runs show ID takes a unique prefix or `last`; --json holds the engine's process records and outcomes."""
        ids = self.make_runs(2)
        with open(self.run_records()[-1]) as f:
            record = json.load(f)
        res = self.ho("runs", "show", "last", "-w", self.ws, "--json")
        self.assertExit(res, 0)
        shown = json.loads(res.stdout)
        self.assertEqual(shown["id"], ids[-1])
        self.assertEqual([p["pid"] for p in shown["processes"]], [p["pid"] for p in record["processes"]])
        self.assertEqual([p["command"] for p in shown["processes"]], [p["command"] for p in record["processes"]])
        self.assertEqual({p["outcome"] for p in shown["processes"]}, {"ok"})
        self.assertEqual(shown["tasks"], record["tasks"])
        self.assertEqual(shown["start"], record["start"])
        self.assertEqual(shown["artifacts"], [])
        # A unique prefix: the whole id but its last character.
        res = self.ho("runs", "show", ids[0][:-1], "-w", self.ws)
        self.assertExit(res, 0)
        self.assertIn_("run " + ids[0], res.stdout, res, "stdout")
        self.assertIn_("processes (%d):" % PROCESSES, res.stdout, res, "stdout")
        self.assertIn_("tr a-z A-Z", res.stdout, res, "stdout")

    def test_failed_run_is_shown_failed(self):
        """issue 7 point 2: exit codes and failed processes are in the history."""
        project = self.write_project({"tasks": [{"name": "bad", "commands": [{"command": "sh -c 'exit 3'"}]}]},
                                     name="bad")
        self.assertExit(self.run_local(project, env=self.noaws), 1)
        res = self.ho("runs", "show", "last", "-w", self.ws, "--json")
        self.assertExit(res, 0)
        shown = json.loads(res.stdout)
        self.assertEqual(shown["exit_code"], 1)
        self.assertEqual(shown["processes"][0]["exit_code"], 3)
        self.assertEqual(shown["processes"][0]["outcome"], "failed")

    def test_unknown_id_names_the_nearest(self):
        """issue 7 point 2: an unknown id is a clear error listing the nearest ids."""
        ids = self.make_runs(1)
        res = self.ho("runs", "show", "19990101T000000", "-w", self.ws)
        self.assertCleanError(res, 2, "no run with id '19990101T000000'", "nearest ids: " + ids[0])

    def test_no_runs_yet_says_how_to_make_one(self):
        """issue 7 point 2: no runs yet: say how to make one."""
        res = self.ho("runs", "show", "last", "-w", self.ws)
        self.assertCleanError(res, 1, "no runs yet", "handoff run local")
        res = self.ho("runs", "list", "-w", self.ws)
        self.assertExit(res, 0)
        self.assertEqual(res.stdout, "")
        self.assertStderrHas(res, "No runs yet", "handoff run local")
        res = self.ho("runs", "list", "-w", self.ws, "--json")
        self.assertEqual(json.loads(res.stdout), [], res.describe())

    def test_report_command_and_run_report(self):
        """issue 7 point 3: runs report ID -o FILE and run local --report FILE write the page with one bar per process."""
        out = os.path.join(self.tmp, "reports", "run.html")
        res = self.run_local(self.project, "--report", out, env=self.noaws)
        self.assertExit(res, 0)
        with open(out) as f:
            html = f.read()
        self.assertEqual(len(re.findall(r'data-process="\d+"', html)), PROCESSES)
        self.assertNotIn("://", html)
        self.assertIn("a&lt;b &amp; &quot;c&quot;", html)
        self.assertNotIn('a<b & "c"', html)
        ids = self.make_runs(1)
        out2 = os.path.join(self.tmp, "second.html")
        res = self.ho("runs", "report", ids[-1][:-1], "-w", self.ws, "-o", out2)
        self.assertExit(res, 0)
        self.assertEqual(res.stdout.strip(), out2)
        with open(out2) as f:
            html = f.read()
        self.assertIn(ids[-1], html)
        self.assertEqual(len(re.findall(r'data-run="[^"]+"', html)), 2, "both runs in the durations chart")
        # Without -o: under the workspace.
        res = self.ho("runs", "report", "last", "-w", self.ws)
        self.assertExit(res, 0)
        self.assertEqual(res.stdout.strip(), self.ws_path(".handoff", "reports", ids[-1] + ".html"))
        self.assertTrue(os.path.isfile(res.stdout.strip()))
        # run local --report without a file: the default place, named in the log.
        res = self.run_local(self.project, "--report", env=self.noaws)
        self.assertExit(res, 0)
        last = os.path.basename(self.run_records()[-1])[:-5]
        self.assertStderrHas(res, "Report of run " + last, self.ws_path(".handoff", "reports", last + ".html"))


class RemoteHistoryLocalStore(HandoffTestCase):
    """Pushed runs in the embedded store (HO_STORE_DIR)."""

    def env_store(self):
        env = no_aws_env(self)
        env.update({"HO_STORE": "local", "HO_STORE_DIR": os.path.join(self.tmp, "store"),
                    "XDG_CONFIG_HOME": os.path.join(self.tmp, "xdg"), "HO_BUCKET": BUCKET})
        return env

    def test_pushed_runs_are_listed_with_their_artifacts(self):
        """issue 7 point 2: runs list/show --remote read the archives' _handoff_run.json, with the artifacts pushed; cached in WORKSPACE/.handoff."""
        env = self.env_store()
        project = self.write_project(PROJECT)
        for _ in range(2):
            self.assertExit(self.run_local(project, "-a", *IDENT, env=env), 0)
        local_ids = [os.path.basename(p)[:-5] for p in self.run_records()]
        res = self.handoff("runs", "list", "--remote", "-w", self.ws, *IDENT, "--json", env=env)
        self.assertExit(res, 0)
        runs = json.loads(res.stdout)
        self.assertEqual([r["id"] for r in runs], local_ids, res.describe())
        archives = sorted(os.listdir(os.path.join(self.tmp, "store", "objects", BUCKET, TASK, "artifacts", "archives")))
        self.assertEqual([r["archive"] for r in runs], archives)
        logs = sorted(f for f in os.listdir(self.ws_path("artifacts")))
        self.assertEqual(runs[-1]["artifacts"], len(logs))
        self.assertTrue(os.path.isfile(self.ws_path(".handoff", "history.sqlite")))
        res = self.handoff("runs", "show", "last", "--remote", "-w", self.ws, *IDENT, "--json", env=env)
        self.assertExit(res, 0)
        shown = json.loads(res.stdout)
        self.assertEqual(shown["id"], local_ids[-1])
        self.assertEqual(len(shown["processes"]), PROCESSES)
        self.assertEqual(sorted(a["key"] for a in shown["artifacts"]), logs)
        self.assertTrue(shown["source"].startswith("s3://%s/%s/artifacts/archives/" % (BUCKET, TASK)))
        # The cache is only a cache: without it the same answer.
        os.remove(self.ws_path(".handoff", "history.sqlite"))
        res2 = self.handoff("runs", "list", "--remote", "-w", self.ws, *IDENT, "--json", env=env)
        self.assertEqual(json.loads(res2.stdout), runs, res2.describe())
        res = self.handoff("runs", "report", "last", "--remote", "-w", self.ws, *IDENT, env=env)
        self.assertExit(res, 0)
        with open(res.stdout.strip()) as f:
            html = f.read()
        self.assertEqual(len(re.findall(r'data-process="\d+"', html)), PROCESSES)
        self.assertIn("Artifacts pushed (%d)" % len(logs), html)

    def test_no_pushed_runs(self):
        """issue 7 point 2: --remote with no archive says how to push one."""
        res = self.handoff("runs", "show", "last", "--remote", "-w", self.ws, *IDENT, env=self.env_store())
        self.assertCleanError(res, 1, "no runs yet", "run local -a")


class RemoteHistoryMoto(HandoffTestCase):
    """Pushed runs in S3 (moto_server), the archive checked with awscli."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Missing moto_server or awscli: MotoServer skips, or fails when CI is set.
        cls.moto = moto_helpers.MotoServer()
        cls.addClassCleanup(cls.moto.stop)

    def test_pushed_run_in_s3(self):
        """issue 7 point 2: runs list/show --remote --store aws against S3 read the record awscli sees in the archive."""
        self.moto.aws("s3api", "create-bucket", "--bucket", BUCKET)
        env = self.moto.env()
        env.update({"HO_STORE": "aws", "HO_BUCKET": BUCKET, "STACK_NAME": None, "S3_BUCKET_NAME": None,
                    "HO_RESOURCE_GROUP": None, "HO_TASK": None})
        project = self.write_project(PROJECT)
        self.assertExit(self.run_local(project, "-a", *IDENT, env=env), 0)
        run_id = os.path.basename(self.run_records()[-1])[:-5]
        listing = self.moto.aws_json("s3api", "list-objects-v2", "--bucket", BUCKET,
                                     "--prefix", TASK + "/artifacts/archives/")
        records = [o["Key"] for o in listing.get("Contents", []) if o["Key"].endswith("/_handoff_run.json")]
        self.assertEqual(len(records), 1, listing)
        out = os.path.join(self.tmp, "rec.json")
        self.moto.aws("s3api", "get-object", "--bucket", BUCKET, "--key", records[0], out)
        with open(out) as f:
            self.assertEqual(json.load(f)["id"], run_id)
        res = self.handoff("runs", "list", "--remote", "--store", "aws", "-w", self.ws, *IDENT, "--json", env=env)
        self.assertExit(res, 0)
        runs = json.loads(res.stdout)
        self.assertEqual([r["id"] for r in runs], [run_id], res.describe())
        self.assertEqual(runs[0]["source"], "s3://%s/%s" % (BUCKET, records[0]))
        res = self.handoff("runs", "show", run_id[:12], "--remote", "-w", self.ws, *IDENT, env=env)
        self.assertExit(res, 0)
        self.assertIn("artifacts pushed (", res.stdout, res.describe())


if __name__ == "__main__":
    unittest.main()
