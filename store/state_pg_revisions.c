/* state_pg_revisions.c - the PostgreSQL backend's revisions (state.h):
 * one round trip each, a poll's versions done in one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "state.h"
#include "state_pg.h"

/* The rows statement which reads, each as kind. */
static int
select_rows(struct state *base, enum pstmt which, int nv, const char *const *v,
    const struct state_row *kind, void **out, size_t *n, const char *what,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	PGresult *r;

	if ((r = pg_exec(st, which, nv, v)) == NULL)
		return pg_error(st, err, errlen, "cannot %s", what);
	return pg_rows(r, kind, out, n, what, err, errlen);
}

int
pg_revisions_get(struct state *base, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen)
{
	struct num id = pg_num(feed_id);
	const char *v[] = { id.s };

	return select_rows(base, P_REV_GET, 1, v, &state_revision_row,
	    (void **)out, n, "read the versions of entries", err, errlen);
}

int
pg_revisions_due(struct state *base, int64_t feed_id, int64_t now_us,
    size_t max, struct state_pending **out, size_t *n, char *err,
    size_t errlen)
{
	struct num id = pg_num(feed_id), now = pg_num(now_us),
	    limit = pg_num((int64_t)max);
	const char *v[] = { id.s, now.s, limit.s };

	return select_rows(base, P_REV_DUE, 3, v, &state_pending_row,
	    (void **)out, n, "read the entries due to be read again", err,
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
pg_revisions_done(struct state *base, int64_t feed_id,
    const struct state_version_done *done, size_t n, char *err,
    size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num fid = pg_num(feed_id);
	const char **ids = calloc(n, sizeof(*ids)),
	    **versions = calloc(n, sizeof(*versions)),
	    **entries = calloc(n, sizeof(*entries));
	int64_t *fps = calloc(n, sizeof(*fps)), *nums = calloc(n,
	    sizeof(*nums)), *times = calloc(n, sizeof(*times)),
	    *checks = calloc(n, sizeof(*checks));
	char *a[7] = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	int rc = -1;

	if (ids && versions && entries && fps && nums && times && checks) {
		for (size_t i = 0; i < n; i++) {
			ids[i] = done[i].id;
			fps[i] = done[i].fingerprint;
			nums[i] = done[i].number;
			times[i] = done[i].number_us;
			versions[i] = done[i].version;
			checks[i] = done[i].next_check_us;
			entries[i] = done[i].entry;
		}
		a[0] = pg_text_array(ids, n);
		a[1] = pg_bigint_array(fps, n);
		a[2] = pg_bigint_array(nums, n);
		a[3] = pg_bigint_array(times, n);
		a[4] = pg_text_array(versions, n);
		a[5] = pg_bigint_array(checks, n);
		a[6] = pg_text_array(entries, n);
	}
	if (a[0] && a[1] && a[2] && a[3] && a[4] && a[5] && a[6]) {
		const char *v[] = { fid.s, a[0], a[1], a[2], a[3], a[4], a[5],
		    a[6] };

		if ((rc = pg_run(st, P_REV_DONE, 8, v, NULL)) == -1)
			pg_error(st, err, errlen, "cannot record %zu versions"
			    " of entries of feed %lld", n, (long long)feed_id);
	} else
		snprintf(err, errlen, "cannot record %zu versions of entries"
		    " of feed %lld: %s", n, (long long)feed_id,
		    strerror(ENOMEM));
	for (size_t i = 0; i < 7; i++)
		free(a[i]);
	free(ids);
	free(versions);
	free(entries);
	free(checks);
	free(fps);
	free(nums);
	free(times);
	return rc;
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
