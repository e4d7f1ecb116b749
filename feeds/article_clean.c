/*
 * article_clean.c - what of a page is never article text.
 *
 * Two passes of the body extractor (article_body.c): before scoring,
 * unlink what is never article text (scripts, navigation, forms, hidden
 * elements, elements whose class or id says boilerplate, "read also"
 * lines); after choosing, prune what the chosen nodes hold that is not
 * text either (link lists, forms, galleries, empty boxes, the title).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "article_internal.h"
#include "article_text.h"

/* Elements that never hold article text. */
static const char *const drop_tags[] = {
	"script", "style", "template", "iframe", "svg", "math", "canvas",
	"object", "embed", "button", "select", "textarea", "input", "dialog",
	"head", "link", "meta", "audio", "video", "map",
	/* Ruby annotations: the reading of the characters they sit on,
	 * shown small above them; read in line, they cut every word. */
	"rt", "rp",
};

/* Of those, the ones whose start tag libxml2's parser leaves open over
 * the rest of the page when their end tag does not match (a header's
 * menu <button> holding <div>s): one that holds the page's <main> or
 * <article> is that mistake, and only its own children can be junk. */
static const char *const open_tags[] = {
	"button", "dialog", "object", "map",
};

/* Boxes around the article, never in it - unless broken markup (an
 * unclosed <header>, a <div> opened in <noscript>) put the article
 * inside. */
