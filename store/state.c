/* state.c - see state.h: picks the backend at open, then dispatches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_backend.h"
#include "state_schema.h"

int
state_is_postgresql(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 ||
	    strncmp(where, "postgres://", 11) == 0;
}

int
state_open(const char *where, struct state **out, char *err, size_t errlen)
{
	if (state_is_postgresql(where))
		return state_pg_open(where, out, err, errlen);
	return state_sqlite_open(where, out, err, errlen);
}

void
state_close(struct state *st)
{
	if (st != NULL)
		st->be->close(st);
}

int
state_begin(struct state *st, char *err, size_t errlen)
{
	return st->be->begin(st, err, errlen);
}

int
state_commit(struct state *st, char *err, size_t errlen)
{
	return st->be->commit(st, err, errlen);
}

void
state_rollback(struct state *st)
{
	st->be->rollback(st);
}

int
state_feed_get(struct state *st, const char *name, const char *url,
    struct state_feed *out, int *created, char *err, size_t errlen)
{
	int found, made = 0;

	memset(out, 0, sizeof(*out));
	if (st->be->feed_find(st, name, out, &found, err, errlen) == -1)
		return -1;
	if (!found && (st->be->feed_create(st, name, url, &made, err,
	    errlen) == -1 || st->be->feed_find(st, name, out, &found, err,
	    errlen) == -1))
		return -1;
	/* The row just created vanished. */
	if (!found) {
		snprintf(err, errlen, "cannot read feed %s: not found", name);
		return -1;
	}
	if (created != NULL)
		*created = made;
	return 0;
}

int
state_feed_save(struct state *st, const struct state_feed *feed,
    char *err, size_t errlen)
{
	return st->be->feed_save(st, feed, err, errlen);
}

int
state_feed_list(struct state *st, struct state_feed **out, size_t *n,
    char *err, size_t errlen)
{
	return st->be->feed_list(st, out, n, err, errlen);
}

void
state_feed_list_free(struct state_feed *feeds, size_t n)
{
	state_rows_free(&state_feed_row, feeds, n);
}

void
state_feed_clear(struct state_feed *feed)
{
	if (feed != NULL)
		state_row_clear(&state_feed_row, feed);
}

int
state_feed_url_add(struct state *st, int64_t feed_id, const char *url,
    const char *reason, char *err, size_t errlen)
{
	return st->be->feed_url_add(st, feed_id, url, reason, err, errlen);
}

int
state_entry_count_since(struct state *st, int64_t feed_id, int64_t since_us,
    int64_t *count, char *err, size_t errlen)
{
	return st->be->entry_count_since(st, feed_id, since_us, count, err,
	    errlen);
}

/* An empty batch asks nothing of the state: no backend sees one. */
int
state_entries_get(struct state *st, int64_t feed_id, const char *const *ids,
    size_t n, int *status, int64_t *discovered_us, char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	return st->be->entries_get(st, feed_id, ids, n, status, discovered_us,
	    err, errlen);
}

int
state_entries_discover(struct state *st, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us,
    const char *const *entries, size_t n, int *added, char *err,
    size_t errlen)
{
	if (n == 0)
		return 0;
	return st->be->entries_discover(st, feed_id, ids, discovered_us,
	    entries, n, added, err, errlen);
}

int
state_entries_pending(struct state *st, int64_t feed_id,
    struct state_pending **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	return st->be->entries_pending(st, feed_id, out, n, err, errlen);
}

void
state_pending_free(struct state_pending *pending, size_t n)
{
	state_rows_free(&state_pending_row, pending, n);
}

int
state_revisions_get(struct state *st, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	return st->be->revisions_get(st, feed_id, out, n, err, errlen);
}

void
state_revisions_free(struct state_revision *revs, size_t n)
{
	state_rows_free(&state_revision_row, revs, n);
}

int
state_revisions_due(struct state *st, int64_t feed_id, int64_t now_us,
    size_t max, struct state_pending **out, size_t *n, char *err,
    size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	return st->be->revisions_due(st, feed_id, now_us, max, out, n, err,
	    errlen);
}

int
state_revision_record(struct state *st, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen)
{
	return st->be->revision_record(st, feed_id, id, fingerprint,
	    pending_us, err, errlen);
}

int
state_revision_done(struct state *st, int64_t feed_id, const char *id,
    int64_t fingerprint, int number, int64_t number_us, const char *version,
    char *err, size_t errlen)
{
	const struct state_version_done one = { .id = id,
	    .fingerprint = fingerprint, .number = number,
	    .number_us = number_us, .version = version };

	return st->be->revisions_done(st, feed_id, &one, 1, err, errlen);
}

