#!/usr/bin/python3
"""newswatch as a system service: feeds.yaml edited while the daemon runs
(by rename, in place, in pieces, badly), and the sd_notify conversation
with systemd (READY, RELOADING, STATUS, WATCHDOG) seen on a test
NOTIFY_SOCKET.  The real binary against tests/httpd.py on 127.0.0.1.
Run from the repository root:  python3 tests/integration/test_service.py
"""
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import BINARY, Daemon, main, wait_for  # noqa: E402
from test_e2e import Env  # noqa: E402


class Service(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.daemon = None
        self.messages = []

    def tearDown(self):
        if self.daemon:
            self.daemon.close()
        self.env.close()

    def start(self, **extra_env):
        self.daemon = Daemon(self.env, extra_env=extra_env)
        self.daemon.start(wait_ready=False)
        self.notified(lambda m: m == "READY=1")

    def notified(self, match, timeout=30):
        """Read sd_notify datagrams until one line satisfies match;
        returns that line.  Every line read stays in self.messages."""
        deadline = time.monotonic() + timeout
        sock = self.daemon.sock
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                msg = sock.recv(4096).decode()
            except socket.timeout:
                break
            for line in msg.split("\n"):
                self.messages.append(line)
                if match(line):
                    return line
        self.fail(f"no such notification among {self.messages[-20:]}; log:\n"
                  + self.daemon.log()[-3000:])

    def config_text(self, feeds, **globals_):
        """What Env.write_config writes, as text."""
        self.env.write_config(feeds, **globals_)
        with open(self.env.config, encoding="utf-8") as f:
            return f.read()

    def replace_config(self, feeds, **globals_):
        """Save the way sed -i and most editors do: a new file renamed over."""
        self.replace_config_text(self.config_text(feeds, **globals_))

    def items_of(self, feed):
        return sorted(i["entry"]["id"] for _, i in self.env.items()
                      if i["feed"]["name"] == feed)

    def wait_items_of(self, feed, count):
        return wait_for(lambda: len(self.items_of(feed)) >= count, 30,
                        f"{count} items of {feed}", self.daemon.log)

    def wait_log(self, text, count=1):
        wait_for(lambda: self.daemon.log().count(text) >= count, 30,
                 repr(text), self.daemon.log)

    def running_with_a(self, **feeds):
        """The daemon polling feed a (story 1) only; feeds (name: story)
        served too, for the test to add."""
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        for name, story in feeds.items():
            e.write_feed(f"{name}.xml", [(story, story + 1)])
        e.write_config([{"path": "a.xml", "name": "a"}])
        self.start()
        self.wait_items_of("a", 1)
        return e

    def test_file_change_adds_removes_and_readds_without_reemitting(self):
        e = self.running_with_a(b=2)
        # Added by a save that renames a new file over the old one.
        self.replace_config([{"path": "a.xml", "name": "a"},
                             {"path": "b.xml", "name": "b"}])
        self.wait_items_of("b", 1)
        self.wait_log("(file changed): 2 feeds")
        self.assertIn("RELOADING=1", self.messages + [self.notified(
            lambda m: m.startswith("STATUS=") and "2 feeds" in m)])
        # Removed by writing the file in place: b stops, its state stays.
        e.write_config([{"path": "a.xml", "name": "a"}])
        self.wait_log("feed b: removed")
        self.wait_log("(file changed): 1 feeds")
        # While it is out of the config b gains an entry; back in (with a
        # short interval, so it is due now), only that one is new.
        e.write_feed("b.xml", [(2, 3), (3, 4)])
        self.replace_config([{"path": "a.xml", "name": "a"},
                             {"path": "b.xml", "name": "b", "interval": "1s"}])
        self.wait_items_of("b", 2)
        self.wait_log("feed b: HTTP 200", count=2)
        self.assertEqual(self.items_of("b"), ["urn:story:2", "urn:story:3"])
        self.assertEqual(self.items_of("a"), ["urn:story:1"])
        self.assertEqual(self.daemon.stop(), 0)

    def test_vim_style_save_and_a_write_in_pieces_reload_once(self):
        e = self.running_with_a(b=2, c=4)
        # vim without backupcopy: the file renamed away, a new one
        # written under the name, the backup deleted.
        text = self.config_text([{"path": "a.xml", "name": "a"},
                                 {"path": "b.xml", "name": "b"}])
        os.rename(e.config, e.config + "~")
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text)
        os.unlink(e.config + "~")
        self.wait_items_of("b", 1)
        # A slow writer: half a file (not valid YAML on its own), a pause
        # well inside the settle time, the rest.  One reload, no failure.
        text = self.config_text([{"path": "a.xml", "name": "a"},
                                 {"path": "b.xml", "name": "b"},
                                 {"path": "c.xml", "name": "c"}])
        cut = text.index("name: c") + 3
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text[:cut])
            f.flush()
            time.sleep(0.1)
            f.write(text[cut:])
        self.wait_items_of("c", 1)
        log = self.daemon.log()
        self.assertNotIn("reload (file changed) failed", log)
        self.assertEqual(log.count("(file changed): 3 feeds"), 1, log)

    def test_invalid_config_keeps_the_old_one_until_fixed(self):
        e = self.running_with_a(b=2)
        text = self.config_text([{"path": "a.xml", "name": "a"},
                                 {"path": "b.xml", "name": "b", "intervl": "5m"}])
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(text)
        line = self.notified(lambda m: m.startswith("STATUS=reload failed"))
        self.assertRegex(line, rf"{e.config}:\d+:\d+: unknown key 'intervl'")
        self.assertRegex(self.daemon.log(),
                         rf"{e.config}:\d+:\d+: unknown key 'intervl' \(did you mean 'interval'\?\)")
        self.assertTrue(self.daemon.alive())
        # Still the old config; the failure stays in STATUS= until fixed.
        self.daemon.proc.send_signal(signal.SIGHUP)
        self.notified(lambda m: m.startswith("STATUS=reload failed") and "1 feeds" in m)
        self.assertEqual(self.items_of("b"), [])
        self.replace_config([{"path": "a.xml", "name": "a"},
                             {"path": "b.xml", "name": "b"}])
        self.notified(lambda m: m.startswith("STATUS=2 feeds"))
        self.wait_items_of("b", 1)

    def test_changed_url_is_polled_and_a_transfer_in_flight_finishes(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_feed("a2.xml", [(5, 6)])
        e.write_feed("slow.xml", [(7, 8)])
        e.write_site("slow.xml.meta.json", '{"delay": 3}')
        feeds = [{"path": "a.xml", "name": "a"}, {"path": "slow.xml", "name": "slow"}]
        e.write_config(feeds)
        self.start()
        self.wait_items_of("a", 1)
        wait_for(lambda: any(r["path"] == "/slow.xml" for r in e.server.requests),
                 30, "the slow feed's request")
        feeds[0]["path"] = "a2.xml"
        self.replace_config(feeds)
        self.wait_log("feed a: changed")
        self.wait_items_of("a", 2)
        self.wait_items_of("slow", 1)
        self.assertEqual(sum(r["path"] == "/slow.xml" for r in e.server.requests), 1)
        self.assertNotIn("feed slow: removed", self.daemon.log())

    def test_naming_a_feed_keeps_its_state(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_config([{"path": "a.xml"}])
        self.start()
        wait_for(lambda: len(e.items()) == 1, 30, "the first item", self.daemon.log)
        # Matched by URL: the same feed under a name, not a new one.
        e.write_feed("a.xml", [(1, 2), (2, 3)])
        self.replace_config([{"path": "a.xml", "name": "alpha", "interval": "1s"}])
        self.wait_log("feed alpha: renamed from ")
        self.wait_items_of("alpha", 1)
        self.assertEqual(self.items_of("alpha"), ["urn:story:2"])
        self.assertEqual(len(e.items()), 2)

    def test_watch_config_false_reloads_on_sighup_only(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_feed("b.xml", [(2, 3)])
        a = {"path": "a.xml", "name": "a", "interval": "2s"}
        e.write_config([a], watch_config="false", min_interval="1s")
        self.start()

        def polls_of_a():
            return sum(1 for r in e.server.requests if r["path"] == "/a.xml")
        seen = polls_of_a()
        self.replace_config([a, {"path": "b.xml", "name": "b"}],
                            watch_config="false", min_interval="1s")
        # A reload would be logged 1 s (the settle time) after the change;
        # a polls every 2 s, so its second request from now comes later,
        # from the same loop.
        wait_for(lambda: polls_of_a() >= seen + 2, 30, "two more polls of a",
                 self.daemon.log)
        self.assertNotIn("file changed", self.daemon.log())
        self.daemon.proc.send_signal(signal.SIGHUP)
        self.wait_items_of("b", 1)
        self.assertIn("(SIGHUP): 2 feeds", self.daemon.log())

    def test_log_level_applies_at_reload(self):
        e = self.running_with_a(b=2)
        quiet = self.config_text([{"path": "a.xml", "name": "a"}]).replace(
            "log_level: debug", "log_level: warning")
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(quiet)
        self.notified(lambda m: m == "RELOADING=1")
        self.notified(lambda m: m == "READY=1")
        # From now on info lines are not logged: b's poll says nothing.
        mark = len(self.daemon.log())
        loud = self.config_text([{"path": "a.xml", "name": "a"},
                                 {"path": "b.xml", "name": "b"}]).replace(
            "log_level: debug", "log_level: warning")
        self.replace_config_text(loud)
        self.wait_items_of("b", 1)
        self.assertNotIn("info:", self.daemon.log()[mark:])
        self.replace_config_text(loud.replace("log_level: warning", "log_level: debug"))
        self.wait_log("(file changed): 2 feeds")

    def replace_config_text(self, text):
        tmp = os.path.join(self.env.dir, ".feeds.yaml.new")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.env.config)

    def test_journal_lines_have_priorities_and_no_timestamps(self):
        e = self.env
        e.write_feed("a.xml", [(1, 2)])
        e.write_config([{"path": "a.xml", "name": "a"}, {"path": "missing.xml", "name": "m"}])
        logpath = os.path.join(e.dir, "journal.log")
        with open(logpath, "w") as log:
            st = os.fstat(log.fileno())
            environ = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
            subprocess.run([BINARY, "once", "-c", e.config], stderr=log, env=environ,
                           timeout=60)
        with open(logpath) as f:
            lines = f.read().splitlines()
        self.assertTrue(lines)
        for line in lines[:-2]:     # once's closing summary is for a person
            self.assertRegex(line, r"^<[3-7]>[a-z]")
        self.assertTrue(any(line.startswith("<4>feed m: ") for line in lines), lines)
        self.assertTrue(any(line.startswith("<6>feed a: HTTP 200") for line in lines), lines)
        # A JOURNAL_STREAM inherited with stderr elsewhere does not count.
        r = subprocess.run([BINARY, "once", "-c", e.config], capture_output=True, text=True,
                           env=environ, timeout=60)
        self.assertRegex(r.stderr.splitlines()[0], r"^\d{4}-\d\d-\d\dT")

    def test_watchdog_pings_at_half_the_interval(self):
        e = self.env
        e.write_config([])
        self.start(WATCHDOG_USEC="400000")
        for _ in range(3):
            self.notified(lambda m: m == "WATCHDOG=1")
        self.assertEqual(self.daemon.stop(), 0)
        self.assertIn("STOPPING=1", self.messages + [self.notified(lambda m: m == "STOPPING=1")])

    def test_no_watchdog_pings_without_watchdog_usec(self):
        e = self.env
        e.write_config([])
        self.start()
        os.kill(self.daemon.proc.pid, signal.SIGHUP)
        self.notified(lambda m: m == "READY=1")
        self.assertNotIn("WATCHDOG=1", self.messages)


if __name__ == "__main__":
    main(sys.modules[__name__])
