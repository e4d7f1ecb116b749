#!/usr/bin/python3
"""A small HTTP/1.1 server on 127.0.0.1 for the newswatch tests and benchmark.

It serves the files under a root directory with the validators a real feed
server sends (ETag, Last-Modified, 304 answers to conditional requests),
gzip when asked for, and misbehaviour on demand.

Command line:

    python3 tests/httpd.py --root DIR [--port 0] [--port-file FILE]
                           [--log FILE] [--cache] [--workers N] [--verbose]

prints "listening on 127.0.0.1:PORT" once it accepts connections (and
writes PORT to --port-file, atomically), and exits 0 on SIGTERM or SIGINT.

In-process, from a Python test:

    from httpd import TestServer
    with TestServer(root) as srv:
        url = srv.url("feed.xml")       # http://127.0.0.1:PORT/feed.xml
        ...
        srv.requests                    # [{"method", "path", "headers", "time", "status"}]

Files.  GET/HEAD of /PATH serves ROOT/PATH (never anything outside ROOT).
The Content-Type follows the extension.  A 200 carries
ETag: "<sha1 of the file>" and Last-Modified (the file's mtime); a request
whose If-None-Match names that ETag gets 304; a request without
If-None-Match whose If-Modified-Since is not older than the mtime gets 304
(RFC 9110: If-Modified-Since is ignored when If-None-Match is present).
Files are read on every request, so a rewritten file is served at once.
With "Accept-Encoding: gzip" the body is gzipped (Content-Encoding: gzip).

Sidecars.  An optional ROOT/PATH.meta.json, read on every request, changes
how PATH is answered; it may exist without PATH (the body is then empty):

    status            int: answer with this status (conditionals apply to 200 only)
    headers           {name: value}: extra headers, replacing defaults of the same name
    delay             seconds to wait before answering
    trickle           send the body at this many bytes per second
    truncate          announce the full Content-Length, send N bytes, close
    redirect          Location (URL or path); the status is 302 unless status is 3xx
    no_etag           true: no ETag (If-None-Match is then ignored)
    no_last_modified  true: no Last-Modified (If-Modified-Since is then ignored)
    content_type      Content-Type to send
    encoding          "gzip" (the default) or "br": the coding used when the
                      client accepts it (brotli needs python3-brotli)

Built-in paths (no files needed):

    /_status/NNN              answers status NNN with a short text body
    /_redirect/NNN?to=URL     redirects to URL with status NNN
    /_slow?seconds=S          waits S seconds, then 200 with a short body
    /_reset                   closes the connection (TCP reset) without answering
    /_loop                    302 to itself
    /_bomb?bytes=N&encoding=E N zero bytes, sent compressed with E (gzip or br,
                              which the client must accept, else 406): a few
                              KiB on the wire, N bytes once decoded

TLS.  TestServer(root, tls=(certfile, keyfile)) (or --tls CERT KEY) serves
https instead of http; url() then says https://.

Proxy.  A request in absolute form ("GET http://any.host/PATH") is answered
like one for /PATH, so the server doubles as a forward proxy for plain
http; the recorded "path" keeps the absolute form.

Every request is recorded, before its answer is sent, as
{"method", "path" (the request target as sent), "headers" (lowercase names),
"time" (arrival, epoch seconds), "status" (None for /_reset)}: in
TestServer.requests and, with --log FILE, as one JSON line per request.

--cache computes every file's ETag and gzipped body at start (before it
listens) and keeps them, and those of files added later, while the file's
inode, size and mtime stay the same.  It is for the benchmark, where gzip
would otherwise cost the server more CPU than the client under test; the
tests run without it, so nothing can ever be served stale to them.
--workers N serves from N processes sharing the listening socket, for the
same reason: one Python process, GIL-bound, answers about 2,500 requests a
second, two answer about 7,000 on a 2-core machine.  The JSON lines of
every process go to the same --log (O_APPEND, one write per line).
"""
import argparse
import concurrent.futures
import importlib
import ctypes
import email.utils
import gzip
import hashlib
import http.server
import json
import mimetypes
import os
import signal
import socket
import ssl
import stat
import struct
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Optional

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
}
REDIRECTS = (301, 302, 303, 307, 308)
NO_BODY = (204, 304)
META_SUFFIX = ".meta.json"
PR_SET_PDEATHSIG = 1    # prctl(2)


@dataclass
class Reply:
    """Everything needed to send one answer, decided before it is sent."""
    status: int
    body: bytes = b""
    headers: list = field(default_factory=list)   # [(name, value)]
    delay: float = 0.0
    trickle: int = 0            # bytes per second; 0 = all at once
    truncate: Optional[int] = None  # bytes actually sent; None = the whole body
    reset: bool = False         # close the connection without answering


