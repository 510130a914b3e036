"""Issue 7 point 5: shell completion (bash, zsh, fish), the man page, the
markdown command reference and --version, all generated from the binary's own
command tree (`handoff completion SHELL`, `handoff help --man|--markdown`).

The shells are real peers: a missing bash, zsh, fish or groff skips outside CI
and fails when CI is set.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import HANDOFF_BIN, HANDOFF_SRC, HandoffTestCase, in_ci, need_tool

REFERENCE = os.path.join(HANDOFF_SRC, "docs", "reference", "commands.md")




def help_commands(text):
    """The command names in a CLI11 --help's "Subcommands:" section."""
    names = []
    inside = False
    for line in text.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
        elif inside and re.match(r"^  \S", line):
            names.append(line.split()[0])
        elif inside and line.strip() and not line.startswith("   "):
            inside = False
    return names


class ShellTestCase(HandoffTestCase):
    default_timeout = 60

    def script(self, shell):
        r = self.handoff("completion", shell)
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.stderr, "")
        path = os.path.join(self.tmp, "completion." + shell)
        with open(path, "w") as f:
            f.write(r.stdout)
        return path

    def top_level(self):
        r = self.handoff("--help")
        self.assertEqual(r.returncode, 0, r.describe())
        names = help_commands(r.stdout)
        self.assertIn("run", names)
        self.assertIn("files", names)
        return names

    def subcommands(self, *words):
        r = self.handoff(*words, "--help")
        self.assertEqual(r.returncode, 0, r.describe())
        return help_commands(r.stdout)

    def run_shell(self, argv, cwd=None):
        proc = subprocess.run(argv, cwd=cwd or self.tmp, env=self.env({"HOME": self.tmp}),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        return proc


class BashCompletion(ShellTestCase):
    """The bash script sources cleanly and its function completes like bash would call it."""

    def setUp(self):
        super().setUp()
        self.bash = need_tool("bash")
        self.file = self.script("bash")

    def complete(self, *words, cwd=None):
        """COMPREPLY for a command line whose last word is the one being completed."""
        quoted = " ".join("'%s'" % w.replace("'", "'\\''") for w in words)
        program = (
            'source "$1" || exit 3\n'
            "COMP_WORDS=(%s)\n"
            "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
            'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n'
            '_handoff handoff "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" || exit 4\n'
            'printf "%%s\\n" "${COMPREPLY[@]}"\n' % quoted)
        proc = self.run_shell([self.bash, "--norc", "--noprofile", "-c", program, "bash", self.file], cwd=cwd)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        return [w for w in proc.stdout.split("\n") if w]

    def test_sources_without_error_and_registers(self):
        proc = self.run_shell([self.bash, "--norc", "--noprofile", "-c",
                               'source "$1" && complete -p handoff', "bash", self.file])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.stdout.strip(), "complete -F _handoff handoff")

    def test_top_level_lists_every_command_of_help(self):
        self.assertEqual(sorted(self.complete("handoff", "")), sorted(self.top_level()))
        self.assertIn("files", self.complete("handoff", "fi"))
        self.assertNotIn("run", self.complete("handoff", "fi"))

    def test_nested_commands(self):
        self.assertIn("local", self.complete("handoff", "run", ""))
        self.assertEqual(sorted(self.complete("handoff", "files", "")), sorted(self.subcommands("files")))
        for w in ("push", "get", "delete"):
            self.assertIn(w, self.complete("handoff", "files", ""))
        self.assertEqual(self.complete("handoff", "run", "lo"), ["local"])

    def test_options_after_values(self):
        # -p DIR and -s STAGE take values: the walk skips them and stays on `run local`.
        opts = self.complete("handoff", "run", "local", "-p", "proj", "-s", "dev", "--t")
        self.assertEqual(opts, ["--timeout"])
        self.assertIn("--strict", self.complete("handoff", "run", "local", "--st"))
        self.assertIn("--stage", self.complete("handoff", "run", "local", "--st"))

    def test_values(self):
        os.makedirs(os.path.join(self.tmp, "proj"))
        with open(os.path.join(self.tmp, "notes.txt"), "w") as f:
            f.write("x")
        self.assertEqual(self.complete("handoff", "run", "local", "-p", ""), ["proj"])
        self.assertEqual(self.complete("handoff", "run", "local", "-w", "pr"), ["proj"])
        self.assertEqual(sorted(self.complete("handoff", "run", "local", "-s", "")), ["dev", "prod"])
        self.assertEqual(sorted(self.complete("handoff", "run", "local", "--log-format", "")), ["json", "text"])
        self.assertEqual(sorted(self.complete("handoff", "files", "push", "--store", "")), ["aws", "local"])
        self.assertEqual(sorted(self.complete("handoff", "completion", "")), ["bash", "fish", "zsh"])
        self.assertEqual(self.complete("handoff", "run", "local", "--timeout", ""), [])


