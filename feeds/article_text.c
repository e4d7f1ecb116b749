/*
 * article_text.c - the text of DOM nodes, and what a subtree holds.
 *
 * The vocabulary the body extractor (article_body.c, article_clean.c)
 * judges nodes by: their text as one line or as paragraphs, the
 * statistics of a subtree (length, links, commas, paragraphs, pictures),
 * the weight of a class or id, and a list of nodes to unlink once a walk
 * is over.  Every walk is iterative and stops ART_MAX_DEPTH levels down.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "article_internal.h"
#include "article_text.h"
#include "text.h"

/* Elements whose text is never shown: left out of any text we read.
 * Not <noscript>: what it holds is what a reader without scripts sees,
 * and the box rule of article_clean.c drops it unless broken markup put
 * the page in it. */
static const char *const invisible_tags[] = {
	"script", "style", "template", "head", "svg", "math", "iframe",
	"object", "select", "textarea", "button",
};

/* Elements that flow within a paragraph; every other element ends one. */
static const char *const inline_tags[] = {
	"a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code",
	"data", "del", "dfn", "em", "font", "i", "img", "ins", "kbd", "label",
	"mark", "nobr", "q", "rb", "ruby", "s", "samp", "small", "span",
	"strike", "strong",
	"sub", "sup", "time", "tt", "u", "var", "wbr",
};

/* Readability's class weights: +25 for each of class and id that looks
 * like content, -25 for each that looks like the rest. */
static const char *const weight_positive[] = {
	"article", "body", "content", "entry", "hentry", "h-entry", "main",
	"page", "pagination", "post", "text", "blog", "story",
};
static const char *const weight_negative[] = {
	"-ad-", "hidden", "banner", "combx", "comment", "com-", "contact",
	"foot", "footnote", "gdpr", "masthead", "media", "meta", "outbrain",
	"promo", "related", "scroll", "share", "shoutbox", "sidebar",
	"skyscraper", "sponsor", "shopping", "tags", "tool", "widget",
	/* Teasers of other stories turned by a script: their excerpts
	 * add up to more text than a short story. */
	"slider", "carousel", "swiper",
};

int
art_is_one_of(const xmlNode *n, const char *const *names, size_t nnames)
{
	size_t i;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return 0;
	for (i = 0; i < nnames; i++)
		if (strcasecmp((const char *)n->name, names[i]) == 0)
			return 1;
	return 0;
}

int
art_is_inline(const xmlNode *n)
{
	return art_is_one_of(n, inline_tags, ART_NELEM(inline_tags));
}

int
art_has_block_child(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !art_is_inline(c))
			return 1;
	return 0;
}

static int
is_invisible(const xmlNode *n)
{
	return art_is_one_of(n, invisible_tags, ART_NELEM(invisible_tags));
}

int
art_is_heading(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && tolower(n->name[0]) == 'h' &&
	    n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0';
}

/* The text of a text or CDATA node, else NULL. */
const char *
art_text_of(const xmlNode *n)
{
	if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE)
		return NULL;
	return (const char *)n->content;
}

struct para {
	struct strbuf	 out;	/* finished paragraphs */
	struct strbuf	 cur;	/* the one being read */
	int		 lines;	/* no paragraphs: everything on one line */
};

static void
para_flush(struct para *p)
{
	char *s;

	if (p->cur.len == 0)
		return;
	s = text_squash(p->cur.p);
	p->cur.len = 0;
	if (s == NULL) {
		p->out.oom = 1;
		return;
	}
	if (*s != '\0') {
		if (p->out.len > 0)
			strbuf_add(&p->out, p->lines ? " " : "\n\n",
			    p->lines ? 1 : 2);
		strbuf_add(&p->out, s, strlen(s));
	}
	free(s);
}

static int
para_enter(xmlNode *n, int depth, void *arg)
{
	struct para *p = arg;
	const char *t;

	(void)depth;
	if ((t = art_text_of(n)) != NULL) {
		strbuf_add(&p->cur, t, strlen(t));
		return ART_WALK_SKIP;
	}
	if (n->type != XML_ELEMENT_NODE)
		return n->type == XML_DOCUMENT_NODE ||
		    n->type == XML_HTML_DOCUMENT_NODE ? ART_WALK_INTO :
		    ART_WALK_SKIP;
	if (is_invisible(n))
		return ART_WALK_SKIP;
	if (art_is(n, "br") || art_is(n, "img"))
		strbuf_add(&p->cur, " ", 1);
	else if (!art_is_inline(n))
		para_flush(p);
	return ART_WALK_INTO;
}

static void
para_leave(xmlNode *n, void *arg)
{
	struct para *p = arg;

	if (n->type == XML_ELEMENT_NODE && !art_is_inline(n))
		para_flush(p);
}

static char *
read_text(xmlNode *n, int lines)
{
	struct para p = { .lines = lines };

	art_walk(n, para_enter, para_leave, &p);
	para_flush(&p);
	free(strbuf_finish(&p.cur));
	return strbuf_finish(&p.out);
}

char *
art_node_text(xmlNode *n)
{
	return read_text(n, 1);
}

