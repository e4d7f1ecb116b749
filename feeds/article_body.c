/*
 * article_body.c - the main body of a page.
 *
 * The body extractor follows Readability's plan, simplified:
 *   1. unlink what is never article text (article_clean.c);
 *   2. when the page marks its body (itemprop=articleBody), take it;
 *   3. otherwise score paragraphs (length, commas) into their ancestors,
 *      discount each candidate by its link density, take the best one
 *      (climbing to a parent that scores about as well) and the siblings
 *      that score close to it;
 *   4. drop link lists, forms and image galleries left inside
 *      (article_clean.c again), then read the chosen nodes out as
 *      paragraphs.
 * Every walk is iterative and stops ART_MAX_DEPTH levels down.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "article_internal.h"
#include "article_text.h"

/* The body a page marks with itemprop=articleBody is trusted from this
 * many characters on. */
#define MIN_MARKED_LEN	100

/* A paragraph's commas count up to this many: more is a list of names
 * (signatories, "kudos", tags) set as one paragraph, not prose. */
#define MAX_PARA_COMMAS	20

/* How many ancestors a paragraph's score reaches. */
#define SCORE_LEVELS	5

/* The paragraph score a node must gather before its content-like class
 * or id counts: about two paragraphs. */
#define BONUS_MIN_CONTENT	10

