/*
 * diff.h - the diff engine: which entries of a freshly parsed feed are new.
 *
 * Promises: an entry is new when the state has never seen its id, or saw
 * it only as pending (discovered before a crash and not yet delivered: it
 * is delivered again under its first discovery time, so under the same
 * spool name).  Each id counts once per document.  New entries come out
 * in discovery order: oldest first by date when every new entry has one,
 * else the reverse of document order (feeds list newest first).
 * A pending entry the document no longer lists is not lost either: the
 * state kept its entry, which diff_left_entries puts back in the feed.
 */
#ifndef NW_DIFF_H
#define NW_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "../feeds/feed.h"
#include "../store/state.h"

struct revision_prev;

struct diff_item {
	size_t index;            /* into feed->entries */
	int64_t discovered_us;   /* recorded time, or the one to record */
	int known;               /* 1: pending in the state already */
	struct revision_prev *rev; /* a revision of a seen entry, its time
	                          * the revision's (poll_revisions.c); NULL
	                          * for a new entry */
	char *entry_json;        /* its entry's JSON text, made once for the
	                          * state's pending record and its item;
	                          * NULL: made by the item */
};

/*
 * Compare feed with what the state holds for feed_id.  Unknown entries get
 * discovery times now_us, now_us + 1, ... in discovery order (so names sort
 * in that order).  Returns 0 with *out (caller frees; NULL when *n is 0),
 * or -1 with the reason in err.
 */
int diff_new_entries(struct state *st, int64_t feed_id, const struct feed *feed,
    int64_t now_us, struct diff_item **out, size_t *n, char *err, size_t errlen);

/*
 * Append to feed's entries those pending in the state for feed_id (as
 * state_entries_pending keeps them) that its document does not list, so
 * that diff_new_entries delivers them with the rest.  *added is how many;
 * one that cannot be read back is left pending, logged with name (the
 * feed's).  Returns 0, or -1 with the reason in err.
 */
int diff_left_entries(struct state *st, int64_t feed_id, const char *name,
    struct feed *feed, size_t *added, char *err, size_t errlen);

#endif
