/*
 * article_text.c - the text of DOM nodes, and the main body of a page.
 *
 * The body extractor follows Readability's plan, simplified:
 *   1. unlink what is never article text: scripts, navigation, forms,
 *      hidden elements, and elements whose class or id says boilerplate
 *      ("share", "related", "cookie", "leggi-anche", ...);
 *   2. when the page marks its body (itemprop=articleBody), take it;
 *   3. otherwise score paragraphs (length, commas) into their ancestors,
 *      discount each candidate by its link density, take the best one
 *      (climbing to a parent that scores about as well) and the siblings
 *      that score close to it;
 *   4. drop link lists, forms and image galleries left inside, then read
 *      the chosen nodes out as paragraphs.
 * Every walk is iterative and stops ART_MAX_DEPTH levels down.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "article_internal.h"
#include "text.h"

/* A paragraph shorter than this (in characters) says nothing about where
 * the article is. */
#define MIN_PARA_LEN	25

/* The body a page marks with itemprop=articleBody is trusted from this
 * many characters on. */
#define MIN_MARKED_LEN	100

/* A paragraph's commas count up to this many: more is a list of names
 * (signatories, "kudos", tags) set as one paragraph, not prose. */
#define MAX_PARA_COMMAS	20

/* A box of list items is a menu or link list from this link density on;
 * below it, ingredients, steps or facts of the story. */
#define LIST_LINK_DENSITY	0.2

/* How many ancestors a paragraph's score reaches. */
#define SCORE_LEVELS	5

/* The paragraph score a node must gather before its content-like class
 * or id counts: about two paragraphs. */
#define BONUS_MIN_CONTENT	10

/* The longest class+id string we look at. */
#define CLASS_MAX	256

/* Elements that never hold article text. */
static const char *const drop_tags[] = {
	"script", "style", "template", "iframe", "svg", "math", "canvas",
	"object", "embed", "button", "select", "textarea", "input", "dialog",
	"head", "link", "meta", "audio", "video", "map",
	/* Ruby annotations: the reading of the characters they sit on,
	 * shown small above them; read in line, they cut every word. */
	"rt", "rp",
};

/* Boxes around the article, never in it - unless broken markup (an
 * unclosed <header>, a <div> opened in <noscript>) put the article
 * inside. */
static const char *const box_tags[] = {
	"noscript", "nav", "header", "footer", "aside", "menu", "form",
};

/* Elements whose text is never shown: left out of any text we read.
 * Not <noscript>: what it holds is what a reader without scripts sees,
 * and the box rule above drops it unless broken markup put the page in
 * it. */
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

/* Class/id words that mark boilerplate, as substrings.  The second group
 * is kept when the same class also says "content" and the like (a
 * "main-menu-content" may be the page); the first never is. */
