/* diff.c - see diff.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "log.h"

struct candidate {
	struct diff_item item;
	int64_t when;
};

static int
by_time(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	/* Equal times keep the reverse of document order. */
	return x->item.index > y->item.index ? -1 : x->item.index < y->item.index;
}

static const struct feed *sort_feed;  /* qsort has no context argument */

static int
by_id(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_feed->entries[x].id, sort_feed->entries[y].id);

	return c ? c : (x > y) - (x < y);
}

/* Mark every repeat of an id (all but its first occurrence in the
 * document); O(n log n) so a 10,000-entry feed stays cheap. */
static unsigned char *
mark_repeats(const struct feed *feed)
{
	size_t *order = malloc(feed->nentries * sizeof(*order));
	unsigned char *repeat = calloc(feed->nentries, 1);

	if (order == NULL || repeat == NULL) {
		free(order);
		free(repeat);
		return NULL;
	}
	for (size_t i = 0; i < feed->nentries; i++)
		order[i] = i;
	sort_feed = feed;
	qsort(order, feed->nentries, sizeof(*order), by_id);
	for (size_t i = 1; i < feed->nentries; i++)
		if (strcmp(feed->entries[order[i]].id,
		    feed->entries[order[i - 1]].id) == 0)
			repeat[order[i]] = 1;
	free(order);
	return repeat;
}

/* Ask the state about every entry at once: on a shared state each
 * question is a round trip. */
static int
lookup(struct state *st, int64_t feed_id, const struct feed *feed,
    const unsigned char *repeat, size_t *which, int *status,
    int64_t *discovered_us, size_t *n, char *err, size_t errlen)
{
	const char **ids = malloc(feed->nentries * sizeof(*ids));
	int rc;

	if (ids == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*n = 0;
	for (size_t k = feed->nentries; k-- > 0;)
		if (!repeat[k]) {
			which[*n] = k;
			ids[(*n)++] = feed->entries[k].id;
		}
	rc = state_entries_get(st, feed_id, ids, *n, status, discovered_us,
	    err, errlen);
	free(ids);
	return rc;
}

int
diff_new_entries(struct state *st, int64_t feed_id, const struct feed *feed,
    int64_t now_us, struct diff_item **out, size_t *n, char *err, size_t errlen)
{
	struct candidate *cand = NULL;
	unsigned char *repeat = NULL;
	struct diff_item *items = NULL;
	size_t *which = NULL;
	int *status = NULL;
	int64_t *discovered_us = NULL;
	size_t ncand = 0, nlooked;
	int all_dated = 1, rc = -1;

	*out = NULL;
	*n = 0;
	if (feed->nentries == 0)
		return 0;
	if ((repeat = mark_repeats(feed)) == NULL ||
	    (cand = calloc(feed->nentries, sizeof(*cand))) == NULL ||
	    (which = malloc(feed->nentries * sizeof(*which))) == NULL ||
	    (status = malloc(feed->nentries * sizeof(*status))) == NULL ||
	    (discovered_us = malloc(feed->nentries *
	    sizeof(*discovered_us))) == NULL)
		goto nomem;
	if (lookup(st, feed_id, feed, repeat, which, status, discovered_us,
	    &nlooked, err, errlen) == -1)
		goto done;

	/* In the reverse of document order, as lookup asked. */
	for (size_t j = 0; j < nlooked; j++) {
		const struct feed_entry *e = &feed->entries[which[j]];
		struct candidate *c = &cand[ncand];

		if (status[j] == STATE_ENTRY_SEEN)
			continue;
		c->item.index = which[j];
		c->item.known = status[j] == STATE_ENTRY_PENDING;
		c->item.discovered_us = discovered_us[j];
		c->when = e->published != NW_TIME_UNSET ? e->published : e->updated;
		if (c->when == NW_TIME_UNSET)
			all_dated = 0;
		ncand++;
	}
	if (ncand > 0) {
		if (all_dated)
			qsort(cand, ncand, sizeof(*cand), by_time);
		if ((items = calloc(ncand, sizeof(*items))) == NULL)
			goto nomem;
		for (size_t i = 0; i < ncand; i++) {
			items[i] = cand[i].item;
			if (!items[i].known)
				items[i].discovered_us = now_us + (int64_t)i;
		}
	}
	*out = items;
	*n = ncand;
	rc = 0;
	goto done;

nomem:
	snprintf(err, errlen, "out of memory");
done:
	free(repeat);
	free(cand);
	free(which);
	free(status);
	free(discovered_us);
	return rc;
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
diff_left_entries(struct state *st, int64_t feed_id, const char *name,
    struct feed *feed, size_t *added, char *err, size_t errlen)
{
	struct state_pending *pend;
	size_t npend, nlisted = feed->nentries;
	const char **listed = NULL;
	char why[256];

	*added = 0;
	if (state_entries_pending(st, feed_id, &pend, &npend, err, errlen) == -1)
		return -1;
	if (npend == 0) {
		/* PostgreSQL's empty answer is an array all the same. */
		state_pending_free(pend, 0);
		return 0;
	}
	/* The strings stay put while entries are appended. */
	if ((listed = malloc((nlisted + 1) * sizeof(*listed))) == NULL) {
		state_pending_free(pend, npend);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nlisted; i++)
		listed[i] = feed->entries[i].id;
	qsort(listed, nlisted, sizeof(*listed), by_string);
	for (size_t i = 0; i < npend; i++) {
		const char *id = pend[i].id;

		if (bsearch(&id, listed, nlisted, sizeof(*listed),
		    by_string) != NULL)
			continue;
		if (feed_add_entry_json(feed, pend[i].entry, why,
		    sizeof(why)) == -1)
			log_warnx("feed %s: pending entry %s: %s; left pending",
			    name, id, why);
		else
			(*added)++;
	}
	free(listed);
	state_pending_free(pend, npend);
	return 0;
}
