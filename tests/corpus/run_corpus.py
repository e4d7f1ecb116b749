#!/usr/bin/env python3
"""Parse every feed of the shared corpus with `newswatch parse` and compare
it with Python's feedparser (the reference).

    run_corpus.py [--binary ./newswatch] [--corpus DIR] [--show FIELD] [-v]

Prints the agreement per field and overall, per suite and in total, and
lists the files that crash or hang newswatch (exit status 1 when there is
any; disagreements alone never fail the run: the reference is a reference,
not the truth, see DISAGREEMENTS.md beside this file).

The corpus is ../shared/corpus/feeds beside the repository unless --corpus
says otherwise; without it the run is skipped (exit 0, saying so).  The
reference comes from ../shared/tools/feedparser_oracle.py run by
/usr/bin/python3 with Debian's python3-feedparser; without it only the
crash and hang check runs.
"""
import argparse
import collections
import html
import json
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FEED_EXT = (".xml", ".rss", ".atom", ".rdf", ".opml")
BATCH = 200
BATCH_TIMEOUT = 120
ONE_TIMEOUT = 20
FIELDS = ("feed_title", "entry_count", "title", "link", "id", "published",
          "updated", "author", "enclosures")


def corpus_files(corpus):
    """Every feed file: XML by extension, JSON only when it is a JSON Feed
    (the gofeed suite keeps its expected outputs as .json too)."""
    out = []
    for dp, _, fs in os.walk(corpus):
        if "oracle_feedparser" in dp:
            continue
        for f in fs:
            p = os.path.join(dp, f)
            if f.endswith(FEED_EXT):
                out.append(p)
            elif f.endswith(".json"):
                with open(p, "rb") as fh:
                    if b"jsonfeed.org/version" in fh.read(4096):
                        out.append(p)
    return sorted(out)


def suite_of(corpus, path):
    return os.path.relpath(path, corpus).split(os.sep)[0]


ORACLE_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import feedparser_oracle
out = {}
for p in sys.stdin.read().split("\\n"):
    if p:
        try:
            out[p] = feedparser_oracle.one(p)
        except Exception as ex:
            out[p] = {"oracle_error": "%s: %s" % (type(ex).__name__, ex)}
