#!/usr/bin/python3
"""The newswatch throughput benchmark (`make bench`).

    bench.py --binary ./newswatch [--feeds 2000] [--entries 50] [--seed 1]
             [--workdir DIR] [--keep] [--timeout 900]

1. Generates the feeds (bench/genfeeds.py) into WORKDIR/site and serves them
   with tests/httpd.py on 127.0.0.1, with --cache (ETags and gzipped bodies
   computed before the runs) and two worker processes, so that the Python
   server keeps up with the binary under test and takes little CPU from it.
2. Runs `BINARY once -c WORKDIR/feeds.yaml` on an empty state: every feed is
   fetched (200) and every entry becomes a spool item.
3. Runs it again: every feed is unchanged, so every conditional request
   should be answered 304 and no item written.

For each run it reports wall seconds, feeds per second, the child's CPU
seconds (user + sys, from wait4) and peak RSS, items in SPOOL/new, the
state's size on disk, the requests the server answered by status (from its
log), and the server's own CPU seconds.  A readable table goes to stdout,
then one JSON line with every figure.  The exit status is 1 when a run
exited non-zero (figures are still printed, and the work dir is kept).
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
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HTTPD = os.path.join(ROOT, "tests", "httpd.py")
GENFEEDS = os.path.join(HERE, "genfeeds.py")
TIME = "/usr/bin/time"       # GNU time (Debian: time)
CLK_TCK = os.sysconf("SC_CLK_TCK")
# One Python server process answers ~2,500 requests/s (GIL-bound), which
# would make the 304 run measure the server; two answer ~7,000/s here.
SERVER_WORKERS = 2


def free_port():
    """A port that was free a moment ago on 127.0.0.1.  The feeds embed the
    server's URL and the server precomputes their gzip bodies at start, so
    the port must be known before the feeds are written."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(site, base, args):
    """Write the feeds and the config template; return their total bytes."""
    subprocess.run([sys.executable, GENFEEDS, "--dir", site, "--feeds", str(args.feeds),
                    "--entries", str(args.entries), "--seed", str(args.seed),
                    "--base", base], check=True)
    return sum(e.stat().st_size for e in os.scandir(site)
               if e.name.endswith((".rss", ".atom")))


