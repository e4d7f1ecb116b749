#!/usr/bin/python3
"""`newswatch check` on the documented maximum of feeds (`make bench`).

    check_scale.py --binary ./newswatch [--feeds 100000] [--workdir DIR] [--keep]

The unit runs `check` as ExecStartPre, inside systemd's 90 s start timeout,
so loading and checking the largest config allowed must stay far below it.
Two configs of --feeds feeds each, written to a temporary directory:

- hosts: every feed on its own host (https://feedNNNNNN.example.com/rss),
  unnamed, so each name is derived from its URL;
- paths: every feed on one host under one long common path, named, which
  makes any comparison of two URLs walk the whole shared prefix.

In both, every 1,000th feed repeats the URL of the feed before it, so the
duplicate-URL warnings are part of the work (and are counted: the run fails
if check does not report exactly those).  Reported per config: the wall
seconds of one `newswatch check` and the number of warnings.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DUP_EVERY = 1000


def url_of(shape, i):
    if shape == "hosts":
        return "https://feed%06d.example.com/rss" % i
    return ("https://news.example.com/" + "section/" * 10 +
            "feed%06d.xml" % i)


def write_config(path, shape, n, workdir):
    with open(path, "w") as out:
        out.write("spool: %s/spool\nstate: %s/state.db\nfeeds:\n" %
                  (workdir, workdir))
        for i in range(n):
            src = i - 1 if i % DUP_EVERY == DUP_EVERY - 1 else i
            out.write("  - url: %s\n" % url_of(shape, src))
            if shape == "paths" or src != i:
                # A repeated URL would derive a repeated name.
                out.write("    name: f%06d\n" % i)
    return n // DUP_EVERY


def run(binary, config):
    start = time.monotonic()
    proc = subprocess.run([binary, "check", "-c", config],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    took = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit("check failed (%d): %s" % (proc.returncode, proc.stderr))
    twins = len(re.findall(r"has the url of feed", proc.stdout))
    return took, twins


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="./newswatch")
    ap.add_argument("--feeds", type=int, default=100000)
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    workdir = args.workdir or tempfile.mkdtemp(prefix="nw-check-scale-")
    os.makedirs(workdir, exist_ok=True)
    try:
        print("newswatch check, %d feeds:" % args.feeds)
        for shape in ("hosts", "paths"):
            config = os.path.join(workdir, "feeds-%s.yaml" % shape)
            want = write_config(config, shape, args.feeds, workdir)
            took, twins = run(binary, config)
            if twins != want:
                sys.exit("%s: %d duplicate-url warnings, expected %d" %
                         (shape, twins, want))
            print("  %-6s %8.2f s  (%d duplicate-url warnings)" %
                  (shape, took, twins))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
