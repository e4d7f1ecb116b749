/* fuzz_feed.c - feed_parse (RSS, Atom, JSON Feed) on arbitrary bytes, and
 * the JSON written for every entry it yields, as the spool would.  Most
 * mutations are not well-formed XML: they go through the loose pass
 * (feeds/xml_loose.c) too, and the charset content types through its
 * conversion to UTF-8. */
#include <stdlib.h>

#include "../../feeds/feed.h"
#include "fuzz.h"

/* The content type picks the parser path (charset, JSON vs XML): the
 * first byte chooses one, so one corpus reaches them all. */
static const char *const content_types[] = {
	NULL, "application/rss+xml", "text/xml; charset=iso-8859-1",
	"application/feed+json", "text/html; charset=utf-8",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t ntypes = sizeof(content_types) / sizeof(content_types[0]);
	struct feed *feed;
	char err[512];
	const char *ct = size > 0 ? content_types[data[0] % ntypes] : NULL;

	if (feed_parse((const char *)data, size, "http://example.org/feed/",
	    ct, &feed, err, sizeof(err)) == -1)
		return 0;
	json_decref(feed_meta_to_json(feed));
	for (size_t i = 0; i < feed->nentries; i++)
		json_decref(feed_entry_to_json(&feed->entries[i]));
	feed_free(feed);
	return 0;
}
