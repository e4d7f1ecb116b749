/*
 * feed_json.c - JSON Feed 1.0/1.1 in, and entries and feeds out as the
 * JSON the spool stores.  Both through jansson.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feed.h"
#include "feed_int.h"
#include "json_text.h"
#include "strbuf.h"
#include "url.h"

#define JSONFEED_VERSION "https://jsonfeed.org/version/"

static char *
str_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return NULL;
	return feed_str(json_string_value(v), json_string_length(v));
}

static char *
title_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return NULL;
	return feed_str_squashed(json_string_value(v), json_string_length(v));
}

static char *
url_of(json_t *obj, const char *key, const char *base_url)
{
	char *ref = str_of(obj, key), *url;

	url = url_resolve(base_url, ref);
	free(ref);
	return url;
}

static int64_t
date_of(json_t *obj, const char *key)
{
	char *s = str_of(obj, key);
	int64_t t = date_parse_or_unset(s);

	free(s);
	return t;
}

/* Ids should be strings; some feeds write numbers. */
static char *
id_of(json_t *item)
{
	json_t *v = json_object_get(item, "id");
	char *id;

	if (json_is_integer(v)) {
		if (asprintf(&id, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v)) == -1)
			return NULL;
		return id;
	}
	return str_of(item, "id");
}

/* The names in obj's 1.1 "authors", else its 1.0 "author". */
static void
authors_of(json_t *obj, char ***names, size_t *n)
{
	json_t *list = json_object_get(obj, "authors"), *a;
	size_t i;

	json_array_foreach(list, i, a)
		feed_push_str(names, n, title_of(a, "name"));
	if (*n == 0)
		feed_push_str(names, n,
		    title_of(json_object_get(obj, "author"), "name"));
}

static void
item(struct feed *feed, json_t *it, const char *base_url)
{
	struct feed_entry e;
	json_t *v, *a;
	size_t i;

	feed_entry_init(&e);
	e.id = id_of(it);
	e.title = title_of(it, "title");
	feed_set(&e.link, url_of(it, "url", base_url));
	feed_set(&e.link, url_of(it, "external_url", base_url));
	e.published = date_of(it, "date_published");
	e.updated = date_of(it, "date_modified");
	authors_of(it, &e.authors, &e.nauthors);
	json_array_foreach(json_object_get(it, "tags"), i, v)
		if (json_is_string(v))
			feed_push_str(&e.categories, &e.ncategories,
			    feed_str_squashed(json_string_value(v),
			    json_string_length(v)));
	e.summary = str_of(it, "summary");
	feed_set(&e.content, str_of(it, "content_html"));
	feed_set(&e.content, str_of(it, "content_text"));
	json_array_foreach(json_object_get(it, "attachments"), i, a) {
		v = json_object_get(a, "size_in_bytes");
		feed_push_enclosure(&e, url_of(a, "url", base_url),
		    str_of(a, "mime_type"), json_is_integer(v) &&
		    json_integer_value(v) >= 0 ? json_integer_value(v) : -1);
	}
	feed_add_entry(feed, &e);
}

int
feed_parse_json(const char *buf, size_t len, const char *base_url,
    struct feed **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *it;
	const char *version;
	struct feed *feed = NULL;
	size_t i;
	int rc = -1;

	if ((root = json_loadb(buf, len, 0, &je)) == NULL) {
		feed_seterr(err, errlen, "JSON error at line %d: %s", je.line,
		    je.text);
		return -1;
	}
	version = json_string_value(json_object_get(root, "version"));
	if (version == NULL || (strncmp(version, JSONFEED_VERSION,
	    strlen(JSONFEED_VERSION)) != 0 &&
	    strncmp(version, "http://jsonfeed.org/version/", 28) != 0)) {
		feed_seterr(err, errlen, "not a feed: JSON without a "
		    "jsonfeed.org version");
		goto fail;
	}
	version = strrchr(version, '/') + 1;
	feed = feed_new(strcmp(version, "1") == 0 ? "jsonfeed10" :
	    strcmp(version, "1.1") == 0 ? "jsonfeed11" : "jsonfeed");
	if (feed == NULL) {
		feed_seterr(err, errlen, "out of memory");
		goto fail;
	}
	feed->title = title_of(root, "title");
	feed->link = url_of(root, "home_page_url", base_url);
	feed->id = url_of(root, "feed_url", base_url);
	feed->description = str_of(root, "description");
	feed->language = title_of(root, "language");
	authors_of(root, &feed->authors, &feed->nauthors);
	json_array_foreach(json_object_get(root, "items"), i, it) {
		if (json_is_object(it))
			item(feed, it, base_url);
		else
			feed_warn(feed, "item %zu is not an object", i + 1);
	}
	feed_finish(feed);
	*out = feed;
	feed = NULL;
	rc = 0;
fail:
	feed_free(feed);
	json_decref(root);
	return rc;
}

