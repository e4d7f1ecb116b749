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

struct strbuf {
	char *p;
	size_t len, cap;
	int oom;
};

/* Append n bytes of s (n may be 0: the buffer then holds ""). */
void strbuf_add(struct strbuf *b, const char *s, size_t n);

/* Room for n more bytes and a NUL, at the end of the text: the caller
 * writes there, then adds what it wrote to len and puts the NUL after.
 * NULL after an allocation failure. */
char *strbuf_room(struct strbuf *b, size_t n);

/* Hand over the string (caller frees) and reset b to empty.  NULL when
 * nothing was ever added or an allocation failed. */
char *strbuf_finish(struct strbuf *b);

#endif
