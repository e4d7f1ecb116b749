/*
 * article_jsonld.c - what a page's JSON-LD says about it, offered to the
 * metadata collector (article_meta.h).
 *
 * The first object of an Article-like type speaks for the article, the
 * first WebPage for the page, any WebSite for the site's name, the first
 * Product's description for the body (article_meta.h); lists
 * (breadcrumbs, item lists) are about other pages and are not read.
 * Objects are found in @graph arrays, arrays and nested objects alike,
 * and "@id" references are followed to the node that has a name.  Input
 * is the network's: blocks, depth and members per level are bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "article_internal.h"
#include "article_meta.h"
#include "text.h"

/* JSON-LD blocks larger than this are skipped unread. */
#define LD_MAX_BYTES	(1024 * 1024)
/* How deep we look into a JSON-LD value, and how many members of one
 * array or object. */
#define LD_MAX_DEPTH	16
#define LD_MAX_ITEMS	64

enum ld_kind
ld_type_kind(const char *t)
{
	const char *slash = strrchr(t, '/');

	if (slash != NULL)	/* "http://schema.org/NewsArticle" */
		t = slash + 1;
	if (art_ends_with(t, "Article") || art_ends_with(t, "Posting") ||
	    strcmp(t, "Report") == 0 || strcmp(t, "Review") == 0)
		return LD_ARTICLE;
	if (art_ends_with(t, "Page"))
		return LD_PAGE;
	if (strcmp(t, "WebSite") == 0)
		return LD_SITE;
	if (art_ends_with(t, "List"))
		return LD_LIST;
	/* Product, IndividualProduct, ProductGroup, ProductModel */
	if (art_ends_with(t, "Product") || strncmp(t, "Product", 7) == 0)
		return LD_PRODUCT;
	return LD_OTHER;
}

/* What @type (a string or an array of them) makes of o; the most
 * article-like reading wins. */
static enum ld_kind
ld_kind(json_t *o)
{
	json_t *t = json_object_get(o, "@type"), *e;
	enum ld_kind k, best = LD_OTHER;
	size_t i;

	if (json_is_string(t))
		return ld_type_kind(json_string_value(t));
	json_array_foreach(t, i, e) {
		if (i >= LD_MAX_ITEMS || !json_is_string(e))
			break;
		k = ld_type_kind(json_string_value(e));
		if (best == LD_OTHER || (k != LD_OTHER && k < best))
			best = k;
	}
	return best;
}

/* The node of the JSON-LD document with "@id" id that says more than the
 * reference itself (it has a "name"). */
static json_t *
ld_by_id(json_t *v, const char *id, int depth)
{
	json_t *e, *found, *oid;
	const char *key;
	size_t i;

	if (depth > LD_MAX_DEPTH)
		return NULL;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i >= LD_MAX_ITEMS)
				break;
			if ((found = ld_by_id(e, id, depth + 1)) != NULL)
				return found;
		}
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	oid = json_object_get(v, "@id");
	if (json_is_string(oid) && strcmp(json_string_value(oid), id) == 0 &&
	    json_object_get(v, "name") != NULL)
		return v;
	i = 0;
	json_object_foreach(v, key, e) {
		if (i++ >= LD_MAX_ITEMS)
			break;
		if ((found = ld_by_id(e, id, depth + 1)) != NULL)
			return found;
	}
	return NULL;
}

/* Offer the names in v (a string, a Person/Organization, an @id
 * reference, or an array of those) as field f. */
static void
ld_names(struct meta *m, json_t *doc, json_t *v, enum field f, enum src src,
    int depth)
{
	json_t *e, *name, *id;
	char both[2 * AUTHOR_MAX + 2];
	size_t i;

	if (depth > 2)
		return;
	if (json_is_string(v)) {
		meta_offer(m, f, src, json_string_value(v));
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i >= LD_MAX_ITEMS)
				break;
			ld_names(m, doc, e, f, src, depth + 1);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	name = json_object_get(v, "name");
	if (name == NULL && json_is_string(id = json_object_get(v, "@id")) &&
	    (e = ld_by_id(doc, json_string_value(id), 0)) != NULL) {
		v = e;
		name = json_object_get(v, "name");
	}
	if (json_is_string(name) || json_is_array(name)) {
		ld_names(m, doc, name, f, src, depth + 1);
		return;
	}
	if (json_is_string(json_object_get(v, "givenName")) &&
	    json_is_string(json_object_get(v, "familyName"))) {
		snprintf(both, sizeof(both), "%s %s",
		    json_string_value(json_object_get(v, "givenName")),
		    json_string_value(json_object_get(v, "familyName")));
		meta_offer(m, f, src, both);
	}
}

/* Offer v (a string, an array of them) as field f. */
static void
ld_strings(struct meta *m, json_t *v, enum field f, enum src src)
{
	json_t *e;
	size_t i;

	if (json_is_string(v))
		meta_offer(m, f, src, json_string_value(v));
	json_array_foreach(v, i, e) {
		if (i >= LD_MAX_ITEMS)
			break;
		if (json_is_string(e))
			meta_offer(m, f, src, json_string_value(e));
	}
}

/* Offer the URL of v: a string, an ImageObject or WebPage (url, @id),
 * or the first of an array of those. */
