/*
 * state_sqlite.h - what the files of the SQLite backend share (private
 * to state_sqlite*.c): the open file and its prepared statements.
 * state_sqlite.c opens, checks, migrates and keeps the feeds;
 * state_sqlite_entries.c the entries, pruning and host holds.
 */
#ifndef NW_STATE_SQLITE_H
#define NW_STATE_SQLITE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "state.h"
#include "state_backend.h"
#include "state_schema.h"

/* Every statement the loop runs, prepared once at open (their SQL:
 * stmt_sql in state_sqlite.c): a poll cycle looks up to 100k entries. */
enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_FEED_GET,
	S_FEED_INSERT,
	S_FEED_SAVE,
	S_FEED_LIST,
	S_FEED_COUNT_SEEN,
	S_FEED_COUNT_DUPLICATES,
	S_ENTRY_GET,
	S_ENTRY_INSERT,
	S_ENTRY_SEE,
	S_ENTRIES_PENDING,
	S_ENTRIES_FIND,
	S_ENTRY_COUNT_SINCE,
	S_URL_ADD,
	S_LISTED_ADD,
	S_LISTED_CLEAR,
	S_ENTRIES_GONE,
	S_ENTRIES_BACK,
	S_ENTRIES_PRUNE,
	S_FEEDS_GONE,
	S_FEEDS_BACK,
	S_FEEDS_PRUNE,
	S_HOLD_SET,
	S_HOLDS_PRUNE,
	S_HOLDS_LIST,
	S_STORIES_FIND,
	S_STORY_ADD,
	S_STORIES_PRUNE,
	S_REV_GET,
	S_REV_DUE,
	S_REV_RECORD,
	S_REV_PENDING,
	S_REV_DONE,
	S_REV_SAME,
	S_REV_COUNT,
	S_REV_EXPIRE,
	S_REV_EXPIRE_PENDING,
	S_COUNT
};

struct sqlite_state {
	struct state base;         /* first: a struct state * is one of these */
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[S_COUNT];
};


/* Put "what: sqlite's reason" into err; returns -1 for the caller's
 * return. */
int sq_error(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Run a statement that returns no row and reset it: 0 or -1, the error
 * message left in the handle for sq_error. */
int sq_run(sqlite3_stmt *s);

/* Every row of s (bound, not yet stepped) as an array of *n structs of
 * kind in *out; s is reset.  Fails with "cannot <what>: why" in err. */
int sq_rows(struct sqlite_state *st, sqlite3_stmt *s,
    const struct state_row *kind, void **out, size_t *n, const char *what,
    char *err, size_t errlen);

/* The functions of the backend table in state_sqlite_entries.c; see
 * state_backend.h. */
int sq_entries_get(struct state *base, int64_t feed_id,
    const char *const *ids, size_t n, int *status, int64_t *discovered_us,
    char *err, size_t errlen);
int sq_entries_discover(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us,
    const char *const *entries, size_t n, int *added, char *err,
    size_t errlen);
int sq_entries_mark_seen(struct state *base, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us, size_t n,
    char *err, size_t errlen);
int sq_entries_pending(struct state *base, int64_t feed_id,
    struct state_pending **out, size_t *n, char *err, size_t errlen);
int sq_entries_find(struct state *base, const char *key,
    int64_t discovered_us, struct state_found **out, size_t *n, char *err,
    size_t errlen);
int sq_entry_count_since(struct state *base, int64_t feed_id,
    int64_t since_us, int64_t *count, char *err, size_t errlen);
int sq_entries_listed(struct state *base, int64_t feed_id,
    const char *const *ids, size_t n, int64_t now, int64_t keep,
    int64_t *pruned, char *err, size_t errlen);
int sq_feeds_listed(struct state *base, const char *const *names, size_t n,
    int64_t now, int64_t keep, int64_t *pruned, char *err, size_t errlen);
int sq_host_hold(struct state *base, const char *host, int64_t until_ms,
    char *err, size_t errlen);
int sq_stories_find(struct state *base, const struct state_story *s,
    int64_t since_us, struct state_story **out, size_t *n, char *err,
    size_t errlen);
int sq_story_add(struct state *base, const struct state_story *s,
    char *err, size_t errlen);
int sq_stories_prune(struct state *base, int64_t before_us,
    int64_t *pruned, char *err, size_t errlen);
int sq_host_holds(struct state *base, int64_t now_ms, char ***hosts,
    int64_t **until_ms, size_t *n, char *err, size_t errlen);

/* state_sqlite_revisions.c */
int sq_revisions_get(struct state *base, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen);
int sq_revisions_due(struct state *base, int64_t feed_id, int64_t now_us,
    size_t max, struct state_pending **out, size_t *n, char *err,
    size_t errlen);
int sq_revision_record(struct state *base, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen);
int sq_revisions_done(struct state *base, int64_t feed_id,
    const struct state_version_done *done, size_t n, char *err,
    size_t errlen);
int sq_revisions_expire(struct state *base, int64_t feed_id,
    int64_t before_us, char *err, size_t errlen);

#endif
