/*
 * spool.h - the spool directory: one file per item, made visible
 * atomically.
 *
 * Promises: an item is written to DIR/tmp/NAME, made durable, then renamed
 * to DIR/new/NAME, so a reader of new/ only ever sees complete files.
 * spool_put writes; spool_sync makes everything put since the last one
 * durable and visible in new/ at once.  After spool_sync returns 0 every
 * item put before it survives a crash or power loss.  Putting the same
 * NAME again replaces the file (a re-emitted item after a crash is not a
 * duplicate).  spool_put and spool_failures may be called from any thread
 * at any time, spool_sync from one thread at a time.  Knows nothing of
 * HTTP or parsing.
 */
#ifndef NW_SPOOL_H
#define NW_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool;

/* Open the spool at dir, creating dir, dir/tmp and dir/new as needed, and
 * removing leftovers in dir/tmp (from a crash mid-write).  Returns 0 and
 * *out, or -1 with the reason in err.  For tests, NEWSWATCH_FAULT_SPOOL=
 * ENOSPC:N (or EROFS, EIO, EDQUOT) read here makes the next N spool_put
 * calls fail with that error. */
int spool_open(const char *dir, struct spool **out, char *err, size_t errlen);

/* Close; NULL is a no-op. */
void spool_close(struct spool *spool);

/* Write len bytes of buf as item name into tmp/; the next spool_sync moves
 * it to new/.  name must satisfy spool_name_valid.  *gen (unless gen is
 * NULL) gets spool_failures as of the put, read with it in one step, for
 * spool_failures' test.  On failure nothing is left in tmp/ under that
 * name (an older complete file of the same name in new/ stays) and -1 is
 * returned with the reason in err ("cannot write ...: No space left on
 * device"). */
int spool_put(struct spool *spool, const char *name, const void *buf,
    size_t len, unsigned long *gen, char *err, size_t errlen);

/* Make every item put since the last spool_sync durable and move it into
 * new/ (syncfs, renames, fsync of new/).  Returns 0, or -1 with the reason
 * in err: then none of those items counts as delivered, and those not yet
 * in new/ are removed from tmp/. */
int spool_sync(struct spool *spool, char *err, size_t errlen);

/* How many spool_sync calls have failed.  An item put while this was n is
 * durable in new/ once a later spool_sync returns 0 and this is still n. */
unsigned long spool_failures(struct spool *spool);

/* 1 when name is a valid item name: 1..200 bytes of [A-Za-z0-9._-], not
 * starting with '.'; else 0. */
int spool_name_valid(const char *name);

/*
 * Make the item name for entry_id of feed_name discovered at discovered_us
 * (microseconds since the epoch): "YYYYMMDDTHHMMSS.uuuuuuZ_FEED_HASH.json"
 * where FEED is feed_name reduced to [A-Za-z0-9.-] (at most 64 bytes) and
 * HASH 16 hex digits of a hash of (feed_name, entry_id).  Names list in
 * discovery order and are the same for the same inputs.  Returns buf, or
 * NULL when buflen is too small (128 bytes always suffice).
 */
char *spool_item_name(char *buf, size_t buflen, int64_t discovered_us,
    const char *feed_name, const char *entry_id);

/* Create dir and its missing parents with mode 0755, like mkdir -p; an
 * existing directory is fine.  Returns 0, or -1 with the reason in err.
 * state_open uses it for the state file's directory too. */
int spool_mkdirs(const char *dir, char *err, size_t errlen);

/* spool_keep: remove the items of new/ and cur/ discovered before
 * before_us (by the time their names start with; files not named so are
 * left alone).  *removed counts them.  Returns 0, or -1 with the reason in
 * err. */
int spool_prune(const char *dir, int64_t before_us, size_t *removed,
    char *err, size_t errlen);

#endif
