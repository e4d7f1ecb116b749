/*
 * state_backend.h - what a backend of state.h provides (private to
 * store/).  state.c dispatches every call of state.h through the table of
 * the state's backend; each function keeps the promise state.h states for
 * its public name.  The shared-work functions (claim, release, host slots)
 * are NULL in a backend that only one instance uses.
 */
#ifndef NW_STATE_BACKEND_H
#define NW_STATE_BACKEND_H

#include "state.h"

/* The arguments are those of the public function of the same name in
 * state.h, in the same order; st is always the backend's own state. */
struct state_backend {
	void (*close)(struct state *st);
	int (*begin)(struct state *st, char *err, size_t errlen);
	int (*commit)(struct state *st, char *err, size_t errlen);
	void (*rollback)(struct state *st);
	/* state_feed_get in two: the feed called name into *out, *found 0
	 * (and out untouched) when there is none; and the feed created with
	 * url and the first row of its URL history, *made 0 when another
	 * instance created it meanwhile. */
	int (*feed_find)(struct state *st, const char *name,
	    struct state_feed *out, int *found, char *err, size_t errlen);
	int (*feed_create)(struct state *st, const char *name, const char *url,
	    int *made, char *err, size_t errlen);
	/* 1: a shared state's lease passed on, nothing written. */
	int (*feed_save)(struct state *st, const struct state_feed *feed,
	    char *err, size_t errlen);
	int (*feed_list)(struct state *st, struct state_feed **out, size_t *n,
	    char *err, size_t errlen);
	int (*feed_url_add)(struct state *st, int64_t feed_id,
	    const char *url, const char *reason, char *err, size_t errlen);
	int (*entry_count_since)(struct state *st, int64_t feed_id,
	    int64_t since_us, int64_t *count, char *err, size_t errlen);
	/* The batches: never called with n == 0; the arrays are n long. */
	int (*entries_get)(struct state *st, int64_t feed_id,
	    const char *const *ids, size_t n, int *status,
	    int64_t *discovered_us, char *err, size_t errlen);
	int (*entries_discover)(struct state *st, int64_t feed_id,
	    const char *const *ids, const int64_t *discovered_us,
	    const char *const *entries, size_t n, int *added, char *err,
	    size_t errlen);
	int (*entries_pending)(struct state *st, int64_t feed_id,
	    struct state_pending **out, size_t *n, char *err, size_t errlen);
	int (*entries_mark_seen)(struct state *st, int64_t feed_id,
	    const char *const *ids, const int64_t *discovered_us, size_t n,
	    char *err, size_t errlen);
	int (*entries_find)(struct state *st, const char *key,
	    int64_t discovered_us, struct state_found **out, size_t *n,
	    char *err, size_t errlen);
	int (*revisions_get)(struct state *st, int64_t feed_id,
	    struct state_revision **out, size_t *n, char *err, size_t errlen);
	int (*revisions_due)(struct state *st, int64_t feed_id,
	    int64_t now_us, size_t max, struct state_pending **out, size_t *n,
	    char *err, size_t errlen);
	int (*revision_record)(struct state *st, int64_t feed_id,
	    const char *id, int64_t fingerprint, int64_t pending_us,
	    char *err, size_t errlen);
	int (*revisions_done)(struct state *st, int64_t feed_id,
	    const struct state_version_done *done, size_t n, char *err,
	    size_t errlen);
	int (*revisions_expire)(struct state *st, int64_t feed_id,
	    int64_t before_us, char *err, size_t errlen);
	int (*feed_count_duplicates)(struct state *st, int64_t feed_id,
	    int64_t n, char *err, size_t errlen);
	int (*feed_rename)(struct state *st, const char *from, const char *to,
	    char *err, size_t errlen);
	/* Pruning: what is listed stays, what is not for longer than keep
	 * goes; *pruned the rows deleted. */
	int (*entries_listed)(struct state *st, int64_t feed_id,
	    const char *const *ids, size_t n, int64_t now, int64_t keep,
	    int64_t *pruned, char *err, size_t errlen);
	int (*feeds_listed)(struct state *st, const char *const *names,
	    size_t n, int64_t now, int64_t keep, int64_t *pruned, char *err,
	    size_t errlen);
	int (*host_hold)(struct state *st, const char *host, int64_t until_ms,
	    char *err, size_t errlen);
	int (*host_holds)(struct state *st, int64_t now_ms, char ***hosts,
	    int64_t **until_ms, size_t *n, char *err, size_t errlen);
	int (*stories_find)(struct state *st, const struct state_story *s,
	    int64_t since_us, struct state_story **out, size_t *n, char *err,
	    size_t errlen);
	int (*story_add)(struct state *st, const struct state_story *s,
	    char *err, size_t errlen);
	int (*stories_prune)(struct state *st, int64_t before_us,
	    int64_t *pruned, char *err, size_t errlen);
	/* Shared backends only: NULL in the others. */
	int (*feeds_claim)(struct state *st, int64_t now, int64_t lease,
	    size_t limit, char ***names, size_t *n, char *err, size_t errlen);
	int (*feed_release)(struct state *st, const char *name, char *err,
	    size_t errlen);
	int (*leases_renew)(struct state *st, int64_t now, int64_t lease,
	    char *err, size_t errlen);
	int (*host_acquire)(struct state *st, const char *host, int slots,
	    int64_t now_ms, int *slot, char *err, size_t errlen);
	int (*host_release)(struct state *st, const char *host, int slot,
	    int64_t free_at_ms, char *err, size_t errlen);
};

struct state {
	const struct state_backend *be;
	const char *where;      /* for messages: a path, or a URL without
	                         * its password */
};

int state_sqlite_open(const char *path, struct state **out, char *err,
    size_t errlen);
int state_pg_open(const char *conninfo, struct state **out, char *err,
    size_t errlen);

#endif
