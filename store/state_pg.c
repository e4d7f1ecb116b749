/*
 * state_pg.c - the shared backend of state.h: one PostgreSQL database for
 * any number of instances (libpq).
 *
 * Every call is one round trip on the loop's thread, like SQLite's calls
 * are one disk access: a database on the local network answers in a
 * fraction of a millisecond, and the batches of poll.c keep the count low.
 * Statements are prepared once per connection; a connection lost between
 * transactions is made again (and its statements prepared again) at the
 * next call, so a restarted server costs the polls in flight, not the
 * daemon.
 *
 * This file connects, migrates, runs statements and keeps the feeds;
 * state_pg_entries.c and state_pg_shared.c hold the rest (state_pg.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "state.h"
#include "state_backend.h"
#include "state_pg.h"
#include "state_schema.h"

/* A connection attempt gives up after CONNECT_TIMEOUT seconds (unless the
 * URL says otherwise), a lock wait after LOCK_TIMEOUT: the loop waits for
 * both. */
#define CONNECT_TIMEOUT "10"
#define LOCK_TIMEOUT "5s"

/* Serialises the first open of a database by several instances at once. */
#define MIGRATION_LOCK 0x6e777374

#define ENTRIES_U "u AS (SELECT * FROM unnest($2::text[], $3::bigint[])" \
	" WITH ORDINALITY AS u (entry_id, discovered_us, i))"

