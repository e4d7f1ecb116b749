/*
 * state_sqlite.c - the embedded backend of state.h: one SQLite file.
 * This file opens, checks and migrates it and keeps the feeds;
 * state_sqlite_entries.c the rest (state_sqlite.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "spool.h"
#include "state.h"
#include "state_backend.h"
#include "state_schema.h"
#include "state_sqlite.h"

/* PRAGMA application_id: "nwst", so `file` and we can tell our state from
 * any other SQLite database. */
#define STATE_APP_ID 0x6e777374

#define BUSY_TIMEOUT_MS 5000

static const char *const stmt_sql[S_COUNT] = {
	[S_REV_GET] = "SELECT v.entry_id AS id, v.fingerprint, v.number,"
	    " v.number_us, coalesce(e.revision_pending_us, 0) AS pending_us,"
	    " v.version, v.discovered_us,"
	    " coalesce(v.next_check_us, 0) AS next_check_us"
	    " FROM versions v LEFT JOIN entries e"
	    " ON e.feed_id = v.feed_id AND e.entry_id = v.entry_id"
	    " WHERE v.feed_id = ?1",
	[S_REV_DUE] = "SELECT entry_id AS id, discovered_us, entry"
	    " FROM versions WHERE feed_id = ?1 AND next_check_us <= ?2"
	    " ORDER BY next_check_us LIMIT ?3",
	[S_REV_RECORD] = "UPDATE versions SET fingerprint = ?3"
	    " WHERE feed_id = ?1 AND entry_id = ?2",
	[S_REV_PENDING] = "UPDATE entries SET revision_pending_us = nullif(?3, 0)"
	    " WHERE feed_id = ?1 AND entry_id = ?2",
	/* Version 1 is the entry's first item: its time is its discovery's,
	 * which the window counts from. */
	[S_REV_DONE] = "INSERT INTO versions (feed_id, entry_id, discovered_us,"
	    " fingerprint, number, number_us, version, next_check_us, entry)"
	    " VALUES (?1, ?2, ?5, ?3, ?4, ?5, ?6, nullif(?7, 0), ?8)"
	    " ON CONFLICT (feed_id, entry_id) DO UPDATE SET"
	    " fingerprint = excluded.fingerprint, number = excluded.number,"
	    " number_us = excluded.number_us, version = excluded.version,"
	    " next_check_us = excluded.next_check_us,"
	    " entry = coalesce(excluded.entry, versions.entry)",
	/* Nothing delivered: the last version stays. */
	[S_REV_SAME] = "UPDATE versions SET fingerprint = ?3,"
	    " next_check_us = nullif(?7, 0), entry = coalesce(?8, entry)"
	    " WHERE feed_id = ?1 AND entry_id = ?2",
	[S_REV_COUNT] = "UPDATE feeds SET revisions = revisions + 1"
	    " WHERE id = ?1",
	[S_REV_EXPIRE] = "DELETE FROM versions WHERE feed_id = ?1"
	    " AND discovered_us < ?2",
	/* Named: with no statistics the planner reads every entry of the
	 * feed through the primary key instead of the few pending. */
	[S_REV_EXPIRE_PENDING] = "UPDATE entries"
	    " INDEXED BY entries_revision_pending"
	    " SET revision_pending_us = NULL"
	    " WHERE feed_id = ?1 AND revision_pending_us IS NOT NULL"
	    " AND discovered_us < ?2",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_FEED_GET] = "SELECT @FEED_COLUMNS@ FROM feeds WHERE name = ?1",
	[S_FEED_INSERT] =
	    "INSERT INTO feeds (name, url, config_url, created)"
	    " VALUES (?1, ?2, ?2, ?3)",
	[S_FEED_SAVE] = "UPDATE feeds SET url = ?2, etag = ?3,"
	    " last_modified = ?4, last_poll = ?5, last_status = ?6,"
	    " last_error = ?7, next_poll = ?8, polls = ?9, failures = ?10,"
	    " config_url = ?11, interval = ?12, interval_why = ?13,"
	    " disabled = ?14, last_success = ?15, first_success_us = ?16,"
	    " ttl = ?17"
	    " WHERE id = ?1",
	[S_FEED_LIST] = "SELECT @FEED_COLUMNS@ FROM feeds ORDER BY name",
	[S_FEED_COUNT_DUPLICATES] =
	    "UPDATE feeds SET duplicates = duplicates + ?2 WHERE id = ?1",
	[S_FEED_COUNT_SEEN] =
	    "UPDATE feeds SET entries_seen = entries_seen + ?2 WHERE id = ?1",
	[S_ENTRY_GET] = "SELECT status, discovered_us FROM entries"
	    " WHERE feed_id = ?1 AND entry_id = ?2",
	[S_ENTRY_INSERT] = "INSERT INTO entries"
	    " (feed_id, entry_id, discovered_us, status, seen_at,"
	    " pending_entry) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (feed_id, entry_id) DO NOTHING",
	[S_ENTRY_SEE] = "UPDATE entries SET status = 2, seen_at = ?3,"
	    " pending_entry = NULL"
	    " WHERE feed_id = ?1 AND entry_id = ?2 AND status <> 2",
	/* Named, as S_REV_EXPIRE_PENDING's. */
	[S_ENTRIES_PENDING] = "SELECT entry_id AS id, discovered_us,"
	    " pending_entry AS entry FROM entries INDEXED BY entries_pending"
	    " WHERE feed_id = ?1 AND pending_entry IS NOT NULL",
	[S_ENTRIES_FIND] = "SELECT f.name AS feed, e.entry_id AS id,"
	    " e.status AS status, e.discovered_us AS discovered_us,"
	    " coalesce(e.seen_at, 0) AS seen_at,"
	    " coalesce(e.gone_since, 0) AS gone_since,"
	    " CASE WHEN json_valid(e.pending_entry)"
	    " THEN json_extract(e.pending_entry, '$.link') END AS link"
	    " FROM entries e JOIN feeds f ON f.id = e.feed_id"
	    " WHERE CASE WHEN ?1 IS NULL THEN e.discovered_us = ?2"
	    " ELSE e.entry_id = ?1 OR link = ?1 END"
	    " ORDER BY e.discovered_us, f.name",
	[S_ENTRY_COUNT_SINCE] = "SELECT count(*) FROM entries"
	    " WHERE feed_id = ?1 AND discovered_us > ?2",
	[S_URL_ADD] = "INSERT INTO feed_urls (feed_id, url, since, reason)"
	    " VALUES (?1, ?2, ?3, ?4)",
	/* state_keep: what a feed's document (or the config) still lists goes
	 * into temp.listed for the statements after these two. */
	[S_LISTED_ADD] = "INSERT OR IGNORE INTO temp.listed VALUES (?1)",
	[S_LISTED_CLEAR] = "DELETE FROM temp.listed",
	[S_ENTRIES_GONE] = "UPDATE entries SET gone_since = ?2"
	    " WHERE feed_id = ?1 AND gone_since IS NULL"
	    " AND entry_id NOT IN (SELECT name FROM temp.listed)",
	[S_ENTRIES_BACK] = "UPDATE entries SET gone_since = NULL"
	    " WHERE feed_id = ?1 AND gone_since IS NOT NULL"
	    " AND entry_id IN (SELECT name FROM temp.listed)",
	/* Pending entries wait for delivery, however old. */
	[S_ENTRIES_PRUNE] = "DELETE FROM entries WHERE feed_id = ?1"
	    " AND status = 2 AND gone_since < ?3",
	[S_FEEDS_GONE] = "UPDATE feeds SET removed_since = ?1"
	    " WHERE removed_since = 0"
	    " AND name NOT IN (SELECT name FROM temp.listed)",
	[S_FEEDS_BACK] = "UPDATE feeds SET removed_since = 0"
	    " WHERE removed_since <> 0"
	    " AND name IN (SELECT name FROM temp.listed)",
	/* Entries and URL history go with the feed (ON DELETE CASCADE). */
	[S_FEEDS_PRUNE] = "DELETE FROM feeds WHERE removed_since <> 0"
	    " AND removed_since < ?2",
	[S_HOLD_SET] = "INSERT INTO host_holds (host, until_ms) VALUES (?1, ?2)"
	    " ON CONFLICT (host) DO UPDATE"
	    " SET until_ms = max(until_ms, excluded.until_ms)",
	[S_HOLDS_PRUNE] = "DELETE FROM host_holds WHERE until_ms <= ?1",
	[S_HOLDS_LIST] = "SELECT host, until_ms, count(*) OVER ()"
	    " FROM host_holds ORDER BY host",
	/* Written as one OR of indexed terms, so that SQLite probes each
	 * index (its OR optimisation) rather than scan the window. */
	[S_STORIES_FIND] = STATE_STORY_SELECT
	    " WHERE (name = ?1 OR url_key = ?3 OR band0 = ?4 OR band1 = ?5"
	    " OR band2 = ?6 OR band3 = ?7 OR band4 = ?8 OR band5 = ?9"
	    " OR band6 = ?10 OR band7 = ?11)"
	    " AND (name = ?1 OR discovered_us >= ?2)"
	    " ORDER BY discovered_us, name",
	[S_STORY_ADD] = "INSERT INTO stories (name, discovered_us, url_key,"
	    " fp, band0, band1, band2, band3, band4, band5, band6, band7,"
	    " duplicate_of) VALUES (?1, ?2, ?3, ?12, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?13) ON CONFLICT (name) DO NOTHING",
	[S_STORIES_PRUNE] = "DELETE FROM stories WHERE discovered_us < ?1",
};

