#!/usr/bin/python3
"""Hostile servers and documents: XML entity tricks, decompression bombs,
endless and trickling bodies, redirect loops, a 10,000-entry feed, broken
encodings, NUL bytes, monstrous article pages, and article links to
private addresses.  One daemon takes them all at once next to a
well-behaved feed, which must go on delivering; memory must stay bounded.
Everything is served on 127.0.0.1.  Run from the repository root:
python3 tests/integration/test_hostile.py
"""
import os
import socketserver
import sys
import threading
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import (SANITIZED, STATUS_SEEN, Daemon, main,  # noqa: E402
                      spool_items, state_entries, state_feeds, wait_for)
from test_e2e import Env, article_page  # noqa: E402

try:
    import brotli
except ImportError:         # python3-brotli (scripts/deps.sh installs it)
    brotli = None

BOMB_BYTES = 256 << 20      # decoded size of the bombs: far past max_feed_bytes
ENDLESS_LIMIT = 1 << 30     # the endless body stops here if nobody hangs up
# Peak RSS allowed: newswatch idles at a few MB; a decoded bomb or an
# endless body kept in memory would pass this by far.  ASan's shadow
# memory and quarantine need more.
MAX_RSS_KB = (768 if SANITIZED else 160) * 1024
HUGE_ENTRIES = 10000


def zeros_compressed(compress_chunk, flush):
    chunk = b"\0" * (1 << 20)
    return b"".join(compress_chunk(chunk) for _ in range(BOMB_BYTES >> 20)) + flush()


