"""Helpers the crash and hostile-input tests share: the daemon as a child
process (started, killed, stopped, measured) and the state and spool read
back as a consumer would.  Not a test module itself."""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("NEWSWATCH", os.path.join(ROOT, "newswatch"))

# Set by scripts/run-tests.sh for the ASan+UBSan build: shadow memory makes
# the daemon's resident size several times larger and its work slower.
SANITIZED = os.environ.get("NEWSWATCH_SANITIZED") == "1"

STATUS_PENDING, STATUS_SEEN = 1, 2


class Daemon:
    """`newswatch run` as a child, with its sd_notify socket held here so a
    test knows when it is ready (spool and state open, loop running)."""

    def __init__(self, env, extra_env=None, wrap=()):
        self.env = env
        self.extra_env = extra_env or {}
        self.wrap = list(wrap)          # a command that execs its arguments
        self.proc = None
        self.logpath = os.path.join(env.dir, "daemon.log")
        self.sockpath = os.path.join(env.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sockpath)

    def start(self, wait_ready=True):
        environ = dict(os.environ, NOTIFY_SOCKET=self.sockpath, **self.extra_env)
        with open(self.logpath, "a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(self.wrap + [BINARY, "run", "-c", self.env.config],
                                         stdout=log, stderr=subprocess.STDOUT,
                                         env=environ)
        if wait_ready:
            self.wait_notify("READY=1")

    def wait_notify(self, want, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            if want in msg.split("\n"):
                return
            if self.proc.poll() is not None:
                break
        raise AssertionError(f"no {want} from the daemon; log:\n{self.log()[-3000:]}")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=20):
        """SIGTERM; returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def vm_hwm_kb(self):
        """Peak resident set size so far, from /proc/PID/status."""
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")

    def log(self):
        with open(self.logpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def close(self):
        if self.alive():
            self.kill()
        self.sock.close()


def wait_for(predicate, timeout, what, log=None):
    """Poll predicate until it returns something true; fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}"
                         + (f"; log:\n{log()[-3000:]}" if log else ""))


def _query(path, sql):
    db = sqlite3.connect(path, timeout=10)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def state_entries(path):
    """{(feed name, entry id): (status, discovered_us)} from the state."""
    if not os.path.exists(path):
        return {}
    rows = _query(path, "SELECT f.name, e.entry_id, e.status, e.discovered_us"
                  " FROM entries e JOIN feeds f ON f.id = e.feed_id")
    return {(name, eid): (status, us) for name, eid, status, us in rows}


def state_feeds(path):
    """{feed name: (last_status, last_error, polls, failures)}."""
    rows = _query(path, "SELECT name, last_status, last_error, polls, failures FROM feeds")
    return {r[0]: r[1:] for r in rows}


def spool_items(spool):
    """{file name: item} for new/; every file must be complete, strict
    UTF-8 JSON (a partial or mangled file raises)."""
    d = os.path.join(spool, "new")
    out = {}
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), "rb") as f:
            raw = f.read()
        try:
            out[name] = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError(f"new/{name} is not complete JSON ({e}): {raw[:200]!r}")
    return out


def _fnv1a(h, data):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def item_name(discovered_us, feed_name, entry_id):
    """The spool name store/spool.c gives an entry (spool_item_name), for
    feed names already made of [A-Za-z0-9.-]."""
    assert re.fullmatch(r"[A-Za-z0-9.-]{1,64}", feed_name), feed_name
    h = _fnv1a(0xcbf29ce484222325, feed_name.encode() + b"\0")
    h = _fnv1a(h, entry_id.encode())
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(discovered_us // 1000000))
    return f"{stamp}.{discovered_us % 1000000:06d}Z_{feed_name}_{h:016x}.json"


def main(module):
    """Run a test module's tests (every runnable test file ends with this);
    each skip is listed with its reason, and the last line is "N passed, N
    failed, N skipped", which scripts/run-tests.sh adds up.  A test that
    was expected to fail and passed counts as failed."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = (len(result.failures) + len(result.errors) +
              len(result.unexpectedSuccesses))
    skipped = len(result.skipped)
    for test, why in result.skipped:
        print(f"skipped: {test.id()}: {why}")
    print(f"{result.testsRun - failed - skipped} passed, {failed} failed, "
          f"{skipped} skipped")
    sys.exit(1 if failed else 0)