static const char *const junk_always[] = {
	"comment", "share", "sharing", "social", "related", "newsletter",
	"cookie", "consent", "gdpr", "promo", "outbrain", "taboola",
	"subscribe", "breadcrumb", "disqus", "leggi-anche", "leggianche",
	"read-also", "readalso", "read-more", "readmore", "see-also",
	"more-news", "paywall", "signup", "login", "credit", "copyright",
	/* The writer's biography and the fact or link boxes set beside the
	 * story tell about something else, whatever "content" their
	 * classes say. */
	"author-box", "author-bio", "author-info", "about-author", "sabox",
	"factbox", "infobox", "linkbox", "inlinetextbox",
	/* Comments in German and Spanish ("kommentarModul", "comentarios");
	 * what a page keeps off paper ("noprint") is its screen furniture. */
	"kommentar", "comentario", "noprint",
	/* A picture's caption and credit line describe the picture, not
	 * the story (and read as a stray line in its middle). */
	"caption",
};
static const char *const junk_unless_content[] = {
	"-ad-", "ad-break", "advert", "banner", "combx", "community",
	"cover-wrap", "extra", "footer", "header", "legends", "menu",
	"navigation", "navbar", "pager", "pagination", "popup", "modal",
	"remark", "replies", "rss", "shoutbox", "sidebar", "skyscraper",
	"sponsor", "supplemental", "agegate", "toolbar", "masthead",
	"byline", "author", "tags",
};
/* Class/id words, as whole hyphen/underscore-separated parts. */
static const char *const junk_parts[] = {
	"ad", "ads", "nav", "adv", "banner", "print", "meta",
};
static const char *const content_words[] = {
	"article", "body", "column", "content", "main", "shadow", "story",
	"text",
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

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
is_one_of(const xmlNode *n, const char *const *names, size_t nnames)
{
	size_t i;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return 0;
	for (i = 0; i < nnames; i++)
		if (strcasecmp((const char *)n->name, names[i]) == 0)
			return 1;
	return 0;
}

static int
is_inline(const xmlNode *n)
{
	return is_one_of(n, inline_tags, NELEM(inline_tags));
}

static int
is_invisible(const xmlNode *n)
{
	return is_one_of(n, invisible_tags, NELEM(invisible_tags));
}

static int
is_heading(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && tolower(n->name[0]) == 'h' &&
	    n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0';
}

/* The text of a text or CDATA node, else NULL. */
static const char *
text_of(const xmlNode *n)
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
	if ((t = text_of(n)) != NULL) {
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
	else if (!is_inline(n))
		para_flush(p);
	return ART_WALK_INTO;
}

static void
para_leave(xmlNode *n, void *arg)
{
	struct para *p = arg;

	if (n->type == XML_ELEMENT_NODE && !is_inline(n))
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

/* What a subtree holds, for scoring and cleaning. */
struct stats {
	size_t	len;		/* characters of visible text, runs of
				 * white space counted once */
	size_t	link_len;	/* of which inside links */
	size_t	commas;
	size_t	p, img, li, input, embed, h;
	int	sp;		/* internal: last character was a space */
};

static void
stats_text(struct stats *st, const char *t, int in_link)
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
	struct stats *st = arg;
	const char *t;

	(void)depth;
	if ((t = text_of(n)) != NULL) {
		stats_text(st, t, art_inside(n, "a"));
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
	else if (is_heading(n))
		st->h++;
	return ART_WALK_INTO;
}

static void
stats_of(xmlNode *n, struct stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sp = 1;
	art_walk(n, stats_enter, NULL, st);
}

static double
link_density(const struct stats *st)
{
	return st->len ? (double)st->link_len / (double)st->len : 0;
}

/* 1 when a subtree reads like an article whatever its class says:
 * several paragraphs, a fair length, few links. */
static int
is_prose(const struct stats *st)
{
	return st->p >= 3 && st->len >= 1000 && link_density(st) < 0.2;
}

/* class and id of n, lower case, space-separated, into buf. */
static const char *
class_id(const xmlNode *n, char *buf, size_t buflen)
{
	const char *c = art_attr(n, "class"), *id = art_attr(n, "id");
	size_t i;

	snprintf(buf, buflen, "%s %s", c ? c : "", id ? id : "");
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

static int
has_substring(const char *s, const char *const *words, size_t nwords)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		if (strstr(s, words[i]) != NULL)
			return 1;
	return 0;
}

/* 1 when one of the parts of s (split at anything not a letter or
 * digit) is one of words. */
static int
has_part(const char *s, const char *const *words, size_t nwords)
{
	size_t i, len;

	while (*s != '\0') {
		while (*s != '\0' && !isalnum((unsigned char)*s))
			s++;
		for (len = 0; isalnum((unsigned char)s[len]); len++)
			;
		for (i = 0; len > 0 && i < nwords; i++)
			if (strlen(words[i]) == len &&
			    strncmp(s, words[i], len) == 0)
				return 1;
		s += len;
	}
	return 0;
}

static int
class_weight(const xmlNode *n)
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
		if (has_substring(buf, weight_negative, NELEM(weight_negative)))
			w -= 25;
		if (has_substring(buf, weight_positive, NELEM(weight_positive)))
			w += 25;
	}
	return w;
}

static int
is_marked_body(const xmlNode *n)
{
	const char *ip = art_attr(n, "itemprop");

	return ip != NULL && strcasestr(ip, "articlebody") != NULL;
}

static int
protected_enter(xmlNode *n, int depth, void *arg)
{
	(void)depth;
	(void)arg;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (art_is(n, "article") || art_is(n, "main") || is_marked_body(n))
		return ART_WALK_STOP;
	return ART_WALK_INTO;
}

/* 1 when n is or holds what the page calls its article: such a node is
 * never boilerplate, whatever its class says. */
static int
holds_article(xmlNode *n)
{
	return art_walk(n, protected_enter, NULL, NULL) == -1;
}

static int
is_hidden(const xmlNode *n)
{
	const char *s;
	char buf[CLASS_MAX];
	size_t i, j;

	if (art_attr(n, "hidden") != NULL)
		return 1;
	if ((s = art_attr(n, "aria-hidden")) != NULL &&
	    strcasecmp(s, "true") == 0)
		return 1;
	if ((s = art_attr(n, "style")) == NULL)
		return 0;
	for (i = j = 0; s[i] != '\0' && j + 1 < sizeof(buf); i++)
		if (!isspace((unsigned char)s[i]))
			buf[j++] = (char)tolower((unsigned char)s[i]);
	buf[j] = '\0';
	return strstr(buf, "display:none") != NULL ||
	    strstr(buf, "visibility:hidden") != NULL;
}

