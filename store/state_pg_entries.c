/* state_pg_entries.c - the PostgreSQL backend's entries: each batch of
 * a poll in one round trip (arrays as parameters), and pruning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "state.h"
#include "state_pg.h"

int
pg_entry_count_since(struct state *base, int64_t feed_id, int64_t since_us,
    int64_t *count, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num id = pg_num(feed_id), since = pg_num(since_us);
	const char *v[] = { id.s, since.s };
	PGresult *r;

	if ((r = pg_exec(st, P_ENTRY_COUNT_SINCE, 2, v)) == NULL)
		return pg_error(st, err, errlen, "cannot count entries of feed"
		    " %lld", (long long)feed_id);
	*count = pg_value_int(r, 0, 0);
	PQclear(r);
	return 0;
}

int
pg_entries_pending(struct state *base, int64_t feed_id,
    struct state_pending **out, size_t *n, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num id = pg_num(feed_id);
	const char *v[] = { id.s };
	char what[128];
	PGresult *r;

	snprintf(what, sizeof(what), "list the pending entries of feed %lld",
	    (long long)feed_id);
	if ((r = pg_exec(st, P_ENTRIES_PENDING, 1, v)) == NULL)
		return pg_error(st, err, errlen, "cannot %s", what);
	return pg_rows(r, &state_pending_row, (void **)out, n, what, err,
	    errlen);
}

int
pg_entries_find(struct state *base, const char *key, int64_t discovered_us,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num us = pg_num(discovered_us);
	const char *v[] = { key, us.s };
	PGresult *r;

	if ((r = pg_exec(st, P_ENTRIES_FIND, 2, v)) == NULL)
		return pg_error(st, err, errlen, "cannot look entries up");
	return pg_rows(r, &state_found_row, (void **)out, n, "look entries up",
	    err, errlen);
}

/* names[0..n) as a PostgreSQL text[] literal: {"a","b\"c",NULL} (a NULL
 * name is SQL NULL); NULL when out of memory. */
