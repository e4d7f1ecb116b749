/* opml.c - see opml.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "opml.h"
#include "text.h"

/* Subscription lists are small; anything past these is not one. */
#define OPML_MAX_FEEDS 100000
#define OPML_MAX_DEPTH 32
#define OPML_MAX_TAGS 64

struct walk {
	struct opml_feed *feeds;
	size_t n, cap;
	const char *folders[OPML_MAX_DEPTH];
	size_t nfolders;
};

/* An attribute by name in any case (readers write xmlUrl, xmlurl,
 * XMLURL), squashed; caller frees; NULL when absent or empty. */
static char *
attr(xmlNodePtr node, const char *name)
{
	for (xmlAttrPtr a = node->properties; a; a = a->next) {
		xmlChar *v;
		char *s;

		if (strcasecmp((const char *)a->name, name) != 0)
			continue;
		if ((v = xmlNodeGetContent((xmlNodePtr)a)) == NULL)
			return NULL;
		s = text_squash_nonempty((const char *)v);
		xmlFree(v);
		return s;
	}
	return NULL;
}

static int
add_tag(struct opml_feed *f, const char *tag, size_t len)
{
	char *t;

	while (len > 0 && (*tag == ' ' || *tag == '/'))
		tag++, len--;
	while (len > 0 && (tag[len - 1] == ' ' || tag[len - 1] == '/'))
		len--;
	if (len == 0 || f->ntags == OPML_MAX_TAGS)
		return 0;
	for (size_t i = 0; i < f->ntags; i++)
		if (strncmp(f->tags[i], tag, len) == 0 && f->tags[i][len] == '\0')
			return 0;
	if ((t = strndup(tag, len)) == NULL)
		return -1;
	f->tags[f->ntags++] = t;
	return 0;
}

/* "/News/World,Tech": the last name of each path. */
static int
add_categories(struct opml_feed *f, const char *category)
{
	while (*category) {
		size_t len = strcspn(category, ","), end = len, start;

		while (end > 0 && category[end - 1] == '/')
			end--;
		for (start = end; start > 0 && category[start - 1] != '/';)
			start--;
		if (add_tag(f, category + start, end - start) == -1)
			return -1;
		category += len + (category[len] == ',');
	}
	return 0;
}

static int
add_feed(struct walk *w, xmlNodePtr node, char *url)
{
	struct opml_feed *f;
	char *category;
	int rc = 0;

	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 32;
		struct opml_feed *nf = realloc(w->feeds, ncap * sizeof(*nf));

		if (nf == NULL) {
			free(url);
			return -1;
		}
		w->feeds = nf;
		w->cap = ncap;
	}
	f = &w->feeds[w->n++];
	memset(f, 0, sizeof(*f));
	f->url = url;
	if ((f->title = attr(node, "title")) == NULL)
		f->title = attr(node, "text");
	if ((f->tags = calloc(OPML_MAX_TAGS, sizeof(*f->tags))) == NULL)
		return -1;
	for (size_t i = 0; i < w->nfolders && rc == 0; i++)
		rc = add_tag(f, w->folders[i], strlen(w->folders[i]));
	if (rc == 0 && (category = attr(node, "category")) != NULL) {
		rc = add_categories(f, category);
		free(category);
	}
	return rc;
}

