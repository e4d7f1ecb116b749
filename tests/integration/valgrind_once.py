#!/usr/bin/python3
"""`newswatch once` under valgrind against the loopback test server: feeds,
articles, a 304 cycle, a failing feed and a broken page, and no memory
error or leak anywhere on the way.  Run by scripts/run-tests.sh --valgrind
(not named test_*: one valgrind run costs as much as a whole test file).
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import BINARY, main, spool_items  # noqa: E402
from test_e2e import Env  # noqa: E402

VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full",
            "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
            "--track-origins=yes"]


@unittest.skipIf(shutil.which("valgrind") is None, "valgrind missing (scripts/deps.sh installs it)")
class Valgrind(unittest.TestCase):
    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def once(self):
        r = subprocess.run(VALGRIND + [BINARY, "once", "-c", self.env.config],
                           capture_output=True, text=True, timeout=300)
        self.assertNotEqual(r.returncode, 99, r.stderr[-6000:])
        self.assertRegex(r.stderr, r"ERROR SUMMARY: 0 errors")
        self.assertNotRegex(r.stderr, r"definitely lost: [1-9]")
        self.assertNotRegex(r.stderr, r"indirectly lost: [1-9]")
        return r

    def test_once_is_clean(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])
        e.write_site("articles/3.html", "<html><head><script type='application/ld+json'>"
                     "{broken</script></head><body><div><p>x</p></div></body></html>")
        with open(os.path.join(os.path.dirname(__file__), "..", "data", "feeds", "atom10.xml"),
                  encoding="utf-8") as f:
            e.write_site("atom.xml", f.read())
        e.write_config([{"path": "wire.xml", "name": "wire"},
                        {"path": "atom.xml", "name": "atom", "article": "false"},
                        {"path": "missing.xml", "name": "missing"}])
        r = self.once()
        self.assertEqual(r.returncode, 1)          # the missing feed
        items = spool_items(e.spool)
        self.assertGreaterEqual(len(items), 4)
        # The second cycle: 304s and nothing new, also clean.
        r = self.once()
        self.assertEqual(len(spool_items(e.spool)), len(items))
        print("valgrind: " + "; ".join(re.findall(r"(ERROR SUMMARY: [^(]*)", r.stderr)[-1:]),
              file=sys.stderr)


if __name__ == "__main__":
    main(sys.modules[__name__])