class ZshCompletion(ShellTestCase):
    """The zsh script loads after compinit, sourced or from $fpath."""

    def setUp(self):
        super().setUp()
        self.zsh = need_tool("zsh")

    def test_sourced_after_compinit(self):
        r = self.handoff("completion", "zsh")
        self.assertTrue(r.stdout.startswith("#compdef handoff\n"))
        program = ("autoload -U compinit; compinit -u; source <(%s completion zsh) || exit 3; "
                   "print -r -- $_comps[handoff]; whence -w _handoff__run__local _handoff__files"
                   % HANDOFF_BIN)
        proc = self.run_shell([self.zsh, "-fc", program])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.stdout.split("\n")[:3],
                         ["_handoff", "_handoff__run__local: function", "_handoff__files: function"])

    def test_autoloaded_from_fpath(self):
        funcs = os.path.join(self.tmp, "functions")
        os.makedirs(funcs)
        shutil.copy(self.script("zsh"), os.path.join(funcs, "_handoff"))
        program = ("fpath=(%s $fpath); autoload -U compinit; compinit -u -d %s/zcompdump; "
                   "print -r -- $_comps[handoff]" % (funcs, self.tmp))
        proc = self.run_shell([self.zsh, "-fc", program])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.stdout.strip(), "_handoff")

    def test_parses(self):
        proc = self.run_shell([self.zsh, "-n", self.script("zsh")])
        self.assertEqual(proc.returncode, 0, proc.stderr)


class FishCompletion(ShellTestCase):
    """fish completes commands, nested commands and values with `complete -C`."""

    def setUp(self):
        super().setUp()
        self.fish = need_tool("fish")
        self.file = self.script("fish")

    def complete(self, line):
        program = "source %s; or exit 3; complete -C %s" % (self.file, "'" + line + "'")
        proc = self.run_shell([self.fish, "--no-config", "-c", program])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        return [l.split("\t")[0] for l in proc.stdout.split("\n") if l]

    def test_piped_into_source(self):
        proc = self.run_shell([self.fish, "--no-config", "-c",
                               "%s completion fish | source; complete -C 'handoff fi'" % HANDOFF_BIN])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        self.assertIn("files", [l.split("\t")[0] for l in proc.stdout.split("\n")])

    def test_commands_and_values(self):
        self.assertEqual(sorted(self.complete("handoff ")), sorted(self.top_level()))
        self.assertEqual(sorted(self.complete("handoff files ")), sorted(self.subcommands("files")))
        self.assertIn("local", self.complete("handoff run "))
        self.assertEqual(sorted(self.complete("handoff run local -p proj -s ")), ["dev", "prod"])
        self.assertEqual(sorted(self.complete("handoff files get --store ")), ["aws", "local"])
        self.assertIn("--timeout", self.complete("handoff run local -s dev --"))
        os.makedirs(os.path.join(self.tmp, "proj"))
        with open(os.path.join(self.tmp, "notes.txt"), "w") as f:
            f.write("x")
        self.assertEqual(self.complete("handoff run local -p "), ["proj/"])


class ManPage(ShellTestCase):
    """handoff help --man renders with groff and man without warnings, every command in it."""

    def man_file(self):
        r = self.handoff("help", "--man")
        self.assertEqual(r.returncode, 0, r.describe())
        path = os.path.join(self.tmp, "handoff.1")
        with open(path, "w") as f:
            f.write(r.stdout)
        return path

    def test_groff_renders_without_warnings(self):
        groff = need_tool("groff")
        page = self.man_file()
        proc = self.run_shell([groff, "-man", "-Tutf8", "-ww", "-b", page])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        text = re.sub(r".\x08", "", proc.stdout)
        for name in self.top_level():
            self.assertRegex(text, r"\n {3}handoff %s\b" % re.escape(name))
        self.assertIn("EXIT STATUS", text)
        self.assertIn("128+n", text)

    def test_man_dash_l(self):
        man = need_tool("man")
        proc = self.run_shell([man, "-l", self.man_file()])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        self.assertIn("handoff run local", proc.stdout)

    def run_shell(self, argv, cwd=None):
        env = self.env({"HOME": self.tmp, "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"})
        return subprocess.run(argv, cwd=cwd or self.tmp, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)