static int
walk(struct walk *w, xmlNodePtr parent, char *err, size_t errlen)
{
	for (xmlNodePtr c = parent->children; c; c = c->next) {
		char *url, *folder;
		int rc;

		if (c->type != XML_ELEMENT_NODE ||
		    strcasecmp((const char *)c->name, "outline") != 0)
			continue;
		if ((url = attr(c, "xmlUrl")) != NULL) {
			if (w->n == OPML_MAX_FEEDS) {
				free(url);
				snprintf(err, errlen, "more than %d feeds",
				    OPML_MAX_FEEDS);
				return -1;
			}
			if (add_feed(w, c, url) == -1)
				goto nomem;
			continue;
		}
		/* An outline without a feed is a folder. */
		if (w->nfolders == OPML_MAX_DEPTH) {
			snprintf(err, errlen, "outlines nested more than %d deep",
			    OPML_MAX_DEPTH);
			return -1;
		}
		if ((folder = attr(c, "text")) == NULL)
			folder = attr(c, "title");
		w->folders[w->nfolders++] = folder ? folder : "";
		rc = walk(w, c, err, errlen);
		free(folder);
		w->nfolders--;
		if (rc == -1)
			return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
opml_parse(const char *buf, size_t len, struct opml_feed **out, size_t *n,
    char *err, size_t errlen)
{
	struct walk w = { 0 };
	xmlDocPtr doc;
	xmlNodePtr root, body = NULL;
	const xmlError *e;
	size_t l;

	*out = NULL;
	*n = 0;
	doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		e = xmlGetLastError();
		snprintf(err, errlen, "not XML: line %d: %s", e ? e->line : 0,
		    e && e->message ? e->message : "parse error");
		if ((l = strlen(err)) > 0 && err[l - 1] == '\n')
			err[l - 1] = '\0';
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcasecmp((const char *)root->name, "opml") != 0) {
		snprintf(err, errlen, "not OPML: the root element is <%s>",
		    root ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return -1;
	}
	for (xmlNodePtr c = root->children; c && !body; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)c->name, "body") == 0)
			body = c;
	if (body && walk(&w, body, err, errlen) == -1) {
		xmlFreeDoc(doc);
		opml_free(w.feeds, w.n);
		return -1;
	}
	xmlFreeDoc(doc);
	*out = w.feeds;
	*n = w.n;
	return 0;
}

void
opml_free(struct opml_feed *feeds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(feeds[i].url);
		free(feeds[i].title);
		for (size_t j = 0; j < feeds[i].ntags; j++)
			free(feeds[i].tags[j]);
		free(feeds[i].tags);
	}
	free(feeds);
}

/* OPML 2.0's category: comma-separated, slash-delimited paths. */
static char *
categories(const struct opml_feed *f)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < f->ntags; i++)
		len += strlen(f->tags[i]) + 2;
	if ((s = p = malloc(len)) == NULL)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < f->ntags; i++)
		p += sprintf(p, "%s/%s", i ? "," : "", f->tags[i]);
	return s;
}

char *
opml_write(const struct opml_feed *feeds, size_t n, const char *title)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root, head, body, o;
	xmlChar *mem = NULL;
	char *out = NULL, *cat;
	int len = 0, ok = doc != NULL;

	if (!ok)
		return NULL;
	root = xmlNewNode(NULL, (const xmlChar *)"opml");
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, (const xmlChar *)"version", (const xmlChar *)"2.0");
	head = xmlNewChild(root, NULL, (const xmlChar *)"head", NULL);
	xmlNewTextChild(head, NULL, (const xmlChar *)"title",
	    (const xmlChar *)title);
	body = xmlNewChild(root, NULL, (const xmlChar *)"body", NULL);
	for (size_t i = 0; i < n && ok; i++) {
		const char *text = feeds[i].title ? feeds[i].title : feeds[i].url;

		o = xmlNewChild(body, NULL, (const xmlChar *)"outline", NULL);
		ok = o && xmlNewProp(o, (const xmlChar *)"type",
		    (const xmlChar *)"rss") &&
		    xmlNewProp(o, (const xmlChar *)"text", (const xmlChar *)text) &&
		    xmlNewProp(o, (const xmlChar *)"title", (const xmlChar *)text) &&
		    xmlNewProp(o, (const xmlChar *)"xmlUrl",
		    (const xmlChar *)feeds[i].url);
		if (ok && feeds[i].ntags > 0) {
			ok = (cat = categories(&feeds[i])) != NULL &&
			    xmlNewProp(o, (const xmlChar *)"category",
			    (const xmlChar *)cat) != NULL;
			free(cat);
		}
	}
	if (ok)
		xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	if (mem != NULL && (out = malloc((size_t)len + 1)) != NULL) {
		memcpy(out, mem, (size_t)len);
		out[len] = '\0';
	}
	xmlFree(mem);
	xmlFreeDoc(doc);
	return out;
}