/* Put "what: sqlite's reason" into err; returns -1 for the caller's
 * return. */
int
sq_error(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* Run a statement that returns no row and reset it; the error message
 * stays in the handle for sq_error. */
int
sq_run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
pragma_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static const struct state_backend sqlite_backend;
static void sq_close(struct state *);
static void sq_rollback(struct state *);
static int sq_feed_url_add(struct state *, int64_t, const char *,
    const char *, char *, size_t);

static int
make_parent_dir(const char *path, char *err, size_t errlen)
{
	char *dir, *slash, why[512];
	int rc = 0;

	if ((dir = strdup(path)) == NULL) {
		snprintf(err, errlen, "state %s: %s", path, strerror(ENOMEM));
		return -1;
	}
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if ((rc = spool_mkdirs(dir, why, sizeof(why))) == -1)
			snprintf(err, errlen, "state %s: %s", path, why);
	}
	free(dir);
	return rc;
}

/*
 * Refuse what is not ours before writing a byte: a foreign database, a
 * newer schema.  A file that is not SQLite at all fails the first read.
 * No quick_check: it reads every page, seconds on a large state at each
 * start; corruption further in surfaces as the error of the query that
 * meets it.
 */
static int
check_identity(struct sqlite_state *st, int64_t *version, char *err, size_t errlen)
{
	int64_t app_id, objects = 0;

	if (pragma_int(st->db, "PRAGMA application_id", &app_id) == -1 ||
	    pragma_int(st->db, "PRAGMA user_version", version) == -1 ||
	    (app_id == 0 && pragma_int(st->db,
	    "SELECT count(*) FROM sqlite_schema", &objects) == -1))
		return sq_error(st->db, err, errlen, "state %s: cannot read",
		    st->path);
	/* A new file: nothing in it yet, no id. */
	if (app_id == 0 && *version == 0 && objects == 0)
		return 0;
	if (app_id != STATE_APP_ID) {
		snprintf(err, errlen, "%s is not a newswatch state file"
		    " (application_id 0x%08llx, expected 0x%08x)", st->path,
		    (unsigned long long)(uint32_t)app_id, STATE_APP_ID);
		return -1;
	}
	if (*version > state_schema_version(STATE_SQLITE)) {
		snprintf(err, errlen, "state %s: schema version %lld is newer"
		    " than this newswatch knows (%d)", st->path,
		    (long long)*version, state_schema_version(STATE_SQLITE));
		return -1;
	}
	return 0;
}

