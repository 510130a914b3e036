"""issue 3 (engine): foreach, fork, failures inside pipelines, timeouts, signals, redaction, run record."""
import hashlib
import json
import os
import re
import signal
import time
import unittest

from harness import HandoffTestCase, marked_pids, process_cmdline, zombie_children


def seq_bytes(n):
    return "".join("%d\n" % i for i in range(1, n + 1)).encode()


class ForeachEngine(HandoffTestCase):
    def test_foreach_parallel_4(self):
        """issue 3 / e2e: foreach with parallel: 4 over 8 sleeps of 1 s: same results, wall time < 4.5 s (sequential ~8 s), never more than 4 at once."""
        project = {"tasks": [{"name": "loop", "pipeline": [
            {"command": "seq 1 8"},
            {"parallel": 4, "foreach": [{"name": "nap", "commands": [
                {"command": "echo start $(date +%s.%N); sleep 1; echo end $(date +%s.%N); "
                            "echo item {{ _line }}"}]}]}]}]}
        res = self.run_local(self.write_project(project), timeout=30)
        self.assertExit(res, 0)
        self.assertLess(res.elapsed, 4.5, "parallel: 4 must run 4 iterations at once%s"
                        % res.describe())
        spans = []
        for i in range(1, 9):
            lines = self.read_artifact("nap_%d_stdout.log" % i).split("\n")
            self.assertEqual(lines[2], "item %d" % i, res.describe())
            spans.append((float(lines[0].split()[1]), float(lines[1].split()[1])))
        most = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
        self.assertLessEqual(most, 4, "at most 4 iterations at once: %s" % spans)
        self.assertGreaterEqual(most, 3, "iterations must overlap: %s" % spans)

    def test_foreach_parallel_stops_starting_after_failure(self):
        """issue 3 scope 1: parallel + kill_loop_on_fail: running iterations finish, no new one starts."""
        project = {"tasks": [{"name": "loop", "pipeline": [
            {"command": "seq 1 6"},
            {"parallel": 2, "foreach": [{"name": "it", "commands": [
                {"command": "if [ {{ _line }} = 2 ]; then exit 7; fi; sleep 1; echo done {{ _line }}"}
            ]}]}]},
            {"name": "after", "commands": [{"command": "echo after"}]}]}
        res = self.run_local(self.write_project(project), timeout=30)
        self.assertExit(res, 1)
        self.assertArtifact("it_1_stdout.log", "done 1\n", res)
        for i in range(3, 7):
            self.assertFalse(os.path.exists(self.artifact_path("it_%d_stdout.log" % i)),
                             "iteration %d must not start after the failure%s" % (i, res.describe()))
        self.assertFalse(os.path.exists(self.artifact_path("after_stdout.log")), res.describe())
        self.assertNoProcessLeft(res=res)

    def test_foreach_kill_loop_stops_endless_upstream(self):
        """issue 3 scope 1 / spec 10 item 6: a loop-stopping failure also stops the upstream (no hang, no process left)."""
        project = {"tasks": [{"name": "loop", "pipeline": [
            {"command": "sh -c 'echo 1; echo 2; echo 3; exec sleep 300'"},
            {"foreach": [{"name": "it", "commands": [
                {"command": "test {{ _line }} != 2"}]}]}]}]}
        res = self.run_local(self.write_project(project), "--grace", "2", timeout=30)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 6, res.describe())
        self.assertFalse(os.path.exists(self.artifact_path("it_3_stdout.log")), res.describe())
        self.assertNoProcessLeft(res=res)

    def test_foreach_line_safe_and_fork_first_in_branch(self):
        """issue 3 scope 1: _line_safe names; foreach standing first in a fork branch."""
        project = {"tasks": [{"name": "t", "pipeline": [
            {"command": "printf 'a b:c\\nx/y\\nplain\\n'"},
            {"fork": [
                {"name": "per_line", "pipeline": [{"foreach": [{"name": "mk", "commands": [
                    {"command": "echo '{{ _line }}' > 'artifacts/f_{{ _line_safe }}.txt'"}]}]}]},
                {"name": "count", "pipeline": [{"command": "wc -l"}]}]}]}]}
        res = self.run_local(self.write_project(project), timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("f_a_b_c.txt", "a b:c\n", res)
        self.assertArtifact("f_x_y.txt", "x/y\n", res)
        self.assertArtifact("f_plain.txt", "plain\n", res)
        arts = self.list_artifacts()
        for name in ("mk_a_b_c_stdout.log", "mk_x_y_stdout.log", "mk_plain_stdout.log"):
            self.assertIn(name, arts, res.describe())
        self.assertArtifact("count_stdout.log", "3\n", res)

    def test_fork_inside_foreach(self):
        """issue 3 scope 1: control flow nests: a fork inside a foreach sub-task's pipeline."""
        project = {"tasks": [{"name": "t", "pipeline": [
            {"command": "printf '1\\n2\\n'"},
            {"foreach": [{"name": "sub", "pipeline": [
                {"command": "seq 1 {{ _line }}0"},
                {"fork": [
                    {"name": "c", "pipeline": [
                        {"command": "wc -l > artifacts/count_{{ _line }}.txt"}]},
                    {"name": "s", "pipeline": [
                        {"command": "awk '{ s += $1 } END { print s }' > artifacts/sum_{{ _line }}.txt"}
                    ]}]}]}]}]}]}
        res = self.run_local(self.write_project(project), timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("count_1.txt", "10\n", res)
        self.assertArtifact("sum_1.txt", "55\n", res)
        self.assertArtifact("count_2.txt", "20\n", res)
        self.assertArtifact("sum_2.txt", "210\n", res)


class ForkEngine(HandoffTestCase):
    N = 300000  # ~2 MB: many times the pipe buffers

    def _fork_project(self, branches, producer=None, extra_tasks=(), **task_keys):
        task = {"name": "src", "pipeline": [{"command": producer or "seq 1 %d" % self.N},
                                            {"fork": branches}]}
        task.update(task_keys)
        return self.write_project({"tasks": [task] + list(extra_tasks)})

    def test_fork_two_branches_exact_bytes(self):
        """issue 3 / e2e: fork into 2 branches, exact byte counts in each branch log."""
        data = seq_bytes(self.N)
        proj = self._fork_project([
            {"name": "count", "pipeline": [{"command": "wc -c"}]},
            {"name": "copy", "pipeline": [{"command": "cat"}]}])
        res = self.run_local(proj, timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("count_stdout.log", "%d\n" % len(data), res)
        self.assertEqual(self.read_artifact("copy_stdout.log", "rb"), data)

    def test_fork_three_branches_exact_bytes(self):
        """issue 3 / e2e: fork into 3 branches, exact byte counts in each branch log."""
        data = seq_bytes(self.N)
        proj = self._fork_project([
            {"name": "count", "pipeline": [{"command": "wc -c"}]},
            {"name": "copy", "pipeline": [{"command": "cat"}]},
            {"name": "digest", "pipeline": [{"command": "md5sum"}, {"command": "cut -c1-32"}]}])
        res = self.run_local(proj, timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("count_stdout.log", "%d\n" % len(data), res)
        self.assertEqual(os.path.getsize(self.artifact_path("copy_stdout.log")), len(data))
        self.assertEqual(self.read_artifact("copy_stdout.log", "rb"), data)
        self.assertArtifact("digest_stdout.log", hashlib.md5(data).hexdigest() + "\n", res)

    def test_fork_slow_branch_and_early_exit(self):
        """issue 3 / e2e: one slow branch and one that exits after the first line: the slow one gets every byte, no hang, exit 0."""
        data = seq_bytes(self.N)
        proj = self._fork_project([
            {"name": "first", "pipeline": [{"command": "head -n 1"}]},
            {"name": "slow", "pipeline": [{"command": "sh -c 'sleep 1; exec cat'"}]}])
        res = self.run_local(proj, timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("first_stdout.log", "1\n", res)
        self.assertEqual(self.read_artifact("slow_stdout.log", "rb"), data)
        self.assertNoProcessLeft(res=res)

    def test_fork_one_branch_fails(self):
        """issue 3 / e2e: fork where one branch fails: fork code = highest branch code, task fails, exit 1, downstream skipped."""
        proj = self._fork_project(
            [{"name": "good", "pipeline": [{"command": "wc -c"}]},
             {"name": "bad", "pipeline": [{"command": "sh -c 'head -c 100 > /dev/null; exit 3'"}]}],
            extra_tasks=[{"name": "after", "commands": [{"command": "echo after"}]}])
        res = self.run_local(proj, "--grace", "2", timeout=30)
        self.assertExit(res, 1)
        self.assertStderrMatches(res, r"exited with code 3")
        self.assertStderrMatches(res, r"Task src (ended|exited) with (exit )?code 3")
        self.assertFalse(os.path.exists(self.artifact_path("after_stdout.log")), res.describe())
        self.assertNoProcessLeft(res=res)

    def test_fork_one_branch_fails_no_kill_downstream(self):
        """issue 3 scope 2: with kill_downstream_on_fail: false the next task runs; exit still 1."""
        proj = self._fork_project(
            [{"name": "good", "pipeline": [{"command": "wc -c"}]},
             {"name": "bad", "pipeline": [{"command": "sh -c 'exit 3'"}]}],
            extra_tasks=[{"name": "after", "commands": [{"command": "echo after"}]}],
            kill_downstream_on_fail=False)
        res = self.run_local(proj, "--grace", "2", timeout=30)
        self.assertExit(res, 1)
        self.assertArtifact("after_stdout.log", "after\n", res)
        self.assertNoProcessLeft(res=res)

    def test_fork_producer_fails(self):
        """issue 3 / e2e: fork where the producer fails: exit 1, no hang, no process left."""
        proj = self._fork_project(
            [{"name": "a", "pipeline": [{"command": "wc -l"}]},
             {"name": "b", "pipeline": [{"command": "cat"}]}],
            producer="sh -c 'seq 1 1000; exit 5'",
            extra_tasks=[{"name": "after", "commands": [{"command": "echo after"}]}])
        res = self.run_local(proj, "--grace", "2", timeout=30)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 8, res.describe())
        self.assertStderrMatches(res, r"exit(ed)? (with )?code 5")
        self.assertFalse(os.path.exists(self.artifact_path("after_stdout.log")), res.describe())
        self.assertNoProcessLeft(res=res)


class PipelineFailures(HandoffTestCase):
    def test_yes_head(self):
        """issue 3 / e2e: `yes | head -n 1` ends at once with exit 0 (SIGPIPE upstream is not a failure)."""
        proj = self.write_project({"tasks": [{"name": "y", "pipeline": [
            {"command": "yes"}, {"command": "head -n 1"}]}]})
        res = self.run_local(proj, timeout=20)
        self.assertExit(res, 0)
        self.assertLess(res.elapsed, 3, res.describe())
        self.assertArtifact("y_stdout.log", "y\n", res)
        self.assertStderrMatches(res, r"Task y exited with code 0")
        self.assertNoProcessLeft(res=res)

    def test_failing_middle_stage_endless_producer(self):
        """issue 3 / e2e: `yes | sh -c 'exit 3' | cat` ends within a second, non-zero, no process left."""
        proj = self.write_project({"tasks": [{"name": "mid", "pipeline": [
            {"command": "yes"}, {"command": "sh -c 'exit 3'"}, {"command": "cat"}]}]})
        res = self.run_local(proj, timeout=20)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 2.0, res.describe())
        self.assertStderrMatches(res, r"ended with exit code 3")
        self.assertNoProcessLeft(res=res)

    def test_failing_stage_stops_siblings_that_never_see_eof(self):
        """issue 3 scope 3: a failing stage SIGTERMs its siblings (here they would never end on their own)."""
        proj = self.write_project({"tasks": [{"name": "mid", "pipeline": [
            {"command": "sleep 300"}, {"command": "sh -c 'sleep 0.3; exit 3'"},
            {"command": "sh -c 'cat; exec sleep 300'"}]}]})
        res = self.run_local(proj, "--grace", "2", timeout=30)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 3, res.describe())
        self.assertNoProcessLeft(res=res)

    def test_killed_by_other_signal_is_failure(self):
        """issue 3 scope 3: a death by a signal other than SIGPIPE-after-downstream-exit is a failure."""
        proj = self.write_project({"tasks": [{"name": "k", "commands": [
            {"command": "kill -KILL $$"}]}]})
        res = self.run_local(proj, timeout=20)
        self.assertExit(res, 1)

    def test_detached_grandchild_does_not_survive(self):
        """issue 3 / e2e: a detached grandchild (setsid / subshell &) must not survive the run."""
        proj = self.write_project({"tasks": [{"name": "detach", "commands": [
            {"command": "sh -c 'setsid sleep 300 > /dev/null 2>&1 &'"},
            {"command": "(sleep 301 > /dev/null 2>&1 &)"},
            {"command": "echo parent-done"}]}]})
        res = self.run_local(proj, "--grace", "2", timeout=30)
        self.assertExit(res, 0)
        self.assertArtifact("detach_stdout.log", "parent-done\n", res)
        self.assertLess(res.elapsed, 8, res.describe())
        self.assertNoProcessLeft(wait=1.0, res=res)


class Timeouts(HandoffTestCase):
    def test_command_timeout(self):
        """issue 3 / e2e: per-command timeout: 1 on sleep 30 ends within grace, exit 1, WARNING with Timeout, output kept."""
        proj = self.write_project({"tasks": [{"name": "slow", "commands": [
            {"command": "echo before-timeout; sleep 30", "timeout": 1}]},
            {"name": "after", "commands": [{"command": "echo after"}]}]})
        res = self.run_local(proj, "--grace", "2", timeout=40)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 4.5, res.describe())
        self.assertGreaterEqual(res.elapsed, 0.9, res.describe())
        self.assertTrue([l for l in res.log_lines("WARNING") if "Timeout" in l],
                        "a WARNING line containing 'Timeout'%s" % res.describe())
        self.assertArtifact("slow_stdout.log", "before-timeout\n", res)
        self.assertFalse(os.path.exists(self.artifact_path("after_stdout.log")), res.describe())
        self.assertNoProcessLeft(res=res)

    def test_timeout_in_pipeline_on_sleep(self):
        """issue 3 / e2e: per-command timeout on a pipeline stage `sleep 30`."""
        proj = self.write_project({"tasks": [{"name": "p", "pipeline": [
            {"command": "sleep 30", "timeout": 1}, {"command": "cat"}]}]})
        res = self.run_local(proj, "--grace", "2", timeout=40)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 4.5, res.describe())
        self.assertTrue([l for l in res.log_lines("WARNING") if "Timeout" in l], res.describe())
        self.assertNoProcessLeft(res=res)

    def test_timeout_escalates_to_sigterm_and_sigkill(self):
        """issue 3 scope 4: SIGINT, then SIGTERM after grace, then SIGKILL after another grace."""
        proj = self.write_project({"tasks": [{"name": "stubborn", "commands": [
            {"command": "trap '' INT TERM; sleep 30", "timeout": 1}]}]})
        res = self.run_local(proj, "--grace", "1", timeout=40)
        self.assertExit(res, 1)
        # 1 s timeout + 1 s (SIGINT ignored) + 1 s (SIGTERM ignored) -> SIGKILL at ~3 s.
        self.assertGreaterEqual(res.elapsed, 2.7, res.describe())
        self.assertLess(res.elapsed, 5.5, res.describe())
        self.assertNoProcessLeft(res=res)

    def test_grace_key_in_project(self):
        """issue 3 scope 4: the `grace` key sets the grace period (SIGINT ignored -> SIGTERM after it)."""
        proj = self.write_project({"grace": 1, "tasks": [{"name": "stubborn", "commands": [
            {"command": "trap '' INT; sleep 30", "timeout": 1}]}]})
        res = self.run_local(proj, timeout=40)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 4.5, "grace: 1 must beat the default 10 s%s" % res.describe())

    def test_task_timeout(self):
        """issue 3 scope 4: a task-level timeout stops the task, exit 1, WARNING with Timeout."""
        proj = self.write_project({"tasks": [{"name": "slowtask", "timeout": 1, "commands": [
            {"command": "echo one"}, {"command": "sleep 30"}]}]})
        res = self.run_local(proj, "--grace", "2", timeout=40)
        self.assertExit(res, 1)
        self.assertLess(res.elapsed, 4.5, res.describe())
        self.assertTrue([l for l in res.log_lines("WARNING") if "Timeout" in l], res.describe())
        self.assertArtifact("slowtask_stdout.log", "one\n", res)
        self.assertNoProcessLeft(res=res)

    def test_run_timeout_exits_124(self):
        """issue 3 scope 4: --timeout for the whole run stops everything and exits 124."""
        proj = self.write_project({"tasks": [
            {"name": "a", "commands": [{"command": "sleep 0.2; echo a"}]},
            {"name": "b", "pipeline": [{"command": "sleep 30"}, {"command": "cat"}]},
            {"name": "c", "commands": [{"command": "echo c"}]}]})
        res = self.run_local(proj, "--timeout", "2", "--grace", "2", timeout=40)
        self.assertExit(res, 124)
        self.assertLess(res.elapsed, 5, res.describe())
        self.assertArtifact("a_stdout.log", "a\n", res)
        self.assertFalse(os.path.exists(self.artifact_path("c_stdout.log")), res.describe())
        self.assertNoProcessLeft(res=res)


