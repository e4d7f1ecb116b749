/*
 * test_state.c - the state: identity checks, feeds, entries, and on a
 * shared state leases and host slots.  Runs against SQLite; with
 * NEWSWATCH_TEST_PG set to a PostgreSQL URL (tests/integration/
 * test_shared.py starts a server and sets it) the same tests run against
 * PostgreSQL, each in a database of its own, skipping only the file
 * checks that have no PostgreSQL meaning.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "../store/state.h"
#include "skip.h"
#include "tmpdir.h"

#define APP_ID 0x6e777374

/* The schema versions this newswatch writes (each backend's number of
 * migrations). */
#define STATE_SQLITE_VERSION 9
#define STATE_PG_VERSION 10

static char err[512];
static const char *pg_admin;   /* NEWSWATCH_TEST_PG: the server to use */

static int
is_pg(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0;
}

/* A PostgreSQL database called for name, created on first use: its URL
 * is pg_admin's with the database part replaced. */
static const char *
pg_database(const char *name)
{
	static char url[512];
	char db[128], query[256];
	const char *slash = strrchr(pg_admin, '/');
	size_t n = 0;
	PGconn *c;
	PGresult *r;

	n += (size_t)snprintf(db, sizeof(db), "nwtest_%ld_", (long)getpid());
	for (const char *p = name; *p && n + 1 < sizeof(db); p++)
		db[n++] = (*p >= 'a' && *p <= 'z') ? *p : '_';
	db[n] = '\0';
	snprintf(url, sizeof(url), "%.*s/%s", (int)(slash - pg_admin), pg_admin,
	    db);
	c = PQconnectdb(pg_admin);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	snprintf(query, sizeof(query), "SELECT 1 FROM pg_database WHERE"
	    " datname = '%s'", db);
	r = PQexec(c, query);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	if (PQntuples(r) == 0) {
		PQclear(r);
		snprintf(query, sizeof(query), "CREATE DATABASE %s", db);
		r = PQexec(c, query);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("%s: %s", query, PQerrorMessage(c));
	}
	PQclear(r);
	PQfinish(c);
	return url;
}

/* A fresh path (or database) per test, so tests do not see each
 * other's. */
static const char *
path_for(const char *name)
{
	static char path[256];

	if (pg_admin != NULL)
		return pg_database(name);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* The SQLite-file checks: skipped on PostgreSQL. */
#define SQLITE_ONLY() do {						\
	if (pg_admin != NULL)						\
		SKIP_BECAUSE("a SQLite file check, running on PostgreSQL");	\
} while (0)

/* The shared-state checks: skipped on SQLite. */
#define PG_ONLY() do {							\
	if (pg_admin == NULL)						\
		SKIP_BECAUSE("needs PostgreSQL: NEWSWATCH_TEST_PG unset "	\
		    "(tests/integration/test_shared.py sets it)");	\
} while (0)

static struct state *
open_ok(const char *path)
{
	struct state *st = NULL;

	err[0] = '\0';
	if (state_open(path, &st, err, sizeof(err)) == -1)
		fail_msg("state_open %s: %s", path, err);
	return st;
}

/* Run sql on path through SQLite directly; returns the first column of
 * the last row, or -1. */
static int64_t
pg_sql(const char *url, const char *query)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	int64_t v = -1;
	const char *text;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, query);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", query, PQerrorMessage(c));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
		text = PQgetvalue(r, PQntuples(r) - 1, 0);
		v = strcmp(text, "t") == 0 ? 1 : strcmp(text, "f") == 0 ? 0 :
		    strtoll(text, NULL, 10);
	}
	PQclear(r);
	PQfinish(c);
	return v;
}

