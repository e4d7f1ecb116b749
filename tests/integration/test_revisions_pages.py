#!/usr/bin/python3
"""revisions: pages end to end (README "Revisions"): each new entry's page is
read again on a schedule, even while its feed answers 304 and after it left
the feed, under a global budget, with the schedule kept in the state across
restarts (every `once` is one).  The schedule is a few seconds here; the
tests sleep past a check before they poll, and assert what was read and
delivered, never how fast.  Run from the repository root:
python3 tests/integration/test_revisions_pages.py
"""
import os
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import main  # noqa: E402
from test_e2e import Env  # noqa: E402
import test_revisions  # noqa: E402
from test_revisions import BODY, MOST_READ, feed_xml, page  # noqa: E402

PG, PG_SKIP = test_revisions.PG, test_revisions.PG_SKIP

CHECK_1, CHECK_2 = 1.0, 4.0   # seconds after discovery, far enough apart
PAGES = {"name": "town", "revisions": "pages",
         "revision_checks": f"[{CHECK_1:g}s, {CHECK_2:g}s]"}
CHANGED_BODY = [BODY[0], BODY[1].replace("two years", "three years"), BODY[2],
                "The mayor later corrected the figure given at the meeting."]


class RevisionsPages(unittest.TestCase):
    def setUp(self):
        self.env = Env()
        self.write_config([dict(PAGES, path="town.xml")])

    def tearDown(self):
        self.env.close()

    def write_config(self, feeds, **globals_):
        self.env.write_config(feeds, **globals_)

    def publish_feed(self, stories):
        self.env.write_site("town.xml", feed_xml(self.env.base, [
            (n, f"Story {n}", "The vote was close.") for n in stories]))

    def publish_page(self, n, headline, body=BODY, box=0, updated="5 minutes ago"):
        self.env.write_site(f"articles/{n}.html", page(headline, body, MOST_READ[box], updated))

    def once(self):
        """Run one poll; the requests it made as [(path, status)]."""
        before = len(self.env.server.requests)
        r = self.env.once()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.last_stderr = r.stderr
        return [(q["path"], q["status"]) for q in self.env.server.requests[before:]]

    def sleep_past(self, check):
        """Until check seconds after the last entry's discovery (as the
        state has it) have passed."""
        time.sleep(max(0.0, self.discovered + check + 0.2 - time.time()))

    def first_poll(self, stories=(1,)):
        self.publish_feed(stories)
        for n in stories:
            self.publish_page(n, f"Council approves bridge {n}")
        self.once()
        self.assertEqual(len(self.env.items()), len(stories))
        self.discovered = max(d for d, _ in self.schedule().values()) / 1e6

    def revisions(self):
        return [(n, i) for n, i in self.env.items() if "revision" in i]

    def schedule(self):
        """{entry id: (discovered_us, next_check_us or None)}."""
        return {i: (d, c) for i, d, c in self.query(
            "SELECT entry_id, discovered_us, next_check_us FROM versions")}

    def query(self, sql):
        db = sqlite3.connect(self.env.state)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def test_schedule_kept_in_the_state_from_discovery(self):
        self.first_poll()
        (discovered, check), = self.schedule().values()
        self.assertEqual(check, discovered + int(CHECK_1 * 1e6))

    def test_page_change_behind_an_unchanged_feed_gives_one_revision(self):
        self.first_poll()
        self.publish_page(1, "Council approves bridge after long debate", CHANGED_BODY)
        self.sleep_past(CHECK_1)
        asked = self.once()
        # The feed is byte-identical: a 304, and the page read all the same.
        self.assertIn(("/town.xml", 304), asked)
        self.assertIn(("/articles/1.html", 200), asked)
        [(name, rev)] = self.revisions()
        first = self.env.items()[0][0]
        self.assertTrue(name.endswith(".r2.json"), name)
        r = rev["revision"]
        self.assertEqual((r["number"], r["previous"]), (2, first))
        self.assertEqual(r["changed"], ["title", "text"])
        self.assertIn("{+after long debate+}", r["diff"]["title"])
        self.assertIn("[-two-] {+three+}", r["diff"]["text"])
        self.assertIn("{+The mayor later corrected", r["diff"]["text"])
        self.assertEqual(rev["entry"]["id"], "urn:town:1")
        self.assertEqual(rev["entry"]["title"], "Story 1")
        # No document behind the 304: the feed's title as it was kept.
        self.assertEqual(rev["feed"]["title"], "Town")
        # The 304's feed lists only what was due: nothing is taken as gone.
        self.assertEqual(self.query("SELECT count(*) FROM entries"
                                    " WHERE gone_since IS NOT NULL"), [(0,)])
        # The last check reads the page once more; it changed no more.
        self.sleep_past(CHECK_2)
        self.assertIn(("/articles/1.html", 200), self.once())
        self.assertEqual(len(self.revisions()), 1)
        # No check is left: the page is not read again.
        (_, check), = self.schedule().values()
        self.assertIsNone(check)
        self.assertNotIn("/articles/1.html", [p for p, _ in self.once()])
        self.assertEqual(len(self.revisions()), 1)

    def test_rotating_box_gives_none(self):
        self.first_poll()
        self.publish_page(1, "Council approves bridge 1", box=1, updated="40 minutes ago")
        self.sleep_past(CHECK_1)
        self.assertIn(("/articles/1.html", 200), self.once())
        self.assertEqual(self.revisions(), [])
        self.assertIn("no change in substance", self.last_stderr)

    def test_entry_that_left_the_feed_is_still_checked(self):
        self.first_poll()
        self.publish_feed([2])
        self.publish_page(2, "Another story")
        self.publish_page(1, "Council rejects bridge 1")
        self.sleep_past(CHECK_1)
        self.assertIn(("/articles/1.html", 200), self.once())
        [(_, rev)] = self.revisions()
        self.assertEqual(rev["revision"]["diff"]["title"],
                         "Council [-approves-] {+rejects+} bridge 1")
        # Delivered whole, as its first version kept it.
        self.assertEqual((rev["entry"]["id"], rev["entry"]["title"]),
                         ("urn:town:1", "Story 1"))
        self.assertTrue(rev["entry"]["link"].endswith("/articles/1.html"))

    def test_budget_spreads_the_checks_due(self):
        # One check each: a second falling due would blur the count.
        self.write_config([dict(PAGES, path="town.xml", revision_checks=f"[{CHECK_1:g}s]")],
                          revision_budget=1)
        self.first_poll(stories=(1, 2, 3))
        self.sleep_past(CHECK_1)
        # Three due, one a minute allowed: each start reads one page (a
        # start's budget is a minute's), the others wait in the state.
        for left in (2, 1, 0):
            pages = [p for p, _ in self.once() if p.startswith("/articles/")]
            self.assertEqual(len(pages), 1, pages)
            due = [c for _, c in self.schedule().values()
                   if c is not None and c <= time.time() * 1e6]
            self.assertEqual(len(due), left)
        self.assertEqual(self.revisions(), [])

    def test_revisions_feed_reads_no_page_behind_a_304(self):
        self.write_config([{"path": "town.xml", "name": "town"}])
        self.first_poll()
        self.publish_page(1, "Council rejects bridge 1")
        self.sleep_past(CHECK_1)
        self.assertEqual(self.once(), [("/town.xml", 304)])
        self.assertEqual(self.revisions(), [])
        (_, check), = self.schedule().values()
        self.assertIsNone(check)

    def test_bad_schedule_names_line_and_column(self):
        for bad, says in (("[15m, soon]", "got 'soon'"), ("[1h, 15m]", "ascending"),
                          ("[15m, 80h]", "not within the 72h"), ("15m", "a list")):
            self.write_config([dict(PAGES, path="town.xml", revision_checks=bad)])
            r = self.env.run("check")
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertRegex(r.stderr, r"feeds\.yaml:\d+:\d+: revision_checks", bad)
            self.assertIn(says, r.stderr, bad)