json.dump(out, sys.stdout)
"""


def make_oracle(corpus, files):
    """({path: reference}, None) from the shared oracle tool's own
    normalisation, or (None, why not)."""
    tools = os.path.join(os.path.dirname(os.path.dirname(corpus)), "tools")
    if not os.path.exists(os.path.join(tools, "feedparser_oracle.py")):
        return None, "no feedparser_oracle.py in %s" % tools
    # Not from the corpus folder: its feedparser/ would shadow the module.
    r = subprocess.run(["/usr/bin/python3", "-c", ORACLE_SCRIPT, tools],
                       input="\n".join(files), capture_output=True,
                       text=True, cwd="/")
    if r.returncode != 0:
        if "No module named 'feedparser'" in r.stderr:
            return None, "python3-feedparser is not installed"
        return None, "oracle failed: " + r.stderr.strip()[-500:]
    return json.loads(r.stdout), None


def run_batch(binary, files):
    """{path: parse JSON or {"error": ...}}; None for the files of a batch
    that crashed or hung (to be retried one by one)."""
    try:
        r = subprocess.run([binary, "parse"] + files, capture_output=True,
                           timeout=BATCH_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode < 0 or r.returncode > 1:
        return None
    res = {}
    for line in r.stdout.splitlines():
        obj = json.loads(line)
        res[obj.pop("file")] = obj
    return res if len(res) == len(files) else None


def run_one(binary, path):
    try:
        r = subprocess.run([binary, "parse", path], capture_output=True,
                           timeout=ONE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "hang", None
    if r.returncode < 0:
        return "crash (%s)" % signal.Signals(-r.returncode).name, None
    if r.returncode > 1:
        return "exit status %d: %s" % (r.returncode,
                                       r.stderr.decode(errors="replace")[-300:]), None
    if r.returncode == 1:
        return None, {"error": r.stderr.decode(errors="replace").strip()}
    return None, json.loads(r.stdout)


TAG = re.compile(r"<[^>]*>")
WS = re.compile(r"\s+")


def text(s):
    """Text as a reader sees it: feedparser keeps (sanitised) markup in
    titles of type html and decodes entities once; compare the words."""
    if s is None:
        return None
    s = html.unescape(TAG.sub("", s)) if "<" in s else html.unescape(s)
    s = WS.sub(" ", s).strip()
    return s or None


def url(s):
    return s.strip() or None if s is not None else None


def author_of(ours):
    return text(ours[0]) if ours else None


def ref_author(s):
    """feedparser's author string: "Name (email)" or "email (Name)"
    reduced to the name when both are there."""
    s = text(s)
    if s is None:
        return None
    m = re.match(r"^(.*?)\s*\((.*)\)$", s)
    if m:
        a, b = m.group(1), m.group(2)
        return b if "@" in a else a
    return s


def kind_of(field, a, b, e, r, feed):
    """The documented kind (DISAGREEMENTS.md) a disagreement is, or None."""
    if field == "link" and b and "/~r/" in b and a:
        return "feedburner-origlink"
    if field == "link" and a is None and b and b == (r.get("id") or "").strip():
        return "atom-id-is-not-a-link"
    if field == "author" and b is None and a and a in (feed.get("authors") or []):
        return "atom-author-inherited"
    if field in ("published", "updated") and a is None and b:
        return "invalid-date-refused"
    if field == "published" and b is None and a:
        return "dc-date-is-published"
    if field == "enclosures" and b is None and a:
        return "media-content-is-enclosure"
    return None


def compare(ours, ref, tally, diffs, path, kinds):
    e = r = {}

    def cmp(field, a, b):
        if a is None and b is None:
            return
        ok = a == b
        tally[field][0] += ok
        tally[field][1] += 1
        if not ok:
            diffs[field].append((path, a, b))
            kinds[(field, kind_of(field, a, b, e, r, ours.get("feed", {})))] += 1

    feed = ours.get("feed", {})
    cmp("feed_title", text(feed.get("title")), text(ref["feed"].get("title")))
    ents, rents = ours.get("entries", []), ref.get("entries", [])
    cmp("entry_count", len(ents), len(rents))
    for e, r in zip(ents, rents):
        cmp("title", text(e.get("title")), text(r.get("title")))
        cmp("link", url(e.get("link")), url(r.get("link")))
        # newswatch always names an entry (link or hash when the feed
        # gives no id); the reference leaves such ids out.
        if r.get("id"):
            cmp("id", e.get("id"), r.get("id").strip())
        cmp("published", e.get("published"), r.get("published"))
        # feedparser's "updated" falls back to the published date.
        cmp("updated", e.get("updated") or e.get("published"), r.get("updated"))
        cmp("author", author_of(e.get("authors")), ref_author(r.get("author")))
        cmp("enclosures", [x["url"] for x in e.get("enclosures", [])] or None,
            [url(x["href"]) for x in r.get("enclosures", []) if x.get("href")] or None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "newswatch"))
    ap.add_argument("--corpus", default=os.path.join(
        os.path.dirname(ROOT), "shared", "corpus", "feeds"))
    ap.add_argument("--show", action="append", default=[],
                    help="list the disagreements of this field")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print("corpus: skipped: no corpus at %s" % args.corpus)
        return 0
    files = corpus_files(args.corpus)
    results, broken = {}, {}
    for i in range(0, len(files), BATCH):
        chunk = files[i:i + BATCH]
        res = run_batch(args.binary, chunk)
        if res is None:
            res = {}
            for p in chunk:
                problem, obj = run_one(args.binary, p)
                if problem:
                    broken[p] = problem
                else:
                    res[p] = obj
        results.update(res)

    refs, why = make_oracle(args.corpus, files)

    tally = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    diffs = collections.defaultdict(list)
    parsed = collections.Counter()
    refused = collections.Counter()
    whole = collections.Counter()
    compared = collections.Counter()
    kinds = collections.Counter()
    # Entries feedparser finds that newswatch does not (a refused file
    # misses all of them), and the other way round: a lost entry is a
    # lost item, whatever the fields of the others say.
    missed, extra, short_files = collections.Counter(), collections.Counter(), []
    for p, obj in results.items():
        suite = suite_of(args.corpus, p)
        ref = (refs or {}).get(p)
        if ref and "oracle_error" not in ref:
            n = 0 if "error" in obj else len(obj.get("entries", []))
            rn = len(ref.get("entries", []))
            missed[suite] += max(rn - n, 0)
            extra[suite] += max(n - rn, 0)
            if n < rn:
                short_files.append((p, n, rn))
        if "error" in obj:
            refused[suite] += 1
            continue
        parsed[suite] += 1
        if not ref or "oracle_error" in ref:
            continue
        t = collections.defaultdict(lambda: [0, 0])
        compare(obj, ref, t, diffs, p, kinds)
        for f, (ok, n) in t.items():
            for key in ("all", suite):
                tally[key][f][0] += ok
                tally[key][f][1] += n
        compared[suite] += 1
        compared["all"] += 1
        if all(ok == n for ok, n in t.values()):
            whole[suite] += 1
            whole["all"] += 1

    suites = sorted({suite_of(args.corpus, p) for p in files})
    print("corpus: %d files (%s)" % (len(files), ", ".join(
        "%s %d" % (s, sum(1 for p in files if suite_of(args.corpus, p) == s))
        for s in suites)))
    print("parsed %d, refused as not a feed or unreadable %d, crashed or hung %d"
          % (sum(parsed.values()), sum(refused.values()), len(broken)))
    if refs is None:
        print("reference: skipped (%s)" % why)
    else:
        print("agreement with feedparser, per field (agreeing / compared):")
        print("  %-12s" % "field" + "".join("%18s" % s[:17] for s in suites + ["all"]))
        for f in FIELDS:
            row = "  %-12s" % f
            for s in suites + ["all"]:
                ok, n = tally[s][f]
                row += "%18s" % ("%5.1f%% %d/%d" % (100.0 * ok / n, ok, n) if n else "-")
            print(row)
        row = "  %-12s" % "overall"
        for s in suites + ["all"]:
            ok = sum(tally[s][f][0] for f in FIELDS)
            n = sum(tally[s][f][1] for f in FIELDS)
            row += "%18s" % ("%5.1f%%" % (100.0 * ok / n) if n else "-")
        print(row)
        row = "  %-12s" % "whole files"
        for s in suites + ["all"]:
            row += "%18s" % ("%d/%d" % (whole[s], compared[s]) if compared[s] else "-")
        print(row)
        print("disagreements by kind (see DISAGREEMENTS.md; 'other' is not"
              " classified):")
        for f in FIELDS:
            row = ["%s %d" % (k or "other", n) for (ff, k), n in
                   sorted(kinds.items(), key=lambda kv: -kv[1]) if ff == f]
            if row:
                print("  %-12s %s" % (f, ", ".join(row)))
        print("entries feedparser finds and newswatch misses: %d (%s); "
              "newswatch finds and feedparser does not: %d" % (
                  sum(missed.values()), ", ".join(
                      "%s %d" % (s, missed[s]) for s in suites),
                  sum(extra.values())))
        for p, n, rn in sorted(short_files) if args.verbose else ():
            print("  short: %s: %d of %d" % (os.path.relpath(p, args.corpus),
                                           n, rn))
        for f in args.show:
            for p, a, b in diffs[f]:
                print("%s: %s\n    newswatch: %r\n    reference: %r"
                      % (f, os.path.relpath(p, args.corpus), a, b))
    for p, problem in sorted(broken.items()):
        print("BROKEN %s: %s" % (os.path.relpath(p, args.corpus), problem))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
