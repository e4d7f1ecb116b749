/* state_sqlite_entries.c - the SQLite backend's entries (one b-tree
 * lookup each, batches being loops in process), pruning and host holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "state.h"
#include "state_sqlite.h"

/* Each entry is a b-tree lookup in process: a loop costs what one query
 * over all of them would. */
int
sq_entries_get(struct state *base, int64_t feed_id, const char *const *ids,
    size_t n, int *status, int64_t *discovered_us, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_ENTRY_GET];

	for (size_t i = 0; i < n; i++) {
		int rc;

		sqlite3_bind_int64(s, 1, feed_id);
		sqlite3_bind_text(s, 2, ids[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		status[i] = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) :
		    STATE_ENTRY_UNKNOWN;
		discovered_us[i] = rc == SQLITE_ROW ?
		    sqlite3_column_int64(s, 1) : 0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sq_error(st->db, err, errlen, "cannot look up"
			    " entry %s of feed %lld", ids[i],
			    (long long)feed_id);
	}
	return 0;
}

/* Insert an entry unless known, a pending one with entry (may be NULL);
 * *added tells which. */
static int
entry_insert(struct sqlite_state *st, int64_t feed_id, const char *entry_id,
    int64_t discovered_us, int status, const char *entry, int *added)
{
	sqlite3_stmt *s = st->stmt[S_ENTRY_INSERT];

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_text(s, 2, entry_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, discovered_us);
	sqlite3_bind_int(s, 4, status);
	if (status == STATE_ENTRY_SEEN)
		sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
	else
		sqlite3_bind_null(s, 5);
	if (entry != NULL)
		sqlite3_bind_text(s, 6, entry, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 6);
	if (sq_run(s) == -1)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int
sq_entries_discover(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us,
    const char *const *entries, size_t n, int *added, char *err,
    size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;

	for (size_t i = 0; i < n; i++)
		if (entry_insert(st, feed_id, ids[i], discovered_us[i],
		    STATE_ENTRY_PENDING, entries ? entries[i] : NULL,
		    &added[i]) == -1)
			return sq_error(st->db, err, errlen, "cannot record"
			    " entry %s of feed %lld", ids[i],
			    (long long)feed_id);
	return 0;
}

/* Pending -> seen, or unknown -> inserted seen: 1 in *changed when either
 * happened. */
static int
entry_see(struct sqlite_state *st, int64_t feed_id, const char *entry_id,
    int64_t discovered_us, int *changed)
{
	sqlite3_stmt *see = st->stmt[S_ENTRY_SEE];

	sqlite3_bind_int64(see, 1, feed_id);
	sqlite3_bind_text(see, 2, entry_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(see, 3, (sqlite3_int64)time(NULL));
	if (sq_run(see) == -1)
		return -1;
	*changed = sqlite3_changes(st->db) > 0;
	if (*changed)
		return 0;
	return entry_insert(st, feed_id, entry_id, discovered_us,
	    STATE_ENTRY_SEEN, NULL, changed);
}

int
sq_entries_mark_seen(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us, size_t n,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *count = st->stmt[S_FEED_COUNT_SEEN];
	int64_t counted = 0;

	/* Only a change from pending or unknown counts, so a re-emitted or
	 * repeated entry is counted once. */
	for (size_t i = 0; i < n; i++) {
		int changed;

		if (entry_see(st, feed_id, ids[i], discovered_us[i],
		    &changed) == -1)
			return sq_error(st->db, err, errlen, "cannot mark entry"
			    " %s of feed %lld seen", ids[i], (long long)feed_id);
		counted += changed;
	}
	if (counted == 0)
		return 0;
	sqlite3_bind_int64(count, 1, feed_id);
	sqlite3_bind_int64(count, 2, counted);
	if (sq_run(count) == -1)
		return sq_error(st->db, err, errlen, "cannot count the entries"
		    " of feed %lld seen", (long long)feed_id);
	return 0;
}

int
sq_entries_pending(struct state *base, int64_t feed_id,
    struct state_pending **out, size_t *n, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_ENTRIES_PENDING];
	char what[128];

	snprintf(what, sizeof(what), "list the pending entries of feed %lld",
	    (long long)feed_id);
	sqlite3_bind_int64(s, 1, feed_id);
	return sq_rows(st, s, &state_pending_row, (void **)out, n, what, err,
	    errlen);
}

int
sq_entries_find(struct state *base, const char *key, int64_t discovered_us,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_ENTRIES_FIND];

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, discovered_us);
	return sq_rows(st, s, &state_found_row, (void **)out, n,
	    "look entries up", err, errlen);
}

int
sq_entry_count_since(struct state *base, int64_t feed_id, int64_t since_us,
    int64_t *count, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_ENTRY_COUNT_SINCE];
	int rc;

	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int64(s, 2, since_us);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*count = sqlite3_column_int64(s, 0);
	else
		sq_error(st->db, err, errlen, "cannot count entries of feed"
		    " %lld", (long long)feed_id);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Run the statements which[0..nwhich) with each of names[0..n) in
 * temp.listed, then empty it again; ?1.. bound from args (nargs int64s).
 * *changes is what the last one changed. */