/* Take the file from version to this newswatch's schema, all steps in
 * one transaction. */
static int
migrate(struct sqlite_state *st, int64_t version, char *err, size_t errlen)
{
	const int target = state_schema_version(STATE_SQLITE);
	char sql[128], *step;
	int rc;

	if (version == target)
		return 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sq_error(st->db, err, errlen,
		    "state %s: cannot begin migration", st->path);
	/* Another process may have migrated between our check and the lock. */
	if (pragma_int(st->db, "PRAGMA user_version", &version) == -1) {
		sq_error(st->db, err, errlen, "state %s: cannot read", st->path);
		goto fail;
	}
	for (; version < target; version++) {
		if ((step = state_schema_step(STATE_SQLITE, (int)version)) == NULL) {
			snprintf(err, errlen, "state %s: cannot migrate: %s",
			    st->path, strerror(ENOMEM));
			goto fail;
		}
		rc = sqlite3_exec(st->db, step, NULL, NULL, NULL);
		free(step);
		if (rc != SQLITE_OK) {
			sq_error(st->db, err, errlen, "state %s: cannot migrate"
			    " to schema version %lld", st->path,
			    (long long)version + 1);
			goto fail;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;"
	    " PRAGMA user_version = %d; COMMIT", STATE_APP_ID, target);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sq_error(st->db, err, errlen, "state %s: cannot commit migration",
		    st->path);
		goto fail;
	}
	return 0;

fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
configure(struct sqlite_state *st, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *mode;
	int ok;

	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = ON;"
	    " PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sq_error(st->db, err, errlen, "state %s: cannot configure",
		    st->path);
		sqlite3_finalize(s);
		return -1;
	}
	/* The answer is the mode in force, which may not be the one asked. */
	mode = sqlite3_column_text(s, 0);
	ok = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	if (!ok)
		snprintf(err, errlen, "state %s: cannot use WAL (journal mode"
		    " stays %s)", st->path, mode ? (const char *)mode : "?");
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

