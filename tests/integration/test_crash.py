#!/usr/bin/python3
"""The delivery promise under stress: SIGKILL at random moments, a spool
that refuses writes, a state file that is not ours.  Each runs the real
binary against tests/httpd.py on 127.0.0.1 and reads the spool and the
state back as a consumer would.  Run from the repository root:
python3 tests/integration/test_crash.py
"""
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import (BINARY, SANITIZED, STATUS_SEEN, Daemon,  # noqa: E402
                      item_name, main, spool_items, state_entries, wait_for)
from test_e2e import Env  # noqa: E402
from test_revisions import BODY, MOST_READ, feed_xml, page  # noqa: E402

NFEEDS = 30
NENTRIES = 20
KILLS = 24


def feeds_sum(state, column):
    """What the feeds of the state count in column, all together."""
    db = sqlite3.connect(state)
    try:
        return db.execute(f"SELECT sum({column}) FROM feeds").fetchone()[0]
    finally:
        db.close()


class CrashSafety(unittest.TestCase):
    """Kill the daemon while it writes items and commits the state, again
    and again, with new entries appearing in between; nothing may be lost,
    doubled or left half-written."""

    def setUp(self):
        self.env = Env()
        # Killed mid-transfer, the daemon resets connections by the dozen:
        # expected here, and each would print a traceback.
        self.env.server.server.handle_error = lambda request, client: None
        self.daemon = None
        self.entries = {}      # feed name -> [story numbers served]

    def tearDown(self):
        if self.daemon:
            self.daemon.close()
        self.env.close()

    def publish(self, name):
        self.env.write_feed(f"{name}.xml", [(n, 1 + n % 28) for n in self.entries[name]],
                            title=name)

    def served(self):
        return {(name, f"urn:story:{n}") for name, ns in self.entries.items() for n in ns}

    def check_spool(self):
        """The promise at any instant the daemon is not running.  Returns
        (pending entries, tmp/ leftovers, items written but not yet seen)
        to show where the kill landed."""
        e = self.env
        state = state_entries(e.state)
        items = spool_items(e.spool)
        by_entry = {}
        for name, item in items.items():
            key = (item["feed"]["name"], item["entry"]["id"])
            by_entry.setdefault(key, []).append(name)
            # Written only after discovery was committed, under the name
            # that discovery chose.
            self.assertIn(key, state, f"new/{name} for an entry the state never recorded")
            self.assertEqual(name, item_name(state[key][1], *key))
        for key, files in by_entry.items():
            self.assertEqual(len(files), 1, f"{key} has several files: {files}")
        pending = 0
        for key, (status, _) in state.items():
            if status == STATUS_SEEN:
                self.assertIn(key, by_entry, f"{key} is marked seen but has no file")
            else:
                pending += 1
        unseen_written = sum(1 for k in by_entry if state[k][0] != STATUS_SEEN)
        return pending, len(e.tmp_files()), unseen_written

    def tmp_inodes(self):
        d = os.path.join(self.env.spool, "tmp")
        return {os.stat(os.path.join(d, n)).st_ino for n in os.listdir(d)} \
            if os.path.isdir(d) else set()

    def test_sigkill_at_random_moments_loses_nothing(self):
        e = self.env
        seed = int(os.environ.get("NEWSWATCH_CRASH_SEED", time.time_ns() % 100000))
        rng = random.Random(seed)
        names = [f"f{i:02d}" for i in range(NFEEDS)]
        for i, name in enumerate(names):
            self.entries[name] = [i * 1000 + k for k in range(NENTRIES)]
            self.publish(name)
        e.write_config([{"path": f"{n}.xml", "name": n, "interval": "1s"} for n in names],
                       per_host_connections=8)
        self.daemon = Daemon(e)
        landed = {"pending": 0, "tmp": 0, "written_unseen": 0}
        leftovers = set()
        # A restarted daemon polls every feed within 0.1 s and writes the
        # new items for a few hundred ms after: kills land in that window
        # (wider for the sanitizer's slowdown), now and then in idle time.
        span = 1.5 if SANITIZED else 0.5
        for kill in range(KILLS):
            self.daemon.start()
            # spool_open ran before READY=1: the previous kill's half-written
            # files must be gone (a new file may reuse a name, not an inode).
            self.assertFalse(leftovers & self.tmp_inodes(), "tmp/ leftovers survived a start")
            time.sleep(rng.uniform(0.0, span))
            self.daemon.kill()
            pending, tmp, unseen = self.check_spool()
            landed["pending"] += pending > 0
            landed["tmp"] += tmp > 0
            landed["written_unseen"] += unseen > 0
            leftovers = self.tmp_inodes()
            # New entries appear between kills.
            for name in rng.sample(names, 10):
                last = self.entries[name][-1]
                self.entries[name] += [last + k for k in range(1, rng.randint(5, 15))]
                self.publish(name)

        # Let it settle: everything served ends up seen, once.
        self.daemon.start()
        want = self.served()
        wait_for(lambda: {k for k, (s, _) in state_entries(e.state).items()
                          if s == STATUS_SEEN} >= want,
                 120, "every served entry to be seen", self.daemon.log)
        self.assertEqual(self.daemon.stop(), 0, self.daemon.log()[-3000:])
        self.check_spool()
        state = state_entries(e.state)
        items = spool_items(e.spool)
        got = {(i["feed"]["name"], i["entry"]["id"]) for i in items.values()}
        lost = want - got
        self.assertEqual(lost, set())
        self.assertEqual(len(items), len(want), "a file for something never served")
        self.assertEqual(set(state), want)
        self.assertTrue(all("article" in i for i in items.values()))
        self.assertEqual(e.tmp_files(), [])
        print(f"\ncrash: seed {seed}: survived {KILLS} SIGKILLs, {len(want)} entries"
              f" served, {len(items)} items, {len(lost)} lost; kills that left"
              f" pending entries {landed['pending']}, tmp/ leftovers {landed['tmp']},"
              f" items written but not yet marked seen {landed['written_unseen']}",
              file=sys.stderr)


