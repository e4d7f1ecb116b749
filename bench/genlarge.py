#!/usr/bin/python3
"""Write one large RSS 2.0 document made of the corpus's real items, for
bench/parse.py's large-document run (about 10 MB by default).

    genlarge.py OUT [--corpus DIR] [--mb 10]

The items are the <item> elements of the captured real-world feeds
(feedjira's realworld_2009 suite), their guids made unique per round so
that a reader sees distinct entries, under one channel that declares
every namespace prefix they use.  Each item is kept only when expat reads
it alone: the document is well-formed, so every parser reads all of it.
"""
import argparse
import os
import re
import sys
import xml.parsers.expat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
from run_corpus import corpus_files  # noqa: E402

ITEM = re.compile(rb"<item[\s>].*?</item>", re.S)
XMLNS = re.compile(rb'xmlns:([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"')
ROOT_TAG = re.compile(rb"<rss\b[^>]*>", re.S)
GUID = re.compile(rb"(<guid\b[^>]*>)(.*?)(</guid>)", re.S)


def reads(decls, item):
    p = xml.parsers.expat.ParserCreate()
    try:
        p.Parse(b"<rss " + decls + b"><channel>" + item + b"</channel></rss>",
                True)
        return True
    except xml.parsers.expat.ExpatError:
        return False


def collect(corpus):
    """The namespace declarations and the items that read with them."""
    prefixes, items = {}, []
    for path in corpus_files(corpus):
        if "realworld" not in path or path.endswith(".json"):
            continue
        with open(path, "rb") as fh:
            doc = fh.read()
        m = ROOT_TAG.search(doc)
        if m is None or b'encoding="' in doc[:100] and \
                not re.search(rb'encoding="(utf-8|UTF-8)"', doc[:100]):
            continue
        mine = dict(XMLNS.findall(m.group(0)))
        if any(prefixes.get(k, v) != v for k, v in mine.items()):
            continue
        prefixes.update(mine)
        items.extend(ITEM.findall(doc))
    decls = b" ".join(b'xmlns:%s="%s"' % kv for kv in sorted(prefixes.items()))
    return decls, [i for i in items if reads(decls, i)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(ROOT), "shared",
                                                     "corpus", "feeds"))
    ap.add_argument("--mb", type=float, default=10)
    args = ap.parse_args()
    decls, items = collect(args.corpus)
    if not items:
        print("genlarge: no items found in %s" % args.corpus, file=sys.stderr)
        return 1
    want = int(args.mb * 1e6)
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ' +
             decls + b'>\n<channel>\n<title>Large</title>\n'
             b'<link>https://example.org/</link>\n'
             b'<description>Real items, repeated</description>\n']
    size, n, rnd = len(parts[0]), 0, 0
    while size < want:
        for item in items:
            tag = b"r%d-" % rnd
            item = GUID.sub(lambda m: m.group(1) + tag + m.group(2) + m.group(3),
                            item, count=1)
            parts.append(item + b"\n")
            size += len(item) + 1
            n += 1
            if size >= want:
                break
        rnd += 1
    parts.append(b"</channel>\n</rss>\n")
    with open(args.out, "wb") as fh:
        fh.write(b"".join(parts))
    print("genlarge: %s: %d items, %.1f MB" % (args.out, n, size / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
