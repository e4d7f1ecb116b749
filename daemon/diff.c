/* diff.c - see diff.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

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

int
diff_new_entries(struct state *st, int64_t feed_id, const struct feed *feed,
    int64_t now_us, struct diff_item **out, size_t *n, char *err, size_t errlen)
{
	struct candidate *cand = NULL;
	unsigned char *repeat = NULL;
	struct diff_item *items = NULL;
	size_t ncand = 0;
	int all_dated = 1;

	*out = NULL;
	*n = 0;
	if (feed->nentries == 0)
		return 0;
	if ((repeat = mark_repeats(feed)) == NULL ||
	    (cand = calloc(feed->nentries, sizeof(*cand))) == NULL)
		goto nomem;

	for (size_t k = feed->nentries; k-- > 0;) {
		const struct feed_entry *e = &feed->entries[k];
		struct candidate *c = &cand[ncand];
		int status;

		if (repeat[k])
			continue;
		if (state_entry_get(st, feed_id, e->id, &status,
		    &c->item.discovered_us, err, errlen) == -1)
			goto fail;
		if (status == STATE_ENTRY_SEEN)
			continue;
		c->item.index = k;
		c->item.known = status == STATE_ENTRY_PENDING;
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
	free(repeat);
	free(cand);
	*out = items;
	*n = ncand;
	return 0;

nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(repeat);
	free(cand);
	return -1;
}
