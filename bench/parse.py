#!/usr/bin/python3
"""The parse benchmark (part of `make bench`): newswatch's feed parser
against sfeed on the same documents, in the same run.

    parse.py --bench build/bench/parse_bench [--corpus DIR] [--seconds 3]

The documents are the corpus's XML feeds that are well-formed (expat says
so; JSON Feeds are left out, sfeed does not read them).  Every figure is
bytes parsed per wall second while nothing else runs:

- newswatch: build/bench/parse_bench, every document in memory, parsed in
  a loop for --seconds (feed_parse only, then with the spool JSON too);
- sfeed: Debian's sfeed reading all documents as one stream on stdin, in
  a loop for --seconds: one process, its best case (its parser does not
  mind several documents in a row);
- sfeed one process per document, as sfeed_update runs it: once.

Then one large document of real items (bench/genlarge.py writes it to
build/large.xml, about 10 MB): `newswatch parse FILE` against
`sfeed < FILE`, each the best wall time of --rounds runs, with the peak
RSS of the process (GNU time, /usr/bin/time).

Prints a table and one JSON line.  Without the corpus or without sfeed it
says so and measures what it can.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.parsers.expat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
from run_corpus import corpus_files  # noqa: E402


def well_formed(path):
    p = xml.parsers.expat.ParserCreate()
    try:
        with open(path, "rb") as fh:
            p.Parse(fh.read(), True)
        return True
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        return False


def run_parse_bench(binary, files, seconds, with_json):
    cmd = [binary, "--seconds", str(seconds)] + (["--json"] if with_json else []) + files
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    vals = dict(zip(out.split()[0::2], out.split()[1::2]))
    return {k: float(v) for k, v in vals.items()}


def run_sfeed_stream(sfeed, stream, seconds):
    rounds, items = 0, 0
    start = time.monotonic()
    while True:
        with open(stream, "rb") as fh:
            r = subprocess.run([sfeed], stdin=fh, capture_output=True, check=True)
        items = r.stdout.count(b"\n")
        rounds += 1
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            return rounds, elapsed, items


def run_sfeed_each(sfeed, files):
    start = time.monotonic()
    items = 0
    for f in files:
        with open(f, "rb") as fh:
            items += subprocess.run([sfeed], stdin=fh, capture_output=True).stdout.count(b"\n")
    return time.monotonic() - start, items


def measure(args, key, label, files, sfeed, res):
    """One set of documents: newswatch and sfeed on it, into res."""
    size = sum(os.path.getsize(f) for f in files)
    ours = run_parse_bench(args.bench, files, args.seconds, False)
    ours_json = run_parse_bench(args.bench, files, args.seconds, True)
    r = {"files": len(files), "bytes": size, "newswatch_mb_s": ours["mb_per_s"],
         "newswatch_entries_s": ours["entries_per_s"],
         "newswatch_json_mb_s": ours_json["mb_per_s"],
         "newswatch_refused": int(ours["failures"])}
    print("parse bench: %d %s, %.1f MB" % (len(files), label, size / 1e6))
    print("  %-44s %9s %12s" % ("", "MB/s", "entries/s"))
    print("  %-44s %9.1f %12.0f" % ("newswatch feed_parse, in memory", ours["mb_per_s"],
                                    ours["entries_per_s"]))
    print("  %-44s %9.1f %12.0f" % ("newswatch feed_parse + spool JSON",
                                    ours_json["mb_per_s"], ours_json["entries_per_s"]))
    if sfeed is not None:
        with tempfile.NamedTemporaryFile(prefix="nw-parse-", delete=False) as tmp:
            for f in files:
                with open(f, "rb") as fh:
                    tmp.write(fh.read())
                tmp.write(b"\n")
        try:
            rounds, elapsed, items = run_sfeed_stream(sfeed, tmp.name, args.seconds)
        finally:
            os.unlink(tmp.name)
        each_s, each_items = run_sfeed_each(sfeed, files)
        r["sfeed_stream_mb_s"] = size * rounds / elapsed / 1e6
        r["sfeed_stream_items_s"] = items * rounds / elapsed
        r["sfeed_each_mb_s"] = size / each_s / 1e6
        r["ratio_vs_sfeed_stream"] = r["newswatch_mb_s"] / r["sfeed_stream_mb_s"]
        r["ratio_vs_sfeed_each"] = r["newswatch_mb_s"] / r["sfeed_each_mb_s"]
        print("  %-44s %9.1f %12.0f" % ("sfeed, all documents as one stream",
                                        r["sfeed_stream_mb_s"], r["sfeed_stream_items_s"]))
        print("  %-44s %9.1f %12.0f" % ("sfeed, one process per document",
                                        r["sfeed_each_mb_s"], each_items / each_s))
        print("  newswatch / sfeed: %.2fx (one stream), %.1fx (one process per document)"
              % (r["ratio_vs_sfeed_stream"], r["ratio_vs_sfeed_each"]))
    res[key] = {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}


def run_timed(cmd, stdin_path=None):
    """(wall seconds, peak RSS in KB) of one run of cmd, its output thrown
    away.  GNU time measures: a child forked from this Python would carry
    Python's RSS in its ru_maxrss past exec."""
    with open(stdin_path or os.devnull, "rb") as fin:
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, stdin=fin,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           check=True)
    wall, rss = r.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), int(rss)


