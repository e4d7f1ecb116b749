#!/usr/bin/python3
"""Self-test of tests/httpd.py, the loopback server the end-to-end tests use.
Run from the repository root:  /usr/bin/python3 tests/test_httpd_selftest.py
The last line is "N passed, N failed, N skipped"; the exit status is 1 on any failure.
"""
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from httpd import TestServer  # noqa: E402

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>\n'


def etag_of(content):
    return '"' + hashlib.sha1(content).hexdigest() + '"'


class Site:
    """A temp dir with a served root inside it (so "outside root" exists)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="nw-httpd-")
        self.root = os.path.join(self.dir, "root")
        os.makedirs(self.root)

    def write(self, path, data):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return full

    def meta(self, path, **meta):
        self.write(path + ".meta.json", json.dumps(meta))

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.site = Site()
        self.server = TestServer(self.site.root).start()
        self.site.write("feed.xml", FEED)

    def tearDown(self):
        self.server.stop()
        self.site.close()

    def get(self, path, headers=None, method="GET", timeout=10):
        """(response, body) of one request on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        self.addCleanup(conn.close)
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp, resp.read()

    # -- files and validators --------------------------------------------

    def test_200_with_etag_last_modified_and_type(self):
        resp, body = self.get("/feed.xml")
        self.assertEqual(resp.status, 200)
        self.assertEqual(body, FEED)
        self.assertEqual(resp.getheader("ETag"), etag_of(FEED))
        self.assertEqual(resp.getheader("Content-Length"), str(len(FEED)))
        self.assertEqual(resp.getheader("Content-Type"), "application/xml")
        mtime = os.stat(os.path.join(self.site.root, "feed.xml")).st_mtime
        self.assertEqual(resp.getheader("Last-Modified"),
                         email.utils.formatdate(mtime, usegmt=True))

    def test_content_types_by_extension(self):
        want = {"a.rss": "application/rss+xml", "a.atom": "application/atom+xml",
                "a.json": "application/feed+json", "a.html": "text/html; charset=utf-8"}
        for name, ctype in want.items():
            self.site.write(name, "x")
            self.assertEqual(self.get("/" + name)[0].getheader("Content-Type"), ctype)

    def test_304_on_if_none_match(self):
        tag = etag_of(FEED)
        for inm in (tag, "W/" + tag, '"other", ' + tag, "*"):
            resp, body = self.get("/feed.xml", {"If-None-Match": inm})
            self.assertEqual((resp.status, body), (304, b""), inm)
            self.assertEqual(resp.getheader("ETag"), tag)

    def test_304_on_if_modified_since(self):
        future = email.utils.formatdate(time.time() + 60, usegmt=True)
        past = email.utils.formatdate(time.time() - 3600, usegmt=True)
        self.assertEqual(self.get("/feed.xml", {"If-Modified-Since": future})[0].status, 304)
        self.assertEqual(self.get("/feed.xml", {"If-Modified-Since": past})[0].status, 200)
        # If-None-Match wins over If-Modified-Since (RFC 9110).
        resp, _ = self.get("/feed.xml", {"If-Modified-Since": future,
                                         "If-None-Match": '"stale"'})
        self.assertEqual(resp.status, 200)

    def test_changed_file_gets_new_etag(self):
        old = etag_of(FEED)
        self.site.write("feed.xml", FEED.replace(b"<title>T", b"<title>U"))
        resp, body = self.get("/feed.xml", {"If-None-Match": old})
        self.assertEqual(resp.status, 200)
        self.assertIn(b"<title>U", body)
        self.assertEqual(resp.getheader("ETag"), etag_of(body))

    def test_gzip_when_accepted(self):
        resp, body = self.get("/feed.xml", {"Accept-Encoding": "deflate, gzip, br"})
        self.assertEqual(resp.getheader("Content-Encoding"), "gzip")
        self.assertEqual(resp.getheader("Vary"), "Accept-Encoding")
        self.assertEqual(int(resp.getheader("Content-Length")), len(body))
        self.assertEqual(gzip.decompress(body), FEED)
        resp, body = self.get("/feed.xml", {"Accept-Encoding": "gzip;q=0"})
        self.assertIsNone(resp.getheader("Content-Encoding"))
        self.assertEqual(body, FEED)

    def test_brotli_when_the_sidecar_asks_and_the_client_accepts(self):
        import brotli
        self.site.meta("feed.xml", encoding="br")
        resp, body = self.get("/feed.xml", {"Accept-Encoding": "gzip, br"})
        self.assertEqual(resp.getheader("Content-Encoding"), "br")
        self.assertEqual(brotli.decompress(body), FEED)
        resp, body = self.get("/feed.xml", {"Accept-Encoding": "gzip"})
        self.assertIsNone(resp.getheader("Content-Encoding"))
        self.assertEqual(body, FEED)

    def test_bomb_is_small_on_the_wire_and_large_decoded(self):
        import brotli
        resp, body = self.get("/_bomb?bytes=4000000&encoding=gzip",
                              {"Accept-Encoding": "gzip"})
        self.assertEqual(resp.getheader("Content-Encoding"), "gzip")
        self.assertLess(len(body), 10000)
        self.assertEqual(gzip.decompress(body), bytes(4000000))
        resp, body = self.get("/_bomb?bytes=4000000&encoding=br",
                              {"Accept-Encoding": "br"})
        self.assertEqual(brotli.decompress(body), bytes(4000000))
        resp, _ = self.get("/_bomb?bytes=10&encoding=br", {"Accept-Encoding": "gzip"})
        self.assertEqual(resp.status, 406)

    def test_absolute_form_is_served_like_a_proxy(self):
        resp, body = self.get("http://feeds.invalid/feed.xml")
        self.assertEqual(resp.status, 200)
        self.assertEqual(body, FEED)
        self.assertEqual(self.server.requests[-1]["path"], "http://feeds.invalid/feed.xml")

    def test_tls(self):
        import ssl
        cert = os.path.join(self.site.dir, "cert.pem")
        key = os.path.join(self.site.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        with TestServer(self.site.root, tls=(cert, key)) as srv:
            self.assertTrue(srv.url("feed.xml").startswith("https://127.0.0.1:"))
            ctx = ssl.create_default_context(cafile=cert)
            conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=10)
            self.addCleanup(conn.close)
            conn.request("GET", "/feed.xml")
            self.assertEqual(conn.getresponse().read(), FEED)

    def test_head_has_length_and_no_body(self):
        resp, body = self.get("/feed.xml", method="HEAD")
        self.assertEqual((resp.status, body), (200, b""))
        self.assertEqual(resp.getheader("Content-Length"), str(len(FEED)))

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        self.addCleanup(conn.close)
        socks = set()
        for _ in range(3):
            conn.request("GET", "/feed.xml")
            self.assertEqual(conn.getresponse().read(), FEED)
            socks.add(conn.sock)
        self.assertEqual(len(socks), 1)

    def test_missing_file_and_directory_are_404(self):
        os.makedirs(os.path.join(self.site.root, "dir"))
        for path in ("/missing.xml", "/dir", "/"):
            self.assertEqual(self.get(path)[0].status, 404, path)

    def test_path_traversal_is_refused(self):
        with open(os.path.join(self.site.dir, "secret.txt"), "w") as f:
            f.write("secret")
        os.symlink(os.path.join(self.site.dir, "secret.txt"),
                   os.path.join(self.site.root, "link.txt"))
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt",
                     "/link.txt"):
            resp, body = self.get(path)
            self.assertEqual(resp.status, 403, path)
            self.assertNotIn(b"secret", body)

    def test_requests_are_recorded(self):
        self.get("/feed.xml?x=1", {"X-Probe": "yes"})
        req = self.server.requests[-1]
        self.assertEqual((req["method"], req["path"], req["status"]),
                         ("GET", "/feed.xml?x=1", 200))
        self.assertEqual(req["headers"]["x-probe"], "yes")
        self.assertAlmostEqual(req["time"], time.time(), delta=5)

    # -- sidecars --------------------------------------------------------

    def test_sidecar_status_headers_and_type(self):
        self.site.meta("feed.xml", status=503, headers={"Retry-After": "120"},
                       content_type="text/plain")
        resp, body = self.get("/feed.xml")
        self.assertEqual((resp.status, body), (503, FEED))
        self.assertEqual(resp.getheader("Retry-After"), "120")
        self.assertEqual(resp.getheader("Content-Type"), "text/plain")
        self.assertIsNone(resp.getheader("ETag"))

    def test_sidecar_without_file(self):
        self.site.meta("gone.xml", status=410)
        resp, body = self.get("/gone.xml")
        self.assertEqual((resp.status, body), (410, b""))

    def test_sidecar_redirect(self):
        self.site.meta("old.xml", redirect="/feed.xml", status=301)
        resp, _ = self.get("/old.xml")
        self.assertEqual((resp.status, resp.getheader("Location")), (301, "/feed.xml"))
        self.site.meta("tmp.xml", redirect="http://127.0.0.1:1/x")
        resp, _ = self.get("/tmp.xml")
        self.assertEqual((resp.status, resp.getheader("Location")), (302, "http://127.0.0.1:1/x"))

    def test_sidecar_delay_and_trickle(self):
        self.site.meta("feed.xml", delay=0.4)
        start = time.monotonic()
        self.assertEqual(self.get("/feed.xml")[1], FEED)
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        self.site.meta("feed.xml", trickle=200)
        start = time.monotonic()
        self.assertEqual(self.get("/feed.xml")[1], FEED)
        self.assertGreaterEqual(time.monotonic() - start, len(FEED) / 200 * 0.8)

    def test_sidecar_truncate(self):
        self.site.meta("feed.xml", truncate=10)
        with self.assertRaises(http.client.IncompleteRead) as cm:
            self.get("/feed.xml")
        self.assertEqual(cm.exception.partial, FEED[:10])

    def test_sidecar_no_validators(self):
        self.site.meta("feed.xml", no_etag=True, no_last_modified=True)
        resp, _ = self.get("/feed.xml", {"If-None-Match": etag_of(FEED)})
        self.assertEqual(resp.status, 200)
        self.assertIsNone(resp.getheader("ETag"))
        self.assertIsNone(resp.getheader("Last-Modified"))

    def test_bad_sidecar_is_a_500(self):
        self.site.write("feed.xml.meta.json", "{not json")
        self.assertEqual(self.get("/feed.xml")[0].status, 500)

    # -- built-in paths --------------------------------------------------

    def test_builtin_status(self):
        resp, body = self.get("/_status/418")
        self.assertEqual((resp.status, body), (418, b"status 418\n"))
        self.assertEqual(self.get("/_status/204")[0].status, 204)

    def test_builtin_redirect_and_loop(self):
        resp, _ = self.get("/_redirect/307?to=/feed.xml")
        self.assertEqual((resp.status, resp.getheader("Location")), (307, "/feed.xml"))
        resp, _ = self.get("/_loop")
        self.assertEqual((resp.status, resp.getheader("Location")), (302, "/_loop"))

    def test_builtin_slow(self):
        start = time.monotonic()
        resp, _ = self.get("/_slow?seconds=0.3")
        self.assertEqual(resp.status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_builtin_reset(self):
        with self.assertRaises((ConnectionError, http.client.RemoteDisconnected)):
            self.get("/_reset")
        self.assertIsNone(self.server.requests[-1]["status"])


class CommandLineTest(unittest.TestCase):
    """httpd.py as a process: port file, stdout line, log, SIGTERM, --bind."""

    def setUp(self):
        self.site = Site()
        self.addCleanup(self.site.close)

    def start(self, *extra):
        port_file = os.path.join(self.site.dir, "port")
        proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "httpd.py"), "--root", self.site.root,
             "--port", "0", "--port-file", port_file, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        line = proc.stdout.readline()
        with open(port_file) as f:
            port = int(f.read())
        self.assertEqual(line, f"listening on 127.0.0.1:{port}\n")
        return proc, port

    def fetch(self, port, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp, body

    def test_port_file_log_and_sigterm(self):
        self.site.write("feed.xml", FEED)
        log = os.path.join(self.site.dir, "requests.log")
        proc, port = self.start("--log", log)
        resp, body = self.fetch(port, "/feed.xml")
        self.assertEqual((resp.status, body), (200, FEED))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=10), 0)
        self.assertEqual(proc.stderr.read(), "")
        with open(log) as f:
            entry = json.loads(f.readline())
        self.assertEqual((entry["method"], entry["path"], entry["status"]),
                         ("GET", "/feed.xml", 200))
        self.assertIn("host", entry["headers"])

    def test_cache_still_sees_rewritten_files(self):
        self.site.write("feed.xml", FEED)
        proc, port = self.start("--cache")
        gz = {"Accept-Encoding": "gzip"}
        self.assertEqual(gzip.decompress(self.fetch(port, "/feed.xml", gz)[1]), FEED)
        new = FEED.replace(b"<title>T", b"<title>Changed")
        tmp = self.site.write("feed.xml.tmp", new)
        os.replace(tmp, os.path.join(self.site.root, "feed.xml"))
        resp, body = self.fetch(port, "/feed.xml", gz)
        self.assertEqual(gzip.decompress(body), new)
        self.assertEqual(resp.getheader("ETag"), etag_of(new))
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(timeout=10), 0)

    def test_workers_share_the_port_and_the_log(self):
        self.site.write("feed.xml", FEED)
        log = os.path.join(self.site.dir, "requests.log")
        proc, port = self.start("--workers", "2", "--log", log)
        for _ in range(20):
            self.assertEqual(self.fetch(port, "/feed.xml")[1], FEED)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=10), 0)
        with open(log) as f:
            self.assertEqual([json.loads(line)["status"] for line in f], [200] * 20)

    def test_only_loopback_bind(self):
        r = subprocess.run([sys.executable, os.path.join(HERE, "httpd.py"),
                            "--root", self.site.root, "--bind", "0.0.0.0"],
                           capture_output=True, text=True, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("127.0.0.1", r.stderr)


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, "integration"))
    from nwdaemon import main
    main(sys.modules[__name__])