def write_config(workdir, site, base):
    """WORKDIR/feeds.yaml from the template, spool and state in WORKDIR."""
    with open(os.path.join(site, "feeds.yaml.in"), encoding="utf-8") as f:
        text = f.read()
    text = (text.replace("@SPOOL@", os.path.join(workdir, "spool"))
                .replace("@STATE@", os.path.join(workdir, "state.db"))
                .replace("@BASE@", base))
    path = os.path.join(workdir, "feeds.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def start_server(workdir, site, port):
    """tests/httpd.py on 127.0.0.1:port, logging to WORKDIR/httpd.log."""
    port_file = os.path.join(workdir, "httpd.port")
    proc = subprocess.Popen([sys.executable, HTTPD, "--root", site, "--port", str(port),
                             "--port-file", port_file, "--cache",
                             "--workers", str(SERVER_WORKERS),
                             "--log", os.path.join(workdir, "httpd.log")],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not os.path.exists(port_file):
        if proc.poll() is not None:
            sys.exit(f"bench: the server exited with status {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            sys.exit("bench: the server did not start")
        time.sleep(0.05)
    return proc


def stop_server(proc, sig=signal.SIGTERM):
    """Stop a server with sig (nginx: SIGQUIT, a graceful stop), killing
    it if it takes more than 10 s."""
    proc.send_signal(sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid):
    """User + system CPU seconds a running process and its child processes
    (the server's workers) have used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        children = [int(c) for c in f.read().split()]
    own = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return own + sum(child_cpu_seconds(c) for c in children)


def child_cpu_seconds(pid):
    """cpu_seconds of a child, 0 when it exited since it was listed (a
    PostgreSQL backend whose connection closed, say)."""
    try:
        return cpu_seconds(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def run_child(cmd, out_path, timeout, env=None):
    """Run cmd to completion; return wall, user, sys, peak RSS and exit code.
    The child is killed after `timeout` seconds.  CPU counts the children
    it waited for, peak RSS is the largest process's.  GNU time measures
    them: a child of this Python process would start its RSS high-water
    mark at Python's own size."""
    with tempfile.NamedTemporaryFile("r", prefix="nw-time-") as times, \
            open(out_path, "w") as out:
        start = time.monotonic()
        proc = subprocess.Popen([TIME, "-q", "-f", "%U %S %M", "-o", times.name] + cmd,
                                stdout=out, stderr=subprocess.STDOUT, env=env)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        proc.wait()
        wall = time.monotonic() - start
        killer.cancel()
        user, sys_s, rss_kb = (float(x) for x in times.read().split()[-3:])
    return {"wall_s": wall, "user_s": user, "sys_s": sys_s, "cpu_s": user + sys_s,
            "peak_rss_mb": rss_kb / 1024, "exit": proc.returncode}


def count_files(path):
    return len(os.listdir(path)) if os.path.isdir(path) else 0


def state_bytes(state):
    """The state's size on disk: the SQLite file and its WAL, if any."""
    return sum(os.path.getsize(p) for p in (state, state + "-wal") if os.path.exists(p))


def log_statuses(log, skip):
    """(lines in the server log, {status: count} of the lines after `skip`)."""
    counts = {}
    with open(log, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines[skip:]:
        status = str(json.loads(line)["status"])
        counts[status] = counts.get(status, 0) + 1
    return len(lines), counts


def bench_run(name, label, args, config, workdir, server):
    """One `once` run, with its figures; its output goes to WORKDIR/NAME.log."""
    spool_new = os.path.join(workdir, "spool", "new")
    log = os.path.join(workdir, "httpd.log")
    items_before = count_files(spool_new)
    log_before, _ = log_statuses(log, 0)
    server_cpu = cpu_seconds(server.pid)
    fig = run_child([args.binary, "once", "-c", config],
                    os.path.join(workdir, f"{name}.log"), args.timeout)
    fig["server_cpu_s"] = cpu_seconds(server.pid) - server_cpu
    _, statuses = log_statuses(log, log_before)
    fig.update({
        "label": label,
        "feeds_per_s": args.feeds / fig["wall_s"],
        "server_load": fig["server_cpu_s"] / fig["wall_s"],
        "items_total": count_files(spool_new),
        "items_new": count_files(spool_new) - items_before,
        "state_bytes": state_bytes(os.path.join(workdir, "state.db")),
        "requests": sum(statuses.values()),
        "status_200": statuses.pop("200", 0),
        "status_304": statuses.pop("304", 0),
        "status_other": statuses,
    })
    return fig


def statuses_text(counts):
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items())) or "-"


ROWS = [   # label, key, how to show the value
    ("wall seconds", "wall_s", "{:.2f}".format),
    ("feeds / second", "feeds_per_s", "{:.0f}".format),
    ("CPU seconds (user+sys)", "cpu_s", "{:.2f}".format),
    ("  user", "user_s", "{:.2f}".format),
    ("  sys", "sys_s", "{:.2f}".format),
    ("peak RSS MB", "peak_rss_mb", "{:.1f}".format),
    ("items written", "items_new", str),
    ("state size KB", "state_bytes", lambda v: f"{v / 1024:.0f}"),
    ("requests", "requests", str),
    ("  answered 200", "status_200", str),
    ("  answered 304", "status_304", str),
    ("  other statuses", "status_other", statuses_text),
    ("server CPU seconds", "server_cpu_s", "{:.2f}".format),
    ("server CPU / wall", "server_load", "{:.0%}".format),
    ("exit status", "exit", str),
]


def print_table(runs, header):
    print(header)
    print(f"{'':26}" + "".join(f"{r['label']:>16}" for r in runs))
    for label, key, show in ROWS:
        print(f"{label:26}" + "".join(f"{show(r[key]):>16}" for r in runs))


def rounded(run):
    """The run's figures with floats to 3 decimals, for the JSON line."""
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in run.items()}


def make_workdir(args):
    """The work directory: --workdir (must be empty or new) or a temp dir."""
    if not args.workdir:
        return tempfile.mkdtemp(prefix="nw-bench-")
    os.makedirs(args.workdir, exist_ok=True)
    if os.listdir(args.workdir):
        sys.exit(f"bench: --workdir {args.workdir} is not empty")
    return os.path.abspath(args.workdir)


def main():
    ap = argparse.ArgumentParser(description="newswatch throughput benchmark")
    ap.add_argument("--binary", required=True, help="the newswatch binary")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", help="work here (empty or new) instead of a temp dir")
    ap.add_argument("--keep", action="store_true", help="keep the temp work dir")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per run")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"bench: {args.binary}: not an executable")

    workdir = make_workdir(args)
    site = os.path.join(workdir, "site")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    feed_bytes = generate(site, base, args)
    config = write_config(workdir, site, base)
    server = start_server(workdir, site, port)
    setup_s = time.monotonic() - t0
    try:
        runs = [bench_run("run1", "run 1 (200)", args, config, workdir, server),
                bench_run("run2", "run 2 (304)", args, config, workdir, server)]
    finally:
        stop_server(server)

    print_table(runs, f"newswatch bench: {args.feeds} feeds x {args.entries} entries, "
                      f"{feed_bytes / 1e6:.1f} MB of feeds, served on {base} "
                      f"(setup {setup_s:.1f} s)")
    print(json.dumps({"feeds": args.feeds, "entries": args.entries, "seed": args.seed,
                      "feed_bytes": feed_bytes, "setup_s": round(setup_s, 3),
                      "runs": [rounded(r) for r in runs]}))
    ok = all(r["exit"] == 0 for r in runs)
    if args.workdir is None and not args.keep and ok:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"work dir kept: {workdir} (run1.log, run2.log: the binary's output)",
              file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
