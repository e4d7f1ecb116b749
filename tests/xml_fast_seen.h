/*
 * xml_fast_seen.h - a handler for xml_fast_read that records what it is
 * handed (test_xml_fast.c and fuzz_fast.c): the root serialised as it
 * ends, and the subtrees, handed over at subtree_depth (-1: none).
 */
#ifndef NW_TEST_XML_FAST_SEEN_H
#define NW_TEST_XML_FAST_SEEN_H

#include <stdio.h>

#include <libxml/tree.h>

#include "../feeds/xml_fast.h"

/* What the handler saw. */
struct seen {
	xmlBufferPtr root;      /* the root, serialised as it ended */
	int subtree_depth;      /* start's answer at this depth: a subtree */
	size_t subtrees, ends;
	char last_subtree[256]; /* the last subtree, serialised */
};

static int
on_start(void *ctx, xmlNodePtr n, size_t depth)
{
	struct seen *s = ctx;

	(void)n;
	return (int)depth == s->subtree_depth ? XML_FAST_SUBTREE :
	    XML_FAST_DESCEND;
}

static void
on_end(void *ctx, xmlNodePtr n, int subtree, size_t read)
{
	struct seen *s = ctx;
	xmlBufferPtr b;

	(void)read;
	s->ends++;
	if (subtree) {
		s->subtrees++;
		b = xmlBufferCreate();
		xmlNodeDump(b, n->doc, n, 0, 0);
		snprintf(s->last_subtree, sizeof(s->last_subtree), "%s",
		    (const char *)xmlBufferContent(b));
		xmlBufferFree(b);
	} else if (n->parent != NULL && n->parent->type == XML_DOCUMENT_NODE) {
		s->root = xmlBufferCreate();
		xmlNodeDump(s->root, n->doc, n, 0, 0);
	}
}

static const struct xml_fast_handler handler = { on_start, on_end };

#endif
