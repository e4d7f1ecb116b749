/* item.c - see item.h */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../feeds/date.h"
#include "../feeds/json_text.h"
#include "../feeds/strbuf.h"
#include "item.h"

/*
 * The text json_dumps makes, compact (depth < 0) or indented by two
 * spaces a level from depth on, without its cost: it decodes every
 * character of every string and appends them one by one, and the content
 * of thousands of entries per cycle made it the largest user of CPU in a
 * first poll.  Byte for byte the same (tests/test_item.c).
 */
static void add_json(struct strbuf *b, json_t *v, int depth);

/* Object v; the value of its member raw_key (if any) is the JSON text
 * raw, written as it is. */
static void
add_object(struct strbuf *b, json_t *v, int depth, const char *raw_key,
    const char *raw)
{
	const char *key;
	json_t *e;
	size_t i = 0;
	int in = depth < 0 ? depth : depth + 1;

	strbuf_add(b, "{", 1);
	json_object_foreach(v, key, e) {
		if (i++ > 0)
			strbuf_add(b, ",", 1);
		json_text_line(b, in);
		json_text_string(b, key, strlen(key));
		strbuf_add(b, ": ", depth < 0 ? 1 : 2);
		if (raw_key != NULL && strcmp(key, raw_key) == 0)
			strbuf_add(b, raw, strlen(raw));
		else
			add_json(b, e, in);
	}
	if (i > 0)
		json_text_line(b, depth);
	strbuf_add(b, "}", 1);
}

static void
add_json(struct strbuf *b, json_t *v, int depth)
{
	char num[32];
	json_t *e;
	size_t i;
	char *text;
	int in = depth < 0 ? depth : depth + 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		add_object(b, v, depth, NULL, NULL);
		break;
	case JSON_ARRAY:
		strbuf_add(b, "[", 1);
		json_array_foreach(v, i, e) {
			if (i > 0)
				strbuf_add(b, ",", 1);
			json_text_line(b, in);
			add_json(b, e, in);
		}
		if (json_array_size(v) > 0)
			json_text_line(b, depth);
		strbuf_add(b, "]", 1);
		break;
	case JSON_STRING:
		json_text_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		strbuf_add(b, num, strlen(num));
		break;
	default:
		/* true, false, null; reals in jansson's own format. */
		if ((text = json_dumps(v, JSON_ENCODE_ANY)) == NULL) {
			b->oom = 1;
			return;
		}
		strbuf_add(b, text, strlen(text));
		free(text);
	}
}

char *
item_json_text(json_t *v)
{
	struct strbuf b = { 0 };

	add_json(&b, v, -1);
	return strbuf_finish(&b);
}

char *
item_json_indented(json_t *v, int depth)
{
	struct strbuf b = { 0 };

	add_json(&b, v, depth);
	return strbuf_finish(&b);
}

static json_t *
feed_object(const struct config_feed *cf, const struct feed *feed)
{
	json_t *tags = json_array();

	for (size_t i = 0; i < cf->ntags; i++)
		json_array_append_new(tags, json_string(cf->tags[i]));
	return json_pack("{s:s, s:s, s:o, s:o}", "name", cf->name,
	    "url", cf->url, "title", feed_json_str(feed->title), "tags", tags);
}

static json_t *
article_object(const struct item_article *art)
{
	if (art->article)
		return article_to_json(art->article);
	return json_pack("{s:o, s:s}", "url", feed_json_str(art->url),
	    "error", art->error ? art->error : "no article");
}

char *
item_json(const struct config_feed *cf, const struct feed *feed,
    const struct feed_entry *entry, const char *entry_json,
    const struct item_article *art, int64_t discovered_us,
    const char *duplicate_of, json_t *revision)
{
	struct strbuf b = { 0 }, own = { 0 };
	char when[32];
	json_t *obj;

	/* The entry is written as text, never built as a tree: a null holds
	 * its place and its text is written in. */
	if (entry_json == NULL) {
		feed_entry_json_text(&own, entry, -1);
		if ((entry_json = own.p) == NULL || own.oom) {
			json_decref(revision);
			free(own.p);
			return NULL;
		}
	}
	date_format_rfc3339(discovered_us / 1000000, when, sizeof(when));
	obj = json_pack("{s:o, s:o, s:s}", "feed", feed_object(cf, feed),
	    "entry", json_null(), "discovered_at", when);
	if (obj && art)
		json_object_set_new(obj, "article", article_object(art));
	if (obj && duplicate_of)
		json_object_set_new(obj, "duplicate_of",
		    json_string(duplicate_of));
	if (obj && revision)
		json_object_set(obj, "revision", revision);
	json_decref(revision);
	/* Keys in a fixed order and one item per line keeps spool files
	 * friendly to grep and jq alike. */
	if (obj != NULL)
		add_object(&b, obj, -1, "entry", entry_json);
	else
		b.oom = 1;
	json_decref(obj);
	free(own.p);
	return strbuf_finish(&b);
}
