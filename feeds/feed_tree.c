/*
 * feed_tree.c - the libxml2 tree helpers the RSS and Atom readers share
 * (feed_xml.h): names and namespaces, text, attributes, dates, links,
 * people and the extension elements both formats borrow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "date.h"
#include "feed.h"
#include "feed_int.h"
#include "feed_xml.h"
#include "text.h"
#include "url.h"

/* Whether a document's namespace URI means want: feeds write the iTunes
 * and other URIs in any case, with stray spaces or without the final
 * slash, and every reader accepts them. */
int
fx_ns_means(const char *href, const char *want)
{
	size_t len, wlen = strlen(want);

	if (strcmp(href, want) == 0)
		return 1;
	while (text_is_space((unsigned char)*href))
		href++;
	len = strlen(href);
	while (len > 0 && text_is_space((unsigned char)href[len - 1]))
		len--;
	if (len + 1 == wlen && (want[len] == '/' || want[len] == '#'))
		wlen--;
	return len == wlen && strncasecmp(href, want, len) == 0;
}

int
fx_is_el(xmlNodePtr n, const char *ns, const char *name)
{
	if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
		return 0;
	if (ns == NULL)
		return n->ns == NULL;
	return n->ns != NULL && n->ns->href != NULL &&
	    fx_ns_means((const char *)n->ns->href, ns);
}

/* An element of the feed format itself: RSS 2.0 elements carry no
 * namespace, RSS 1.0's and Atom's carry the format's. */
int
fx_is_core(const struct parse *p, xmlNodePtr n, const char *name)
{
	return fx_is_el(n, p->core_ns, name) ||
	    (p->core_ns != NULL && fx_is_el(n, NULL, name));
}

char *
fx_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *out;

	if (v == NULL)
		return NULL;
	out = feed_str((const char *)v, strlen((const char *)v));
	xmlFree(v);
	return out;
}

int
fx_attr_is(xmlNodePtr n, const char *name, const char *value)
{
	char *v = fx_attr(n, name);
	int r = v != NULL && strcasecmp(v, value) == 0;

	free(v);
	return r;
}

/* n's text through make: read in place when it is a single text node's,
 * the usual element of a feed, else as libxml2 gathers it (a copy). */
static char *
content_with(xmlNodePtr n, char *(*make)(const char *, size_t))
{
	xmlNodePtr t = n->children;
	xmlChar *c;
	char *out;

	if (n->type == XML_ELEMENT_NODE && t != NULL && t->next == NULL &&
	    (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) &&
	    t->content != NULL)
		return make((const char *)t->content,
		    strlen((const char *)t->content));
	if ((c = xmlNodeGetContent(n)) == NULL)
		return NULL;
	out = make((const char *)c, strlen((const char *)c));
	xmlFree(c);
	return out;
}

char *
fx_text(xmlNodePtr n)
{
	return content_with(n, feed_str);
}

