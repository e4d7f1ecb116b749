#!/usr/bin/python3
"""Feeds that are not well-formed XML (tests/data/feeds/malformed/): one
file per kind the web serves (see the README there), and every malformed
file of the shared corpus where feedparser finds entries.  Beside each
FILE.xml, FILE.expect.json is feedparser's reading of it, as
../shared/tools/feedparser_oracle.py printed it (not edited).

newswatch must find every entry feedparser finds, in the same order, with
the same title and link (compared as the corpus runner compares them),
and say that it recovered (a warning).  It may find more.  Where
feedparser is wrong, KNOWN says why, entry by entry and field by field.

Run from the repository root: python3 tests/test_malformed_feeds.py
"""
import json
import os
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "feeds", "malformed")
BINARY = os.environ.get("NEWSWATCH", os.path.join(ROOT, "newswatch"))
sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
from run_corpus import text, url  # noqa: E402

# (file, entry index, field): why feedparser's value is not the one to have.
KNOWN = {
    ("bare-ampersand.xml", 0, "link"):
        "feedparser's loose pass reads '&lang' in '?id=1&lang=en' as the "
        "entity 〈 without its ';'; HTML does not, and the URL is the bytes",
    ("bare-ampersand.xml", 1, "title"):
        "feedparser's loose pass turns the bare '&D' of 'R&D' into '&D;'",
    ("truncated.xml", 2, "entry"):
        "the entry the document was cut in is left out: its text is cut "
        "short, and the next poll gives it whole (feed.h: incomplete)",
    ("corpus-feedvalidator-amp-hex-name.xml", 0, "title"):
        "feedparser keeps a U+001A control character it made of '&#x1a'; "
        "newswatch drops the control character, as for any other",
    ("corpus-gofeed-rss_channel_item_illegal_char.xml", 0, "title"):
        "feedparser keeps the U+0008 control character; it is not XML "
        "text, and newswatch drops it",
    ("corpus-feedparser-eucjp.xml", 0, "title"):
        "EUC-JP bytes with no declaration: feedparser reads them as "
        "windows-1252, newswatch keeps what happens to be valid UTF-8 "
        "and reads the rest as windows-1252; neither reads Japanese",
}


def parse(path):
    r = subprocess.run([BINARY, "parse", path], capture_output=True,
                       timeout=60)
    if r.returncode != 0:
        return None, r.stderr.decode(errors="replace").strip()
    return json.loads(r.stdout), None


class Malformed(unittest.TestCase):
    def test_every_entry_feedparser_finds(self):
        names = sorted(f for f in os.listdir(DATA) if f.endswith(".xml"))
        self.assertGreater(len(names), 20)
        for name in names:
            with self.subTest(file=name):
                self.check(name)

    def check(self, name):
        with open(os.path.join(DATA, name[:-4] + ".expect.json")) as fh:
            ref = json.load(fh)
        ours, err = parse(os.path.join(DATA, name))
        self.assertIsNotNone(ours, err)
        ents = ours["entries"]
        for i, r in enumerate(ref["entries"]):
            if (name, i, "entry") in KNOWN:
                continue
            self.assertLess(i, len(ents), "entry %d (%r) missing" %
                            (i, r.get("title")))
            e = ents[i]
            for field, norm in (("title", text), ("link", url)):
                if (name, i, field) in KNOWN:
                    continue
                self.assertEqual(norm(e.get(field)), norm(r.get(field)),
                                 "entry %d: %s" % (i, field))
        if ref.get("bozo_exception") == "SAXParseException":
            self.assertTrue(ours["feed"]["warnings"],
                            "recovered without saying so")


if __name__ == "__main__":
    unittest.main()
