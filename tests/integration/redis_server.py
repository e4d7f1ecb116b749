"""A redis-server of the tests' own, on 127.0.0.1 and a free port, in a
temporary directory, and a small RESP client to look into it.  Its
append-only file is synced on every write, so a stop and a start on the
same port keep the data, as a restarted production Redis would.  Raises
unittest.SkipTest, saying why, when redis-server is not installed.  Not a
test module itself."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisError(Exception):
    pass


class RedisServer:
    def __init__(self):
        if shutil.which("redis-server") is None:
            raise unittest.SkipTest("redis-server is not installed (Debian: redis-server)")
        self.dir = tempfile.mkdtemp(prefix="nw-redis-")
        self.port = _free_port()
        self.proc = None
        self.start()

    def url(self, stream):
        return f"redis://127.0.0.1:{self.port}/{stream}"

    def start(self, timeout=20):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--dir", self.dir, "--logfile", os.path.join(self.dir, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.proc.returncode}: "
                                     + self.log()[-2000:])
            # Ready is PONG: a restarted server answers -LOADING until it
            # has replayed its append-only file, and refuses connections
            # before it listens.
            try:
                if self.command("PING") == "PONG":
                    return
            except OSError:
                pass
            except RedisError as e:
                if not str(e).startswith("LOADING"):
                    raise
            time.sleep(0.02)
        raise AssertionError(f"redis-server on port {self.port} did not answer")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log"), encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def command(self, *args):
        """One command; its reply as str, int, list or None; an error
        reply raises RedisError."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            out = [f"*{len(args)}\r\n".encode()]
            for a in args:
                b = a if isinstance(a, bytes) else str(a).encode()
                out.append(f"${len(b)}\r\n".encode() + b + b"\r\n")
            s.sendall(b"".join(out))
            return _read_reply(s.makefile("rb"))

    def stream(self, name):
        """[(entry id, {field: value})] of stream name, oldest first."""
        return [(eid, dict(zip(fields[::2], fields[1::2])))
                for eid, fields in self.command("XRANGE", name, "-", "+")]


def _read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise OSError("connection closed mid-reply")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2].decode()
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise OSError(f"unexpected reply {line!r}")
