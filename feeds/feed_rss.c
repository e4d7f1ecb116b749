/*
 * feed_rss.c - RSS 0.9x/1.0/2.0: items, the channel (from the tree at
 * once, or one child at a time as the streaming reader hands them over),
 * RDF roots, and the poll hints (<ttl>, sy:) Atom feeds borrow too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "feed.h"
#include "feed_int.h"
#include "feed_xml.h"
#include "url.h"

void
fx_rss_item(struct parse *p, xmlNodePtr item)
{
	struct feed_entry e;
	char *title = NULL, *guid = NULL, *alt = NULL, *origlink = NULL;
	char *other_title = NULL;
	xmlChar *about;
	int permalink = 0;

	if (item == p->unfinished)
		return;
	feed_entry_init(&e);
	for (xmlNodePtr c = item->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (fx_is_core(p, c, "title"))
			feed_set(&title, fx_text(c));
		else if (fx_is_el(c, NS_DC, "title") ||
		    fx_is_el(c, NS_MEDIA, "title"))
			feed_set(&other_title, fx_text(c));
		else if (fx_is_core(p, c, "link"))
			feed_set(&e.link, fx_resolve(p->doc, c, fx_text(c)));
		else if (fx_is_core(p, c, "description"))
			feed_set(&e.summary, fx_html_of(p->doc, c));
		else if (fx_is_core(p, c, "guid") && guid == NULL) {
			guid = fx_text(c);
			permalink = !fx_attr_is(c, "isPermaLink", "false");
		} else if (fx_is_core(p, c, "author"))
			feed_push_str(&e.authors, &e.nauthors,
			    fx_rss_author(fx_name_of(c)));
		else if (fx_is_core(p, c, "category"))
			feed_push_str(&e.categories, &e.ncategories,
			    fx_name_of(c));
		else if (fx_is_core(p, c, "pubDate"))
			feed_set_time(&e.published, fx_date_of(c));
		else if (fx_is_core(p, c, "enclosure"))
			feed_push_enclosure(&e, fx_resolve(p->doc, c,
			    fx_attr(c, "url")), fx_attr(c, "type"),
			    fx_length_of(c, "length"));
		else if (fx_is_el(c, NS_ATOM10, "link"))
			fx_atom_link(p, &e, c, &alt);
		else if (fx_is_el(c, NS_ATOM10, "updated"))
			feed_set_time(&e.updated, fx_date_of(c));
		else if (fx_is_el(c, NS_ATOM10, "published"))
			feed_set_time(&e.published, fx_date_of(c));
		else if (fx_is_el(c, NS_ATOM10, "author"))
			feed_push_str(&e.authors, &e.nauthors,
			    fx_atom_person(p, c));
		else
			fx_extension(p, &e, c, &origlink);
	}
	fx_tidy_authors(e.authors, &e.nauthors);
	/* Dublin Core's or Media RSS's title only when RSS gives none. */
	feed_set(&title, other_title);
	e.title = fx_plain_title(title);
	free(title);
	feed_set(&e.link, alt);
	/* A guid that is a permalink is the link when there is no other. */
	if (e.link == NULL && guid != NULL && permalink && url_is_http(guid))
		e.link = strdup(guid);
	fx_choose_link(&e, origlink);
	e.id = guid;
	/* RSS 1.0 names each item by URI: that is its identity. */
	if (e.id == NULL &&
	    (about = xmlGetNsProp(item, (const xmlChar *)"about",
	    (const xmlChar *)NS_RDF)) != NULL) {
		e.id = feed_str((const char *)about, strlen((const char *)about));
		xmlFree(about);
	}
	feed_add_entry(p->feed, &e);
}

