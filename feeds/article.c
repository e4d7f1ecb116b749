/*
 * article.c - the article parser's front: parse the bytes, run the
 * metadata and body halves, apply the per-feed XPath rules, free and
 * serialise.  The helpers every half needs (DOM walk, strings) live here
 * too.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include "markup_guard.h"

#include "article.h"
#include "article_internal.h"
#include "date.h"
#include "feed.h"
#include "text.h"
#include "url.h"

/* The longest charset name we take from a Content-Type header. */
#define CHARSET_MAX	64

static const char *const rule_fields[] = {
	"title", "description", "published", "modified", "authors", "section",
	"tags", "image", "language", "site_name", "publisher",
	"canonical_url", "text", "strip",
};

int
art_walk(xmlNode *root, int (*enter)(xmlNode *, int, void *),
    void (*leave)(xmlNode *, void *), void *arg)
{
	xmlNode *n = root;
	int depth = 0, r;

	if (root == NULL)
		return 0;
	for (;;) {
		if ((r = enter(n, depth, arg)) == ART_WALK_STOP)
			return -1;
		if (r == ART_WALK_INTO && n->children != NULL &&
		    depth < ART_MAX_DEPTH) {
			n = n->children;
			depth++;
			continue;
		}
		for (;;) {
			if (leave != NULL)
				leave(n, arg);
			if (n == root)
				return 0;
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
			depth--;
		}
	}
}

int
art_is(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
	    strcasecmp((const char *)n->name, name) == 0;
}