/* Nodes to unlink once a walk is over (walks must not unlink). */
struct nodes {
	xmlNode	**v;
	size_t	  n, cap;
	int	  oom;
};

static void
nodes_add(struct nodes *l, xmlNode *n)
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

static void
nodes_unlink(struct nodes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		xmlUnlinkNode(l->v[i]);
		xmlFreeNode(l->v[i]);
	}
	l->n = 0;
}

struct junk {
	struct nodes	 drop;
	size_t		 prose;		/* text outside links in <body> */
	int		 relaxed;	/* class and id are no reason */
};

/* 1 when n, which looks like boilerplate, holds the article after all:
 * prose, or most of the page's text (in <p>s or not). */
static int
holds_prose(const struct junk *j, xmlNode *n)
{
	struct stats st;

	stats_of(n, &st);
	return is_prose(&st) ||
	    (2 * (st.len - st.link_len) > j->prose);
}

static int
is_junk(const struct junk *j, xmlNode *n)
{
	char buf[CLASS_MAX];
	const char *ci;
	int bad;

	if (is_one_of(n, drop_tags, NELEM(drop_tags)))
		return 1;
	if (art_is(n, "html") || art_is(n, "body") || art_is(n, "article") ||
	    art_is(n, "main") || is_marked_body(n))
		return 0;
	if (is_one_of(n, box_tags, NELEM(box_tags)))
		return !holds_prose(j, n);
	if (is_hidden(n))
		return !holds_article(n);
	if (j->relaxed)
		return 0;
	ci = class_id(n, buf, sizeof(buf));
	if (ci[0] == ' ' && ci[1] == '\0')
		return 0;
	if (has_substring(ci, junk_always, NELEM(junk_always)))
		bad = 1;
	else if (has_substring(ci, junk_unless_content,
	    NELEM(junk_unless_content)) ||
	    has_part(ci, junk_parts, NELEM(junk_parts)))
		bad = !has_substring(ci, content_words, NELEM(content_words));
	else
		bad = 0;
	if (!bad || holds_article(n))
		return 0;
	/* A class that merely contains "sharing" or "header" must not take
	 * the story with it.  Comments are long prose and still no part of
	 * the article. */
	return strstr(ci, "comment") != NULL || !holds_prose(j, n);
}

/* How "read also" lines start, lower case: a link to another story set
 * in the article's flow, in the languages of the news we read. */
static const char *const read_also[] = {
	"read more:", "read also", "also read", "see also:", "related:",
	"lea tambi\xc3\xa9n", "lea m\xc3\xa1s:", "lea:", "mire:", "vea tambi",
	"le puede interesar", "te puede interesar", "puedes ver:",
	"lesen sie auch", "lesen sie mehr", "mehr zum thema:",
	"das k\xc3\xb6nnte sie auch interessieren", "auch interessant:",
	"leggi anche", "lire aussi", "\xc3\xa0 lire aussi", "voir aussi",
};

/* A "read also" line is short. */
#define READ_ALSO_MAX	300

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
	if ((t = text_of(n)) == NULL)
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

/* 1 when n is a short paragraph that points the reader to another story:
 * "Read more: ...", "Lea también: ...". */
static int
is_read_also(xmlNode *n)
{
	char lead[48];
	struct stats st;
	size_t i;

	if (!art_is(n, "p") && !art_is(n, "div") && !art_is(n, "li") &&
	    !is_heading(n))
		return 0;
	art_lead(n, lead, sizeof(lead));
	for (i = 0; i < NELEM(read_also); i++)
		if (strncasecmp(lead, read_also[i], strlen(read_also[i])) == 0)
			break;
	if (i == NELEM(read_also))
		return 0;
	stats_of(n, &st);
	return st.len <= READ_ALSO_MAX;
}

static int
junk_enter(xmlNode *n, int depth, void *arg)
{
	struct junk *j = arg;

	(void)depth;
	if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
		nodes_add(&j->drop, n);
		return ART_WALK_SKIP;
	}
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (is_junk(j, n) || is_read_also(n)) {
		nodes_add(&j->drop, n);
		return ART_WALK_SKIP;
	}
	return ART_WALK_INTO;
}