static void
ld_url(struct meta *m, json_t *v, enum field f, enum src src)
{
	json_t *u;

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_string(v)) {
		meta_offer(m, f, src, json_string_value(v));
		return;
	}
	if (!json_is_object(v))
		return;
	if (json_is_string(u = json_object_get(v, "url")) ||
	    json_is_string(u = json_object_get(v, "contentUrl")) ||
	    json_is_string(u = json_object_get(v, "@id")))
		meta_offer(m, f, src, json_string_value(u));
}

static void
ld_article(struct meta *m, json_t *doc, json_t *o, enum src src)
{
	json_t *v;

	if ((v = json_object_get(o, "headline")) == NULL)
		v = json_object_get(o, "name");
	ld_strings(m, v, F_TITLE, src);
	ld_strings(m, json_object_get(o, "description"), F_DESCRIPTION, src);
	if ((v = json_object_get(o, "datePublished")) == NULL)
		v = json_object_get(o, "dateCreated");
	ld_strings(m, v, F_PUBLISHED, src);
	ld_strings(m, json_object_get(o, "dateModified"), F_MODIFIED, src);
	if ((v = json_object_get(o, "author")) == NULL)
		v = json_object_get(o, "creator");
	ld_names(m, doc, v, F_AUTHORS, src, 0);
	ld_names(m, doc, json_object_get(o, "publisher"), F_PUBLISHER, src, 0);
	ld_strings(m, json_object_get(o, "articleSection"), F_SECTION, src);
	ld_strings(m, json_object_get(o, "keywords"), F_TAGS, src);
	if ((v = json_object_get(o, "image")) == NULL)
		v = json_object_get(o, "thumbnailUrl");
	ld_url(m, v, F_IMAGE, src);
	ld_strings(m, json_object_get(o, "inLanguage"), F_LANGUAGE, src);
	if ((v = json_object_get(o, "mainEntityOfPage")) == NULL)
		v = json_object_get(o, "url");
	ld_url(m, v, F_CANONICAL, src);
}

/* Keep the Product's description, its markup dropped, for the body.  A
 * page whose Products say different things lists them: none is its
 * text. */
static void
ld_product(struct meta *m, struct ld_seen *seen, json_t *o)
{
	json_t *v = json_object_get(o, "description");
	char *html, *text, *clean;

	/* Shops write the markup as it is or as entities ("&lt;p&gt;"). */
	if (!json_is_string(v) ||
	    (html = text_decode_entities(json_string_value(v))) == NULL)
		return;
	text = text_from_html(html);
	free(html);
	if (text == NULL || (clean = art_clean(text)) == NULL) {
		free(text);
		return;
	}
	free(text);
	if (seen->product++ == 0) {
		m->product = clean;
		return;
	}
	if (m->product != NULL && strcmp(m->product, clean) != 0) {
		free(m->product);
		m->product = NULL;
	}
	free(clean);
}

/* Look through a JSON-LD value for the first Article, WebPage and
 * WebSite, in @graph arrays, arrays and nested objects alike. */
static void
ld_walk(struct meta *m, struct ld_seen *seen, json_t *doc, json_t *v,
    int depth)
{
	const char *key;
	json_t *e;
	size_t i;

	if (depth > LD_MAX_DEPTH)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i >= LD_MAX_ITEMS)
				break;
			ld_walk(m, seen, doc, e, depth + 1);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	switch (ld_kind(v)) {
	case LD_ARTICLE:
		if (!seen->article++)
			ld_article(m, doc, v, SRC_JSONLD);
		break;
	case LD_PAGE:
		if (!seen->page++)
			ld_article(m, doc, v, SRC_JSONLD_PAGE);
		break;
	case LD_SITE:
		ld_strings(m, json_object_get(v, "name"), F_SITE_NAME,
		    SRC_JSONLD_SITE);
		break;
	case LD_LIST:
		/* Lists of other articles, breadcrumbs: not this page. */
		return;
	case LD_PRODUCT:
		/* Its reviews are Articles too, but not the page's: a
		 * review's title is no product page's. */
		ld_product(m, seen, v);
		return;
	case LD_OTHER:
		break;
	}
	i = 0;
	json_object_foreach(v, key, e) {
		if (i++ >= LD_MAX_ITEMS)
			break;
		if (json_is_object(e) || json_is_array(e))
			ld_walk(m, seen, doc, e, depth + 1);
	}
}

void
ld_script(struct meta *m, struct ld_seen *seen, xmlNode *n)
{
	xmlChar *c;
	const char *s;
	json_t *doc;
	size_t len;

	if ((c = xmlNodeGetContent(n)) == NULL)
		return;
	len = strlen((const char *)c);
	/* Skip what sites wrap the JSON in: "<!--", "// <![CDATA[". */
	s = (const char *)c + strspn((const char *)c, " \t\r\n");
	if (*s != '[' && (s = strchr(s, '{')) == NULL)
		s = (const char *)c + len;
	len -= (size_t)(s - (const char *)c);
	if (len > 0 && len <= LD_MAX_BYTES &&
	    (doc = json_loadb(s, len, JSON_DISABLE_EOF_CHECK, NULL)) != NULL) {
		ld_walk(m, seen, doc, doc, 0);
		json_decref(doc);
	}
	xmlFree(c);
}