@unittest.skipIf(PG_SKIP, PG_SKIP)
class RevisionsPagesOnPostgreSQL(RevisionsPages):
    """The same, on a PostgreSQL state (the shared backend), the server
    test_revisions starts and stops."""

    setUpClass = test_revisions.RevisionsOnPostgreSQL.setUpClass
    tearDownClass = test_revisions.RevisionsOnPostgreSQL.tearDownClass

    def setUp(self):
        self.db = "pages_" + self.id().split(".")[-1][5:40].lower()
        self.url = PG.createdb(self.db)
        super().setUp()

    def write_config(self, feeds, **globals_):
        if not hasattr(self, "write_pg"):
            self.write_pg = test_revisions.RevisionsOnPostgreSQL.keep_state(
                self, self.env.write_config, self.url)
        self.write_pg(feeds, **globals_)

    def query(self, sql):
        """Rows of integers (what these tests ask for)."""
        return [tuple(int(v) for v in r) for r in PG.psql(sql, db=self.db)]

    def schedule(self):
        rows = PG.psql("SELECT entry_id, discovered_us, coalesce(next_check_us, -1)"
                       " FROM versions", db=self.db)
        return {i: (int(d), None if int(c) == -1 else int(c)) for i, d, c in rows}

if __name__ == "__main__":
    main(sys.modules[__name__])
