/* state_pg_revisions.c - the PostgreSQL backend's revisions (state.h):
 * one round trip each. */
#include <stdio.h>

#include <libpq-fe.h>

#include "state.h"
#include "state_pg.h"

int
pg_revisions_get(struct state *base, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num id = pg_num(feed_id);
	const char *v[] = { id.s };
	const char *what = "read the versions of entries";
	PGresult *r;

	if ((r = pg_exec(st, P_REV_GET, 1, v)) == NULL)
		return pg_error(st, err, errlen, "cannot %s", what);
	return pg_rows(r, &state_revision_row, (void **)out, n, what, err,
	    errlen);
}

int
pg_revision_record(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num fid = pg_num(feed_id), fp = pg_num(fingerprint),
	    us = pg_num(pending_us);
	const char *v[] = { fid.s, id, fp.s, us.s };

	if (pg_run(st, P_REV_RECORD, 4, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot record a revision of"
		    " entry %s", id);
	return 0;
}

int
pg_revision_done(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int number, int64_t number_us, const char *version,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num fid = pg_num(feed_id), fp = pg_num(fingerprint),
	    num = pg_num(number), us = pg_num(number_us);
	const char *v[] = { fid.s, id, fp.s, num.s, us.s, version };

	if (pg_run(st, P_REV_DONE, 6, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot record version %d of "
		    "entry %s", number, id);
	return 0;
}

int
pg_revisions_expire(struct state *base, int64_t feed_id, int64_t before_us,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num fid = pg_num(feed_id), us = pg_num(before_us);
	const char *v[] = { fid.s, us.s };

	if (pg_run(st, P_REV_EXPIRE, 2, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot forget the versions "
		    "of feed %lld", (long long)feed_id);
	return 0;
}
