/*
 * fuzz_jsonld.c - the JSON-LD reader (article_jsonld.c, internal to the
 * article parser) reached the way a page reaches it: the input is the
 * content of a <script type="application/ld+json"> in a minimal page
 * with no other metadata, so whatever the article holds came from it.
 */
#include <stdlib.h>
#include <string.h>

#include "../../feeds/article.h"
#include "fuzz.h"

static const char head[] =
    "<html><head><script type=\"application/ld+json\">";
static const char tail[] = "</script></head><body></body></html>";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article *a;
	char err[512];
	char *page;
	size_t len = sizeof(head) - 1 + size + sizeof(tail) - 1;

	if ((page = malloc(len)) == NULL)
		return 0;
	memcpy(page, head, sizeof(head) - 1);
	memcpy(page + sizeof(head) - 1, data, size);
	memcpy(page + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);
	if (article_parse(page, len, "http://news.example/a/1.html",
	    "text/html; charset=utf-8", NULL, 0, 0, &a, err, sizeof(err)) == 0) {
		json_decref(article_to_json(a));
		article_free(a);
	}
	free(page);
	return 0;
}