static const char *const pstmt_sql[P_COUNT] = {
	[P_FEED_GET] = "SELECT @FEED_COLUMNS@ FROM feeds WHERE name = $1",
	/* Instances starting together create each feed once. */
	[P_FEED_INSERT] = "INSERT INTO feeds (name, url, config_url, created)"
	    " VALUES ($1, $2, $2, $3) ON CONFLICT (name) DO NOTHING"
	    " RETURNING id",
	/* A lease that passed to another instance is its to save. */
	[P_FEED_SAVE] = "UPDATE feeds SET url = $2, etag = $3,"
	    " last_modified = $4, last_poll = $5, last_status = $6,"
	    " last_error = $7, next_poll = $8, polls = $9, failures = $10,"
	    " config_url = $11, \"interval\" = $12, interval_why = $13,"
	    " disabled = $14, last_success = $15, first_success_us = $16,"
	    " ttl = $17, lease_owner = NULL, lease_until = 0"
	    " WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $18)",
	[P_FEED_OWNER] = "SELECT lease_owner FROM feeds WHERE id = $1",
	/* In byte order, as the scheduler's lookups compare with strcmp. */
	[P_FEED_LIST] = "SELECT @FEED_COLUMNS@ FROM feeds"
	    " ORDER BY name COLLATE \"C\"",
	/*
	 * The batches of entries: $2 the ids as a text[], $3 (same length)
	 * their discovery times.  u numbers them from 1, so that a result
	 * names positions in the caller's arrays, repeats included.
	 * Inserts go in id order, as any instance's do, so that two
	 * instances inserting the same entries wait for each other rather
	 * than deadlock; the unique key decides which of them has an entry,
	 * and a repeat loses to its first occurrence.
	 */
	[P_ENTRIES_GET] = "SELECT u.i, e.status, e.discovered_us"
	    " FROM unnest($2::text[]) WITH ORDINALITY AS u (entry_id, i)"
	    " JOIN entries e ON e.feed_id = $1::bigint"
	    " AND e.entry_id = u.entry_id",
	/* $4 (may be NULL): what to keep with each, a text[] too. */
	[P_ENTRIES_DISCOVER] = "WITH u AS (SELECT * FROM unnest($2::text[],"
	    " $3::bigint[], $4::text[]) WITH ORDINALITY"
	    " AS u (entry_id, discovered_us, pending_entry, i)),"
	    " added AS (INSERT INTO entries"
	    " (feed_id, entry_id, discovered_us, status, pending_entry)"
	    " SELECT $1::bigint, entry_id, discovered_us, 1, pending_entry"
	    " FROM u ORDER BY entry_id, i"
	    " ON CONFLICT (feed_id, entry_id) DO NOTHING RETURNING entry_id)"
	    " SELECT min(u.i) FROM u JOIN added USING (entry_id)"
	    " GROUP BY entry_id",
	/* Only a change from pending or unknown counts, so a re-emitted or
	 * repeated entry is counted once.  All parts see the snapshot from
	 * before the statement: a pending entry the update marks seen is
	 * still a conflict to the insert, not a second change. */
	[P_ENTRIES_SEE] = "WITH " ENTRIES_U ","
	    " seen AS (UPDATE entries e SET status = 2, seen_at = $4::bigint,"
	    " pending_entry = NULL"
	    " FROM u WHERE e.feed_id = $1::bigint AND e.entry_id = u.entry_id"
	    " AND e.status <> 2 RETURNING e.entry_id),"
	    " added AS (INSERT INTO entries"
	    " (feed_id, entry_id, discovered_us, status, seen_at)"
	    " SELECT $1::bigint, entry_id, discovered_us, 2, $4::bigint FROM u"
	    " ORDER BY entry_id, i"
	    " ON CONFLICT (feed_id, entry_id) DO NOTHING RETURNING entry_id),"
	    " changed AS (SELECT (SELECT count(*) FROM seen)"
	    " + (SELECT count(*) FROM added) AS n)"
	    " UPDATE feeds SET entries_seen = entries_seen + changed.n"
	    " FROM changed WHERE id = $1::bigint AND changed.n > 0",
	[P_REV_GET] = "SELECT v.entry_id AS id, v.fingerprint, v.number,"
	    " v.number_us, coalesce(e.revision_pending_us, 0) AS pending_us,"
	    " v.version, v.discovered_us,"
	    " coalesce(v.next_check_us, 0) AS next_check_us"
	    " FROM versions v LEFT JOIN entries e"
	    " ON e.feed_id = v.feed_id AND e.entry_id = v.entry_id"
	    " WHERE v.feed_id = $1",
	[P_REV_DUE] = "SELECT entry_id AS id, discovered_us, entry"
	    " FROM versions WHERE feed_id = $1 AND next_check_us <= $2"
	    " ORDER BY next_check_us LIMIT $3",
	[P_REV_RECORD] = "WITH v AS (UPDATE versions SET fingerprint = $3"
	    " WHERE feed_id = $1 AND entry_id = $2)"
	    " UPDATE entries SET revision_pending_us = nullif($4::bigint, 0)"
	    " WHERE feed_id = $1 AND entry_id = $2",
	/* A batch of versions done ($2.. the arrays of their fields), the
	 * last of an id standing.  Number 0: nothing delivered, the last
	 * version stays.  Version 1 is the entry's first item: its time is
	 * its discovery's, which the window counts from, and it has no
	 * revision pending to clear.  Revisions count in their feed's
	 * revisions in the same round trip. */
	[P_REV_DONE] = "WITH u AS (SELECT DISTINCT ON (entry_id) * FROM"
	    " unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[],"
	    " $6::text[], $7::bigint[], $8::text[]) WITH ORDINALITY AS u"
	    " (entry_id, fingerprint, number, number_us, version,"
	    " next_check_us, entry, i) ORDER BY entry_id, i DESC),"
	    " same AS (UPDATE versions v SET fingerprint = u.fingerprint,"
	    " next_check_us = nullif(u.next_check_us, 0),"
	    " entry = coalesce(u.entry, v.entry)"
	    " FROM u WHERE u.number = 0"
	    " AND v.feed_id = $1 AND v.entry_id = u.entry_id),"
	    " cleared AS (UPDATE entries e SET revision_pending_us = NULL"
	    " FROM u WHERE u.number <> 1 AND e.feed_id = $1"
	    " AND e.entry_id = u.entry_id"
	    " AND e.revision_pending_us IS NOT NULL),"
	    " done AS (INSERT INTO versions (feed_id, entry_id, discovered_us,"
	    " fingerprint, number, number_us, version, next_check_us, entry)"
	    " SELECT $1::bigint, entry_id, number_us, fingerprint, number,"
	    " number_us, version, nullif(next_check_us, 0), entry"
	    " FROM u WHERE number > 0"
	    " ON CONFLICT (feed_id, entry_id) DO UPDATE SET"
	    " fingerprint = excluded.fingerprint, number = excluded.number,"
	    " number_us = excluded.number_us, version = excluded.version,"
	    " next_check_us = excluded.next_check_us,"
	    " entry = coalesce(excluded.entry, versions.entry)"
	    " RETURNING number)"
	    " UPDATE feeds SET revisions = revisions + c.n FROM (SELECT count(*)"
	    " AS n FROM done WHERE number > 1) c WHERE id = $1 AND c.n > 0",
	[P_REV_EXPIRE] = "WITH v AS (DELETE FROM versions WHERE feed_id = $1"
	    " AND discovered_us < $2)"
	    " UPDATE entries SET revision_pending_us = NULL WHERE feed_id = $1"
	    " AND revision_pending_us IS NOT NULL AND discovered_us < $2",
	[P_ENTRIES_PENDING] = "SELECT entry_id AS id, discovered_us,"
	    " pending_entry AS entry FROM entries WHERE feed_id = $1 AND pending_entry IS NOT NULL",
	[P_ENTRIES_FIND] = "SELECT f.name AS feed, e.entry_id AS id,"
	    " e.status AS status, e.discovered_us AS discovered_us,"
	    " coalesce(e.seen_at, 0) AS seen_at,"
	    " coalesce(e.gone_since, 0) AS gone_since,"
	    " e.pending_entry::json->>'link' AS link"
	    " FROM entries e JOIN feeds f ON f.id = e.feed_id"
	    " WHERE CASE WHEN $1::text IS NULL"
	    " THEN e.discovered_us = $2::bigint"
	    " ELSE e.entry_id = $1 OR e.pending_entry::json->>'link' = $1 END"
	    " ORDER BY e.discovered_us, f.name",
	[P_ENTRY_COUNT_SINCE] = "SELECT count(*) FROM entries"
	    " WHERE feed_id = $1 AND discovered_us > $2",
	[P_URL_ADD] = "INSERT INTO feed_urls (feed_id, url, since, reason)"
	    " VALUES ($1, $2, $3, $4)",
	[P_ENTRIES_GONE] = "UPDATE entries SET gone_since = $2"
	    " WHERE feed_id = $1 AND gone_since IS NULL"
	    " AND NOT (entry_id = ANY ($3::text[]))",
	[P_ENTRIES_BACK] = "UPDATE entries SET gone_since = NULL"
	    " WHERE feed_id = $1 AND gone_since IS NOT NULL"
	    " AND entry_id = ANY ($2::text[])",
	/* Pending entries wait for delivery, however old. */
	[P_ENTRIES_PRUNE] = "DELETE FROM entries WHERE feed_id = $1"
	    " AND status = 2 AND gone_since < $2",
	[P_FEEDS_GONE] = "UPDATE feeds SET removed_since = $1"
	    " WHERE removed_since = 0 AND NOT (name = ANY ($2::text[]))",
	[P_FEEDS_BACK] = "UPDATE feeds SET removed_since = 0"
	    " WHERE removed_since <> 0 AND name = ANY ($1::text[])",
	[P_FEEDS_PRUNE] = "DELETE FROM feeds WHERE removed_since <> 0"
	    " AND removed_since < $1",
	[P_RENAME] = "UPDATE feeds SET name = $2 WHERE name = $1",
	[P_COUNT_DUPLICATES] = "UPDATE feeds SET duplicates = duplicates + $2"
	    " WHERE id = $1",
	/* Due feeds nobody holds, or that this instance holds (a poll whose
	 * save was lost with the connection, say), the most overdue first;
	 * SKIP LOCKED lets instances claiming at once take different ones. */
	[P_CLAIM] = "UPDATE feeds SET lease_owner = $1, lease_until = $2 + $3"
	    " WHERE id IN (SELECT id FROM feeds WHERE next_poll <= $2"
	    " AND (lease_until <= $2 OR lease_owner = $1)"
	    " AND disabled = 0 AND removed_since = 0"
	    " ORDER BY next_poll LIMIT $4 FOR UPDATE SKIP LOCKED)"
	    " RETURNING name",
	[P_RENEW] = "UPDATE feeds SET lease_until = $2::bigint + $3::bigint"
	    " WHERE lease_owner = $1",
	[P_RELEASE] = "UPDATE feeds SET lease_owner = NULL, lease_until = 0"
	    " WHERE name = $1 AND lease_owner = $2",
	/*
	 * A slot in use is a session advisory lock (host's hash, slot): it
	 * goes with the connection, so a crashed instance frees its slots at
	 * once.  The row of a slot only says until when per_host_delay keeps
	 * it idle.  CASE makes the lock the last test, taken for the first
	 * slot that passes the others and no other (LIMIT 1 stops there).
	 */
	/* $4: the slots of the host this session holds, which the lock
	 * would grant again (advisory locks nest within a session). */
	[P_HOST_ACQUIRE] = "SELECT s FROM generate_series(0, $2 - 1) s"
	    " WHERE CASE WHEN s = ANY ($4::int[]) OR EXISTS (SELECT 1 FROM"
	    " host_slots WHERE host = $1 AND slot = s AND busy_until_ms > $3)"
	    " THEN false ELSE pg_try_advisory_lock(hashtext($1), s) END"
	    " LIMIT 1",
	[P_HOST_RELEASE] = "SELECT pg_advisory_unlock(hashtext($1), $2)",
	[P_HOST_DELAY] = "INSERT INTO host_slots (host, slot, busy_until_ms)"
	    " VALUES ($1, $2, $3) ON CONFLICT (host, slot)"
	    " DO UPDATE SET busy_until_ms = $3",
	[P_HOLD_SET] = "INSERT INTO host_holds (host, until_ms) VALUES ($1, $2)"
	    " ON CONFLICT (host) DO UPDATE"
	    " SET until_ms = GREATEST(host_holds.until_ms, EXCLUDED.until_ms)",
	/* Past holds go in the same round trip as the list. */
	[P_HOLDS_TAKE] = "WITH gone AS (DELETE FROM host_holds"
	    " WHERE until_ms <= $1)"
	    " SELECT host, until_ms FROM host_holds WHERE until_ms > $1"
	    " ORDER BY host",
	/* A statement of its own: the find after it must see what the
	 * instance that held the lock committed, and a statement's snapshot
	 * is taken as it starts.  The one-key form, apart from the host
	 * slots' two-key locks; the key is "nwst". */
	[P_STORIES_LOCK] = "SELECT pg_advisory_xact_lock(1853322100)",
	[P_STORIES_FIND] = STATE_STORY_SELECT
	    " WHERE (name = $1 OR url_key = $3 OR band0 = $4 OR band1 = $5"
	    " OR band2 = $6 OR band3 = $7 OR band4 = $8 OR band5 = $9"
	    " OR band6 = $10 OR band7 = $11)"
	    " AND (name = $1 OR discovered_us >= $2)"
	    " ORDER BY discovered_us, name",
	[P_STORY_ADD] = "INSERT INTO stories (name, discovered_us, url_key,"
	    " fp, band0, band1, band2, band3, band4, band5, band6, band7,"
	    " duplicate_of) VALUES ($1, $2, $3, $12, $4, $5, $6, $7, $8, $9,"
	    " $10, $11, $13) ON CONFLICT (name) DO NOTHING",
	[P_STORIES_PRUNE] = "DELETE FROM stories WHERE discovered_us < $1",
};

