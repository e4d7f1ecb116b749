#!/usr/bin/python3
"""`newswatch why`: what the state and the spool say of an entry (by id,
by link, by spool name) or of a feed, for each state an entry can be in
(seen: in new/, in cur/, taken; gone; pending; new; unknown), on SQLite
and on PostgreSQL (tests/integration/pgserver.py, skipped when not
installed), and whether the Redis stream has it.  The real binary
against tests/httpd.py on 127.0.0.1.  Run from the repository root:
python3 tests/integration/test_why.py
"""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import BINARY, main  # noqa: E402
from pgserver import PgServer  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from test_e2e import Env  # noqa: E402

PG = PgServer()
PG_SKIP = PG.skip_reason()
DAY = 86400


def setUpModule():
    if not PG_SKIP:
        PG.start()


def tearDownModule():
    PG.stop()


class WhySqlite(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.redis = None

    def tearDown(self):
        self.env.close()
        if self.redis:
            self.redis.close()

    def configure(self, **globals_):
        self.env.write_config([{"path": "a.xml", "name": "a", "article": "false"}],
                              **globals_)

    def once(self, fault=None, want=0):
        environ = dict(os.environ)
        if fault:
            environ["NEWSWATCH_FAULT_SPOOL"] = fault
        r = subprocess.run([BINARY, "once", "-c", self.env.config], capture_output=True,
                           text=True, timeout=60, env=environ)
        self.assertEqual(r.returncode, want, r.stderr)

    def why(self, arg, want=0):
        r = self.env.run("why", arg, "--json")
        self.assertEqual(r.returncode, want, r.stdout + r.stderr)
        return json.loads(r.stdout)

    def why_text(self, arg, want=0):
        r = self.env.run("why", arg)
        self.assertEqual(r.returncode, want, r.stdout + r.stderr)
        return r.stdout

    def name_of(self, n):
        """The spool name of story n, from the spool."""
        for d in ("new", "cur"):
            path = os.path.join(self.env.spool, d)
            for name in os.listdir(path) if os.path.isdir(path) else []:
                with open(os.path.join(self.env.spool, d, name), encoding="utf-8") as f:
                    if json.load(f)["entry"]["id"] == f"urn:story:{n}":
                        return name
        raise AssertionError(f"story {n} is not in the spool")

    def entry(self, arg):
        out = self.why(arg)
        self.assertTrue(out["known"])
        self.assertFalse(out["new_if_seen_now"])
        self.assertEqual(len(out["entries"]), 1, out)
        return out["entries"][0]

    def test_each_state(self):
        e = self.env
        self.configure()
        # Stories 1-3 seen; 2 then read (cur/, a flag added), 3 taken.
        e.write_feed("a.xml", [(1, 1), (2, 2), (3, 3)])
        self.once()
        two, three = self.name_of(2), self.name_of(3)
        os.makedirs(os.path.join(e.spool, "cur"), exist_ok=True)
        os.rename(os.path.join(e.spool, "new", two), os.path.join(e.spool, "cur", two + ":2,S"))
        os.unlink(os.path.join(e.spool, "new", three))
        # 1 leaves the feed, 4 comes: seen.
        e.write_feed("a.xml", [(2, 2), (3, 3), (4, 4)])
        self.once()
        four = self.name_of(4)
        # 5 comes while the spool is full: pending.
        e.write_feed("a.xml", [(2, 2), (3, 3), (4, 4), (5, 5)])
        self.once(fault="ENOSPC:100", want=1)
        # 6 comes and is not polled yet: new.
        e.write_feed("a.xml", [(2, 2), (3, 3), (4, 4), (5, 5), (6, 6)])

        gone = self.entry("urn:story:1")
        self.assertEqual((gone["feed"], gone["state"], gone["spool"]), ("a", "seen", "new"))
        self.assertIsNotNone(gone["gone_since"])
        self.assertIsNotNone(gone["forget_at"])
        text = self.why_text("urn:story:1")
        self.assertIn("gone from the feed's document since", text)
        self.assertIn("new again should it come back after that", text)

        read = self.entry("urn:story:2")
        self.assertEqual((read["state"], read["spool"], read["spool_name"]), ("seen", "cur", two))
        self.assertIsNone(read["gone_since"])
        self.assertIn(f"spool: {two} in cur/", self.why_text("urn:story:2"))

        taken = self.entry("urn:story:3")
        self.assertEqual((taken["state"], taken["spool"]), ("seen", "taken"))
        self.assertIn("taken by a consumer", self.why_text("urn:story:3"))

        # A seen entry by its link: found through its item in the spool.
        seen = self.entry(f"{e.base}/articles/4.html")
        self.assertEqual((seen["id"], seen["state"], seen["spool"], seen["spool_name"]),
                         ("urn:story:4", "seen", "new", four))
        # And by its spool name.
        self.assertEqual(self.entry(four)["id"], "urn:story:4")

        pending = self.entry("urn:story:5")
        self.assertEqual((pending["state"], pending["spool"], pending["seen_at"]),
                         ("pending", "not written", None))
        # A pending entry by its link: the state keeps its entry.
        self.assertEqual(self.entry(f"{e.base}/articles/5.html")["id"], "urn:story:5")
        self.assertIn("state: pending since", self.why_text("urn:story:5"))

        for arg in ("urn:story:6", "urn:nope", f"{e.base}/articles/6.html"):
            out = self.why(arg, want=1)
            self.assertEqual((out["known"], out["new_if_seen_now"], out["entries"]),
                             (False, True, []), arg)
        self.assertIn("unknown", self.why_text("urn:nope", want=1))

        # The feed, by name and by URL: its last poll failed (the full
        # spool), so its next one backs off.
        for arg in ("a", f"{e.base}/a.xml"):
            feed = self.why(arg)["feeds"]
            self.assertEqual(len(feed), 1)
            self.assertEqual((feed[0]["name"], feed[0]["interval_why"], feed[0]["failures"]),
                             ("a", "backoff", 1))
            self.assertIn("backing off", feed[0]["next_poll_because"])
        text = self.why_text("a")
        self.assertRegex(text, r"next poll: \S+, \S+ after the last: backing off")

    def test_forgotten_item_still_in_the_spool(self):
        """An item older than state_keep: the state forgot its entry,
        the spool still has it."""
        e = self.env
        self.configure()
        e.write_feed("a.xml", [(1, 1), (2, 2)])
        self.once()
        one = self.name_of(1)
        e.write_feed("a.xml", [(2, 2)])
        self.once()
        # 91 days on, a changed document (a 304 notes nothing gone).
        e.write_feed("a.xml", [(2, 2)], title="Renamed")
        environ = dict(os.environ, NEWSWATCH_TEST_CLOCK_OFFSET=str(91 * DAY))
        r = subprocess.run([BINARY, "once", "-c", e.config], capture_output=True, text=True,
                           timeout=60, env=environ)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.why("urn:story:1", want=1)
        out = self.why(one)
        self.assertEqual((out["known"], out["entries"], out["spool_only"]), (True, [], "new"))

    def test_the_stream_has_it(self):
        e = self.env
        self.redis = RedisServer()
        self.configure(sink=self.redis.url("news"))
        e.write_feed("a.xml", [(1, 1)])
        self.once()
        self.assertIs(self.entry("urn:story:1")["redis"], True)
        self.assertIn("redis: the stream has it", self.why_text("urn:story:1"))
        self.redis.command("DEL", f"news:item:{self.name_of(1)}")
        self.assertIs(self.entry("urn:story:1")["redis"], False)


@unittest.skipIf(PG_SKIP, PG_SKIP or "")
class WhyPostgres(WhySqlite):
    def setUp(self):
        super().setUp()
        self.env.state = PG.createdb(
            re.sub(r"\W", "_", self.id().split(".")[-1].lower()) + f"_why_{os.getpid()}")


if __name__ == "__main__":
    main(sys.modules[__name__])