class Signals(HandoffTestCase):
    def _project(self):
        return self.write_project({"tasks": [
            {"name": "busy", "commands": [
                {"command": "sh -c 'setsid sleep 310 > /dev/null 2>&1 &'"},
                {"command": "sh -c \"trap '' TERM; exec sleep 311\" & sleep 312"}]},
            {"name": "never", "commands": [{"command": "echo never"}]}]})

    def _signal_run(self, sig, expected):
        proc = self.start_handoff("run", "local", "-p", self._project(), "-w", self.ws,
                                  "--grace", "1")

        def sleeps_running():
            cmds = [process_cmdline(p) for p in marked_pids(self.mark)]
            return sum(1 for c in cmds if c.startswith("sleep 31")) >= 3

        self.wait_for(sleeps_running, timeout=15, what="the three sleeps to start")
        t0 = time.monotonic()
        os.kill(proc.pid, sig)
        try:
            out, err = proc.communicate(timeout=15)
        except Exception:
            proc.kill()
            out, err = proc.communicate()
            self.fail("handoff did not stop after %s: %s" % (sig, err.decode()[-3000:]))
        elapsed = time.monotonic() - t0
        err = err.decode(errors="replace")
        self.assertEqual(proc.returncode, expected, "exit code after %s\n%s" % (sig, err[-3000:]))
        self.assertLess(elapsed, 6, "stop took %.1f s\n%s" % (elapsed, err[-3000:]))
        self.assertNoProcessLeft(wait=0.5)
        self.assertFalse(os.path.exists(self.artifact_path("never_stdout.log")))
        return err

    def test_sigterm(self):
        """issue 3 / e2e: SIGTERM to handoff during a run: every descendant gone (also detached, also one ignoring SIGTERM), exit 143."""
        self._signal_run(signal.SIGTERM, 143)

    def test_sigint(self):
        """issue 3 / e2e: SIGINT (Ctrl-C) to handoff during a run: every descendant gone, exit 130."""
        self._signal_run(signal.SIGINT, 130)

    def test_sighup(self):
        """issue 3 scope 5: SIGHUP to handoff during a run: every descendant gone, exit 129."""
        self._signal_run(signal.SIGHUP, 129)

    def test_no_zombies_during_run(self):
        """issue 3 scope 5: finished children (and re-parented orphans) are reaped while the run goes on."""
        proj = self.write_project({"tasks": [
            {"name": "quick", "commands": [{"command": "sh -c 'true &' ; true"}] * 5},
            {"name": "wait", "commands": [{"command": "sleep 2"}]}]})
        proc = self.start_handoff("run", "local", "-p", proj, "-w", self.ws)
        self.wait_for(lambda: any(process_cmdline(p) == "sleep 2" for p in marked_pids(self.mark)),
                      timeout=15, what="the sleep task")
        time.sleep(0.3)
        self.assertEqual(zombie_children(proc.pid), [], "zombies under handoff")
        proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0)