const char *
art_attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = n->properties; a != NULL; a = a->next) {
		if (strcasecmp((const char *)a->name, name) != 0)
			continue;
		/* The HTML parser gives each attribute one text child. */
		if (a->children != NULL && a->children->content != NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

int
art_inside(const xmlNode *n, const char *tag)
{
	int depth;

	for (depth = 0, n = n->parent; n != NULL && depth < ART_MAX_DEPTH;
	    n = n->parent, depth++)
		if (art_is(n, tag))
			return 1;
	return 0;
}

char *
art_clean(const char *s)
{
	char *dec, *sq;

	if (s == NULL)
		return NULL;
	if ((dec = text_decode_entities(s)) == NULL)
		return NULL;
	sq = text_squash_nonempty(dec);
	free(dec);
	return sq;
}

int
art_list_add(char ***v, size_t *n, const char *s)
{
	char **nv, *copy;
	size_t i;

	if (*n >= ART_MAX_LIST)
		return 0;
	for (i = 0; i < *n; i++)
		if (strcasecmp((*v)[i], s) == 0)
			return 0;
	if ((copy = strdup(s)) == NULL)
		return -1;
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
		free(copy);
		return -1;
	}
	nv[(*n)++] = copy;
	*v = nv;
	return 0;
}

void
art_list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
article_rule_field_known(const char *field)
{
	size_t i;

	if (field == NULL)
		return -1;
	for (i = 0; i < sizeof(rule_fields) / sizeof(rule_fields[0]); i++)
		if (strcmp(field, rule_fields[i]) == 0)
			return 0;
	return -1;
}

/* Keeps the first libxml2 error of an XPath compile or evaluation so that
 * it reaches the caller's err instead of stderr. */
struct xerr {
	char	msg[256];
};

static void
xerr_catch(void *arg, xmlErrorPtr e)
{
	struct xerr *x = arg;
	size_t len;

	if (x == NULL || x->msg[0] != '\0' || e == NULL || e->message == NULL)
		return;
	snprintf(x->msg, sizeof(x->msg), "%s", e->message);
	len = strlen(x->msg);
	while (len > 0 && isspace((unsigned char)x->msg[len - 1]))
		x->msg[--len] = '\0';
}

int
article_rule_check(const char *xpath, char *err, size_t errlen)
{
	xmlStructuredErrorFunc ofn = xmlStructuredError;
	void *octx = xmlStructuredErrorContext;
	xmlXPathCompExprPtr comp;
	struct xerr x;

	if (xpath == NULL || *xpath == '\0') {
		snprintf(err, errlen, "empty xpath");
		return -1;
	}
	x.msg[0] = '\0';
	xmlSetStructuredErrorFunc(&x, xerr_catch);
	comp = xmlXPathCompile((const xmlChar *)xpath);
	xmlSetStructuredErrorFunc(octx, ofn);
	if (comp == NULL) {
		snprintf(err, errlen, "xpath '%s': %s", xpath,
		    x.msg[0] != '\0' ? x.msg : "invalid expression");
		return -1;
	}
	xmlXPathFreeCompExpr(comp);
	return 0;
}

/* The value one XPath result node gives a field: text for the body, one
 * line for everything else. */
static char *
xpath_node_value(xmlNode *n, int paragraphs)
{
	xmlChar *c;
	char *s;

	if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
	    n->type == XML_HTML_DOCUMENT_NODE)
		return paragraphs ? art_paragraphs(n) : art_node_text(n);
	if ((c = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = text_squash_nonempty((const char *)c);
	xmlFree(c);
	return s;
}

int
art_xpath(htmlDocPtr doc, const char *xpath, int paragraphs,
    int (*each)(const char *, void *), void *arg)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	char *v;
	int i, rc = 0;

	if ((ctx = xmlXPathNewContext(doc)) == NULL)
		return -1;
	res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	if (res == NULL)
		goto done;
	if (res->type == XPATH_STRING) {
		if ((v = art_clean((const char *)res->stringval)) != NULL) {
			rc = each(v, arg);
			free(v);
		}
		goto done;
	}
	if (res->type != XPATH_NODESET || res->nodesetval == NULL)
		goto done;
	for (i = 0; i < res->nodesetval->nodeNr && rc == 0; i++) {
		v = xpath_node_value(res->nodesetval->nodeTab[i], paragraphs);
		if (v != NULL)
			rc = each(v, arg);
		free(v);
	}
done:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return rc;
}

static int
text_rule_each(const char *v, void *arg)
{
	struct strbuf *b = arg;

	if (b->len > 0)
		strbuf_add(b, "\n\n", 2);
	strbuf_add(b, v, strlen(v));
	return b->oom ? -1 : 0;
}

/* The body text the feed's text rules select, or NULL. */
static char *
rule_text(htmlDocPtr doc, const struct article_rule *rules, size_t nrules)
{
	struct strbuf b = { 0 };
	size_t i;

	for (i = 0; i < nrules && b.len == 0; i++) {
		if (rules[i].field == NULL || rules[i].xpath == NULL ||
		    strcmp(rules[i].field, "text") != 0)
			continue;
		if (art_xpath(doc, rules[i].xpath, 1, text_rule_each, &b) == -1)
			break;
	}
	return strbuf_finish(&b);
}

/*
 * The charset parameter of a Content-Type value into cs, or 0 when there
 * is none.  Quotes are dropped; the name is kept to what a charset name
 * can hold.
 */
static int
content_type_charset(const char *ct, char *cs, size_t cslen)
{
	const char *p;
	size_t n = 0;

	if (ct == NULL)
		return 0;
	for (p = ct; (p = strchr(p, ';')) != NULL; ) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"' || *p == '\'')
			p++;
		while (n + 1 < cslen && *p != '\0' &&
		    (isalnum((unsigned char)*p) || strchr("-_.:", *p) != NULL))
			cs[n++] = *p++;
		cs[n] = '\0';
		return n > 0;
	}
	return 0;
}

/* Swallows what libxml2 would print: a broken page is our caller's
 * business, reported through err or not at all. */
static void
xerr_ignore(void *arg, xmlErrorPtr e)
{
	(void)arg;
	(void)e;
}

/* Remove the nodes xpath selects from doc, except the root element and
 * attributes. */
static void
strip_nodes(htmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res = NULL;
	xmlNodeSetPtr set;
	xmlNode *n, *root = xmlDocGetRootElement(doc);
	int i;

	if ((ctx = xmlXPathNewContext(doc)) == NULL)
		return;
	res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	if (res == NULL || res->type != XPATH_NODESET ||
	    (set = res->nodesetval) == NULL)
		goto done;
	/* Unlink all before freeing any: a selected node may sit inside
	 * another one. */
	for (i = 0; i < set->nodeNr; i++) {
		n = set->nodeTab[i];
		if (n == root || (n->type != XML_ELEMENT_NODE &&
		    n->type != XML_TEXT_NODE && n->type != XML_COMMENT_NODE &&
		    n->type != XML_CDATA_SECTION_NODE)) {
			set->nodeTab[i] = NULL;
			continue;
		}
		xmlUnlinkNode(n);
	}
	for (i = 0; i < set->nodeNr; i++) {
		xmlFreeNode(set->nodeTab[i]);
		set->nodeTab[i] = NULL;
	}
done:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
}