static int64_t
sql(const char *path, const char *query)
{
	sqlite3 *db;

	if (is_pg(path))
		return pg_sql(path, query);
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	while (*query != '\0') {
		assert_int_equal(sqlite3_prepare_v2(db, query, -1, &s, &query),
		    SQLITE_OK);
		if (s == NULL)
			break;
		while (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static int64_t
feed_id(struct state *st, const char *name)
{
	struct state_feed f;
	int64_t id;

	assert_int_equal(state_feed_get(st, name, "http://example.org/", &f,
	    NULL, err, sizeof(err)), 0);
	id = f.id;
	state_feed_clear(&f);
	return id;
}

static int64_t
entries_seen(struct state *st, const char *name)
{
	struct state_feed f;
	int64_t n;

	assert_int_equal(state_feed_get(st, name, "http://example.org/", &f,
	    NULL, err, sizeof(err)), 0);
	n = f.entries_seen;
	state_feed_clear(&f);
	return n;
}

static int
entry_status(struct state *st, int64_t feed, const char *id, int64_t *when)
{
	int status;
	int64_t w;

	assert_int_equal(state_entries_get(st, feed, &id, 1, &status, &w, err,
	    sizeof(err)), 0);
	if (when != NULL)
		*when = w;
	return status;
}

/* One entry at a time, as most tests think of them. */
static int
entry_discover(struct state *st, int64_t feed, const char *id, int64_t when,
    int *added)
{
	int one;
	int rc = state_entries_discover(st, feed, &id, &when, NULL, 1, &one,
	    err, sizeof(err));

	if (added != NULL)
		*added = one;
	return rc;
}

static int
entry_mark_seen(struct state *st, int64_t feed, const char *id,
    int64_t when)
{
	return state_entries_mark_seen(st, feed, &id, &when, 1, err,
	    sizeof(err));
}

static void
test_open_creates(void **ctx)
{
	const char *path = path_for("a/b/c/state.db");
	struct state *st;

	(void)ctx;
	if (pg_admin != NULL) {
		path = path_for("creates");
		state_close(open_ok(path));
		assert_int_equal(sql(path, "SELECT version FROM"
		    " newswatch_schema"), STATE_PG_VERSION);
		assert_int_equal(sql(path, "SELECT count(*) FROM pg_tables"
		    " WHERE tablename IN ('feeds', 'entries', 'feed_urls',"
		    " 'host_slots', 'host_holds')"), 5);
		return;
	}
	st = open_ok(path);
	assert_int_equal(access(path, F_OK), 0);
	state_close(st);
	assert_int_equal(sql(path, "PRAGMA application_id"), APP_ID);
	assert_int_equal(sql(path, "PRAGMA user_version"), STATE_SQLITE_VERSION);
	assert_int_equal(sql(path, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('feeds', 'entries', 'feed_urls', 'host_holds')"),
	    4);
	assert_int_equal(sql(path, "SELECT journal_mode = 'wal'"
	    " FROM pragma_journal_mode"), 1);
	state_close(NULL);
}

static void
test_reopen_persists(void **ctx)
{
	const char *path = path_for("reopen.db");
	struct state *st = open_ok(path);
	struct state_feed f;
	int64_t id, when;
	int created = -1;

	(void)ctx;
	assert_int_equal(state_feed_get(st, "lwn", "https://lwn.net/", &f,
	    &created, err, sizeof(err)), 0);
	assert_int_equal(created, 1);
	id = f.id;
	f.etag = strdup("\"abc\"");
	f.polls = 3;
	assert_int_equal(state_feed_save(st, &f, err, sizeof(err)), 0);
	state_feed_clear(&f);
	assert_int_equal(entry_mark_seen(st, id, "e1", 42), 0);
	state_close(st);

	st = open_ok(path);
	assert_int_equal(state_feed_get(st, "lwn", "https://lwn.net/", &f,
	    &created, err, sizeof(err)), 0);
	assert_int_equal(created, 0);
	assert_int_equal(f.id, id);
	assert_string_equal(f.etag, "\"abc\"");
	assert_int_equal(f.polls, 3);
	assert_int_equal(f.entries_seen, 1);
	state_feed_clear(&f);
	assert_int_equal(entry_status(st, id, "e1", &when), STATE_ENTRY_SEEN);
	assert_int_equal(when, 42);
	state_close(st);
}

static void
test_foreign_refused(void **ctx)
{
	const char *path = path_for("foreign.db");
	struct state *st = (struct state *)1;

	(void)ctx;
	sql(path, "CREATE TABLE notes (body TEXT);"
	    " INSERT INTO notes VALUES ('mine')");
	assert_int_equal(state_open(path, &st, err, sizeof(err)), -1);
	assert_null(st);
	if (pg_admin != NULL) {
		assert_non_null(strstr(err, "is not a newswatch state"));
		assert_int_equal(sql(path, "SELECT count(*) FROM pg_tables"
		    " WHERE schemaname = 'public'"), 1);
		return;
	}
	assert_non_null(strstr(err, "is not a newswatch state file"));
	assert_non_null(strstr(err, "application_id 0x00000000"));
	/* Not touched: no tables added, still a rollback-journal file. */
	assert_int_equal(sql(path, "SELECT count(*) FROM sqlite_schema"), 1);
	assert_int_equal(sql(path, "SELECT journal_mode = 'delete'"
	    " FROM pragma_journal_mode"), 1);

	path = path_for("other-app.db");
	sql(path, "PRAGMA application_id = 305419896");
	assert_int_equal(state_open(path, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "application_id 0x12345678"));
}

static void
test_garbage_refused(void **ctx)
{
	const char *path = path_for("garbage.db");
	static const char junk[] = "this is a text file, not a database\n";
	char back[sizeof(junk)] = "";
	struct state *st;
	FILE *fp;

	(void)ctx;
	SQLITE_ONLY();
	assert_non_null(fp = fopen(path, "w"));
	for (int i = 0; i < 200; i++)
		fputs(junk, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(state_open(path, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "file is not a database"));
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(fgets(back, sizeof(back), fp));
	fclose(fp);
	assert_string_equal(back, junk);
}

static void
test_newer_version_refused(void **ctx)
{
	const char *path = path_for("newer.db");
	struct state *st;

	(void)ctx;
	state_close(open_ok(path));
	sql(path, pg_admin ? "UPDATE newswatch_schema SET version = 99" :
	    "PRAGMA user_version = 99");
	assert_int_equal(state_open(path, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema version 99 is newer"));
	assert_int_equal(sql(path, pg_admin ? "SELECT version FROM"
	    " newswatch_schema" : "PRAGMA user_version"), 99);
}

/* Root writes through file modes, so only another user can see this. */
static void
test_readonly_refused(void **ctx)
{
	const char *path = path_for("readonly.db");
	struct state *st;

	(void)ctx;
	SQLITE_ONLY();
	if (geteuid() == 0)
		SKIP_BECAUSE("root writes through file modes");
	state_close(open_ok(path));
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(state_open(path, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open for writing"));
}

/* Corruption past the first page is not caught at open (no full check);
 * the query that meets it must say so. */
static void
test_corruption_surfaces(void **ctx)
{
	const char *path;
	struct state *st;
	char id[32], page[4096];
	int64_t feed, size;
	const char *entry7 = "entry-7";
	int status;
	int64_t when;
	FILE *fp;

	(void)ctx;
	SQLITE_ONLY();
	path = path_for("corrupt.db");
	st = open_ok(path);
	feed = feed_id(st, "f");
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "entry-%d", i);
		assert_int_equal(entry_discover(st, feed, id, i, NULL), 0);
	}
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	state_close(st);

	size = sql(path, "PRAGMA page_size") * sql(path, "PRAGMA page_count");
	assert_true(size > 4 * 4096);
	memset(page, 0xa5, sizeof(page));
	assert_non_null(fp = fopen(path, "r+"));
	for (int64_t off = 4096; off < size; off += 4096) {
		fseek(fp, (long)off, SEEK_SET);
		fwrite(page, 1, sizeof(page), fp);
	}
	assert_int_equal(fclose(fp), 0);

	if (state_open(path, &st, err, sizeof(err)) == -1) {
		assert_non_null(strstr(err, "malformed"));
		return;
	}
	assert_int_equal(state_entries_get(st, feed, &entry7, 1, &status, &when,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot look up entry entry-7 of feed"));
	assert_non_null(strstr(err, "malformed"));
	state_close(st);
}

static void
test_feed_roundtrip(void **ctx)
{
	struct state *st = open_ok(path_for("feeds.db"));
	struct state_feed f, *list;
	size_t n;
	int created;

	(void)ctx;
	assert_int_equal(state_feed_get(st, "zeta", "http://z/", &f, &created,
	    err, sizeof(err)), 0);
	assert_int_equal(created, 1);
	assert_string_equal(f.name, "zeta");
	assert_string_equal(f.url, "http://z/");
	assert_null(f.etag);
	assert_null(f.last_modified);
	assert_null(f.last_error);
	assert_int_equal(f.last_poll, 0);
	assert_int_equal(f.failures, 0);

	free(f.url);
	f.url = strdup("http://z/moved");
	f.etag = strdup("W/\"1\"");
	f.last_modified = strdup("Tue, 14 Nov 2023 22:13:20 GMT");
	f.last_error = strdup("HTTP 503");
	f.last_poll = 1700000000;
	f.last_status = 503;
	f.next_poll = 1700000600;
	f.polls = 12;
	f.failures = 2;
	f.entries_seen = 999;  /* the state's own count: ignored */
	assert_int_equal(state_feed_save(st, &f, err, sizeof(err)), 0);
	state_feed_clear(&f);
	assert_null(f.name);

	/* Known feed, other url: the stored url stays. */
	assert_int_equal(state_feed_get(st, "zeta", "http://other/", &f,
	    &created, err, sizeof(err)), 0);
	assert_int_equal(created, 0);
	assert_string_equal(f.url, "http://z/moved");
	assert_string_equal(f.etag, "W/\"1\"");
	assert_string_equal(f.last_modified, "Tue, 14 Nov 2023 22:13:20 GMT");
	assert_string_equal(f.last_error, "HTTP 503");
	assert_int_equal(f.last_poll, 1700000000);
	assert_int_equal(f.last_status, 503);
	assert_int_equal(f.next_poll, 1700000600);
	assert_int_equal(f.polls, 12);
	assert_int_equal(f.failures, 2);
	assert_int_equal(f.entries_seen, 0);

	/* Clearing optional fields stores NULLs. */
	free(f.last_error);
	f.last_error = NULL;
	assert_int_equal(state_feed_save(st, &f, err, sizeof(err)), 0);
	state_feed_clear(&f);

	feed_id(st, "alpha");
	feed_id(st, "mu");
	assert_int_equal(state_feed_list(st, &list, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, "alpha");
	assert_string_equal(list[1].name, "mu");
	assert_string_equal(list[2].name, "zeta");
	assert_null(list[2].last_error);
	assert_string_equal(list[2].etag, "W/\"1\"");
	state_feed_list_free(list, n);

	f.id = 12345;
	f.name = (char *)"ghost";
	f.url = (char *)"http://ghost/";
	assert_int_equal(state_feed_save(st, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot save feed ghost"));
	state_close(st);
}

static void
test_entry_lifecycle(void **ctx)
{
	struct state *st = open_ok(path_for("entries.db"));
	int64_t a = feed_id(st, "a"), b = feed_id(st, "b"), when;

	(void)ctx;
	when = -1;
	assert_int_equal(entry_status(st, a, "x", &when), STATE_ENTRY_UNKNOWN);
	assert_int_equal(when, 0);

	assert_int_equal(entry_discover(st, a, "x", 1000, NULL), 0);
	assert_int_equal(entry_status(st, a, "x", &when), STATE_ENTRY_PENDING);
	assert_int_equal(when, 1000);
	/* Discovering a known entry changes nothing. */
	assert_int_equal(entry_discover(st, a, "x", 2000, NULL), 0);
	assert_int_equal(entry_status(st, a, "x", &when), STATE_ENTRY_PENDING);
	assert_int_equal(when, 1000);
	assert_int_equal(entry_status(st, b, "x", NULL), STATE_ENTRY_UNKNOWN);
	assert_int_equal(entries_seen(st, "a"), 0);

	/* Pending -> seen keeps the discovery time. */
	assert_int_equal(entry_mark_seen(st, a, "x", 3000), 0);
	assert_int_equal(entry_status(st, a, "x", &when), STATE_ENTRY_SEEN);
	assert_int_equal(when, 1000);
	assert_int_equal(entries_seen(st, "a"), 1);

	/* Seen stays seen: neither discover nor a second mark moves it. */
	assert_int_equal(entry_discover(st, a, "x", 4000, NULL), 0);
	assert_int_equal(entry_status(st, a, "x", NULL), STATE_ENTRY_SEEN);

	/* Unknown -> seen in one call. */
	assert_int_equal(entry_mark_seen(st, b, "x", 5000), 0);
	assert_int_equal(entry_status(st, b, "x", &when), STATE_ENTRY_SEEN);
	assert_int_equal(when, 5000);
	assert_int_equal(entries_seen(st, "b"), 1);
	assert_int_equal(entries_seen(st, "a"), 1);

	assert_int_equal(entry_mark_seen(st, 777, "x", 1), -1);
	assert_non_null(strstr(err, "of feed 777"));
	assert_non_null(strcasestr(err, "foreign key"));
	state_close(st);
}

static void
test_seen_counted_once(void **ctx)
{
	struct state *st = open_ok(path_for("once.db"));
	int64_t a = feed_id(st, "a");

	(void)ctx;
	assert_int_equal(entry_discover(st, a, "p", 1, NULL), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(entry_mark_seen(st, a, "p", 1), 0);
		assert_int_equal(entry_mark_seen(st, a, "u", 1), 0);
	}
	assert_int_equal(entries_seen(st, "a"), 2);
	state_close(st);
}

static void
test_transactions(void **ctx)
{
	const char *path = path_for("tx.db");
	struct state *st = open_ok(path);
	int64_t a = feed_id(st, "a");

	(void)ctx;
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(entry_discover(st, a, "gone", 1, NULL), 0);
	assert_int_equal(entry_mark_seen(st, a, "gone2", 1), 0);
	assert_int_equal(state_begin(st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot begin transaction"));
	state_rollback(st);
	assert_int_equal(entry_status(st, a, "gone", NULL), STATE_ENTRY_UNKNOWN);
	assert_int_equal(entry_status(st, a, "gone2", NULL), STATE_ENTRY_UNKNOWN);
	assert_int_equal(entries_seen(st, "a"), 0);
	state_rollback(st);  /* none open: harmless */

	assert_int_equal(state_commit(st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot commit"));

	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(entry_mark_seen(st, a, "kept", 1), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);

	/* Closing with a transaction open rolls it back. */
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(entry_mark_seen(st, a, "lost", 1), 0);
	state_close(st);

	st = open_ok(path);
	assert_int_equal(entry_status(st, a, "kept", NULL), STATE_ENTRY_SEEN);
	assert_int_equal(entry_status(st, a, "lost", NULL), STATE_ENTRY_UNKNOWN);
	assert_int_equal(entries_seen(st, "a"), 1);
	state_close(st);
}

static void
test_many_entries(void **ctx)
{
	/* One round trip an entry: on PostgreSQL, 20,000 of them took 200 s
	 * of the 300 test_shared.py allows on a loaded machine, and a tenth
	 * shows the same there. */
	const int N = pg_admin ? 2000 : 20000;
	struct state *st = open_ok(path_for("many.db"));
	int64_t a = feed_id(st, "a"), when;
	char id[64];

	(void)ctx;
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "https://example.org/item/%d", i);
		if (i % 2 == 0)
			assert_int_equal(entry_discover(st, a, id, i, NULL), 0);
		assert_int_equal(entry_mark_seen(st, a, id, i), 0);
	}
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "https://example.org/item/%d", i);
		assert_int_equal(entry_status(st, a, id, &when),
		    STATE_ENTRY_SEEN);
		assert_int_equal(when, i);
	}
	assert_int_equal(entries_seen(st, "a"), N);
	state_close(st);
}

/* Read feed name into *f, which must poll url for config_url. */
static void
get_feed_urls(struct state *st, const char *name, struct state_feed *f,
    const char *url, const char *config_url)
{
	assert_int_equal(state_feed_get(st, name, "http://unused/", f, NULL,
	    err, sizeof(err)), 0);
	assert_string_equal(f->url, url);
	assert_string_equal(f->config_url, config_url);
}

/* A state written by schema version 1 is migrated in place: its feeds
 * keep their rows, config_url starts as url, the URL history as it. */
static void
test_migrate_from_v1(void **ctx)
{
	const char *path = path_for("v1.db");
	struct state_feed f;
	struct state *st;

	(void)ctx;
	SQLITE_ONLY();
	sql(path, "PRAGMA application_id = 1853322100;"
	    "CREATE TABLE feeds (id INTEGER PRIMARY KEY,"
	    " name TEXT NOT NULL UNIQUE, url TEXT NOT NULL, etag TEXT,"
	    " last_modified TEXT, last_poll INTEGER NOT NULL DEFAULT 0,"
	    " last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	    " next_poll INTEGER NOT NULL DEFAULT 0,"
	    " entries_seen INTEGER NOT NULL DEFAULT 0,"
	    " polls INTEGER NOT NULL DEFAULT 0,"
	    " failures INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
	    "CREATE TABLE entries (feed_id INTEGER NOT NULL REFERENCES feeds"
	    " (id) ON DELETE CASCADE, entry_id TEXT NOT NULL,"
	    " discovered_us INTEGER NOT NULL, status INTEGER NOT NULL CHECK"
	    " (status IN (1, 2)), seen_at INTEGER, PRIMARY KEY (feed_id,"
	    " entry_id)) WITHOUT ROWID;"
	    "INSERT INTO feeds (name, url, etag, next_poll, polls, created)"
	    " VALUES ('lwn', 'https://lwn.net/', '\"x\"', 1234, 7, 99);"
	    "PRAGMA user_version = 1;");
	st = open_ok(path);
	get_feed_urls(st, "lwn", &f, "https://lwn.net/", "https://lwn.net/");
	assert_string_equal(f.etag, "\"x\"");
	assert_int_equal(f.next_poll, 1234);
	assert_int_equal(f.polls, 7);
	assert_int_equal(f.disabled, 0);
	assert_int_equal(f.ttl, -1);
	assert_null(f.interval_why);
	state_feed_clear(&f);
	state_close(st);
	assert_int_equal(sql(path, "PRAGMA user_version"), STATE_SQLITE_VERSION);
	assert_int_equal(sql(path, "SELECT count(*) FROM feed_urls WHERE"
	    " url = 'https://lwn.net/' AND reason = 'config' AND since = 99"), 1);
}

/* A state of schema version 2 (what the previous release wrote) gains the
 * pruning columns and keeps every row. */
static void
test_migrate_from_v2(void **ctx)
{
	const char *path;
	struct state_feed f;
	struct state *st;
	int64_t us;

	(void)ctx;
	SQLITE_ONLY();
	path = path_for("v2.db");
	st = open_ok(path);
	assert_int_equal(state_feed_get(st, "lwn", "https://lwn.net/", &f,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(entry_mark_seen(st, f.id, "e1", 77), 0);
	state_feed_clear(&f);
	state_close(st);
	/* Back to exactly what version 2 had (what the later steps added
	 * dropped, the last step's first). */
	sql(path, "ALTER TABLE feeds DROP COLUMN duplicates;"
	    "DROP TABLE versions;"
	    "DROP INDEX entries_revision_pending;"
	    "ALTER TABLE entries DROP COLUMN revision_pending_us;"
	    "ALTER TABLE feeds DROP COLUMN revisions;"
	    "DROP TABLE stories;"
	    "DROP TABLE host_holds;"
	    "DROP INDEX entries_pending;"
	    "ALTER TABLE entries DROP COLUMN pending_entry;"
	    "ALTER TABLE entries DROP COLUMN gone_since;"
	    "ALTER TABLE feeds DROP COLUMN removed_since;"
	    "PRAGMA user_version = 2;");
	st = open_ok(path);
	assert_int_equal(sql(path, "PRAGMA user_version"), STATE_SQLITE_VERSION);
	get_feed_urls(st, "lwn", &f, "https://lwn.net/", "https://lwn.net/");
	assert_int_equal(entry_status(st, f.id, "e1", &us), STATE_ENTRY_SEEN);
	assert_int_equal(us, 77);
	state_feed_clear(&f);
	state_close(st);
	assert_int_equal(sql(path, "SELECT count(*) FROM entries WHERE"
	    " gone_since IS NULL"), 1);
	assert_int_equal(sql(path, "SELECT removed_since FROM feeds"), 0);
}

/* Version 3 of each dialect as the releases before the one schema
 * description wrote it (their own SQL, not the description's): feeds,
 * entries, the URL history and the pruning columns. */
/* What the tables of both hold. */
#define V3_ROWS \
    "INSERT INTO feeds (name, url, config_url, etag, \"interval\"," \
    " interval_why, ttl, polls, created) VALUES ('lwn', 'https://lwn.net/'," \
    " 'https://lwn.net/', '\"x\"', 900, 'ttl', 60, 7, 99);" \
    "INSERT INTO entries (feed_id, entry_id, discovered_us, status)" \
    " VALUES (1, 'e1', 77, 1);"

static const char v3_sqlite[] =
    "PRAGMA application_id = 1853322100;"
    "CREATE TABLE feeds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " url TEXT NOT NULL, etag TEXT, last_modified TEXT,"
    " last_poll INTEGER NOT NULL DEFAULT 0,"
    " last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
    " next_poll INTEGER NOT NULL DEFAULT 0,"
    " entries_seen INTEGER NOT NULL DEFAULT 0,"
    " polls INTEGER NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
    " config_url TEXT, interval INTEGER NOT NULL DEFAULT 0,"
    " interval_why TEXT, disabled INTEGER NOT NULL DEFAULT 0,"
    " last_success INTEGER NOT NULL DEFAULT 0,"
    " first_success_us INTEGER NOT NULL DEFAULT 0,"
    " ttl INTEGER NOT NULL DEFAULT -1,"
    " removed_since INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE entries (feed_id INTEGER NOT NULL REFERENCES feeds (id)"
    " ON DELETE CASCADE, entry_id TEXT NOT NULL,"
    " discovered_us INTEGER NOT NULL,"
    " status INTEGER NOT NULL CHECK (status IN (1, 2)), seen_at INTEGER,"
    " gone_since INTEGER, PRIMARY KEY (feed_id, entry_id)) WITHOUT ROWID;"
    "CREATE TABLE feed_urls (feed_id INTEGER NOT NULL REFERENCES feeds (id)"
    " ON DELETE CASCADE, url TEXT NOT NULL, since INTEGER NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX feed_urls_feed ON feed_urls (feed_id, since);"
    V3_ROWS
    "PRAGMA user_version = 3;";

static const char v3_pg[] =
    "CREATE TABLE newswatch_schema (version INTEGER NOT NULL);"
    "INSERT INTO newswatch_schema VALUES (3);"
    "CREATE TABLE feeds (id BIGINT GENERATED BY DEFAULT AS IDENTITY"
    " PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL, etag TEXT,"
    " last_modified TEXT, last_poll BIGINT NOT NULL DEFAULT 0,"
    " last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
    " next_poll BIGINT NOT NULL DEFAULT 0,"
    " entries_seen BIGINT NOT NULL DEFAULT 0,"
    " polls BIGINT NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL,"
    " config_url TEXT, \"interval\" BIGINT NOT NULL DEFAULT 0,"
    " interval_why TEXT, disabled INTEGER NOT NULL DEFAULT 0,"
    " last_success BIGINT NOT NULL DEFAULT 0,"
    " first_success_us BIGINT NOT NULL DEFAULT 0,"
    " ttl BIGINT NOT NULL DEFAULT -1,"
    " removed_since BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE entries (feed_id BIGINT NOT NULL REFERENCES feeds (id)"
    " ON DELETE CASCADE, entry_id TEXT NOT NULL,"
    " discovered_us BIGINT NOT NULL,"
    " status INTEGER NOT NULL CHECK (status IN (1, 2)), seen_at BIGINT,"
    " gone_since BIGINT, PRIMARY KEY (feed_id, entry_id));"
    "CREATE TABLE feed_urls (feed_id BIGINT NOT NULL REFERENCES feeds (id)"
    " ON DELETE CASCADE, url TEXT NOT NULL, since BIGINT NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX feed_urls_feed ON feed_urls (feed_id, since);"
    V3_ROWS;

/* A state at version 3 goes on from there in its own dialect's
 * numbering: PostgreSQL's step 4 (the shared work) is not SQLite's, whose
 * step 4 is PostgreSQL's 5 (host holds).  Rows survive, and what the
 * later steps added works. */
static void
test_migrate_from_v3(void **ctx)
{
	const char *path = path_for("v3.db");
	const char *id = "e2";
	struct state_pending *pending;
	struct state_feed f;
	struct state *st;
	int64_t us = 88;
	char **hosts;
	int64_t *until;
	size_t n;
	int added;

	(void)ctx;
	sql(path, pg_admin ? v3_pg : v3_sqlite);
	st = open_ok(path);
	assert_int_equal(sql(path, pg_admin ? "SELECT version FROM"
	    " newswatch_schema" : "PRAGMA user_version"),
	    pg_admin ? STATE_PG_VERSION : STATE_SQLITE_VERSION);
	get_feed_urls(st, "lwn", &f, "https://lwn.net/", "https://lwn.net/");
	assert_string_equal(f.etag, "\"x\"");
	assert_int_equal(f.interval, 900);
	assert_string_equal(f.interval_why, "ttl");
	assert_int_equal(f.ttl, 60);
	assert_int_equal(f.polls, 7);
	assert_int_equal(entry_status(st, f.id, "e1", &us), STATE_ENTRY_PENDING);
	assert_int_equal(us, 77);
	/* Step 5 (6 on PostgreSQL): what delivers a pending entry. */
	assert_int_equal(state_entries_discover(st, f.id, &id, &us,
	    (const char *const[]){ "{\"link\":\"https://lwn.net/2\"}" }, 1,
	    &added, err, sizeof(err)), 0);
	assert_int_equal(added, 1);
	assert_int_equal(state_entries_pending(st, f.id, &pending, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pending[0].id, "e2");
	state_pending_free(pending, n);
	/* Step 4 (5 on PostgreSQL): host holds. */
	assert_int_equal(state_host_hold(st, "lwn.net:443", 5000, err,
	    sizeof(err)), 0);
	assert_int_equal(state_host_holds(st, 1000, &hosts, &until, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	state_names_free(hosts, n);
	free(until);
	/* PostgreSQL's step 4: leases. */
	if (pg_admin != NULL) {
		assert_int_equal(state_feeds_claim(st, 0, 60, 10, &hosts, &n,
		    err, sizeof(err)), 0);
		assert_int_equal(n, 1);
		assert_string_equal(hosts[0], "lwn");
		state_names_free(hosts, n);
	}
	state_feed_clear(&f);
	state_close(st);
}

/* Entries gone from their feed, and feeds gone from the config, are
 * forgotten once gone for longer than keep; pending entries never are,
 * and one listed again starts over. */
static void
test_prune(void **ctx)
{
	const char *path = path_for("prune.db");
	const char *const listed[] = { "c" }, *const both[] = { "a", "c" };
	const char *const configured[] = { "keep" };
	struct state_feed f, g;
	struct state *st = open_ok(path);
	int64_t pruned;
	int64_t us;

	(void)ctx;
	assert_int_equal(state_feed_get(st, "keep", "http://k/", &f, NULL,
	    err, sizeof(err)), 0);
	assert_int_equal(state_feed_get(st, "drop", "http://d/", &g, NULL,
	    err, sizeof(err)), 0);
	assert_int_equal(entry_mark_seen(st, f.id, "a", 1), 0);
	assert_int_equal(entry_mark_seen(st, f.id, "b", 1), 0);
	assert_int_equal(entry_mark_seen(st, f.id, "c", 1), 0);
	assert_int_equal(entry_discover(st, f.id, "p", 1, NULL), 0);
	assert_int_equal(entry_mark_seen(st, g.id, "x", 1), 0);
	/* Day 0: only c listed; a, b and p are gone from now. */
	assert_int_equal(state_entries_listed(st, f.id, listed, 1, 1000, 100,
	    &pruned, err, sizeof(err)), 0);
	assert_int_equal(pruned, 0);
	assert_int_equal(state_feeds_listed(st, configured, 1, 1000, 100,
	    &pruned, err, sizeof(err)), 0);
	assert_int_equal(pruned, 0);
	/* a comes back before keep runs out; then keep runs out for b. */
	assert_int_equal(state_entries_listed(st, f.id, both, 2, 1050, 100,
	    &pruned, err, sizeof(err)), 0);
	assert_int_equal(pruned, 0);
	assert_int_equal(state_entries_listed(st, f.id, listed, 1, 1101, 100,
	    &pruned, err, sizeof(err)), 0);
	assert_int_equal(pruned, 1);
	assert_int_equal(entry_status(st, f.id, "b", &us), STATE_ENTRY_UNKNOWN);
	assert_int_equal(entry_status(st, f.id, "a", &us), STATE_ENTRY_SEEN);
	assert_int_equal(entry_status(st, f.id, "p", &us), STATE_ENTRY_PENDING);
	/* The removed feed goes, with its entries. */
	assert_int_equal(state_feeds_listed(st, configured, 1, 1101, 100,
	    &pruned, err, sizeof(err)), 0);
	assert_int_equal(pruned, 1);
	state_feed_clear(&f);
	state_feed_clear(&g);
	state_close(st);
	assert_int_equal(sql(path, "SELECT count(*) FROM feeds"), 1);
	assert_int_equal(sql(path, "SELECT count(*) FROM entries WHERE"
	    " entry_id = 'x'"), 0);
}

/* What the poller learns of a feed survives a reopen; its URL history
 * keeps every URL with the reason it changed. */
static void
test_feed_learned_fields(void **ctx)
{
	const char *path = path_for("learned.db");
	struct state_feed f;
	struct state *st = open_ok(path);
	int64_t n;

	(void)ctx;
	assert_int_equal(state_feed_get(st, "w", "http://a/feed", &f, NULL,
	    err, sizeof(err)), 0);
	assert_string_equal(f.config_url, "http://a/feed");
	free(f.url);
	f.url = strdup("http://b/feed");
	f.interval_why = strdup("ttl");
	f.interval = 3600;
	f.disabled = 1;
	f.last_success = 42;
	f.first_success_us = 1000;
	f.ttl = 1800;
	assert_int_equal(state_feed_url_add(st, f.id, f.url,
	    "permanent redirect", err, sizeof(err)), 0);
	assert_int_equal(state_feed_save(st, &f, err, sizeof(err)), 0);
	assert_int_equal(entry_discover(st, f.id, "old", 900, NULL), 0);
	assert_int_equal(entry_discover(st, f.id, "new1", 1001, NULL), 0);
	assert_int_equal(entry_mark_seen(st, f.id, "new2", 5000), 0);
	assert_int_equal(state_entry_count_since(st, f.id, 1000, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 2);
	state_feed_clear(&f);
	state_close(st);

	st = open_ok(path);
	get_feed_urls(st, "w", &f, "http://b/feed", "http://a/feed");
	assert_string_equal(f.interval_why, "ttl");
	assert_int_equal(f.interval, 3600);
	assert_int_equal(f.disabled, 1);
	assert_int_equal(f.last_success, 42);
	assert_int_equal(f.first_success_us, 1000);
	assert_int_equal(f.ttl, 1800);
	state_feed_clear(&f);
	state_close(st);
	assert_int_equal(sql(path, "SELECT count(*) FROM feed_urls"), 2);
	assert_int_equal(sql(path, "SELECT count(*) FROM feed_urls WHERE"
	    " url = 'http://b/feed' AND reason = 'permanent redirect'"), 1);
}

/* Shared work: two instances on one state.  Only PostgreSQL shares. */
static void
test_not_shared(void **ctx)
{
	struct state *st;
	char **names;
	size_t n;
	int slot;

	(void)ctx;
	if (pg_admin != NULL)
		SKIP_BECAUSE("PostgreSQL always shares");
	st = open_ok(path_for("alone.db"));
	assert_int_equal(state_shared(st), 0);
	assert_int_equal(state_feeds_claim(st, 1, 60, 10, &names, &n, err,
	    sizeof(err)), -1);
	assert_int_equal(state_host_acquire(st, "h", 1, 1, &slot, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not shared"));
	state_close(st);
}

/* Claim at most limit feeds at now, expecting want; the first one's
 * name goes to first (when not NULL). */
static void
claim(struct state *st, int64_t now, size_t limit, size_t want, char *first)
{
	char **names;
	size_t n;

	assert_int_equal(state_feeds_claim(st, now, 60, limit, &names, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, want);
	if (first != NULL && n > 0)
		snprintf(first, 16, "%s", names[0]);
	state_names_free(names, n);
}

static void
test_leases(void **ctx)
{
	const char *path;
	struct state *a, *b;
	struct state_feed f;
	int64_t now = 1000000;
	char mine[16];

	(void)ctx;
	PG_ONLY();
	path = path_for("leases");
	a = open_ok(path);
	b = open_ok(path);
	assert_int_equal(state_shared(a), 1);
	for (int i = 0; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(state_feed_get(a, name, "http://x/", &f, NULL,
		    err, sizeof(err)), 0);
		state_feed_clear(&f);
	}
	/* New feeds are due at once; each goes to one instance.  A claim
	 * returns the due feeds an instance holds as well (in flight, or
	 * whose save was lost), never another's. */
	claim(a, now, 3, 3, mine);
	claim(b, now, 10, 2, NULL);
	claim(a, now, 10, 3, NULL);
	/* A poll ends: its save ends the lease and sets the next poll, for
	 * whichever instance claims first.  Only the holder saves. */
	assert_int_equal(state_feed_get(a, mine, "http://x/", &f, NULL, err,
	    sizeof(err)), 0);
	f.next_poll = now + 30;
	assert_int_equal(state_feed_save(b, &f, err, sizeof(err)), 1);
	assert_int_equal(state_feed_save(a, &f, err, sizeof(err)), 0);
	claim(b, now + 29, 10, 2, NULL);
	claim(b, now + 30, 10, 3, NULL);
	/* An instance renews the leases of its polls in flight: when a's
	 * first leases would have run out, b still gets only its own. */
	assert_int_equal(state_leases_renew(a, now + 50, 60, err,
	    sizeof(err)), 0);
	claim(b, now + 61, 10, 3, NULL);
	/* A crashed instance renews nothing: its leases run out and b takes
	 * them over, and a's late save changes nothing. */
	claim(b, now + 109, 10, 3, NULL);
	claim(b, now + 111, 10, 5, NULL);
	assert_int_equal(state_feed_save(a, &f, err, sizeof(err)), 1);
	/* A feed released unpolled is due again at once. */
	assert_int_equal(state_feed_release(b, mine, err, sizeof(err)), 0);
	claim(a, now + 112, 10, 1, NULL);
	state_feed_clear(&f);
	state_close(a);
	state_close(b);
}

static void
acquire(struct state *st, const char *host, int64_t now_ms, int want)
{
	int slot = -2;

	if (state_host_acquire(st, host, 2, now_ms, &slot, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(slot, want);
}

static void
test_host_slots(void **ctx)
{
	const char *path;
	struct state *a, *b;
	int slot = -1;

	(void)ctx;
	PG_ONLY();
	path = path_for("hosts");
	a = open_ok(path);
	b = open_ok(path);
	/* Two slots per host, whichever instance asks, and one instance
	 * does not get its own slot twice. */
	acquire(a, "example.org", 1000, 0);
	acquire(b, "example.org", 1000, 1);
	acquire(a, "example.org", 1000, -1);
	acquire(b, "example.org", 1000, -1);
	acquire(b, "other.org", 1000, 0);
	/* Given back with per_host_delay: idle until then. */
	assert_int_equal(state_host_release(a, "example.org", 0, 1500, err,
	    sizeof(err)), 0);
	acquire(b, "example.org", 1400, -1);
	acquire(b, "example.org", 1500, 0);
	/* An instance that dies frees its slots as soon as the server sees
	 * its connection close (its backend exits a moment later). */
	acquire(a, "example.org", 1500, -1);
	state_close(b);
	for (int tries = 0; tries < 100; tries++) {
		assert_int_equal(state_host_acquire(a, "example.org", 2, 1500,
		    &slot, err, sizeof(err)), 0);
		if (slot >= 0)
			break;
		usleep(50000);
	}
	assert_int_equal(slot, 0);
	acquire(a, "example.org", 1500, 1);
	state_close(a);
}

/* The holds of hosts: the later of two holds stays, and a listing
 * forgets those over by then; they outlive the process. */
static void
test_host_holds(void **ctx)
{
	const char *path = path_for("holds.db");
	struct state *st = open_ok(path);
	char **hosts;
	int64_t *until;
	size_t n;

	(void)ctx;
	assert_int_equal(state_host_hold(st, "a.example:443", 5000, err,
	    sizeof(err)), 0);
	assert_int_equal(state_host_hold(st, "a.example:443", 3000, err,
	    sizeof(err)), 0);
	assert_int_equal(state_host_hold(st, "b.example:8080", 2000, err,
	    sizeof(err)), 0);
	assert_int_equal(state_host_hold(st, "c.example:80", 9000, err,
	    sizeof(err)), 0);
	state_close(st);
	st = open_ok(path);
	assert_int_equal(state_host_holds(st, 2000, &hosts, &until, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(hosts[0], "a.example:443");
	assert_int_equal(until[0], 5000);
	assert_string_equal(hosts[1], "c.example:80");
	assert_int_equal(until[1], 9000);
	state_names_free(hosts, n);
	free(until);
	/* b's hold ended at 2000: gone from the state, not only the list. */
	assert_int_equal(sql(path, "SELECT count(*) FROM host_holds"), 2);
	assert_int_equal(state_host_holds(st, 9000, &hosts, &until, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	state_names_free(hosts, n);
	free(until);
	state_close(st);
}

/* Ids the text[] literal of a batch must carry intact. */
static const char *const awkward_ids[] = {
	"plain", "with \"quotes\"", "back\\slash", "trailing\\",
	"a,comma", "{braces}", "}", "", "NULL", " spaced ",
	"caf\u00e9 \u65e5\u672c",
	"tab\there", "'single'",
};
#define NAWKWARD (sizeof(awkward_ids) / sizeof(awkward_ids[0]))

static void
test_batch_awkward_ids(void **ctx)
{
	struct state *st = open_ok(path_for("awkward.db"));
	int64_t a = feed_id(st, "a"), when[NAWKWARD], got[NAWKWARD];
	int status[NAWKWARD], added[NAWKWARD];

	(void)ctx;
	for (size_t i = 0; i < NAWKWARD; i++)
		when[i] = 1000 + (int64_t)i;
	assert_int_equal(state_entries_get(st, a, awkward_ids, NAWKWARD,
	    status, got, err, sizeof(err)), 0);
	for (size_t i = 0; i < NAWKWARD; i++) {
		assert_int_equal(status[i], STATE_ENTRY_UNKNOWN);
		assert_int_equal(got[i], 0);
	}
	/* Every other one first, so that a batch mixes known and not. */
	for (size_t i = 0; i < NAWKWARD; i += 2)
		assert_int_equal(entry_discover(st, a, awkward_ids[i], when[i],
		    NULL), 0);
	assert_int_equal(state_entries_discover(st, a, awkward_ids, when,
	    NULL, NAWKWARD, added, err, sizeof(err)), 0);
	for (size_t i = 0; i < NAWKWARD; i++)
		assert_int_equal(added[i], i % 2);
	assert_int_equal(state_entries_get(st, a, awkward_ids, NAWKWARD,
	    status, got, err, sizeof(err)), 0);
	for (size_t i = 0; i < NAWKWARD; i++) {
		assert_int_equal(status[i], STATE_ENTRY_PENDING);
		assert_int_equal(got[i], when[i]);
		/* Stored as given, not as the literal spelled it. */
		assert_int_equal(entry_status(st, a, awkward_ids[i], NULL),
		    STATE_ENTRY_PENDING);
	}
	assert_int_equal(state_entries_mark_seen(st, a, awkward_ids, when,
	    NAWKWARD, err, sizeof(err)), 0);
	assert_int_equal(entries_seen(st, "a"), NAWKWARD);
	assert_int_equal(sql(path_for("awkward.db"),
	    "SELECT count(*) FROM entries WHERE entry_id = 'back\\slash'"
	    " OR entry_id = 'with \"quotes\"' OR entry_id = '{braces}'"), 3);
	state_close(st);
}

static void
test_batch_empty(void **ctx)
{
	struct state *st = open_ok(path_for("empty.db"));
	int64_t a = feed_id(st, "a");

	(void)ctx;
	/* Nothing to read or write: NULL arrays are never touched. */
	assert_int_equal(state_entries_get(st, a, NULL, 0, NULL, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(state_entries_discover(st, a, NULL, NULL, NULL, 0,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(state_entries_mark_seen(st, a, NULL, NULL, 0, err,
	    sizeof(err)), 0);
	assert_int_equal(entries_seen(st, "a"), 0);
	state_close(st);
}

/* A skipped first poll marks every entry of the document seen, repeats
 * included: each is counted, and recorded, once. */
static void
test_batch_repeats(void **ctx)
{
	const char *const ids[] = { "p", "u", "p", "s", "u", "n", "n" };
	const int64_t when[] = { 1, 2, 3, 4, 5, 6, 7 };
	enum { N = sizeof(ids) / sizeof(ids[0]) };
	struct state *st = open_ok(path_for("repeats.db"));
	int64_t a = feed_id(st, "a"), got[N], us;
	int status[N], added[N];

	(void)ctx;
	assert_int_equal(entry_discover(st, a, "p", 10, NULL), 0);
	assert_int_equal(entry_mark_seen(st, a, "s", 40), 0);
	assert_int_equal(entries_seen(st, "a"), 1);
	assert_int_equal(state_entries_get(st, a, ids, N, status, got, err,
	    sizeof(err)), 0);
	assert_int_equal(status[0], STATE_ENTRY_PENDING);
	assert_int_equal(status[2], STATE_ENTRY_PENDING);
	assert_int_equal(got[2], 10);
	assert_int_equal(status[1], STATE_ENTRY_UNKNOWN);
	assert_int_equal(status[3], STATE_ENTRY_SEEN);
	assert_int_equal(got[3], 40);

	/* A repeat is added at its first occurrence, with its time. */
	assert_int_equal(state_entries_discover(st, a, ids, when, NULL, N,
	    added, err, sizeof(err)), 0);
	assert_int_equal(added[0], 0);
	assert_int_equal(added[1], 1);
	assert_int_equal(added[2], 0);
	assert_int_equal(added[3], 0);
	assert_int_equal(added[4], 0);
	assert_int_equal(added[5], 1);
	assert_int_equal(added[6], 0);
	assert_int_equal(entry_status(st, a, "u", &us), STATE_ENTRY_PENDING);
	assert_int_equal(us, 2);
	assert_int_equal(entry_status(st, a, "n", &us), STATE_ENTRY_PENDING);
	assert_int_equal(us, 6);

	/* p, u and n change, s was seen already: three more, not five. */
	assert_int_equal(state_entries_mark_seen(st, a, ids, when, N, err,
	    sizeof(err)), 0);
	assert_int_equal(entries_seen(st, "a"), 4);
	assert_int_equal(state_entries_mark_seen(st, a, ids, when, N, err,
	    sizeof(err)), 0);
	assert_int_equal(entries_seen(st, "a"), 4);
	assert_int_equal(entry_status(st, a, "p", &us), STATE_ENTRY_SEEN);
	assert_int_equal(us, 10);

	/* Unknown ones, repeated, inserted seen once. */
	{
		const char *const fresh[] = { "x", "y", "x" };
		const int64_t at[] = { 100, 200, 300 };

		assert_int_equal(state_entries_mark_seen(st, a, fresh, at, 3,
		    err, sizeof(err)), 0);
		assert_int_equal(entries_seen(st, "a"), 6);
		assert_int_equal(entry_status(st, a, "x", &us),
		    STATE_ENTRY_SEEN);
		assert_int_equal(us, 100);
	}
	state_close(st);
}

/* Find id among pending[0..n). */
static const struct state_pending *
pending_find(const struct state_pending *pending, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pending[i].id, id) == 0)
			return &pending[i];
	return NULL;
}

/* A pending entry keeps what delivers it, per feed, until it is seen; an
 * entry already known keeps what it had; one recorded without anything
 * is not listed. */
static void
test_pending_kept(void **ctx)
{
	const char *const ids[] = { "p", "q", "r", "k" };
	const int64_t when[] = { 10, 20, 30, 40 };
	const char *const kept[] = { "{\"id\":\"p\"}",
	    "{\"id\":\"q\",\"title\":\"a \\\"quoted\\\" {x}\"}", NULL,
	    "{\"id\":\"k\",\"again\":1}" };
	struct state *st = open_ok(path_for("pending.db"));
	int64_t a = feed_id(st, "a"), b = feed_id(st, "b");
	const struct state_pending *p;
	struct state_pending *pending;
	size_t n;
	int added[4];

	(void)ctx;
	assert_int_equal(state_entries_pending(st, a, &pending, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	state_pending_free(pending, n);
	assert_int_equal(entry_discover(st, a, "k", 5, NULL), 0);
	assert_int_equal(state_entries_discover(st, a, ids, when, kept, 4,
	    added, err, sizeof(err)), 0);
	assert_int_equal(added[3], 0);
	assert_int_equal(state_entries_pending(st, a, &pending, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_non_null(p = pending_find(pending, n, "p"));
	assert_int_equal(p->discovered_us, 10);
	assert_string_equal(p->entry, kept[0]);
	assert_non_null(p = pending_find(pending, n, "q"));
	assert_int_equal(p->discovered_us, 20);
	assert_string_equal(p->entry, kept[1]);
	state_pending_free(pending, n);
	assert_int_equal(state_entries_pending(st, b, &pending, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	state_pending_free(pending, n);

	/* Seen, it is forgotten: the state stays bounded. */
	assert_int_equal(entry_mark_seen(st, a, "p", 10), 0);
	assert_int_equal(state_entries_pending(st, a, &pending, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pending[0].id, "q");
	state_pending_free(pending, n);
	assert_int_equal(sql(path_for("pending.db"), "SELECT count(*) FROM"
	    " entries WHERE pending_entry IS NOT NULL"), 1);
	state_close(st);
}

/* Revisions: a version kept with the entry delivered, a revision pending
 * then done, counted in its feed, and versions forgotten past the
 * window. */
static void
test_revisions_kept(void **ctx)
{
	struct state *st = open_ok(path_for("revisions.db"));
	int64_t a = feed_id(st, "a"), b = feed_id(st, "b");
	struct state_revision *revs;
	struct state_feed f;
	size_t n;

	(void)ctx;
	assert_int_equal(state_revisions_get(st, a, &revs, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	state_revisions_free(revs, n);
	assert_int_equal(entry_discover(st, a, "x", 100, NULL), 0);
	assert_int_equal(entry_discover(st, a, "old", 5, NULL), 0);
	assert_int_equal(entry_discover(st, a, "plain", 7, NULL), 0);
	assert_int_equal(entry_mark_seen(st, a, "x", 100), 0);
	assert_int_equal(entry_mark_seen(st, a, "old", 5), 0);
	assert_int_equal(entry_mark_seen(st, a, "plain", 7), 0);
	/* The first item delivered: version 1, under its discovery time. */
	assert_int_equal(state_revision_done(st, a, "x", 11, 1, 100, "v1", err,
	    sizeof(err)), 0);
	assert_int_equal(state_revision_done(st, a, "old", 12, 1, 5, "o1", err,
	    sizeof(err)), 0);
	assert_int_equal(state_revisions_get(st, a, &revs, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		if (strcmp(revs[i].id, "x") == 0) {
			assert_int_equal(revs[i].fingerprint, 11);
			assert_int_equal(revs[i].number, 1);
			assert_int_equal(revs[i].number_us, 100);
			assert_int_equal(revs[i].pending_us, 0);
			assert_string_equal(revs[i].version, "v1");
		}
	state_revisions_free(revs, n);

	/* Pending, then delivered as version 2; then one that changed
	 * nothing leaves version 2 as it is. */
	assert_int_equal(state_revision_record(st, a, "x", 22, 300, err,
	    sizeof(err)), 0);
	assert_int_equal(state_revisions_get(st, a, &revs, &n, err,
	    sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(revs[i].id, "x") == 0) {
			assert_int_equal(revs[i].fingerprint, 22);
			assert_int_equal(revs[i].pending_us, 300);
			assert_string_equal(revs[i].version, "v1");
		}
	state_revisions_free(revs, n);
	assert_int_equal(state_revision_done(st, a, "x", 22, 2, 300, "v2", err,
	    sizeof(err)), 0);
	assert_int_equal(state_revision_record(st, a, "x", 33, 400, err,
	    sizeof(err)), 0);
	assert_int_equal(state_revision_done(st, a, "x", 33, 0, 0, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(state_revisions_get(st, a, &revs, &n, err,
	    sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(revs[i].id, "x") == 0) {
			assert_int_equal(revs[i].fingerprint, 33);
			assert_int_equal(revs[i].number, 2);
			assert_int_equal(revs[i].number_us, 300);
			assert_int_equal(revs[i].pending_us, 0);
			assert_string_equal(revs[i].version, "v2");
		}
	state_revisions_free(revs, n);
	assert_int_equal(state_feed_get(st, "a", "http://example.org/", &f,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(f.revisions, 1);
	state_feed_clear(&f);

	/* Past the window, a version is forgotten; other feeds keep theirs. */
	assert_int_equal(state_revisions_expire(st, a, 50, err, sizeof(err)), 0);
	assert_int_equal(state_revisions_expire(st, b, 1000, err, sizeof(err)),
	    0);
	assert_int_equal(state_revisions_get(st, a, &revs, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(revs[0].id, "x");
	state_revisions_free(revs, n);
	state_close(st);
}

/* Two instances discovering one entry: one records it. */
static void
test_discover_race(void **ctx)
{
	const char *path;
	struct state *a, *b;
	int64_t id;
	int added_a = -1, added_b = -1;

	(void)ctx;
	PG_ONLY();
	path = path_for("race");
	a = open_ok(path);
	b = open_ok(path);
	id = feed_id(a, "f");
	assert_int_equal(state_begin(a, err, sizeof(err)), 0);
	assert_int_equal(entry_discover(a, id, "x", 1, &added_a), 0);
	assert_int_equal(state_commit(a, err, sizeof(err)), 0);
	assert_int_equal(entry_discover(b, id, "x", 2, &added_b), 0);
	assert_int_equal(added_a, 1);
	assert_int_equal(added_b, 0);
	/* In a batch, only the entries the other did not record first. */
	{
		const char *const ids[] = { "y", "x", "z" };
		const int64_t when[] = { 3, 3, 3 };
		int added[3];

		assert_int_equal(entry_discover(a, id, "z", 3, NULL), 0);
		assert_int_equal(state_entries_discover(b, id, ids, when, NULL, 3,
		    added, err, sizeof(err)), 0);
		assert_int_equal(added[0], 1);
		assert_int_equal(added[1], 0);
		assert_int_equal(added[2], 0);
	}
	state_close(a);
	state_close(b);
}

/* A story row: keys from 1, its bands band0 + i when fp is not NULL. */
static struct state_story
story(const char *name, int64_t us, int64_t url_key, const char *fp,
    int64_t band0, const char *duplicate_of)
{
	struct state_story s = {
		.name = (char *)name, .discovered_us = us, .url_key = url_key,
		.fp = (char *)fp, .duplicate_of = (char *)duplicate_of,
	};

	for (int i = 0; i < STATE_STORY_BANDS; i++)
		s.band[i] = band0 + i;
	return s;
}

/* The names state_stories_find gives for s, since since_us, joined by
 * spaces (static). */
static const char *
stories_found(struct state *st, const struct state_story *s, int64_t since)
{
	static char names[256];
	struct state_story *out;
	size_t n;

	names[0] = '\0';
	if (state_stories_find(st, s, since, &out, &n, err, sizeof(err)) == -1)
		fail_msg("state_stories_find: %s", err);
	for (size_t i = 0; i < n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", i ? " " : "", out[i].name);
	state_stories_free(out, n);
	return names;
}

/* Each feed counts its duplicates in the state, in the caller's
 * transaction: a batch rolled back (a crash before its commit) counts
 * nothing, so the replay that marks the entries seen counts them once. */
static void
test_duplicates_counted(void **ctx)
{
	struct state *st = open_ok(path_for("duplicates.db"));
	int64_t a = feed_id(st, "a"), b = feed_id(st, "b");
	struct state_feed f;

	(void)ctx;
	assert_int_equal(state_feed_count_duplicates(st, a, 0, err,
	    sizeof(err)), 0);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_count_duplicates(st, a, 3, err,
	    sizeof(err)), 0);
	state_rollback(st);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_count_duplicates(st, a, 2, err,
	    sizeof(err)), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_count_duplicates(st, a, 1, err,
	    sizeof(err)), 0);
	assert_int_equal(state_feed_get(st, "a", "http://example.org/", &f,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(f.duplicates, 3);
	/* A save of what a poll read before keeps the state's count. */
	f.duplicates = 0;
	assert_true(state_feed_save(st, &f, err, sizeof(err)) >= 0);
	state_feed_clear(&f);
	assert_int_equal(state_feed_get(st, "a", "http://example.org/", &f,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(f.duplicates, 3);
	state_feed_clear(&f);
	assert_int_equal(state_feed_get(st, "b", "http://example.org/", &f,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(f.id, b);
	assert_int_equal(f.duplicates, 0);
	state_feed_clear(&f);
	state_close(st);
}

/* Stories are found by URL key or by any one band, in discovery order,
 * within the window; the claim's own row by name at any age. */
static void
test_stories(void **ctx)
{
	struct state *st = open_ok(path_for("stories.db"));
	struct state_story a = story("a", 100, 7, "fa", 1000, NULL);
	struct state_story b = story("b", 200, 0, "fb", 2000, "a");
	struct state_story c = story("c", 300, 8, NULL, 0, NULL);
	struct state_story q;
	struct state_story *out;
	size_t n;
	int64_t pruned;

	(void)ctx;
	assert_int_equal(state_story_add(st, &a, err, sizeof(err)), 0);
	assert_int_equal(state_story_add(st, &b, err, sizeof(err)), 0);
	assert_int_equal(state_story_add(st, &c, err, sizeof(err)), 0);
	/* By URL key, or by one band shared (band 5 of b). */
	q = story("x", 400, 7, "fx", 5000, NULL);
	q.band[5] = 2005;
	assert_string_equal(stories_found(st, &q, 0), "a b");
	/* Keys absent match nothing: no URL key 0, no band without fp. */
	q = story("x", 400, 0, NULL, 1000, NULL);
	assert_string_equal(stories_found(st, &q, 0), "");
	q = story("x", 400, 8, NULL, 1000, NULL);
	assert_string_equal(stories_found(st, &q, 0), "c");
	/* A band is compared with its own column only. */
	q = story("x", 400, 0, "fx", 1001, NULL);
	assert_string_equal(stories_found(st, &q, 0), "");
	/* The window: older ones are not candidates, but one's own row is
	 * (a replayed claim). */
	q = story("a", 100, 7, "fa", 1000, NULL);
	assert_string_equal(stories_found(st, &q, 150), "a");
	q.name = "x";
	assert_string_equal(stories_found(st, &q, 150), "");
	/* A second add of a name keeps the first answer. */
	a.duplicate_of = "c";
	assert_int_equal(state_story_add(st, &a, err, sizeof(err)), 0);
	q = story("a", 0, 0, NULL, 0, NULL);
	assert_int_equal(state_stories_find(st, &q, 0, &out, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_null(out[0].duplicate_of);
	assert_string_equal(out[0].fp, "fa");
	assert_int_equal(out[0].url_key, 7);
	assert_int_equal(out[0].band[7], 1007);
	state_stories_free(out, n);
	q = story("b", 0, 0, NULL, 0, NULL);
	assert_int_equal(state_stories_find(st, &q, 0, &out, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].duplicate_of, "a");
	state_stories_free(out, n);
	/* Pruned by the window. */
	assert_int_equal(state_stories_prune(st, 250, &pruned, err,
	    sizeof(err)), 0);
	assert_int_equal(pruned, 2);
	q = story("x", 400, 7, "fx", 1000, NULL);
	q.url_key = 8;
	assert_string_equal(stories_found(st, &q, 0), "c");
	state_close(st);
}

/* Keys are 64-bit: the extremes go in and come back. */
static void
test_stories_wide_keys(void **ctx)
{
	struct state *st = open_ok(path_for("stories-wide.db"));
	struct state_story a = story("a", 1, INT64_MIN, "f", INT64_MAX - 7,
	    NULL);
	struct state_story q = story("x", 2, INT64_MIN, NULL, 0, NULL);

	(void)ctx;
	assert_int_equal(state_story_add(st, &a, err, sizeof(err)), 0);
	assert_string_equal(stories_found(st, &q, 0), "a");
	q = story("x", 2, 0, "g", 0, NULL);
	q.band[7] = INT64_MAX;
	assert_string_equal(stories_found(st, &q, 0), "a");
	state_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates),
		cmocka_unit_test(test_reopen_persists),
		cmocka_unit_test(test_foreign_refused),
		cmocka_unit_test(test_garbage_refused),
		cmocka_unit_test(test_newer_version_refused),
		cmocka_unit_test(test_readonly_refused),
		cmocka_unit_test(test_corruption_surfaces),
		cmocka_unit_test(test_feed_roundtrip),
		cmocka_unit_test(test_entry_lifecycle),
		cmocka_unit_test(test_seen_counted_once),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_migrate_from_v1),
		cmocka_unit_test(test_migrate_from_v2),
		cmocka_unit_test(test_migrate_from_v3),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_feed_learned_fields),
		cmocka_unit_test(test_not_shared),
		cmocka_unit_test(test_leases),
		cmocka_unit_test(test_host_slots),
		cmocka_unit_test(test_host_holds),
		cmocka_unit_test(test_batch_awkward_ids),
		cmocka_unit_test(test_batch_empty),
		cmocka_unit_test(test_batch_repeats),
		cmocka_unit_test(test_pending_kept),
		cmocka_unit_test(test_revisions_kept),
		cmocka_unit_test(test_discover_race),
		cmocka_unit_test(test_stories),
		cmocka_unit_test(test_duplicates_counted),
		cmocka_unit_test(test_stories_wide_keys),
	};

	pg_admin = getenv("NEWSWATCH_TEST_PG");
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