static int
prepare_all(struct sqlite_state *st, char *err, size_t errlen)
{
	for (int i = 0; i < S_COUNT; i++) {
		char *sql = state_sql(STATE_SQLITE, stmt_sql[i]);
		int rc;

		if (sql == NULL) {
			snprintf(err, errlen, "state %s: %s", st->path,
			    strerror(ENOMEM));
			return -1;
		}
		rc = sqlite3_prepare_v3(st->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK)
			sq_error(st->db, err, errlen, "state %s: cannot prepare"
			    " '%s'", st->path, sql);
		free(sql);
		if (rc != SQLITE_OK)
			return -1;
	}
	return 0;
}

int
state_sqlite_open(const char *path, struct state **out, char *err,
    size_t errlen)
{
	struct sqlite_state *st;
	int64_t version;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "state %s: %s", path, strerror(ENOMEM));
		free(st);
		return -1;
	}
	if (make_parent_dir(path, err, errlen) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (st->db == NULL)
			snprintf(err, errlen, "state %s: cannot open: %s", path,
			    strerror(ENOMEM));
		else
			sq_error(st->db, err, errlen, "state %s: cannot open",
			    path);
		goto fail;
	}
	/* SQLite falls back to read-only without a word; the first write
	 * would fail far from the cause. */
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		snprintf(err, errlen, "state %s: cannot open for writing: %s",
		    path, strerror(EACCES));
		goto fail;
	}
	if (check_identity(st, &version, err, errlen) == -1 ||
	    configure(st, err, errlen) == -1 ||
	    migrate(st, version, err, errlen) == -1)
		goto fail;
	if (sqlite3_exec(st->db, "CREATE TEMP TABLE listed"
	    " (name TEXT PRIMARY KEY) WITHOUT ROWID", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sq_error(st->db, err, errlen, "state %s: cannot create a"
		    " temporary table", path);
		goto fail;
	}
	if (prepare_all(st, err, errlen) == -1)
		goto fail;
	st->base.be = &sqlite_backend;
	st->base.where = st->path;
	*out = &st->base;
	return 0;

fail:
	sq_close(&st->base);
	return -1;
}

