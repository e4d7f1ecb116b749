#!/usr/bin/python3
"""Documents whose cost grew faster than their size: a 2.3 MB feed with one
200,000-attribute element (parsed on the loop) and entries linking to
1 MB pages with 100,000 attributes (parsed on the workers), beside a good
feed polled every second.  The good feed's polls go on, WATCHDOG=1 keeps
coming, SIGTERM ends the daemon within 5 seconds with nothing partial in
the spool, and the hostile documents still read as they should.  Run from
the repository root: python3 tests/integration/test_hostile_markup.py
"""
import os
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import (SANITIZED, Daemon, main, spool_items,  # noqa: E402
                      state_feeds, wait_for)
from test_e2e import Env  # noqa: E402

FEED_ATTRS = 200000
PAGE_ATTRS = 100000
# Generous bounds: the good feed is due every second and the watchdog
# every half second; a parse that held the loop for minutes, as before,
# is far past them.  ASan makes everything several times slower.
MAX_POLL_GAP = 15 if SANITIZED else 6
MAX_WATCHDOG_GAP = 10 if SANITIZED else 4
STOP_WITHIN = 5
SETTLE = 180 if SANITIZED else 60


def attrs(n):
    return "".join(f' a{i}="v"' for i in range(n))


def hostile_feed():
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f'<title>Attrs</title><item{attrs(FEED_ATTRS)}><title>Hostile</title>'
            '<guid>attr-1</guid></item><item><title>After</title><guid>attr-2</guid>'
            '</item></channel></rss>\n')


def hostile_page(n):
    return (f"<html><head><title>Hostile page {n}</title></head><body><div"
            f"{attrs(PAGE_ATTRS)}><p>Body of hostile page {n}.</p></div></body></html>")


def pages_feed(base, numbers):
    items = "".join(f"<item><title>Page {n}</title><guid>page-{n}</guid>"
                    f"<link>{base}/pages/{n}.html</link></item>" for n in numbers)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>Pages</title>{items}</channel></rss>\n")


class Notifications:
    """Every sd_notify message the daemon sends, with when it came."""

    def __init__(self, sock):
        self.sock = sock
        self.messages = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        self.sock.settimeout(0.2)
        while not self.done.is_set():
            try:
                data = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            self.messages += [(now, m) for m in data.split("\n")]

    def stop(self):
        self.done.set()
        self.thread.join()

    def times(self, want):
        return [t for t, m in self.messages if m == want]


def max_gap(times, end):
    times = sorted(times) + [end]
    return max(b - a for a, b in zip(times, times[1:]))


class HostileMarkup(unittest.TestCase):
    def setUp(self):
        self.env = e = Env()
        e.write_feed("good.xml", [(1, 2)])
        e.write_site("attrs.xml", hostile_feed())
        for n in range(1, 7):
            e.write_site(f"pages/{n}.html", hostile_page(n))
        e.write_site("pages.xml", pages_feed(e.base, [1, 2, 3]))
        e.write_config([{"path": "good.xml", "name": "good", "interval": "1s"},
                        {"path": "attrs.xml", "name": "attrs", "interval": "1s"},
                        {"path": "pages.xml", "name": "pages", "interval": "1s",
                         "article": "true"}],
                       article="false")
        self.daemon = Daemon(e, extra_env={"WATCHDOG_USEC": "1000000"})
        self.notes = None

    def tearDown(self):
        if self.notes:
            self.notes.stop()
        self.daemon.close()
        self.env.close()

    def requested(self, path):
        return [r["time"] for r in self.env.server.requests if r["path"] == path]

    def items(self, feed):
        return {i["entry"]["id"]: i for i in spool_items(self.env.spool).values()
                if i["feed"]["name"] == feed}

    def test_hostile_documents_cost_their_feed_only(self):
        e, d = self.env, self.daemon
        d.start()
        self.notes = Notifications(d.sock)
        started = time.time()
        # The hostile feed and pages are read, and read right.
        wait_for(lambda: len(self.items("attrs")) == 2
                 and len([i for i in self.items("pages").values() if "article" in i]) == 3,
                 SETTLE, "the hostile feed's entries and pages", d.log)
        self.assertEqual(sorted(i["entry"]["title"] for i in self.items("attrs").values()),
                         ["After", "Hostile"])
        for n in (1, 2, 3):
            art = self.items("pages")[f"page-{n}"]["article"]
            self.assertEqual(art.get("title"), f"Hostile page {n}")
            self.assertIn(f"Body of hostile page {n}.", art.get("text") or "")
        self.assertIn("attributes past 256", d.log())
        # A few seconds of the good feed's polls to measure gaps in.
        wait_for(lambda: len([t for t in self.requested("/good.xml") if t >= started]) >= 6,
                 SETTLE, "six polls of the good feed", d.log)

        # Three more hostile pages; SIGTERM as soon as the workers fetch
        # them, with their parses under way.
        e.write_site("pages.xml", pages_feed(e.base, [1, 2, 3, 4, 5, 6]))
        wait_for(lambda: all(self.requested(f"/pages/{n}.html") for n in (4, 5, 6)),
                 SETTLE, "the new hostile pages to be fetched", d.log)
        ended = time.time()
        stop_at = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        rc = d.proc.wait(timeout=60)
        took = time.monotonic() - stop_at
        print(f"\nhostile markup: stopped in {took:.2f} s", file=sys.stderr)
        self.assertEqual(rc, 0, d.log()[-2000:])
        self.assertLess(took, STOP_WITHIN, "SIGTERM took too long")

        polls = [t for t in self.requested("/good.xml") if t >= started]
        gap = max_gap(polls, ended)
        self.notes.stop()
        pings = self.notes.times("WATCHDOG=1")
        ping_gap = max_gap(pings, stop_at)
        print(f"hostile markup: {len(polls)} good polls, longest gap {gap:.2f} s; "
              f"{len(pings)} watchdog pings, longest gap {ping_gap:.2f} s",
              file=sys.stderr)
        self.assertLess(gap, MAX_POLL_GAP, "the good feed stopped being polled")
        self.assertLess(ping_gap, MAX_WATCHDOG_GAP, "WATCHDOG=1 stopped")
        # Whatever reached new/ is complete (spool_items reads every file
        # as strict JSON), and the hostile feed cost nothing but itself.
        self.assertEqual(len(self.items("good")), 1)
        self.assertGreater(state_feeds(e.state)["good"][2], 0)


if __name__ == "__main__":
    main(sys.modules[__name__])