def text_reply(status, text, **kw):
    """A short text/plain answer."""
    body = b"" if status in NO_BODY else (text + "\n").encode()
    return Reply(status, body, [("Content-Type", "text/plain; charset=utf-8")], **kw)


def content_type(path):
    """The Content-Type for a file name."""
    ext = os.path.splitext(path)[1].lower()
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


ALIASES = {"gzip": ("gzip", "x-gzip", "*"), "br": ("br", "*")}


def accepts(value, coding):
    """Whether an Accept-Encoding value accepts coding (q=0 refuses)."""
    for part in (value or "").split(","):
        name, *params = [p.strip().lower() for p in part.split(";")]
        if name in ALIASES[coding] and qvalue(params) > 0:
            return True
    return False


def compress(content, coding):
    """content in a Content-Encoding (gzip or br)."""
    if coding == "br":
        return importlib.import_module("brotli").compress(content)
    return gzip_body(content)


def qvalue(params):
    """The q= weight among a coding's parameters (1 when absent or bad)."""
    for param in params:
        if param.startswith("q="):
            try:
                return float(param[2:])
            except ValueError:
                return 1.0
    return 1.0


def etag_matches(if_none_match, etag):
    """RFC 9110 weak comparison of an If-None-Match list with our ETag."""
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def not_modified_since(if_modified_since, mtime):
    """Whether an If-Modified-Since date is at or after mtime (in whole seconds)."""
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(mtime) <= since


def set_header(headers, name, value):
    """Set a header in a [(name, value)] list, replacing one of the same name."""
    headers[:] = [(n, v) for n, v in headers if n.lower() != name.lower()]
    headers.append((name, str(value)))


def sha1_etag(content):
    return '"' + hashlib.sha1(content).hexdigest() + '"'


def gzip_body(content):
    return gzip.compress(content, compresslevel=6, mtime=0)


DERIVED = {"etag": sha1_etag, "gzip": gzip_body}


class FileCache:
    """Each file's ETag and gzipped body, valid while its (inode, size,
    mtime) hold.  Only used with --cache.  Plain dict reads and writes are
    atomic in CPython; two threads may at worst compute the same value."""

    def __init__(self):
        self.entries = {}

    def get(self, full, st, kind, content):
        """DERIVED[kind](content), from the cache when the file is unchanged."""
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        hit = self.entries.get((full, kind))
        if hit and hit[0] == stamp:
            return hit[1]
        value = DERIVED[kind](content)
        self.entries[(full, kind)] = (stamp, value)
        return value

    def preload(self, root):
        """Fill the cache for every file under root, on all CPUs (zlib and
        hashlib release the GIL)."""
        paths = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files
                 if not f.endswith(META_SUFFIX)]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(self.load, paths))

    def load(self, full):
        st = os.stat(full)
        content = read_file(full)
        for kind in DERIVED:
            self.get(full, st, kind, content)