json_t *
feed_json_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
time_json(int64_t t)
{
	char buf[32];

	if (t == NW_TIME_UNSET)
		return json_null();
	return json_string(date_format_rfc3339(t, buf, sizeof(buf)));
}

static json_t *
list_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		if (json_array_append_new(a, json_string(v[i])) == -1) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *
enclosures_json(const struct feed_entry *e)
{
	json_t *a = json_array(), *o;

	for (size_t i = 0; a != NULL && i < e->nenclosures; i++) {
		const struct feed_enclosure *x = &e->enclosures[i];

		o = json_pack("{s:s, s:s?, s:o}", "url", x->url, "type", x->type,
		    "length", x->length >= 0 ? json_integer(x->length) :
		    json_null());
		if (json_array_append_new(a, o) == -1) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* json_pack steals "o" references, on failure too. */
json_t *
feed_entry_to_json(const struct feed_entry *e)
{
	return json_pack("{s:s?, s:s?, s:s?, s:o, s:o, s:o, s:o, s:s?, s:s?,"
	    " s:o}",
	    "id", e->id, "title", e->title, "link", e->link,
	    "published", time_json(e->published),
	    "updated", time_json(e->updated),
	    "authors", list_json(e->authors, e->nauthors),
	    "categories", list_json(e->categories, e->ncategories),
	    "summary", e->summary, "content", e->content,
	    "enclosures", enclosures_json(e));
}

/* One member of an object at depth: its key, and ready for the value. */
static void
key_text(struct strbuf *b, const char *key, int first, int depth)
{
	if (!first)
		strbuf_add(b, ",", 1);
	json_text_line(b, depth < 0 ? depth : depth + 1);
	json_text_string(b, key, strlen(key));
	strbuf_add(b, ": ", depth < 0 ? 1 : 2);
}

static void
str_text(struct strbuf *b, const char *s)
{
	if (s != NULL)
		json_text_string(b, s, strlen(s));
	else
		strbuf_add(b, "null", 4);
}

/* n values at depth, each written by one(b, i, depth + 1). */
static void
array_text(struct strbuf *b, const void *v, size_t n, int depth,
    void (*one)(struct strbuf *, const void *, size_t, int))
{
	int in = depth < 0 ? depth : depth + 1;

	strbuf_add(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strbuf_add(b, ",", 1);
		json_text_line(b, in);
		one(b, v, i, in);
	}
	if (n > 0)
		json_text_line(b, depth);
	strbuf_add(b, "]", 1);
}

static void
list_item_text(struct strbuf *b, const void *v, size_t i, int depth)
{
	(void)depth;
	str_text(b, ((char *const *)v)[i]);
}

/* A member whose value is s, a string or null. */
static void
str_member(struct strbuf *b, const char *key, const char *s, int first,
    int depth)
{
	key_text(b, key, first, depth);
	str_text(b, s);
}

static void
time_member(struct strbuf *b, const char *key, int64_t t, int depth)
{
	char buf[32];

	str_member(b, key, t == NW_TIME_UNSET ? NULL :
	    date_format_rfc3339(t, buf, sizeof(buf)), 0, depth);
}

static void
enclosure_text(struct strbuf *b, const void *v, size_t i, int depth)
{
	const struct feed_enclosure *x = &((const struct feed_enclosure *)v)[i];
	char num[32];

	strbuf_add(b, "{", 1);
	str_member(b, "url", x->url, 1, depth);
	str_member(b, "type", x->type, 0, depth);
	key_text(b, "length", 0, depth);
	if (x->length >= 0)
		strbuf_add(b, num, (size_t)snprintf(num, sizeof(num), "%" PRId64,
		    x->length));
	else
		strbuf_add(b, "null", 4);
	json_text_line(b, depth);
	strbuf_add(b, "}", 1);
}

void
feed_entry_json_text(struct strbuf *b, const struct feed_entry *e, int depth)
{
	int in = depth < 0 ? depth : depth + 1;

	strbuf_add(b, "{", 1);
	str_member(b, "id", e->id, 1, depth);
	str_member(b, "title", e->title, 0, depth);
	str_member(b, "link", e->link, 0, depth);
	time_member(b, "published", e->published, depth);
	time_member(b, "updated", e->updated, depth);
	key_text(b, "authors", 0, depth);
	array_text(b, e->authors, e->nauthors, in, list_item_text);
	key_text(b, "categories", 0, depth);
	array_text(b, e->categories, e->ncategories, in, list_item_text);
	str_member(b, "summary", e->summary, 0, depth);
	str_member(b, "content", e->content, 0, depth);
	key_text(b, "enclosures", 0, depth);
	array_text(b, e->enclosures, e->nenclosures, in, enclosure_text);
	json_text_line(b, depth);
	strbuf_add(b, "}", 1);
}

json_t *
feed_meta_to_json(const struct feed *feed)
{
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o,"
	    " s:o}",
	    "format", feed->format, "title", feed->title, "link", feed->link,
	    "id", feed->id, "description", feed->description,
	    "language", feed->language,
	    "authors", list_json(feed->authors, feed->nauthors),
	    "updated", time_json(feed->updated),
	    "ttl", feed->ttl >= 0 ? json_integer(feed->ttl) : json_null(),
	    "warnings", list_json(feed->warnings, feed->nwarnings));
}

/* The strings of list, each appended to v (n of them). */
static void
strings_of(json_t *obj, const char *key, char ***v, size_t *n)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(obj, key), i, s)
		if (json_is_string(s))
			feed_push_str(v, n, feed_str(json_string_value(s),
			    json_string_length(s)));
}

