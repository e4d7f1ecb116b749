#!/usr/bin/python3
"""The day-to-day commands an administrator types: status --json, check's
warnings, import-opml and export-opml (against OPML files as common feed
readers export them, tests/data/opml/), and tail with and without -f.
The real binary against tests/httpd.py on 127.0.0.1.  Run from the
repository root:  python3 tests/integration/test_tools.py
"""
import base64
import json
import os
import re
import select
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import BINARY, ROOT, main  # noqa: E402
from test_e2e import Env, article_page, rss  # noqa: E402

OPML = os.path.join(ROOT, "tests", "data", "opml")

# A config as people write them: comments everywhere, a block scalar, a
# global key after the feeds, a comment trailing the list.
HAND_WRITTEN = """\
# my feeds
spool: {spool}   # where items go
state: {state}
feeds:
  # the first one
  - url: https://lwn.net/headlines/rss
    name: lwn    # LWN
    tags: [tech]
  - url: "https://feeds.bbci.co.uk/news/world/rss.xml"
    extract:
      text: >-
        //article

# end of the feeds
interval: 30m
"""


class Tools(unittest.TestCase):
    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def write(self, text):
        with open(self.env.config, "w", encoding="utf-8") as f:
            f.write(text.format(spool=self.env.spool, state=self.env.state))
        with open(self.env.config, encoding="utf-8") as f:
            return f.read()

    def read(self):
        with open(self.env.config, encoding="utf-8") as f:
            return f.read()

    def run_ok(self, *args):
        r = self.env.run(*args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def exported(self):
        """{url: (text, sorted tags)} of export-opml's output."""
        root = ET.fromstring(self.run_ok("export-opml").stdout)
        self.assertEqual(root.get("version"), "2.0")
        out = {}
        for o in root.iter("outline"):
            tags = [c.strip("/") for c in (o.get("category") or "").split(",") if c]
            out[o.get("xmlUrl")] = (o.get("text"), sorted(tags))
        return out

    def test_import_appends_and_keeps_every_byte(self):
        before = self.write(HAND_WRITTEN)
        r = self.run_ok("import-opml", os.path.join(OPML, "feedly.opml"))
        # LWN is there already, and listed twice in the file: added once.
        self.assertIn("1 feeds added, 3 already there", r.stdout)
        after = self.read()
        added = ('  - url: "https://feeds.arstechnica.com/arstechnica/index"'
                 '  # Ars Technica & More\n    tags: ["Tech"]\n')
        # Inserted after the last feed's last line, before the comments
        # that follow the list; nothing else touched.
        cut = before.index("\n\n# end of the feeds") + 1
        self.assertEqual(after, before[:cut] + added + before[cut:])
        # Again: nothing to add, the file is left alone.
        mtime = os.stat(self.env.config).st_mtime_ns
        r = self.run_ok("import-opml", os.path.join(OPML, "feedly.opml"))
        self.assertIn("0 feeds added, 4 already there", r.stdout)
        self.assertEqual(os.stat(self.env.config).st_mtime_ns, mtime)

    def test_import_from_common_readers(self):
        self.write("spool: {spool}\nstate: {state}\nfeeds:\n")
        for name in ("feedly.opml", "inoreader.xml", "thunderbird.opml", "miniflux.opml"):
            r = self.run_ok("import-opml", os.path.join(OPML, name))
        self.assertIn("skipping 'gopher://example.org/feed'", r.stderr
                      + self.env.run("import-opml", os.path.join(OPML, "thunderbird.opml")).stderr)
        got = self.exported()
        self.assertEqual(
            {u: t for u, (_, t) in got.items()},
            {"https://lwn.net/headlines/rss": ["Tech"],
             "https://feeds.arstechnica.com/arstechnica/index": ["Tech"],
             "https://feeds.bbci.co.uk/news/world/rss.xml": ["News"],
             "https://www.nature.com/nature.rss": ["Science"],
             "https://planet.debian.org/rss20.xml": [],
             "https://news.ycombinator.com/rss": [],
             "https://www.debian.org/security/dsa": ["Local folder"],
             "https://jvns.ca/atom.xml": ["All", "linux", "people"],
             "https://example.org/feed?a=1&b=#frag": ["All"]})
        self.assertIn("# Quote \"this\" \\ back", self.read())

    def test_import_into_a_config_without_feeds_and_round_trip(self):
        self.write("spool: {spool}\nstate: {state}\n")
        self.run_ok("import-opml", os.path.join(OPML, "miniflux.opml"))
        first = self.exported()
        out = os.path.join(self.env.dir, "export.opml")
        with open(out, "w", encoding="utf-8") as f:
            f.write(self.run_ok("export-opml").stdout)
        self.write("spool: {spool}\nstate: {state}\nfeeds: \n")
        self.run_ok("import-opml", out)
        self.assertEqual({u: t for u, (_, t) in self.exported().items()},
                         {u: t for u, (_, t) in first.items()})

    def test_import_refuses_what_would_not_load(self):
        before = self.write("spool: {spool}\nstate: {state}\nfeeds: [{{url: http://a.example/}}]\n")
        r = self.env.run("import-opml", os.path.join(OPML, "inoreader.xml"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{self.env.config}:3:8: feeds: cannot append", r.stderr)
        self.assertEqual(self.read(), before)
        self.assertEqual(sorted(os.listdir(self.env.dir)),
                         sorted(["feeds.yaml", "site"]))
        r = self.env.run("import-opml", os.path.join(ROOT, "tests", "data", "e2e", "article.html"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("not", r.stderr)

    def test_import_names_feeds_whose_derived_names_clash(self):
        # YouTube feeds differ in the query only: one derived name for all.
        self.write("spool: {spool}\nstate: {state}\nfeeds:\n"
                   "  - url: https://www.youtube.com/feeds/videos.xml?channel_id=X\n")
        self.run_ok("import-opml", os.path.join(OPML, "youtube.opml"))
        text = self.read()
        self.assertIn('channel_id=UCsXVk37bltHxD1rDPwtNM8Q"  # Kurzgesagt – In a Nutshell\n'
                      "    name: kurzgesagt-in-a-nutshell\n", text)
        self.assertIn('channel_id=UCYO_jab_esuFRV4b17AJtAw"  # 3Blue1Brown\n'
                      "    name: 3blue1brown\n", text)
        self.assertIn('playlist_id=PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab"  # 3Blue1Brown\n'
                      "    name: www.youtube.com-feeds-videos-2\n", text)
        self.assertIn("4 feeds", self.run_ok("check").stdout)

    def test_check_warns_about_duplicates_paths_and_short_intervals(self):
        self.write("spool: /etc/passwd/spool\nstate: {state}\nmin_interval: 5m\nfeeds:\n"
                   "  - url: http://a.example/feed\n    name: a\n    interval: 1m\n"
                   "  - url: http://a.example/feed\n    name: b\n")
        r = self.run_ok("check")
        c = self.env.config
        self.assertIn(f"{c}: warning: spool /etc/passwd/spool cannot be written: "
                      "/etc/passwd/spool: Not a directory", r.stdout)
        self.assertIn(f"{c}:5: warning: feed a: interval 1m is below min_interval 5m", r.stdout)
        self.assertIn(f"{c}:8: warning: feed b has the url of feed a (line 5)", r.stdout)
        self.assertIn("ok, 2 feeds (2 enabled)", r.stdout)
        self.assertIn("3 warnings", r.stdout)
        self.write("spool: {spool}\nstate: /etc/hostname/state.db\ninterval: 1m\nfeeds:\n")
        out = self.run_ok("check").stdout
        self.assertIn("warning: state /etc/hostname/state.db cannot be written", out)
        self.assertIn(f"{c}: warning: interval 1m is below min_interval 5m", out)

    def test_a_mistyped_state_url_is_a_config_error_not_a_file(self):
        # Run where a relative path would land: nothing may be created.
        def run(cmd):
            return subprocess.run([BINARY, cmd, "-c", self.env.config],
                                  cwd=self.env.dir, capture_output=True,
                                  text=True, timeout=60)
        c = self.env.config
        for typed, meant in (("postgresql:/nw@db.example/news",
                              "postgresql://nw@db.example/news"),
                             ("postgres//db.example/news", "postgres://db.example/news"),
                             ("pgsql://db.example/news", "postgresql://db.example/news")):
            self.write("spool: {spool}\nstate: " + typed + "\nfeeds:\n"
                       "  - url: http://127.0.0.1:9/feed\n")
            before = sorted(os.listdir(self.env.dir))
            for cmd in ("check", "once"):
                r = run(cmd)
                self.assertEqual(r.returncode, 78, r.stdout + r.stderr)
                self.assertIn(f"{c}:2:8: state: '{typed}' is no supported URL "
                              f"(did you mean '{meant}'", r.stderr)
            self.assertEqual(sorted(os.listdir(self.env.dir)), before)
        # A relative path with a ':' in it, written ./ first, is a file.
        self.write("spool: {spool}\nstate: ./x:y.db\nfeeds:\n")
        r = run("check")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(run("once").returncode, 0)
        self.assertTrue(os.path.isfile(os.path.join(self.env.dir, "x:y.db")))

    def test_commands_without_network_leave_libcurl_uninitialised(self):
        # The dynamic linker binds each libcurl function at its first
        # call and LD_DEBUG=bindings says so: what a command never calls
        # is never bound.  `once` is the control that shows the method
        # sees the call where there is one.
        e = self.env
        e.write_feed("wire.xml", [(1, 2)])
        e.write_config([{"path": "wire.xml"}])

        def bound(*args):
            env = dict(os.environ, LD_DEBUG="bindings")
            env.pop("LD_BIND_NOW", None)
            r = subprocess.run([BINARY, *args], capture_output=True,
                               text=True, timeout=60, env=env)
            self.assertEqual(r.returncode, 0, r.stderr[-3000:])
            own = re.escape(os.path.basename(BINARY))
            return set(re.findall(r"binding file \S*/%s \[0\] to \S*libcurl\S* "
                                  r"\[0\]: normal symbol `(curl_\w+)'" % own, r.stderr))

        self.assertIn("curl_global_init", bound("once", "-c", e.config))
        feed = os.path.join(e.site, "wire.xml")
        page = os.path.join(e.site, "articles", "1.html")
        for args in (["parse", feed], ["extract", page], ["check", "-c", e.config],
                     ["status", "-c", e.config], ["tail", "-c", e.config], ["--help"]):
            self.assertEqual(bound(*args), set(), args)

    def test_check_warns_about_each_duplicate_url_among_many_feeds(self):
        # 3,000 feeds, URLs sharing a long prefix; five repeat an earlier
        # one, which each warning names (the first of its URL, also for
        # the third time a URL comes).
        n, lines = 3000, ["spool: {spool}", "state: {state}", "feeds:"]
        repeats = {700: 3, 1500: 1499, 2999: 0, 2400: 3, 2000: 1998}
        for i in range(n):
            src = repeats.get(i, i)
            lines.append(f"  - url: http://news.example/{'section/' * 8}f{src}.xml")
            lines.append(f"    name: f{i}")
        self.write("\n".join(lines) + "\n")
        out = self.run_ok("check").stdout
        c = self.env.config
        got = [ln for ln in out.splitlines() if "has the url of" in ln]
        self.assertEqual(got, [
            f"{c}:{4 + 2 * i}: warning: feed f{i} has the url of feed f{src} "
            f"(line {4 + 2 * src}): polled twice"
            for i, src in sorted(repeats.items())])
        self.assertIn(f"ok, {n} feeds ({n} enabled)", out)

    def test_status_json(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2), (2, 3)])
        e.write_config([{"path": "a.xml", "name": "a"}, {"path": "gone.xml", "name": "gone"}])
        e.run("once")
        e.write_config([{"path": "a.xml", "name": "a"}, {"path": "new.xml", "name": "new"}])
        rows = {r["name"]: r for r in json.loads(self.run_ok("status", "--json").stdout)}
        a = rows["a"]
        self.assertEqual((a["configured"], a["http_status"], a["entries_seen"], a["failures"],
                          a["last_error"], a["url"]),
                         (True, 200, 2, 0, None, f"{e.base}/a.xml"))
        self.assertRegex(a["last_poll"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsInstance(a["interval"], int)
        self.assertEqual(rows["gone"]["configured"], False)
        self.assertEqual(rows["gone"]["http_status"], 404)
        self.assertIsNotNone(rows["gone"]["last_error"])
        self.assertEqual((rows["new"]["last_poll"], rows["new"]["http_status"]), (None, None))
        # The table still lists the same feeds.
        table = self.run_ok("status").stdout
        self.assertIn("gone (removed)", table)

    def test_feed_password_is_sent_and_shown_nowhere(self):
        e = self.env
        # Relative links resolve against the feed's URL, user info and all.
        e.write_site("a.xml", rss("", [(1, 2)]))
        e.write_site("articles/1.html", article_page(1))
        host = e.base.split("://", 1)[1]
        self.write("spool: {spool}\nstate: {state}\nallow_private_addresses: true\n"
                   "log_level: debug\nfeeds:\n"
                   f"  - url: http://reader:s3cret%2Fpw@{host}/a.xml\n    name: a\n"
                   f"  - url: http://reader:s3cret%2Fpw@{host}/missing.xml\n    name: gone\n")
        r = e.run("once")
        self.assertEqual(r.returncode, 1, r.stderr)
        # The transfers still carry it: the feed's, and its pages'.
        auth = "Basic " + base64.b64encode(b"reader:s3cret/pw").decode()
        sent = {q["path"]: q["headers"].get("authorization") for q in e.server.requests}
        self.assertEqual((sent["/a.xml"], sent["/articles/1.html"], sent["/missing.xml"]),
                         (auth, auth, auth))
        shown = f"http://reader@{host}"
        [(_, item)] = e.items()
        self.assertEqual((item["feed"]["url"], item["entry"]["link"], item["article"]["url"]),
                         (f"{shown}/a.xml", f"{shown}/articles/1.html",
                          f"{shown}/articles/1.html"))
        status = self.run_ok("status")
        rows = {x["name"]: x for x in json.loads(self.run_ok("status", "--json").stdout)}
        self.assertEqual(rows["a"]["url"], f"{shown}/a.xml")
        self.assertIn("404", rows["gone"]["last_error"])
        with open(e.state, "rb") as f:
            state = f.read()
        for where, text in (("log", r.stdout + r.stderr),
                            ("item", json.dumps(item)),
                            ("status", status.stdout + status.stderr),
                            ("status --json", json.dumps(rows)),
                            ("state", state.decode("latin-1"))):
            self.assertNotIn("s3cret", text, where)
        self.assertIn(f"{shown}/missing.xml", status.stdout)

    def test_tail_blocks_json_and_follow(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2), (2, 3), (3, 4)])
        e.write_config([{"path": "a.xml", "name": "a"}])
        e.run("once")
        out = self.run_ok("tail", "-n", "2").stdout
        blocks = out.strip().split("\n\n")
        self.assertEqual(len(blocks), 2)
        first = blocks[0].split("\n")
        self.assertRegex(first[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  a$")
        self.assertEqual(first[1:3], ["  Story 2", f"  {e.base}/articles/2.html"])
        self.assertTrue(first[3].startswith("    "), first)
        self.assertIn("Story 3", blocks[1])
        lines = self.run_ok("tail", "--json").stdout.splitlines()
        self.assertEqual([json.loads(x)["entry"]["id"] for x in lines],
                         ["urn:story:1", "urn:story:2", "urn:story:3"])
        # An item a consumer moved to cur/ is still the spool's.
        new = os.path.join(e.spool, "new")
        os.mkdir(os.path.join(e.spool, "cur"))
        name = sorted(os.listdir(new))[0]
        os.rename(os.path.join(new, name), os.path.join(e.spool, "cur", name + ":2,S"))
        self.assertEqual(len(self.run_ok("tail", "--json").stdout.splitlines()), 3)
        # -f: the newest one now, then each item as it lands.
        proc = subprocess.Popen([BINARY, "tail", "-f", "-n", "1", "-c", e.config],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertIn("Story 3", self.read_until(proc, "Story 3"))
            e.write_feed("a.xml", [(1, 2), (2, 3), (3, 4), (4, 5)])
            self.assertEqual(e.run("once").returncode, 0)
            got = self.read_until(proc, "Story 4")
            self.assertNotIn("Story 3", got)
            self.assertIn(f"{e.base}/articles/4.html", got)
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def test_tail_skips_a_fifo_in_new(self):
        # new/ is group-writable: a consumer's FIFO there must neither
        # hang tail nor take the place of an item.
        e = self.env
        e.write_feed("a.xml", [(1, 2), (2, 3)])
        e.write_config([{"path": "a.xml", "name": "a"}])
        e.run("once")
        new = os.path.join(e.spool, "new")
        os.mkfifo(os.path.join(new, "zzzz-consumer.json"))
        r = self.env.run("tail", "--json", "-n", "2", timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([json.loads(x)["entry"]["id"] for x in r.stdout.splitlines()],
                         ["urn:story:1", "urn:story:2"])
        # -f: a FIFO renamed into new/ is passed over, the next item shown.
        proc = subprocess.Popen([BINARY, "tail", "-f", "-n", "0", "-c", e.config],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            os.mkfifo(os.path.join(e.dir, "pipe.json"))
            os.rename(os.path.join(e.dir, "pipe.json"), os.path.join(new, "0000-pipe.json"))
            e.write_feed("a.xml", [(1, 2), (2, 3), (3, 4)])
            self.assertEqual(e.run("once").returncode, 0)
            self.assertIn(f"{e.base}/articles/3.html", self.read_until(proc, "Story 3"))
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def read_until(self, proc, text, timeout=30):
        """What tail -f prints until text appears (raw reads: a buffered
        reader would hide lines from select)."""
        deadline = time.monotonic() + timeout
        got = b""
        while text.encode() not in got and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                got += chunk
        self.assertIn(text, got.decode(), f"tail -f printed {got!r}")
        return got.decode()


if __name__ == "__main__":
    main(sys.modules[__name__])
