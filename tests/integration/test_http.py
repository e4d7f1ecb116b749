#!/usr/bin/python3
"""The polite, self-tuning poller (issue 5): conditional GET, compression
and size caps, redirects, timeouts, Retry-After, backoff, 410, TLS, proxy,
headers, per-host politeness and the adaptive schedule, each against the
loopback server tests/httpd.py.  Time-dependent behaviour uses short
settings or NEWSWATCH_TEST_CLOCK_OFFSET, never long sleeps.
Run from the repository root:  python3 tests/integration/test_http.py
"""
import email.utils
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_e2e import BINARY, Env, rss  # noqa: E402
from httpd import TestServer  # noqa: E402


def feed_with(base, items, extra=""):
    """rss() with extra channel elements (ttl, ...)."""
    return rss(base, items).replace("<title>Wire</title>", "<title>Wire</title>" + extra, 1)


class Http(unittest.TestCase):
    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def meta(self, path, **meta):
        self.env.write_site(path + ".meta.json", json.dumps(meta))

    def once(self, want_rc=0, offset=None):
        env = dict(os.environ)
        if offset is not None:
            env["NEWSWATCH_TEST_CLOCK_OFFSET"] = str(offset)
        r = subprocess.run([BINARY, "once", "-c", self.env.config], capture_output=True,
                           text=True, timeout=60, env=env)
        self.assertEqual(r.returncode, want_rc, r.stderr)
        return r

    def status_row(self, name):
        r = self.env.run("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [l for l in r.stdout.splitlines() if l.startswith(name + " ")]
        self.assertEqual(len(rows), 1, r.stdout)
        return rows[0]

    def feed_state(self, name):
        db = sqlite3.connect(self.env.state)
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM feeds WHERE name = ?", (name,)).fetchone()
        urls = [tuple(r) for r in db.execute(
            "SELECT url, reason FROM feed_urls WHERE feed_id = ? ORDER BY rowid", (row["id"],))]
        db.close()
        return dict(row), urls

    def paths(self, since=0):
        return [r["path"] for r in self.env.server.requests[since:]]

    # -- conditional GET ------------------------------------------------

    def test_304_emits_nothing_and_parses_nothing(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        self.meta("wire.xml", no_etag=True)      # Last-Modified alone
        e.write_config([{"path": "wire.xml", "name": "wire"}], article="false")
        self.once()
        mtime = os.stat(os.path.join(e.site, "wire.xml")).st_mtime
        # Garbage with the old mtime: only a 304 keeps it from being parsed.
        e.write_site("wire.xml", "<rss><channel><item>garbage")
        os.utime(os.path.join(e.site, "wire.xml"), (mtime, mtime))
        before = len(e.server.requests)
        self.once()
        req, = e.server.requests[before:]
        self.assertIn("if-modified-since", req["headers"])
        self.assertEqual(req["status"], 304)
        self.assertEqual(len(e.items()), 1)
        st, _ = self.feed_state("wire")
        self.assertEqual((st["last_status"], st["last_error"], st["failures"]), (304, None, 0))

    # -- compression and size caps --------------------------------------

    def test_gzip_and_brotli_bodies_are_decoded(self):
        e = self.env
        e.write_feed("gz.xml", [(1, 2)])
        e.write_feed("br.xml", [(2, 3)])
        self.meta("br.xml", encoding="br")
        e.write_config([{"path": "gz.xml", "name": "gz"}, {"path": "br.xml", "name": "br"}],
                       article="false")
        self.once()
        self.assertEqual(sorted(i["entry"]["id"] for _, i in e.items()),
                         ["urn:story:1", "urn:story:2"])
        for r in e.server.requests:
            codings = [c.strip() for c in r["headers"]["accept-encoding"].split(",")]
            self.assertTrue({"gzip", "br", "deflate"} <= set(codings), codings)

    def test_decoded_size_cap_aborts_feeds_and_pages(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        self.meta("articles/1.html", status=302, redirect="/_bomb?bytes=3000000&encoding=br")
        e.write_config([{"path": "_bomb?bytes=3000000&encoding=gzip", "name": "gzbomb"},
                        {"path": "_bomb?bytes=3000000&encoding=br", "name": "brbomb"},
                        {"path": "wire.xml", "name": "wire"}],
                       max_feed_bytes="1M", max_page_bytes="1M")
        r = self.once(want_rc=1)
        self.assertIn("2 of 3 feeds failed", r.stderr)
        for name in ("gzbomb", "brbomb"):
            self.assertRegex(r.stderr, f"feed {name}: .*body larger than 1048576 bytes "
                             "once decoded: transfer aborted")
            st, _ = self.feed_state(name)
            self.assertEqual(st["polls"], 0)
            self.assertIsNone(st["etag"])
        (_, item), = e.items()
        self.assertEqual(item["feed"]["name"], "wire")
        self.assertIn("body larger than 1048576 bytes once decoded", item["article"]["error"])

    # -- redirects ------------------------------------------------------

    def test_permanent_prefix_of_a_redirect_chain_is_remembered(self):
        e = self.env
        e.write_feed("c.xml", [(1, 2)])
        self.meta("a.xml", status=301, redirect="/b.xml")
        self.meta("b.xml", status=302, redirect="/c.xml")
        e.write_feed("z.xml", [(2, 2)])
        self.meta("x.xml", status=308, redirect="/y.xml")
        self.meta("y.xml", status=301, redirect="/z.xml")
        e.write_feed("u.xml", [(3, 2)])
        self.meta("t.xml", status=307, redirect="/u.xml")
        e.write_config([{"path": "a.xml", "name": "mixed"}, {"path": "x.xml", "name": "perm"},
                        {"path": "t.xml", "name": "temp"}], article="false")
        self.once()
        self.assertEqual(len(e.items()), 3)
        before = len(e.server.requests)
        self.once()
        self.assertEqual(sorted(self.paths(before)), ["/b.xml", "/c.xml", "/t.xml", "/u.xml",
                                                      "/z.xml"])
        self.assertEqual(len(e.items()), 3)
        row = self.status_row("mixed")
        self.assertIn(f"{e.base}/b.xml  (moved permanently from {e.base}/a.xml)", row)
        self.assertIn(f"{e.base}/z.xml  (moved permanently from {e.base}/x.xml)",
                      self.status_row("perm"))
        self.assertNotIn("moved", self.status_row("temp"))
        st, urls = self.feed_state("mixed")
        self.assertEqual(st["url"], f"{e.base}/b.xml")
        self.assertEqual(urls, [(f"{e.base}/a.xml", "config"),
                                (f"{e.base}/b.xml", "permanent redirect")])
        # A new url in the config starts afresh.
        e.write_config([{"path": "c.xml", "name": "mixed"}], article="false")
        before = len(e.server.requests)
        self.once()
        self.assertEqual(self.paths(before), ["/c.xml"])
        _, urls = self.feed_state("mixed")
        self.assertEqual(urls[-1], (f"{e.base}/c.xml", "config"))

    def test_redirect_loops_and_other_protocols_are_errors(self):
        e = self.env
        self.meta("file.xml", status=301, redirect="file:///etc/passwd")
        e.write_config([{"path": "_loop", "name": "loop"}, {"path": "file.xml", "name": "file"}])
        r = self.once(want_rc=1)
        self.assertIn("feed loop: ", r.stderr)
        self.assertIn("more than 10 redirects (a redirect loop?)", r.stderr)
        self.assertRegex(r.stderr, r"feed file: .*[Pp]rotocol .*file")
        self.assertEqual(len([p for p in self.paths() if p == "/_loop"]), 11)

    # -- timeouts -------------------------------------------------------

    def test_trickle_is_cut_by_the_low_speed_limit_and_slow_by_the_timeout(self):
        """The low-speed window is min(30 s, timeout / 2): 2 s here."""
        e = self.env
        e.write_feed("trickle.xml", [(1, 2)])
        self.meta("trickle.xml", trickle=2)
        e.write_feed("steady.xml", [(2, 2)])
        self.meta("steady.xml", trickle=60)          # fast enough, too long
        e.write_config([{"path": "trickle.xml", "name": "trickle", "timeout": "4s"},
                        {"path": "steady.xml", "name": "steady", "timeout": "2s"}])
        r = self.once(want_rc=1)
        self.assertRegex(r.stderr, r"feed trickle: .*too slow. Less than 10 bytes/sec"
                         r" transferred the last 2 seconds")
        self.assertRegex(r.stderr, r"feed steady: .*timed out after 2\d\d\d mill")
        self.assertEqual(e.items(), [])

    # -- 429, 503, Retry-After ------------------------------------------

    def test_retry_after_holds_every_request_to_the_host(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3)])
        self.meta("articles/1.html", status=429, headers={"Retry-After": "2"})
        e.write_config([{"path": "wire.xml", "name": "wire"}], per_host_connections=1)
        self.once()
        reqs = {r["path"]: r for r in e.server.requests}
        gap = reqs["/articles/2.html"]["time"] - reqs["/articles/1.html"]["time"]
        self.assertGreaterEqual(gap, 1.95)
        items = {i["entry"]["id"]: i for _, i in e.items()}
        self.assertEqual(items["urn:story:1"]["article"]["error"], "HTTP 429")
        self.assertNotIn("error", items["urn:story:2"]["article"])

    def test_feed_retry_after_in_seconds_and_as_date_is_bounded(self):
        e = self.env
        self.meta("busy.xml", status=503, headers={"Retry-After": "5400"})
        e.write_config([{"path": "busy.xml", "name": "busy"}])
        self.once(want_rc=1)
        st, _ = self.feed_state("busy")
        self.assertEqual((st["interval"], st["interval_why"]), (5400, "retry-after"))
        self.assertIn("1h30m (retry-after)", self.status_row("busy"))
        later = email.utils.formatdate(time.time() + 5 * 3600, usegmt=True)
        self.meta("busy.xml", status=429, headers={"Retry-After": later})
        e.write_config([{"path": "busy.xml", "name": "busy"}], max_retry_after="2h")
        # The first answer's hold outlives the process: ask after it.
        r = self.once(want_rc=1, offset=5401)
        self.assertIn("HTTP 429, Retry-After 7200 s", r.stderr)
        st, _ = self.feed_state("busy")
        self.assertEqual((st["interval"], st["interval_why"]), (7200, "retry-after"))
        self.assertEqual(st["failures"], 2)

    # -- errors: backoff and 410 ----------------------------------------

    def test_backoff_doubles_to_the_cap_and_success_resets(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        self.meta("wire.xml", status=500)
        e.write_config([{"path": "wire.xml", "name": "wire"}], max_backoff="3h",
                       article="false")
        waits = []
        for _ in range(4):
            self.once(want_rc=1)
            st, _ = self.feed_state("wire")
            self.assertEqual(st["interval_why"], "backoff")
            self.assertEqual(st["next_poll"] - st["last_poll"], st["interval"])
            waits.append(st["interval"])
        # 1h, 2h, 4h capped to 3h, 3h; each less up to 25% jitter.
        for wait, full in zip(waits, (3600, 7200, 10800, 10800)):
            self.assertTrue(0.75 * full - 1 <= wait <= full, (waits, full))
        row = self.status_row("wire")
        self.assertRegex(row, r" \(backoff\)\s+4 ")
        self.assertIn("error: " + e.base + "/wire.xml: HTTP 500", row)
        os.remove(os.path.join(e.site, "wire.xml.meta.json"))
        self.once()
        st, _ = self.feed_state("wire")
        self.assertEqual((st["failures"], st["last_error"], st["interval_why"]),
                         (0, None, "default"))
        self.assertEqual(st["last_success"], st["last_poll"])

    def test_410_disables_the_feed_until_its_url_changes(self):
        e = self.env
        self.meta("gone.xml", status=410)
        e.write_feed("wire.xml", [(1, 2)])
        e.write_config([{"path": "gone.xml", "name": "gone"}], article="false")
        r = self.once(want_rc=1)
        self.assertIn("HTTP 410 Gone: feed disabled", r.stderr)
        self.assertIn("disabled (410 Gone)", self.status_row("gone"))
        before = len(e.server.requests)
        r = self.once()
        self.assertIn("feed gone: disabled since it answered 410 Gone", r.stderr)
        self.assertEqual(self.paths(before), [])
        e.write_config([{"path": "wire.xml", "name": "gone"}], article="false")
        self.once()
        self.assertEqual(self.paths(before), ["/wire.xml"])
        self.assertEqual(len(e.items()), 1)
        self.assertNotIn("disabled", self.status_row("gone"))

    # -- TLS, proxy, headers --------------------------------------------

    def test_tls_is_verified_and_ca_file_trusts_a_certificate(self):
        e = self.env
        cert, key = os.path.join(e.dir, "cert.pem"), os.path.join(e.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        e.write_feed("wire.xml", [(1, 2)])
        with TestServer(e.site, tls=(cert, key)) as srv:
            url = srv.url("wire.xml")
            with open(e.config, "w", encoding="utf-8") as f:
                f.write(f"spool: {e.spool}\nstate: {e.state}\narticle: false\nfeeds:\n"
                        f"  - url: {url}\n    name: plain\n"
                        f"  - url: {url}\n    name: trusted\n    ca_file: {cert}\n")
            r = self.once(want_rc=1)
        self.assertIn("1 of 2 feeds failed", r.stderr)
        self.assertRegex(r.stderr, r"feed plain: .*(certificate|SSL)")
        self.assertEqual([i["feed"]["name"] for _, i in e.items()], ["trusted"])

    def test_proxy_option_sends_absolute_form_requests(self):
        e = self.env
        e.write_site("wire.xml", rss("http://feeds.invalid", [(1, 2)]))
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(f"spool: {e.spool}\nstate: {e.state}\narticle: false\n"
                    f"proxy: http://127.0.0.1:{e.server.port}\nfeeds:\n"
                    "  - url: http://feeds.invalid/wire.xml\n    name: proxied\n")
        self.once()
        self.assertEqual(self.paths(), ["http://feeds.invalid/wire.xml"])
        self.assertEqual(len(e.items()), 1)

    def test_user_agent_and_headers_reach_the_server(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(f"spool: {e.spool}\nstate: {e.state}\nallow_private_addresses: true\n"
                    "user_agent: nw-test/9\nheaders:\n  X-Global: one\n  X-Both: global\n"
                    f"feeds:\n  - url: {e.base}/wire.xml\n    headers:\n      x-both: feed\n"
                    "      Authorization: Bearer t0k\n")
        self.once()
        self.assertEqual(len(e.server.requests), 2)     # the feed and its page
        for r in e.server.requests:
            h = r["headers"]
            self.assertEqual(h["user-agent"], "nw-test/9")
            self.assertEqual((h["x-global"], h["x-both"], h["authorization"]),
                             ("one", "feed", "Bearer t0k"))

    # -- per-host politeness --------------------------------------------

    def test_per_host_delay_spaces_feed_and_page_requests(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])
        # The server notes a request when its thread has read it: on a
        # loaded machine that lags the daemon's start by tens of ms, and
        # by more for one request than for the next (a 0.4 s delay was
        # once seen as a 0.378 s gap).  A 1 s delay leaves 100 ms for it.
        e.write_config([{"path": "wire.xml"}], per_host_delay="1s", per_host_connections=4)
        self.once()
        times = sorted(r["time"] for r in e.server.requests)
        self.assertEqual(len(times), 4)
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertTrue(all(g >= 0.9 for g in gaps), gaps)

    # -- scheduling -----------------------------------------------------

    def test_interval_follows_ttl_cache_control_expires_and_pins(self):
        e = self.env
        e.write_site("ttl.xml", feed_with(e.base, [(1, 2)], "<ttl>120</ttl>"))
        e.write_site("long.xml", feed_with(e.base, [(2, 2)], "<ttl>2880</ttl>"))
        e.write_feed("cc.xml", [(3, 2)])
        self.meta("cc.xml", headers={"Cache-Control": "public, max-age=5400"})
        e.write_feed("exp.xml", [(4, 2)])
        expires = email.utils.formatdate(time.time() + 3 * 3600 + 30, usegmt=True)
        self.meta("exp.xml", headers={"Expires": expires})
        e.write_feed("pin.xml", [(5, 2)])
        self.meta("pin.xml", headers={"Cache-Control": "max-age=5400"})
        e.write_feed("plain.xml", [(6, 2)])
        e.write_config([{"path": "ttl.xml", "name": "ttl"}, {"path": "long.xml", "name": "long"},
                        {"path": "cc.xml", "name": "cc"}, {"path": "exp.xml", "name": "exp"},
                        {"path": "pin.xml", "name": "pin", "interval": "10m"},
                        {"path": "plain.xml", "name": "plain"}], article="false")
        self.once()
        self.assertIn(" 2h (ttl) ", self.status_row("ttl"))
        self.assertIn(" 12h (ttl (max)) ", self.status_row("long"))
        self.assertIn(" 1h30m (cache-control) ", self.status_row("cc"))
        self.assertRegex(self.status_row("exp"), r" (3h|2h59m) \(expires\) ")
        self.assertIn(" 10m (pinned) ", self.status_row("pin"))
        self.assertIn(" 1h (default) ", self.status_row("plain"))
        # A 304 keeps the feed's ttl.
        before = len(e.server.requests)
        self.once()
        self.assertEqual(e.server.requests[before]["status"], 304)
        self.assertIn(" 2h (ttl) ", self.status_row("ttl"))

    def test_interval_follows_the_observed_rate_of_new_entries(self):
        e = self.env
        items = [(1, 2), (2, 2)]
        e.write_feed("wire.xml", items)
        e.write_config([{"path": "wire.xml", "name": "wire"}], article="false")
        self.once(offset=0)
        for step in (1, 2, 3):
            items += [(10 * step, 3), (10 * step + 1, 3)]
            e.write_feed("wire.xml", items)
            self.once(offset=step * 7200)
        # 6 new entries in 6 hours: a gap of 6h / 7, polled twice per gap.
        st, _ = self.feed_state("wire")
        self.assertEqual(st["interval_why"], "observed")
        self.assertAlmostEqual(st["interval"], 6 * 3600 / 7 / 2, delta=3)

    def test_restart_resumes_from_the_stored_next_poll(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_feed("b.xml", [(2, 2)])
        # a's start spread is 2 s at most (a tenth of 20s), and b polls
        # every 3 s: b's second request can only come once a would have
        # been asked, had its stored next poll been ignored.
        e.write_config([{"path": "a.xml", "name": "a"},
                        {"path": "b.xml", "name": "b", "interval": "3s"}],
                       article="false", min_interval="1s")
        with open(e.config, encoding="utf-8") as f:
            text = f.read().replace("interval: 1h", "interval: 20s")
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text)
        self.once()
        db = sqlite3.connect(e.state)
        db.execute("UPDATE feeds SET next_poll = strftime('%s') + 3600 WHERE name = 'a'")
        db.execute("UPDATE feeds SET next_poll = 0 WHERE name = 'b'")
        db.commit()
        db.close()
        before = len(e.server.requests)
        proc = subprocess.Popen([BINARY, "run", "-c", e.config], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while self.paths(before).count("/b.xml") < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        self.assertEqual(self.paths(before), ["/b.xml", "/b.xml"])


if __name__ == "__main__":
    from nwdaemon import main
    main(sys.modules[__name__])