static const struct state_backend pg_backend;

struct num
pg_num(int64_t v)
{
	struct num n;

	snprintf(n.s, sizeof(n.s), "%lld", (long long)v);
	return n;
}

int
pg_error(struct pg_state *st, char *err, size_t errlen, const char *fmt, ...)
{
	char what[512];
	const char *why = PQerrorMessage(st->conn);
	int len = (int)strcspn(why, "\n");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %.*s", what, len, len ? why : "no answer");
	return -1;
}

static int
prepare_all(struct pg_state *st)
{
	for (int i = 0; i < P_COUNT; i++) {
		char name[16], *sql = state_sql(STATE_PG, pstmt_sql[i]);
		PGresult *r;
		int ok;

		if (sql == NULL)
			return -1;
		snprintf(name, sizeof(name), "nw%d", i);
		r = PQprepare(st->conn, name, sql, 0, NULL);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		free(sql);
		if (!ok)
			return -1;
	}
	return 0;
}

static int
exec_sql(struct pg_state *st, const char *sql)
{
	PGresult *r = PQexec(st->conn, sql);
	ExecStatusType s = PQresultStatus(r);

	PQclear(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : -1;
}

/*
 * What a session needs, on every connection made: the loop waits for
 * each answer, so a lock another instance holds in a stalled transaction
 * must not hold it for long (LOCK_TIMEOUT), then the statements.
 */
static int
session_setup(struct pg_state *st)
{
	if (exec_sql(st, "SET synchronous_commit = on;"
	    " SET client_min_messages = warning;"
	    " SET lock_timeout = '" LOCK_TIMEOUT "'") == -1 ||
	    prepare_all(st) == -1)
		return -1;
	st->ready = 1;
	return 0;
}

/* Outside a transaction, a lost connection is made again; a session
 * whose setup failed (a server still starting, say) is set up again. */
static int
reconnect_if_lost(struct pg_state *st)
{
	if (PQstatus(st->conn) != CONNECTION_OK) {
		if (PQtransactionStatus(st->conn) != PQTRANS_UNKNOWN &&
		    PQtransactionStatus(st->conn) != PQTRANS_IDLE)
			return -1;
		st->ready = 0;
		PQreset(st->conn);
		if (PQstatus(st->conn) != CONNECTION_OK)
			return -1;
	}
	return st->ready ? 0 : session_setup(st);
}

/* Run prepared statement which with n text parameters (NULL is SQL
 * NULL).  Returns the result when it succeeded, else NULL with the
 * server's reason left in the connection for pg_error. */
PGresult *
pg_exec(struct pg_state *st, enum pstmt which, int n, const char *const *vals)
{
	char name[16];
	PGresult *r;
	ExecStatusType s;

	if (PQtransactionStatus(st->conn) == PQTRANS_IDLE ||
	    PQstatus(st->conn) != CONNECTION_OK || !st->ready)
		(void)reconnect_if_lost(st);
	snprintf(name, sizeof(name), "nw%d", (int)which);
	r = PQexecPrepared(st->conn, name, n, vals, NULL, NULL, 0);
	s = PQresultStatus(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	PQclear(r);
	return NULL;
}

/* Run a prepared statement for its effect; *changed (may be NULL) is the
 * number of rows it changed. */
int
pg_run(struct pg_state *st, enum pstmt which, int n, const char *const *vals,
    int64_t *changed)
{
	PGresult *r = pg_exec(st, which, n, vals);

	if (r == NULL)
		return -1;
	if (changed)
		*changed = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}


/* The first column of the first row of sql as a number, -1 on failure,
 * 0 with *isnull when it is NULL. */
static int
query_int(struct pg_state *st, const char *sql, int64_t *out, int *isnull)
{
	PGresult *r = PQexec(st->conn, sql);
	int rc = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		*isnull = PQgetisnull(r, 0, 0);
		*out = *isnull ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

/*
 * Create or migrate the schema, refusing a database that holds tables of
 * something else or a newer schema.  Under an advisory lock, so instances
 * starting together migrate once.
 */
static int
migrate(struct pg_state *st, char *err, size_t errlen)
{
	const int target = state_schema_version(STATE_PG);
	int64_t version = 0, tables;
	int isnull;
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)",
	    MIGRATION_LOCK);
	if (exec_sql(st, "BEGIN") == -1 || exec_sql(st, sql) == -1 ||
	    query_int(st, "SELECT to_regclass('newswatch_schema') IS NOT NULL"
	    " ::int", &tables, &isnull) == -1) {
		pg_error(st, err, errlen, "state %s: cannot read", st->where);
		goto fail;
	}
	if (tables == 0) {
		if (query_int(st, "SELECT count(*) FROM pg_tables WHERE"
		    " schemaname = current_schema()", &tables, &isnull) == -1) {
			pg_error(st, err, errlen, "state %s: cannot read",
			    st->where);
			goto fail;
		}
		if (tables > 0) {
			snprintf(err, errlen, "%s is not a newswatch state"
			    " (it has %lld tables, and no newswatch_schema)",
			    st->where, (long long)tables);
			goto fail;
		}
		if (exec_sql(st, "CREATE TABLE newswatch_schema"
		    " (version INTEGER NOT NULL);"
		    "INSERT INTO newswatch_schema VALUES (0)") == -1) {
			pg_error(st, err, errlen, "state %s: cannot create",
			    st->where);
			goto fail;
		}
	}
	if (query_int(st, "SELECT max(version) FROM newswatch_schema",
	    &version, &isnull) == -1 || isnull) {
		snprintf(err, errlen, "state %s: newswatch_schema holds no"
		    " version", st->where);
		goto fail;
	}
	if (version > target) {
		snprintf(err, errlen, "state %s: schema version %lld is newer"
		    " than this newswatch knows (%d)", st->where,
		    (long long)version, target);
		goto fail;
	}
	for (; version < target; version++) {
		char *step = state_schema_step(STATE_PG, (int)version);
		int rc = step ? exec_sql(st, step) : -1;

		free(step);
		if (rc == -1) {
			pg_error(st, err, errlen, "state %s: cannot migrate to"
			    " schema version %lld", st->where,
			    (long long)version + 1);
			goto fail;
		}
	}
	snprintf(sql, sizeof(sql), "UPDATE newswatch_schema SET version = %d",
	    target);
	if (exec_sql(st, sql) == -1 || exec_sql(st, "COMMIT") == -1) {
		pg_error(st, err, errlen, "state %s: cannot commit migration",
		    st->where);
		goto fail;
	}
	return 0;

fail:
	exec_sql(st, "ROLLBACK");
	return -1;
}

static void
pg_close(struct state *base)
{
	struct pg_state *st = pg(base);

	PQfinish(st->conn);
	for (size_t i = 0; i < st->nheld; i++)
		free(st->held[i].host);
	free(st->held);
	free(st->where);
	free(st);
}

int
state_pg_open(const char *conninfo, struct state **out, char *err,
    size_t errlen)
{
	struct pg_state *st;
	char host[64] = "";
	size_t len;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "state: %s", strerror(ENOMEM));
		return -1;
	}
	st->base.be = &pg_backend;
	/* Keywords before dbname are defaults the URL may override. */
	const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *const values[] = { CONNECT_TIMEOUT, conninfo, NULL };

	st->conn = PQconnectdbParams(keys, values, 1);
	/* Named without the URL's password, which logs must not show. */
	len = (size_t)snprintf(NULL, 0, "postgresql://%s:%s/%s",
	    PQhost(st->conn) ? PQhost(st->conn) : "?",
	    PQport(st->conn) ? PQport(st->conn) : "?",
	    PQdb(st->conn) ? PQdb(st->conn) : "?");
	if ((st->where = malloc(len + 1)) != NULL)
		snprintf(st->where, len + 1, "postgresql://%s:%s/%s",
		    PQhost(st->conn) ? PQhost(st->conn) : "?",
		    PQport(st->conn) ? PQport(st->conn) : "?",
		    PQdb(st->conn) ? PQdb(st->conn) : "?");
	st->base.where = st->where;
	if (st->conn == NULL || st->where == NULL) {
		snprintf(err, errlen, "state: %s", strerror(ENOMEM));
		goto fail;
	}
	if (PQstatus(st->conn) != CONNECTION_OK) {
		pg_error(st, err, errlen, "state %s: cannot connect", st->where);
		goto fail;
	}
	gethostname(host, sizeof(host) - 1);
	snprintf(st->owner, sizeof(st->owner), "%s:%ld:%08lx", host,
	    (long)getpid(), (unsigned long)random() ^
	    (unsigned long)time(NULL));
	if (migrate(st, err, errlen) == -1)
		goto fail;
	if (session_setup(st) == -1) {
		pg_error(st, err, errlen, "state %s: cannot prepare statements",
		    st->where);
		goto fail;
	}
	*out = &st->base;
	return 0;

