#!/usr/bin/python3
"""newswatch against its peers on real feeds served by nginx (`make bench`).

    peers.py --binary ./newswatch [--feeds 2000,10000] [--workdir DIR]
             [--corpus DIR] [--peers sfeed,rss2email] [--rss2email-max 2000]
             [--article] [--timeout 1800]

For each size N it makes N distinct URLs /f/NNNNN.xml, each a copy (a
symbolic link) of one of the real feeds of 20-125 KB captured from live sites
(../shared/corpus/feeds/feedjira_realworld_2009), and serves them with
Debian's nginx-light on 127.0.0.1 with its own config and paths under the
work dir.  nginx sends ETag and Last-Modified and answers conditional
requests with 304; its access log records each request's status and
validators.  Then, on a fresh state each:

  newswatch   `newswatch once` (article fetching off), then again: the re-poll
  sfeed       `sfeed_update` with an sfeedrc for the same URLs, 16 at a time
  rss2email   `r2e run --no-send`, then again: the re-poll (only up to
              --rss2email-max feeds: its first poll takes a minute per 1,000)

It prints wall seconds, CPU seconds (user+sys of the process and its
children, from wait4) and peak RSS (the largest process) of each run, the
requests, conditional requests and 304 answers nginx logged for it, and the
ratios of newswatch to each peer measured in the same run.  A JSON line with
every figure follows.

With --article N a last run serves N feeds of one entry each, whose link is
a ~100 KB article page (a real page from ../shared/corpus/articles), and
newswatch runs with article fetching on: it says pages parsed per second.
With --profile a further first poll of that run goes under perf, and the
share of its CPU in each stage is printed (bench/stages.py).

The work dirs go under build/bench-peers and are removed when every run is
over (with --keep, only those of earlier benches).

Exit status 0, also when a peer or the corpus is missing (it says so and
skips); 1 when a run of newswatch failed.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import stages
from bench import run_child, stop_server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
CORPUS = os.path.join(SHARED, "corpus", "feeds", "feedjira_realworld_2009")
ARTICLES = os.path.join(SHARED, "corpus", "articles")
NGINX = "/usr/sbin/nginx"
KB = 1024

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {w}/nginx.pid;
error_log {w}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ application/xml xml; text/html html; }}
    default_type application/octet-stream;
    client_body_temp_path {w}/tmp;
    proxy_temp_path {w}/tmp;
    fastcgi_temp_path {w}/tmp;
    uwsgi_temp_path {w}/tmp;
    scgi_temp_path {w}/tmp;
    log_format bench '$status "$http_if_none_match" "$http_if_modified_since"';
    access_log {w}/access.log bench buffer=256k;
    keepalive_requests 100000;
    open_file_cache max=20000;
    server {{
        listen 127.0.0.1:{port};
        root {w}/site;
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def corpus_files(top, ext, lo, hi):
    """The files under top named *ext of lo to hi KB, in a stable order."""
    out = []
    for dirpath, _, files in os.walk(top):
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith(ext) and lo * KB <= os.path.getsize(path) <= hi * KB:
                out.append(path)
    return sorted(out)


def article_feed(i, base):
    """A feed of one entry linking to its own article page."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>feed {i}</title><link>{base}/</link><description>bench</description>"
            f"<item><title>entry {i}</title><link>{base}/a/{i:05d}.html</link>"
            f"<guid>{base}/a/{i:05d}.html</guid>"
            f"<pubDate>Tue, 24 Nov 2026 12:00:00 GMT</pubDate>"
            f"<description>one new entry</description></item></channel></rss>\n")


