/*
 * testdoc.h - generated documents for the parser tests and the fuzz
 * harnesses, and what libxml2 made of them.
 */
#ifndef NW_TESTDOC_H
#define NW_TESTDOC_H

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "../feeds/strbuf.h"

/* head, then fmt printed n times with the count i (as "%1$zu", as often
 * as it likes, at most 511 bytes a time), then tail.  Caller frees. */
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

/* The most attributes an element of the tree under n has; iterative, as
 * generated documents nest deep. */
static inline size_t
testdoc_most_attrs(xmlNodePtr n)
{
	size_t most = 0, k;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			k = 0;
			for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
				k++;
			most = k > most ? k : most;
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		while (n != NULL && n->next == NULL)
			n = n->parent;
		if (n != NULL)
			n = n->next;
	}
	return most;
}

#endif
