#!/usr/bin/python3
"""Prometheus metrics: `newswatch run` with `metrics:` serves /metrics on
127.0.0.1, scraped during a run against tests/httpd.py; the counters
match the polls and items of that run, and `promtool check metrics`
accepts the page; etc/newswatch.rules.yml passes `promtool check rules`.
Run from the repository root: python3 tests/integration/test_metrics.py
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import ROOT, Daemon, main, spool_items, state_feeds, wait_for  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from test_e2e import Env  # noqa: E402

PROMTOOL = shutil.which("promtool")
SAMPLE = re.compile(r'^([a-z_]+)(?:\{([^}]*)\})? (\S+)$')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse(page):
    """{(name, frozenset of label pairs): value} of a text-format page."""
    out = {}
    for line in page.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def get(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


@unittest.skipUnless(PROMTOOL, "promtool (Debian's prometheus) not installed")
class Metrics(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.port = free_port()
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.close()
        self.env.close()

    def scrape(self, path="/metrics"):
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=10) as r:
            self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
            return r.read().decode()

    def start(self, **globals_):
        e = self.env
        e.write_feed("a.xml", [(1, 1), (2, 2), (3, 3)], title="A")
        e.write_feed("b.xml", [(4, 4), (5, 5)], title="B")
        e.write_config([{"path": "a.xml", "name": "a"},
                        {"path": "b.xml", "name": "b", "article": "false"},
                        {"path": "missing.xml", "name": "missing"}],
                       metrics=f"127.0.0.1:{self.port}", **globals_)
        self.daemon = Daemon(e)
        self.daemon.start()

    def wait_polled(self):
        """Until the state has the three polls and the metrics count them."""
        d = self.daemon
        wait_for(lambda: len(spool_items(self.env.spool)) == 5 and
                 len(state_feeds(self.env.state)) == 3 and
                 all(f[2] + f[3] == 1 for f in state_feeds(self.env.state).values()),
                 60, "three polls and five items", d.log)
        return wait_for(lambda: (lambda s: get(s, "newswatch_polls_total", result="ok") == 2
                                 and get(s, "newswatch_polls_total", result="failed") == 1
                                 and s)(parse(self.scrape())),
                        30, "the polls in the metrics", d.log)

    def promtool_check(self, page):
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=page,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + page[:2000])

    def test_counters_match_the_run(self):
        self.start()
        s = self.wait_polled()
        e = self.env
        page = self.scrape()
        self.promtool_check(page)
        s = parse(page)
        # Polls: two fetched and processed, one 404.
        self.assertEqual(get(s, "newswatch_polls_total", result="not_modified"), 0)
        self.assertEqual(get(s, "newswatch_polls_total", result="deferred"), 0)
        self.assertEqual(get(s, "newswatch_poll_failures_total", kind="http"), 1)
        for kind in ("network", "parse", "output", "state", "other"):
            self.assertEqual(get(s, "newswatch_poll_failures_total", kind=kind), 0, kind)
        # Items: the five files in new/, none to Redis (no sink).
        self.assertEqual(get(s, "newswatch_items_written_total", output="spool"),
                         len(spool_items(e.spool)))
        self.assertEqual(get(s, "newswatch_items_written_total", output="redis"), 0)
        # Transfers: three feeds, three pages (b has article: false),
        # each page's body counted as the server holds it.
        self.assertEqual(get(s, "newswatch_fetch_duration_seconds_count", kind="feed"), 3)
        self.assertEqual(get(s, "newswatch_fetch_duration_seconds_count", kind="page"), 3)
        self.assertEqual(get(s, "newswatch_extract_duration_seconds_count"), 3)
        pages = sum(os.path.getsize(os.path.join(e.site, "articles", f"{n}.html"))
                    for n in (1, 2, 3))
        self.assertEqual(get(s, "newswatch_fetched_bytes_total", kind="page"), pages)
        feeds = sum(os.path.getsize(os.path.join(e.site, f)) for f in ("a.xml", "b.xml"))
        self.assertGreaterEqual(get(s, "newswatch_fetched_bytes_total", kind="feed"), feeds)
        for where in ("state", "spool", "sink", "article"):
            self.assertEqual(get(s, "newswatch_errors_total", where=where), 0, where)
        # Per feed.
        self.assertEqual(get(s, "newswatch_feed_items_total", feed="a"), 3)
        self.assertEqual(get(s, "newswatch_feed_items_total", feed="b"), 2)
        self.assertEqual(get(s, "newswatch_feed_polls_total", feed="missing", result="failed"), 1)
        self.assertEqual(get(s, "newswatch_feed_polls_total", feed="a", result="ok"), 1)
        self.assertEqual(get(s, "newswatch_feed_consecutive_failures", feed="missing"), 1)
        self.assertEqual(get(s, "newswatch_feed_consecutive_failures", feed="a"), 0)
        # The state's own counts: nothing revised, no story twice, on a feed
        # that was never fetched.
        self.assertEqual(get(s, "newswatch_feed_revisions_total", feed="missing"), 0)
        self.assertEqual(get(s, "newswatch_feed_duplicates_total", feed="missing"), 0)
        for f in ("a", "b"):
            self.assertEqual(get(s, "newswatch_feed_revisions_total", feed=f), 0, f)
            self.assertGreaterEqual(get(s, "newswatch_feed_duplicates_total", feed=f), 0, f)
        self.assertEqual(sum(get(s, "newswatch_feed_duplicates_total", feed=f) for f in ("a", "b")),
                         sum(1 for _, i in e.items() if "duplicate_of" in i))
        self.assertEqual(get(s, "newswatch_feed_last_success_timestamp_seconds", feed="missing"), 0)
        self.assertGreater(get(s, "newswatch_feed_last_success_timestamp_seconds", feed="b"), 0)
        self.assertEqual(get(s, "newswatch_last_success_timestamp_seconds"),
                         max(get(s, "newswatch_feed_last_success_timestamp_seconds", feed=f)
                             for f in ("a", "b")))
        # By scheduling reason, as status shows them.
        self.assertEqual(get(s, "newswatch_feeds", reason="backoff"), 1)
        self.assertEqual(get(s, "newswatch_feeds", reason="default"), 2)
        self.assertEqual(sum(v for (n, _), v in s.items() if n == "newswatch_feeds"), 3)
        # Anything but /metrics is not found.
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.scrape("/")
        self.assertEqual(cm.exception.code, 404)
        self.assertEqual(self.daemon.stop(), 0)

    def test_not_modified_polls_are_counted(self):
        """A feed polled each second answers 304 from its second poll on:
        each poll counts once, under its result, in all and per feed."""
        e = self.env
        e.write_feed("b.xml", [(4, 4), (5, 5)], title="B")
        e.write_config([{"path": "b.xml", "name": "b", "article": "false",
                         "interval": "1s"}], metrics=f"127.0.0.1:{self.port}")
        self.daemon = Daemon(e)
        self.daemon.start()
        s = wait_for(lambda: (lambda s: get(s, "newswatch_feed_polls_total", feed="b",
                                            result="not_modified") >= 2 and s)(
                         parse(self.scrape())), 60, "two 304s", self.daemon.log)
        self.assertEqual(self.daemon.stop(), 0)
        results = ("ok", "not_modified", "failed", "deferred")
        self.assertEqual(get(s, "newswatch_polls_total", result="ok"), 1)
        self.assertEqual(get(s, "newswatch_polls_total", result="failed"), 0)
        for r in results:
            self.assertEqual(get(s, "newswatch_polls_total", result=r),
                             get(s, "newswatch_feed_polls_total", feed="b", result=r), r)
        # A transfer counts as it ends, its poll once the batch is written:
        # a scrape may fall between the two.
        self.assertIn(get(s, "newswatch_fetch_duration_seconds_count", kind="feed")
                      - sum(get(s, "newswatch_polls_total", result=r) for r in results),
                      (0, 1))
        self.assertEqual(get(s, "newswatch_items_written_total", output="spool"), 2)
        self.assertEqual(get(s, "newswatch_feed_items_total", feed="b"), 2)
        self.assertEqual(get(s, "newswatch_feeds", reason="pinned"), 1)

    def test_items_to_redis_are_counted(self):
        e = self.env
        redis = RedisServer()
        self.addCleanup(redis.close)
        e.write_feed("b.xml", [(4, 4), (5, 5)], title="B")
        e.write_config([{"path": "b.xml", "name": "b", "article": "false"}],
                       metrics=f"127.0.0.1:{self.port}", sink=redis.url("news"))
        self.daemon = Daemon(e)
        self.daemon.start()
        s = wait_for(lambda: (lambda s: get(s, "newswatch_polls_total", result="ok") == 1
                              and s)(parse(self.scrape())), 60, "the poll", self.daemon.log)
        self.assertEqual(len(redis.stream("news")), 2)
        self.assertEqual(get(s, "newswatch_items_written_total", output="redis"), 2)
        self.assertEqual(get(s, "newswatch_items_written_total", output="spool"), 2)
        self.assertEqual(get(s, "newswatch_errors_total", where="sink"), 0)
        self.assertEqual(self.daemon.stop(), 0)

    def test_per_feed_series_can_be_left_out(self):
        self.start(metrics_per_feed="false")
        self.wait_polled()
        page = self.scrape()
        self.promtool_check(page)
        self.assertNotIn('feed="', page)
        s = parse(page)
        self.assertEqual(get(s, "newswatch_items_written_total", output="spool"), 5)
        self.assertEqual(get(s, "newswatch_feeds", reason="backoff"), 1)
        self.assertEqual(self.daemon.stop(), 0)

    def test_example_rules_check(self):
        r = subprocess.run([PROMTOOL, "check", "rules",
                            os.path.join(ROOT, "etc", "newswatch.rules.yml")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS: 3 rules found", r.stdout)


if __name__ == "__main__":
    main(sys.modules[__name__])
