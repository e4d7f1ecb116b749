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

struct state_backend {
	void (*close)(struct state *);
	int (*begin)(struct state *, char *, size_t);
	int (*commit)(struct state *, char *, size_t);
	void (*rollback)(struct state *);
	int (*feed_get)(struct state *, const char *, const char *,
	    struct state_feed *, int *, char *, size_t);
	int (*feed_save)(struct state *, const struct state_feed *, char *,
	    size_t);
	int (*feed_list)(struct state *, struct state_feed **, size_t *, char *,
	    size_t);
	int (*feed_url_add)(struct state *, int64_t, const char *, const char *,
	    char *, size_t);
	int (*entry_count_since)(struct state *, int64_t, int64_t, int64_t *,
	    char *, size_t);
	/* Never called with n == 0. */
	int (*entries_get)(struct state *, int64_t, const char *const *,
	    size_t, int *, int64_t *, char *, size_t);
	int (*entries_discover)(struct state *, int64_t, const char *const *,
	    const int64_t *, const char *const *, size_t, int *, char *,
	    size_t);
	int (*entries_pending)(struct state *, int64_t,
	    struct state_pending **, size_t *, char *, size_t);
	int (*entries_mark_seen)(struct state *, int64_t, const char *const *,
	    const int64_t *, size_t, char *, size_t);
	int (*entries_find)(struct state *, const char *, int64_t,
	    struct state_found **, size_t *, char *, size_t);
	int (*feed_rename)(struct state *, const char *, const char *, char *,
	    size_t);
	int (*entries_listed)(struct state *, int64_t, const char *const *,
	    size_t, int64_t, int64_t, int64_t *, char *, size_t);
	int (*feeds_listed)(struct state *, const char *const *, size_t,
	    int64_t, int64_t, int64_t *, char *, size_t);
	int (*host_hold)(struct state *, const char *, int64_t, char *,
	    size_t);
	int (*host_holds)(struct state *, int64_t, char ***, int64_t **,
	    size_t *, char *, size_t);
	/* Shared backends only. */
	int (*feeds_claim)(struct state *, int64_t, int64_t, size_t, char ***,
	    size_t *, char *, size_t);
	int (*feed_release)(struct state *, const char *, char *, size_t);
	int (*leases_renew)(struct state *, int64_t, int64_t, char *, size_t);
	int (*host_acquire)(struct state *, const char *, int, int64_t, int *,
	    char *, size_t);
	int (*host_release)(struct state *, const char *, int, int64_t, char *,
	    size_t);
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
