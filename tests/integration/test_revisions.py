#!/usr/bin/python3
"""Revisions end to end: an entry delivered once whose story changes is
delivered again as a revision item (README "Revisions"), on the real binary
against tests/httpd.py on 127.0.0.1, with the spool and the state read back
as a consumer would.  Run from the repository root:
python3 tests/integration/test_revisions.py
"""
import json
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import main  # noqa: E402
from pgserver import PgServer  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from test_e2e import Env  # noqa: E402

PG = PgServer()
PG_SKIP = PG.skip_reason()

BODY = [
    "The council approved the new bridge on Tuesday after a debate that lasted"
    " most of the afternoon and ended with a narrow vote of seven to five.",
    "Work is expected to begin in the spring, the mayor said, and the crossing"
    " should open to traffic within two years if the budget holds.",
    "Opponents said the money would be better spent on the existing roads and"
    " promised to raise the matter again at the next meeting.",
]

MOST_READ = [
    ["Storm closes the harbour", "Local team wins the cup", "Prices rise again"],
    ["Museum reopens its doors", "Schools close for snow", "A new mayor for Ostia"],
]


def feed_xml(base, entries):
    """entries: [(n, title, summary)]."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0"><channel><title>Town</title>',
           f"<link>{base}/</link>"]
    for n, title, summary in entries:
        out.append(f"<item><title>{title}</title>"
                   f"<link>{base}/articles/{n}.html</link>"
                   f"<guid>urn:town:{n}</guid>"
                   f"<pubDate>Mon, 02 Nov 2026 10:{n % 60:02d}:00 GMT</pubDate>"
                   f"<description>{summary}</description></item>")
    out.append("</channel></rss>")
    return "\n".join(out)


def page(headline, body, most_read, updated="5 minutes ago"):
    paras = "\n".join(f"<p>{p}</p>" for p in body)
    box = "".join(f"<li><a href='/x?utm_source=box'>{t}</a></li>" for t in most_read)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{headline} | Town News</title>
<meta name="description" content="What the council decided.">
<meta property="og:title" content="{headline}">
</head><body>
<nav><a href="/">Home</a></nav>
<article><h1>{headline}</h1>
<p class="byline">By Ada Reporter, updated {updated}</p>
{paras}
</article>
<aside class="most-read"><h2>Most read</h2><ol>{box}</ol></aside>
<footer>Copyright Town News</footer>
</body></html>"""


