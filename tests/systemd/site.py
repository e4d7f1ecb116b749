"""Write the feeds and pages the booted-systemd test serves on 127.0.0.1:8080.

Usage: site.py DIR -- feeds a.xml, b.xml and c.xml, two entries each, and the
article page each entry links to.
"""
import os
import sys

BASE = "http://127.0.0.1:8080"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Feed {name}</title><link>{base}/</link>
<description>test feed {name}</description>
{items}
</channel></rss>
"""

ITEM = """<item><title>Story {name}{n}</title><link>{base}/{name}{n}.html</link>
<guid>urn:nwtest:{name}:{n}</guid><pubDate>Tue, 24 Nov 2026 14:2{n}:00 +0000</pubDate>
<description>Standfirst of story {name}{n}.</description></item>"""

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Story {name}{n}</title>
<meta property="og:title" content="Story {name}{n}">
<meta property="article:published_time" content="2026-11-24T14:2{n}:00Z">
</head><body><nav><a href="/">Home</a></nav><article><h1>Story {name}{n}</h1>
<p>The first paragraph of story {name}{n}, long enough to be the body of an article that a reader would want.</p>
<p>The second paragraph of story {name}{n} says what happened next, and why it matters to the people involved.</p>
</article><footer>Copyright</footer></body></html>
"""


def main():
    out = sys.argv[1]
    for name in ("a", "b", "c"):
        items = "\n".join(ITEM.format(name=name, n=n, base=BASE) for n in (1, 2))
        with open(os.path.join(out, name + ".xml"), "w", encoding="utf-8") as f:
            f.write(FEED.format(name=name, base=BASE, items=items))
        for n in (1, 2):
            with open(os.path.join(out, f"{name}{n}.html"), "w", encoding="utf-8") as f:
                f.write(PAGE.format(name=name, n=n))


if __name__ == "__main__":
    main()