static void
sq_close(struct state *base)
{
	struct sqlite_state *st = (struct sqlite_state *)base;

	if (st == NULL)
		return;
	if (st->db != NULL && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static int
sq_begin(struct state *base, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;

	if (sq_run(st->stmt[S_BEGIN]) == -1)
		return sq_error(st->db, err, errlen, "cannot begin transaction");
	return 0;
}

static int
sq_commit(struct state *base, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;

	if (sq_run(st->stmt[S_COMMIT]) == -1) {
		sq_error(st->db, err, errlen, "cannot commit");
		/* A commit that failed (busy, disk full) leaves the
		 * transaction open; the caller expects it gone. */
		sq_rollback(base);
		return -1;
	}
	return 0;
}

static void
sq_rollback(struct state *base)
{
	struct sqlite_state *st = (struct sqlite_state *)base;

	/* SQLite rolls back by itself after some errors (disk full, I/O). */
	if (!sqlite3_get_autocommit(st->db))
		sq_run(st->stmt[S_ROLLBACK]);
}

static int
sq_count(const void *res)
{
	return sqlite3_column_count((sqlite3_stmt *)res);
}

static const char *
sq_name(const void *res, int col)
{
	return sqlite3_column_name((sqlite3_stmt *)res, col);
}

/* A statement is on one row at a time: row is not used. */
static int
sq_is_null(const void *res, int row, int col)
{
	(void)row;
	return sqlite3_column_type((sqlite3_stmt *)res, col) == SQLITE_NULL;
}

static int64_t
sq_int64(const void *res, int row, int col)
{
	(void)row;
	return sqlite3_column_int64((sqlite3_stmt *)res, col);
}

static const char *
sq_text(const void *res, int row, int col)
{
	(void)row;
	return (const char *)sqlite3_column_text((sqlite3_stmt *)res, col);
}

static const struct state_cells sq_cells = {
	.count = sq_count,
	.name = sq_name,
	.is_null = sq_is_null,
	.int64 = sq_int64,
	.text = sq_text,
};

/* Every row of s (bound, not yet stepped) as an array of *n structs of
 * kind in *out; s is reset.  Fails with "cannot <what>: why" in err. */
int
sq_rows(struct sqlite_state *st, sqlite3_stmt *s, const struct state_row *kind,
    void **out, size_t *n, const char *what, char *err, size_t errlen)
{
	int at[STATE_MAX_COLUMNS], rc;
	char *v = NULL, *grown;
	size_t count = 0, cap = 0;

	if (state_row_find(kind, &sq_cells, s, at, what, err, errlen) == -1) {
		sqlite3_reset(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = reallocarray(v, cap, kind->size)) == NULL)
				goto nomem;
			v = grown;
		}
		if (state_row_decode(kind, &sq_cells, s, 0, at,
		    v + count * kind->size) == -1)
			goto nomem;
		count++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		state_rows_free(kind, v, count);
		return sq_error(st->db, err, errlen, "cannot %s", what);
	}
	*out = v;
	*n = count;
	return 0;

nomem:
	sqlite3_reset(s);
	state_rows_free(kind, v, count);
	snprintf(err, errlen, "cannot %s: %s", what, strerror(ENOMEM));
	return -1;
}

static int
sq_feed_find(struct state *base, const char *name, struct state_feed *out,
    int *found, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *get = st->stmt[S_FEED_GET];
	void *rows;
	char what[256];
	size_t n;

	snprintf(what, sizeof(what), "read feed %s", name);
	sqlite3_bind_text(get, 1, name, -1, SQLITE_STATIC);
	if (sq_rows(st, get, &state_feed_row, &rows, &n, what, err,
	    errlen) == -1)
		return -1;
	*found = state_rows_take_one(&state_feed_row, rows, n, out);
	return 0;
}

