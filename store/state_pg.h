/*
 * state_pg.h - what the files of the PostgreSQL backend share (private
 * to state_pg*.c): the connection, the prepared statements and how to run
 * them.  state_pg.c connects, migrates and keeps the feeds;
 * state_pg_entries.c the batches of entries and pruning;
 * state_pg_shared.c the shared work (leases, host slots, host holds).
 */
#ifndef NW_STATE_PG_H
#define NW_STATE_PG_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "state.h"
#include "state_backend.h"
#include "state_schema.h"

/* The prepared statements (their SQL: pstmt_sql in state_pg.c). */
enum pstmt {
	P_FEED_GET,
	P_FEED_INSERT,
	P_FEED_SAVE,
	P_FEED_OWNER,
	P_FEED_LIST,
	P_ENTRIES_GET,
	P_ENTRIES_DISCOVER,
	P_ENTRIES_SEE,
	P_ENTRIES_PENDING,
	P_ENTRIES_FIND,
	P_ENTRY_COUNT_SINCE,
	P_URL_ADD,
	P_ENTRIES_GONE,
	P_ENTRIES_BACK,
	P_ENTRIES_PRUNE,
	P_FEEDS_GONE,
	P_FEEDS_BACK,
	P_FEEDS_PRUNE,
	P_RENAME,
	P_COUNT_DUPLICATES,
	P_CLAIM,
	P_RELEASE,
	P_RENEW,
	P_HOST_ACQUIRE,
	P_HOST_RELEASE,
	P_HOST_DELAY,
	P_HOLD_SET,
	P_HOLDS_TAKE,
	P_STORIES_LOCK,
	P_STORIES_FIND,
	P_STORY_ADD,
	P_STORIES_PRUNE,
	P_REV_GET,
	P_REV_DUE,
	P_REV_RECORD,
	P_REV_DONE,
	P_REV_EXPIRE,
	P_COUNT
};

struct held_slot {
	char *host;
	int slot;
};

struct pg_state {
	struct state base;         /* first: a struct state * is one of these */
	PGconn *conn;
	int ready;                 /* session set up: settings, statements */
	struct held_slot *held;    /* host slots this session holds */
	size_t nheld, held_cap;
	char *where;               /* host and database, for messages */
	char owner[160];           /* this instance in leases */
};

static inline struct pg_state *
pg(struct state *base)
{
	return (struct pg_state *)base;
}

/* A number as a statement parameter. */
struct num {
	char s[24];
};

struct num pg_num(int64_t v);

/* Arrays as statement parameters (state_pg_entries.c): names[0..n) as a
 * text[] literal (a NULL name is SQL NULL), v[0..n) as a bigint[] one;
 * NULL when out of memory. */
char *pg_text_array(const char *const *names, size_t n);
char *pg_bigint_array(const int64_t *v, size_t n);

/* "what: the server's reason" into err (the reason's first line);
 * returns -1 for the caller's return. */
int pg_error(struct pg_state *st, char *err, size_t errlen, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Run prepared statement which with n text parameters (NULL is SQL
 * NULL), making a connection lost outside a transaction again first.
 * Returns the result (caller clears) when it succeeded, else NULL with
 * the server's reason left for pg_error. */
PGresult *pg_exec(struct pg_state *st, enum pstmt which, int n,
    const char *const *vals);

/* pg_exec for the effect: 0 or -1; *changed (may be NULL) is the number
 * of rows it changed. */
int pg_run(struct pg_state *st, enum pstmt which, int n,
    const char *const *vals, int64_t *changed);

/* A cell of r: a copy (NULL for SQL NULL; -1 when out of memory), or a
 * number. */
int pg_value_strdup(const PGresult *r, int row, int col, char **out);
int64_t pg_value_int(const PGresult *r, int row, int col);

/* Every row of r as an array of *n structs of kind in *out (r is
 * cleared).  Fails with "cannot <what>: why" in err. */
int pg_rows(PGresult *r, const struct state_row *kind, void **out, size_t *n,
    const char *what, char *err, size_t errlen);

/* The functions of the backend table that live in the other files; see
 * state_backend.h. */
int pg_entry_count_since(struct state *base, int64_t feed_id,
    int64_t since_us, int64_t *count, char *err, size_t errlen);
int pg_entries_pending(struct state *base, int64_t feed_id,
    struct state_pending **out, size_t *n, char *err, size_t errlen);
int pg_entries_find(struct state *base, const char *key,
    int64_t discovered_us, struct state_found **out, size_t *n, char *err,
    size_t errlen);
int pg_entries_get(struct state *base, int64_t feed_id,
    const char *const *ids, size_t n, int *status, int64_t *discovered_us,
    char *err, size_t errlen);
int pg_entries_discover(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us,
    const char *const *entries, size_t n, int *added, char *err,
    size_t errlen);
int pg_entries_mark_seen(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us, size_t n,
    char *err, size_t errlen);
int pg_entries_listed(struct state *base, int64_t feed_id,
    const char *const *ids, size_t n, int64_t now, int64_t keep,
    int64_t *pruned, char *err, size_t errlen);
int pg_feeds_listed(struct state *base, const char *const *names, size_t n,
    int64_t now, int64_t keep, int64_t *pruned, char *err, size_t errlen);
int pg_stories_find(struct state *base, const struct state_story *s,
    int64_t since_us, struct state_story **out, size_t *n, char *err,
    size_t errlen);
int pg_story_add(struct state *base, const struct state_story *s,
    char *err, size_t errlen);
int pg_stories_prune(struct state *base, int64_t before_us,
    int64_t *pruned, char *err, size_t errlen);
int pg_feeds_claim(struct state *base, int64_t now, int64_t lease,
    size_t limit, char ***names, size_t *n, char *err, size_t errlen);
int pg_feed_release(struct state *base, const char *name, char *err,
    size_t errlen);
int pg_leases_renew(struct state *base, int64_t now, int64_t lease,
    char *err, size_t errlen);
int pg_host_acquire(struct state *base, const char *host, int slots,
    int64_t now_ms, int *slot, char *err, size_t errlen);
int pg_host_release(struct state *base, const char *host, int slot,
    int64_t free_at_ms, char *err, size_t errlen);
int pg_host_hold(struct state *base, const char *host, int64_t until_ms,
    char *err, size_t errlen);
int pg_host_holds(struct state *base, int64_t now_ms, char ***hosts,
    int64_t **until_ms, size_t *n, char *err, size_t errlen);

/* state_pg_revisions.c */
int pg_revisions_get(struct state *base, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen);
int pg_revisions_due(struct state *base, int64_t feed_id, int64_t now_us,
    size_t max, struct state_pending **out, size_t *n, char *err,
    size_t errlen);
int pg_revision_record(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen);
int pg_revisions_done(struct state *base, int64_t feed_id,
    const struct state_version_done *done, size_t n, char *err,
    size_t errlen);
int pg_revisions_expire(struct state *base, int64_t feed_id,
    int64_t before_us, char *err, size_t errlen);

#endif
