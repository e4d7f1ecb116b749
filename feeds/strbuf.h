/*
 * strbuf.h - a growing string for the parsers' output.
 *
 * Promises: p stays NUL-terminated once anything was added; after an
 * allocation failure further bytes are dropped silently and
 * strbuf_finish() returns NULL, so callers check once, at the end.
 * Start from a zeroed struct strbuf.
 */
#ifndef NW_STRBUF_H
#define NW_STRBUF_H

#include <stddef.h>
#include <string.h>

struct strbuf {
	char *p;
	size_t len, cap;
	int oom;
};

/* Room for n more bytes and a NUL, at the end of the text: the caller
 * writes there, then adds what it wrote to len and puts the NUL after.
 * NULL after an allocation failure. */
char *strbuf_room(struct strbuf *b, size_t n);

/* Append n bytes of s (n may be 0: the buffer then holds "").  Inline
 * while there is room: the parsers add a few bytes at a time, hundreds
 * of thousands of times a large document. */
static inline void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	char *at = b->p != NULL && !b->oom && n < b->cap - b->len ?
	    b->p + b->len : strbuf_room(b, n);

	if (at == NULL)
		return;
	memcpy(at, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Hand over the string (caller frees) and reset b to empty.  NULL when
 * nothing was ever added or an allocation failed. */
char *strbuf_finish(struct strbuf *b);

#endif