int
fx_has_element_child(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* The markup inside n, serialised: for content that arrives as elements
 * rather than escaped text. */
char *
fx_inner_xml(xmlDocPtr doc, xmlNodePtr n)
{
	xmlBufferPtr b;
	char *out = NULL;

	if ((b = xmlBufferCreate()) == NULL)
		return NULL;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (xmlNodeDump(b, doc, c, 0, 0) == -1)
			goto done;
	out = feed_str((const char *)xmlBufferContent(b),
	    (size_t)xmlBufferLength(b));
done:
	xmlBufferFree(b);
	return out;
}

/* Text, or markup when the feed put elements there unescaped. */
char *
fx_html_of(xmlDocPtr doc, xmlNodePtr n)
{
	return fx_has_element_child(n) ? fx_inner_xml(doc, n) : fx_text(n);
}

int64_t
fx_date_of(xmlNodePtr n)
{
	char *s = fx_text(n);
	int64_t t = date_parse_or_unset(s);

	free(s);
	return t;
}

/* ref made absolute against the xml:base in force at n, which libxml2
 * computes from the document's URL (our base_url) and every ancestor's
 * xml:base.  Takes ref. */
char *
fx_resolve(xmlDocPtr doc, xmlNodePtr n, char *ref)
{
	xmlChar *base;
	char *out;

	if (ref == NULL)
		return NULL;
	base = xmlNodeGetBase(doc, n);
	out = url_resolve((const char *)base, ref);
	xmlFree(base);
	free(ref);
	return out;
}

/* A title given as text that may hold entities or markup: RSS titles are
 * often HTML escaped once more than they should be. */
char *
fx_plain_title(const char *s)
{
	char *dec, *out;

	if (s == NULL)
		return NULL;
	if (strchr(s, '<') != NULL)
		dec = text_from_html(s);
	else
		dec = text_decode_entities(s);
	if (dec == NULL)
		return NULL;
	out = feed_str_squashed(dec, strlen(dec));
	free(dec);
	return out;
}

static int
is_email(const char *s, size_t len)
{
	return memchr(s, '@', len) != NULL && memchr(s, ' ', len) == NULL;
}

/* An RSS person: "email (Name)", "Name (email)", "Name <email>" or just
 * one of them, perhaps as markup; the name when there is one.  Takes s. */
char *
fx_rss_author(char *s)
{
	char *open, *close, *name;
	size_t outside;

	if (s == NULL)
		return NULL;
	open = strchr(s, '(');
	close = strrchr(s, ')');
	if (open == NULL || close == NULL || close < open) {
		open = strchr(s, '<');
		close = strrchr(s, '>');
		/* <email>, not markup */
		if (open != NULL && (close == NULL || close < open ||
		    !is_email(open + 1, (size_t)(close - open - 1))))
			open = NULL;
	}
	if (open == NULL) {
		name = strchr(s, '<') != NULL ? fx_plain_title(s) : NULL;
		if (name == NULL)
			return s;
		free(s);
		return name;
	}
	outside = (size_t)(open - s);
	while (outside > 0 && text_is_space((unsigned char)s[outside - 1]))
		outside--;
	if (outside > 0 && !is_email(s, outside) &&
	    strncmp(s, "mailto:", 7) != 0)
		name = feed_str_squashed(s, outside);
	else
		name = feed_str_squashed(open + 1, (size_t)(close - open - 1));
	if (name == NULL)
		return s;
	free(s);
	return name;
}

/* Each name once, and bare e-mail addresses only when no name is given:
 * feeds repeat one person in <author>, dc:creator and itunes:author. */
void
fx_tidy_authors(char **v, size_t *n)
{
	size_t names = 0, kept = 0;

	for (size_t i = 0; i < *n; i++)
		names += !is_email(v[i], strlen(v[i]));
	for (size_t i = 0; i < *n; i++) {
		int drop = names > 0 && is_email(v[i], strlen(v[i]));

		for (size_t k = 0; !drop && k < kept; k++)
			drop = strcasecmp(v[k], v[i]) == 0;
		if (drop)
			free(v[i]);
		else
			v[kept++] = v[i];
	}
	*n = kept;
}

int64_t
fx_length_of(xmlNodePtr n, const char *name)
{
	char *v = fx_attr(n, name), *end;
	long long len;

	if (v == NULL)
		return -1;
	len = strtoll(v, &end, 10);
	if (*end != '\0' || end == v || len < 0)
		len = -1;
	free(v);
	return len;
}

char *
fx_name_of(xmlNodePtr n)
{
	return content_with(n, feed_str_squashed);
}

/* <link> in Atom, or atom:link in RSS: the alternate link into *alt
 * (first wins), enclosures into e. */
void
fx_atom_link(struct parse *p, struct feed_entry *e, xmlNodePtr n, char **alt)
{
	char *rel = fx_attr(n, "rel");

	if (rel == NULL || strcasecmp(rel, "alternate") == 0)
		feed_set(alt, fx_resolve(p->doc, n, fx_attr(n, "href")));
	else if (e != NULL && strcasecmp(rel, "enclosure") == 0)
		feed_push_enclosure(e,
		    fx_resolve(p->doc, n, fx_attr(n, "href")),
		    fx_attr(n, "type"), fx_length_of(n, "length"));
	free(rel);
}

/* media:content and media:thumbnail count when they say what they are. */
static void
media(struct parse *p, struct feed_entry *e, xmlNodePtr n)
{
	char *url, *type;

	if ((type = fx_attr(n, "type")) == NULL)
		return;
	if ((url = fx_resolve(p->doc, n, fx_attr(n, "url"))) == NULL) {
		free(type);
		return;
	}
	feed_push_enclosure(e, url, type, fx_length_of(n, "fileSize"));
}

/* Elements from the namespaces RSS and Atom entries both borrow. */
void
fx_extension(struct parse *p, struct feed_entry *e, xmlNodePtr n,
    char **origlink)
{
	if (fx_is_el(n, NS_DC, "creator") || fx_is_el(n, NS_DC, "author") ||
	    fx_is_el(n, NS_ITUNES, "author"))
		feed_push_str(&e->authors, &e->nauthors,
		    fx_rss_author(fx_name_of(n)));
	else if (fx_is_el(n, NS_DC, "subject"))
		feed_push_str(&e->categories, &e->ncategories, fx_name_of(n));
	else if (fx_is_el(n, NS_DC, "date") ||
	    fx_is_el(n, NS_DCTERMS, "created") ||
	    fx_is_el(n, NS_DCTERMS, "issued"))
		feed_set_time(&e->published, fx_date_of(n));
	else if (fx_is_el(n, NS_DCTERMS, "modified"))
		feed_set_time(&e->updated, fx_date_of(n));
	else if (fx_is_el(n, NS_CONTENT, "encoded"))
		feed_set(&e->content, fx_html_of(p->doc, n));
	else if (fx_is_el(n, NS_MEDIA, "content") ||
	    fx_is_el(n, NS_MEDIA, "thumbnail"))
		media(p, e, n);
	else if (fx_is_el(n, NS_MEDIA, "group")) {
		for (xmlNodePtr c = n->children; c != NULL; c = c->next)
			if (fx_is_el(c, NS_MEDIA, "content"))
				media(p, e, c);
	} else if (fx_is_el(n, NS_FEEDBURNER, "origLink"))
		feed_set(origlink, fx_resolve(p->doc, n, fx_text(n)));
}

/* The link to follow: feedburner's origLink is the publisher's own URL
 * behind the tracking redirect. */
void
fx_choose_link(struct feed_entry *e, char *origlink)
{
	if (origlink != NULL) {
		free(e->link);
		e->link = origlink;
	}
}