class Server(http.server.ThreadingHTTPServer):
    """The listening server: a root, a request record and an optional log."""
    daemon_threads = True
    request_queue_size = 512    # many clients connect at once in the benchmark

    def __init__(self, root, port=0, log=None, cache=False, verbose=False, tls=None):
        self.root = os.path.realpath(root)
        self.tls = tls
        self.verbose = verbose
        self.cache = FileCache() if cache else None
        if self.cache:
            self.cache.preload(self.root)
        self.requests = []
        self.log_lock = threading.Lock()
        self.log = open(log, "a", encoding="utf-8") if log else None
        super().__init__(("127.0.0.1", port), Handler)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.socket = ctx.wrap_socket(self.socket, server_side=True,
                                          do_handshake_on_connect=False)

    def finish_request(self, request, client_address):
        # The handshake runs in the request's thread, so a client that
        # refuses our certificate cannot stall the accepting loop.
        if self.tls:
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def record(self, entry):
        """Remember one request (and log it as a JSON line with --log)."""
        self.requests.append(entry)
        if self.log:
            line = json.dumps(entry) + "\n"
            with self.log_lock:
                self.log.write(line)
                self.log.flush()

    def server_close(self):
        super().server_close()
        if self.log:
            self.log.close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newswatch-httpd/1"
    disable_nagle_algorithm = True   # headers and body go out as separate writes
    timeout = 120                    # an idle keep-alive connection is dropped

    def do_GET(self):
        self.answer(with_body=True)

    def do_HEAD(self):
        self.answer(with_body=False)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    def answer(self, with_body):
        """Decide the reply, record the request, then send the reply."""
        arrived = time.time()
        reply = self.route()
        self.server.record({
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "time": arrived,
            "status": None if reply.reset else reply.status,
        })
        try:
            self.send(reply, with_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- routing ---------------------------------------------------------

    def route(self):
        """The Reply for this request."""
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query)
        builtin = self.builtin(path, query)
        if builtin:
            return builtin
        full = self.resolve(path)
        if full is None:
            return text_reply(403, "forbidden")
        return self.serve_file(full)

    def builtin(self, path, query):
        """The Reply for a built-in path, or None."""
        if path.startswith("/_status/"):
            code = path[len("/_status/"):]
            if code.isdigit() and 200 <= int(code) <= 599:
                return text_reply(int(code), f"status {code}")
            return text_reply(400, "bad status")
        if path.startswith("/_redirect/"):
            code = path[len("/_redirect/"):]
            if not (code.isdigit() and int(code) in REDIRECTS and "to" in query):
                return text_reply(400, "usage: /_redirect/3xx?to=URL")
            return redirect_reply(int(code), query["to"][0])
        if path == "/_slow":
            try:
                seconds = float(query.get("seconds", ["1"])[0])
            except ValueError:
                return text_reply(400, "bad seconds")
            return text_reply(200, "slow", delay=seconds)
        if path == "/_reset":
            return Reply(0, reset=True)
        if path == "/_loop":
            return redirect_reply(302, "/_loop")
        if path == "/_bomb":
            return self.bomb(query)
        return None

    def bomb(self, query):
        """/_bomb: many zero bytes, small on the wire."""
        coding = query.get("encoding", ["gzip"])[0]
        try:
            size = int(query.get("bytes", ["0"])[0])
        except ValueError:
            return text_reply(400, "bad bytes")
        if coding not in ALIASES or size < 0:
            return text_reply(400, "usage: /_bomb?bytes=N&encoding=gzip|br")
        if not accepts(self.headers.get("Accept-Encoding"), coding):
            return text_reply(406, f"{coding} not accepted")
        return Reply(200, compress(bytes(size), coding),
                     [("Content-Type", "application/xml"), ("Content-Encoding", coding)])

    def resolve(self, path):
        """The file system path under root for a URL path, or None when it
        would leave root (.. segments, NUL, symlinks pointing outside)."""
        if "\0" in path or ".." in path.split("/"):
            return None
        full = os.path.realpath(os.path.join(self.server.root, path.lstrip("/")))
        if os.path.commonpath([full, self.server.root]) != self.server.root:
            return None
        return full

    # -- files -----------------------------------------------------------

    def serve_file(self, full):
        """The Reply for a file (and its sidecar, if any)."""
        try:
            meta = read_meta(full + META_SUFFIX)
        except ValueError as e:
            sys.stderr.write(f"httpd: {full}{META_SUFFIX}: {e}\n")
            return text_reply(500, "bad sidecar")
        try:
            st = os.stat(full)
        except OSError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            st = None
        if st is None and meta is None:
            return text_reply(404, "not found")
        meta = meta or {}
        try:
            reply = self.file_reply(full, st, meta)
        except ValueError as e:
            sys.stderr.write(f"httpd: {full}{META_SUFFIX}: {e}\n")
            return text_reply(500, "bad sidecar")
        reply.delay = float(meta.get("delay", 0))
        reply.trickle = int(meta.get("trickle", 0))
        if meta.get("truncate") is not None:
            reply.truncate = int(meta["truncate"])
        for name, value in meta.get("headers", {}).items():
            set_header(reply.headers, name, value)
        return reply

    def file_reply(self, full, st, meta):
        """Status, headers and body for a file (st is None when it is absent)."""
        status = int(meta.get("status", 200))
        if "redirect" in meta:
            return redirect_reply(status if status in REDIRECTS else 302, meta["redirect"])
        content = read_file(full) if st else b""
        headers = [("Content-Type", meta.get("content_type") or content_type(full))]
        coding = meta.get("encoding", "gzip")
        if coding not in ALIASES:
            raise ValueError(f"encoding {coding!r}: gzip or br")
        if st is None or status != 200:
            return self.encoded(Reply(status, content, headers), full, st, coding)
        etag = None if meta.get("no_etag") else self.derived(full, st, "etag", content)
        mtime = None if meta.get("no_last_modified") else st.st_mtime
        if etag:
            headers.append(("ETag", etag))
        if mtime is not None:
            headers.append(("Last-Modified", email.utils.formatdate(mtime, usegmt=True)))
        if self.not_modified(etag, mtime):
            return Reply(304, b"", [h for h in headers if h[0] != "Content-Type"])
        return self.encoded(Reply(200, content, headers), full, st, coding)

    def derived(self, full, st, kind, content):
        """The file's ETag or gzipped body (see DERIVED), cached with --cache."""
        if self.server.cache and st:
            return self.server.cache.get(full, st, kind, content)
        return DERIVED[kind](content)

    def not_modified(self, etag, mtime):
        """Whether the request's validators make this a 304."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag is not None and etag_matches(inm, etag)
        ims = self.headers.get("If-Modified-Since")
        return ims is not None and mtime is not None and not_modified_since(ims, mtime)

    def encoded(self, reply, full, st, coding="gzip"):
        """Compress the body in coding when the client accepts it."""
        reply.headers.append(("Vary", "Accept-Encoding"))
        if not reply.body or not accepts(self.headers.get("Accept-Encoding"), coding):
            return reply
        if coding == "gzip":
            reply.body = self.derived(full, st, "gzip", reply.body)
        else:
            reply.body = compress(reply.body, coding)
        reply.headers.append(("Content-Encoding", coding))
        return reply

    # -- sending ---------------------------------------------------------

    def send(self, reply, with_body):
        """Send a Reply: wait, reset, or status + headers + (slow, short) body."""
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.reset:
            # Linger 0 makes the close a TCP RST; closing here, before
            # socketserver's shutdown(SHUT_WR), means no FIN goes first.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self.send_response(reply.status)
        has_body = reply.status not in NO_BODY
        names = {n.lower() for n, _ in reply.headers}
        if has_body and "content-length" not in names:
            self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if not (with_body and has_body):
            return
        body = reply.body if reply.truncate is None else reply.body[:reply.truncate]
        self.write_body(body, reply.trickle)
        if reply.truncate is not None and reply.truncate < len(reply.body):
            self.close_connection = True

    def write_body(self, body, trickle):
        """Write the body, at `trickle` bytes per second when that is set."""
        if trickle <= 0:
            self.wfile.write(body)
            return
        chunk = max(1, trickle // 10)
        for i in range(0, len(body), chunk):
            self.wfile.write(body[i:i + chunk])
            time.sleep(chunk / trickle)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def redirect_reply(status, location):
    """A redirect with a short body."""
    reply = text_reply(status, f"see {location}")
    reply.headers.append(("Location", location))
    return reply


def read_meta(path):
    """The sidecar's dict, or None when there is none; ValueError when bad."""
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except FileNotFoundError:
        return None
    if not isinstance(meta, dict):
        raise ValueError("not a JSON object")
    return meta


