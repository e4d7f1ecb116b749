#!/usr/bin/python3
"""Several newswatch instances on one PostgreSQL state: the store tests
against PostgreSQL, work shared without double polls, per-host limits
across instances, a killed instance's feeds taken over.  Starts its own
PostgreSQL (tests/integration/pgserver.py) on 127.0.0.1 and the test HTTP
server; skipped, saying why, when the PostgreSQL server is not installed.
Run from the repository root: python3 tests/integration/test_shared.py
"""
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import (BINARY, SANITIZED, Daemon, item_name, main,  # noqa: E402
                      spool_items, wait_for)
from pgserver import PgServer  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from test_e2e import Env  # noqa: E402

PG = PgServer()
SKIP = PG.skip_reason()


def setUpModule():
    if not SKIP:
        PG.start()


def tearDownModule():
    PG.stop()


class Instance:
    """One newswatch with its own spool and config, on the shared state."""

    def __init__(self, cluster, n):
        self.dir = os.path.join(cluster.dir, f"i{n}")
        os.makedirs(self.dir)
        self.spool = os.path.join(self.dir, "spool")
        self.config = os.path.join(self.dir, "feeds.yaml")
        self.daemon = Daemon(self)

    def items(self):
        return spool_items(self.spool)


class Cluster:
    """A site on the test server, a database, N instances, and with
    sink=True a Redis stream they all add their items to."""

    def __init__(self, test, n, sink=False):
        self.redis = RedisServer() if sink else None
        self.env = Env()
        self.env.server.server.handle_error = lambda request, client: None
        self.dir = self.env.dir
        self.db = PG.createdb(re.sub(r"\W", "_", test.id().split(".")[-1].lower())
                              + f"_{os.getpid()}")
        self.instances = [Instance(self, i) for i in range(n)]

    def configure(self, feeds, **globals_):
        for inst in self.instances:
            lines = [f"spool: {inst.spool}", f"state: {self.db}",
                     "allow_private_addresses: true", "log_level: debug",
                     "article: false"]
            if self.redis:
                lines.append(f"sink: {self.redis.url('items')}")
            lines += [f"{k}: {v}" for k, v in globals_.items()]
            lines.append("feeds:")
            for feed in feeds:
                lines.append(f"  - url: {self.env.base}/{feed['path']}")
                lines += [f"    {k}: {v}" for k, v in feed.items() if k != "path"]
            with open(inst.config, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")

    def start(self):
        for inst in self.instances:
            inst.daemon.start()

    def delivered(self):
        """{(feed, entry id): [instance numbers that wrote it]}"""
        out = collections.defaultdict(list)
        for i, inst in enumerate(self.instances):
            for item in inst.items().values():
                out[(item["feed"]["name"], item["entry"]["id"])].append(i)
        return out

    def streamed(self):
        """Counter of (feed, entry id) over the items in the stream."""
        return collections.Counter(
            (item["feed"]["name"], item["entry"]["id"])
            for item in (json.loads(f["item"]) for _, f in self.redis.stream("items")))

    def requests(self, path):
        return [r["time"] for r in self.env.server.requests if r["path"] == path]

    def logs(self):
        return "\n".join(f"--- instance {i}\n{inst.daemon.log()[-1500:]}"
                         for i, inst in enumerate(self.instances))

    def close(self):
        for inst in self.instances:
            inst.daemon.close()
        self.env.close()
        if self.redis:
            self.redis.close()


@unittest.skipIf(SKIP, SKIP)
class Store(unittest.TestCase):
    def test_state_tests_pass_on_postgresql(self):
        """tests/test_state.c, every test that has a PostgreSQL meaning,
        against a database of this server."""
        build = os.path.dirname(BINARY) if "NEWSWATCH" in os.environ else \
            os.path.join(os.path.dirname(BINARY), "build")
        binary = os.path.join(build, "tests", "test_state")
        r = subprocess.run([binary], env=dict(os.environ, NEWSWATCH_TEST_PG=PG.url()),
                           capture_output=True, text=True, timeout=300)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out[-3000:])
        passed = re.search(r"\[  PASSED  \] (\d+) test", out)
        self.assertIsNotNone(passed, out[-3000:])
        # The shared-work tests ran, not only the common ones.
        self.assertRegex(out, r"\[       OK \] test_leases")
        self.assertRegex(out, r"\[       OK \] test_host_slots")
        self.assertRegex(out, r"\[       OK \] test_discover_race")
        self.assertRegex(out, r"\[       OK \] test_host_holds")

    def test_a_hold_outlives_the_process(self):
        """A 429 with Retry-After is kept in the shared state: the next
        once (this instance restarted, or another) asks nothing of the
        host and says until when."""
        e = Env()
        self.addCleanup(e.close)
        db = PG.createdb(f"holds_{os.getpid()}")
        e.write_site("busy.xml.meta.json",
                     json.dumps({"status": 429, "headers": {"Retry-After": "7200"}}))
        e.write_feed("wire.xml", [(1, 2)])
        with open(e.config, "w", encoding="utf-8") as f:
            f.write(f"spool: {e.spool}\nstate: {db}\nallow_private_addresses: true\n"
                    f"article: false\nfeeds:\n  - url: {e.base}/busy.xml\n    name: busy\n"
                    f"  - url: {e.base}/wire.xml\n    name: wire\n")
        r = e.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("feed busy: deferred until", r.stderr)
        asked = len(e.server.requests)
        r = e.once()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(e.server.requests[asked:], [])
        self.assertIn("2 of 2 feeds deferred", r.stderr)
        self.assertIn("feed wire: deferred until", r.stderr)


