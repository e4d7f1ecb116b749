#!/usr/bin/python3
"""What people see: once's progress line and status's table on a terminal
(a pseudo-terminal, Python's pty module), the backoff line in the log,
and the names derived from feed URLs.  Run from the repository root:
python3 tests/integration/test_progress.py
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_e2e import BINARY, Env  # noqa: E402
from nwdaemon import Daemon, main, wait_for  # noqa: E402


def on_pty(args, columns=100, timeout=60):
    """(exit status, everything written) of args with stdout and stderr on
    a pseudo-terminal of that many columns."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, close_fds=True)
    os.close(slave)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                raise AssertionError(f"{args}: no output for {timeout} s")
            try:
                chunk = os.read(master, 65536)
            except OSError:     # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    return proc.wait(timeout=timeout), out.decode("utf-8", "replace")


PROGRESS = re.compile(r"newswatch: (\d+)/(\d+) feeds, (\d+) items, (\d+) failed, "
                      r"(\S+) elapsed, (\S+) left")


class Progress(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.env.write_feed("a.xml", [(1, 1), (2, 2)])
        self.env.write_feed("b.xml", [(3, 3)])
        self.env.write_config([{"path": "a.xml", "name": "a"},
                               {"path": "b.xml", "name": "b"},
                               {"path": "missing.xml", "name": "broken"}])

    def tearDown(self):
        self.env.close()

    def test_once_on_a_terminal_redraws_a_progress_line(self):
        rc, out = on_pty([BINARY, "once", "-c", self.env.config])
        self.assertEqual(rc, 1, out)     # broken failed
        states = PROGRESS.findall(out)
        self.assertTrue(states, out)
        # Redrawn in place: each drawing starts with \r and erases the rest.
        self.assertIn("\rnewswatch: 0/3 feeds", out)
        # (The terminal itself writes \r\n for \n.)
        self.assertEqual(re.findall(r"\r(?!\n|\x1b\[K|newswatch: )", out),
                         [], out)
        # The last drawing is the whole cycle, kept on its own line.
        self.assertEqual(states[-1][:4], ("3", "3", "3", "1"), out)
        self.assertRegex(out, r"3/3 feeds, 3 items, 1 failed, \S+ elapsed, "
                              r"0s left(\x1b\[K)?\r?\n")
        # The log lines still come, each erasing the progress line and
        # taking a line of its own.
        self.assertRegex(out, r"\r\x1b\[K\S+ info: feed a: HTTP 200[^\r\n]*"
                              r"\r?\nnewswatch: \d+/3 feeds")
        self.assertIn("newswatch: 1 of 3 feeds failed", out)

    def test_once_without_a_terminal_writes_plain_lines(self):
        r = self.env.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("\r", r.stderr)
        self.assertNotIn("\x1b", r.stderr)
        self.assertIsNone(PROGRESS.search(r.stderr), r.stderr)
        self.assertIn("feed a: HTTP 200", r.stderr)


class Status(unittest.TestCase):
    LONG = "a-feed-whose-name-goes-on-and-on-longer-than-columns-allow"

    def setUp(self):
        self.env = Env()
        self.env.write_feed("a.xml", [(1, 1), (2, 2)])
        self.env.write_feed("b.xml", [(3, 3)])
        self.env.write_config([{"path": "a.xml", "name": self.LONG},
                               {"path": "b.xml", "name": "b"},
                               {"path": "missing.xml", "name": "broken"},
                               {"path": "never.xml", "name": "new",
                                "enabled": "false"}])
        r = self.env.once()
        self.assertEqual(r.returncode, 1, r.stderr)

    def tearDown(self):
        self.env.close()

    def test_on_a_terminal_aligned_failing_first_relative(self):
        columns = 110
        rc, out = on_pty([BINARY, "status", "-c", self.env.config],
                         columns=columns)
        self.assertEqual(rc, 0, out)
        lines = out.replace("\r\n", "\n").rstrip("\n").split("\n")
        head, rows = lines[0], lines[1:]
        # Failing first, then the config's order.
        self.assertEqual([r.split()[0][:6] for r in rows],
                         ["broken", "a-feed", "b", "new"], out)
        # As wide as the terminal at most, however long a name.
        for line in lines:
            self.assertLess(len(line), columns, out)
        # Each column starts where its heading does, in every row.
        starts = [m.start() for m in re.finditer(r"(?<=  )\S", head)]
        self.assertGreaterEqual(len(starts), 6, head)
        for row in rows:
            for col in starts:
                self.assertEqual(row[col - 2:col], "  ", (col, row, out))
        self.assertTrue(any(r.startswith("a-feed-whose") and "~" in r
                            for r in rows), out)
        # Times relative to now; the error in place of the URL.
        broken = rows[0]
        self.assertRegex(broken, r"(just now|\d+ s ago)")
        self.assertRegex(broken, r"in \d+ (min|h)")
        self.assertIn("HTTP 404", broken)

    def test_not_on_a_terminal_keeps_the_columns_scripts_read(self):
        r = self.env.run("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^NAME +LAST POLL +HTTP +SEEN +NEXT POLL "
                                   r"+INTERVAL \(WHY\) +ERRS +LAST SUCCESS +URL$")
        # The config's order, absolute times, the long name whole.
        self.assertEqual([line.split()[0] for line in lines[1:]],
                         [self.LONG, "b", "broken", "new"])
        self.assertRegex(lines[1], r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")



def seconds(span):
    """"7m48s" -> 468."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([dhms])", span))


class Backoff(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.env.write_feed("a.xml", [(1, 1)])
        self.env.write_config([{"path": "a.xml", "name": "a"},
                               {"path": "missing.xml", "name": "broken"}])
        self.daemon = Daemon(self.env)

    def tearDown(self):
        self.daemon.close()
        self.env.close()

    def test_a_failing_feed_says_when_it_is_tried_next(self):
        line = re.compile(r"feed broken: (\d+) failures? in a row, next try "
                          r"in (\S+)")
        self.daemon.start()
        found = wait_for(lambda: line.search(self.daemon.log()), 30,
                         "the backoff line", self.daemon.log)
        self.assertEqual(found.group(1), "1")
        self.assertEqual(self.daemon.stop(), 0)
        # The wait it names is the one the state keeps.
        r = self.env.run("status", "--json")
        row = {f["name"]: f for f in json.loads(r.stdout)}["broken"]
        self.assertEqual(row["failures"], 1)
        self.assertEqual(row["interval_why"], "backoff")
        self.assertLessEqual(abs(seconds(found.group(2)) - row["interval"]), 5,
                             (found.group(0), row))
        # Not for a feed that works.
        self.assertNotRegex(self.daemon.log(), r"feed a: .*next try")



class DerivedNames(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.env.write_feed("IdeasForDozens.xml", [(1, 1), (2, 2)])
        self.port = self.env.base.rsplit(":", 1)[1]

    def tearDown(self):
        self.env.close()

    def names(self):
        r = self.env.run("status", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return {f["name"]: f for f in json.loads(r.stdout)}

    def test_a_name_from_the_host_and_the_stem(self):
        self.env.write_config([{"path": "IdeasForDozens.xml"}])
        r = self.env.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(list(self.names()), ["127.0.0.1-ideasfordozens"])
        self.assertEqual(len(self.env.items()), 2)

    def test_a_state_keeps_its_items_when_the_derived_name_changes(self):
        # The state as the former derivation left it: host, port and
        # the file name whole.
        old = f"127.0.0.1-{self.port}-ideasfordozens.xml"
        self.env.write_config([{"path": "IdeasForDozens.xml", "name": old}])
        self.assertEqual(self.env.once().returncode, 0)
        self.assertEqual(len(self.env.items()), 2)
        # The same feed, its name now derived anew: matched by its URL.
        self.env.write_config([{"path": "IdeasForDozens.xml"}])
        self.env.write_feed("IdeasForDozens.xml", [(1, 1), (2, 2), (3, 3)])
        r = self.env.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"feed 127.0.0.1-ideasfordozens: renamed from {old}",
                      r.stderr)
        # Only the new entry is an item; the state has one feed, with
        # every entry seen under the new name.
        self.assertEqual(len(self.env.items()), 3, r.stderr)
        names = self.names()
        self.assertEqual(list(names), ["127.0.0.1-ideasfordozens"])
        self.assertEqual(names["127.0.0.1-ideasfordozens"]["entries_seen"], 3)


if __name__ == "__main__":
    main(sys.modules[__name__])
