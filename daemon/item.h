/*
 * item.h - the spool item: one new entry with its feed and article, as the
 * JSON object users read from spool/new/.
 *
 * Promises: the object has "feed" {name, url, title, tags}, "entry" (as
 * feed_entry_to_json), "article" (as article_to_json, or {url, error})
 * only when article fetching is on, "discovered_at" (RFC 3339 UTC), and
 * "duplicate_of" (the spool name of the story's first item) only when
 * the item is the same story as one delivered before (story.h).
 */
#ifndef NW_ITEM_H
#define NW_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../feeds/article.h"
#include "../feeds/feed.h"
#include "config.h"

struct item_article {
	const struct article *article;  /* parsed page, or NULL */
	const char *url;                /* the page asked for */
	const char *error;              /* why there is no article, or NULL */
};

/*
 * Serialise the item for entry of feed (as configured by cf) discovered at
 * discovered_us; entry_json is the entry's JSON text when it was made
 * already (item_json_text of feed_entry_to_json), else NULL.  art is NULL when article fetching is off; duplicate_of
 * NULL when the item is no known story's duplicate; revision NULL when it
 * is no revision, else its "revision" member (a new reference, taken even
 * on failure).  Returns a malloc'ed NUL-terminated JSON text (caller
 * frees) or NULL when out of memory.
 */
char *item_json(const struct config_feed *cf, const struct feed *feed,
    const struct feed_entry *entry, const char *entry_json,
    const struct item_article *art, int64_t discovered_us,
    const char *duplicate_of, json_t *revision);

/* v as json_dumps(v, JSON_COMPACT) writes it, faster: keys in insertion
 * order, non-ASCII as UTF-8.  Returns a malloc'ed text or NULL when out of
 * memory. */
char *item_json_text(json_t *v);
/* v as json_dumps(v, JSON_PRESERVE_ORDER | JSON_INDENT(2)) writes it,
 * nested depth levels deep in a larger text: every line after the first
 * moved right by 2 * depth spaces.  Caller frees; NULL when out of
 * memory. */
char *item_json_indented(json_t *v, int depth);

#endif