def make_site(w, n, feeds, base, pages):
    """w/site/f/NNNNN.xml for i < n (and w/site/a/NNNNN.html with pages)."""
    site = os.path.join(w, "site")
    os.makedirs(os.path.join(site, "f"))
    if pages:
        os.makedirs(os.path.join(site, "a"))
    urls = []
    for i in range(n):
        path = os.path.join(site, "f", f"{i:05d}.xml")
        if pages:
            with open(path, "w", encoding="utf-8") as f:
                f.write(article_feed(i, base))
            os.symlink(pages[i % len(pages)], os.path.join(site, "a", f"{i:05d}.html"))
        else:
            os.symlink(feeds[i % len(feeds)], path)
        urls.append(f"{base}/f/{i:05d}.xml")
    return urls


def start_nginx(w, port):
    os.makedirs(os.path.join(w, "tmp"), exist_ok=True)
    conf = os.path.join(w, "nginx.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(NGINX_CONF.format(w=w, port=port))
    proc = subprocess.Popen([NGINX, "-p", w, "-c", conf, "-e", os.path.join(w, "nginx-error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: nginx exited with status {proc.returncode}; "
                     f"see {w}/nginx-error.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("bench: nginx did not start")


def access_log(w):
    """Make nginx flush its buffered access log, then read it."""
    pid = int(open(os.path.join(w, "nginx.pid")).read())
    os.kill(pid, signal.SIGUSR1)         # reopen the logs: flushes the buffers
    time.sleep(0.3)
    with open(os.path.join(w, "access.log"), encoding="utf-8") as f:
        return f.readlines()


class Bench:
    def __init__(self, args, w, n, urls):
        self.args, self.w, self.n, self.urls = args, w, n, urls
        self.logged = 0

    def run(self, name, cmd, env=None):
        """One timed run, with the requests nginx logged during it."""
        fig = run_child(cmd, os.path.join(self.w, f"{name}.log"), self.args.timeout, env)
        lines = access_log(self.w)
        mine, self.logged = lines[self.logged:], len(lines)
        fig["requests"] = len(mine)
        fig["conditional"] = sum('"-" "-"' not in line for line in mine)
        fig["status_304"] = sum(line.startswith("304 ") for line in mine)
        fig["status_200"] = sum(line.startswith("200 ") for line in mine)
        fig["feeds_per_s"] = self.n / fig["wall_s"]
        fig["name"] = name
        return fig

    def nw_config(self, d, article):
        """A config for the URLs with state and spool in d."""
        os.makedirs(d)
        config = os.path.join(d, "feeds.yaml")
        lines = [f"spool: {d}/spool", f"state: {d}/state.db", "interval: 1h",
                 f"article: {'true' if article else 'false'}", "first_poll: emit",
                 "max_connections: 16", "per_host_connections: 16",
                 "allow_private_addresses: true", "log_level: warning", "feeds:"]
        for i, url in enumerate(self.urls):
            lines += [f"  - url: {url}", f"    name: f{i:05d}"]
        with open(config, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return config

    def newswatch(self, article):
        d = os.path.join(self.w, "newswatch")
        cmd = [self.args.binary, "once", "-c", self.nw_config(d, article)]
        first = self.run("newswatch-1", cmd)
        first["items"] = len(os.listdir(os.path.join(d, "spool", "new")))
        first["state_bytes"] = state_bytes(os.path.join(d, "state.db"))
        again = self.run("newswatch-2", cmd)
        again["items"] = len(os.listdir(os.path.join(d, "spool", "new"))) - first["items"]
        again["state_bytes"] = state_bytes(os.path.join(d, "state.db"))
        return first, again

    def newswatch_profile(self, article):
        """The first poll again, on a fresh state, under perf."""
        d = os.path.join(self.w, "newswatch-profile")
        cmd = [self.args.binary, "once", "-c", self.nw_config(d, article)]
        return stages.profile(cmd, os.path.join(self.w, "newswatch-profile.log"))

    def sfeed(self):
        d = os.path.join(self.w, "sfeed")
        os.makedirs(os.path.join(d, "feeds"))
        rc = os.path.join(d, "sfeedrc")
        with open(rc, "w", encoding="utf-8") as f:
            f.write(f'sfeedpath="{d}/feeds"\nmaxjobs=16\nfeeds() {{\n')
            for i, url in enumerate(self.urls):
                f.write(f'\tfeed "f{i:05d}" "{url}"\n')
            f.write("}\n")
        return self.run("sfeed_update", ["sfeed_update", rc])

    def rss2email(self):
        d = os.path.join(self.w, "rss2email")
        os.makedirs(d)
        cfg = os.path.join(d, "rss2email.cfg")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write("[DEFAULT]\nto = bench@localhost\nfrom = bench@localhost\n")
            for i, url in enumerate(self.urls):
                f.write(f"\n[feed.f{i:05d}]\nurl = {url}\n")
        cmd = ["r2e", "-c", cfg, "-d", os.path.join(d, "rss2email.json"), "run", "--no-send"]
        env = dict(os.environ, HOME=d)
        return self.run("rss2email-1", cmd, env), self.run("rss2email-2", cmd, env)


def state_bytes(state):
    return sum(os.path.getsize(p) for p in (state, state + "-wal") if os.path.exists(p))


ROWS = [("wall s", "wall_s", "{:.2f}"), ("feeds/s", "feeds_per_s", "{:.0f}"),
        ("CPU s", "cpu_s", "{:.2f}"), ("peak RSS MB", "peak_rss_mb", "{:.1f}"),
        ("requests", "requests", "{}"), ("conditional", "conditional", "{}"),
        ("answered 304", "status_304", "{}"), ("exit", "exit", "{}")]


def print_table(title, runs):
    print(title)
    print(f"{'':14}" + "".join(f"{r['name']:>14}" for r in runs))
    for label, key, fmt in ROWS:
        print(f"{label:14}" + "".join(f"{fmt.format(r[key]):>14}" for r in runs))


def ratio(a, b):
    return a / b if b else float("inf")


def bench_size(args, n, feeds, pages):
    w = tempfile.mkdtemp(prefix=f"peers-{n}{'-article' if pages else ''}-",
                         dir=args.workdir)
    os.chmod(w, 0o755)      # nginx workers run as nobody when started by root
    port = free_port()
    urls = make_site(w, n, feeds, f"http://127.0.0.1:{port}", pages)
    nginx = start_nginx(w, port)
    b = Bench(args, w, n, urls)
    runs, res = [], {"feeds": n}
    try:
        nw1, nw2 = b.newswatch(bool(pages))
        runs += [nw1, nw2]
        if "sfeed" in args.peers and not pages:
            if shutil.which("sfeed_update"):
                runs.append(b.sfeed())
            else:
                print("bench: sfeed_update not installed: skipped")
        if "rss2email" in args.peers and not pages:
            if not shutil.which("r2e"):
                print("bench: r2e (rss2email) not installed: skipped")
            elif n > args.rss2email_max:
                print(f"bench: rss2email skipped at {n} feeds (--rss2email-max "
                      f"{args.rss2email_max}: its first poll takes minutes)")
            else:
                runs += list(b.rss2email())
        shares = b.newswatch_profile(True) if args.profile and pages else None
    finally:
        stop_server(nginx, signal.SIGQUIT)
    what = "one entry + ~100 KB article page each" if pages else \
        f"copies of {len(feeds)} real feeds of 20-125 KB"
    print_table(f"\npeers: {n} feeds ({what}), nginx on 127.0.0.1", runs)
    by = {r["name"]: r for r in runs}
    print(f"newswatch items {nw1['items']} (re-poll {nw2['items']}), "
          f"state {nw1['state_bytes'] / KB:.0f} KB (after re-poll "
          f"{nw2['state_bytes'] / KB:.0f} KB)")
    if args.profile and pages:
        res["profile"] = shares
        print("newswatch first poll, share of CPU by stage (perf, a run of its own): " +
              (stages.shares_text(shares) if shares else "perf failed or is missing"))
    if pages:
        print(f"article pages parsed per second: {nw1['items'] / nw1['wall_s']:.0f} "
              f"(CPU {nw1['cpu_s']:.2f} s, {1000 * nw1['cpu_s'] / max(nw1['items'], 1):.2f} ms per page)")
    if "sfeed_update" in by:
        s = by["sfeed_update"]
        res["vs_sfeed"] = {"feeds_per_s": ratio(nw1["feeds_per_s"], s["feeds_per_s"]),
                           "cpu": ratio(nw1["cpu_s"], s["cpu_s"])}
        print(f"first poll vs sfeed_update: {res['vs_sfeed']['feeds_per_s']:.1f}x its "
              f"feeds/s, {res['vs_sfeed']['cpu']:.3f} of its CPU s "
              f"(targets: >= 10x, <= 0.1)")
    if "rss2email-2" in by:
        r = by["rss2email-2"]
        res["vs_rss2email_repoll"] = {"wall": ratio(nw2["wall_s"], r["wall_s"]),
                                      "cpu": ratio(nw2["cpu_s"], r["cpu_s"])}
        print(f"re-poll vs rss2email: {res['vs_rss2email_repoll']['wall']:.3f} of its wall s, "
              f"{res['vs_rss2email_repoll']['cpu']:.3f} of its CPU s (target: <= 0.1 wall); "
              f"newswatch {nw2['conditional']}/{nw2['requests']} conditional, "
              f"{nw2['status_304']} answered 304")
    res["runs"] = [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
                   for r in runs]
    return res, all(r["exit"] == 0 for r in (nw1, nw2))


def main():
    ap = argparse.ArgumentParser(description="newswatch against its peers")
    ap.add_argument("--binary", required=True)
    ap.add_argument("--feeds", default="2000,10000",
                    help="sizes, comma-separated ('' for the article run alone)")
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--peers", default="sfeed,rss2email")
    ap.add_argument("--rss2email-max", type=int, default=2000)
    ap.add_argument("--article", type=int, default=0, metavar="N",
                    help="then N feeds of one entry with a ~100 KB article page, "
                         "article fetching on (0: none)")
    ap.add_argument("--profile", action="store_true",
                    help="profile newswatch's first poll of the article run with perf")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "bench-peers"))
    ap.add_argument("--keep", action="store_true", help="keep the work dirs")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    args.peers = args.peers.split(",")
    if not os.path.isdir(args.corpus):
        print(f"bench: {args.corpus} is absent: peer comparison skipped")
        return 0
    if not os.access(NGINX, os.X_OK):
        print(f"bench: {NGINX} is absent (Debian: nginx-light): peer comparison skipped")
        return 0
    # Feeds of today's sizes; article pages of ~100 KB.
    feeds = corpus_files(args.corpus, ".xml", 20, 125)
    pages = corpus_files(ARTICLES, ".html", 50, 200)
    if args.article and not pages:
        print(f"bench: no article pages in {ARTICLES}: article run skipped")
        args.article = 0
    os.makedirs(args.workdir, exist_ok=True)
    # ext4 without a journal (as here) skips, on every file it creates, the
    # inodes of its group freed in the last minutes: a run right after
    # another's clean-up would measure that.  The Orlov top-directory flag
    # puts each size's work dir in a group of its own.
    # For the same reason nothing is removed until every run is over.
    subprocess.run(["chattr", "+T", args.workdir], stderr=subprocess.DEVNULL, check=False)
    old = os.listdir(args.workdir)
    results, ok = [], True
    try:
        runs = [(int(x), None) for x in args.feeds.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--feeds {args.feeds!r}: not a list of numbers")
    if args.article:
        runs.append((args.article, pages))
    for n, with_pages in runs:
        res, good = bench_size(args, n, feeds, with_pages)
        res["article"] = bool(with_pages)
        results.append(res)
        ok = ok and good
    print(json.dumps({"sizes": results}))
    for path in old if args.keep else os.listdir(args.workdir):
        shutil.rmtree(os.path.join(args.workdir, path), ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