class RevisionCrashSafety(unittest.TestCase):
    """Kill the daemon while it delivers revisions (entries it delivered
    whose story then changed), again and again: each version reaches the
    spool once, numbered in order, none lost and none doubled."""

    def setUp(self):
        self.env = Env()
        self.env.server.server.handle_error = lambda request, client: None
        self.daemon = None
        self.version = {}      # (feed name, story number) -> version served

    def tearDown(self):
        if self.daemon:
            self.daemon.close()
        self.env.close()

    # What the feed shows of story n at version v: here, each change.
    FEED_TITLE = "Story {n} version {v}"

    def publish(self, name):
        e = self.env
        stories = sorted(n for f, n in self.version if f == name)
        e.write_site(f"{name}.xml", feed_xml(e.base, [
            (n, self.FEED_TITLE.format(n=n, v=self.version[name, n]), f"Summary {n}")
            for n in stories]))
        for n in stories:
            v = self.version[name, n]
            e.write_site(f"articles/{n}.html", page(
                f"Headline {n} version {v}", BODY + [f"Update number {v} of story {n}."],
                MOST_READ[0]))

    def versions(self):
        """{(feed, entry id): {revision number: (item name, title)}}, with
        each item's invariants checked: one file per version, and each
        revision's previous version delivered before it."""
        out = {}
        items = spool_items(self.env.spool)
        for name, item in items.items():
            key = (item["feed"]["name"], item["entry"]["id"])
            num = item.get("revision", {}).get("number", 1)
            got = out.setdefault(key, {})
            self.assertNotIn(num, got, f"{key} version {num} twice: {got}, {name}")
            got[num] = (name, item["article"]["title"])
        for key, got in out.items():
            for num in got:
                if num > 1:
                    prev = items[got[num][0]]["revision"]["previous"]
                    self.assertEqual(prev, got[num - 1][0], (key, got))
                    self.assertNotEqual(got[num][1], got[num - 1][1], (key, got))
        return out

    def test_sigkill_during_revision_delivery_loses_and_doubles_nothing(self):
        self.kill_while_delivering("revision crash", [f"r{i:02d}" for i in range(10)],
                                   8, (5, 3), {})

    def before_start(self):
        """What changes, besides the stories, while the daemon is down."""

    def kill_while_delivering(self, label, names, stories, changes, feed_keys, **globals_):
        """SIGKILL the daemon at random while it delivers revisions: each
        start, changes[0] feeds have changes[1] stories changed.  Returns
        the revisions delivered."""
        e = self.env
        seed = int(os.environ.get("NEWSWATCH_CRASH_SEED", time.time_ns() % 100000))
        rng = random.Random(seed)
        for i, name in enumerate(names):
            for k in range(stories):
                self.version[name, i * 100 + k] = 1
            self.publish(name)
        e.write_config([dict({"path": f"{n}.xml", "name": n, "interval": "1s"}, **feed_keys)
                        for n in names], per_host_connections=8, **globals_)
        self.daemon = Daemon(e)
        self.daemon.start()
        wait_for(lambda: len(state_entries(e.state)) == len(self.version) and all(
            s == STATUS_SEEN for s, _ in state_entries(e.state).values()),
            120, "every first version seen", self.daemon.log)
        self.daemon.kill()
        # Revisions are found at the first poll after a start and
        # delivered within a few hundred ms: kills land there.
        span = 1.0 if SANITIZED else 0.25
        landed = 0
        for kill in range(KILLS // 2):
            # Stories change between kills: each a revision to deliver.
            for name in rng.sample(names, changes[0]):
                for key in rng.sample([k for k in self.version if k[0] == name],
                                      changes[1]):
                    self.version[key] += 1
                self.publish(name)
            self.before_start()
            self.daemon.start()
            time.sleep(rng.uniform(0.0, span))
            self.daemon.kill()
            self.versions()
            landed += self.pending_revisions() > 0

        def current():
            got = self.versions()
            return all(max(got.get((f, f"urn:town:{n}"), {0: None})) >= 1 and
                       got[f, f"urn:town:{n}"][max(got[f, f"urn:town:{n}"])][1] ==
                       f"Headline {n} version {v}" for (f, n), v in self.version.items())
        self.before_start()
        self.daemon.start()
        wait_for(current, 120, "every story's last version delivered", self.daemon.log)
        # A stop leaves what is in flight pending for the next start: the
        # feeds whose stories did not change may not even have been polled
        # when the last changed story arrives.
        wait_for(self.settled, 120, "nothing left to check or deliver",
                 self.daemon.log)
        self.assertEqual(self.daemon.stop(), 0, self.daemon.log()[-3000:])
        got = self.versions()
        revisions = sum(len(v) - 1 for v in got.values())
        self.assertEqual(feeds_sum(e.state, "revisions"), revisions)
        self.assertEqual(self.pending_revisions(), 0)
        self.assertEqual(e.tmp_files(), [])
        print(f"\n{label}: seed {seed}: {KILLS // 2} SIGKILLs, {revisions}"
              f" revisions delivered, each once; kills that left revisions pending"
              f" {landed}", file=sys.stderr)
        return revisions

    def settled(self):
        return self.pending_revisions() == 0

    def pending_revisions(self):
        db = sqlite3.connect(self.env.state, timeout=10)
        try:
            return db.execute("SELECT count(*) FROM entries"
                              " WHERE revision_pending_us IS NOT NULL").fetchone()[0]
        finally:
            db.close()


class PageRevisionCrashSafety(RevisionCrashSafety):
    """The same with revisions: pages: the feeds show no change, the
    revisions are found by reading the pages again on their schedule.
    Between kills the checks are made due in the state, as time would, so
    that each start reads every page again."""

    FEED_TITLE = "Story {n}"
    # The feed revisions' test is the base class's own, not run again here.
    test_sigkill_during_revision_delivery_loses_and_doubles_nothing = None

    def before_start(self):
        db = sqlite3.connect(self.env.state, timeout=10)
        try:
            with db:
                db.execute("UPDATE versions SET next_check_us = 1")
        finally:
            db.close()

    def settled(self):
        """Every check made due has been made, and nothing is pending."""
        db = sqlite3.connect(self.env.state, timeout=10)
        try:
            due = db.execute("SELECT count(*) FROM versions"
                             " WHERE next_check_us = 1").fetchone()[0]
        finally:
            db.close()
        return due == 0 and super().settled()

    def test_sigkill_during_page_revision_delivery_loses_and_doubles_nothing(self):
        revisions = self.kill_while_delivering(
            "page revision crash", [f"p{i:02d}" for i in range(6)], 5, (3, 2),
            {"revisions": "pages", "revision_checks": "[1h]"}, revision_budget=1000)
        self.assertGreater(revisions, 0)
        # Found behind unchanged feeds, not from them.
        self.assertIn(304, {r["status"] for r in self.env.server.requests
                            if r["path"].endswith(".xml")})


class DuplicateCrashSafety(unittest.TestCase):
    """Kill the daemon while feeds that list the same stories deliver
    them, again and again: each story has exactly one first item, every
    other item of it names that first, and each is counted once."""

    WORDS = ("harbour council bridge budget vote mayor river school road tax "
             "rail station energy price water park museum hospital port "
             "court judge ferry market library tunnel storm flood farm "
             "wind solar grid police fire union strike wage rent housing "
             "clinic doctor teacher student exam theatre festival airport "
             "runway airline museum statue square tram bus cycle lane").split()

    def setUp(self):
        self.env = Env()
        self.env.server.server.handle_error = lambda request, client: None
        self.daemon = None
        self.listed = {}       # feed name -> [story numbers]

    def tearDown(self):
        if self.daemon:
            self.daemon.close()
        self.env.close()

    def story_page(self, n):
        """A page of its own words: no two stories are near-duplicates."""
        rng = random.Random(n)
        paras = "".join("<p>%s.</p>" % " ".join(rng.choice(self.WORDS) for _ in range(40))
                        for _ in range(4))
        return (f'<!DOCTYPE html><html lang="en"><head><title>Story {n}</title>'
                f'<link rel="canonical" href="{self.env.base}/stories/{n}.html"></head>'
                f"<body><article><h1>Story {n}</h1>{paras}</article></body></html>")

    def publish(self, name):
        e = self.env
        out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>',
               f"<title>{name}</title><link>{e.base}/</link>"]
        for n in self.listed[name]:
            out.append(f"<item><title>Story {n}</title>"
                       f"<link>{e.base}/stories/{n}.html?utm_source={name}</link>"
                       f"<guid>urn:{name}:{n}</guid></item>")
        out.append("</channel></rss>")
        for n in self.listed[name]:
            if not os.path.exists(os.path.join(e.site, "stories", f"{n}.html")):
                e.write_site(f"stories/{n}.html", self.story_page(n))
        e.write_site(f"{name}.xml", "\n".join(out))

    def test_sigkill_during_duplicate_delivery_loses_and_doubles_nothing(self):
        e = self.env
        seed = int(os.environ.get("NEWSWATCH_CRASH_SEED", time.time_ns() % 100000))
        rng = random.Random(seed)
        names = [f"d{i}" for i in range(6)]
        stories = list(range(12))
        for name in names:
            self.listed[name] = rng.sample(stories, 8)
            self.publish(name)
        e.write_config([{"path": f"{n}.xml", "name": n, "interval": "1s"} for n in names],
                       per_host_connections=8)
        self.daemon = Daemon(e)
        span = 1.5 if SANITIZED else 0.5
        for kill in range(KILLS // 2):
            self.daemon.start()
            time.sleep(rng.uniform(0.0, span))
            self.daemon.kill()
            # New stories, each listed by several feeds at once.
            fresh = list(range(len(stories), len(stories) + 3))
            stories += fresh
            for name in rng.sample(names, 4):
                self.listed[name] += fresh
                self.publish(name)
        self.daemon.start()
        want = {(f, f"urn:{f}:{n}") for f, ns in self.listed.items() for n in ns}
        wait_for(lambda: {k for k, (s, _) in state_entries(e.state).items()
                          if s == STATUS_SEEN} >= want,
                 120, "every listed entry to be seen", self.daemon.log)
        self.assertEqual(self.daemon.stop(), 0, self.daemon.log()[-3000:])
        items = spool_items(e.spool)
        got = [(i["feed"]["name"], i["entry"]["id"]) for i in items.values()]
        self.assertEqual(sorted(got), sorted(want), "an entry lost or doubled")
        by_story = {}
        for name, item in items.items():
            n = int(item["entry"]["id"].rsplit(":", 1)[1])
            by_story.setdefault(n, []).append((name, item.get("duplicate_of")))
        for n, copies in by_story.items():
            firsts = [name for name, dup in copies if dup is None]
            self.assertEqual(len(firsts), 1, (n, copies))
            self.assertTrue(all(dup in (None, firsts[0]) for _, dup in copies), (n, copies))
        marked = sum(1 for i in items.values() if "duplicate_of" in i)
        self.assertEqual(feeds_sum(e.state, "duplicates"), marked)
        self.assertEqual(marked, len(items) - len(by_story))
        self.assertEqual(e.tmp_files(), [])
        print(f"\nduplicate crash: seed {seed}: {KILLS // 2} SIGKILLs, {len(by_story)}"
              f" stories, {len(items)} items, {marked} marked duplicates, each once",
              file=sys.stderr)


# Mount a small tmpfs on the spool ($1), fill it, then exec the daemon.
TMPFS_SCRIPT = ('mount -t tmpfs -o size=256k nwspool "$1" && mkdir "$1/tmp" "$1/new"'
                ' && { dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null; shift; exec "$@"; }')
TMPFS_OK = shutil.which("unshare") is not None and subprocess.run(
    ["unshare", "-rm", "sh", "-c", "mount -t tmpfs none /mnt"],
    capture_output=True).returncode == 0


class SpoolFaults(unittest.TestCase):
    """A spool that cannot be written: nothing is marked seen, the error is
    logged, and the items come once the disk takes writes again."""

    def setUp(self):
        self.env = Env()
        self.env.write_feed("wire.xml", [(1, 2), (2, 3), (3, 4)])

    def tearDown(self):
        self.env.close()

    def once(self, fault=None):
        environ = dict(os.environ)
        if fault:
            environ["NEWSWATCH_FAULT_SPOOL"] = fault
        return subprocess.run([BINARY, "once", "-c", self.env.config], env=environ,
                              capture_output=True, text=True, timeout=60)

    def seen(self):
        return {k for k, (s, _) in state_entries(self.env.state).items() if s == STATUS_SEEN}

    def test_read_only_spool_marks_nothing_seen(self):
        e = self.env
        e.write_config([{"path": "wire.xml", "name": "wire"}], article="false")
        r = self.once("EROFS:1000")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Read-only file system", r.stderr)
        self.assertIn("1 of 1 feeds failed", r.stderr)
        self.assertEqual(self.seen(), set())
        self.assertEqual(len(state_entries(e.state)), 3)   # pending, for the retry
        self.assertEqual(spool_items(e.spool), {})
        self.assertEqual(e.tmp_files(), [])
        # Writable again: the same feed, unchanged on the server, is fetched
        # in full (no 304 hiding the undelivered entries) and delivered.
        r = self.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.seen()), 3)
        self.assertEqual(len(spool_items(e.spool)), 3)

    def test_pending_entry_that_left_the_feed_is_still_delivered(self):
        """Busy feeds turn over in minutes: entries left pending by a poll
        whose items could not be written, then gone from the document
        before the next poll, are delivered from what the state kept, with
        their pages, once each, under the names chosen at discovery."""
        e = self.env
        e.write_config([{"path": "wire.xml", "name": "wire"}])
        r = self.once("EROFS:1000")
        self.assertEqual(r.returncode, 1, r.stderr)
        pending = state_entries(e.state)
        self.assertEqual(sorted(k[1] for k, (s, _) in pending.items() if s != STATUS_SEEN),
                         ["urn:story:1", "urn:story:2", "urn:story:3"])
        self.assertEqual(spool_items(e.spool), {})
        # 1 and 2 leave the feed; 4 comes.
        e.write_feed("wire.xml", [(4, 5), (3, 4)])
        r = self.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        items = spool_items(e.spool)
        by_id = {i["entry"]["id"]: (name, i) for name, i in items.items()}
        self.assertEqual(sorted(by_id), ["urn:story:1", "urn:story:2", "urn:story:3",
                                         "urn:story:4"])
        self.assertIn("feed wire: 2 pending entries no longer in the feed", r.stderr)
        for n in (1, 2, 3):
            key = ("wire", f"urn:story:{n}")
            name, item = by_id[key[1]]
            us = pending[key][1]
            self.assertEqual(name, item_name(us, *key))
            self.assertEqual(item["discovered_at"],
                             time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(us // 1000000)))
            self.assertEqual(item["entry"]["title"], f"Story {n}")
            self.assertEqual(item["entry"]["published"], f"2026-11-{n + 1:02d}T10:00:00Z")
            self.assertEqual(item["entry"]["summary"], f"Summary of story {n}")
            self.assertNotIn("error", item["article"])
            self.assertTrue(item["article"]["url"].endswith(f"/articles/{n}.html"))
        state = state_entries(e.state)
        self.assertEqual({s for s, _ in state.values()}, {STATUS_SEEN})
        # Seen, they keep nothing more, and are not delivered again.
        db = sqlite3.connect(e.state)
        kept = db.execute("SELECT count(*) FROM entries WHERE pending_entry IS NOT NULL")
        self.assertEqual(kept.fetchone()[0], 0)
        db.close()
        e.write_feed("wire.xml", [(5, 6), (4, 5)])
        r = self.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(spool_items(e.spool)), 5)

    def test_disk_full_daemon_retries_and_recovers(self):
        e = self.env
        e.write_config([{"path": "wire.xml", "name": "wire", "interval": "1s"}],
                       article="false")
        d = Daemon(e, {"NEWSWATCH_FAULT_SPOOL": "ENOSPC:5"})
        try:
            d.start()
            wait_for(lambda: len(self.seen()) == 3, 30, "all three items", d.log)
            self.assertEqual(d.stop(), 0)
        finally:
            d.close()
        log = d.log()
        self.assertEqual(log.count("No space left on device"), 5, log)
        # Two polls failed, the third delivered the rest.
        self.assertIn("2 failed; 3 items", log)
        items = spool_items(e.spool)
        self.assertEqual(sorted(i["entry"]["id"] for i in items.values()),
                         ["urn:story:1", "urn:story:2", "urn:story:3"])
        self.assertEqual(e.tmp_files(), [])

    @unittest.skipUnless(TMPFS_OK, "no mount namespace here: unshare -rm cannot mount a tmpfs")
    def test_really_full_tmpfs_recovers_when_space_returns(self):
        """The spool on a real, full 256 KiB tmpfs in a private mount
        namespace; a filler file is removed through /proc/PID/root once
        the writes have failed."""
        e = self.env
        e.write_config([{"path": "wire.xml", "name": "wire", "interval": "1s"}],
                       article="false")
        os.makedirs(e.spool)
        d = Daemon(e, wrap=["unshare", "-rm", "sh", "-c", TMPFS_SCRIPT, "sh", e.spool])
        try:
            d.start()
            wait_for(lambda: "No space left on device" in d.log(), 20, "ENOSPC", d.log)
            self.assertEqual(self.seen(), set())
            inside = f"/proc/{d.proc.pid}/root{e.spool}"
            os.remove(os.path.join(inside, "filler"))
            wait_for(lambda: len(self.seen()) == 3, 30, "all three items", d.log)
            items = spool_items(inside)
            self.assertEqual(sorted(i["entry"]["id"] for i in items.values()),
                             ["urn:story:1", "urn:story:2", "urn:story:3"])
            self.assertEqual(os.listdir(os.path.join(inside, "tmp")), [])
            self.assertEqual(d.stop(), 0)
        finally:
            d.close()


class ForeignState(unittest.TestCase):
    """A state file that is not ours, or is damaged, stops the start with
    a reason naming it, and is left exactly as it was."""

    def setUp(self):
        self.env = Env()
        self.env.write_feed("wire.xml", [(1, 2)])
        self.env.write_config([{"path": "wire.xml"}], article="false")

    def tearDown(self):
        self.env.close()

    def digest(self):
        with open(self.env.state, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def refused(self, reason):
        before = self.digest()
        for cmd in ("once", "run"):
            r = self.env.run(cmd, timeout=30)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(self.env.state, r.stderr)
            self.assertIn(reason, r.stderr)
        self.assertEqual(self.digest(), before)
        self.assertEqual(spool_items(self.env.spool), {})

    def test_random_bytes(self):
        with open(self.env.state, "wb") as f:
            f.write(random.Random(7).randbytes(64 * 1024))
        self.refused("file is not a database")

    def test_foreign_sqlite_database(self):
        db = sqlite3.connect(self.env.state)
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.execute("INSERT INTO invoices (total) VALUES (12.5)")
        db.commit()
        db.close()
        self.refused("is not a newswatch state file")

    def test_newer_schema_version(self):
        r = self.env.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        db = sqlite3.connect(self.env.state)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
        os.rename(os.path.join(self.env.spool, "new"), os.path.join(self.env.dir, "taken"))
        self.refused("schema version 99 is newer")
        self.assertEqual(len(state_entries(self.env.state)), 1)


if __name__ == "__main__":
    main(sys.modules[__name__])
