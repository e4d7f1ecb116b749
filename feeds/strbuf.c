/* strbuf.c - see strbuf.h */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

char *
strbuf_room(struct strbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return NULL;
	if (b->p != NULL && n < b->cap - b->len)
		return b->p + b->len;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= n) {
		if (cap > SIZE_MAX / 2) {
			b->oom = 1;
			return NULL;
		}
		cap *= 2;
	}
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return NULL;
	}
	b->p = p;
	b->cap = cap;
	return b->p + b->len;
}

char *
strbuf_finish(struct strbuf *b)
{
	char *p = b->p;

	if (b->oom || p == NULL) {
		free(p);
		p = NULL;
	} else if (b->cap - b->len > b->len / 4 + 64) {
		/* The text is kept, often long after (a job's entries until
		 * its items are written): not the room the writers asked for
		 * (six times a chunk for escapes) or doubling left over. */
		char *fit = realloc(p, b->len + 1);

		if (fit != NULL)
			p = fit;
	}
	memset(b, 0, sizeof(*b));
	return p;
}
