/* story.c - see story.h: an item's story and its claim. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../feeds/sha256.h"
#include "../feeds/url.h"
#include "clock.h"
#include "story.h"

/* 1 when canonical URL c is its site's home page: what a template that
 * names one canonical URL for every page gives, which says nothing. */
static int
home_page(const char *c)
{
	const char *path = strstr(c, "://") + 3;

	path += strcspn(path, "/");
	return strcmp(path, "/") == 0;
}

void
story_make(struct story *s, const char *canonical, const char *url,
    const char *text)
{
	char *c = url_canonical(canonical);

	memset(s, 0, sizeof(*s));
	if (c != NULL && home_page(c)) {
		free(c);
		c = NULL;
	}
	if (c == NULL)
		c = url_canonical(url);
	if (c != NULL) {
		struct sha256 h;
		unsigned char d[SHA256_DIGEST_LEN];

		/* A digest, not a hash table's hash: a page must not be able
		 * to pick a key that another site's story has. */
		sha256_init(&h);
		sha256_update(&h, c, strlen(c));
		sha256_final(&h, d);
		for (int i = 0; i < 8; i++)
			s->url_key = (int64_t)((uint64_t)s->url_key << 8 | d[i]);
		/* 0 stands for none. */
		if (s->url_key == 0)
			s->url_key = 1;
		free(c);
	}
	s->has_fp = text != NULL &&
	    neardup_fingerprint(text, strlen(text), &s->fp) == 0;
}

int
story_known(const struct story *s)
{
	return s->url_key != 0 || s->has_fp;
}

/* Whether row r of the state is the story s. */
static int
same_story(const struct story *s, const struct state_story *r)
{
	struct neardup fp;

	if (s->url_key != 0 && r->url_key == s->url_key)
		return 1;
	return s->has_fp && r->fp != NULL &&
	    neardup_from_hex(r->fp, &fp) == 0 && neardup_same(&s->fp, &fp);
}

int
story_claim(struct state *st, const struct story *s, const char *name,
    int64_t discovered_us, double window, char **duplicate_of, char *err,
    size_t errlen)
{
	char hex[NEARDUP_HEX_LEN + 1];
	struct state_story me = {
		.name = (char *)name,
		.discovered_us = discovered_us,
		.url_key = s->url_key,
	}, *rows = NULL;
	int64_t win_us = (int64_t)(window * 1e6);
	const char *first = NULL;
	size_t n = 0;
	int rc = -1;

	*duplicate_of = NULL;
	if (s->has_fp) {
		neardup_hex(&s->fp, hex);
		me.fp = hex;
		for (int i = 0; i < STATE_STORY_BANDS; i++)
			me.band[i] = neardup_band(&s->fp, i);
	}
	if (state_stories_find(st, &me, discovered_us - win_us, &rows, &n, err,
	    errlen) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0) {
			/* Claimed before: its answer stands. */
			if (rows[i].duplicate_of != NULL &&
			    (*duplicate_of = strdup(rows[i].duplicate_of)) ==
			    NULL)
				goto nomem;
			rc = 0;
			goto done;
		}
	/* In discovery order: the earliest is the story's first, or names
	 * it. */
	for (size_t i = 0; i < n && first == NULL; i++)
		if (same_story(s, &rows[i]))
			first = rows[i].duplicate_of ? rows[i].duplicate_of :
			    rows[i].name;
	if (first != NULL && (*duplicate_of = strdup(first)) == NULL)
		goto nomem;
	me.duplicate_of = *duplicate_of;
	rc = state_story_add(st, &me, err, errlen);
	if (rc == -1) {
		free(*duplicate_of);
		*duplicate_of = NULL;
	}
done:
	state_stories_free(rows, n);
	return rc;
nomem:
	snprintf(err, errlen, "out of memory");
	goto done;
}

int
story_prune(struct state *st, double window, char *err, size_t errlen)
{
	int64_t pruned;

	return state_stories_prune(st, clock_now_us() - (int64_t)(window * 1e6),
	    &pruned, err, errlen);
}
