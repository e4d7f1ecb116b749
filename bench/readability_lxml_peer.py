#!/usr/bin/python3
"""The fallback peer for `make extract-eval` when Node 20 or npm is missing:
Debian's python3-readability (readability-lxml), called like newswatch
(`readability_lxml_peer.py extract PAGE --url URL`)."""
import json, re, sys
from readability import Document

args = sys.argv[1:]
raw = open(args[1], "rb").read()
doc = Document(raw, url=args[args.index("--url") + 1])
html = doc.summary(html_partial=True)
text = re.sub(r"<[^>]+>", " ", re.sub(r"</?(p|div|li|h\d|br|blockquote|pre|tr)\b[^>]*>", "\n\n", html))
print(json.dumps({"title": doc.short_title() or None, "text": text}))
