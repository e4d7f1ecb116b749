#!/usr/bin/python3
"""The same story in many feeds, end to end: the real newswatch binary
against tests/httpd.py on 127.0.0.1, looking at the spool and the state.
Run from the repository root:  python3 tests/integration/test_duplicates.py
"""
import html
import json
import os
import sqlite3
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from nwdaemon import main  # noqa: E402
from test_e2e import Env  # noqa: E402

TEXTS = os.path.join(ROOT, "tests", "data", "neardup")


def text(name):
    with open(os.path.join(TEXTS, name), encoding="utf-8") as f:
        return f.read()


def page(base, path, title, body, site, canonical=None):
    """An article page of site's template with body's paragraphs, its
    canonical link to path unless said otherwise."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n") if p.strip())
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {site}</title>
<meta property="og:site_name" content="{site}">
<link rel="canonical" href="{base}/{path if canonical is None else canonical}">
</head><body>
<nav class="menu"><a href="/">{site} home</a> <a href="/world">World</a></nav>
<div class="cookie-banner">Cookie notice from {site}: we use cookies.</div>
<article><h1>{html.escape(title)}</h1>
{paras}
</article>
<aside class="related">Read also on {site}: more stories</aside>
<footer>Copyright {site}</footer></body></html>"""


def feed(base, entries, title):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>',
           f"<title>{title}</title><link>{base}/</link>"]
    for guid, link in entries:
        out.append(f"<item><title>{guid}</title><link>{link}</link>"
                   f"<guid>{guid}</guid></item>")
    out.append("</channel></rss>")
    return "\n".join(out)