class Redaction(HandoffTestCase):
    TOKEN = "tok-SECRET-9f8e7d"
    SPLIT = "tok-SPLIT-77aa"
    PEM = ("-----BEGIN TEST KEY-----\nline-one-ABCDEF123\nline-two-GHIJK456\n"
           "-----END TEST KEY-----\n")

    def _project(self):
        secrets = ("- key: api_token\n  value: %s\n- key: split_token\n  value: %s\n"
                   "- key: pem\n  file: key.pem\n" % (self.TOKEN, self.SPLIT))
        text = ("tasks:\n"
                "  - name: talk\n"
                "    commands:\n"
                "      - command: echo \"token={{ api_token }} end\" >&2\n"
                # The secret is printed in two writes 0.3 s apart; the command line
                # itself never holds it (nor its halves) in one piece.
                "      - command: printf 'part=tok-S''PL' >&2; sleep 0.3; printf 'I''T-77aa done\\n' >&2\n"
                "      - command: printf '%s\\n' \"{{ pem }}\" >&2\n"
                "  - name: talkpipe\n"
                "    pipeline:\n"
                "      - command: sh -c 'echo \"pipe {{ api_token }} end\" >&2; echo data'\n"
                "      - command: cat\n")
        return self.write_project(text, secrets={"dev_secrets.yml": secrets, "key.pem": self.PEM})

    def test_child_stderr_secret_masked(self):
        """issue 3 / e2e: a secret printed by a child on stderr is masked (****) in the console and in <task>_stderr.log (split reads, multi-line secret)."""
        res = self.run_local(self._project())
        self.assertExit(res, 0)
        logs = self.read_artifact("talk_stderr.log") + self.read_artifact("talkpipe_stderr.log")
        for where, text in (("console", res.stderr), ("stderr logs", logs)):
            for leaked in (self.TOKEN, "tok-SPL", "IT-77aa", "line-one-ABCDEF123",
                           "line-two-GHIJK456"):
                self.assertNotIn(leaked, text, "%r leaked in %s%s" % (leaked, where, res.describe()))
        self.assertIn("token=**** end", logs)
        self.assertIn("part=**** done", logs)
        self.assertIn("pipe **** end", logs)
        self.assertRegex(res.stderr, r"talk.*token=\*\*\*\* end", res.describe())
        self.assertRegex(res.stderr, r"talkpipe.*pipe \*\*\*\* end", res.describe())
        # stdout is not touched.
        self.assertArtifact("talkpipe_stdout.log", "data\n", res)
        for rec in self.run_records():
            with open(rec) as f:
                text = f.read()
            self.assertNotIn(self.TOKEN, text, "secret in the run record")


