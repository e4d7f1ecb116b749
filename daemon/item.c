/* item.c - see item.h */
#include <jansson.h>

#include "../feeds/date.h"
#include "item.h"

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
feed_object(const struct config_feed *cf, const struct feed *feed)
{
	json_t *tags = json_array();

	for (size_t i = 0; i < cf->ntags; i++)
		json_array_append_new(tags, json_string(cf->tags[i]));
	return json_pack("{s:s, s:s, s:o, s:o}", "name", cf->name,
	    "url", cf->url, "title", str_or_null(feed->title), "tags", tags);
}

static json_t *
article_object(const struct item_article *art)
{
	if (art->article)
		return article_to_json(art->article);
	return json_pack("{s:o, s:s}", "url", str_or_null(art->url),
	    "error", art->error ? art->error : "no article");
}

char *
item_json(const struct config_feed *cf, const struct feed *feed,
    const struct feed_entry *entry, const struct item_article *art,
    int64_t discovered_us)
{
	char when[32];
	json_t *obj;
	char *text;

	date_format_rfc3339(discovered_us / 1000000, when, sizeof(when));
	obj = json_pack("{s:o, s:o, s:s}", "feed", feed_object(cf, feed),
	    "entry", feed_entry_to_json(entry), "discovered_at", when);
	if (obj && art)
		json_object_set_new(obj, "article", article_object(art));
	if (obj == NULL)
		return NULL;
	/* Keys in a fixed order and one item per line keeps spool files
	 * friendly to grep and jq alike. */
	text = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(obj);
	return text;
}
