#!/usr/bin/python3
"""What a /metrics scrape costs at many feeds (not part of make test).

    metrics_scale.py --binary ./newswatch [--feeds 10000] [--scrapes 20]
                     [--per-feed true|false] [--sample FILE]

`newswatch run` on --feeds feeds, each at a URL on 127.0.0.1 whose port
refuses connections (the polls fail at once, so the machine spends its
time on the scrapes, and every feed has its series), with metrics on.
Once every feed has been polled, --scrapes scrapes one after the other;
reported: the page's size and lines, the wall time of a scrape (median
and worst) and the daemon's CPU time per scrape (its rendering thread's
work plus what the loop did meanwhile).  --sample writes the first
scrape's page to FILE.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as r:
        return r.read().decode()


def polls(page):
    return sum(float(line.rsplit(" ", 1)[1]) for line in page.splitlines()
               if line.startswith("newswatch_polls_total{"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="./newswatch")
    ap.add_argument("--feeds", type=int, default=10000)
    ap.add_argument("--scrapes", type=int, default=20)
    ap.add_argument("--per-feed", default="true")
    ap.add_argument("--sample")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="nw-metrics-")
    refused, port = free_port(), free_port()
    config = os.path.join(work, "feeds.yaml")
    with open(config, "w") as f:
        f.write(f"spool: {work}/spool\nstate: {work}/state.db\n"
                f"metrics: 127.0.0.1:{port}\nmetrics_per_feed: {args.per_feed}\n"
                "article: false\nlog_level: error\nfeeds:\n")
        for i in range(args.feeds):
            f.write(f"  - url: http://127.0.0.1:{refused}/f{i}.xml\n"
                    f"    name: feed{i:06d}\n")
    proc = subprocess.Popen([os.path.abspath(args.binary), "run", "-c", config],
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if polls(scrape(port)) >= args.feeds:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("the feeds were not all polled in time")
            time.sleep(0.5)
        walls, cpus, page = [], [], ""
        for i in range(args.scrapes):
            c0, t0 = cpu_seconds(proc.pid), time.monotonic()
            page = scrape(port)
            walls.append(time.monotonic() - t0)
            cpus.append(cpu_seconds(proc.pid) - c0)
            if i == 0 and args.sample:
                with open(args.sample, "w") as f:
                    f.write(page)
        print(f"feeds {args.feeds}, per-feed series {args.per_feed}: page "
              f"{len(page.encode())} bytes, {page.count(chr(10))} lines; "
              f"scrape wall median {statistics.median(walls) * 1000:.1f} ms, "
              f"max {max(walls) * 1000:.1f} ms; daemon CPU per scrape "
              f"{statistics.mean(cpus) * 1000:.1f} ms (clock ticks of "
              f"{1000 / os.sysconf('SC_CLK_TCK'):.0f} ms)")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