def find_process_list(obj):
    """The list of process entries in a run record, wherever it sits."""
    if isinstance(obj, list) and obj and all(isinstance(e, dict) for e in obj) \
            and any("command" in e for e in obj):
        return obj
    if isinstance(obj, dict):
        for v in obj.values():
            found = find_process_list(v)
            if found:
                return found
    if isinstance(obj, list):
        for v in obj:
            found = find_process_list(v)
            if found:
                return found
    return None


def values_for(obj, key_pred):
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if key_pred(k) and not isinstance(v, (dict, list)):
                out.append(v)
            out.extend(values_for(v, key_pred))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(values_for(v, key_pred))
    return out


class RunRecord(HandoffTestCase):
    def test_run_record(self):
        """issue 3 scope 7: WORKSPACE/.handoff/runs/<run id>.json lists every process: task, command (secrets masked), start, end, exit code, bytes."""
        text = ("kill_downstream_on_fail: false\n"
                "tasks:\n"
                "  - name: okay\n    commands:\n      - command: echo hi; echo '{{ tok }}' > /dev/null\n"
                "  - name: failing\n    pipeline:\n      - command: printf 12345\n"
                "      - command: sh -c 'cat; exit 3'\n")
        proj = self.write_project(text, secrets={"dev_secrets.yml":
                                                 "- key: tok\n  value: rec-SECRET-31337\n"})
        res = self.run_local(proj)
        self.assertExit(res, 1)
        records = self.run_records()
        self.assertEqual(len(records), 1, "one record per run: %s%s" % (records, res.describe()))
        with open(records[0]) as f:
            raw = f.read()
        self.assertNotIn("rec-SECRET-31337", raw)
        record = json.loads(raw)
        procs = find_process_list(record)
        self.assertTrue(procs, "no process list in %s" % raw[:2000])
        self.assertGreaterEqual(len(procs), 3, raw[:3000])
        by_cmd = {}
        for p in procs:
            by_cmd[str(p.get("command"))] = p
            self.assertTrue(any("task" in k for k in p), "entry without task: %s" % p)
            self.assertTrue(any("start" in k for k in p), "entry without start: %s" % p)
            self.assertTrue(any("end" in k for k in p), "entry without end: %s" % p)
        cmds = " | ".join(by_cmd)
        self.assertIn("echo hi", cmds)
        self.assertIn("printf 12345", cmds)
        self.assertIn("****", cmds, "secret masked in the command field")
        failing = [p for c, p in by_cmd.items() if "exit 3" in c]
        self.assertEqual(len(failing), 1, cmds)
        self.assertIn(3, values_for(failing[0], lambda k: "exit" in k or "code" in k), failing[0])
        okay = [p for c, p in by_cmd.items() if "echo hi" in c][0]
        self.assertIn(0, values_for(okay, lambda k: "exit" in k or "code" in k), okay)
        self.assertTrue(any(t == "okay" for t in values_for(okay, lambda k: "task" in k)), okay)
        # Bytes written to the artifact logs: `echo hi` put 3 bytes into okay_stdout.log
        # (its /proc write count is larger: it also wrote the secret to /dev/null); the
        # last stage of `failing` put 5 bytes into failing_stdout.log.
        def log_byte_values(entry):
            return values_for(entry, lambda k: ("byte" in k or "stdout" in k or "log" in k)
                              and "read" not in k)
        self.assertIn(3, log_byte_values(okay), "bytes written to the artifact log: %s" % okay)
        self.assertIn(5, log_byte_values(failing[0]),
                      "bytes written to the artifact log: %s" % failing[0])
        # A second run writes a second record.
        self.run_local(proj)
        self.assertEqual(len(self.run_records()), 2)


if __name__ == "__main__":
    unittest.main()