static int
sq_feed_create(struct state *base, const char *name, const char *url,
    int *made, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *ins = st->stmt[S_FEED_INSERT];

	sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, (sqlite3_int64)time(NULL));
	if (sq_run(ins) == -1)
		return sq_error(st->db, err, errlen, "cannot create feed %s",
		    name);
	*made = 1;
	return sq_feed_url_add(base, sqlite3_last_insert_rowid(st->db), url,
	    "config", err, errlen);
}

static int
sq_feed_save(struct state *base, const struct state_feed *feed,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_FEED_SAVE];

	sqlite3_bind_int64(s, 1, feed->id);
	sqlite3_bind_text(s, 2, feed->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, feed->etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, feed->last_modified, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, feed->last_poll);
	sqlite3_bind_int(s, 6, feed->last_status);
	sqlite3_bind_text(s, 7, feed->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, feed->next_poll);
	sqlite3_bind_int64(s, 9, feed->polls);
	sqlite3_bind_int(s, 10, feed->failures);
	sqlite3_bind_text(s, 11, feed->config_url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 12, feed->interval);
	sqlite3_bind_text(s, 13, feed->interval_why, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, feed->disabled);
	sqlite3_bind_int64(s, 15, feed->last_success);
	sqlite3_bind_int64(s, 16, feed->first_success_us);
	sqlite3_bind_int64(s, 17, feed->ttl);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot save feed %s",
		    feed->name);
	if (sqlite3_changes(st->db) == 0) {
		snprintf(err, errlen, "cannot save feed %s: no feed with id %lld",
		    feed->name, (long long)feed->id);
		return -1;
	}
	return 0;
}

static int
sq_feed_list(struct state *base, struct state_feed **out, size_t *n,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;

	return sq_rows(st, st->stmt[S_FEED_LIST], &state_feed_row,
	    (void **)out, n, "list feeds", err, errlen);
}

static int
sq_feed_url_add(struct state *base, int64_t feed_id, const char *url,
    const char *reason, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_URL_ADD];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot record url %s of"
		    " feed %lld", url, (long long)feed_id);
	return 0;
}

static int
sq_feed_count_duplicates(struct state *base, int64_t feed_id, int64_t n,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_FEED_COUNT_DUPLICATES];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int64(s, 2, n);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot count the"
		    " duplicates of feed %lld", (long long)feed_id);
	return 0;
}

static int
sq_feed_rename(struct state *base, const char *from, const char *to,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "UPDATE feeds SET name = ?2"
	    " WHERE name = ?1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
		rc = sq_run(s);
	}
	sqlite3_finalize(s);
	if (rc == -1)
		sq_error(st->db, err, errlen, "cannot rename feed %s to %s",
		    from, to);
	return rc;
}

static const struct state_backend sqlite_backend = {
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.feed_find = sq_feed_find,
	.feed_create = sq_feed_create,
	.feed_save = sq_feed_save,
	.feed_list = sq_feed_list,
	.feed_url_add = sq_feed_url_add,
	.entry_count_since = sq_entry_count_since,
	.entries_get = sq_entries_get,
	.entries_discover = sq_entries_discover,
	.entries_pending = sq_entries_pending,
	.entries_find = sq_entries_find,
	.revisions_get = sq_revisions_get,
	.revisions_due = sq_revisions_due,
	.revision_record = sq_revision_record,
	.revisions_done = sq_revisions_done,
	.revisions_expire = sq_revisions_expire,
	.entries_mark_seen = sq_entries_mark_seen,
	.feed_count_duplicates = sq_feed_count_duplicates,
	.feed_rename = sq_feed_rename,
	.entries_listed = sq_entries_listed,
	.feeds_listed = sq_feeds_listed,
	.host_hold = sq_host_hold,
	.host_holds = sq_host_holds,
	.stories_find = sq_stories_find,
	.story_add = sq_story_add,
	.stories_prune = sq_stories_prune,
};

