#!/usr/bin/python3
"""Host holds (issue 16): `once` leaves a host that asked to wait
(429/503 with Retry-After) for later instead of waiting for it, the hold
outlives the process in the state, and a host is a name and a port.

The servers here answer on events (one request waits until another has
arrived), each wait bounded, so that a hang shows as a failure and not as
a slow pass.  Run from the repository root:
    python3 tests/integration/test_holds.py
"""
import calendar
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_e2e import BINARY, article_page, rss  # noqa: E402

# A bound on each wait for an event, never reached when all goes well.
EVENT_WAIT = 20
# `once` must end well before this: a hold of hours shows as a timeout.
ONCE_TIMEOUT = 60


class Site(http.server.ThreadingHTTPServer):
    """A server whose answers are functions of the path: routes maps a
    path to fn(site) -> (status, headers, body).  Every request is
    recorded (path, time) before its route runs."""
    daemon_threads = True

    def __init__(self, routes):
        self.routes = routes
        self.requests = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), SiteHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]

    def paths(self):
        with self.lock:
            return [p for p, _ in self.requests]

    def close(self):
        self.shutdown()
        self.server_close()


class SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        with self.server.lock:
            self.server.requests.append((self.path, time.time()))
        route = self.server.routes.get(self.path.split("?")[0])
        status, headers, body = route(self.server) if route else (404, {}, "")
        data = body.encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def feed(doc):
    return lambda site: (200, {"Content-Type": "application/rss+xml"}, doc)


def page(n):
    return lambda site: (200, {"Content-Type": "text/html"}, article_page(n))


def busy(site):
    return (429, {"Retry-After": "7200"}, "slow down")