static int
marked_enter(xmlNode *n, int depth, void *arg)
{
	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (is_marked_body(n)) {
		*(xmlNode **)arg = n;
		return ART_WALK_STOP;
	}
	return ART_WALK_INTO;
}

/* A node's content score, kept in a side table that the node's _private
 * field indexes (1-based: 0 is "never scored"). */
struct cand {
	xmlNode	*node;
	double	 score;		/* tag and bad class; then the total */
	double	 bonus;		/* a class or id that looks like content */
	double	 content;	/* what its paragraphs gave it */
};

struct scoring {
	struct cand	*v;
	size_t		 n, cap;
	int		 oom;
};

static struct cand *
cand_get(struct scoring *sc, xmlNode *n)
{
	uintptr_t i = (uintptr_t)n->_private;

	return i > 0 && i <= sc->n && sc->v[i - 1].node == n ?
	    &sc->v[i - 1] : NULL;
}

/* The node's score entry, created with Readability's initial score for
 * its tag and class. */
static struct cand *
cand_make(struct scoring *sc, xmlNode *n)
{
	struct cand *c, *v;
	size_t cap;
	double s = 0;
	int w;

	if ((c = cand_get(sc, n)) != NULL || sc->oom)
		return c;
	if (sc->n == sc->cap) {
		cap = sc->cap ? sc->cap * 2 : 128;
		if ((v = realloc(sc->v, cap * sizeof(*v))) == NULL) {
			sc->oom = 1;
			return NULL;
		}
		sc->v = v;
		sc->cap = cap;
	}
	if (art_is(n, "div") || art_is(n, "article") || art_is(n, "main"))
		s = 5;
	else if (art_is(n, "pre") || art_is(n, "td") ||
	    art_is(n, "blockquote"))
		s = 3;
	else if (art_is(n, "address") || art_is(n, "ol") || art_is(n, "ul") ||
	    art_is(n, "dl") || art_is(n, "dd") || art_is(n, "dt") ||
	    art_is(n, "li") || art_is(n, "form"))
		s = -3;
	else if (is_heading(n) || art_is(n, "th"))
		s = -5;
	c = &sc->v[sc->n++];
	c->node = n;
	w = class_weight(n);
	c->score = s + (w < 0 ? w : 0);
	c->bonus = w > 0 ? w : 0;
	c->content = 0;
	n->_private = (void *)(uintptr_t)sc->n;
	return c;
}

/* 1 when a child of n is a block element (then n is no paragraph). */
static int
has_block_child(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !is_inline(c))
			return 1;
	return 0;
}

/* The text n holds outside its block children: what Readability would
 * wrap in a <p> of its own. */
static void
loose_stats(xmlNode *n, struct stats *st)
{
	struct stats cst;
	xmlNode *c;
	const char *t;

	memset(st, 0, sizeof(*st));
	st->sp = 1;
	for (c = n->children; c != NULL; c = c->next) {
		if ((t = text_of(c)) != NULL)
			stats_text(st, t, 0);
		else if (is_inline(c)) {
			stats_of(c, &cst);
			st->len += cst.len;
			st->link_len += cst.link_len;
			st->commas += cst.commas;
		}
	}
}

/* Give a paragraph's score to `first` and its ancestors. */
static void
score_up(struct scoring *sc, xmlNode *first, const struct stats *st)
{
	double score;
	xmlNode *a;
	int level;
	struct cand *c;

	score = 1 + (double)(st->commas > MAX_PARA_COMMAS ? MAX_PARA_COMMAS :
	    st->commas) +
	    (double)(st->len / 100 > 3 ? 3 : st->len / 100);
	for (a = first, level = 0; a != NULL && level < SCORE_LEVELS &&
	    a->type == XML_ELEMENT_NODE && !art_is(a, "html");
	    a = a->parent, level++) {
		if ((c = cand_make(sc, a)) == NULL)
			return;
		c->content += score / (level == 0 ? 1 : level == 1 ? 2 :
		    level * 3);
	}
}

static int
score_enter(xmlNode *n, int depth, void *arg)
{
	struct scoring *sc = arg;
	struct stats st;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (is_inline(n))
		return ART_WALK_SKIP;
	if (art_is(n, "p") || art_is(n, "pre") || art_is(n, "td") ||
	    ((art_is(n, "div") || art_is(n, "section")) &&
	    !has_block_child(n))) {
		stats_of(n, &st);
		if (st.len >= MIN_PARA_LEN)
			score_up(sc, n->parent, &st);
		return art_is(n, "td") ? ART_WALK_INTO : ART_WALK_SKIP;
	}
	if (art_is(n, "div") || art_is(n, "section") ||
	    art_is(n, "article") || art_is(n, "main")) {
		loose_stats(n, &st);
		if (st.len >= MIN_PARA_LEN)
			score_up(sc, n, &st);
	}
	return ART_WALK_INTO;
}

