/*
 * revision.h - revisions of a delivered entry: when to look again, what
 * counts as a change, and what a revision item says about it.
 *
 * Promises: pure functions of their arguments (safe on a worker thread).
 * A fingerprint tells whether the feed shows an entry changed; it ignores
 * whitespace.  A version holds the three texts a revision compares
 * (title, description, text), encoded compressed for the state.  Two
 * versions differ in substance when a field's words differ once
 * whitespace, tracking parameters in URLs and relative timestamps
 * ("updated 5 minutes ago") are set aside; the diff of each such field is
 * word by word, in wdiff's notation.  With revisions: pages, an entry's
 * page is read again at the first of its schedule still ahead, and a
 * budget of reads a minute, which its caller keeps, spreads the reads
 * (its functions change only the budget given).  Knows nothing of HTTP
 * or the state.
 */
#ifndef NW_REVISION_H
#define NW_REVISION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../feeds/article.h"
#include "../feeds/feed.h"
#include "config.h"

/* How long after discovery an entry keeps its version in the state, so
 * that a change can still be diffed (microseconds): three days. */
#define REVISION_WINDOW_US (72LL * 3600 * 1000000)

/* At most this many entries of one feed are read again per poll (those
 * left pending aside): a feed that rewrites every entry's date at each
 * fetch must not cost a page request per entry per poll.  The rest keep
 * their old fingerprint, so the next poll takes them. */
#define REVISION_MAX_PER_POLL 16

/* What a revision of a seen entry starts from (the state's, for the
 * poll that found it). */
struct revision_prev {
	int64_t discovered_us; /* the entry's, which its checks count from */
	int number;            /* of the last version delivered */
	int64_t number_us;     /* the time in its item's name */
	int64_t fingerprint;   /* what the feed shows now */
	char *version;         /* its texts, as revision_encode made them */
};

/* The time of the first of checks (revisions: pages) after after_us for
 * an entry discovered at discovered_us, or 0 when none is left. */
int64_t revision_next_check(const struct revision_checks *checks,
    int64_t discovered_us, int64_t after_us);

/* A global budget of scheduled page reads: per_minute of them a minute,
 * never more than a minute's worth at once, so that checks that fell due
 * while the daemon was down are spread, not fired together. */
struct revision_budget {
	double per_minute;
	double tokens;
	int64_t at_us;         /* when tokens was last brought up to date */
};

/* A budget full at now_us (a minute's worth). */
void revision_budget_init(struct revision_budget *b, long per_minute,
    int64_t now_us);

/* How many reads the budget allows at now_us. */
size_t revision_budget_left(struct revision_budget *b, int64_t now_us);

/* n of them (at most what revision_budget_left said) were made. */
void revision_budget_spend(struct revision_budget *b, size_t n);

/* The texts a revision compares; borrowed or owned as the caller says. */
struct revision_texts {
	const char *title;
	const char *description;
	const char *text;
};

/* What the feed shows of e (title, summary, content, updated date),
 * whitespace runs taken as one space; never 0. */
int64_t revision_fingerprint(const struct feed_entry *e);

/* The texts of an item (borrowed): its article's when a is not NULL,
 * else the entry's, summary and content as the feed gave them (HTML):
 * made plain only to be compared (revision_texts_plain), which is rare,
 * not for every item kept. */
void revision_texts_of(const struct feed_entry *e, const struct article *a,
    struct revision_texts *out);

/* in with its description and text made plain text from HTML, into *out
 * (the title borrowed from in, the rest in *owned, which the caller
 * frees).  Returns 0, or -1 when out of memory. */
int revision_texts_plain(const struct revision_texts *in,
    struct revision_texts *out, char **owned);

/* t compressed and encoded as text for the state (caller frees), or NULL
 * when out of memory. */
char *revision_encode(const struct revision_texts *t);

/* The texts revision_encode encoded in s, into *out, pointing into *owned
 * (caller frees).  Returns 0, or -1 when s is not such a text. */
int revision_decode(const char *s, struct revision_texts *out, char **owned);

/* text compressed and encoded as revision_encode does (caller frees), or
 * NULL when out of memory or too long: what the state keeps of an entry
 * for its checks. */
char *revision_pack(const char *text);

/* The text revision_pack encoded in s (caller frees), or NULL when s is
 * not such a text (or out of memory). */
char *revision_unpack(const char *s);

/*
 * Compare the last version delivered with the current one.  Returns NULL
 * when no field changed in substance (or when out of memory), else a new
 * object {"changed": [field, ...], "diff": {field: "..."}} where the diff
 * shows deleted words as [-...-], inserted ones as {+...+}, and a few
 * unchanged words around them.  *words (may be NULL) is how many words
 * were deleted or inserted in all.
 */
json_t *revision_compare(const struct revision_texts *old,
    const struct revision_texts *cur, size_t *words);

/* The spool name of version number (1 the entry's first item) of entry
 * id of feed, named at us: spool_item_name's, with ".rN" before ".json"
 * for a revision, so it sorts by its own time and says what it is.
 * Returns buf, or NULL when it does not fit. */
char *revision_item_name(char *buf, size_t len, int64_t us, const char *feed,
    const char *id, int number);

/* The version number revision_item_name wrote into name: N for ".rN.json"
 * (N >= 2), else 1. */
int revision_name_number(const char *name);

#endif
