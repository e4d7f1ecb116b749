/* state_sqlite_revisions.c - the SQLite backend's revisions (state.h):
 * one statement each, in process. */
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
sq_revision_record(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_REV_RECORD];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, fingerprint);
	sqlite3_bind_int64(s, 4, pending_us);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot record a revision"
		    " of entry %s", id);
	return 0;
}

int
sq_revision_done(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int number, int64_t number_us, const char *version,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[number > 0 ? S_REV_DONE : S_REV_SAME],
	    *count = st->stmt[S_REV_COUNT];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, fingerprint);
	if (number > 0) {
		sqlite3_bind_int(s, 4, number);
		sqlite3_bind_int64(s, 5, number_us);
		sqlite3_bind_text(s, 6, version, -1, SQLITE_STATIC);
	}
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot record version %d"
		    " of entry %s", number, id);
	if (number < 2)
		return 0;
	sqlite3_bind_int64(count, 1, feed_id);
	if (sq_run(count) == -1)
		return sq_error(st->db, err, errlen, "cannot count the "
		    "revisions of feed %lld", (long long)feed_id);
	return 0;
}

int
sq_revisions_expire(struct state *base, int64_t feed_id, int64_t before_us,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_REV_EXPIRE];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int64(s, 2, before_us);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot forget the "
		    "versions of feed %lld", (long long)feed_id);
	return 0;
}
