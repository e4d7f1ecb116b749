/* state_sqlite_revisions.c - the SQLite backend's revisions (state.h):
 * one statement a row, in process. */
#include <stdio.h>

#include <sqlite3.h>

#include "state.h"
#include "state_sqlite.h"

int
sq_revisions_get(struct state *base, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_REV_GET];

	sqlite3_bind_int64(s, 1, feed_id);
	return sq_rows(st, s, &state_revision_row, (void **)out, n,
	    "read the versions of entries", err, errlen);
}

int
sq_revisions_due(struct state *base, int64_t feed_id, int64_t now_us,
    size_t max, struct state_pending **out, size_t *n, char *err,
    size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_REV_DUE];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int64(s, 2, now_us);
	sqlite3_bind_int64(s, 3, (int64_t)max);
	return sq_rows(st, s, &state_pending_row, (void **)out, n,
	    "read the entries due to be read again", err, errlen);
}

/* The time of a revision of id being delivered is pending_us (0: none). */
static int
set_pending(struct sqlite_state *st, int64_t feed_id, const char *id,
    int64_t pending_us, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[S_REV_PENDING];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, pending_us);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot record a revision"
		    " of entry %s", id);
	return 0;
}

int
sq_revision_record(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_REV_RECORD];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, fingerprint);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot record a revision"
		    " of entry %s", id);
	return set_pending(st, feed_id, id, pending_us, err, errlen);
}

/* One reused statement a version: in the caller's transaction, SQLite
 * gains nothing from a statement of many rows.  Version 1, an entry's
 * first item, has no revision pending to clear. */
int
sq_revisions_done(struct state *base, int64_t feed_id,
    const struct state_version_done *done, size_t n, char *err,
    size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *count = st->stmt[S_REV_COUNT];

	for (size_t i = 0; i < n; i++) {
		const struct state_version_done *d = &done[i];
		sqlite3_stmt *s = st->stmt[d->number > 0 ? S_REV_DONE :
		    S_REV_SAME];

		sqlite3_bind_int64(s, 1, feed_id);
		sqlite3_bind_text(s, 2, d->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, d->fingerprint);
		sqlite3_bind_int64(s, 7, d->next_check_us);
		/* A reset keeps the last call's binding: NULL keeps the
		 * row's entry. */
		if (d->entry != NULL)
			sqlite3_bind_text(s, 8, d->entry, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 8);
		if (d->number > 0) {
			sqlite3_bind_int(s, 4, d->number);
			sqlite3_bind_int64(s, 5, d->number_us);
			sqlite3_bind_text(s, 6, d->version, -1, SQLITE_STATIC);
		}
		if (sq_run(s) == -1)
			return sq_error(st->db, err, errlen, "cannot record "
			    "version %d of entry %s", d->number, d->id);
		if (d->number == 1)
			continue;
		if (set_pending(st, feed_id, d->id, 0, err, errlen) == -1)
			return -1;
		if (d->number < 2)
			continue;
		sqlite3_bind_int64(count, 1, feed_id);
		if (sq_run(count) == -1)
			return sq_error(st->db, err, errlen, "cannot count the"
			    " revisions of feed %lld", (long long)feed_id);
	}
	return 0;
}

int
sq_revisions_expire(struct state *base, int64_t feed_id, int64_t before_us,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	const int which[] = { S_REV_EXPIRE, S_REV_EXPIRE_PENDING };

	for (size_t i = 0; i < 2; i++) {
		sqlite3_stmt *s = st->stmt[which[i]];

		sqlite3_bind_int64(s, 1, feed_id);
		sqlite3_bind_int64(s, 2, before_us);
		if (sq_run(s) == -1)
			return sq_error(st->db, err, errlen, "cannot forget "
			    "the versions of feed %lld", (long long)feed_id);
	}
	return 0;
}