/* Remove what the feed's strip rules select, before anything is read. */
static void
apply_strip(htmlDocPtr doc, const struct article_rule *rules, size_t nrules)
{
	size_t i;

	for (i = 0; i < nrules; i++)
		if (rules[i].field != NULL && rules[i].xpath != NULL &&
		    strcmp(rules[i].field, "strip") == 0)
			strip_nodes(doc, rules[i].xpath);
}

/*
 * 1 when the page is UTF-8 whatever its <meta> says: valid UTF-8 with at
 * least one multi-byte sequence, which text in a legacy charset almost
 * never is.  Pages saved or re-served as UTF-8 keep their old
 * <meta charset=gb2312> and would otherwise come out as mojibake.
 */
static int
sniff_utf8(const char *buf, size_t len)
{
	size_t i, outlen;
	char *fixed;

	for (i = 0; i < len && !((unsigned char)buf[i] & 0x80); i++)
		;
	if (i == len)
		return 0;
	if ((fixed = text_utf8_repair(buf, len, &outlen)) != NULL) {
		free(fixed);
		return 0;
	}
	return 1;
}

static htmlDocPtr
parse_html(const char *buf, size_t len, const char *url, const char *cs)
{
	return htmlReadMemory(buf, (int)len, url, cs, HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
}

/*
 * The body text of the page doc was parsed from.  When the boilerplate
 * rules leave little, the page is read again without the rules on class
 * and id (a theme's "header-content" box may hold the whole story) and
 * without conditional cleaning, and the longer text wins.
 */
static void
body_text(struct article *a, htmlDocPtr doc, const char *buf, size_t len,
    const char *cs, const struct article_rule *rules, size_t nrules,
    unsigned flags)
{
	htmlDocPtr again;
	char *more, *morehtml = NULL, **html;

	html = flags & ARTICLE_HTML ? &a->html : NULL;
	a->text = art_body(doc, 0, html);
	if (a->text != NULL && strlen(a->text) >= ART_BODY_RETRY_LEN)
		return;
	if ((again = parse_html(buf, len, a->url, cs)) == NULL)
		return;
	apply_strip(again, rules, nrules);
	more = art_body(again, 1, html != NULL ? &morehtml : NULL);
	xmlFreeDoc(again);
	if (more == NULL || (a->text != NULL &&
	    strlen(a->text) >= strlen(more))) {
		free(more);
		free(morehtml);
		return;
	}
	free(a->text);
	a->text = more;
	if (html != NULL) {
		free(a->html);
		a->html = morehtml;
	}
}

/* The hash of the word at or after *s (letters and digits, any non-ASCII
 * byte as a letter, ASCII case ignored), never 0; 0 when there is none.
 * *s moves past it. */
static uint64_t
next_word(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	while (*p != '\0' && !isalnum(*p) && *p < 0x80)
		p++;
	if (*p == '\0') {
		*s = (const char *)p;
		return 0;
	}
	for (; *p != '\0' && (isalnum(*p) || *p >= 0x80); p++) {
		h ^= (uint64_t)tolower(*p);
		h *= 1099511628211ULL;
	}
	*s = (const char *)p;
	return h | 1;
}

/* Where hash h is, or goes, in the open-addressed set of cap (a power
 * of two) slots. */
static size_t
word_slot(const uint64_t *set, size_t cap, uint64_t h)
{
	size_t i;

	for (i = h & (cap - 1); set[i] != 0 && set[i] != h;
	    i = (i + 1) & (cap - 1))
		;
	return i;
}

/* 1 when text holds at least half of the distinct words of words; -1 on
 * allocation failure.  One pass over each, whatever their lengths. */
static int
mostly_in(const char *words, const char *text)
{
	uint64_t *set, h;
	unsigned char *hit;
	size_t cap = 2, n = 0, found = 0, i;
	const char *p;

	for (p = words; next_word(&p) != 0; n++)
		;
	while (cap < 2 * n)
		cap *= 2;
	set = calloc(cap, sizeof(*set));
	hit = calloc(cap, 1);
	if (set == NULL || hit == NULL) {
		free(set);
		free(hit);
		return -1;
	}
	for (n = 0, p = words; (h = next_word(&p)) != 0; ) {
		i = word_slot(set, cap, h);
		if (set[i] == 0)
			n++;
		set[i] = h;
	}
	for (p = text != NULL ? text : ""; (h = next_word(&p)) != 0; ) {
		i = word_slot(set, cap, h);
		if (set[i] != 0 && !hit[i]) {
			hit[i] = 1;
			found++;
		}
	}
	free(set);
	free(hit);
	return 2 * found >= n;
}

/* s before the paragraphs of *body (s alone when there are none), with
 * sep between. */
static int
prepend(char **body, const char *s, const char *sep)
{
	char *both;

	if (asprintf(&both, "%s%s%s", s, *body != NULL ? sep : "",
	    *body != NULL ? *body : "") == -1)
		return -1;
	free(*body);
	*body = both;
	return 0;
}

/*
 * Shops render a product's description from script or behind a tab the
 * extractor does not open, so the body often lacks it; the JSON-LD one
 * leads the body unless the body says most of it already.
 */
static int
add_product(struct article *a, const char *product, unsigned flags)
{
	xmlChar *esc;
	char *p;
	int r;

	if (product == NULL || (r = mostly_in(product, a->text)) == 1)
		return 0;
	if (r == -1 || prepend(&a->text, product, "\n\n") == -1)
		return -1;
	if (!(flags & ARTICLE_HTML))
		return 0;
	if ((esc = xmlEncodeSpecialChars(NULL, (const xmlChar *)product)) ==
	    NULL || asprintf(&p, "<p>%s</p>", (const char *)esc) == -1) {
		xmlFree(esc);
		return -1;
	}
	xmlFree(esc);
	r = prepend(&a->html, p, "\n");
	free(p);
	return r;
}

int
article_parse(const char *buf, size_t len, const char *url,
    const char *content_type, const struct article_rule *rules, size_t nrules,
    unsigned flags, struct article **out, char *err, size_t errlen)
{
	xmlStructuredErrorFunc ofn = xmlStructuredError;
	void *octx = xmlStructuredErrorContext;
	struct article *a = NULL;
	htmlDocPtr doc = NULL;
	char csbuf[CHARSET_MAX], *guarded = NULL, *product = NULL;
	const char *cs;

	*out = NULL;
	xmlSetStructuredErrorFunc(NULL, xerr_ignore);
	if (buf == NULL || len == 0) {
		snprintf(err, errlen, "empty page");
		goto fail;
	}
	if (len > INT32_MAX) {
		snprintf(err, errlen, "page too large (%zu bytes)", len);
		goto fail;
	}
	if (memchr(buf, '<', len) == NULL) {
		snprintf(err, errlen, "not HTML: no markup");
		goto fail;
	}
	/* The header's charset first, then the bytes themselves, and only
	 * then what the page declares (libxml2 reads the BOM and <meta>). */
	cs = content_type_charset(content_type, csbuf, sizeof(csbuf)) ? csbuf :
	    sniff_utf8(buf, len) ? "UTF-8" : NULL;
	if ((buf = markup_guarded(buf, &len, MARKUP_GUARD_HTML, cs,
	    &guarded)) == NULL)
		goto oom;
	doc = parse_html(buf, len, url, cs);
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		snprintf(err, errlen, "not HTML: the parser found no element");
		goto fail;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto oom;
	a->published = a->modified = NW_TIME_UNSET;
	/* Like the canonical URL and the image, it is for readers to follow:
	 * http(s) or nothing. */
	if (url_is_http(url) && (a->url = strdup(url)) == NULL)
		goto oom;
	apply_strip(doc, rules, nrules);
	if (art_meta(doc, url, rules, nrules, a, &product) == -1)
		goto oom;
	a->source = "rule";
	a->text = rule_text(doc, rules, nrules);
	/* Last: it unlinks the boilerplate from the tree. */
	if (a->text == NULL) {
		a->source = "page";
		body_text(a, doc, buf, len, cs, rules, nrules, flags);
		if (add_product(a, product, flags) == -1)
			goto oom;
	}
	xmlFreeDoc(doc);
	free(guarded);
	free(product);
	xmlSetStructuredErrorFunc(octx, ofn);
	*out = a;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	article_free(a);
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(guarded);
	free(product);
	xmlSetStructuredErrorFunc(octx, ofn);
	return -1;
}

void
article_free(struct article *a)
{
	if (a == NULL)
		return;
	free(a->url);
	free(a->canonical_url);
	free(a->title);
	free(a->description);
	art_list_free(a->authors, a->nauthors);
	free(a->section);
	art_list_free(a->tags, a->ntags);
	free(a->image);
	free(a->language);
	free(a->site_name);
	free(a->publisher);
	free(a->text);
	free(a->html);
	free(a->refresh);
	free(a);
}

int
article_prefer_feed_content(struct article *a, const char *feed_html,
    unsigned flags)
{
	htmlDocPtr doc;
	char *text, *html = NULL, *guarded = NULL;
	const char *page;
	size_t len;

	if (feed_html == NULL || (len = strlen(feed_html)) == 0 ||
	    len > INT32_MAX)
		return 0;
	if ((page = markup_guarded(feed_html, &len, MARKUP_GUARD_HTML,
	    "UTF-8", &guarded)) == NULL)
		return -1;
	doc = htmlReadMemory(page, (int)len, a->url, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER | HTML_PARSE_NOIMPLIED);
	free(guarded);
	if (doc == NULL)
		return 0;
	text = art_paragraphs((xmlNode *)doc);
	xmlFreeDoc(doc);
	if (text == NULL || (a->text != NULL &&
	    strlen(a->text) >= strlen(text))) {
		free(text);
		return 0;
	}
	if ((flags & ARTICLE_HTML) && (html = strdup(feed_html)) == NULL) {
		free(text);
		return -1;
	}
	free(a->text);
	a->text = text;
	if (html != NULL) {
		free(a->html);
		a->html = html;
	}
	a->source = "feed";
	return 0;
}

static json_t *
json_time(int64_t t)
{
	char buf[32];

	if (t == NW_TIME_UNSET)
		return json_null();
	return json_string(date_format_rfc3339(t, buf, sizeof(buf)));
}

static json_t *
json_list(char *const *v, size_t n)
{
	json_t *arr;
	size_t i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, json_string(v[i])) == -1) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

