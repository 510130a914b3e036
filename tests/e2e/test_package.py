"""Issue 7 point 5: the .deb built by CPack from the build dir of HANDOFF_BIN.

The package is made from the existing build (HANDOFF_BUILD_DIR, default the
directory of HANDOFF_BIN): `cmake --build --target handoff_docs` (the man page
and completions, cheap once handoff is built), then `cpack -G DEB` into a temp
dir, so the build dir is not touched otherwise. Then `dpkg-deb --info` (name,
version, Depends: one package for each library the binary links, found with
readelf + dpkg -S), `--contents` (binary, man page, completions, docs),
`dpkg -i`, /usr/bin/handoff --version and `dpkg -r`, which must leave none of
the package's files. Installing needs root (CI runs as root on a throwaway
machine); outside CI a non-root run skips that part. The package is removed
even when a check fails.
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import HANDOFF_BIN, HANDOFF_SRC, HandoffTestCase, in_ci, need_tool

BUILD_DIR = os.path.abspath(os.environ.get("HANDOFF_BUILD_DIR") or os.path.dirname(HANDOFF_BIN))

EXPECTED_FILES = [
    "./usr/bin/handoff",
    "./usr/share/man/man1/handoff.1",
    "./usr/share/bash-completion/completions/handoff",
    "./usr/share/zsh/vendor-completions/_handoff",
    "./usr/share/fish/vendor_completions.d/handoff.fish",
    "./usr/share/doc/handoff/README.md",
    "./usr/share/doc/handoff/reference/commands.md",
]




def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=kw.pop("timeout", 600), **kw)


def package_of(path):
    """The Debian package owning a library file (usrmerge: try /usr too)."""
    real = os.path.realpath(path)
    for candidate in (path, real, "/usr" + real if not real.startswith("/usr/") else real):
        proc = run(["dpkg", "-S", candidate])
        if proc.returncode == 0:
            return proc.stdout.split(":")[0].strip()
    return None


def linked_packages(binary):
    """Packages of the libraries the binary itself links (DT_NEEDED)."""
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "-d", binary]).stdout)
    paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", run(["ldd", binary]).stdout, re.M))
    out = {}
    for soname in needed:
        if soname in paths:
            out[soname] = package_of(paths[soname])
    return out


def installed(name):
    proc = run(["dpkg-query", "-W", "-f=${Status}", name])
    return proc.returncode == 0 and proc.stdout.strip() == "install ok installed"


class DebPackage(HandoffTestCase):
    default_timeout = 120
    deb = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for tool in ("cmake", "cpack", "dpkg-deb", "dpkg", "readelf", "ldd"):
            need_tool(tool)
        if not os.path.isfile(os.path.join(BUILD_DIR, "CMakeCache.txt")):
            raise AssertionError("no CMake build dir at %s (set HANDOFF_BUILD_DIR)" % BUILD_DIR)
        cls.pkg_dir = tempfile.mkdtemp(prefix="handoff-deb-")
        proc = run(["cmake", "--build", BUILD_DIR, "--target", "handoff_docs"])
        if proc.returncode != 0:
            shutil.rmtree(cls.pkg_dir, ignore_errors=True)
            raise AssertionError("building handoff_docs failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
        proc = run(["cpack", "-G", "DEB", "-B", cls.pkg_dir, "--config",
                    os.path.join(BUILD_DIR, "CPackConfig.cmake")], cwd=BUILD_DIR)
        debs = glob.glob(os.path.join(cls.pkg_dir, "*.deb"))
        if proc.returncode != 0 or len(debs) != 1:
            shutil.rmtree(cls.pkg_dir, ignore_errors=True)
            raise AssertionError("cpack -G DEB failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
        cls.deb = debs[0]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "pkg_dir", ""), ignore_errors=True)

    def field(self, name):
        proc = run(["dpkg-deb", "--field", self.deb, name])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout.strip()

    def project_version(self):
        with open(os.path.join(HANDOFF_SRC, "CMakeLists.txt")) as f:
            return re.search(r"project\(handoff VERSION (\S+)", f.read()).group(1)

    def test_info(self):
        proc = run(["dpkg-deb", "--info", self.deb])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.field("Package"), "handoff")
        self.assertEqual(self.field("Version"), self.project_version())
        self.assertEqual(self.field("Section"), "utils")
        self.assertTrue(self.field("Maintainer"))
        self.assertIn("project.yml", self.field("Description"))
        depends = [d.split()[0] for d in self.field("Depends").split(",")]
        linked = linked_packages(HANDOFF_BIN)
        self.assertIn("libyaml-cpp.so.0.7", linked)
        for soname, package in linked.items():
            self.assertTrue(package, "no Debian package owns %s" % soname)
            self.assertIn(package, depends, "Depends lacks %s (for %s): %s" % (package, soname, depends))
        for package in ("libc6", "libstdc++6", "libcurl4", "libsodium23", "libssl3", "libpugixml1v5"):
            self.assertIn(package, depends)

    def contents(self):
        proc = run(["dpkg-deb", "--contents", self.deb])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return {line.split()[5].rstrip("/"): line for line in proc.stdout.splitlines() if line.split()}

    def test_contents(self):
        files = self.contents()
        for path in EXPECTED_FILES:
            self.assertIn(path, files)
        self.assertTrue(files["./usr/bin/handoff"].startswith("-rwxr-xr-x"), files["./usr/bin/handoff"])
        self.assertFalse([p for p in files if "/include/" in p or p.endswith(".a")], "build leftovers")

    def test_install_run_remove(self):
        if os.geteuid() != 0:
            if in_ci():
                self.fail("installing the .deb needs root (CI runs as root)")
            self.skipTest("installing the .deb needs root")
        if installed("handoff"):
            if in_ci():
                self.fail("a handoff package is already installed: this test would replace it")
            self.skipTest("a handoff package is already installed; not touching it")
        ours = [p[1:] for p, line in self.contents().items() if not line.startswith("d")]
        self.addCleanup(run, ["dpkg", "--purge", "handoff"])

        proc = run(["dpkg", "-i", self.deb])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(installed("handoff"))
        for path in ours:
            self.assertTrue(os.path.exists(path), path)
        version = run(["/usr/bin/handoff", "--version"], env=self.env())
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertEqual(version.stdout, self.handoff("--version").stdout)
        page = run(["man", "-w", "handoff"], env=self.env({"MANPATH": "/usr/share/man"}))
        self.assertEqual(page.stdout.strip(), "/usr/share/man/man1/handoff.1", page.stderr)

        proc = run(["dpkg", "-r", "handoff"])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertFalse(installed("handoff"))
        self.assertEqual([p for p in ours if os.path.lexists(p)], [], "files left after dpkg -r")


if __name__ == "__main__":
    unittest.main()
