#!/usr/bin/python3
"""Items out to a Redis stream: the real binary against tests/httpd.py
and a redis-server of the tests' own (tests/integration/redis_server.py),
both on 127.0.0.1.  Each item arrives once, with the spool's JSON, beside
the spool or instead of it; a Redis that is down keeps the entries
pending and the daemon retrying until everything arrives, once.  Skipped,
saying why, when redis-server is not installed.  Run from the repository
root:  python3 tests/integration/test_redis.py
"""
import json
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import (STATUS_PENDING, STATUS_SEEN, Daemon, main,  # noqa: E402
                      spool_items, state_entries, wait_for)
from redis_server import RedisServer  # noqa: E402
from test_e2e import Env  # noqa: E402

STREAM = "news"


class RedisSink(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer()
        self.env = Env()

    def tearDown(self):
        self.env.close()
        self.redis.close()

    def write_config(self, feeds, spool=True, **globals_):
        self.env.write_config(feeds, sink=self.redis.url(STREAM), **globals_)
        if not spool:
            with open(self.env.config, encoding="utf-8") as f:
                text = f.read()
            with open(self.env.config, "w", encoding="utf-8") as f:
                f.write(text.replace(f"spool: {self.env.spool}\n", "spool: off\n"))

    def once(self, want_rc=0):
        r = self.env.once()
        self.assertEqual(r.returncode, want_rc, r.stderr)
        return r

    def stream_items(self):
        """{item name: item} of the stream; a name twice fails."""
        out = {}
        for _, fields in self.redis.stream(STREAM):
            self.assertNotIn(fields["name"], out, f"{fields['name']} is in the stream twice")
            out[fields["name"]] = json.loads(fields["item"])
        return out

    def seen(self):
        return {eid for (_, eid), (status, _) in state_entries(self.env.state).items()
                if status == STATUS_SEEN}

    def test_items_arrive_once_beside_the_spool(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])
        self.write_config([{"path": "wire.xml", "name": "wire"}])
        self.once()
        spooled = spool_items(e.spool)
        streamed = self.stream_items()
        self.assertEqual(len(streamed), 3)
        # The same names and the very same JSON, article included.
        self.assertEqual(streamed, spooled)
        self.assertEqual(sorted(i["entry"]["id"] for i in streamed.values()),
                         ["urn:story:1", "urn:story:2", "urn:story:3"])
        self.assertTrue(all(i["article"]["text"] for i in streamed.values()))
        # A consumer group, as the README shows it, reads each one.
        self.redis.command("XGROUP", "CREATE", STREAM, "readers", "0", "MKSTREAM")
        [[name, entries]] = self.redis.command("XREADGROUP", "GROUP", "readers", "w1",
                                               "COUNT", "10", "STREAMS", STREAM, ">")
        self.assertEqual(name, STREAM)
        self.assertEqual(sorted(dict(zip(f[::2], f[1::2]))["name"] for _, f in entries),
                         sorted(spooled))
        # Seen now: a second run adds nothing.
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4), (4, 5)])
        self.once()
        self.assertEqual(len(self.stream_items()), 4)
        self.assertEqual(self.stream_items(), spool_items(e.spool))

    def test_spool_off_items_go_to_the_stream_only(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3)])
        self.write_config([{"path": "wire.xml", "name": "wire"}], spool=False,
                          sink_maxlen=0, article="false")
        r = e.run("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"spool off, state {e.state}, sink {self.redis.url(STREAM)} "
                      "(never trimmed)", r.stdout)
        self.assertNotIn("warning", r.stdout)
        self.once()
        streamed = self.stream_items()
        self.assertEqual(sorted(i["entry"]["id"] for i in streamed.values()),
                         ["urn:story:1", "urn:story:2"])
        self.assertEqual(self.seen(), {"urn:story:1", "urn:story:2"})
        self.assertFalse(os.path.exists(e.spool))
        r = e.run("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"items go to {self.redis.url(STREAM)} (stream never trimmed)",
                      r.stdout)
        r = e.run("tail")
        self.assertEqual(r.returncode, 1)
        self.assertIn("spool: off", r.stderr)

    def test_check_warns_when_redis_does_not_answer(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        self.write_config([{"path": "wire.xml", "name": "wire"}])
        self.redis.stop()
        r = e.run("check")
        # A warning, not an error: the daemon would start and retry.
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"{e.config}: warning: sink cannot be reached: "
                      f"{self.redis.url(STREAM)}: Connection refused\n", r.stdout)
        self.assertIn("1 warning", r.stdout)

    def test_reemitted_items_are_not_added_twice(self):
        """A crash between Redis's acknowledgement and the state's commit
        leaves the entries pending: made so here by hand, the next run
        emits them again, under the same names, and the stream keeps one
        entry each."""
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])
        self.write_config([{"path": "wire.xml", "name": "wire"}], article="false")
        self.once()
        before = self.stream_items()
        self.assertEqual(len(before), 3)
        db = sqlite3.connect(e.state)
        db.execute("UPDATE entries SET status = ?", (STATUS_PENDING,))
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
        db.commit()
        db.close()
        r = self.once()
        self.assertIn("3 items", r.stderr)
        self.assertEqual(len(self.seen()), 3)
        self.assertEqual(self.stream_items(), before)
        self.assertEqual(self.redis.command("XLEN", STREAM), 3)

    def test_redis_down_keeps_entries_pending_until_it_is_back(self):
        e = self.env
        stories = [(1, 2), (2, 3), (3, 4)]
        e.write_feed("wire.xml", stories)
        self.write_config([{"path": "wire.xml", "name": "wire", "interval": "1s"}],
                          max_backoff="2s", article="false")
        d = Daemon(e)
        try:
            d.start()
            wait_for(lambda: len(self.seen()) == 3, 30, "the first three items", d.log)
            self.assertEqual(len(self.stream_items()), 3)

            self.redis.stop()
            stories += [(4, 5), (5, 6)]
            e.write_feed("wire.xml", stories)
            failure = "feed wire: 2 of 2 items could not be written"
            # Polled, failed, backed off and polled again while down.
            wait_for(lambda: d.log().count(failure) >= 2, 60,
                     "two failed polls while Redis is down", d.log)
            state = state_entries(e.state)
            self.assertEqual(state[("wire", "urn:story:4")][0], STATUS_PENDING)
            self.assertEqual(state[("wire", "urn:story:5")][0], STATUS_PENDING)
            self.assertIn("Connection refused", d.log())

            self.redis.start()
            wait_for(lambda: len(self.seen()) == 5, 60, "the two items held back", d.log)
            self.assertEqual(d.stop(), 0)
        finally:
            d.close()
        streamed = self.stream_items()
        self.assertEqual(sorted(i["entry"]["id"] for i in streamed.values()),
                         [f"urn:story:{n}" for n in range(1, 6)])
        # What the spool got, and nothing more, is in the stream.
        self.assertEqual(streamed, spool_items(e.spool))


if __name__ == "__main__":
    main(sys.modules[__name__])
