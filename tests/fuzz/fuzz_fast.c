/* fuzz_fast.c - our own strict scan (feeds/xml_fast.c) against libxml2
 * on arbitrary bytes: whatever the scan accepts, libxml2 must read with
 * the feed parser's options without a single error and into the same
 * tree (the root serialised alike), or the harness aborts.  The first
 * byte says at which depth subtrees are handed over (or none), so that
 * the freeing of subtrees is exercised too. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "../../feeds/text.h"
#include "../../feeds/xml_fast.h"
#include "../xml_fast_seen.h"
#include "fuzz.h"

static void
note_error(void *ctx, xmlErrorPtr e)
{
	if (e->level >= XML_ERR_ERROR)
		*(int *)((xmlParserCtxtPtr)ctx)->_private = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { .subtree_depth = -1 };
	const char *doc = (const char *)data + 1;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr tree;
	xmlBufferPtr b;
	int errors = 0;

	if (size < 1 || !text_utf8_valid(doc, size - 1))
		return 0;
	if (data[0] < 4)
		s.subtree_depth = data[0];
	if (xml_fast_read(doc, size - 1, NULL, &handler, &s) != 0) {
		xmlBufferFree(s.root);
		return 0;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		abort();
	ctxt->sax->serror = note_error;
	ctxt->_private = &errors;
	tree = xmlCtxtReadMemory(ctxt, doc, (int)(size - 1), NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (tree == NULL || errors || xmlDocGetRootElement(tree) == NULL)
		abort();
	/* With subtrees freed the root is smaller: compare whole ones. */
	if (s.subtree_depth < 0 && s.root != NULL) {
		if ((b = xmlBufferCreate()) == NULL)
			abort();
		xmlNodeDump(b, tree, xmlDocGetRootElement(tree), 0, 0);
		if (strcmp((const char *)xmlBufferContent(b),
		    (const char *)xmlBufferContent(s.root)) != 0)
			abort();
		xmlBufferFree(b);
	}
	xmlBufferFree(s.root);
	xmlFreeDoc(tree);
	xmlFreeParserCtxt(ctxt);
	return 0;
}