def measure_large(args, sfeed, res):
    path = os.path.join(ROOT, "build", "large.xml")
    subprocess.run([sys.executable, os.path.join(HERE, "genlarge.py"), path,
                    "--corpus", args.corpus], check=True)
    size = os.path.getsize(path)
    runs = {"newswatch": ([args.binary, "parse", path], None)}
    if sfeed is not None:
        runs["sfeed"] = ([sfeed], path)
    r = {"bytes": size}
    print("large document: %s, %.1f MB (best of %d runs)" % (path, size / 1e6,
                                                              args.rounds))
    for name, (cmd, stdin_path) in runs.items():
        best = [run_timed(cmd, stdin_path) for _ in range(args.rounds)]
        wall, rss = min(w for w, _ in best), max(m for _, m in best)
        r[name + "_wall_s"], r[name + "_peak_rss_kb"] = wall, rss
        print("  %-44s %7.3f s %9.1f MB peak RSS" % (" ".join(
            os.path.basename(c) for c in cmd[:2]) + (" < FILE" if stdin_path
                                                      else " FILE"),
            wall, rss / 1024))
    if sfeed is not None:
        r["wall_ratio_vs_sfeed"] = r["newswatch_wall_s"] / r["sfeed_wall_s"]
        print("  newswatch / sfeed wall time: %.2fx" % r["wall_ratio_vs_sfeed"])
    res["large"] = {k: round(v, 3) if isinstance(v, float) else v
                    for k, v in r.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", required=True, help="build/bench/parse_bench")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(ROOT), "shared",
                                                     "corpus", "feeds"))
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--binary", default=os.path.join(ROOT, "newswatch"),
                    help="newswatch, for the large document")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print("parse bench: skipped: no corpus at %s" % args.corpus)
        return 0
    every = [f for f in corpus_files(args.corpus)
             if not f.endswith(".json") and well_formed(f)]
    # The suites' test files are tiny (a kilobyte or two); the captured
    # real-world feeds are the size a poller meets (20-120 KB).
    sets = [("all", "well-formed XML feeds of the corpus", every),
            ("realworld", "of them captured from live sites",
             [f for f in every if "realworld" in f])]
    res = {}
    sfeed = shutil.which("sfeed")
    for key, label, files in sets:
        measure(args, key, label, files, sfeed, res)
    measure_large(args, sfeed, res)
    if sfeed is None:
        print("  sfeed: not installed (apt-get install sfeed); no ratio")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