char *
pg_text_array(const char *const *names, size_t n)
{
	size_t len = 3;
	char *out, *p;

	for (size_t i = 0; i < n; i++)
		len += names[i] ? 3 + 2 * strlen(names[i]) : 5;
	if ((out = p = malloc(len)) == NULL)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		if (names[i] == NULL) {
			p = stpcpy(p, "NULL");
			continue;
		}
		*p++ = '"';
		for (const char *s = names[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

/* v[0..n) as a PostgreSQL bigint[] literal: {1,-2}; NULL when out of
 * memory. */
char *
pg_bigint_array(const int64_t *v, size_t n)
{
	size_t len = 3 + 21 * n, used = 1;
	char *out;

	if ((out = malloc(len)) == NULL)
		return NULL;
	out[0] = '{';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%lld",
		    i > 0 ? "," : "", (long long)v[i]);
	snprintf(out + used, len - used, "}");
	return out;
}

/* Run statement which of the entries batches with $1 feed_id, $2 ids,
 * $3 discovered_us (when not NULL) and $4 extra (when nparams is 4; NULL
 * is SQL NULL).  NULL with the reason in err on failure. */
static PGresult *
exec_entries(struct pg_state *st, enum pstmt which, int nparams,
    int64_t feed_id, const char *const *ids, const int64_t *discovered_us,
    size_t n, const char *extra, const char *what, char *err, size_t errlen)
{
	struct num id = pg_num(feed_id);
	char *idlist = pg_text_array(ids, n);
	char *times = discovered_us ? pg_bigint_array(discovered_us, n) : NULL;
	const char *v[] = { id.s, idlist, times, extra };
	PGresult *r = NULL;

	if (idlist == NULL || (discovered_us && times == NULL))
		snprintf(err, errlen, "cannot %s %zu entries of feed %lld: %s",
		    what, n, (long long)feed_id, strerror(ENOMEM));
	else if ((r = pg_exec(st, which, nparams, v)) == NULL)
		pg_error(st, err, errlen, "cannot %s %zu entries of feed %lld",
		    what, n, (long long)feed_id);
	free(idlist);
	free(times);
	return r;
}

int
pg_entries_get(struct state *base, int64_t feed_id, const char *const *ids,
    size_t n, int *status, int64_t *discovered_us, char *err, size_t errlen)
{
	PGresult *r = exec_entries(pg(base), P_ENTRIES_GET, 2, feed_id, ids,
	    NULL, n, NULL, "look up", err, errlen);

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		status[i] = STATE_ENTRY_UNKNOWN;
		discovered_us[i] = 0;
	}
	for (int row = 0; row < PQntuples(r); row++) {
		size_t i = (size_t)pg_value_int(r, row, 0) - 1;

		if (i < n) {
			status[i] = (int)pg_value_int(r, row, 1);
			discovered_us[i] = pg_value_int(r, row, 2);
		}
	}
	PQclear(r);
	return 0;
}

int
pg_entries_discover(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us,
    const char *const *entries, size_t n, int *added, char *err,
    size_t errlen)
{
	char *kept = entries ? pg_text_array(entries, n) : NULL;
	PGresult *r = NULL;

	if (entries && kept == NULL)
		snprintf(err, errlen, "cannot record %zu entries of feed %lld:"
		    " %s", n, (long long)feed_id, strerror(ENOMEM));
	else
		r = exec_entries(pg(base), P_ENTRIES_DISCOVER, 4, feed_id, ids,
		    discovered_us, n, kept, "record", err, errlen);
	free(kept);
	if (r == NULL)
		return -1;
	memset(added, 0, n * sizeof(*added));
	for (int row = 0; row < PQntuples(r); row++) {
		size_t i = (size_t)pg_value_int(r, row, 0) - 1;

		if (i < n)
			added[i] = 1;
	}
	PQclear(r);
	return 0;
}

int
pg_entries_mark_seen(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us, size_t n,
    char *err, size_t errlen)
{
	struct num now = pg_num((int64_t)time(NULL));
	PGresult *r = exec_entries(pg(base), P_ENTRIES_SEE, 4, feed_id, ids,
	    discovered_us, n, now.s, "mark as seen", err, errlen);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* Stands, among a statement's parameters, for the listed names. */
static const char LISTED[] = "listed";

/* Run the three statements which[i] with params[i] (nparams[i] of them),
 * LISTED standing for names[0..n) as a text[]; *pruned is what the last
 * one changed. */
static int
with_listed(struct pg_state *st, const char *const *names, size_t n,
    const enum pstmt which[3], const char *params[3][3],
    const int nparams[3], int64_t *pruned, char *err, size_t errlen)
{
	char *listed = pg_text_array(names, n);
	int rc = 0;

	*pruned = 0;
	if (listed == NULL) {
		snprintf(err, errlen, "cannot prune state: %s", strerror(ENOMEM));
		return -1;
	}
	for (int i = 0; i < 3 && rc == 0; i++) {
		for (int k = 0; k < nparams[i]; k++)
			if (params[i][k] == LISTED)
				params[i][k] = listed;
		rc = pg_run(st, which[i], nparams[i], params[i],
		    i == 2 ? pruned : NULL);
	}
	free(listed);
	if (rc == -1)
		pg_error(st, err, errlen, "cannot prune state %s", st->where);
	return rc;
}

int
pg_entries_listed(struct state *base, int64_t feed_id,
    const char *const *ids, size_t n, int64_t now, int64_t keep,
    int64_t *pruned, char *err, size_t errlen)
{
	static const enum pstmt which[3] = { P_ENTRIES_GONE, P_ENTRIES_BACK,
	    P_ENTRIES_PRUNE };
	static const int nparams[3] = { 3, 2, 2 };
	struct num id = pg_num(feed_id), at = pg_num(now), before = pg_num(now - keep);
	const char *params[3][3] = { { id.s, at.s, LISTED },
	    { id.s, LISTED, NULL }, { id.s, before.s, NULL } };

	return with_listed(pg(base), ids, n, which, params, nparams, pruned,
	    err, errlen);
}

int
pg_feeds_listed(struct state *base, const char *const *names, size_t n,
    int64_t now, int64_t keep, int64_t *pruned, char *err, size_t errlen)
{
	static const enum pstmt which[3] = { P_FEEDS_GONE, P_FEEDS_BACK,
	    P_FEEDS_PRUNE };
	static const int nparams[3] = { 2, 1, 1 };
	struct num at = pg_num(now), before = pg_num(now - keep);
	const char *params[3][3] = { { at.s, LISTED, NULL },
	    { LISTED, NULL, NULL }, { before.s, NULL, NULL } };

	return with_listed(pg(base), names, n, which, params, nparams, pruned,
	    err, errlen);
}


/* s's parameters as P_STORY_ADD numbers them (P_STORIES_FIND takes the
 * first eleven, with the time since in place of the discovery time):
 * name, time, URL key (NULL when 0), bands (NULL without a fingerprint),
 * fp, duplicate_of.  nums holds the numbers' text. */
static void
story_params(const struct state_story *s, int64_t time_us,
    struct num nums[2 + STATE_STORY_BANDS], const char *v[13])
{
	nums[0] = pg_num(time_us);
	nums[1] = pg_num(s->url_key);
	v[0] = s->name;
	v[1] = nums[0].s;
	v[2] = s->url_key != 0 ? nums[1].s : NULL;
	for (int i = 0; i < STATE_STORY_BANDS; i++) {
		nums[2 + i] = pg_num(s->band[i]);
		v[3 + i] = s->fp != NULL ? nums[2 + i].s : NULL;
	}
	v[11] = s->fp;
	v[12] = s->duplicate_of;
}

int
pg_stories_find(struct state *base, const struct state_story *s,
    int64_t since_us, struct state_story **out, size_t *n, char *err,
    size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num nums[2 + STATE_STORY_BANDS];
	const char *v[13];
	PGresult *r;

	if (pg_run(st, P_STORIES_LOCK, 0, NULL, NULL) == -1)
		return pg_error(st, err, errlen, "cannot lock the stories");
	story_params(s, since_us, nums, v);
	if ((r = pg_exec(st, P_STORIES_FIND, 11, v)) == NULL)
		return pg_error(st, err, errlen, "cannot look stories up");
	return pg_rows(r, &state_story_row, (void **)out, n,
	    "look stories up", err, errlen);
}

int
pg_story_add(struct state *base, const struct state_story *s, char *err,
    size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num nums[2 + STATE_STORY_BANDS];
	const char *v[13];

	story_params(s, s->discovered_us, nums, v);
	if (pg_run(st, P_STORY_ADD, 13, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot record story %s",
		    s->name);
	return 0;
}

int
pg_stories_prune(struct state *base, int64_t before_us, int64_t *pruned,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num before = pg_num(before_us);
	const char *v[] = { before.s };

	if (pg_run(st, P_STORIES_PRUNE, 1, v, pruned) == -1)
		return pg_error(st, err, errlen, "cannot prune stories");
	return 0;
}