int
feed_add_entry_json(struct feed *feed, const char *text, char *err,
    size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr), *x;
	struct feed_entry e;
	size_t i;
	int rc;

	if (!json_is_object(root)) {
		feed_seterr(err, errlen, "not an entry: %s", root ? "not an"
		    " object" : jerr.text);
		json_decref(root);
		return -1;
	}
	feed_entry_init(&e);
	e.id = str_of(root, "id");
	e.title = str_of(root, "title");
	e.link = str_of(root, "link");
	e.published = date_of(root, "published");
	e.updated = date_of(root, "updated");
	strings_of(root, "authors", &e.authors, &e.nauthors);
	strings_of(root, "categories", &e.categories, &e.ncategories);
	e.summary = str_of(root, "summary");
	e.content = str_of(root, "content");
	json_array_foreach(json_object_get(root, "enclosures"), i, x) {
		json_t *len = json_object_get(x, "length");

		feed_push_enclosure(&e, str_of(x, "url"), str_of(x, "type"),
		    json_is_integer(len) ? json_integer_value(len) : -1);
	}
	json_decref(root);
	if (e.id == NULL) {
		feed_entry_clear(&e);
		feed_seterr(err, errlen, "not an entry: no id");
		return -1;
	}
	if ((rc = feed_add_entry(feed, &e)) == -1)
		feed_seterr(err, errlen, "cannot add entry: %s",
		    feed->nentries >= FEED_MAX_ENTRIES ? "the feed is full" :
		    "out of memory");
	return rc;
}