class EvilServer(socketserver.ThreadingTCPServer):
    """Raw HTTP answers tests/httpd.py will not give: bodies that are
    compressed bombs, and a body that never ends."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), EvilHandler)
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        self.bodies = {"/bomb.gz": ("gzip", zeros_compressed(gz.compress, gz.flush))}
        if brotli:
            br = brotli.Compressor(quality=5)
            self.bodies["/bomb.br"] = ("br", zeros_compressed(br.process, br.finish))
        self.paths = []
        self.endless_sent = 0

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class EvilHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode("latin-1")
        self.server.paths.append(path)
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n"
        try:
            if path in self.server.bodies:
                coding, body = self.server.bodies[path]
                self.request.sendall((head + f"Content-Encoding: {coding}\r\n"
                                      f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
            elif path == "/endless":
                self.request.sendall((head + "\r\n<rss><channel>").encode())
                item = b"<item><title>again</title><guid>same</guid></item>" * 1000
                while self.server.endless_sent < ENDLESS_LIMIT:
                    self.request.sendall(item)
                    self.server.endless_sent += len(item)
        except OSError:
            pass            # the client hung up: what a capped client does


def rss_doc(items, prolog="", title="Feed"):
    """An RSS 2.0 document from (guid, title, link) triples; titles and
    links go in as given (entity references and all)."""
    body = "".join(f"<item><title>{t}</title><guid>{g}</guid>"
                   + (f"<link>{link}</link>" if link else "") + "</item>"
                   for g, t, link in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>\n')


class HostileFeeds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = e = Env()
        cls.evil = EvilServer()
        threading.Thread(target=cls.evil.serve_forever, daemon=True).start()
        cls.secret = "TOPSECRET-" + os.urandom(8).hex()
        cls.secret_path = os.path.join(e.dir, "secret.txt")
        with open(cls.secret_path, "w", encoding="ascii") as f:
            f.write(cls.secret + "\n")
        cls.feeds = []
        cls.make_fixtures()
        e.write_config(cls.feeds, article="false", per_host_connections=4)
        # Env.write_config puts every path under the test server; the evil
        # server's feeds are absolute URLs.
        with open(e.config, encoding="utf-8") as f:
            text = f.read().replace(f"{e.base}/http://", "http://")
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text)
        # ASan keeps up to 256 MB of freed blocks in quarantine by
        # default, so the peak under the sanitizer swung by 130 MB between
        # runs of one build (653 and 787 MB) with the daemon's own memory
        # unchanged: a quarantine of 64 MB still catches a use after a
        # recent free and lets the bound speak of the daemon.
        asan = os.environ.get("ASAN_OPTIONS", "")
        cls.daemon = Daemon(e, extra_env={"ASAN_OPTIONS": (asan + ":" if asan else "") +
                                          "quarantine_size_mb=64"} if SANITIZED else None)
        cls.daemon.start()
        # Every hostile feed answered (or failed) once, the good one too.
        wait_for(lambda: all(f[2] + f[3] > 0 for f in state_feeds(e.state).values())
                 and len(state_feeds(e.state)) == len(cls.feeds),
                 120, "every feed to be polled", cls.daemon.log)
        cls.state = state_feeds(e.state)
        cls.items = spool_items(e.spool)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()
        cls.evil.shutdown()
        cls.evil.server_close()
        cls.env.close()

    @classmethod
    def feed(cls, name, url, **settings):
        cls.feeds.append({"path": url, "name": name, "interval": "1h", **settings})

    @classmethod
    def make_fixtures(cls):
        e, base = cls.env, cls.env.base
        e.write_feed("good.xml", [(1, 2)])
        cls.feed("good", "good.xml", interval="1s")

        # XXE: an external entity naming a local file.
        e.write_site("xxe.xml", rss_doc(
            [("xxe-1", "before &xxe; after", None)],
            f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{cls.secret_path}">]>\n'))
        cls.feed("xxe", "xxe.xml")
        # External DTD and external parameter entity, both served here so
        # that a fetch would succeed and show in the request log.
        e.write_site("evil.dtd", f'<!ENTITY leak SYSTEM "file://{cls.secret_path}">\n')
        e.write_site("extdtd.xml", rss_doc(
            [("ext-1", "a &leak; b", None)],
            f'<!DOCTYPE rss SYSTEM "{base}/evil.dtd">\n'))
        cls.feed("extdtd", "extdtd.xml")
        e.write_site("param.dtd", f'<!ENTITY leak SYSTEM "file://{cls.secret_path}">\n')
        e.write_site("param.xml", rss_doc(
            [("param-1", "a &leak; b", None)],
            f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{base}/param.dtd"> %ext;]>\n'))
        cls.feed("param", "param.xml")
        # Billion laughs: 10^9 "lol"s if expanded.
        ents = ['<!ENTITY lol0 "lol">'] + [
            f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
        e.write_site("laughs.xml", rss_doc(
            [("laugh-1", "&lol9;", None)],
            "<!DOCTYPE rss [" + "".join(ents) + "]>\n"))
        cls.feed("laughs", "laughs.xml")

        cls.feed("gzipbomb", cls.evil.url("/bomb.gz"))
        if brotli:
            cls.feed("brotlibomb", cls.evil.url("/bomb.br"))
        cls.feed("endless", cls.evil.url("/endless"))
        # 20 bytes a second: the whole-transfer timeout must end it.
        e.write_site("trickle.xml", rss_doc([(f"t-{i}", "slow", None) for i in range(50)]))
        e.write_site("trickle.xml.meta.json", '{"trickle": 20}')
        cls.feed("trickle", "trickle.xml", timeout="3s")
        cls.feed("redirloop", "_loop")

        e.write_site("huge.xml", rss_doc(
            [(f"h-{i}", f"Entry {i}", f"{base}/h/{i}") for i in range(HUGE_ENTRIES)]))
        cls.feed("huge", "huge.xml")

        # Invalid UTF-8, a document that declares one charset and holds
        # another, and NUL bytes in text.
        cls.write_bytes("badutf8.xml", rss_doc(
            [("bad-1", "caf\udce9 \udcff\udcfe ok", None)]).encode("utf-8", "surrogateescape"))
        cls.feed("badutf8", "badutf8.xml")
        cls.write_bytes("mixed.xml", rss_doc(
            [("mixed-1", "Gr\u00fc\u00dfe", None)]).replace("UTF-8", "ISO-8859-1")
            .encode("utf-8") + "<!-- caf\u00e9 -->".encode("latin-1"))
        cls.feed("mixed", "mixed.xml")
        cls.write_bytes("nul.xml", rss_doc(
            [("nul-1", "before\0after", None), ("nul-2", "second", None)]).encode())
        cls.feed("nul", "nul.xml")

        # Article pages: gigantic attribute, deep nesting, JSON-LD that is
        # not JSON, NUL bytes, an entity trick.  Only this feed fetches
        # articles.
        pages = {
            "attr": "<html><head><title>Attr page</title></head><body><div class=\""
                    + "x" * (4 << 20) + "\"><p>Body of the attribute page.</p></div></body></html>",
            "deep": "<html><head><title>Deep page</title></head><body>"
                    + "<div>" * 100000 + "<p>Deep text.</p>" + "</div>" * 100000
                    + "</body></html>",
            "jsonld": article_page(5).replace(
                "</head>", '<script type="application/ld+json">{"@type": "NewsArticle",'
                ' "headline": "x", [[[ not json</script>'
                '<script type="application/ld+json">' + "[" * 100000 + "</script></head>"),
            "nul": "<html><head><title>Nul\0page</title></head><body><p>a\0b</p></body></html>",
            "xxe": f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{cls.secret_path}">]>'
                   "<html><head><title>X &xxe; Y</title></head><body><p>&xxe;</p></body></html>",
        }
        for name, text in pages.items():
            e.write_site(f"pages/{name}.html", text)
        e.write_site("pages.xml", rss_doc(
            [(f"page-{n}", f"Page {n}", f"{base}/pages/{n}.html") for n in pages]))
        cls.feed("pages", "pages.xml", article="true")

    @classmethod
    def write_bytes(cls, path, data):
        with open(os.path.join(cls.env.site, path), "wb") as f:
            f.write(data)

    def feed_items(self, name):
        return [i for i in self.items.values() if i["feed"]["name"] == name]

    def failed_with(self, name, *words):
        status, error, polls, failures = self.state[name]
        self.assertEqual(polls, 0, f"{name} should have failed")
        self.assertGreater(failures, 0)
        self.assertTrue(any(w.lower() in (error or "").lower() for w in words),
                        f"{name}: {error!r} names none of {words}")
        self.assertEqual(self.feed_items(name), [])

    def all_files_bytes(self):
        out = b""
        for d in (os.path.join(self.env.spool, "new"),):
            for n in os.listdir(d):
                with open(os.path.join(d, n), "rb") as f:
                    out += f.read()
        with open(self.env.state, "rb") as f:
            out += f.read()
        return out + self.daemon.log().encode()

    # -- XML tricks ------------------------------------------------------

    def test_xxe_reads_no_local_file(self):
        self.assertNotIn(self.secret.encode(), self.all_files_bytes())
        (item,) = self.feed_items("xxe")
        self.assertNotIn("TOPSECRET", item["entry"]["title"] or "")

    def test_external_dtd_and_parameter_entities_are_not_fetched(self):
        paths = [r["path"] for r in self.env.server.requests]
        self.assertIn("/extdtd.xml", paths)
        self.assertIn("/param.xml", paths)
        self.assertNotIn("/evil.dtd", paths)
        self.assertNotIn("/param.dtd", paths)
        self.assertNotIn(self.secret.encode(), self.all_files_bytes())

    def test_billion_laughs_is_not_expanded(self):
        for item in self.feed_items("laughs"):
            self.assertLess(len(item["entry"]["title"] or ""), 100000)
        self.assertTrue(self.state["laughs"][2] + self.state["laughs"][3] > 0)

    # -- transport -------------------------------------------------------

    def test_gzip_bomb_is_capped(self):
        self.failed_with("gzipbomb", "size", "max", "exceed", "large", "too big")

    @unittest.skipIf(brotli is None, "python3-brotli missing: no brotli bomb")
    def test_brotli_bomb_is_capped(self):
        self.failed_with("brotlibomb", "size", "max", "exceed", "large", "too big")

    def test_endless_body_is_cut_off(self):
        self.failed_with("endless", "size", "max", "exceed", "large", "too big")
        # The daemon hung up soon after its 10 MB cap, not at the
        # server's own limit.
        self.assertLess(self.evil.endless_sent, 128 << 20)

    def test_trickling_server_times_out(self):
        self.failed_with("trickle", "timed out", "timeout")

    def test_redirect_loop_is_bounded(self):
        self.failed_with("redirloop", "redirect")
        loops = [r for r in self.env.server.requests if r["path"] == "/_loop"]
        self.assertLessEqual(len(loops), 12)

    # -- documents -------------------------------------------------------

    def test_ten_thousand_entries(self):
        seen = [k for k, (s, _) in state_entries(self.env.state).items()
                if k[0] == "huge" and s == STATUS_SEEN]
        self.assertEqual(len(seen), HUGE_ENTRIES)
        self.assertEqual(len(self.feed_items("huge")), HUGE_ENTRIES)

    def test_invalid_utf8_mixed_encodings_and_nul_bytes(self):
        # spool_items decoded every file as strict UTF-8 JSON already.
        (bad,) = self.feed_items("badutf8")
        self.assertIn("ok", bad["entry"]["title"])
        (mixed,) = self.feed_items("mixed")
        self.assertTrue(mixed["entry"]["title"])
        # The NUL bytes go; the entries after them stay.
        self.assertEqual(sorted(i["entry"]["title"] for i in self.feed_items("nul")),
                         ["beforeafter", "second"])

    def test_hostile_article_pages(self):
        items = {i["entry"]["id"]: i for i in self.feed_items("pages")}
        self.assertEqual(sorted(items), ["page-attr", "page-deep", "page-jsonld",
                                         "page-nul", "page-xxe"])
        for item in items.values():
            self.assertIn("article", item)
        attr = items["page-attr"]["article"]
        self.assertEqual(attr.get("title"), "Attr page")
        self.assertIn("Body of the attribute page.", attr.get("text") or "")
        self.assertEqual(items["page-deep"]["article"].get("title"), "Deep page")
        self.assertEqual(items["page-jsonld"]["article"].get("title"), "Headline number 5")
        self.assertNotIn("\0", items["page-nul"]["article"].get("title") or "")
        self.assertNotIn(self.secret.encode(), self.all_files_bytes())
        # No file carries the 4 MB attribute along.
        for name in os.listdir(os.path.join(self.env.spool, "new")):
            self.assertLess(os.path.getsize(os.path.join(self.env.spool, "new", name)),
                            256 << 10)

    # -- the daemon itself -----------------------------------------------

    def test_memory_stays_bounded(self):
        self.assertTrue(self.daemon.alive())
        hwm = self.daemon.vm_hwm_kb()
        print(f"\nhostile: peak RSS {hwm // 1024} MB (bound {MAX_RSS_KB // 1024} MB)",
              file=sys.stderr)
        for name, (status, error, polls, failures) in sorted(self.state.items()):
            print(f"hostile: {name}: HTTP {status}, {polls} ok, {failures} failed,"
                  f" {len(self.feed_items(name))} items; {error or ''}", file=sys.stderr)
        self.assertLess(hwm, MAX_RSS_KB)

    def test_good_feed_keeps_being_polled(self):
        self.assertEqual(len(self.feed_items("good")), 1)
        self.env.write_feed("good.xml", [(1, 2), (2, 3)])
        wait_for(lambda: len([i for i in spool_items(self.env.spool).values()
                              if i["feed"]["name"] == "good"]) == 2,
                 30, "the good feed's new entry", self.daemon.log)
        self.assertTrue(self.daemon.alive())


class PrivateAddresses(unittest.TestCase):
    """Article links to loopback addresses, in several spellings, are
    refused by default (checked on the address connected to) and fetched
    when allow_private_addresses is on.  Only loopback addresses are used:
    a test must never send traffic to a private network."""

    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def run_once(self, allow):
        e = self.env
        port = e.base.rsplit(":", 1)[1]
        hosts = ["127.0.0.1", "localhost", "127.0.0.2", "[::1]", "2130706433", "0x7f.1"]
        links = [f"http://{h}:{port}/articles/{i}.html" for i, h in enumerate(hosts)]
        for i in range(len(hosts)):
            e.write_site(f"articles/{i}.html", article_page(i))
        e.write_site("wire.xml", rss_doc([(f"p-{i}", f"P {i}", link)
                                          for i, link in enumerate(links)]))
        e.write_config([{"path": "wire.xml", "name": "wire"}])
        with open(e.config, encoding="utf-8") as f:
            text = f.read().replace("allow_private_addresses: true",
                                    f"allow_private_addresses: {str(allow).lower()}")
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text)
        r = e.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        return {i["entry"]["id"]: i["article"] for i in spool_items(e.spool).values()}

    def test_blocked_by_default(self):
        arts = self.run_once(False)
        self.assertEqual(len(arts), 6)
        for eid, art in arts.items():
            self.assertIn("private address", art.get("error", ""), eid)
        self.assertFalse(any(r["path"].startswith("/articles/")
                             for r in self.env.server.requests))

    def test_allowed_when_configured(self):
        arts = self.run_once(True)
        self.assertEqual(arts["p-0"].get("title"), "Headline number 0")
        self.assertEqual(arts["p-1"].get("title"), "Headline number 1")
        self.assertTrue(any(r["path"] == "/articles/0.html"
                            for r in self.env.server.requests))


if __name__ == "__main__":
    main(sys.modules[__name__])
