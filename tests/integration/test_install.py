#!/usr/bin/python3
"""What a packager and an administrator see: `make install` into a DESTDIR
lays out the expected files and keeps an edited feeds.yaml, `make
uninstall` takes back what it put; the man pages are lint-clean; the
systemd unit passes `systemd-analyze verify` and rates 2.0 or lower in
`systemd-analyze security` (each skipped, saying why, where the tool is
missing).  Run from the repository root:
python3 tests/integration/test_install.py
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import ROOT, main  # noqa: E402

MAN_PAGES = ["man/newswatch.8", "man/newswatch.yaml.5"]
MAX_EXPOSURE = 2.0


def pkgconfig(name, *args):
    return subprocess.run(["pkg-config", *args, name], capture_output=True,
                          text=True, check=True).stdout.strip()


def make(*args):
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, *args],
                          capture_output=True, text=True, timeout=600)


class Install(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nw-install-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_install_layout_keeps_the_config_and_uninstall_removes(self):
        dest = os.path.join(self.dir, "root")
        r = make("install", f"DESTDIR={dest}", "PREFIX=/usr")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        files = {
            "usr/bin/newswatch": 0o755,
            "usr/share/man/man8/newswatch.8": 0o644,
            "usr/share/man/man5/newswatch.yaml.5": 0o644,
            "usr/lib/systemd/system/newswatch.service": 0o644,
            "usr/lib/sysusers.d/newswatch.conf": 0o644,
            "usr/lib/tmpfiles.d/newswatch.conf": 0o644,
            "etc/newswatch/feeds.yaml": 0o644,
        }
        for path, mode in files.items():
            full = os.path.join(dest, path)
            self.assertTrue(os.path.isfile(full), path)
            self.assertEqual(os.stat(full).st_mode & 0o777, mode, path)
        for sub in ("tmp", "new", "cur"):
            self.assertTrue(os.path.isdir(os.path.join(dest, "var/spool/newswatch", sub)))
        with open(os.path.join(dest, "usr/lib/systemd/system/newswatch.service")) as f:
            unit = f.read()
        self.assertNotIn("@BINDIR@", unit)
        self.assertIn("ExecStart=/usr/bin/newswatch run", unit)
        # The installed example is a valid config.
        r = subprocess.run([os.path.join(dest, "usr/bin/newswatch"), "check", "-c",
                            os.path.join(dest, "etc/newswatch/feeds.yaml")],
                           capture_output=True, text=True)
        self.assertIn(": ok,", r.stdout, r.stderr)
        # An administrator's edits survive a reinstall.
        conf = os.path.join(dest, "etc/newswatch/feeds.yaml")
        with open(conf, "a") as f:
            f.write("# mine\n")
        self.assertEqual(make("install", f"DESTDIR={dest}", "PREFIX=/usr").returncode, 0)
        with open(conf) as f:
            self.assertTrue(f.read().endswith("# mine\n"))
        r = make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        left = sorted(os.path.relpath(os.path.join(d, f), dest)
                      for d, _, fs in os.walk(dest) for f in fs)
        self.assertEqual(left, ["etc/newswatch/feeds.yaml"])

    def test_every_library_linked_is_a_build_dependency(self):
        # The Makefile links each pkg-config name in PKGS and libev; the
        # -dev package holding each must be in debian/control (or `make
        # deb` fails on a clean builder) and in scripts/deps.sh (or the
        # README's first command does not build on a fresh machine).
        if shutil.which("dpkg") is None or shutil.which("pkg-config") is None:
            self.skipTest("no dpkg or pkg-config")
        with open(os.path.join(ROOT, "Makefile")) as f:
            m = re.search(r"^PKGS\s*=((?:.*\\\n)*.*)", f.read(), re.M)
        names = m.group(1).replace("\\", " ").split()
        self.assertIn("libcurl", names)
        files = [os.path.join(pkgconfig(n, "--variable=pcfiledir"), n + ".pc")
                 for n in names] + ["/usr/include/ev.h"]
        with open(os.path.join(ROOT, "debian", "control")) as f:
            control = f.read()
        build_depends = re.search(r"^Build-Depends:((?:.*\n[ \t].*)*.*)", control, re.M)
        declared = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", build_depends.group(1)))
        with open(os.path.join(ROOT, "scripts", "deps.sh")) as f:
            deps = set(re.search(r'^PKGS="([^"]*)"', f.read(), re.M).group(1).split())
        for path in files:
            r = subprocess.run(["dpkg", "-S", os.path.realpath(path)],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f"{path}: {r.stderr}")
            package = r.stdout.split(":")[0]
            self.assertIn(package, declared, f"{path} is in {package}, not in debian/control")
            self.assertIn(package, deps, f"{path} is in {package}, not in scripts/deps.sh")


    def test_man_pages_are_lint_clean(self):
        linters = []
        if shutil.which("mandoc"):
            linters.append(["mandoc", "-T", "lint", "-W", "warning"])
        if shutil.which("groff"):
            linters.append(["groff", "-ww", "-z", "-man", "-Tutf8"])
        if not linters:
            self.skipTest("neither mandoc nor groff is installed")
        for cmd in linters:
            for page in MAN_PAGES:
                r = subprocess.run(cmd + [os.path.join(ROOT, page)], capture_output=True,
                                   text=True, env=dict(os.environ, LC_ALL="C.UTF-8"))
                self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""),
                                 f"{cmd[0]} {page}")

    def unit(self):
        """The unit as installed, its @BINDIR@ naming this build's binary
        so that verify finds it."""
        if not shutil.which("systemd-analyze"):
            self.skipTest("no systemd-analyze")
        with open(os.path.join(ROOT, "systemd/newswatch.service")) as f:
            text = f.read().replace("@BINDIR@", ROOT)
        path = os.path.join(self.dir, "newswatch.service")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_unit_verifies(self):
        path = self.unit()
        # The man pages it cites are not installed here: --man=no.
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                           capture_output=True, text=True, cwd=self.dir)
        self.assertEqual((r.returncode, r.stderr), (0, ""), r.stdout)

    def test_unit_security_exposure(self):
        path = self.unit()
        r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                            "--no-pager", path], capture_output=True, text=True,
                           cwd=self.dir)
        m = re.search(r"Overall exposure level for newswatch.service: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        print(f"systemd-analyze security: {m.group(1)}", file=sys.stderr)
        self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE, r.stdout)


if __name__ == "__main__":
    main(sys.modules[__name__])