char *
art_paragraphs(xmlNode *n)
{
	return read_text(n, 0);
}

void
art_stats_text(struct art_stats *st, const char *t, int in_link)
{
	const unsigned char *s;

	for (s = (const unsigned char *)t; *s != '\0'; s++) {
		if ((*s & 0xc0) == 0x80)
			continue;	/* count characters, not bytes */
		if (isspace(*s)) {
			if (st->sp)
				continue;
			st->sp = 1;
		} else
			st->sp = 0;
		st->len++;
		if (in_link)
			st->link_len++;
		if (*s == ',')
			st->commas++;
		/* The ideographic and fullwidth commas: "、" "，". */
		else if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x81)
			st->commas++;
		else if (s[0] == 0xef && s[1] == 0xbc && s[2] == 0x8c)
			st->commas++;
	}
}

static int
stats_enter(xmlNode *n, int depth, void *arg)
{
	struct art_stats *st = arg;
	const char *t;

	(void)depth;
	if ((t = art_text_of(n)) != NULL) {
		art_stats_text(st, t, art_inside(n, "a"));
		return ART_WALK_SKIP;
	}
	if (n->type != XML_ELEMENT_NODE || is_invisible(n))
		return ART_WALK_SKIP;
	if (art_is(n, "p"))
		st->p++;
	else if (art_is(n, "img"))
		st->img++;
	else if (art_is(n, "li"))
		st->li++;
	else if (art_is(n, "input"))
		st->input++;
	else if (art_is(n, "embed") || art_is(n, "object") ||
	    art_is(n, "iframe"))
		st->embed++;
	else if (art_is_heading(n))
		st->h++;
	return ART_WALK_INTO;
}

void
art_stats_of(xmlNode *n, struct art_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sp = 1;
	art_walk(n, stats_enter, NULL, st);
}

double
art_link_density(const struct art_stats *st)
{
	return st->len ? (double)st->link_len / (double)st->len : 0;
}

/* 1 when a subtree reads like an article whatever its class says:
 * several paragraphs, a fair length, few links. */
int
art_is_prose(const struct art_stats *st)
{
	return st->p >= 3 && st->len >= 1000 && art_link_density(st) < 0.2;
}

/* class and id of n, lower case, space-separated, into buf. */
const char *
art_class_id(const xmlNode *n, char *buf, size_t buflen)
{
	const char *c = art_attr(n, "class"), *id = art_attr(n, "id");
	size_t i;

	snprintf(buf, buflen, "%s %s", c ? c : "", id ? id : "");
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

int
art_has_substring(const char *s, const char *const *words, size_t nwords)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		if (strstr(s, words[i]) != NULL)
			return 1;
	return 0;
}

int
art_class_weight(const xmlNode *n)
{
	const char *v[2] = { art_attr(n, "class"), art_attr(n, "id") };
	char buf[CLASS_MAX];
	int w = 0, i;
	size_t j;

	for (i = 0; i < 2; i++) {
		if (v[i] == NULL || *v[i] == '\0')
			continue;
		snprintf(buf, sizeof(buf), "%s", v[i]);
		for (j = 0; buf[j] != '\0'; j++)
			buf[j] = (char)tolower((unsigned char)buf[j]);
		if (art_has_substring(buf, weight_negative, ART_NELEM(weight_negative)))
			w -= 25;
		if (art_has_substring(buf, weight_positive, ART_NELEM(weight_positive)))
			w += 25;
	}
	return w;
}

int
art_is_marked_body(const xmlNode *n)
{
	const char *ip = art_attr(n, "itemprop");

	return ip != NULL && strcasestr(ip, "articlebody") != NULL;
}

void
art_nodes_add(struct art_nodes *l, xmlNode *n)
{
	xmlNode **v;
	size_t cap;

	if (l->oom)
		return;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = n;
}

void
art_nodes_unlink(struct art_nodes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		xmlUnlinkNode(l->v[i]);
		xmlFreeNode(l->v[i]);
	}
	l->n = 0;
}

/* The start of a node's visible text, whitespace squashed. */
struct lead {
	char	*buf;
	size_t	 size, len;
};

static int
lead_enter(xmlNode *n, int depth, void *arg)
{
	struct lead *l = arg;
	const char *t;

	(void)depth;
	if ((t = art_text_of(n)) == NULL)
		return n->type == XML_ELEMENT_NODE && !is_invisible(n) ?
		    ART_WALK_INTO : ART_WALK_SKIP;
	for (; *t != '\0' && l->len + 1 < l->size; t++) {
		if (isspace((unsigned char)*t) &&
		    (l->len == 0 || l->buf[l->len - 1] == ' '))
			continue;
		l->buf[l->len++] = isspace((unsigned char)*t) ? ' ' : *t;
	}
	l->buf[l->len] = '\0';
	return l->len + 1 < l->size ? ART_WALK_SKIP : ART_WALK_STOP;
}

const char *
art_lead(xmlNode *n, char *buf, size_t size)
{
	struct lead l = { buf, size, 0 };

	buf[0] = '\0';
	art_walk(n, lead_enter, NULL, &l);
	return buf;
}