static int
with_listed(struct sqlite_state *st, const char *const *names, size_t n,
    const enum stmt *which, size_t nwhich, const int64_t *args, int nargs,
    int64_t *changes, char *err, size_t errlen)
{
	sqlite3_stmt *add = st->stmt[S_LISTED_ADD], *s;
	int rc = -1;

	*changes = 0;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(add, 1, names[i], -1, SQLITE_STATIC);
		if (sq_run(add) == -1)
			goto out;
	}
	for (size_t i = 0; i < nwhich; i++) {
		s = st->stmt[which[i]];
		for (int a = 0; a < nargs && a < sqlite3_bind_parameter_count(s);
		    a++)
			sqlite3_bind_int64(s, a + 1, args[a]);
		if (sq_run(s) == -1)
			goto out;
		*changes = sqlite3_changes(st->db);
	}
	rc = 0;
out:
	if (rc == -1)
		sq_error(st->db, err, errlen, "cannot prune state %s", st->path);
	sqlite3_clear_bindings(add);
	sq_run(st->stmt[S_LISTED_CLEAR]);
	return rc;
}

int
sq_entries_listed(struct state *base, int64_t feed_id,
    const char *const *ids, size_t n, int64_t now, int64_t keep,
    int64_t *pruned, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	static const enum stmt which[] = { S_ENTRIES_GONE, S_ENTRIES_BACK,
	    S_ENTRIES_PRUNE };
	const int64_t args[] = { feed_id, now, now - keep };

	return with_listed(st, ids, n, which, 3, args, 3, pruned, err, errlen);
}

int
sq_feeds_listed(struct state *base, const char *const *names, size_t n,
    int64_t now, int64_t keep, int64_t *pruned, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	static const enum stmt which[] = { S_FEEDS_GONE, S_FEEDS_BACK,
	    S_FEEDS_PRUNE };
	const int64_t args[] = { now, now - keep };

	return with_listed(st, names, n, which, 3, args, 2, pruned, err, errlen);
}

int
sq_host_hold(struct state *base, const char *host, int64_t until_ms,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_HOLD_SET];

	sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, until_ms);
	if (sq_run(s) == -1)
		return sq_error(st->db, err, errlen, "cannot record the hold of"
		    " host %s", host);
	return 0;
}

int
sq_host_holds(struct state *base, int64_t now_ms, char ***hosts,
    int64_t **until_ms, size_t *n, char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *s = st->stmt[S_HOLDS_LIST];
	char **names = NULL;
	int64_t *until = NULL;
	size_t count = 0, rows;
	int rc;

	sqlite3_bind_int64(st->stmt[S_HOLDS_PRUNE], 1, now_ms);
	if (sq_run(st->stmt[S_HOLDS_PRUNE]) == -1)
		return sq_error(st->db, err, errlen, "cannot forget past holds");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Each row says how many there are. */
		rows = (size_t)sqlite3_column_int64(s, 2);
		if (names == NULL && ((names = calloc(rows + 1,
		    sizeof(*names))) == NULL || (until = calloc(rows + 1,
		    sizeof(*until))) == NULL))
			goto nomem;
		if (count == rows || (names[count] = strdup((const char *)
		    sqlite3_column_text(s, 0))) == NULL)
			goto nomem;
		until[count++] = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		sq_error(st->db, err, errlen, "cannot list host holds");
		goto fail;
	}
	*hosts = names;
	*until_ms = until;
	*n = count;
	return 0;

nomem:
	sqlite3_reset(s);
	snprintf(err, errlen, "cannot list host holds: %s", strerror(ENOMEM));
fail:
	state_names_free(names, count);
	free(until);
	return -1;
}


/* Bind s's keys from parameter at on: its URL key (NULL when 0), then its
 * bands (NULL without a fingerprint, matching no row). */
static void
bind_story_keys(sqlite3_stmt *q, int at, const struct state_story *s)
{
	if (s->url_key != 0)
		sqlite3_bind_int64(q, at, s->url_key);
	else
		sqlite3_bind_null(q, at);
	for (int i = 0; i < STATE_STORY_BANDS; i++)
		if (s->fp != NULL)
			sqlite3_bind_int64(q, at + 1 + i, s->band[i]);
		else
			sqlite3_bind_null(q, at + 1 + i);
}

static void
bind_text_or_null(sqlite3_stmt *q, int at, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(q, at, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, at);
}

int
sq_stories_find(struct state *base, const struct state_story *s,
    int64_t since_us, struct state_story **out, size_t *n, char *err,
    size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *q = st->stmt[S_STORIES_FIND];

	sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, since_us);
	bind_story_keys(q, 3, s);
	return sq_rows(st, q, &state_story_row, (void **)out, n,
	    "look stories up", err, errlen);
}

int
sq_story_add(struct state *base, const struct state_story *s, char *err,
    size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *q = st->stmt[S_STORY_ADD];

	sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->discovered_us);
	bind_story_keys(q, 3, s);
	/* The keys took 3 .. 11: fp goes after them. */
	bind_text_or_null(q, 12, s->fp);
	bind_text_or_null(q, 13, s->duplicate_of);
	if (sq_run(q) == -1)
		return sq_error(st->db, err, errlen, "cannot record story %s",
		    s->name);
	return 0;
}

int
sq_stories_prune(struct state *base, int64_t before_us, int64_t *pruned,
    char *err, size_t errlen)
{
	struct sqlite_state *st = (struct sqlite_state *)base;
	sqlite3_stmt *q = st->stmt[S_STORIES_PRUNE];

	sqlite3_bind_int64(q, 1, before_us);
	if (sq_run(q) == -1)
		return sq_error(st->db, err, errlen, "cannot prune stories");
	*pruned = sqlite3_changes(st->db);
	return 0;
}