class Reference(ShellTestCase):
    """docs/reference/commands.md is what `handoff help --markdown` prints now."""

    def test_reference_is_current(self):
        r = self.handoff("help", "--markdown")
        self.assertEqual(r.returncode, 0, r.describe())
        with open(REFERENCE) as f:
            committed = f.read()
        self.assertTrue(committed == r.stdout,
                        "docs/reference/commands.md is stale: regenerate it with\n"
                        "  %s help --markdown > docs/reference/commands.md" % HANDOFF_BIN)
        for name in self.top_level():
            self.assertIn("\n## `handoff %s`\n" % name, r.stdout)

    def test_help_command(self):
        r = self.handoff("help", "run", "local")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.stdout, self.handoff("run", "local", "--help").stdout)
        r = self.handoff("help", "fils")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertEqual(r.stderr, "handoff: error: unknown command 'handoff fils'\n"
                                   "  hint: did you mean 'handoff files'?\n")
        r = self.handoff("completion", "tcsh")
        self.assertEqual(r.returncode, 2, r.describe())


class Version(ShellTestCase):
    """--version and `version` print `handoff X.Y.Z (rev)`: the project's version and
    the checkout's git revision, "unknown" without .git (a tarball)."""

    def project_version(self):
        with open(os.path.join(HANDOFF_SRC, "CMakeLists.txt")) as f:
            return re.search(r"project\(handoff VERSION (\S+)", f.read()).group(1)

    def test_binary_prints_version_and_a_real_revision(self):
        r = self.handoff("--version")
        self.assertEqual(r.returncode, 0, r.describe())
        m = re.fullmatch(r"handoff (\S+) \(([0-9a-f]{12}|unknown)\)\n", r.stdout)
        self.assertTrue(m, r.stdout)
        self.assertEqual(m.group(1), self.project_version())
        self.assertEqual(self.handoff("version").stdout, r.stdout)
        if m.group(2) != "unknown" and os.path.isdir(os.path.join(HANDOFF_SRC, ".git")):
            proc = subprocess.run(["git", "-C", HANDOFF_SRC, "cat-file", "-e", m.group(2) + "^{commit}"],
                                  capture_output=True)
            self.assertEqual(proc.returncode, 0, "%s is not a commit of %s" % (m.group(2), HANDOFF_SRC))

    def revision_in(self, source_dir):
        """HANDOFF_GIT_REVISION as cmake/GitRevision.cmake computes it for source_dir."""
        cmake = need_tool("cmake")
        probe = os.path.join(self.tmp, "probe.cmake")
        with open(probe, "w") as f:
            f.write('set(CMAKE_SOURCE_DIR "%s")\ninclude("%s")\nmessage(STATUS "rev=${HANDOFF_GIT_REVISION}")\n'
                    % (source_dir, os.path.join(HANDOFF_SRC, "cmake", "GitRevision.cmake")))
        proc = subprocess.run([cmake, "-P", probe], capture_output=True, text=True, cwd=source_dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return re.search(r"rev=(\S+)", proc.stdout).group(1)

    def test_revision_of_a_clean_clone(self):
        git = need_tool("git")
        clone = os.path.join(self.tmp, "clone")
        subprocess.run([git, "clone", "-q", "--no-checkout", HANDOFF_SRC, clone], check=True)
        subprocess.run([git, "-C", clone, "checkout", "-q", "HEAD", "--", "cmake"], check=True)
        head = subprocess.run([git, "-C", clone, "rev-parse", "--short=12", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
        self.assertEqual(self.revision_in(clone), head)

    def test_tarball_without_git_says_unknown(self):
        git = need_tool("git")
        # A source tree without .git, even inside someone else's repository.
        outer = os.path.join(self.tmp, "outer")
        tree = os.path.join(outer, "handoff-0.5.0")
        os.makedirs(tree)
        subprocess.run([git, "init", "-q", outer], check=True)
        subprocess.run([git, "-C", outer, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                        "--allow-empty", "-m", "x"], check=True)
        shutil.copytree(os.path.join(HANDOFF_SRC, "cmake"), os.path.join(tree, "cmake"))
        self.assertEqual(self.revision_in(tree), "unknown")
        plain = tempfile.mkdtemp(prefix="handoff-tarball-")
        self.addCleanup(shutil.rmtree, plain, ignore_errors=True)
        self.assertEqual(self.revision_in(plain), "unknown")


if __name__ == "__main__":
    unittest.main()