class Duplicates(unittest.TestCase):
    def setUp(self):
        self.env = Env()

    def tearDown(self):
        self.env.close()

    def once(self):
        r = self.env.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def site_page(self, path, title, name, site, canonical=None):
        e = self.env
        e.write_site(path, page(e.base, path, title, text(name), site, canonical))
        return f"{e.base}/{path}"

    def syndicate(self, **b_options):
        """Feed a's story, polled; then feed b's edited copy of it on another
        site's template, polled with feed a; the second poll's result."""
        e = self.env
        a = self.site_page("a/story.html", "Homes repaired", "story.txt", "Site A")
        b = self.site_page("b/wire-copy.html", "Breaking: city repairs homes",
                           "story-syndicated.txt", "Site B")
        e.write_site("a.xml", feed(e.base, [("urn:a:1", a)], "A"))
        e.write_site("b.xml", feed(e.base, [("urn:b:1", b)], "B"))
        e.write_config([{"path": "a.xml", "name": "a"}])
        self.once()
        e.write_config([{"path": "a.xml", "name": "a"},
                        dict({"path": "b.xml", "name": "b"}, **b_options)])
        return self.once()

    def by_id(self):
        return {i["entry"]["id"]: (n, i) for n, i in self.env.items()}

    def seen(self):
        db = sqlite3.connect(self.env.state)
        try:
            return dict(db.execute("SELECT entry_id, status FROM entries"))
        finally:
            db.close()

    def test_two_feeds_list_the_same_article(self):
        e = self.env
        link = self.site_page("a/story.html", "Homes repaired", "story.txt", "Site A")
        # The second feed's link carries tracking parameters.
        e.write_site("main.xml", feed(e.base, [("urn:main:1", link)], "Main"))
        e.write_site("section.xml", feed(e.base, [
            ("urn:section:1", link + "?utm_source=rss&utm_medium=feed")], "Section"))
        e.write_config([{"path": "main.xml", "name": "main"},
                        {"path": "section.xml", "name": "section"}])
        self.once()
        items = e.items()
        self.assertEqual(len(items), 2)
        firsts = [n for n, i in items if "duplicate_of" not in i]
        dups = [i for _, i in items if "duplicate_of" in i]
        self.assertEqual(len(firsts), 1)
        self.assertEqual(len(dups), 1)
        self.assertEqual(dups[0]["duplicate_of"], firsts[0])

    def test_syndicated_copy_under_another_url_is_marked(self):
        self.syndicate()
        got = self.by_id()
        name_a, item_a = got["urn:a:1"]
        _, item_b = got["urn:b:1"]
        self.assertNotIn("duplicate_of", item_a)
        self.assertEqual(item_b["duplicate_of"], name_a)

    def test_different_stories_on_one_template_are_not_marked(self):
        e = self.env
        one = self.site_page("a/one.html", "Homes repaired", "story.txt", "Site A")
        two = self.site_page("a/two.html", "Go repair", "other-page.txt", "Site A")
        e.write_site("a.xml", feed(e.base, [("urn:a:1", one), ("urn:a:2", two)], "A"))
        e.write_config([{"path": "a.xml", "name": "a"}])
        self.once()
        items = e.items()
        self.assertEqual(len(items), 2)
        self.assertFalse(any("duplicate_of" in i for _, i in items))

    def test_a_template_canonical_to_the_home_page_says_nothing(self):
        # A template that names its home page as every page's canonical
        # URL: the pages are still told apart, by their own URLs.
        e = self.env
        one = self.site_page("a/one.html", "Homes repaired", "story.txt", "Site A", "")
        two = self.site_page("a/two.html", "Go repair", "other-page.txt", "Site A", "")
        e.write_site("a.xml", feed(e.base, [("urn:a:1", one), ("urn:a:2", two)], "A"))
        e.write_config([{"path": "a.xml", "name": "a"}])
        self.once()
        items = e.items()
        self.assertEqual([i["article"]["canonical_url"] for _, i in items], [e.base + "/"] * 2)
        self.assertFalse(any("duplicate_of" in i for _, i in items))

    def test_skip_records_but_does_not_spool(self):
        r = self.syndicate(duplicates="skip")
        self.assertEqual(list(self.by_id()), ["urn:a:1"])
        self.assertEqual(self.seen(), {"urn:a:1": 2, "urn:b:1": 2})
        self.assertIn("the same story as", r.stderr)
        # And never later: the next poll knows it.
        self.once()
        self.assertEqual(list(self.by_id()), ["urn:a:1"])

    def test_off_looks_for_nothing(self):
        e = self.env
        link = self.site_page("a/story.html", "Homes repaired", "story.txt", "Site A")
        e.write_site("main.xml", feed(e.base, [("urn:main:1", link)], "Main"))
        e.write_site("section.xml", feed(e.base, [("urn:section:1", link)], "Section"))
        e.write_config([{"path": "main.xml", "name": "main"},
                        {"path": "section.xml", "name": "section"}], duplicates="off")
        self.once()
        items = e.items()
        self.assertEqual(len(items), 2)
        self.assertFalse(any("duplicate_of" in i for _, i in items))

    def status_counts(self):
        r = self.env.run("status", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return {f["name"]: f["duplicates"] for f in json.loads(r.stdout)}

    def test_duplicates_are_counted_per_feed(self):
        # Skipped: recorded, counted in its feed, but not an item written
        # (the run's summary used to count it among the items).
        r = self.syndicate(duplicates="skip")
        self.assertIn("; 0 items, 1 duplicates (1 skipped)", r.stderr)
        self.assertEqual(self.status_counts(), {"a": 0, "b": 1})
        # Counted once: the next poll knows the entry.
        self.once()
        self.assertEqual(self.status_counts(), {"a": 0, "b": 1})

    def test_a_replay_counts_a_duplicate_once(self):
        # A crash before the batch that marks the items seen: nothing of
        # the count was committed, and the replay counts each once.
        e = self.env
        self.syndicate()
        self.assertEqual(self.status_counts(), {"a": 0, "b": 1})
        db = sqlite3.connect(e.state)
        db.execute("UPDATE entries SET status = 1, seen_at = NULL")
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, duplicates = 0")
        db.commit()
        db.close()
        self.once()
        self.assertEqual(self.status_counts(), {"a": 0, "b": 1})

    def test_a_replayed_item_gets_the_same_answer(self):
        # A crash after the claims were committed and before the items
        # were marked seen: the entries are pending again and their items
        # made again, with the answers the state kept, even though the
        # story's first item is not delivered first this time.
        e = self.env
        self.syndicate()
        before = {i["entry"]["id"]: (n, i.get("duplicate_of")) for n, i in e.items()}
        db = sqlite3.connect(e.state)
        db.execute("UPDATE entries SET status = 1, seen_at = NULL")
        # As the crash left them: no 304 hides the entries again.
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
        db.commit()
        db.close()
        for n in os.listdir(os.path.join(e.spool, "new")):
            os.unlink(os.path.join(e.spool, "new", n))
        # Only b's feed polls now: a's item is not there to claim first.
        e.write_config([{"path": "b.xml", "name": "b"}])
        self.once()
        e.write_config([{"path": "a.xml", "name": "a"}, {"path": "b.xml", "name": "b"}])
        self.once()
        after = {i["entry"]["id"]: (n, i.get("duplicate_of")) for n, i in e.items()}
        self.assertEqual(after, before)


if __name__ == "__main__":
    main(sys.modules[__name__])