/* Readability's top candidate: the best link-discounted score, moved up
 * while it is the only child of its parent.  Readability also climbs to
 * an ancestor scoring above the candidate's own parent; that pulled a
 * "main-content" wrapper (class bonus) with its captions and copyright
 * lines in, so the best score simply wins here. */
static xmlNode *
top_candidate(struct scoring *sc, xmlNode *body)
{
	struct cand *top = NULL, *c;
	struct stats st;
	xmlNode *p;
	size_t i;

	for (i = 0; i < sc->n; i++) {
		c = &sc->v[i];
		stats_of(c->node, &st);
		/* A "main" or "content" class is worth nothing on a box with
		 * a line or two of text: a slideshow's "main" frame with
		 * one caption, an "article__header", a teaser's "excerpt"
		 * outscored the story's several paragraphs.  <main> and
		 * <article> are the page's own word and keep it. */
		c->score += c->content + (c->content >= BONUS_MIN_CONTENT ||
		    art_is(c->node, "main") || art_is(c->node, "article") ?
		    c->bonus : 0);
		c->score *= 1 - link_density(&st);
		if (top == NULL || c->score > top->score)
			top = c;
	}
	if (top == NULL)
		return NULL;
	p = top->node;
	while (p->parent != NULL && p->parent != body &&
	    p->parent->type == XML_ELEMENT_NODE &&
	    xmlChildElementCount(p->parent) == 1)
		p = p->parent;
	return p;
}

/* The text an <article> must hold, outside links, to be the page's story
 * rather than a teaser card. */
#define ARTICLE_MIN_TEXT	400

struct sole {
	xmlNode	*article;	/* the <article> with text, if only one */
	int	 n;		/* how many have text */
};

static int
sole_enter(xmlNode *n, int depth, void *arg)
{
	struct sole *so = arg;
	struct stats st;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (!art_is(n, "article"))
		return ART_WALK_INTO;
	stats_of(n, &st);
	if (st.len - st.link_len >= ARTICLE_MIN_TEXT) {
		so->article = n;
		so->n++;
	}
	return ART_WALK_SKIP;
}

/* 1 when a is n or one of its ancestors. */
static int
contains(const xmlNode *a, const xmlNode *n)
{
	int depth;

	for (depth = 0; n != NULL && depth <= ART_MAX_DEPTH; n = n->parent,
	    depth++)
		if (n == a)
			return 1;
	return 0;
}

/*
 * When the page marks one <article> that holds the story's worth of text,
 * that is where the story is, whatever the scores chose: a part of it
 * (the <article> brings the lead or intro that sits in a box of its own
 * beside the body; its boilerplate is gone already, and the cleaning
 * comes after) or something outside it with no more than twice its text
 * (a cookie dialog, an "about us" box).  A choice that holds the
 * <article> stands, and so does a story beside a lone teaser card.
 */
static xmlNode *
prefer_article(xmlNode *body, xmlNode *top)
{
	struct sole so = { NULL, 0 };
	struct stats a, t;

	art_walk(body, sole_enter, NULL, &so);
	if (so.n != 1 || top == NULL || contains(top, so.article))
		return top;
	if (contains(so.article, top))
		return so.article;
	/* A teaser card with some text is no match for a story elsewhere. */
	stats_of(so.article, &a);
	stats_of(top, &t);
	return 2 * (a.len - a.link_len) >= t.len - t.link_len ?
	    so.article : top;
}

/* 1 when a short paragraph next to the article reads like a sentence. */
static int
ends_sentence(xmlNode *n)
{
	char *t = art_node_text(n);
	size_t len;
	int r;

	if (t == NULL)
		return 0;
	len = strlen(t);
	r = len > 0 && (t[len - 1] == '.' || strstr(t, ". ") != NULL);
	free(t);
	return r;
}

/* 1 when sibling s is built like top: the same element with the same
 * class (or none) - the next block of a story a CMS cut into blocks. */
static int
same_kind(const xmlNode *top, const xmlNode *s)
{
	const char *a = art_attr(top, "class"), *b = art_attr(s, "class");

	return s->type == XML_ELEMENT_NODE &&
	    strcasecmp((const char *)top->name, (const char *)s->name) == 0 &&
	    (a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0);
}

