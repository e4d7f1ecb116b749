#!/usr/bin/python3
"""What `revisions: pages` costs beside `revisions: feed`, measured on the
benchmark's feeds (bench/genfeeds.py) with an article page for each entry,
served by tests/httpd.py on 127.0.0.1.  Run from the repository root after
`make`:  python3 bench/revisions_pages_measure.py [--feeds 10] [--entries 50]

For each mode, on an empty state, it runs `newswatch once` (the first
poll: every entry new), then again and again until the last check of a
schedule scaled to seconds ([2s, 4s, 8s, 16s, 32s] for 15m ... 64h)
has passed, and prints
- the page requests after the first poll, per entry (pages: one a check
  read; feed: none, as the feeds do not change);
- the state's size (after VACUUM) per entry, and what the versions rows
  hold of the entry kept for its checks;
then the extra requests a day per feed that 5 checks an entry make at a
few rates of new entries a day.
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("NEWSWATCH", os.path.join(ROOT, "newswatch"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from httpd import TestServer  # noqa: E402

# Each window between checks longer than a poll of all the feeds takes
# here, so that every check is read, as with 15m ... 64h and 15m polls.
CHECKS = [2, 4, 8, 16, 32]


def article_page(title, paragraphs):
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body><article><h1>{title}</h1>\n{body}"
            f"</article></body></html>")


def make_site(site, base, feeds, entries):
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "genfeeds.py"), "--dir",
                    site, "--feeds", str(feeds), "--entries", str(entries), "--base", base],
                   check=True)
    names = sorted(n for n in os.listdir(site) if n.endswith((".rss", ".atom")))
    words = ("The council met on Tuesday to discuss the budget for the coming year and"
             " heard from residents about roads, schools and the harbour.").split()
    for name in names:
        stem = name.split(".")[0]
        for n in range(1, entries + 1):
            path = os.path.join(site, "articles", stem, f"{n:03d}.html")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            paras = [" ".join(words[(i + k) % len(words)] for k in range(40))
                     for i in range(6)]
            with open(path, "w", encoding="utf-8") as f:
                f.write(article_page(f"Story {n} of {stem}", paras))
    return names


def write_config(workdir, base, names, mode):
    lines = [f"spool: {workdir}/spool", f"state: {workdir}/state.db", "interval: 1h",
             "article: true", f"revisions: {mode}", "revision_budget: 1000000",
             "revision_checks: [" + ", ".join(f"{c}s" for c in CHECKS) + "]",
             "max_connections: 64", "per_host_connections: 64",
             "allow_private_addresses: true", "log_level: warning", "feeds:"]
    for name in names:
        lines += [f"  - url: {base}/{name}", f"    name: {name.split('.')[0]}"]
    path = os.path.join(workdir, "feeds.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def once(config):
    r = subprocess.run([BINARY, "once", "-c", config], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"newswatch once failed: {r.stderr[-2000:]}")


def state_figures(path):
    copy = path + ".vacuumed"
    shutil.copy(path, copy)
    db = sqlite3.connect(copy)
    try:
        db.execute("VACUUM")
        entries = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        kept = db.execute("SELECT count(entry), coalesce(avg(length(entry)), 0),"
                          " count(next_check_us) FROM versions").fetchone()
    finally:
        db.close()
    size = os.path.getsize(copy)
    os.unlink(copy)
    return entries, size, kept


def measure(mode, site, server, names, workdir):
    os.makedirs(workdir)
    config = write_config(workdir, server.url("").rstrip("/"), names, mode)
    first = len(server.requests)
    once(config)
    start = time.time()
    after_first = len(server.requests)
    entries, size, (kept, entry_bytes, scheduled) = state_figures(
        os.path.join(workdir, "state.db"))
    runs = 0
    while time.time() < start + CHECKS[-1] + 1.5:
        time.sleep(0.5)
        once(config)
        runs += 1
    later = server.requests[after_first:]
    pages = sum(1 for r in later if r["path"].startswith("/articles/"))
    feeds = sum(1 for r in later if not r["path"].startswith("/articles/"))
    print(f"{mode:6s} first poll: {after_first - first} requests for {entries} entries;"
          f" state {size} B ({size / entries:.0f} B an entry), {scheduled} checks"
          f" scheduled, entry kept in {kept} versions rows (mean {entry_bytes:.0f} B)")
    print(f"{mode:6s} {runs} polls over {CHECKS[-1] + 1.5:.1f} s after it: {feeds} feed"
          f" requests, {pages} page requests ({pages / entries:.2f} an entry)")
    return entries, size, pages


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--entries", type=int, default=50)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nw-pages-")
    site = os.path.join(tmp, "site")
    os.makedirs(site)
    server = TestServer(site)
    server.start()
    try:
        names = make_site(site, server.url("").rstrip("/"), args.feeds, args.entries)
        n, feed_size, _ = measure("feed", site, server, names, os.path.join(tmp, "feed"))
        _, pages_size, _ = measure("pages", site, server, names, os.path.join(tmp, "pages"))
        print(f"pages over feed: {(pages_size - feed_size) / n:.0f} B of state an entry"
              f" while in its window")
        for rate in (0.06, 5, 50, 200):
            print(f"{rate:g} new entries a day -> {len(CHECKS) * rate:g} extra page"
                  f" requests a day per feed")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
