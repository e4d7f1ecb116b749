/*
 * story.h - the same story in many feeds: an item's story (the key of its
 * canonical URL and its text's fingerprint), made off the loop, and its
 * claim in the state, on the loop.
 *
 * Promises: two items are one story when their canonical URLs are equal
 * (url_canonical of the page's <link rel=canonical> or og:url, else of
 * the URL the page was fetched from after redirects, else of the entry's
 * link) or when their texts are near-duplicates (neardup.h), within the
 * window.  The first item to claim a story is its first; every later one
 * is its duplicate and names the first.  A claim is kept in the state:
 * the same item claimed again (a replay after a crash) gets the same
 * answer.  Text too short for a fingerprint is matched by URL only.
 */
#ifndef NW_STORY_H
#define NW_STORY_H

#include <stddef.h>
#include <stdint.h>

#include "../feeds/neardup.h"
#include "../store/state.h"

struct story {
	int64_t url_key;        /* of the canonical URL; 0 none */
	int has_fp;
	struct neardup fp;      /* when has_fp */
};

/*
 * The story of an item: canonical is the page's canonical URL, url the
 * URL it was fetched from (or the entry's link), text its body text; any
 * may be NULL.  Pure: runs on a worker.
 */
void story_make(struct story *s, const char *canonical, const char *url,
    const char *text);

/* 1 when s has something to be matched by, else 0. */
int story_known(const struct story *s);

/*
 * Claim s for the item called name (its spool name), discovered at
 * discovered_us, against the stories of the window seconds before it.
 * *duplicate_of is NULL when the item is the
 * story's first, else the first's name (malloc'ed, caller frees).
 * Returns 0, or -1 with the reason in err.
 */
int story_claim(struct state *st, const struct story *s, const char *name,
    int64_t discovered_us, double window, char **duplicate_of, char *err,
    size_t errlen);

/* Forget the stories older than window seconds; 0, or -1 with the reason
 * in err. */
int story_prune(struct state *st, double window, char *err, size_t errlen);

#endif