fail:
	if (err[0] == '\0')
		pg_error(st, err, errlen, "state %s", st->where);
	pg_close(&st->base);
	return -1;
}

static int
pg_begin(struct state *base, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);

	/* PostgreSQL only warns of a BEGIN inside a transaction; SQLite,
	 * and the callers, take it for the error it is. */
	if (PQtransactionStatus(st->conn) == PQTRANS_INTRANS ||
	    PQtransactionStatus(st->conn) == PQTRANS_INERROR) {
		snprintf(err, errlen, "cannot begin transaction: one is open");
		return -1;
	}
	if (reconnect_if_lost(st) == -1 || exec_sql(st, "BEGIN") == -1)
		return pg_error(st, err, errlen, "cannot begin transaction");
	return 0;
}

static void
pg_rollback(struct state *base)
{
	struct pg_state *st = pg(base);

	if (PQtransactionStatus(st->conn) == PQTRANS_INTRANS ||
	    PQtransactionStatus(st->conn) == PQTRANS_INERROR)
		exec_sql(st, "ROLLBACK");
}

static int
pg_commit(struct state *base, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	PGresult *r;
	int ok;

	/* COMMIT of a transaction a statement failed in "succeeds" as a
	 * ROLLBACK: that is a failed commit to the caller. */
	if (PQtransactionStatus(st->conn) != PQTRANS_INTRANS &&
	    PQtransactionStatus(st->conn) != PQTRANS_INERROR) {
		snprintf(err, errlen, "cannot commit: no transaction is open");
		return -1;
	}
	if (PQtransactionStatus(st->conn) == PQTRANS_INERROR) {
		pg_rollback(base);
		snprintf(err, errlen, "cannot commit: a statement of the "
		    "transaction failed (rolled back)");
		return -1;
	}
	r = PQexec(st->conn, "COMMIT");
	ok = PQresultStatus(r) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(r), "COMMIT") == 0;
	PQclear(r);
	if (!ok) {
		pg_error(st, err, errlen, "cannot commit");
		pg_rollback(base);
		return -1;
	}
	return 0;
}

