#!/usr/bin/python3
"""End-to-end tests: the real newswatch binary against a real HTTP server on
127.0.0.1 (tests/httpd.py), looking at the spool and the state as a user
would.  Run from the repository root:  python3 tests/integration/test_e2e.py
"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from httpd import TestServer  # noqa: E402

BINARY = os.environ.get("NEWSWATCH", os.path.join(ROOT, "newswatch"))
DATA = os.path.join(ROOT, "tests", "data", "e2e")


def rss(base, items, title="Wire"):
    """An RSS 2.0 feed whose entries link to pages on the test server."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0"><channel>', f"<title>{title}</title>",
           f"<link>{base}/</link>"]
    for n, day in items:
        out.append(
            f"<item><title>Story {n}</title>"
            f"<link>{base}/articles/{n}.html</link>"
            f"<guid>urn:story:{n}</guid>"
            f"<pubDate>Mon, {day:02d} Nov 2026 10:00:00 GMT</pubDate>"
            f"<description>Summary of story {n}</description></item>")
    out.append("</channel></rss>")
    return "\n".join(out)


def article_page(n):
    with open(os.path.join(DATA, "article.html"), encoding="utf-8") as f:
        return f.read().replace("@N@", str(n))


class Env:
    """A temp dir with a site (served), a spool, a state and a config."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="nw-e2e-")
        self.site = os.path.join(self.dir, "site")
        os.makedirs(os.path.join(self.site, "articles"))
        self.spool = os.path.join(self.dir, "spool")
        self.state = os.path.join(self.dir, "state.db")
        self.config = os.path.join(self.dir, "feeds.yaml")
        self.server = TestServer(self.site)
        self.server.start()
        self.base = self.server.url("").rstrip("/")

    def close(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_site(self, path, text):
        full = os.path.join(self.site, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = full + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, full)

    def write_feed(self, path, items, title="Wire"):
        self.write_site(path, rss(self.base, items, title))
        for n, _ in items:
            self.write_site(f"articles/{n}.html", article_page(n))

    def write_config(self, feeds, **globals_):
        lines = [f"spool: {self.spool}", f"state: {self.state}",
                 "interval: 1h", "allow_private_addresses: true",
                 "log_level: debug"]
        lines += [f"{k}: {v}" for k, v in globals_.items()]
        lines.append("feeds:")
        for feed in feeds:
            lines.append(f"  - url: {self.base}/{feed['path']}")
            for k, v in feed.items():
                if k != "path":
                    lines.append(f"    {k}: {v}")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def run(self, *args, timeout=60):
        return subprocess.run([BINARY, *args, "-c", self.config],
                              capture_output=True, text=True, timeout=timeout)

    def once(self):
        return self.run("once")

    def items(self):
        d = os.path.join(self.spool, "new")
        names = sorted(os.listdir(d)) if os.path.isdir(d) else []
        out = []
        for name in names:
            with open(os.path.join(d, name), encoding="utf-8") as f:
                out.append((name, json.load(f)))
        return out

    def tmp_files(self):
        d = os.path.join(self.spool, "tmp")
        return os.listdir(d) if os.path.isdir(d) else []


class E2E(unittest.TestCase):
    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def assertOnce(self, want_rc=0):
        r = self.env.once()
        self.assertEqual(r.returncode, want_rc, r.stderr)
        return r

    def test_first_once_emits_items_with_articles(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])
        e.write_config([{"path": "wire.xml", "name": "wire", "tags": "[world, it]"}])
        self.assertOnce()
        items = e.items()
        self.assertEqual(len(items), 3)
        # Oldest first, by name, in a plain directory listing.
        self.assertEqual([i["entry"]["id"] for _, i in items],
                         ["urn:story:1", "urn:story:2", "urn:story:3"])
        name, item = items[0]
        self.assertRegex(name, r"^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z_wire_[0-9a-f]{16}\.json$")
        self.assertEqual(item["feed"], {"name": "wire", "url": e.base + "/wire.xml",
                                        "title": "Wire", "tags": ["world", "it"]})
        self.assertEqual(item["entry"]["title"], "Story 1")
        self.assertEqual(item["entry"]["link"], e.base + "/articles/1.html")
        self.assertEqual(item["entry"]["published"], "2026-11-02T10:00:00Z")
        self.assertRegex(item["discovered_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        art = item["article"]
        self.assertEqual(art["title"], "Headline number 1")
        self.assertEqual(art["published"], "2026-11-02T13:26:00Z")
        self.assertEqual(art["modified"], "2026-11-02T14:07:00Z")
        self.assertEqual(art["canonical_url"], e.base + "/articles/1.html")
        self.assertEqual(art["image"], e.base + "/img/1.jpg")
        self.assertEqual(art["site_name"], "Test Wire")
        self.assertIn("First paragraph of story 1", art["text"])
        self.assertNotIn("Cookie", art["text"])
        self.assertEqual(e.tmp_files(), [])

    def test_many_feeds_with_articles_all_arrive(self):
        # More feeds waiting on their pages than the workers' backlog
        # (64): a brake that counted them once held every transfer,
        # their pages included, and the poll never ended.
        e = self.env
        feeds = []
        for f in range(150):
            e.write_feed(f"f{f}.xml", [(f * 10 + k, 2 + k) for k in range(3)],
                         title=f"Feed {f}")
            feeds.append({"path": f"f{f}.xml", "name": f"f{f}"})
        e.write_config(feeds, workers=1)
        r = self.assertOnce()
        self.assertIn("150 feeds, 1 worker, spool", r.stderr)
        items = e.items()
        self.assertEqual(len(items), 450)
        self.assertTrue(all("text" in i["article"] for _, i in items))

    def test_teaser_page_falls_back_to_feed_content(self):
        e = self.env
        body = " ".join(["The full story, as the feed carries it."] * 12)
        e.write_site("full.xml", "\n".join([
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
            f"<channel><title>Full</title><link>{e.base}/</link>",
            f"<item><title>Teased</title><link>{e.base}/articles/t.html</link>",
            "<guid>urn:teased</guid>",
            f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>",
            f"<item><title>Whole</title><link>{e.base}/articles/1.html</link>",
            "<guid>urn:whole</guid>",
            "<content:encoded><![CDATA[<p>Short.</p>]]></content:encoded></item>",
            "</channel></rss>"]))
        e.write_site("articles/t.html", "<html><body><article><h1>Teased</h1>"
                     "<p>Subscribe to read the rest.</p></article></body></html>")
        e.write_site("articles/1.html", article_page(1))
        e.write_config([{"path": "full.xml"}], article_html="true")
        self.assertOnce()
        arts = {i["entry"]["id"]: i["article"] for _, i in e.items()}
        self.assertEqual(arts["urn:teased"]["source"], "feed")
        self.assertEqual(arts["urn:teased"]["text"], body)
        self.assertEqual(arts["urn:teased"]["html"], f"<p>{body}</p>")
        self.assertEqual(arts["urn:whole"]["source"], "page")
        self.assertIn("First paragraph of story 1", arts["urn:whole"]["text"])
        self.assertIn("<p>", arts["urn:whole"]["html"])

    def test_meta_refresh_is_followed_and_the_final_url_reported(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        # The entry links to a stub that sends the reader on, twice; a
        # page reloading itself every five minutes is no redirect.
        e.write_site("articles/1.html", '<html><head><meta http-equiv="refresh" '
                     'content="0; URL=\'/moved/1.html\'"></head><body>Moved</body></html>')
        e.write_site("moved/1.html", '<html><head><meta http-equiv="Refresh" '
                     'content="1;url=/final/1.html"></head></html>')
        e.write_site("final/1.html", article_page(1).replace(
            "<head>", '<head><meta http-equiv="refresh" content="300">', 1))
        e.write_config([{"path": "wire.xml"}])
        self.assertOnce()
        (_, item), = e.items()
        art = item["article"]
        self.assertEqual(art["url"], e.base + "/final/1.html")
        self.assertIn("First paragraph of story 1", art["text"])
        self.assertNotIn("refresh", art)

    def test_meta_refresh_loops_end(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        for a, b in (("1", "2"), ("2", "1")):
            e.write_site(f"articles/{a}.html", '<html><head><meta http-equiv="refresh" '
                         f'content="0; url={e.base}/articles/{b}.html"></head></html>')
        e.write_config([{"path": "wire.xml"}])
        self.assertOnce()
        (_, item), = e.items()
        # Three hops, then the page is what it is: no text, so the
        # feed's own summary stands in.
        self.assertIn(item["article"]["url"], (e.base + "/articles/1.html",
                                               e.base + "/articles/2.html"))
        self.assertEqual(item["article"]["text"], "Summary of story 1")
        self.assertEqual(item["article"]["source"], "feed")
        paths = [r["path"] for r in e.server.requests if r["path"].startswith("/articles/")]
        self.assertEqual(len(paths), 4)

    def test_second_once_emits_nothing_and_is_conditional(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3)])
        e.write_config([{"path": "wire.xml"}])
        self.assertOnce()
        self.assertEqual(len(e.items()), 2)
        before = len(e.server.requests)
        self.assertOnce()
        self.assertEqual(len(e.items()), 2)
        polls = [r for r in e.server.requests[before:] if r["path"] == "/wire.xml"]
        self.assertEqual(len(polls), 1)
        self.assertIn("if-none-match", polls[0]["headers"])
        self.assertEqual(polls[0]["status"], 304)

    def test_one_new_entry_emits_exactly_one_file(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3)])
        e.write_config([{"path": "wire.xml"}])
        self.assertOnce()
        first = {n for n, _ in e.items()}
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 9)])
        self.assertOnce()
        items = e.items()
        self.assertEqual(len(items), 3)
        new = [i for n, i in items if n not in first]
        self.assertEqual(len(new), 1)
        self.assertEqual(new[0]["entry"]["id"], "urn:story:3")
        # Discovery order: the new file lists last.
        self.assertEqual(items[-1][1]["entry"]["id"], "urn:story:3")

    def test_changed_feed_without_new_entries_emits_nothing(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)], title="Wire")
        e.write_config([{"path": "wire.xml"}])
        self.assertOnce()
        e.write_feed("wire.xml", [(1, 2)], title="Wire, renamed")
        self.assertOnce()
        self.assertEqual(len(e.items()), 1)

    def test_broken_feed_is_reported_and_others_still_work(self):
        e = self.env
        e.write_feed("good.xml", [(1, 2)])
        e.write_site("broken.xml", "<rss><channel><item><title>half")
        e.write_site("html.xml", "<html><body>not a feed</body></html>")
        e.write_config([{"path": "broken.xml", "name": "broken"},
                        {"path": "missing.xml", "name": "missing"},
                        {"path": "html.xml", "name": "html"},
                        {"path": "good.xml", "name": "good"}])
        r = self.assertOnce(want_rc=1)
        # The truncated feed is read as far as it goes, with a warning; as
        # that is no entry at all, its poll failed.
        self.assertIn("3 of 4 feeds failed", r.stderr)
        self.assertIn("feed broken:", r.stderr)
        self.assertIn("truncated document: <", r.stderr)
        self.assertIn("feed missing:", r.stderr)
        self.assertIn("HTTP 404", r.stderr)
        self.assertIn("feed html:", r.stderr)
        items = e.items()
        self.assertEqual([i["feed"]["name"] for _, i in items], ["good"])
        st = e.run("status")
        self.assertEqual(st.returncode, 0, st.stderr)
        self.assertIn("HTTP 404", st.stdout)
        row = [l for l in st.stdout.splitlines() if l.startswith("good ")][0]
        self.assertIn(" 200 ", row)

    def gone_and_validators(self, feed):
        """({entry id: gone_since}, (etag, last_modified)) of feed."""
        db = sqlite3.connect(self.env.state)
        try:
            gone = dict(db.execute(
                "SELECT e.entry_id, e.gone_since FROM entries e JOIN feeds f"
                " ON f.id = e.feed_id WHERE f.name = ?", (feed,)))
            validators = db.execute("SELECT etag, last_modified FROM feeds"
                                    " WHERE name = ?", (feed,)).fetchone()
        finally:
            db.close()
        return gone, validators

    def test_truncated_document_delivers_its_entries_and_marks_none_gone(self):
        """A document cut short (a short Content-Length, a server that
        stopped writing) lacks entries that are still in the feed."""
        e = self.env
        e.write_feed("wire.xml", [(3, 4), (2, 3), (1, 2)])
        e.write_config([{"path": "wire.xml", "name": "wire", "article": "false"}])
        self.assertOnce()
        whole = rss(e.base, [(4, 5), (3, 4), (2, 3), (1, 2)])
        e.write_site("wire.xml", whole[:whole.index("<title>Story 2")])
        r = self.assertOnce()
        self.assertIn("truncated document: <", r.stderr)
        self.assertEqual([i["entry"]["id"] for _, i in e.items()].count("urn:story:4"), 1)
        self.assertEqual(len(e.items()), 4)
        gone, validators = self.gone_and_validators("wire")
        self.assertEqual(gone, {f"urn:story:{n}": None for n in (1, 2, 3, 4)})
        # Fetched in full next time: a 304 would keep the rest unread.
        self.assertEqual(validators, (None, None))
        # Whole again, the document says what left it.
        e.write_feed("wire.xml", [(4, 5), (3, 4)])
        self.assertOnce()
        gone, validators = self.gone_and_validators("wire")
        self.assertEqual([k for k, v in sorted(gone.items()) if v is not None],
                         ["urn:story:1", "urn:story:2"])
        self.assertIsNotNone(validators[0])

    def test_broken_document_without_entries_is_a_failed_poll(self):
        e = self.env
        e.write_feed("wire.xml", [(2, 3), (1, 2)])
        e.write_config([{"path": "wire.xml", "name": "wire", "article": "false"}])
        self.assertOnce()
        _, before = self.gone_and_validators("wire")
        e.write_site("wire.xml", "<?xml version='1.0'?>\n<rss version='2.0'><channel>"
                     "<title>Wire</title><item><title>Story 3</title><guid>urn:st")
        r = self.assertOnce(want_rc=1)
        self.assertIn("1 of 1 feeds failed", r.stderr)
        self.assertIn("no entry read from a broken document", r.stderr)
        gone, validators = self.gone_and_validators("wire")
        self.assertEqual(gone, {"urn:story:1": None, "urn:story:2": None})
        # The broken answer's validators are not kept: the last good ones are.
        self.assertEqual(validators, before)
        st = e.run("status")
        self.assertIn("no entry read from a broken document", st.stdout)
        self.assertIn("backoff", st.stdout)
        db = sqlite3.connect(e.state)
        polls, failures = db.execute("SELECT polls, failures FROM feeds").fetchone()
        db.close()
        self.assertEqual((polls, failures), (1, 1))
        self.assertEqual(len(e.items()), 2)

    def test_article_errors_still_write_the_item(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        os.remove(os.path.join(e.site, "articles", "1.html"))
        e.write_config([{"path": "wire.xml"}])
        self.assertOnce()
        (_, item), = e.items()
        self.assertEqual(item["article"]["error"], "HTTP 404")
        self.assertEqual(item["entry"]["id"], "urn:story:1")

    def test_private_article_links_are_refused_by_default(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        e.write_config([{"path": "wire.xml"}])
        with open(e.config, encoding="utf-8") as f:
            text = f.read().replace("allow_private_addresses: true",
                                    "allow_private_addresses: false")
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text)
        self.assertOnce()
        (_, item), = e.items()
        self.assertIn("private address 127.0.0.1", item["article"]["error"])
        self.assertFalse(any(r["path"].startswith("/articles/")
                             for r in e.server.requests))

    def test_article_off_has_no_article_key(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        e.write_config([{"path": "wire.xml"}], article="false")
        self.assertOnce()
        (_, item), = e.items()
        self.assertNotIn("article", item)
        self.assertFalse(any(r["path"].startswith("/articles/")
                             for r in e.server.requests))

    def test_first_poll_skip_marks_seen_without_items(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3)])
        e.write_config([{"path": "wire.xml", "first_poll": "skip"}])
        self.assertOnce()
        self.assertEqual(e.items(), [])
        e.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])
        self.assertOnce()
        self.assertEqual([i["entry"]["id"] for _, i in e.items()], ["urn:story:3"])

    def test_pending_entry_is_redelivered_under_the_same_name(self):
        """A crash after discovery and before delivery re-emits the item
        under the name chosen at discovery, never a second file."""
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        e.write_config([{"path": "wire.xml", "name": "wire"}])
        self.assertOnce()
        (name, _), = e.items()
        db = sqlite3.connect(e.state)
        db.execute("UPDATE entries SET status = 1")
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
        db.commit()
        db.close()
        self.assertOnce()
        self.assertEqual([n for n, _ in e.items()], [name])

    def test_invalid_config_names_file_line_column(self):
        e = self.env
        with open(e.config, "w", encoding="utf-8") as f:
            f.write("spool: /tmp/x\nintervl: 5m\n")
        for cmd in ("check", "once"):
            r = e.run(cmd)
            self.assertEqual(r.returncode, 78)
            self.assertIn(f"{e.config}:2:1: unknown key 'intervl' "
                          "(did you mean 'interval'?)", r.stderr)

    def test_check_summarises_a_good_config(self):
        e = self.env
        e.write_config([{"path": "a.xml", "name": "a"}, {"path": "b.xml"}])
        r = e.run("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2 feeds (2 enabled)", r.stdout)

    def test_parse_prints_feed_and_entries(self):
        e = self.env
        e.write_feed("wire.xml", [(1, 2), (2, 3)])
        r = subprocess.run([BINARY, "parse", e.base + "/wire.xml"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["feed"]["title"], "Wire")
        self.assertEqual([x["id"] for x in out["entries"]],
                         ["urn:story:1", "urn:story:2"])
        # The same entry object as in the spool.
        e.write_config([{"path": "wire.xml"}], article="false")
        self.assertOnce()
        spooled = {i["entry"]["id"]: i["entry"] for _, i in e.items()}
        self.assertEqual(spooled["urn:story:1"], out["entries"][0])

    def test_extract_prints_the_article(self):
        path = os.path.join(self.env.dir, "page.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(article_page(7))
        r = subprocess.run([BINARY, "extract", path, "--url",
                            "http://news.example/articles/7.html"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        art = json.loads(r.stdout)
        self.assertEqual(art["title"], "Headline number 7")
        self.assertEqual(art["image"], "http://news.example/img/7.jpg")

    def test_help_and_version(self):
        r = subprocess.run([BINARY, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("newswatch once", r.stdout)
        r = subprocess.run([BINARY, "--version"], capture_output=True, text=True)
        self.assertRegex(r.stdout, r"^newswatch \d+\.\d+")
        r = subprocess.run([BINARY, "frobnicate"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 64)


class Daemon(unittest.TestCase):
    """The daemon started for real, talking sd_notify to a socket we hold."""

    def setUp(self):
        self.env = Env()
        self.sockpath = os.path.join(self.env.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sockpath)
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()
        self.env.close()

    def start(self):
        env = dict(os.environ, NOTIFY_SOCKET=self.sockpath)
        self.log = open(os.path.join(self.env.dir, "daemon.log"), "w+")
        self.proc = subprocess.Popen([BINARY, "run", "-c", self.env.config],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env)

    def notifications(self, want, timeout=20):
        """Collect datagrams until one contains want."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            seen.append(msg)
            if want in msg.split("\n"):
                return seen
        self.fail(f"no {want} among {seen}; log:\n{self.daemon_log()}")

    def daemon_log(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_items(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.env.items()) >= count:
                return self.env.items()
            time.sleep(0.1)
        self.fail(f"{len(self.env.items())} items, wanted {count}; log:\n"
                  + self.daemon_log())

    def test_ready_reload_and_clean_stop(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_feed("b.xml", [(2, 3)])
        e.write_config([{"path": "a.xml", "name": "a"}])
        self.start()
        self.notifications("READY=1")
        self.wait_items(1)
        # A feed added to the file is picked up by SIGHUP.
        e.write_config([{"path": "a.xml", "name": "a"},
                        {"path": "b.xml", "name": "b"}])
        self.proc.send_signal(signal.SIGHUP)
        msgs = self.notifications("READY=1")
        self.assertTrue(any("RELOADING=1" in m for m in msgs), msgs)
        items = self.wait_items(2)
        self.assertEqual(sorted(i["feed"]["name"] for _, i in items), ["a", "b"])
        # A broken config on reload is refused; the old one stays.
        with open(e.config, "a", encoding="utf-8") as f:
            f.write("bogus_key: 1\n")
        self.proc.send_signal(signal.SIGHUP)
        msgs = self.notifications("READY=1")
        self.assertTrue(any("STATUS=reload failed" in m for m in msgs), msgs)
        self.assertIsNone(self.proc.poll())
        # SIGTERM: exit 0, STOPPING=1, nothing left in tmp/.
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=10), 0, self.daemon_log())
        self.notifications("STOPPING=1")
        self.assertEqual(e.tmp_files(), [])
        log = self.daemon_log()
        self.assertIn("unknown key 'bogus_key'", log)
        self.assertIn(f"{e.config}:", log)


if __name__ == "__main__":
    from nwdaemon import main
    main(sys.modules[__name__])