static const char *const box_tags[] = {
	"noscript", "nav", "header", "footer", "aside", "menu", "form",
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
	/* A shop's carousels of other products: "recommended", "customers
	 * also bought", upsells, what the reader looked at before. */
	"recommend", "upsell", "cross-sell", "crosssell", "recently-viewed",
	"recentlyviewed",
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
protected_enter(xmlNode *n, int depth, void *arg)
{
	(void)depth;
	(void)arg;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (art_is(n, "article") || art_is(n, "main") || art_is_marked_body(n))
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

struct junk {
	struct art_nodes	 drop;
	size_t		 prose;		/* text outside links in <body> */
	int		 relaxed;	/* class and id are no reason */
};

/* 1 when n, which looks like boilerplate, holds the article after all:
 * prose, or most of the page's text (in <p>s or not). */
static int
holds_prose(const struct junk *j, xmlNode *n)
{
	struct art_stats st;

	art_stats_of(n, &st);
	return art_is_prose(&st) ||
	    (2 * (st.len - st.link_len) > j->prose);
}

/* Share of the page's text outside links a hidden element must hold to
 * be the page itself. */
#define HIDES_PAGE	0.9

/* 1 when hidden n is the page itself: a wrapper kept invisible until its
 * script has run (visibility:hidden on the whole app) holds nearly all
 * the page's text; a hidden panel or dialog, however long, leaves the
 * rest of the page beside it. */
static int
hides_page(const struct junk *j, xmlNode *n)
{
	struct art_stats st;

	if (holds_article(n))
		return 1;
	art_stats_of(n, &st);
	return (double)(st.len - st.link_len) >= HIDES_PAGE * (double)j->prose;
}

static int
is_junk(const struct junk *j, xmlNode *n)
{
	char buf[CLASS_MAX];
	const char *ci;
	int bad;

	if (art_is_one_of(n, drop_tags, ART_NELEM(drop_tags)))
		return !art_is_one_of(n, open_tags, ART_NELEM(open_tags)) ||
		    !holds_article(n);
	if (art_is(n, "html") || art_is(n, "body") || art_is(n, "article") ||
	    art_is(n, "main") || art_is_marked_body(n))
		return 0;
	if (art_is_one_of(n, box_tags, ART_NELEM(box_tags)))
		return !holds_prose(j, n);
	if (is_hidden(n))
		return !hides_page(j, n);
	if (j->relaxed)
		return 0;
	ci = art_class_id(n, buf, sizeof(buf));
	if (ci[0] == ' ' && ci[1] == '\0')
		return 0;
	if (art_has_substring(ci, junk_always, ART_NELEM(junk_always)))
		bad = 1;
	else if (art_has_substring(ci, junk_unless_content,
	    ART_NELEM(junk_unless_content)) ||
	    has_part(ci, junk_parts, ART_NELEM(junk_parts)))
		bad = !art_has_substring(ci, content_words, ART_NELEM(content_words));
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

/* 1 when n is a short paragraph that points the reader to another story:
 * "Read more: ...", "Lea también: ...". */
static int
is_read_also(xmlNode *n)
{
	char lead[48];
	struct art_stats st;
	size_t i;

	if (!art_is(n, "p") && !art_is(n, "div") && !art_is(n, "li") &&
	    !art_is_heading(n))
		return 0;
	art_lead(n, lead, sizeof(lead));
	for (i = 0; i < ART_NELEM(read_also); i++)
		if (strncasecmp(lead, read_also[i], strlen(read_also[i])) == 0)
			break;
	if (i == ART_NELEM(read_also))
		return 0;
	art_stats_of(n, &st);
	return st.len <= READ_ALSO_MAX;
}

static int
junk_enter(xmlNode *n, int depth, void *arg)
{
	struct junk *j = arg;

	(void)depth;
	if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
		art_nodes_add(&j->drop, n);
		return ART_WALK_SKIP;
	}
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (is_junk(j, n) || is_read_also(n)) {
		art_nodes_add(&j->drop, n);
		return ART_WALK_SKIP;
	}
	return ART_WALK_INTO;
}

/* Inside the chosen nodes, the <h1> is the title, reported on its
 * own. */
static int
title_enter(xmlNode *n, int depth, void *arg)
{
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (depth > 0 && art_is(n, "h1")) {
		art_nodes_add(arg, n);
		return ART_WALK_SKIP;
	}
	return ART_WALK_INTO;
}

/* A box with more text than this per picture is no gallery, whatever
 * its <p>s: a forum post with its avatar and smileys. */
#define GALLERY_TEXT	100

/* The text outside links that makes a box more than its pictures: a
 * paragraph's worth. */
#define BOX_OWN_TEXT	200

/*
 * 1 when n holds a paragraph's worth of text outside links, set in boxes
 * beside its pictures: a forum post's few lines between its avatar, flag
 * and smileys.  Such a box is no gallery; its pictures' boxes are judged
 * on their own.
 */
static int
holds_own_text(const xmlNode *n, const struct art_stats *st)
{
	return st->len - st->link_len >= BOX_OWN_TEXT && art_has_block_child(n);
}

/* Readability's _cleanConditionally, in short: inside the chosen nodes,
 * lists of links, forms, galleries and empty boxes are not text (nor is
 * the title). */
static int
clean_enter(xmlNode *n, int depth, void *arg)
{
	struct art_nodes *drop = arg;
	struct art_stats st;
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
	if (art_is_marked_body(n))
		return ART_WALK_INTO;
	art_stats_of(n, &st);
	if (st.commas >= 10 || art_is_prose(&st))
		return ART_WALK_INTO;
	weight = art_class_weight(n);
	if (weight < 0) {
		art_nodes_add(drop, n);
		return ART_WALK_SKIP;
	}
	is_list = art_is(n, "ul") || art_is(n, "ol");
	if ((!holds_own_text(n, &st) && st.img > 1 && (double)st.p / (double)st.img < 0.5 &&
	    st.len < GALLERY_TEXT * st.img) ||
	    (!is_list && st.li > st.p + 1 && st.li > 3 &&
	    art_link_density(&st) > LIST_LINK_DENSITY) ||
	    st.input > st.p / 3 ||
	    (!is_list && st.len < MIN_PARA_LEN && st.img == 0 && st.h == 0) ||
	    (weight < 25 && art_link_density(&st) > 0.33 && st.len < 1000) ||
	    (weight >= 25 && art_link_density(&st) > 0.5) ||
	    (st.embed == 1 && st.len < 75) || st.embed > 1) {
		art_nodes_add(drop, n);
		return ART_WALK_SKIP;
	}
	return ART_WALK_INTO;
}

void
art_drop_junk(xmlNode *body, int relaxed)
{
	struct junk junk = { 0 };
	struct art_stats st;

	art_stats_of(body, &st);
	junk.prose = st.len - st.link_len;
	junk.relaxed = relaxed;
	art_walk(body, junk_enter, NULL, &junk);
	art_nodes_unlink(&junk.drop);
	free(junk.drop.v);
}

void
art_prune(xmlNode *n, int relaxed, struct art_nodes *drop)
{
	art_walk(n, relaxed ? title_enter : clean_enter, NULL, drop);
}