/* The siblings of top that belong with it, top included, in order. */
static void
gather(struct scoring *sc, xmlNode *top, struct nodes *out)
{
	const char *tc = art_attr(top, "class");
	const char *sclass;
	struct cand *c = cand_get(sc, top), *sib;
	double threshold, bonus;
	struct stats st;
	xmlNode *s;

	threshold = c != NULL && c->score * 0.2 > 10 ? c->score * 0.2 : 10;
	if (top->parent == NULL || art_is(top, "body")) {
		nodes_add(out, top);
		return;
	}
	for (s = top->parent->children; s != NULL; s = s->next) {
		if (s == top) {
			nodes_add(out, s);
			continue;
		}
		if (s->type != XML_ELEMENT_NODE)
			continue;
		sclass = art_attr(s, "class");
		bonus = tc != NULL && *tc != '\0' && sclass != NULL &&
		    strcmp(tc, sclass) == 0 && c != NULL ? c->score * 0.2 : 0;
		if ((sib = cand_get(sc, s)) != NULL &&
		    sib->score + bonus >= threshold) {
			nodes_add(out, s);
			continue;
		}
		if (!art_is(s, "p") && !same_kind(top, s))
			continue;
		stats_of(s, &st);
		if ((st.len > 80 && link_density(&st) < 0.25) ||
		    (st.len > 0 && st.len <= 80 && st.link_len == 0 &&
		    ends_sentence(s)))
			nodes_add(out, s);
	}
}

/* Class/id words of a story's lead, the paragraph or two a CMS sets
 * apart above the body (in bold, beside the picture), as substrings. */
static const char *const lead_class[] = {
	"lead", "teaser-text", "intro", "excerpt", "standfirst", "subtitle",
	"subheadline", "summary", "hero-text",
};

/* How far above the chosen body a lead is looked for, in ancestors. */
#define LEAD_LEVELS	5

/* A lead is a sentence or more, not a kicker or a date line. */
#define LEAD_MIN_LEN	60

static int
is_lead(const xmlNode *n)
{
	const char *ip = art_attr(n, "itemprop");
	char buf[CLASS_MAX];

	if (ip != NULL && strcasecmp(ip, "description") == 0)
		return 1;
	class_id(n, buf, sizeof(buf));
	return has_substring(buf, lead_class, NELEM(lead_class));
}

static int
lead_find_enter(xmlNode *n, int depth, void *arg)
{
	struct stats st;

	(void)depth;
	/* An <article> beside the body is another story's card: its
	 * excerpt is no lead of ours. */
	if (n->type != XML_ELEMENT_NODE || art_is(n, "article"))
		return ART_WALK_SKIP;
	if (!is_lead(n))
		return ART_WALK_INTO;
	stats_of(n, &st);
	if (st.len < LEAD_MIN_LEN || link_density(&st) > LIST_LINK_DENSITY)
		return ART_WALK_INTO;
	*(xmlNode **)arg = n;
	return ART_WALK_SKIP;
}

/*
 * The lead that the page sets just above the chosen body, outside it:
 * the scores pick the box of body paragraphs and leave the lead in a box
 * of its own (a "teaser-text", an itemprop="description", a header's
 * "excerpt"), yet it is the story's first paragraph.  Only the nearest
 * one before the body, a few levels up, and none already kept.
 */
static xmlNode *
find_lead(xmlNode *body, xmlNode *top, const struct nodes *keep)
{
	xmlNode *a, *s, *lead = NULL;
	size_t i;
	int level;

	for (a = top, level = 0; lead == NULL && a != NULL && a != body &&
	    level <= LEAD_LEVELS; a = a->parent, level++)
		for (s = a->prev; lead == NULL && s != NULL; s = s->prev)
			art_walk(s, lead_find_enter, NULL, &lead);
	for (i = 0; lead != NULL && i < keep->n; i++)
		if (contains(keep->v[i], lead))
			lead = NULL;
	return lead;
}

/* How far above the chosen node a story cut into like boxes is looked
 * for, in ancestors. */
#define BLOCK_LEVELS	2

/* A box of a story cut into boxes holds a paragraph's worth of prose. */
#define BLOCK_MIN_LEN	200

/* 1 when sibling s of a is a like box of prose. */
static int
is_like_block(const xmlNode *a, xmlNode *s)
{
	struct stats st;

	if (!same_kind(a, s) || art_attr(a, "class") == NULL)
		return 0;
	stats_of(s, &st);
	return st.len >= BLOCK_MIN_LEN && link_density(&st) < LIST_LINK_DENSITY;
}

