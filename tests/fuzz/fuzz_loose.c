/* fuzz_loose.c - the loose pass (feeds/xml_loose.c) alone, on arbitrary
 * bytes, with its promises checked on the tree it builds: no element
 * deeper than XML_LOOSE_MAX_DEPTH, none with more attributes than the
 * guard's cap, the unfinished entry (when it names one) an element of
 * the document, and the tree one libxml2 can walk and serialise.  The
 * first byte switches each of the caller's rules on or off (a rule that
 * holds for no element), so that one corpus reaches the raw-text, leaf
 * and entry paths in every mix; the rules are the feed parser's habits
 * in small. */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "../../feeds/markup_guard.h"
#include "../../feeds/xml_loose.h"
#include "../testdoc.h"
#include "fuzz.h"

static int
named(xmlNodePtr n, const char *a, const char *b)
{
	return strcmp((const char *)n->name, a) == 0 ||
	    strcmp((const char *)n->name, b) == 0;
}

static int
never(xmlNodePtr n)
{
	(void)n;
	return 0;
}

static int
raw_text(xmlNodePtr n)
{
	return named(n, "description", "content");
}

static int
leaf(xmlNodePtr n)
{
	return named(n, "enclosure", "image") ||
	    xmlHasProp(n, (const xmlChar *)"href") != NULL;
}

static int
entry(xmlNodePtr n)
{
	return named(n, "item", "entry");
}

/* The deepest element under n, counted from 1; 1 when found is in the
 * tree (the unfinished entry); iterative, as the tree may be deep. */
static size_t
deepest(xmlNodePtr n, xmlNodePtr want, int *found)
{
	size_t depth = 1, most = 0;

	while (n != NULL) {
		if (n == want)
			*found = 1;
		if (n->type == XML_ELEMENT_NODE && depth > most)
			most = depth;
		if (n->children != NULL) {
			n = n->children;
			depth++;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			depth--;
		}
		if (n != NULL)
			n = n->next;
	}
	return most;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_loose_rules rules;
	struct xml_loose_report rep;
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlChar *dump = NULL;
	int found = 0, dlen;

	if (size < 1)
		return 0;
	rules.raw_text = data[0] & 1 ? raw_text : never;
	rules.leaf = data[0] & 2 ? leaf : never;
	rules.entry = data[0] & 4 ? entry : never;
	doc = xml_loose_read((const char *)data + 1, size - 1,
	    data[0] & 8 ? "http://example.org/feed/" : NULL, &rules, &rep);
	if (doc == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || deepest(root, rep.unfinished, &found) >
	    XML_LOOSE_MAX_DEPTH || testdoc_most_attrs(root) >
	    MARKUP_GUARD_MAX_ATTRS || (rep.unfinished != NULL && (!found ||
	    rep.unfinished->type != XML_ELEMENT_NODE)))
		abort();
	xmlDocDumpMemory(doc, &dump, &dlen);
	xmlFree(dump);
	xmlFreeDoc(doc);
	return 0;
}
