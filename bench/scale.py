#!/usr/bin/python3
"""Scaling out (`make bench-scale`): 1, 2 and 3 newswatch instances on one
PostgreSQL state, measured in the same run.

    scale.py --binary ./newswatch [--feeds 2000] [--entries 50] [--instances 1,2,3]
             [--workdir DIR] [--keep]

The feeds of bench/genfeeds.py are served by tests/httpd.py (--cache, two
workers) on 127.0.0.1; a PostgreSQL server (tests/integration/pgserver.py)
runs on 127.0.0.1 as well.  For each instance count, on a fresh database:

1. first poll: the instances start together (`newswatch run`, articles
   off); the clock runs until every entry is an item in one of their
   spools.  No item may be written twice.
2. re-poll: every feed is made due at once (next_poll = 0 in the
   database); the clock runs until the server has answered every feed
   again (all 304).

Reported per instance count: wall seconds, feeds per second, items per
second, the instances' CPU seconds, PostgreSQL's CPU seconds, and the
share of feeds each instance polled.  The feeds all live on one host,
whose per-host limit would cap the instances together: the bench lifts
it (the slots are still taken in the database).  On a 2-core machine the instances,
the database and the server share two cores: the figures say what the
coordination costs more than what more machines would gain.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from bench import (cpu_seconds, free_port, generate, start_server,  # noqa: E402
                   stop_server)
from pgserver import PgServer  # noqa: E402


def postmaster_pid(pg):
    with open(os.path.join(pg.dir, "data", "postmaster.pid")) as f:
        return int(f.readline())


def count_items(spools):
    total = 0
    for s in spools:
        d = os.path.join(s, "new")
        total += len(os.listdir(d)) if os.path.isdir(d) else 0
    return total


def log_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def run(args, k, site, base, workdir, pg, server_log):
    db = pg.createdb(f"scale{k}")
    with open(os.path.join(site, "feeds.yaml.in"), encoding="utf-8") as f:
        template = f.read()
    procs, spools = [], []
    for i in range(k):
        d = os.path.join(workdir, f"k{k}", f"i{i}")
        os.makedirs(d)
        spool = os.path.join(d, "spool")
        config = os.path.join(d, "feeds.yaml")
        with open(config, "w", encoding="utf-8") as f:
            # Every bench feed lives on one host, 127.0.0.1, whose
            # per_host_connections would be shared by all the instances and
            # cap them together; real feeds are spread over many hosts.
            # Lifting the cap measures the instances (the host slots are
            # still taken and given back in the database for each transfer).
            f.write(template.replace("@SPOOL@", spool).replace("@STATE@", db)
                    .replace("@BASE@", base)
                    .replace("per_host_connections: 64", "per_host_connections: 1000"))
        spools.append(spool)
        procs.append((config, os.path.join(d, "daemon.log")))
    want = args.feeds * args.entries
    skip = len(log_lines(server_log))
    pg_cpu0 = cpu_seconds(postmaster_pid(pg))
    start = time.monotonic()
    children = []
    for config, log in procs:
        with open(log, "w") as out:
            children.append(subprocess.Popen([args.binary, "run", "-c", config],
                                             stdout=out, stderr=subprocess.STDOUT))
    while count_items(spools) < want:
        if time.monotonic() - start > args.timeout:
            sys.exit(f"scale: {k} instances: {count_items(spools)} of {want} items "
                     f"after {args.timeout} s")
        if any(c.poll() is not None for c in children):
            sys.exit(f"scale: an instance exited; see {workdir}")
        time.sleep(0.02)
    first_wall = time.monotonic() - start
    first_cpu = sum(cpu_seconds(c.pid) for c in children)
    first_pg = cpu_seconds(postmaster_pid(pg)) - pg_cpu0
    polled = collections.Counter()
    for i, spool in enumerate(spools):
        polled[i] = len({n.split("_")[1] for n in os.listdir(os.path.join(spool, "new"))})
    doubled = count_items(spools) - want

    # Re-poll: everything due now.
    time.sleep(0.5)
    skip = len(log_lines(server_log))
    cpu0 = sum(cpu_seconds(c.pid) for c in children)
    pg_cpu0 = cpu_seconds(postmaster_pid(pg))
    pg.psql("UPDATE feeds SET next_poll = 0", db.rsplit("/", 1)[1])
    start = time.monotonic()
    while True:
        answers = log_lines(server_log)[skip:]
        if len(answers) >= args.feeds:
            break
        if time.monotonic() - start > args.timeout:
            sys.exit(f"scale: {k} instances: re-poll incomplete")
        time.sleep(0.02)
    re_wall = time.monotonic() - start
    re_cpu = sum(cpu_seconds(c.pid) for c in children) - cpu0
    re_pg = cpu_seconds(postmaster_pid(pg)) - pg_cpu0
    statuses = collections.Counter(str(a["status"]) for a in answers)
    for c in children:
        c.terminate()
    for c in children:
        c.wait(timeout=30)
    return {"instances": k, "first_wall_s": first_wall, "first_feeds_per_s": args.feeds / first_wall,
            "first_items_per_s": want / first_wall, "first_cpu_s": first_cpu,
            "first_pg_cpu_s": first_pg, "items_doubled": doubled,
            "feeds_per_instance": [polled[i] for i in range(k)],
            "repoll_wall_s": re_wall, "repoll_feeds_per_s": args.feeds / re_wall,
            "repoll_cpu_s": re_cpu, "repoll_pg_cpu_s": re_pg,
            "repoll_statuses": dict(statuses)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "newswatch"))
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--instances", default="1,2,3")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.seed = 1
    pg = PgServer()
    if pg.skip_reason():
        sys.exit(f"scale: {pg.skip_reason()}")
    workdir = args.workdir or tempfile.mkdtemp(prefix="nw-scale-")
    os.makedirs(workdir, exist_ok=True)
    site = os.path.join(workdir, "site")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    generate(site, base, args)
    server = start_server(workdir, site, port)
    server_log = os.path.join(workdir, "httpd.log")
    pg.start()
    runs = []
    try:
        for k in (int(x) for x in args.instances.split(",")):
            runs.append(run(args, k, site, base, workdir, pg, server_log))
    finally:
        pg.stop()
        stop_server(server)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nScaling out: {args.feeds} feeds x {args.entries} entries, one PostgreSQL, "
          f"{os.cpu_count()} cores shared by all")
    print(f"{'inst':>4} {'first s':>8} {'feeds/s':>8} {'items/s':>8} {'nw cpu':>7} "
          f"{'pg cpu':>7} {'re-poll s':>9} {'304/s':>7} {'nw cpu':>7} {'pg cpu':>7}  feeds per instance")
    for r in runs:
        print(f"{r['instances']:>4} {r['first_wall_s']:>8.2f} {r['first_feeds_per_s']:>8.0f} "
              f"{r['first_items_per_s']:>8.0f} {r['first_cpu_s']:>7.2f} {r['first_pg_cpu_s']:>7.2f} "
              f"{r['repoll_wall_s']:>9.2f} {r['repoll_feeds_per_s']:>7.0f} {r['repoll_cpu_s']:>7.2f} "
              f"{r['repoll_pg_cpu_s']:>7.2f}  {r['feeds_per_instance']}")
    base1 = runs[0]
    for r in runs[1:]:
        print(f"{r['instances']} vs {base1['instances']}: first poll "
              f"{base1['first_wall_s'] / r['first_wall_s']:.2f}x, re-poll "
              f"{base1['repoll_wall_s'] / r['repoll_wall_s']:.2f}x")
    print(json.dumps({"scale": runs}))
    if any(r["items_doubled"] for r in runs):
        sys.exit("scale: items written twice")


if __name__ == "__main__":
    main()