/*
 * When the chosen node stands alone among its siblings, the story may be
 * cut into boxes one or two levels up: a CMS's "ImageText" or "section"
 * blocks of one class, each with a part of the text, of which the scores
 * picked the best.  Then the box that holds the chosen node and its like
 * siblings (same element, same class, prose) are the story.
 */
static void
gather_blocks(xmlNode *body, xmlNode *top, struct nodes *out)
{
	xmlNode *a, *s;
	int level, n;

	/* Not above <body>: a page with no better choice is read whole. */
	if (out->n != 1 || top == body || !contains(body, top))
		return;
	for (a = top->parent, level = 1; a != body && level <= BLOCK_LEVELS;
	    a = a->parent, level++) {
		n = 0;
		for (s = a->parent->children; s != NULL; s = s->next)
			n += s != a && is_like_block(a, s);
		if (n == 0)
			continue;
		out->n = 0;
		for (s = a->parent->children; s != NULL; s = s->next)
			if (s == a || is_like_block(a, s))
				nodes_add(out, s);
		return;
	}
}

/* Share of the page's text outside links, and of its paragraphs, the
 * chosen nodes must hold for the page to be one story.  Below both, the
 * content is spread over the page (posts of a thread, items of a
 * listing, sections of a landing page, panels of a product) and the
 * whole cleaned page is read.  A story with its comments or sidebars
 * beside it keeps most of the page's <p>s, whatever the text says. */
#define HOLDS_MOST	0.5

static int
holds_most(xmlNode *body, const struct nodes *keep)
{
	struct stats st, all;
	size_t i, text = 0, p = 0;

	for (i = 0; i < keep->n; i++) {
		stats_of(keep->v[i], &st);
		text += st.len - st.link_len;
		p += st.p;
	}
	stats_of(body, &all);
	return (double)text >= HOLDS_MOST * (double)(all.len - all.link_len) ||
	    (all.p > 0 && (double)p >= HOLDS_MOST * (double)all.p);
}

static int
main_enter(xmlNode *n, int depth, void *arg)
{
	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (art_is(n, "main") || (art_attr(n, "role") != NULL &&
	    strcasecmp(art_attr(n, "role"), "main") == 0)) {
		*(xmlNode **)arg = n;
		return ART_WALK_STOP;
	}
	return ART_WALK_INTO;
}

/* What a page spread over several nodes is read from: its <main> (or
 * role=main) when that holds the chosen node, else the whole <body>. */
static xmlNode *
page_main(xmlNode *body, xmlNode *top)
{
	xmlNode *m = NULL;

	art_walk(body, main_enter, NULL, &m);
	return m != NULL && contains(m, top) ? m : body;
}

/* Inside the chosen nodes, the <h1> is the title, reported on its
 * own. */
static int
title_enter(xmlNode *n, int depth, void *arg)
{
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (depth > 0 && art_is(n, "h1")) {
		nodes_add(arg, n);
		return ART_WALK_SKIP;
	}
	return ART_WALK_INTO;
}

/* A box with more text than this per picture is no gallery, whatever
 * its <p>s: a forum post with its avatar and smileys. */
#define GALLERY_TEXT	100

/* Readability's _cleanConditionally, in short: inside the chosen nodes,
 * lists of links, forms, galleries and empty boxes are not text (nor is
 * the title). */
static int
clean_enter(xmlNode *n, int depth, void *arg)
{
	struct nodes *drop = arg;
	struct stats st;
	int weight, is_list;

	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	/* The chosen node itself stays: only what it holds is judged. */
	if (depth == 0)
		return ART_WALK_INTO;
	if (art_is(n, "h1"))
		return title_enter(n, depth, arg);
	if (!art_is(n, "div") && !art_is(n, "section") && !art_is(n, "ul") &&
	    !art_is(n, "ol") && !art_is(n, "table") && !art_is(n, "form") &&
	    !art_is(n, "dl"))
		return ART_WALK_INTO;
	if (is_marked_body(n))
		return ART_WALK_INTO;
	stats_of(n, &st);
	if (st.commas >= 10 || is_prose(&st))
		return ART_WALK_INTO;
	weight = class_weight(n);
	if (weight < 0) {
		nodes_add(drop, n);
		return ART_WALK_SKIP;
	}
	is_list = art_is(n, "ul") || art_is(n, "ol");
	if ((st.img > 1 && (double)st.p / (double)st.img < 0.5 &&
	    st.len < GALLERY_TEXT * st.img) ||
	    (!is_list && st.li > st.p + 1 && st.li > 3 &&
	    link_density(&st) > LIST_LINK_DENSITY) ||
	    st.input > st.p / 3 ||
	    (!is_list && st.len < MIN_PARA_LEN && st.img == 0 && st.h == 0) ||
	    (weight < 25 && link_density(&st) > 0.33 && st.len < 1000) ||
	    (weight >= 25 && link_density(&st) > 0.5) ||
	    (st.embed == 1 && st.len < 75) || st.embed > 1) {
		nodes_add(drop, n);
		return ART_WALK_SKIP;
	}
	return ART_WALK_INTO;
}

