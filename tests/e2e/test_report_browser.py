"""issue 7 point 3: the HTML report of a run with a pipeline, a fork and a foreach, rendered in headless
Chromium: no console error, one bar per process of the run record after the page's script ran, and a
screenshot file kept for people to look at.

The screenshot goes to $HANDOFF_TEST_ARTIFACTS, else <dir of HANDOFF_BIN>/test-output/report.png.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import HANDOFF_BIN, HandoffTestCase

CHROMIUM = os.environ.get("HO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_TIMEOUT = float(os.environ.get("HO_CHROMIUM_TIMEOUT", "120"))
# [pid:tid:date/time.usec:INFO:CONSOLE(12)] "Uncaught TypeError: ...", source: file:///x.html (12)
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)\] \"(.*)\", source: (.*)$", re.M)

# pipeline of 3 stages, fork of 2 branches (after its source), foreach of 4 iterations; a
# failing task, and names/commands holding markup characters.
PROJECT = {"tasks": [
    {"name": "extract", "pipeline": [
        {"command": "seq 1 5000"}, {"command": "grep -v 3"}, {"command": "gzip -c"}]},
    {"name": "split", "pipeline": [
        {"command": "printf '<a>&\"b\"\\n'"},
        {"fork": [
            {"name": "left", "pipeline": [{"command": "cat"}]},
            {"name": "right", "pipeline": [{"command": "tr a-z A-Z"}, {"command": "wc -c"}]}]}]},
    {"name": "each", "pipeline": [
        {"command": "seq 1 4"},
        {"parallel": 2, "foreach": [{"name": "item", "commands": [
            {"command": "sleep 0.{{ _line }}; echo item {{ _line }}"}]}]}]},
    {"name": "broken", "commands": [{"command": "sh -c 'exit 4'"}]}]}


def chromium_flags(profile):
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"]


def screenshot_path():
    base = os.environ.get("HANDOFF_TEST_ARTIFACTS")
    if base:
        return os.path.join(base, "report.png")
    return os.path.join(os.path.dirname(HANDOFF_BIN), "test-output", "report.png")


class ReportInChromium(HandoffTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.access(CHROMIUM, os.X_OK):
            if os.environ.get("CI"):
                raise AssertionError("chromium not found at %s: install the Debian package chromium "
                                     "(scripts/install-deps.sh)" % CHROMIUM)
            raise unittest.SkipTest("chromium not found at %s" % CHROMIUM)

    def chromium(self, *args):
        """Run headless Chromium once; (stdout, console messages)."""
        profile = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp)
        argv = [CHROMIUM] + chromium_flags(profile) + list(args)
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              timeout=CHROMIUM_TIMEOUT)
        err = proc.stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 0, "chromium failed: %s\n%s" % (" ".join(argv), err[-4000:]))
        return proc.stdout.decode(errors="replace"), CONSOLE.findall(err)

    def test_console_errors_are_seen(self):
        """The check itself: a page whose script throws is reported by the console scan."""
        page = os.path.join(self.tmp, "bad.html")
        with open(page, "w") as f:
            f.write("<!DOCTYPE html><html><body><script>null.x();</script></body></html>\n")
        _dom, console = self.chromium("--dump-dom", "file://" + page)
        self.assertTrue(any("Uncaught TypeError" in m for m, _src in console), console)

    def test_report_renders_one_bar_per_process(self):
        """issue 7 point 3: the report renders without console errors, holds exactly one bar per process of the record, and a screenshot is kept."""
        project = self.write_project(PROJECT)
        report = os.path.join(self.tmp, "report.html")
        res = self.run_local(project, "--report", report, timeout=90)
        self.assertExit(res, 1)  # the broken task
        records = self.run_records()
        self.assertEqual(len(records), 1)
        with open(records[0]) as f:
            record = json.load(f)
        processes = record["processes"]
        # 3 + (1 + 1 + 2) + (1 + 4) + 1
        self.assertEqual(len(processes), 13, [p["task"] for p in processes])
        with open(report) as f:
            html = f.read()
        self.assertNotRegex(html, r"(?i)https?:|(src|href)\s*=", "the page must fetch nothing")

        dom, console = self.chromium("--dump-dom", "file://" + report)
        self.assertEqual(console, [], "console messages while rendering the report")
        self.assertIn('data-ready="true"', dom, "the page's script must run to its end")
        bars = re.findall(r'<rect data-process="(\d+)" class="bar ([a-z-]+)"', dom)
        self.assertEqual(sorted(int(i) for i, _c in bars), list(range(len(processes))), dom[:2000])
        by_index = {int(i): c for i, c in bars}
        for i, p in enumerate(processes):
            want = "ok" if not p["failed"] else ("timed-out" if p["timed_out"] else
                                                 "killed" if p["signal"] else "failed")
            self.assertEqual(by_index[i], want, p)
        self.assertEqual(list(by_index.values()).count("failed"), 1)
        self.assertEqual(len(re.findall(r'data-run="', dom)), 1, "the durations chart holds this run")
        self.assertIn("&lt;a&gt;&amp;", dom, "command text is escaped")

        shot = screenshot_path()
        os.makedirs(os.path.dirname(shot), exist_ok=True)
        if os.path.exists(shot):
            os.remove(shot)
        _out, console = self.chromium("--screenshot=" + shot, "--window-size=1280,1400", "--hide-scrollbars",
                                      "file://" + report)
        self.assertEqual(console, [])
        with open(shot, "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n", "a PNG file")
        self.assertGreater(len(png), 10000, "a screenshot with something drawn")
        print("report screenshot: %s (%d bytes)" % (shot, len(png)))


if __name__ == "__main__":
    unittest.main()
