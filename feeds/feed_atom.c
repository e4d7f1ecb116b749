/*
 * feed_atom.c - Atom 1.0 and 0.3 documents: the feed, its entries and
 * their text constructs (text, html, xhtml, base64), from a libxml2 tree.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "feed.h"
#include "feed_int.h"
#include "feed_xml.h"
#include "text.h"

enum text_kind { TEXT_PLAIN, TEXT_HTML, TEXT_XHTML, TEXT_BASE64 };

/* application/atom+xml, text/xml and the like: markup, not base64. */
static int
is_xml_type(const char *type)
{
	size_t len = strcspn(type, "; ");

	return (len >= 4 && strncasecmp(type + len - 4, "+xml", 4) == 0) ||
	    (len >= 4 && strncasecmp(type + len - 4, "/xml", 4) == 0);
}

/* How an Atom text construct holds its text.  Atom 0.3 says it with
 * MIME types and a mode (escaped or inline xml, the default). */
static enum text_kind
atom_kind(struct parse *p, xmlNodePtr n)
{
	char *type = fx_attr(n, "type"), *mode = fx_attr(n, "mode");
	enum text_kind k = TEXT_PLAIN;

	if (type != NULL && (strcasecmp(type, "html") == 0 ||
	    strcasecmp(type, "text/html") == 0))
		k = TEXT_HTML;
	else if (type != NULL && (strcasecmp(type, "xhtml") == 0 ||
	    strcasecmp(type, "application/xhtml+xml") == 0))
		k = TEXT_XHTML;
	if (p->atom03 && k != TEXT_PLAIN)
		k = mode != NULL && strcasecmp(mode, "escaped") == 0 ?
		    TEXT_HTML : TEXT_XHTML;
	/* Atom 0.3 says base64 with a mode, 1.0 with a MIME type that is
	 * neither text nor XML. */
	if (mode != NULL && strcasecmp(mode, "base64") == 0)
		k = TEXT_BASE64;
	else if (!p->atom03 && type != NULL && strchr(type, '/') != NULL &&
	    strncasecmp(type, "text/", 5) != 0 && !is_xml_type(type))
		k = TEXT_BASE64;
	free(type);
	free(mode);
	/* Markup is markup, whatever the type says. */
	if (k != TEXT_XHTML && fx_has_element_child(n))
		k = TEXT_XHTML;
	return k;
}

/* An Atom text construct: as plain text (titles), or as the feed gave it,
 * HTML kept, with XHTML serialised from inside its wrapping div. */
static char *
atom_text(struct parse *p, xmlNodePtr n, int plain)
{
	enum text_kind k = atom_kind(p, n);
	char *t, *out;

	if (k == TEXT_BASE64) {
		t = fx_text(n);
		out = t != NULL ? text_base64_decode(t) : NULL;
		free(t);
		if (!plain || out == NULL)
			return out;
		t = fx_plain_title(out);
		free(out);
		return t;
	}
	if (k == TEXT_XHTML) {
		if (plain)
			return fx_name_of(n);
		for (xmlNodePtr c = n->children; c != NULL; c = c->next)
			if (fx_is_el(c, NS_XHTML, "div"))
				return fx_inner_xml(p->doc, c);
		return fx_inner_xml(p->doc, n);
	}
	if (!plain)
		return fx_text(n);
	if (k == TEXT_PLAIN)
		return fx_name_of(n);
	t = fx_text(n);
	out = fx_plain_title(t);
	free(t);
	return out;
}

/* An Atom person's name (Atom 0.3 too). */
char *
fx_atom_person(struct parse *p, xmlNodePtr n)
{
	char *email = NULL, *name = NULL;

	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (fx_is_core(p, c, "name") || fx_is_el(c, NS_ATOM10, "name"))
			feed_set(&name, fx_name_of(c));
		else if (fx_is_core(p, c, "email") ||
		    fx_is_el(c, NS_ATOM10, "email"))
			feed_set(&email, fx_name_of(c));
	}
	/* Without a name, the address is the best there is. */
	feed_set(&name, email);
	return name;
}