static xmlNode *
find_body(htmlDocPtr doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *n;

	for (n = root ? root->children : NULL; n != NULL; n = n->next)
		if (art_is(n, "body"))
			return n;
	return root;
}

/* Attributes the cleaned HTML keeps: what a reader sees or follows. */
static const char *const html_attrs[] = {
	"href", "src", "alt", "title", "datetime", "colspan", "rowspan",
};

static int
strip_attrs_enter(xmlNode *n, int depth, void *arg)
{
	xmlAttr *a, *next;
	size_t i;

	(void)depth;
	(void)arg;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	for (a = n->properties; a != NULL; a = next) {
		next = a->next;
		for (i = 0; i < NELEM(html_attrs); i++)
			if (strcasecmp((const char *)a->name, html_attrs[i]) == 0)
				break;
		if (i == NELEM(html_attrs))
			xmlRemoveProp(a);
	}
	return ART_WALK_INTO;
}

/* n as cleaned HTML appended to out. */
static void
add_html(struct strbuf *out, htmlDocPtr doc, xmlNode *n)
{
	xmlBufferPtr buf;

	art_walk(n, strip_attrs_enter, NULL, NULL);
	if ((buf = xmlBufferCreate()) == NULL) {
		out->oom = 1;
		return;
	}
	if (htmlNodeDump(buf, doc, n) > 0)
		strbuf_add(out, (const char *)xmlBufferContent(buf),
		    (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
}

char *
art_body(htmlDocPtr doc, int relaxed, char **html)
{
	struct scoring sc = { 0 };
	struct nodes drop = { 0 }, keep = { 0 };
	struct strbuf out = { 0 }, hout = { 0 };
	struct junk junk = { 0 };
	struct stats st;
	xmlNode *body, *top = NULL, *lead;
	char *t;
	size_t i, j;

	if ((body = find_body(doc)) == NULL)
		return NULL;
	stats_of(body, &st);
	junk.prose = st.len - st.link_len;
	junk.relaxed = relaxed;
	art_walk(body, junk_enter, NULL, &junk);
	nodes_unlink(&junk.drop);
	free(junk.drop.v);

	art_walk(body, marked_enter, NULL, &top);
	if (top != NULL) {
		stats_of(top, &st);
		if (st.len >= MIN_MARKED_LEN)
			nodes_add(&keep, top);
	}
	if (keep.n == 0) {
		art_walk(body, score_enter, NULL, &sc);
		top = prefer_article(body, top_candidate(&sc, body));
		if (top == NULL)
			top = body;
		gather(&sc, top, &keep);
		gather_blocks(body, top, &keep);
		if (top != body && !holds_most(body, &keep)) {
			keep.n = 0;
			top = page_main(body, top);
			nodes_add(&keep, top);
		}
	}
	/* The lead comes first, as it reads on the page. */
	if ((lead = find_lead(body, top, &keep)) != NULL) {
		nodes_add(&keep, lead);
		if (!keep.oom) {
			memmove(keep.v + 1, keep.v,
			    (keep.n - 1) * sizeof(*keep.v));
			keep.v[0] = lead;
		}
	}
	for (i = 0; i < keep.n; i++) {
		art_walk(keep.v[i], relaxed ? title_enter : clean_enter, NULL,
		    &drop);
		/* A kept node may itself be dropped: read none of it. */
		for (j = 0; j < drop.n; j++)
			if (drop.v[j] == keep.v[i])
				keep.v[i] = NULL;
		nodes_unlink(&drop);
		if (keep.v[i] == NULL || (t = art_paragraphs(keep.v[i])) == NULL)
			continue;
		if (out.len > 0)
			strbuf_add(&out, "\n\n", 2);
		strbuf_add(&out, t, strlen(t));
		free(t);
		if (html != NULL)
			add_html(&hout, doc, keep.v[i]);
	}
	free(sc.v);
	free(drop.v);
	free(keep.v);
	if (html != NULL)
		*html = strbuf_finish(&hout);
	return strbuf_finish(&out);
}
