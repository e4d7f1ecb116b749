/*
 * testdoc.h - generated documents for the parser tests: head, then fmt
 * printed n times with the count i (as "%1$zu", as often as it likes, at
 * most 511 bytes a time), then tail.  Caller frees.
 */
#ifndef NW_TESTDOC_H
#define NW_TESTDOC_H

#include <stdio.h>
#include <string.h>

#include "../feeds/strbuf.h"

static inline char *
testdoc(const char *head, const char *fmt, size_t n, const char *tail)
{
	struct strbuf b = { 0 };
	char one[512];
	int k;

	strbuf_add(&b, head, strlen(head));
	for (size_t i = 0; i < n; i++) {
		k = snprintf(one, sizeof(one), fmt, i);
		strbuf_add(&b, one, k > 0 ? (size_t)k : 0);
	}
	strbuf_add(&b, tail, strlen(tail));
	return strbuf_finish(&b);
}

#endif
