#!/usr/bin/python3
"""Bounded over months: state_keep forgets entries long gone from their
feed and feeds long gone from the config; spool_keep removes old items
from new/ and cur/.  Months pass through NEWSWATCH_TEST_CLOCK_OFFSET
(seconds added to the daemon's clock).  The real binary against
tests/httpd.py on 127.0.0.1.  Run from the repository root:
python3 tests/integration/test_keep.py
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import BINARY, main, state_entries  # noqa: E402
from test_e2e import Env  # noqa: E402

DAY = 86400


class Keep(unittest.TestCase):
    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def once(self, days=0):
        environ = dict(os.environ, NEWSWATCH_TEST_CLOCK_OFFSET=str(days * DAY))
        r = subprocess.run([BINARY, "once", "-c", self.env.config], capture_output=True,
                           text=True, timeout=60, env=environ)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stderr

    def ids(self, feed):
        return sorted(eid for (name, eid) in state_entries(self.env.state) if name == feed)

    def test_entries_gone_longer_than_state_keep_are_forgotten(self):
        e = self.env
        e.write_config([{"path": "a.xml", "name": "a", "article": "false"}])
        e.write_feed("a.xml", [(1, 2), (2, 3), (3, 4)])
        self.once()
        # 1 and 2 leave the feed today.
        e.write_feed("a.xml", [(3, 4)])
        self.once()
        # 89 days on they are still remembered (the document changed, so
        # it is parsed again)...
        e.write_feed("a.xml", [(3, 4), (4, 5)])
        self.once(days=89)
        self.assertEqual(self.ids("a"), ["urn:story:1", "urn:story:2", "urn:story:3",
                                         "urn:story:4"])
        # ...past 90 they are not; 3, listed all along, stays.
        e.write_feed("a.xml", [(3, 4), (4, 5), (5, 6)])
        log = self.once(days=91)
        self.assertIn("feed a: forgot 2 entries gone from the feed", log)
        self.assertEqual(self.ids("a"), ["urn:story:3", "urn:story:4", "urn:story:5"])

    def test_state_keep_option_and_removed_feeds(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_feed("b.xml", [(2, 3)])
        feeds = [{"path": "a.xml", "name": "a", "article": "false"},
                 {"path": "b.xml", "name": "b", "article": "false"}]
        e.write_config(feeds, state_keep="10d")
        self.once()
        e.write_config(feeds[:1], state_keep="10d")
        self.once()
        self.once(days=9)
        self.assertEqual(self.ids("b"), ["urn:story:2"])
        log = self.once(days=11)
        self.assertIn("state: forgot 1 feeds removed from the config", log)
        self.assertEqual(self.ids("b"), [])
        self.assertEqual(self.ids("a"), ["urn:story:1"])
        r = subprocess.run([BINARY, "status", "-c", e.config], capture_output=True, text=True)
        self.assertNotIn("b (removed)", r.stdout)

    def test_spool_keep_removes_old_items_from_new_and_cur(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2), (2, 3)])
        e.write_config([{"path": "a.xml", "name": "a", "article": "false"}])
        self.once()
        # Off by default: nothing goes, however old.
        self.once(days=400)
        self.assertEqual(len(e.items()), 2)
        new = os.path.join(e.spool, "new")
        cur = os.path.join(e.spool, "cur")
        os.mkdir(cur)
        taken = sorted(os.listdir(new))[0]
        os.rename(os.path.join(new, taken), os.path.join(cur, taken + ":2,S"))
        with open(os.path.join(new, "README"), "w") as f:
            f.write("not an item\n")
        e.write_config([{"path": "a.xml", "name": "a", "article": "false"}],
                       spool_keep="30d")
        e.write_feed("a.xml", [(1, 2), (2, 3), (3, 4)])
        self.once(days=29)
        self.assertEqual(len(os.listdir(new)) + len(os.listdir(cur)), 4)
        log = self.once(days=31)
        self.assertIn("spool: removed 2 items older than spool_keep", log)
        self.assertEqual(os.listdir(cur), [])
        left = sorted(os.listdir(new))
        self.assertEqual(len(left), 2)
        self.assertIn("README", left)
        # Forgetting files never forgets entries: nothing is re-emitted.
        self.assertEqual(len(self.ids("a")), 3)


if __name__ == "__main__":
    main(sys.modules[__name__])