static int
marked_enter(xmlNode *n, int depth, void *arg)
{
	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (art_is_marked_body(n)) {
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
	else if (art_is_heading(n) || art_is(n, "th"))
		s = -5;
	c = &sc->v[sc->n++];
	c->node = n;
	w = art_class_weight(n);
	c->score = s + (w < 0 ? w : 0);
	c->bonus = w > 0 ? w : 0;
	c->content = 0;
	n->_private = (void *)(uintptr_t)sc->n;
	return c;
}

/* The text n holds outside its block children: what Readability would
 * wrap in a <p> of its own. */
static void
loose_stats(xmlNode *n, struct art_stats *st)
{
	struct art_stats cst;
	xmlNode *c;
	const char *t;

	memset(st, 0, sizeof(*st));
	st->sp = 1;
	for (c = n->children; c != NULL; c = c->next) {
		if ((t = art_text_of(c)) != NULL)
			art_stats_text(st, t, 0);
		else if (art_is_inline(c)) {
			art_stats_of(c, &cst);
			st->len += cst.len;
			st->link_len += cst.link_len;
			st->commas += cst.commas;
		}
	}
}

/* Give a paragraph's score to `first` and its ancestors. */
static void
score_up(struct scoring *sc, xmlNode *first, const struct art_stats *st)
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
	struct art_stats st;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (art_is_inline(n))
		return ART_WALK_SKIP;
	if (art_is(n, "p") || art_is(n, "pre") || art_is(n, "td") ||
	    ((art_is(n, "div") || art_is(n, "section")) &&
	    !art_has_block_child(n))) {
		art_stats_of(n, &st);
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
	struct art_stats st;
	xmlNode *p;
	size_t i;

	for (i = 0; i < sc->n; i++) {
		c = &sc->v[i];
		art_stats_of(c->node, &st);
		/* A "main" or "content" class is worth nothing on a box with
		 * a line or two of text: a slideshow's "main" frame with
		 * one caption, an "article__header", a teaser's "excerpt"
		 * outscored the story's several paragraphs.  <main> and
		 * <article> are the page's own word and keep it. */
		c->score += c->content + (c->content >= BONUS_MIN_CONTENT ||
		    art_is(c->node, "main") || art_is(c->node, "article") ?
		    c->bonus : 0);
		c->score *= 1 - art_link_density(&st);
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
	struct art_stats st;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (!art_is(n, "article"))
		return ART_WALK_INTO;
	art_stats_of(n, &st);
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
	struct art_stats a, t;

	art_walk(body, sole_enter, NULL, &so);
	if (so.n != 1 || top == NULL || contains(top, so.article))
		return top;
	if (contains(so.article, top))
		return so.article;
	/* A teaser card with some text is no match for a story elsewhere. */
	art_stats_of(so.article, &a);
	art_stats_of(top, &t);
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
gather(struct scoring *sc, xmlNode *top, struct art_nodes *out)
{
	const char *tc = art_attr(top, "class");
	const char *sclass;
	struct cand *c = cand_get(sc, top), *sib;
	double threshold, bonus;
	struct art_stats st;
	xmlNode *s;

	threshold = c != NULL && c->score * 0.2 > 10 ? c->score * 0.2 : 10;
	if (top->parent == NULL || art_is(top, "body")) {
		art_nodes_add(out, top);
		return;
	}
	for (s = top->parent->children; s != NULL; s = s->next) {
		if (s == top) {
			art_nodes_add(out, s);
			continue;
		}
		if (s->type != XML_ELEMENT_NODE)
			continue;
		sclass = art_attr(s, "class");
		bonus = tc != NULL && *tc != '\0' && sclass != NULL &&
		    strcmp(tc, sclass) == 0 && c != NULL ? c->score * 0.2 : 0;
		if ((sib = cand_get(sc, s)) != NULL &&
		    sib->score + bonus >= threshold) {
			art_nodes_add(out, s);
			continue;
		}
		if (!art_is(s, "p") && !same_kind(top, s))
			continue;
		art_stats_of(s, &st);
		if ((st.len > 80 && art_link_density(&st) < 0.25) ||
		    (st.len > 0 && st.len <= 80 && st.link_len == 0 &&
		    ends_sentence(s)))
			art_nodes_add(out, s);
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
	art_class_id(n, buf, sizeof(buf));
	return art_has_substring(buf, lead_class, ART_NELEM(lead_class));
}

static int
lead_find_enter(xmlNode *n, int depth, void *arg)
{
	struct art_stats st;

	(void)depth;
	/* An <article> beside the body is another story's card: its
	 * excerpt is no lead of ours. */
	if (n->type != XML_ELEMENT_NODE || art_is(n, "article"))
		return ART_WALK_SKIP;
	if (!is_lead(n))
		return ART_WALK_INTO;
	art_stats_of(n, &st);
	if (st.len < LEAD_MIN_LEN || art_link_density(&st) > LIST_LINK_DENSITY)
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
find_lead(xmlNode *body, xmlNode *top, const struct art_nodes *keep)
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
	struct art_stats st;

	if (!same_kind(a, s) || art_attr(a, "class") == NULL)
		return 0;
	art_stats_of(s, &st);
	return st.len >= BLOCK_MIN_LEN && art_link_density(&st) < LIST_LINK_DENSITY;
}

/*
 * When the chosen node stands alone among its siblings, the story may be
 * cut into boxes one or two levels up: a CMS's "ImageText" or "section"
 * blocks of one class, each with a part of the text, of which the scores
 * picked the best.  Then the box that holds the chosen node and its like
 * siblings (same element, same class, prose) are the story.
 */
static void
gather_blocks(xmlNode *body, xmlNode *top, struct art_nodes *out)
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
				art_nodes_add(out, s);
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

/* Share of all the page's text, links included, the chosen nodes must
 * also hold for their text outside links to count: a listing's line of
 * introduction holds all of that when every card is a link from title
 * to description, yet is a sliver of what the page says. */
#define HOLDS_ALL_TEXT	0.2

/* The chosen nodes' share of the page's <p>s counts when they read as
 * sentences, this many characters each on average: a reference table
 * with a <p> in each cell, or a product's spec labels, hold most of a
 * page's <p>s and a sliver of what it says. */
#define PARA_AVG_LEN	30

static int
holds_most(xmlNode *body, const struct art_nodes *keep)
{
	struct art_stats st, all;
	size_t i, text = 0, p = 0, len = 0;

	for (i = 0; i < keep->n; i++) {
		art_stats_of(keep->v[i], &st);
		text += st.len - st.link_len;
		len += st.len;
		p += st.p;
	}
	art_stats_of(body, &all);
	return ((double)text >= HOLDS_MOST * (double)(all.len - all.link_len) &&
	    (double)len >= HOLDS_ALL_TEXT * (double)all.len) ||
	    (all.p > 0 && (double)p >= HOLDS_MOST * (double)all.p &&
	    len >= PARA_AVG_LEN * p);
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
		for (i = 0; i < ART_NELEM(html_attrs); i++)
			if (strcasecmp((const char *)a->name, html_attrs[i]) == 0)
				break;
		if (i == ART_NELEM(html_attrs))
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

/* The nodes that hold the story, in reading order, into keep.  Returns 1
 * when the content is spread over the page and keep is its <main> or
 * <body>. */
static int
choose_nodes(xmlNode *body, struct art_nodes *keep)
{
	struct scoring sc = { 0 };
	int spread = 0;
	struct art_stats st;
	xmlNode *top = NULL, *lead;

	art_walk(body, marked_enter, NULL, &top);
	if (top != NULL) {
		art_stats_of(top, &st);
		if (st.len >= MIN_MARKED_LEN)
			art_nodes_add(keep, top);
	}
	if (keep->n == 0) {
		art_walk(body, score_enter, NULL, &sc);
		top = prefer_article(body, top_candidate(&sc, body));
		if (top == NULL)
			top = body;
		gather(&sc, top, keep);
		gather_blocks(body, top, keep);
		if (top != body && !holds_most(body, keep)) {
			keep->n = 0;
			top = page_main(body, top);
			art_nodes_add(keep, top);
			spread = 1;
		}
	}
	/* The lead comes first, as it reads on the page. */
	if ((lead = find_lead(body, top, keep)) != NULL) {
		art_nodes_add(keep, lead);
		if (!keep->oom) {
			memmove(keep->v + 1, keep->v,
			    (keep->n - 1) * sizeof(*keep->v));
			keep->v[0] = lead;
		}
	}
	free(sc.v);
	return spread;
}

/*
 * What of kept node n goes, into drop.  On a page spread over its cards,
 * posts or sections, their linked titles, pictures and short lines are
 * the content, and Readability's link and gallery rules take most of it
 * (a listing's cards are links): when its cleaning took more than half
 * of the text and still left ART_BODY_RETRY_LEN, only the title goes.  A
 * cleaning that took less took a thread's member boxes and reaction
 * bars, and stays.
 */
static void
prune_kept(xmlNode *n, int relaxed, int spread, struct art_nodes *drop)
{
	struct art_stats all, st;
	size_t i, gone = 0;

	art_prune(n, relaxed, drop);
	if (!spread || relaxed)
		return;
	art_stats_of(n, &all);
	for (i = 0; i < drop->n; i++) {
		art_stats_of(drop->v[i], &st);
		gone += st.len;
	}
	if (gone >= all.len || all.len - gone < ART_BODY_RETRY_LEN ||
	    gone < all.len / 2)
		return;
	drop->n = 0;
	art_prune(n, 1, drop);
}

char *
art_body(htmlDocPtr doc, int relaxed, char **html)
{
	struct art_nodes drop = { 0 }, keep = { 0 };
	struct strbuf out = { 0 }, hout = { 0 };
	xmlNode *body;
	char *t;
	size_t i, j;
	int spread;

	if ((body = find_body(doc)) == NULL)
		return NULL;
	art_drop_junk(body, relaxed);
	spread = choose_nodes(body, &keep);
	for (i = 0; i < keep.n; i++) {
		prune_kept(keep.v[i], relaxed, spread, &drop);
		/* A kept node may itself be dropped: read none of it. */
		for (j = 0; j < drop.n; j++)
			if (drop.v[j] == keep.v[i])
				keep.v[i] = NULL;
		art_nodes_unlink(&drop);
		if (keep.v[i] == NULL || (t = art_paragraphs(keep.v[i])) == NULL)
			continue;
		if (out.len > 0)
			strbuf_add(&out, "\n\n", 2);
		strbuf_add(&out, t, strlen(t));
		free(t);
		if (html != NULL)
			add_html(&hout, doc, keep.v[i]);
	}
	free(drop.v);
	free(keep.v);
	if (html != NULL)
		*html = strbuf_finish(&hout);
	return strbuf_finish(&out);
}