int
pg_value_strdup(const PGresult *r, int row, int col, char **out)
{
	*out = NULL;
	if (PQgetisnull(r, row, col))
		return 0;
	return (*out = strdup(PQgetvalue(r, row, col))) == NULL ? -1 : 0;
}

int64_t
pg_value_int(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int
pg_count(const void *res)
{
	return PQnfields(res);
}

static const char *
pg_name(const void *res, int col)
{
	return PQfname(res, col);
}

static int
pg_is_null(const void *res, int row, int col)
{
	return PQgetisnull(res, row, col);
}

static int64_t
pg_cell_int64(const void *res, int row, int col)
{
	return pg_value_int(res, row, col);
}

static const char *
pg_text(const void *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}

static const struct state_cells pg_cells = {
	.count = pg_count,
	.name = pg_name,
	.is_null = pg_is_null,
	.int64 = pg_cell_int64,
	.text = pg_text,
};

/* Every row of r as an array of *n structs of kind in *out (r is
 * cleared).  Fails with "cannot <what>: why" in err. */
int
pg_rows(PGresult *r, const struct state_row *kind, void **out, size_t *n,
    const char *what, char *err, size_t errlen)
{
	int at[STATE_MAX_COLUMNS], rows = PQntuples(r), i = 0;
	char *v = NULL;

	if (state_row_find(kind, &pg_cells, r, at, what, err, errlen) == -1) {
		PQclear(r);
		return -1;
	}
	if ((v = calloc((size_t)rows + 1, kind->size)) != NULL)
		while (i < rows && state_row_decode(kind, &pg_cells, r, i, at,
		    v + (size_t)i * kind->size) == 0)
			i++;
	PQclear(r);
	if (v == NULL || i < rows) {
		state_rows_free(kind, v, (size_t)i);
		snprintf(err, errlen, "cannot %s: %s", what, strerror(ENOMEM));
		return -1;
	}
	*out = v;
	*n = (size_t)rows;
	return 0;
}

static int pg_feed_url_add(struct state *, int64_t, const char *,
    const char *, char *, size_t);

static int
pg_feed_find(struct state *base, const char *name, struct state_feed *out,
    int *found, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	void *rows;
	char what[256];
	PGresult *r;
	size_t n;

	snprintf(what, sizeof(what), "read feed %s", name);
	if ((r = pg_exec(st, P_FEED_GET, 1, &name)) == NULL)
		return pg_error(st, err, errlen, "cannot %s", what);
	if (pg_rows(r, &state_feed_row, &rows, &n, what, err, errlen) == -1)
		return -1;
	*found = state_rows_take_one(&state_feed_row, rows, n, out);
	return 0;
}

static int
pg_feed_create(struct state *base, const char *name, const char *url,
    int *made, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num now = pg_num((int64_t)time(NULL));
	const char *ins[] = { name, url, now.s };
	PGresult *r;
	int rc = 0;

	if ((r = pg_exec(st, P_FEED_INSERT, 3, ins)) == NULL)
		return pg_error(st, err, errlen, "cannot create feed %s", name);
	/* No row: another instance created it just now. */
	if ((*made = PQntuples(r) == 1))
		rc = pg_feed_url_add(base, pg_value_int(r, 0, 0), url,
		    "config", err, errlen);
	PQclear(r);
	return rc;
}

static int
pg_feed_save(struct state *base, const struct state_feed *f, char *err,
    size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num id = pg_num(f->id), last_poll = pg_num(f->last_poll),
	    status = pg_num(f->last_status), next_poll = pg_num(f->next_poll),
	    polls = pg_num(f->polls), failures = pg_num(f->failures),
	    interval = pg_num(f->interval), disabled = pg_num(f->disabled),
	    success = pg_num(f->last_success),
	    first = pg_num(f->first_success_us), ttl = pg_num(f->ttl);
	const char *v[] = { id.s, f->url, f->etag, f->last_modified,
	    last_poll.s, status.s, f->last_error, next_poll.s, polls.s,
	    failures.s, f->config_url, interval.s, f->interval_why,
	    disabled.s, success.s, first.s, ttl.s, st->owner };
	PGresult *r;
	int64_t changed;
	int exists;

	if (pg_run(st, P_FEED_SAVE, 18, v, &changed) == -1)
		return pg_error(st, err, errlen, "cannot save feed %s", f->name);
	if (changed > 0)
		return 0;
	if ((r = pg_exec(st, P_FEED_OWNER, 1, v)) == NULL)
		return pg_error(st, err, errlen, "cannot save feed %s", f->name);
	exists = PQntuples(r) == 1;
	PQclear(r);
	if (exists)
		return 1;
	snprintf(err, errlen, "cannot save feed %s: no feed with id %lld",
	    f->name, (long long)f->id);
	return -1;
}

static int
pg_feed_list(struct state *base, struct state_feed **out, size_t *n,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	PGresult *r;

	if ((r = pg_exec(st, P_FEED_LIST, 0, NULL)) == NULL)
		return pg_error(st, err, errlen, "cannot list feeds");
	return pg_rows(r, &state_feed_row, (void **)out, n, "list feeds", err,
	    errlen);
}

static int
pg_feed_url_add(struct state *base, int64_t feed_id, const char *url,
    const char *reason, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num id = pg_num(feed_id), now = pg_num((int64_t)time(NULL));
	const char *v[] = { id.s, url, now.s, reason };

	if (pg_run(st, P_URL_ADD, 4, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot record url %s of feed"
		    " %lld", url, (long long)feed_id);
	return 0;
}

static int
pg_feed_rename(struct state *base, const char *from, const char *to,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	const char *v[] = { from, to };

	if (pg_run(st, P_RENAME, 2, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot rename feed %s to %s",
		    from, to);
	return 0;
}

static int
pg_feed_count_duplicates(struct state *base, int64_t feed_id, int64_t n,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num id = pg_num(feed_id), count = pg_num(n);
	const char *v[] = { id.s, count.s };

	if (pg_run(st, P_COUNT_DUPLICATES, 2, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot count the duplicates"
		    " of feed %lld", (long long)feed_id);
	return 0;
}

static const struct state_backend pg_backend = {
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.feed_find = pg_feed_find,
	.feed_create = pg_feed_create,
	.feed_save = pg_feed_save,
	.feed_list = pg_feed_list,
	.feed_url_add = pg_feed_url_add,
	.entry_count_since = pg_entry_count_since,
	.entries_get = pg_entries_get,
	.entries_discover = pg_entries_discover,
	.entries_pending = pg_entries_pending,
	.entries_find = pg_entries_find,
	.revisions_get = pg_revisions_get,
	.revisions_due = pg_revisions_due,
	.revision_record = pg_revision_record,
	.revisions_done = pg_revisions_done,
	.revisions_expire = pg_revisions_expire,
	.entries_mark_seen = pg_entries_mark_seen,
	.feed_count_duplicates = pg_feed_count_duplicates,
	.feed_rename = pg_feed_rename,
	.entries_listed = pg_entries_listed,
	.feeds_listed = pg_feeds_listed,
	.host_hold = pg_host_hold,
	.host_holds = pg_host_holds,
	.stories_find = pg_stories_find,
	.story_add = pg_story_add,
	.stories_prune = pg_stories_prune,
	.feeds_claim = pg_feeds_claim,
	.feed_release = pg_feed_release,
	.leases_renew = pg_leases_renew,
	.host_acquire = pg_host_acquire,
	.host_release = pg_host_release,
};