void
fx_poll_hint(struct parse *p, xmlNodePtr c, struct poll_hint *h)
{
	static const struct {
		const char *name;
		int64_t seconds;
	} periods[] = {
		{ "hourly", 3600 }, { "daily", 86400 }, { "weekly", 7 * 86400 },
		{ "monthly", 30 * 86400 }, { "yearly", 365 * 86400 },
	};
	char *t, *end;
	long long v;

	if (!fx_is_core(p, c, "ttl") && !fx_is_el(c, NS_SY, "updatePeriod") &&
	    !fx_is_el(c, NS_SY, "updateFrequency"))
		return;
	if ((t = fx_text(c)) == NULL)
		return;
	if (fx_is_el(c, NS_SY, "updatePeriod")) {
		for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
			if (strcasecmp(t, periods[i].name) == 0)
				h->sy_period = periods[i].seconds;
	} else {
		errno = 0;
		v = strtoll(t, &end, 10);
		if (errno == 0 && *end == '\0' && v > 0 && v <= 366 * 24 * 60) {
			if (fx_is_core(p, c, "ttl"))
				h->ttl_minutes = v;
			else
				h->sy_frequency = v;
		}
	}
	free(t);
}

int64_t
fx_poll_hint_seconds(const struct poll_hint *h)
{
	if (h->ttl_minutes > 0)
		return h->ttl_minutes * 60;
	if (h->sy_period > 0)
		return h->sy_period / (h->sy_frequency > 0 ? h->sy_frequency : 1);
	return -1;
}

void
fx_rss_channel_child(struct parse *p, xmlNodePtr c, struct channel_state *st)
{
	struct feed *f = p->feed;

	if (c->type != XML_ELEMENT_NODE)
		return;
	if (fx_is_core(p, c, "title")) {
		char *t = fx_text(c);

		feed_set(&f->title, fx_plain_title(t));
		free(t);
	} else if (fx_is_core(p, c, "link"))
		feed_set(&f->link, fx_resolve(p->doc, c, fx_text(c)));
	else if (fx_is_core(p, c, "description"))
		feed_set(&f->description, fx_html_of(p->doc, c));
	else if (fx_is_core(p, c, "lastBuildDate"))
		feed_set_time(&st->built, fx_date_of(c));
	else if (fx_is_core(p, c, "pubDate") || fx_is_el(c, NS_DC, "date"))
		feed_set_time(&st->pub, fx_date_of(c));
	else if (fx_is_el(c, NS_ATOM10, "link"))
		fx_atom_link(p, NULL, c, &st->alt);
	else if (fx_is_el(c, NS_ATOM10, "id"))
		feed_set(&f->id, fx_text(c));
	else if (fx_is_core(p, c, "language") ||
	    fx_is_el(c, NS_DC, "language"))
		feed_set(&f->language, fx_text(c));
	else if (fx_is_core(p, c, "managingEditor") ||
	    fx_is_el(c, NS_DC, "creator") ||
	    fx_is_el(c, NS_ITUNES, "author"))
		feed_push_str(&f->authors, &f->nauthors,
		    fx_rss_author(fx_name_of(c)));
	else if (fx_is_core(p, c, "item"))
		fx_rss_item(p, c);
	else
		fx_poll_hint(p, c, &st->hint);
}

void
fx_rss_channel_end(struct parse *p, struct channel_state *st)
{
	struct feed *f = p->feed;

	f->ttl = fx_poll_hint_seconds(&st->hint);
	fx_tidy_authors(f->authors, &f->nauthors);
	feed_set(&f->link, st->alt);
	feed_set_time(&f->updated, st->built);
	feed_set_time(&f->updated, st->pub);
}

const struct channel_state fx_channel_start = {
	.built = NW_TIME_UNSET, .pub = NW_TIME_UNSET,
};

void
fx_rss_channel(struct parse *p, xmlNodePtr channel)
{
	struct channel_state st = fx_channel_start;

	for (xmlNodePtr c = channel->children; c != NULL; c = c->next)
		fx_rss_channel_child(p, c, &st);
	fx_rss_channel_end(p, &st);
}

/* The root of an RSS 1.0 or 0.90 document: items are the channel's
 * siblings, though some feeds nest them inside it. */
void
fx_rdf(struct parse *p, xmlNodePtr root)
{
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		if (fx_is_core(p, c, "channel"))
			fx_rss_channel(p, c);
		else if (fx_is_core(p, c, "item"))
			fx_rss_item(p, c);
	}
}