class TestServer:
    """The server in a background thread, for in-process Python tests."""
    __test__ = False    # not a test case, whatever a test runner thinks

    def __init__(self, root, log=None, verbose=False, tls=None):
        self.server = Server(root, 0, log=log, verbose=verbose, tls=tls)
        self.port = self.server.server_address[1]
        self.thread = None

    @property
    def requests(self):
        """Every request so far, oldest first (a live list)."""
        return self.server.requests

    def url(self, path=""):
        """http://127.0.0.1:PORT/path (https:// with TLS)"""
        scheme = "https" if self.server.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.thread:
            self.server.shutdown()
            self.thread.join()
            self.thread = None
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def write_atomically(path, text):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="Test HTTP server on 127.0.0.1.")
    ap.add_argument("--root", required=True, help="directory to serve")
    ap.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    ap.add_argument("--bind", default="127.0.0.1", help="only 127.0.0.1 is accepted")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--log", help="append one JSON line per request")
    ap.add_argument("--cache", action="store_true",
                    help="precompute and cache ETags and gzipped bodies (benchmark only)")
    ap.add_argument("--workers", type=int, default=1,
                    help="serve from this many processes (benchmark only: "
                         "the request record is then only in --log)")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https")
    args = ap.parse_args()
    if args.bind != "127.0.0.1":
        ap.error("only --bind 127.0.0.1 is allowed")
    if not os.path.isdir(args.root):
        ap.error(f"--root {args.root}: not a directory")

    if args.workers < 1:
        ap.error("--workers must be at least 1")

    server = Server(args.root, args.port, log=args.log, cache=args.cache,
                    verbose=args.verbose, tls=args.tls)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Every process wakes up for each new connection and only one gets it:
    # the others must not block in accept(), where they would miss SIGTERM.
    server.socket.setblocking(False)
    workers = [fork_worker(server) for _ in range(args.workers - 1)]
    if args.port_file:
        write_atomically(args.port_file, f"{port}\n")
    print(f"listening on 127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        for pid in workers:
            os.kill(pid, signal.SIGTERM)
        for pid in workers:
            os.waitpid(pid, 0)


def fork_worker(server):
    """A child process serving the same listening socket (--workers); it
    stops, like the parent, on SIGTERM or SIGINT, and gets SIGTERM when the
    parent dies, even by SIGKILL.  Returns its pid."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() == parent:     # else it died before prctl
                server.serve_forever()
        finally:
            server.server_close()
            os._exit(0)
    return pid


if __name__ == "__main__":
    main()