class Revisions(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.env.write_config([{"path": "town.xml", "name": "town"}])

    def tearDown(self):
        self.env.close()

    def publish(self, title="Council approves bridge", headline="Council approves bridge",
                body=BODY, box=0, summary="The vote was close.", updated="5 minutes ago"):
        e = self.env
        e.write_site("town.xml", feed_xml(e.base, [(1, title, summary)]))
        e.write_site("articles/1.html", page(headline, body, MOST_READ[box], updated))

    def once(self):
        r = self.env.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def touch_feed(self):
        """The same entries in other bytes: a 200, not a 304."""
        path = os.path.join(self.env.site, "town.xml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.env.write_site("town.xml", text + "\n")

    def counted_revisions(self):
        db = sqlite3.connect(self.env.state)
        try:
            return db.execute("SELECT sum(revisions) FROM feeds").fetchone()[0]
        finally:
            db.close()

    def revisions(self):
        return [(n, i) for n, i in self.env.items() if "revision" in i]

    def test_headline_and_body_change_gives_one_revision_with_its_diff(self):
        self.publish()
        self.once()
        self.assertEqual(len(self.env.items()), 1)
        body = list(BODY)
        body[1] = body[1].replace("two years", "three years")
        body.append("The mayor later corrected the figure given at the meeting.")
        self.publish(title="Council approves bridge, work to start in spring",
                     headline="Council approves bridge after long debate", body=body)
        self.once()
        self.once()   # nothing changed since: no second revision
        items = self.env.items()
        self.assertEqual(len(items), 2, [n for n, _ in items])
        (first, orig), (name, rev) = items
        self.assertNotIn("revision", orig)
        self.assertTrue(name.endswith(".r2.json"), name)
        self.assertGreater(name, first)  # ls order is time order
        r = rev["revision"]
        self.assertEqual(r["number"], 2)
        self.assertEqual(r["previous"], first)
        self.assertEqual(r["changed"], ["title", "text"])
        self.assertIn("{+after long debate+}", r["diff"]["title"])
        self.assertIn("[-two-] {+three+}", r["diff"]["text"])
        self.assertIn("{+The mayor later corrected", r["diff"]["text"])
        self.assertEqual(rev["article"]["title"], "Council approves bridge after long debate")
        self.assertEqual(rev["entry"]["id"], orig["entry"]["id"])
        self.assertEqual(self.counted_revisions(), 1)
        st = self.env.run("status", "--json")
        self.assertEqual(st.returncode, 0, st.stderr)
        self.assertIn('"revisions": 1', st.stdout.replace('"revisions":1', '"revisions": 1'))

    def test_why_names_a_revisions_entry(self):
        # A revision is named by the time it was found, not by its entry's
        # discovery: why used to say the state no longer knew its entry.
        self.publish()
        self.once()
        self.publish(title="Council rejects bridge", headline="Council rejects bridge")
        self.once()
        (name, rev), = self.revisions()
        r = self.env.run("why", name, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        entries = json.loads(r.stdout)["entries"]
        self.assertEqual([(e["feed"], e["id"]) for e in entries],
                         [("town", rev["entry"]["id"])])
        r = self.env.run("why", name)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("no longer knows", r.stdout)

    def test_rotating_most_read_box_and_timestamp_give_none(self):
        self.publish()
        self.once()
        # The feed's summary changes (a re-read) but the story does not:
        # only the "most read" box, the relative time and whitespace move.
        self.publish(summary="The vote  was close.\n", box=1, updated="12 minutes ago",
                     body=[p.replace(" the ", "  the ") for p in BODY])
        self.once()
        self.publish(summary="The vote was close!", box=0, updated="2 hours ago")
        r = self.once()
        self.assertEqual(self.revisions(), [])
        self.assertIn("no change in substance", r.stderr)

    def test_feed_title_change_gives_revision_at_the_next_poll(self):
        self.publish()
        self.once()
        self.publish(title="Council rejects bridge", headline="Council rejects bridge")
        self.once()
        revs = self.revisions()
        self.assertEqual(len(revs), 1)
        self.assertEqual(revs[0][1]["revision"]["changed"], ["title"])
        self.assertEqual(revs[0][1]["revision"]["diff"]["title"],
                         "Council [-approves-] {+rejects+} bridge")

    def test_unchanged_feed_costs_no_page_request(self):
        self.publish()
        self.once()
        before = len(self.env.server.requests)
        self.touch_feed()
        self.once()
        answered = {r["path"]: r["status"] for r in self.env.server.requests[before:]}
        self.assertEqual(answered, {"/town.xml": 200})

    def test_without_article_fetching_the_entry_is_compared(self):
        self.env.write_config([{"path": "town.xml", "name": "town", "article": "false"}])
        self.publish(summary="&lt;p&gt;The vote was close: seven to five.&lt;/p&gt;")
        self.once()
        self.publish(summary="&lt;p&gt;The vote was close: seven to five.&lt;/p&gt;\n")
        self.once()
        self.assertEqual(self.revisions(), [])
        self.publish(summary="&lt;p&gt;The vote was close: &lt;b&gt;eight&lt;/b&gt; to four.&lt;/p&gt;")
        self.once()
        [(name, item)] = self.revisions()
        self.assertNotIn("article", item)
        self.assertEqual(item["revision"]["changed"], ["description"])
        self.assertEqual(item["revision"]["diff"]["description"],
                         "The vote was close: [-seven-] {+eight+} to [-five.-] {+four.+}")
        paths = {r["path"] for r in self.env.server.requests}
        self.assertNotIn("/articles/1.html", paths)

    def test_changed_entries_read_again_at_most_16_per_poll(self):
        e = self.env
        e.write_config([{"path": "town.xml", "name": "town", "article": "false"}])
        stories = range(1, 21)

        def publish(word):
            e.write_site("town.xml", feed_xml(e.base, [
                (n, f"Story {n}", f"The vote on story {n} was {word}.") for n in stories]))
        publish("close")
        self.once()
        publish("unanimous")
        r = self.once()
        self.assertEqual(len(self.revisions()), 16)
        self.assertIn("4 more changed entries are read again at the next poll", r.stderr)
        self.touch_feed()
        self.once()
        self.assertEqual(len(self.revisions()), 20)
        self.touch_feed()
        self.once()
        self.assertEqual(len(self.revisions()), 20)

    def test_revisions_off(self):
        self.env.write_config([{"path": "town.xml", "name": "town", "revisions": "off"}])
        self.publish()
        self.once()
        self.publish(title="Council rejects bridge", headline="Council rejects bridge")
        self.once()
        self.assertEqual(self.revisions(), [])

    def test_bad_value_names_line_and_column(self):
        self.env.write_config([{"path": "town.xml", "revisions": "always"}])
        r = self.env.run("check")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("feeds.yaml:", r.stderr)
        self.assertIn("off or feed", r.stderr)


class RevisionsToRedis(Revisions):
    """A revision goes to the Redis stream too, after its original, under
    the spool's name and with the same JSON."""

    def setUp(self):
        self.redis = RedisServer()
        super().setUp()
        self.env.write_config([{"path": "town.xml", "name": "town"}],
                              sink=self.redis.url("news"))

    def tearDown(self):
        super().tearDown()
        self.redis.close()

    def test_revision_in_the_stream_in_order(self):
        self.publish()
        self.once()
        self.publish(title="Council rejects bridge", headline="Council rejects bridge")
        self.once()
        stream = [(f["name"], json.loads(f["item"])) for _, f in self.redis.stream("news")]
        self.assertEqual(stream, self.env.items())
        self.assertEqual([("revision" in i) for _, i in stream], [False, True])


@unittest.skipIf(PG_SKIP, PG_SKIP)
class RevisionsOnPostgreSQL(Revisions):
    """The same, on a PostgreSQL state (the shared backend)."""

    @classmethod
    def setUpClass(cls):
        PG.start()

    @classmethod
    def tearDownClass(cls):
        PG.stop()

    def setUp(self):
        super().setUp()
        self.db = "rev_" + self.id().split(".")[-1][5:40].lower()
        url = PG.createdb(self.db)
        self.env.write_config = self.keep_state(self.env.write_config, url)
        self.env.write_config([{"path": "town.xml", "name": "town"}])

    def keep_state(self, write, url):
        def written(*a, **kw):
            write(*a, **kw)
            with open(self.env.config, encoding="utf-8") as f:
                text = f.read()
            with open(self.env.config, "w", encoding="utf-8") as f:
                f.write(text.replace(f"state: {self.env.state}", f"state: {url}"))
        return written

    def counted_revisions(self):
        return int(PG.psql("SELECT sum(revisions) FROM feeds", db=self.db)[0][0])


if __name__ == "__main__":
    main(sys.modules[__name__])