int
state_revisions_done(struct state *st, int64_t feed_id,
    const struct state_version_done *done, size_t n, char *err,
    size_t errlen)
{
	if (n == 0)
		return 0;
	return st->be->revisions_done(st, feed_id, done, n, err, errlen);
}

int
state_revisions_expire(struct state *st, int64_t feed_id, int64_t before_us,
    char *err, size_t errlen)
{
	return st->be->revisions_expire(st, feed_id, before_us, err, errlen);
}

int
state_feed_count_duplicates(struct state *st, int64_t feed_id, int64_t n,
    char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	return st->be->feed_count_duplicates(st, feed_id, n, err, errlen);
}

int
state_entries_find(struct state *st, const char *key, int64_t discovered_us,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	return st->be->entries_find(st, key, discovered_us, out, n, err,
	    errlen);
}

void
state_found_free(struct state_found *found, size_t n)
{
	state_rows_free(&state_found_row, found, n);
}

int
state_entries_mark_seen(struct state *st, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us, size_t n,
    char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	return st->be->entries_mark_seen(st, feed_id, ids, discovered_us, n,
	    err, errlen);
}

int
state_feed_rename(struct state *st, const char *from, const char *to,
    char *err, size_t errlen)
{
	return st->be->feed_rename(st, from, to, err, errlen);
}

int
state_entries_listed(struct state *st, int64_t feed_id,
    const char *const *ids, size_t n, int64_t now, int64_t keep,
    int64_t *pruned, char *err, size_t errlen)
{
	return st->be->entries_listed(st, feed_id, ids, n, now, keep, pruned,
	    err, errlen);
}

int
state_feeds_listed(struct state *st, const char *const *names, size_t n,
    int64_t now, int64_t keep, int64_t *pruned, char *err, size_t errlen)
{
	return st->be->feeds_listed(st, names, n, now, keep, pruned, err,
	    errlen);
}

const char *
state_where(const struct state *st)
{
	return st->where;
}

int
state_shared(const struct state *st)
{
	return st->be->feeds_claim != NULL;
}

static int
not_shared(char *err, size_t errlen)
{
	snprintf(err, errlen, "the state is not shared: nothing to lease");
	return -1;
}

int
state_feeds_claim(struct state *st, int64_t now, int64_t lease, size_t limit,
    char ***names, size_t *n, char *err, size_t errlen)
{
	if (!state_shared(st))
		return not_shared(err, errlen);
	return st->be->feeds_claim(st, now, lease, limit, names, n, err, errlen);
}

void
state_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
state_feed_release(struct state *st, const char *name, char *err,
    size_t errlen)
{
	if (!state_shared(st))
		return not_shared(err, errlen);
	return st->be->feed_release(st, name, err, errlen);
}

int
state_leases_renew(struct state *st, int64_t now, int64_t lease, char *err,
    size_t errlen)
{
	if (!state_shared(st))
		return not_shared(err, errlen);
	return st->be->leases_renew(st, now, lease, err, errlen);
}

int
state_host_acquire(struct state *st, const char *host, int slots,
    int64_t now_ms, int *slot, char *err, size_t errlen)
{
	if (!state_shared(st))
		return not_shared(err, errlen);
	return st->be->host_acquire(st, host, slots, now_ms, slot, err,
	    errlen);
}

int
state_host_release(struct state *st, const char *host, int slot,
    int64_t free_at_ms, char *err, size_t errlen)
{
	if (!state_shared(st))
		return not_shared(err, errlen);
	return st->be->host_release(st, host, slot, free_at_ms, err, errlen);
}

int
state_host_hold(struct state *st, const char *host, int64_t until_ms,
    char *err, size_t errlen)
{
	return st->be->host_hold(st, host, until_ms, err, errlen);
}

int
state_host_holds(struct state *st, int64_t now_ms, char ***hosts,
    int64_t **until_ms, size_t *n, char *err, size_t errlen)
{
	return st->be->host_holds(st, now_ms, hosts, until_ms, n, err, errlen);
}

int
state_stories_find(struct state *st, const struct state_story *s,
    int64_t since_us, struct state_story **out, size_t *n, char *err,
    size_t errlen)
{
	return st->be->stories_find(st, s, since_us, out, n, err, errlen);
}

int
state_story_add(struct state *st, const struct state_story *s, char *err,
    size_t errlen)
{
	return st->be->story_add(st, s, err, errlen);
}

int
state_stories_prune(struct state *st, int64_t before_us, int64_t *pruned,
    char *err, size_t errlen)
{
	return st->be->stories_prune(st, before_us, pruned, err, errlen);
}

void
state_stories_free(struct state_story *stories, size_t n)
{
	state_rows_free(&state_story_row, stories, n);
}