static void
atom_entry(struct parse *p, xmlNodePtr entry)
{
	struct feed_entry e;
	char *origlink = NULL;

	if (entry == p->unfinished)
		return;
	feed_entry_init(&e);
	for (xmlNodePtr c = entry->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (fx_is_core(p, c, "title"))
			feed_set(&e.title, atom_text(p, c, 1));
		else if (fx_is_core(p, c, "link"))
			fx_atom_link(p, &e, c, &e.link);
		else if (fx_is_core(p, c, "id"))
			feed_set(&e.id, fx_text(c));
		else if (fx_is_core(p, c, "published") ||
		    (p->atom03 && (fx_is_core(p, c, "issued") ||
		    fx_is_core(p, c, "created"))))
			feed_set_time(&e.published, fx_date_of(c));
		else if (fx_is_core(p, c, "updated") ||
		    (p->atom03 && fx_is_core(p, c, "modified")))
			feed_set_time(&e.updated, fx_date_of(c));
		else if (fx_is_core(p, c, "summary"))
			feed_set(&e.summary, atom_text(p, c, 0));
		else if (fx_is_core(p, c, "content") && !xmlHasProp(c,
		    (const xmlChar *)"src"))
			feed_set(&e.content, atom_text(p, c, 0));
		else if (fx_is_core(p, c, "author"))
			feed_push_str(&e.authors, &e.nauthors,
			    fx_atom_person(p, c));
		else if (fx_is_core(p, c, "category"))
			feed_push_str(&e.categories, &e.ncategories,
			    fx_attr(c, "term"));
		else
			fx_extension(p, &e, c, &origlink);
	}
	fx_choose_link(&e, origlink);
	feed_add_entry(p->feed, &e);
}

void
fx_atom_feed_child(struct parse *p, xmlNodePtr c, struct poll_hint *hint)
{
	struct feed *f = p->feed;

	if (c->type != XML_ELEMENT_NODE)
		return;
	if (fx_is_core(p, c, "title"))
		feed_set(&f->title, atom_text(p, c, 1));
	else if (fx_is_core(p, c, "link"))
		fx_atom_link(p, NULL, c, &f->link);
	else if (fx_is_core(p, c, "id"))
		feed_set(&f->id, fx_text(c));
	else if (fx_is_core(p, c, "subtitle") ||
	    (p->atom03 && fx_is_core(p, c, "tagline")))
		feed_set(&f->description, atom_text(p, c, 0));
	else if (fx_is_core(p, c, "updated") ||
	    (p->atom03 && fx_is_core(p, c, "modified")))
		feed_set_time(&f->updated, fx_date_of(c));
	else if (fx_is_core(p, c, "author"))
		feed_push_str(&f->authors, &f->nauthors,
		    fx_atom_person(p, c));
	else if (fx_is_core(p, c, "entry"))
		atom_entry(p, c);
	else
		fx_poll_hint(p, c, hint);
}

void
fx_atom_feed_end(struct parse *p, xmlNodePtr root,
    const struct poll_hint *hint)
{
	struct feed *f = p->feed;
	xmlChar *lang;

	f->ttl = fx_poll_hint_seconds(hint);
	fx_tidy_authors(f->authors, &f->nauthors);
	if ((lang = xmlNodeGetLang(root)) != NULL) {
		feed_set(&f->language, feed_str((const char *)lang,
		    strlen((const char *)lang)));
		xmlFree(lang);
	}
	/* Atom: an entry without authors has the feed's. */
	for (size_t i = 0; i < f->nentries; i++) {
		struct feed_entry *e = &f->entries[i];

		fx_tidy_authors(e->authors, &e->nauthors);
		for (size_t k = 0; e->nauthors == 0 && k < f->nauthors; k++)
			feed_push_str(&e->authors, &e->nauthors,
			    strdup(f->authors[k]));
	}
}

void
fx_atom_feed(struct parse *p, xmlNodePtr root)
{
	struct poll_hint hint = { 0 };

	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		fx_atom_feed_child(p, c, &hint);
	fx_atom_feed_end(p, root, &hint);
}
