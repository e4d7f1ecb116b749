#!/usr/bin/python3
"""What revisions cost and where their threshold lies, measured on the
article corpus (../shared/corpus/articles): run from the repository root
after `make`:  python3 bench/revisions_measure.py [CORPUS_DIR]

For each page, `newswatch extract` gives the texts a revision compares;
the script prints
- the bytes a version takes in the state (title, description and text,
  deflated at zlib's fastest level and base64'd, as daemon/revision.c keeps
  them): the state's cost per watched entry inside the window;
- how many words of the extracted text change when a "most read" box
  (three headlines with tracking links, rotated) is added in two places
  real sites put one: an <aside> at the end of the page, and a <div>
  right after the page's last paragraph.  A change of 0 words means the
  extraction leaves the box out and a revision threshold of 1 word gives
  no false revision from it.  The words are counted twice: over the
  whole text, and over its prose only (paragraphs of at least 8 words or
  ending as a sentence does, as daemon/revision.c compares the text).
"""
import base64
import difflib
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("NEWSWATCH", os.path.join(ROOT, "newswatch"))
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared",
                                                             "corpus", "articles")
BOXES = [["Storm closes the harbour", "Local team wins the cup", "Prices rise again"],
         ["Museum reopens its doors", "Schools close for snow", "A new mayor is sworn in"]]


def extract(html):
    r = subprocess.run([BINARY, "extract", "/dev/stdin", "--url", "https://example.org/a"],
                       input=html.encode("utf-8", "replace"), capture_output=True, timeout=60)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)


def version_bytes(a):
    raw = "\0".join(a.get(k) or "" for k in ("title", "description", "text")) + "\0"
    raw = raw.encode()
    return len(base64.b64encode(b"%08x" % len(raw) + zlib.compress(raw, 1)))


ENDS = (".", "!", "?", ";", ":", '"', "'", ")", "\u201d", "\u2019", "\u00bb", "\u2026")


def words(text):
    return (text or "").split()


def prose(text):
    """The paragraphs daemon/revision.c compares (keep_prose)."""
    return "\n\n".join(p for p in re.split(r"\n[ \t\r]*\n", text or "")
                       if len(p.split()) >= 8 or p.rstrip().endswith(ENDS))


def changed_words(a, b):
    m = difflib.SequenceMatcher(None, words(a), words(b), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in m.get_opcodes()
               if op != "equal")


def box(kind, titles):
    items = "".join(f'<li><a href="/n/{i}?utm_source=mostread">{t}</a></li>'
                    for i, t in enumerate(titles))
    if kind == "aside":
        return f'<aside class="most-read"><h3>Most read</h3><ol>{items}</ol></aside>'
    return f'<div class="most-read"><h3>Most read</h3><ol>{items}</ol></div>'


def with_box(html, kind, titles):
    if kind == "aside":
        at = html.lower().rfind("</body>")
        at = at if at >= 0 else len(html)
    else:
        at = html.lower().rfind("</p>")
        at = at + 4 if at >= 0 else len(html)
    return html[:at] + box(kind, titles) + html[at:]


def main():
    pages = sorted(glob.glob(os.path.join(CORPUS, "**", "*.html"), recursive=True))
    pages = [p for p in pages if not p.endswith("expected.html")]
    sizes, raw_sizes = [], []
    changes = {"aside": [], "div": [], "aside, prose only": [], "div, prose only": []}
    for path in pages:
        with open(path, encoding="utf-8", errors="replace") as f:
            html = f.read()
        a = extract(html)
        if not a or not a.get("text"):
            continue
        sizes.append(version_bytes(a))
        raw_sizes.append(sum(len((a.get(k) or "").encode())
                             for k in ("title", "description", "text")))
        for kind in ("aside", "div"):
            x = extract(with_box(html, kind, BOXES[0]))
            y = extract(with_box(html, kind, BOXES[1]))
            if x and y:
                changes[kind].append(changed_words(x.get("text"), y.get("text")))
                changes[kind + ", prose only"].append(
                    changed_words(prose(x.get("text")), prose(y.get("text"))))
    print(f"pages with text: {len(sizes)} of {len(pages)}")
    print(f"version in the state: median {statistics.median(sizes):.0f} B, "
          f"mean {statistics.mean(sizes):.0f} B, p90 "
          f"{sorted(sizes)[int(len(sizes) * 0.9)]} B, max {max(sizes)} B "
          f"(texts before compression: median {statistics.median(raw_sizes):.0f} B)")
    for kind, c in changes.items():
        zero = sum(1 for n in c if n == 0)
        print(f"rotating box as {kind}: {zero} of {len(c)} pages unchanged; "
              f"changed words when not: {sorted(n for n in c if n)[:40]}")


if __name__ == "__main__":
    main()