json_t *
article_to_json(const struct article *a)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	/* json_object_set_new() takes and drops a NULL value, so one failed
	 * allocation shows as a missing key, caught below. */
	json_object_set_new(o, "url", feed_json_str(a->url));
	json_object_set_new(o, "canonical_url", feed_json_str(a->canonical_url));
	json_object_set_new(o, "title", feed_json_str(a->title));
	json_object_set_new(o, "description", feed_json_str(a->description));
	json_object_set_new(o, "published", json_time(a->published));
	json_object_set_new(o, "modified", json_time(a->modified));
	json_object_set_new(o, "authors", json_list(a->authors, a->nauthors));
	json_object_set_new(o, "section", feed_json_str(a->section));
	json_object_set_new(o, "tags", json_list(a->tags, a->ntags));
	json_object_set_new(o, "image", feed_json_str(a->image));
	json_object_set_new(o, "language", feed_json_str(a->language));
	json_object_set_new(o, "site_name", feed_json_str(a->site_name));
	json_object_set_new(o, "publisher", feed_json_str(a->publisher));
	json_object_set_new(o, "text", feed_json_str(a->text));
	json_object_set_new(o, "source", feed_json_str(a->source));
	if (a->html != NULL)
		json_object_set_new(o, "html", json_string(a->html));
	if (json_object_size(o) != 15 + (a->html != NULL)) {
		json_decref(o);
		return NULL;
	}
	return o;
}
