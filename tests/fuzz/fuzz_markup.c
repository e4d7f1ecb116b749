/* fuzz_markup.c - markup_guard's promise on arbitrary bytes: whatever it
 * lets through, no element libxml2 builds from it holds more attributes
 * than the cap.  The first byte picks HTML or XML and a cap of 1 to 4,
 * small so that short inputs reach it.  A guard that read a quote, a
 * comment or a name differently from libxml2 aborts here. */
#include <stdlib.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../../feeds/markup_guard.h"
#include "../testdoc.h"
#include "fuzz.h"

static void
silent(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *doc = (const char *)data + 1;
	size_t cap, len;
	char *out;
	xmlDocPtr d;
	int html;

	if (size < 1 || size > 1 << 20)
		return 0;
	html = data[0] & 1;
	cap = 1 + (data[0] >> 1) % 4;
	if (markup_guard(doc, size - 1, html ? MARKUP_GUARD_HTML : 0,
	    html ? "UTF-8" : NULL, cap, cap, &out, &len, NULL) == -1)
		return 0;
	xmlSetGenericErrorFunc(NULL, silent);
	d = html ? htmlReadMemory(out ? out : doc, (int)len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER) : xmlReadMemory(out ? out : doc, (int)len, NULL,
	    NULL, XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (d != NULL && testdoc_most_attrs(xmlDocGetRootElement(d)) > cap)
		abort();
	xmlFreeDoc(d);
	free(out);
	return 0;
}