class Holds(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nw-holds-")
        self.spool = os.path.join(self.dir, "spool")
        self.state = os.path.join(self.dir, "state.db")
        self.config = os.path.join(self.dir, "feeds.yaml")
        self.sites = []

    def tearDown(self):
        for s in self.sites:
            s.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def site(self, routes):
        s = Site(routes)
        self.sites.append(s)
        return s

    def write_config(self, feeds, **settings):
        lines = [f"spool: {self.spool}", f"state: {self.state}",
                 "allow_private_addresses: true", "log_level: debug"]
        lines += [f"{k}: {v}" for k, v in settings.items()]
        lines.append("feeds:")
        for name, url in feeds:
            lines += [f"  - url: {url}", f"    name: {name}"]
        with open(self.config, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def once(self, offset=None):
        env = dict(os.environ)
        if offset is not None:
            env["NEWSWATCH_TEST_CLOCK_OFFSET"] = str(offset)
        return subprocess.run([BINARY, "once", "-c", self.config], env=env,
                              capture_output=True, text=True,
                              timeout=ONCE_TIMEOUT)

    def items(self):
        d = os.path.join(self.spool, "new")
        out = []
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), encoding="utf-8") as f:
                out.append(json.load(f))
        return out

    def deferred_until(self, stderr, name):
        """The time `once` says feed name was left until, epoch seconds."""
        m = re.search(rf"feed {name}: deferred until "
                      r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", stderr)
        self.assertIsNotNone(m, stderr)
        return calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ"))

    # -- once ------------------------------------------------------------

    def test_once_leaves_a_held_host_for_later_and_exits(self):
        """One feed answers 429 with Retry-After: 7200 while its host still
        has pages to fetch for two good feeds: once delivers the good
        feeds' items (the pages it may not ask for with the reason), names
        the feed it left for later and until when, and exits 1 at once
        instead of waiting two hours.  The 429 comes only once a page was
        asked for, so pages wait behind the hold whatever the order; a
        good feed's host is spelled 127.1, its pages' 2130706433: one
        host all the same."""
        page_asked, busy_sent = threading.Event(), threading.Event()

        def slow(site):
            page_asked.wait(EVENT_WAIT)
            busy_sent.set()
            return busy(site)

        def held_page(n):
            def route(site):
                page_asked.set()
                busy_sent.wait(EVENT_WAIT)
                return page(n)(site)
            return route

        routes = {"/slow.xml": slow}
        s = self.site(routes)
        one = f"http://127.0.0.1:{s.port}"
        other = f"http://2130706433:{s.port}"
        routes["/g1.xml"] = feed(rss(one, [(1, 2), (2, 3)]))
        routes["/g2.xml"] = feed(rss(other, [(3, 4), (4, 5)]))
        for n in range(1, 5):
            routes[f"/articles/{n}.html"] = held_page(n)
        self.write_config([("slow", f"{one}/slow.xml"), ("g1", f"{one}/g1.xml"),
                           ("g2", f"http://127.1:{s.port}/g2.xml")],
                          per_host_connections=2)
        start = time.time()
        r = self.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        until = self.deferred_until(r.stderr, "slow")
        self.assertTrue(start + 7200 - 5 <= until <= time.time() + 7200 + 5,
                        (start, until))
        self.assertIn("1 of 3 feeds deferred", r.stderr)
        self.assertNotIn("feeds failed", r.stderr)
        items = self.items()
        self.assertEqual(sorted(i["entry"]["id"] for i in items),
                         [f"urn:story:{n}" for n in range(1, 5)])
        held = [i for i in items if "error" in i["article"]]
        self.assertEqual(len(held), 3, items)
        for i in held:
            self.assertIn(f"not requested: host 127.0.0.1:{s.port} asked to wait",
                          i["article"]["error"])
        self.assertEqual(len([p for p in s.paths() if p.startswith("/articles/")]), 1,
                         s.paths())

    def test_a_hold_outlives_the_process(self):
        """The hold is in the state: the next once asks nothing of the host
        and says until when; after the hold it asks again, and the hold
        is forgotten."""
        s = self.site({"/slow.xml": busy})
        base = f"http://127.0.0.1:{s.port}"
        s.routes["/good.xml"] = feed(rss(base, [(1, 2)]))
        self.write_config([("slow", f"{base}/slow.xml"), ("good", f"{base}/good.xml")],
                          article="false")
        r = self.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        first = self.deferred_until(r.stderr, "slow")
        db = sqlite3.connect(self.state)
        (host, until_ms), = db.execute("SELECT host, until_ms FROM host_holds")
        db.close()
        self.assertEqual(host, f"127.0.0.1:{s.port}")
        self.assertAlmostEqual(until_ms / 1000, first, delta=2)

        asked = len(s.requests)
        r = self.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(s.paths()[asked:], [])
        self.assertIn("2 of 2 feeds deferred", r.stderr)
        for name in ("slow", "good"):
            self.assertAlmostEqual(self.deferred_until(r.stderr, name), first, delta=2)

        # Two hours on, the host is asked again, and the old hold is gone.
        s.routes["/slow.xml"] = feed(rss(base, [(2, 3)]))
        r = self.once(offset=7300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(s.paths()[asked:]), ["/good.xml", "/slow.xml"])
        db = sqlite3.connect(self.state)
        self.assertEqual(db.execute("SELECT count(*) FROM host_holds").fetchone(), (0,))
        db.close()

    # -- a host is a name and a port -------------------------------------

    def test_two_ports_are_two_hosts_for_per_host_connections(self):
        """per_host_connections: 1, a feed on each of two ports of
        127.0.0.1, each answered only once the other was asked for: both
        are in flight at once, or neither answers in time."""
        asked = {"a": threading.Event(), "b": threading.Event()}
        met = {}

        def meet(me, other):
            def route(site):
                asked[me].set()
                met[me] = asked[other].wait(EVENT_WAIT)
                return feed(rss(f"http://127.0.0.1:{site.port}", [(1, 2)]))(site)
            return route

        a = self.site({"/a.xml": meet("a", "b")})
        b = self.site({"/b.xml": meet("b", "a")})
        self.write_config([("a", f"http://127.0.0.1:{a.port}/a.xml"),
                           ("b", f"http://127.0.0.1:{b.port}/b.xml")],
                          article="false", per_host_connections=1)
        r = self.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(met, {"a": True, "b": True})

    def test_retry_after_on_one_port_holds_that_port_only(self):
        a = self.site({"/slow.xml": busy})
        b = self.site({})
        b.routes["/good.xml"] = feed(rss(f"http://127.0.0.1:{b.port}", [(1, 2)]))
        self.write_config([("slow", f"http://127.0.0.1:{a.port}/slow.xml"),
                           ("good", f"http://127.0.0.1:{b.port}/good.xml")],
                          article="false")
        r = self.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("1 of 2 feeds deferred", r.stderr)
        asked_a, asked_b = len(a.requests), len(b.requests)
        r = self.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("1 of 2 feeds deferred", r.stderr)
        self.assertNotIn("feed good: deferred", r.stderr)
        self.assertEqual(a.paths()[asked_a:], [])
        self.assertEqual(b.paths()[asked_b:], ["/good.xml"])


if __name__ == "__main__":
    from nwdaemon import main
    main(sys.modules[__name__])