@unittest.skipIf(SKIP, SKIP)
class Instances(unittest.TestCase):
    def setUp(self):
        self.cluster = None

    def tearDown(self):
        if self.cluster:
            self.cluster.close()

    def publish(self, entries, name):
        self.cluster.env.write_feed(f"{name}.xml", [(n, 1 + n % 28) for n in entries[name]],
                                    title=name)

    def test_three_instances_share_300_feeds_without_double_polls(self):
        nfeeds, interval = 300, 3
        c = self.cluster = Cluster(self, 3, sink=True)
        names = [f"f{i:03d}" for i in range(nfeeds)]
        entries = {name: [i * 100 + k for k in range(3)] for i, name in enumerate(names)}
        for name in names:
            self.publish(entries, name)
        c.configure([{"path": f"{n}.xml", "name": n} for n in names],
                    interval=f"{interval}s", min_interval="1s", per_host_connections=16)
        c.start()
        started = time.time()
        rng = random.Random(7)
        # Three rounds of news while the instances run.
        for _ in range(3):
            want = {(n, f"urn:story:{k}") for n in names for k in entries[n]}
            wait_for(lambda: want <= set(c.delivered()), 60, "every entry delivered", c.logs)
            for name in rng.sample(names, 40):
                entries[name].append(entries[name][-1] + 1)
                self.publish(entries, name)
        want = {(n, f"urn:story:{k}") for n in names for k in entries[n]}
        wait_for(lambda: want <= set(c.delivered()), 60, "every entry delivered", c.logs)
        elapsed = time.time() - started
        for inst in c.instances:
            self.assertTrue(inst.daemon.alive(), c.logs())

        delivered = c.delivered()
        doubled = {k: v for k, v in delivered.items() if len(v) > 1}
        self.assertEqual(doubled, {}, "entries delivered more than once")
        self.assertEqual(set(delivered), want)
        # Every entry exactly once in the stream all instances add to.
        streamed = c.streamed()
        self.assertEqual(set(streamed), want)
        self.assertEqual({k: n for k, n in streamed.items() if n > 1}, {})
        share = collections.Counter(i for v in delivered.values() for i in v)
        # The work is shared: every instance took some of it.
        self.assertEqual(len(share), 3, f"items per instance: {dict(share)}")
        # Once per interval across all instances: next_poll is kept in
        # whole seconds and claims run every second, so two polls of one
        # feed are at least interval - 1 s apart.
        polls = 0
        for name in names:
            times = sorted(c.requests(f"/{name}.xml"))
            polls += len(times)
            gaps = [b - a for a, b in zip(times, times[1:])]
            self.assertTrue(all(g >= interval - 1.2 for g in gaps),
                            f"{name} polled {len(times)} times, gaps {gaps}")
            self.assertLessEqual(len(times), elapsed / (interval - 1) + 1)
        print(f"  300 feeds, 3 instances, {elapsed:.1f} s: {polls} polls, "
              f"items per instance {dict(sorted(share.items()))}")

    def test_the_first_claim_of_a_story_wins_across_instances(self):
        """60 feeds, polled by 3 instances at once, all list one article
        (under its link with and without tracking parameters) beside one
        of their own: the article is delivered once as a story's first,
        and every other copy names that one."""
        c = self.cluster = Cluster(self, 3)
        names = [f"s{i:02d}" for i in range(60)]
        shared = f"{c.env.base}/articles/shared.html"
        for i, name in enumerate(names):
            link = shared + ("?utm_source=feed" if i % 2 else "")
            c.env.write_site(f"{name}.xml", "\n".join([
                '<?xml version="1.0"?><rss version="2.0"><channel>',
                f"<title>{name}</title><link>{c.env.base}/</link>",
                f"<item><title>Shared</title><link>{link}</link>"
                f"<guid>urn:shared:{name}</guid></item>",
                f"<item><title>Own</title><link>{c.env.base}/articles/{name}.html</link>"
                f"<guid>urn:own:{name}</guid></item>",
                "</channel></rss>"]))
        # Few feeds claimed at a time, so that every instance takes some.
        c.configure([{"path": f"{n}.xml", "name": n} for n in names],
                    interval="1h", max_connections=4)
        c.start()
        want = {(n, f"urn:{k}:{n}") for n in names for k in ("shared", "own")}
        wait_for(lambda: want <= set(c.delivered()), 60, "every entry delivered", c.logs)
        items = {name: item for inst in c.instances for name, item in inst.items().items()}
        shared_items = {n: i for n, i in items.items() if i["entry"]["id"].startswith("urn:shared:")}
        firsts = [n for n, i in shared_items.items() if "duplicate_of" not in i]
        self.assertEqual(len(firsts), 1, c.logs())
        self.assertEqual({i.get("duplicate_of") for n, i in shared_items.items() if n != firsts[0]},
                         {firsts[0]})
        self.assertFalse(any("duplicate_of" in i for i in items.values()
                             if i["entry"]["id"].startswith("urn:own:")))
        share = collections.Counter(i for v in c.delivered().values() for i in v)
        self.assertGreater(len(share), 1, f"items per instance: {dict(share)}")
        print(f"  60 copies of one story from 3 instances: one first, 59 marked; "
              f"items per instance {dict(sorted(share.items()))}")

    def test_per_host_limit_holds_across_instances(self):
        c = self.cluster = Cluster(self, 3)
        delay = 0.3
        names = [f"slow{i}" for i in range(6)]
        entries = {name: [i * 10] for i, name in enumerate(names)}
        for name in names:
            self.publish(entries, name)
            c.env.write_site(f"{name}.xml.meta.json", '{"delay": %s}' % delay)
        c.configure([{"path": f"{n}.xml", "name": n} for n in names],
                    interval="1s", min_interval="1s", per_host_connections=1)
        c.start()
        wait_for(lambda: len([r for r in c.env.server.requests
                              if r["path"].startswith("/slow")]) >= 14,
                 60, "14 requests", c.logs)
        # A stopping instance ends its transfer and frees its slot at
        # once, and another may take the host then, while the server is
        # still sleeping on the request cut short: only the requests made
        # while all three ran tell whether the limit held.
        stopping = time.time()
        for inst in c.instances:
            inst.daemon.stop()
        arrivals = sorted(r["time"] for r in c.env.server.requests
                          if r["path"].startswith("/slow") and r["time"] < stopping)
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
        # One transfer at a time to the host, whichever instance runs it:
        # each starts after the previous one's delay is over.
        self.assertGreaterEqual(min(gaps), delay - 0.02,
                                f"requests overlapped: gaps {gaps}\n{c.logs()}")
        print(f"  {len(arrivals)} requests from 3 instances, one at a time: "
              f"smallest gap {min(gaps):.3f} s (each answer takes {delay} s)")

    def test_instances_outlive_a_database_restart(self):
        """PostgreSQL stops at once and comes back: the instances make
        their connections again and go on; nothing is lost.  status reads
        the shared state as it reads a file."""
        c = self.cluster = Cluster(self, 2, sink=True)
        names = [f"r{i:02d}" for i in range(20)]
        entries = {name: [i * 100] for i, name in enumerate(names)}
        for name in names:
            self.publish(entries, name)
        c.configure([{"path": f"{n}.xml", "name": n} for n in names],
                    interval="1s", min_interval="1s")
        c.start()
        want = {(n, f"urn:story:{k}") for n in names for k in entries[n]}
        wait_for(lambda: want <= set(c.streamed()), 60, "first delivery", c.logs)
        PG.restart()
        for name in names:
            entries[name].append(entries[name][0] + 1)
            self.publish(entries, name)
        want = {(n, f"urn:story:{k}") for n in names for k in entries[n]}
        wait_for(lambda: want <= set(c.streamed()), 60, "delivery after the restart", c.logs)
        self.assertEqual({k: n for k, n in c.streamed().items() if n > 1}, {})
        for inst in c.instances:
            self.assertTrue(inst.daemon.alive(), c.logs())
        r = subprocess.run([BINARY, "status", "--json", "-c", c.instances[0].config],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = json.loads(r.stdout)
        self.assertEqual(sorted(row["name"] for row in rows), names)
        self.assertNotIn("password", r.stdout)

    def test_a_poll_longer_than_its_lease_keeps_its_feed(self):
        """The lease is renewed while the poll runs: a feed that takes
        longer than its lease to answer is not polled by another instance
        meanwhile.  (Leases count whole seconds, so a lease of 3 s lasts
        2 to 3 s, and is renewed every second.)"""
        c = self.cluster = Cluster(self, 2)
        entries = {"slow": [1]}
        self.publish(entries, "slow")
        c.env.write_site("slow.xml.meta.json", '{"delay": 5}')
        c.configure([{"path": "slow.xml", "name": "slow"}],
                    interval="1s", min_interval="1s", lease="3s")
        c.start()
        wait_for(lambda: len(c.requests("/slow.xml")) >= 3, 60, "three polls", c.logs)
        times = sorted(c.requests("/slow.xml"))
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertTrue(all(g >= 5 - 0.05 for g in gaps),
                        f"polls overlapped: gaps {gaps}\n{c.logs()}")

    def test_pending_entry_that_left_the_feed_is_delivered_once(self):
        """An instance's spool refused its items, so its entries stayed
        pending; the feed turned over before the next poll.  Whichever
        instance claims the feed next delivers them from the shared state,
        once, under the names chosen at discovery."""
        c = self.cluster = Cluster(self, 2)
        entries = {"wire": [1, 2, 3]}
        self.publish(entries, "wire")
        c.configure([{"path": "wire.xml", "name": "wire"}], interval="1s",
                    min_interval="1s")
        r = subprocess.run([BINARY, "once", "-c", c.instances[0].config],
                           env=dict(os.environ, NEWSWATCH_FAULT_SPOOL="EROFS:1000"),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stderr)
        db = c.db.rsplit("/", 1)[1]
        pending = {eid: int(us) for eid, us in PG.psql(
            "SELECT entry_id, discovered_us FROM entries WHERE status = 1", db)}
        self.assertEqual(sorted(pending), ["urn:story:1", "urn:story:2", "urn:story:3"])
        entries["wire"] = [3, 4]
        self.publish(entries, "wire")
        c.start()
        want = {("wire", f"urn:story:{n}") for n in (1, 2, 3, 4)}
        wait_for(lambda: want <= set(c.delivered()), 60, "every entry delivered", c.logs)
        wait_for(lambda: PG.psql("SELECT count(*) FROM entries WHERE status = 1"
                                 " OR pending_entry IS NOT NULL", db) == [["0"]],
                 30, "every entry seen, nothing kept", c.logs)
        # A few more polls of the feed by either instance deliver nothing more.
        polls = len(c.requests("/wire.xml"))
        wait_for(lambda: len(c.requests("/wire.xml")) >= polls + 3, 30, "three more polls",
                 c.logs)
        for inst in c.instances:
            self.assertEqual(inst.daemon.stop(), 0, c.logs())
        delivered = c.delivered()
        self.assertEqual(set(delivered), want)
        self.assertEqual({k: v for k, v in delivered.items() if len(v) > 1}, {})
        for inst in c.instances:
            for name, item in inst.items().items():
                eid = item["entry"]["id"]
                if eid in pending:
                    self.assertEqual(name, item_name(pending[eid], "wire", eid))
                    self.assertEqual(item["entry"]["title"],
                                     f"Story {eid.rsplit(':', 1)[1]}")

    def test_killed_instance_feeds_are_taken_over(self):
        nfeeds, lease = 60, 3
        c = self.cluster = Cluster(self, 3, sink=True)
        names = [f"k{i:02d}" for i in range(nfeeds)]
        entries = {name: [i * 100] for i, name in enumerate(names)}
        for name in names:
            self.publish(entries, name)
            # Slow answers: the kill lands while instance 0 holds leases.
            c.env.write_site(f"{name}.xml.meta.json", '{"delay": 0.5}')
        c.configure([{"path": f"{n}.xml", "name": n} for n in names],
                    interval="2s", min_interval="1s", lease=f"{lease}s",
                    per_host_connections=32)
        c.start()
        want = {(n, f"urn:story:{k}") for n in names for k in entries[n]}
        wait_for(lambda: want <= set(c.delivered()), 60, "first delivery", c.logs)
        for name in names:
            entries[name].append(entries[name][0] + 1)
            self.publish(entries, name)
        # Kill an instance while it holds leases (an owner in the state
        # is host:PID:random).
        pids = {inst.daemon.proc.pid: inst for inst in c.instances}
        owners = wait_for(lambda: PG.psql(
            "SELECT lease_owner, count(*) FROM feeds WHERE lease_owner IS NOT NULL"
            " GROUP BY 1 ORDER BY 2 DESC", c.db.rsplit("/", 1)[1]),
            30, "an instance holding leases", c.logs)
        victim = pids[int(owners[0][0].split(":")[-2])]
        held = int(owners[0][1])
        victim.daemon.kill()
        killed_at = time.time()
        want = {(n, f"urn:story:{k}") for n in names for k in entries[n]}
        wait_for(lambda: want <= set(c.delivered()) and want <= set(c.streamed()), 60,
                 "delivery after the kill", c.logs)
        # Nothing lost: every entry is in a spool; and the survivors went
        # on polling every feed, those the dead one held included.
        delivered = c.delivered()
        self.assertEqual(set(delivered), want)
        every = {f"/{n}.xml" for n in names}
        wait_for(lambda: every <= {r["path"] for r in c.env.server.requests
                                   if r["time"] > killed_at + lease + 1},
                 60, "every feed polled once the leases ran out", c.logs)
        # The stream has each exactly once, also an entry the dead one
        # had added but not yet marked seen, which a survivor re-emits.
        streamed = c.streamed()
        self.assertEqual(set(streamed), want)
        self.assertEqual({k: n for k, n in streamed.items() if n > 1}, {})
        doubled = sum(1 for v in delivered.values() if len(v) > 1)
        print(f"  instance {c.instances.index(victim)} killed holding {held} leases; "
              f"{len(want)} entries all delivered, "
              f"{doubled} written by two instances' spools (pending at the kill)")


if __name__ == "__main__":
    main(sys.modules[__name__])
