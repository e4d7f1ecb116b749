/*
 * article_byline.c - dates and authors from what the page shows: a date
 * line near the headline, a byline element, a short credit line ("Text:
 * Name", "Von Name"), a name after its label ("Written by", "Thread
 * starter"), a /yyyy/mm/dd/ path in the URL, and the fallbacks when
 * nothing dates the page.  Each offers its candidates to the collector
 * (article_meta.c) under a source that ranks below the page's metadata.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "article_internal.h"
#include "article_meta.h"
#include "article_text.h"
#include "date.h"
#include "text.h"

/* A credit line ("Von R. R. am 07.08.2013 um 09:07 Uhr gespeichert
 * unter ...") is no longer than this. */
#define CREDIT_LINE_MAX	200
/* An element with more text than this is no date line. */
#define DATE_LINE_MAX	160
/* The longest class+id string we look at. */
#define CLASS_MAX	256

/* 1 when every word of s is a month's or a weekday's name (or its
 * abbreviation) or a number, and one at least is a name: "August 28",
 * "Sat", "20 Dec", the pieces of a date line split at its commas. */
static int
is_date_words(const char *s)
{
	static const char *const names[] = {
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
		"sept", "oct", "nov", "dec", "january", "february", "march",
		"april", "june", "july", "august", "september", "october",
		"november", "december", "mon", "tue", "wed", "thu", "fri", "sat",
		"sun", "monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday",
	};
	size_t len, i;
	int named = 0;

	for (; *s != '\0'; s += len) {
		s += strspn(s, " .");
		if ((len = strcspn(s, " .")) == 0)
			break;
		if (strspn(s, "0123456789") == len)
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == len &&
			    strncasecmp(s, names[i], len) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return 0;
		named = 1;
	}
	return named;
}

/* An author name without the words around it ("By", "Posted by", "View
 * all posts by", a trailing arrow), into buf; NULL when s is no name (a
 * link, a handle, a paragraph, a date). */
const char *
art_author_name(const char *s, char *buf, size_t buflen)
{
	static const char *const lead[] = {
		"view all posts by ", "show all articles of ",
		"zeige alle beitr\xc3\xa4ge von ", "alle beitr\xc3\xa4ge von ",
		"more from ", "posted by ", "written by ", "written by:",
		"updated ",
		"published by ",
		"started by ", "eingestellt von ", "erstellt von ", "texte:",
		"ver\303\266ffentlicht von ", "geschrieben von ", "text von ",
		"text:", "autor:", "autorin:", "author:", "von:", "by:", "by ",
		"von ", "di ", "par ", "por ", "door ",
	};
	static const char *const trail[] = {
		" \xe2\x86\x92", " \xc2\xbb", " \xe2\x80\x94", " -", " |", ",",
		":",
	};
	/* What bylines say around the name, alone after the cutting. */
	static const char *const label[] = {
		"posted", "published", "publiziert am", "datum", "date", "follow",
		"text", "author", "autor", "by", "von", "no author", "quelle",
		"source", "written by",
	};
	size_t i, len, digits = 0;
	int again;

	do {
		while (*s == ' ' || *s == ':')
			s++;
		for (again = 0, i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
			len = strlen(lead[i]);
			if (strncasecmp(s, lead[i], len) == 0) {
				s += len;
				again = 1;
				break;
			}
		}
	} while (again);
	len = strlen(s);
	if (len == 0 || len > AUTHOR_MAX || strstr(s, "://") != NULL ||
	    strstr(s, "www.") != NULL || *s == '@')
		return NULL;
	for (i = 0; i < len; i++)
		digits += isdigit((unsigned char)s[i]) != 0;
	if (digits >= 4 || digits * 2 >= len)
		return NULL;
	snprintf(buf, buflen, "%s", s);
	do {
		for (again = 0, i = 0; i < sizeof(trail) / sizeof(trail[0]); i++) {
			len = strlen(buf);
			if (art_ends_with(buf, trail[i])) {
				buf[len - strlen(trail[i])] = '\0';
				again = 1;
			}
		}
	} while (again);
	for (i = 0; i < sizeof(label) / sizeof(label[0]); i++)
		if (strcasecmp(buf, label[i]) == 0)
			return NULL;
	/* The reading time bylines show beside the name: "5 min read". */
	if (is_date_words(buf) || strcasestr(buf, " min read") != NULL ||
	    strcasestr(buf, " mins read") != NULL ||
	    strcasestr(buf, " minute read") != NULL ||
	    strcasestr(buf, " minutes read") != NULL)
		return NULL;
	return *buf != '\0' ? buf : NULL;
}

/* 1 when the space-separated list s holds word. */
int
art_has_word(const char *s, const char *word)
{
	size_t len, wlen = strlen(word);

	for (; *s != '\0'; s += len) {
		s += strspn(s, " \t\r\n");
		len = strcspn(s, " \t\r\n");
		if (len == wlen && strncasecmp(s, word, len) == 0)
			return 1;
	}
	return 0;
}

/* A date the URL spells as a path: ".../2022/01/07/slug". */
void
art_url_date(struct meta *m, const char *url)
{
	const char *p;
	char date[16];

	for (p = url; p != NULL && (p = strchr(p, '/')) != NULL; p++) {
		if (strspn(p + 1, "0123456789") != 4 || p[5] != '/' ||
		    strspn(p + 6, "0123456789") != 2 || p[8] != '/' ||
		    strspn(p + 9, "0123456789") != 2 ||
		    (p[11] != '/' && p[11] != '\0'))
			continue;
		if (p[1] != '1' && p[1] != '2')
			continue;
		snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", p + 1, p + 6,
		    p + 9);
		meta_offer(m, F_PUBLISHED, SRC_URL, date);
		return;
	}
}

/* 1 when class or id of n holds one of words (as substrings). */
static int
class_says(const xmlNode *n, const char *const *words, size_t nwords)
{
	const char *v[2] = { art_attr(n, "class"), art_attr(n, "id") };
	char buf[CLASS_MAX];
	size_t i, j;

	for (i = 0; i < 2; i++) {
		if (v[i] == NULL)
			continue;
		for (j = 0; v[i][j] != '\0' && j + 1 < sizeof(buf); j++)
			buf[j] = (char)tolower((unsigned char)v[i][j]);
		buf[j] = '\0';
		for (j = 0; j < nwords; j++)
			if (strstr(buf, words[j]) != NULL)
				return 1;
	}
	return 0;
}

/* 1 when n sits in a comment thread: dates and names there are the
 * readers', not the article's. */
int
art_in_comments(const xmlNode *n)
{
	static const char *const words[] = { "comment", "respond" };
	int depth;

	for (depth = 0; n != NULL && depth < ART_MAX_DEPTH;
	    n = n->parent, depth++)
		if (n->type == XML_ELEMENT_NODE &&
		    class_says(n, words, sizeof(words) / sizeof(words[0])))
			return 1;
	return 0;
}

/* 1 for the elements a credit line or its label is set in. */
static int
is_line_element(const xmlNode *n)
{
	static const char *const tags[] = {
		"p", "div", "span", "em", "strong", "b", "small", "address",
		"h2", "h3", "h4", "h5", "h6", "dt", "th",
	};
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (art_is(n, tags[i]))
			return 1;
	return 0;
}

/* 1 when text, a trailing colon aside, is one of labels. */
static int
is_label(const char *text, const char *const *labels, size_t nlabels)
{
	size_t i, len = strlen(text);

	while (len > 0 && (text[len - 1] == ':' || text[len - 1] == ' '))
		len--;
	for (i = 0; i < nlabels; i++)
		if (strlen(labels[i]) == len &&
		    strncasecmp(text, labels[i], len) == 0)
			return 1;
	return 0;
}

/* How far after the headline its date line is looked for: ancestors
 * whose later siblings are searched, and elements looked at in all. */
#define HEADLINE_DATE_LEVELS	3
#define HEADLINE_DATE_NODES	40

struct headline_date {
	struct meta	*m;
	int		 seen;
};

/* The first short line of the walked tree that holds a date: a line
 * under the headline, or in a post's meta block. */
static int
headline_date_enter(xmlNode *n, int depth, void *arg)
{
	struct headline_date *hd = arg;
	char *text, buf[32];
	int64_t t;
	int found = 0;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE || art_is(n, "script") ||
	    art_is(n, "style") || art_in_comments(n))
		return ART_WALK_SKIP;
	if (++hd->seen > HEADLINE_DATE_NODES)
		return ART_WALK_STOP;
	if (art_has_block_child(n))
		return ART_WALK_INTO;
	if ((text = art_node_text(n)) == NULL)
		return ART_WALK_SKIP;
	if (strlen(text) <= DATE_LINE_MAX && date_find(text, &t) == 0) {
		meta_offer(hd->m, F_PUBLISHED, SRC_DATE_TEXT,
		    date_format_rfc3339(t, buf, sizeof(buf)));
		found = 1;
	}
	free(text);
	return found ? ART_WALK_STOP : ART_WALK_SKIP;
}

/*
 * The date a page shows its readers when nothing machine-readable says
 * it: the first short element whose class names a date ("entry-date",
 * "post-meta", "artikeldatum"), read as text (or its datetime or title
 * attribute), outside comment threads.  A bare <time> outside the
 * article is not enough: a site's header shows today's date.
 */
void
art_date_line(struct meta *m, xmlNode *n)
{
	static const char *const words[] = {
		"date", "datum", "time", "publish", "posted", "meta", "byline",
		"updated", "author",
	};
	const char *v;
	char *text, buf[32];
	int64_t t;

	if (m->f[F_PUBLISHED].rank != 0 ||
	    !class_says(n, words, sizeof(words) / sizeof(words[0])) ||
	    art_in_comments(n))
		return;
	if (((v = art_attr(n, "datetime")) != NULL ||
	    (v = art_attr(n, "title")) != NULL) &&
	    (date_parse(v, &t) == 0 || date_find(v, &t) == 0)) {
		meta_offer(m, F_PUBLISHED, SRC_DATE_TEXT,
		    date_format_rfc3339(t, buf, sizeof(buf)));
		return;
	}
	if ((text = art_node_text(n)) == NULL)
		return;
	if (strlen(text) <= DATE_LINE_MAX && date_find(text, &t) == 0)
		meta_offer(m, F_PUBLISHED, SRC_DATE_TEXT,
		    date_format_rfc3339(t, buf, sizeof(buf)));
	else if (strlen(text) > DATE_LINE_MAX) {
		/* A post's meta block holds its tags and share links too:
		 * its date is the first line of it that has one. */
		struct headline_date hd = { m, 0 };

		art_walk(n, headline_date_enter, NULL, &hd);
	}
	free(text);
}

/* The element after n among its siblings, or NULL. */
static xmlNode *
next_element(xmlNode *n)
{
	for (n = n->next; n != NULL && n->type != XML_ELEMENT_NODE;
	    n = n->next)
		;
	return n;
}

/*
 * A line that says what its date is ("Posted on April 13, 2023", "Last
 * updated: November 13, 2025"), or a label alone with the date in the
 * element after it ("<div>Published</div><div>October 14, 2025</div>"),
 * in no element a class names a date: blogs and docs built on utility
 * classes set their date so.
 */
void
art_date_label_line(struct meta *m, xmlNode *n)
{
	static const char *const lead[] = {
		"posted on ", "posted: ", "published on ", "published: ",
		"last updated", "updated on ", "updated: ",
	};
	static const char *const alone[] = {
		"posted", "posted on", "published", "published on",
		"last updated", "updated", "updated on",
	};
	char start[16], *text, buf[32];
	xmlNode *next;
	size_t i;
	int64_t t;

	if (m->f[F_PUBLISHED].rank != 0 || !is_line_element(n))
		return;
	art_lead(n, start, sizeof(start));
	for (i = 0; i < sizeof(lead) / sizeof(lead[0]); i++)
		if (strncasecmp(start, lead[i], strlen(lead[i])) == 0)
			break;
	if ((i == sizeof(lead) / sizeof(lead[0]) &&
	    !is_label(start, alone, sizeof(alone) / sizeof(alone[0]))) ||
	    art_in_comments(n) || (text = art_node_text(n)) == NULL)
		return;
	if (is_label(text, alone, sizeof(alone) / sizeof(alone[0])) &&
	    (next = next_element(n)) != NULL &&
	    (is_line_element(next) || art_is(next, "time"))) {
		free(text);
		if ((text = art_node_text(next)) == NULL)
			return;
	}
	if (strlen(text) <= DATE_LINE_MAX && date_find(text, &t) == 0)
		meta_offer(m, F_PUBLISHED, SRC_DATE_TEXT,
		    date_format_rfc3339(t, buf, sizeof(buf)));
	free(text);
}

/*
 * The date set in a line of its own just under the headline ("April 8,
 * 2024", "by Ziyi Xu, Dec 17, 2025") when no class names it a date and
 * nothing machine-readable gives one: landing pages, docs and blogs built
 * with utility classes ("text-sm", "m_0 fw_medium") show their date so.
 * Only a few elements after the <h1> are read, and only lines.
 */
void
art_headline_date(struct meta *m, xmlNode *h1)
{
	struct headline_date hd = { m, 0 };
	xmlNode *a, *s;
	int level;

	if (m->f[F_PUBLISHED].rank != 0)
		return;
	for (a = h1, level = 0; a != NULL && a->type == XML_ELEMENT_NODE &&
	    level <= HEADLINE_DATE_LEVELS && hd.seen <= HEADLINE_DATE_NODES &&
	    m->f[F_PUBLISHED].rank == 0; a = a->parent, level++)
		for (s = a->next; s != NULL && hd.seen <= HEADLINE_DATE_NODES &&
		    m->f[F_PUBLISHED].rank == 0; s = s->next)
			art_walk(s, headline_date_enter, NULL, &hd);
}

/*
 * A page that says only when it was last changed (a service page's
 * article:modified_time, a doc's "Last updated") was published, as far
 * as a reader can tell, then.  A page with no <article> (a forum thread,
 * a docs or landing page) may mark its date with a bare <time>, its
 * first post's: a page with an <article> keeps its date there, and a
 * <time> outside it is the site's or another story's.
 */
void
art_fallback_date(struct meta *m)
{
	char buf[32];

	if (m->f[F_PUBLISHED].rank != 0)
		return;
	if (m->f[F_MODIFIED].rank != 0)
		meta_offer(m, F_PUBLISHED, SRC_TIME_LOOSE, date_format_rfc3339(
		    m->f[F_MODIFIED].t, buf, sizeof(buf)));
	else if (m->narticle == 0 && m->time_loose != NULL)
		meta_offer(m, F_PUBLISHED, SRC_TIME_LOOSE, m->time_loose);
}

static int
find_fn_enter(xmlNode *n, int depth, void *arg)
{
	static const char *const fn[] = { " fn ", " fn", "fn ", "name" };
	const char *c;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if (((c = art_attr(n, "class")) != NULL && (strcmp(c, "fn") == 0 ||
	    class_says(n, fn, sizeof(fn) / sizeof(fn[0])))) ||
	    ((c = art_attr(n, "itemprop")) != NULL && strcmp(c, "name") == 0)) {
		*(xmlNode **)arg = n;
		return ART_WALK_STOP;
	}
	return ART_WALK_INTO;
}

/*
 * The part of a byline's text (cut at " on ", " | ", " \xc2\xb7 " and the
 * like) that names the author, in place: the first one that holds no
 * date and reads as a name.  "By Jane Doe on May 5" is "By Jane Doe";
 * "August 28, 2025 \xe2\x80\xa2 Lauren Vetter", a date line and a byline in one
 * element, is "Lauren Vetter"; "Written By: Jane Doe Last Updated: May
 * 5" is "Written By: Jane Doe".  Failing that, the first part, as it is.
 */
static char *
byline_name_part(char *text)
{
	static const char *const cut[] = { " on ", " am ", " le ", " el ",
	    " il ", " - ", " \xe2\x80\x93 ", " \xc2\xb7 ",
	    " \xe2\x80\xa2 ", " \xc2\xbb ", " | ", " / ", " Last Updated",
	    " Last updated", " Updated " };
	char *p, *end, *q, name[AUTHOR_MAX + 1];
	size_t i, skip;
	int64_t t;

	for (p = text; p != NULL; p = end != NULL ? end + skip : NULL) {
		for (end = NULL, skip = 0, i = 0; i < sizeof(cut) /
		    sizeof(cut[0]); i++)
			if ((q = strstr(p, cut[i])) != NULL && q != p &&
			    (end == NULL || q < end)) {
				end = q;
				skip = strlen(cut[i]);
			}
		if (end != NULL)
			*end = '\0';
		if (date_find(p, &t) != 0 &&
		    art_author_name(p, name, sizeof(name)) != NULL)
			return p;
	}
	return text;
}

/*
 * The first byline the page shows, outside comment threads: an element
 * whose class names the author ("author vcard", "byline", "post-author")
 * or a <byline>,
 * its hCard "fn" or "name" part when it has one.  What follows the name
 * ("on May 5", " | 12.03.2021") is cut off.
 */
void
art_byline(struct meta *m, xmlNode *n)
{
	static const char *const words[] = { "author", "byline", "autor",
	    "verfasser" };
	xmlNode *name = NULL;
	char *text, *p;
	size_t before;

	if (m->byline_seen || (!art_is(n, "byline") && !class_says(n, words,
	    sizeof(words) / sizeof(words[0]))) || art_in_comments(n))
		return;
	art_walk(n, find_fn_enter, NULL, &name);
	if ((text = art_node_text(name != NULL ? name : n)) == NULL)
		return;
	before = m->authors[art_rank_of(F_AUTHORS, SRC_BYLINE_CLASS)].n;
	if ((p = byline_name_part(text)) != NULL && strlen(p) <= AUTHOR_MAX)
		meta_offer(m, F_AUTHORS, SRC_BYLINE_CLASS, p);
	m->byline_seen =
	    m->authors[art_rank_of(F_AUTHORS, SRC_BYLINE_CLASS)].n > before;
	free(text);
}

/* 1 when s reads like a person's name: one to five words, each
 * capitalised but for the particles names have ("Jose de la Cruz",
 * "Ursula von der Leyen"), no digits. */
static int
looks_like_name(const char *s)
{
	static const char *const particles[] = {
		"von", "van", "der", "den", "de", "da", "di", "du", "del", "la",
		"le", "y", "und", "and",
	};
	size_t words = 0, len, i;
	const char *p;

	for (p = s; *p != '\0'; p += len) {
		p += strspn(p, " ");
		if ((len = strcspn(p, " ")) == 0)
			break;
		if (++words > 5)
			return 0;
		for (i = 0; i < len; i++)
			if (isdigit((unsigned char)p[i]))
				return 0;
		if (isupper((unsigned char)*p) || ((unsigned char)*p & 0x80))
			continue;
		for (i = 0; i < sizeof(particles) / sizeof(particles[0]); i++)
			if (strlen(particles[i]) == len &&
			    strncmp(p, particles[i], len) == 0)
				break;
		if (i == sizeof(particles) / sizeof(particles[0]) ||
		    words == 1)
			return 0;
	}
	return words > 0;
}

/* 1 when text is a label that announces the author set apart from the
 * name ("Written by", "Author:"). */
static int
is_name_label(const char *text)
{
	static const char *const labels[] = {
		"written by", "article by", "posted by", "authored by",
		"thread starter", "started by", "author", "autor", "autorin", "verfasst von", "auteur",
	};

	return is_label(text, labels, sizeof(labels) / sizeof(labels[0]));
}

/*
 * A label set in an element of its own, the name in the next one
 * ("<p>Written by</p><p>Edzel Tabing</p>", "<h3>Author</h3><p>Lisa D.
 * Ellis</p>"): landing pages and blogs built from cards show their
 * author so.  The name must read as a person's, so a label over a bio
 * paragraph gives nothing.
 */
void
art_label_author(struct meta *m, xmlNode *n)
{
	char start[16], name[AUTHOR_MAX + 1], *text;
	const char *v;
	xmlNode *next;
	int label;

	if (m->credit_seen || !is_line_element(n) ||
	    (next = next_element(n)) == NULL ||
	    (!is_line_element(next) && !art_is(next, "a")))
		return;
	art_lead(n, start, sizeof(start));
	if (strlen(start) >= sizeof(start) - 1 || !is_name_label(start) ||
	    (text = art_node_text(n)) == NULL)
		return;
	label = is_name_label(text) && !art_in_comments(n);
	free(text);
	if (!label || (text = art_node_text(next)) == NULL)
		return;
	if ((v = art_author_name(text, name, sizeof(name))) != NULL &&
	    looks_like_name(v)) {
		meta_offer(m, F_AUTHORS, SRC_BYLINE_TEXT, v);
		m->credit_seen = 1;
	}
	free(text);
}

/* The longest user name a forum shows, in bytes. */
#define POSTER_MAX	40

/*
 * The user name over a forum thread's first post ("username" in phpBB,
 * vBulletin and XenForo, "PostUser-name" in Flarum, the question's
 * data-author-username on Stack Exchange): whoever started the thread
 * wrote the page, and no byline or metadata says so.  A handle
 * ("sean_g", "user3080392") is a name here, so no person's-name test;
 * a login form's field and the site's header and menus are no post.
 */
void
art_poster(struct meta *m, xmlNode *n)
{
	static const char *const words[] = { "username", "user-name",
	    "user_name" };
	const char *v, *p;
	char *text = NULL;

	if (m->poster_seen || art_is(n, "input") || art_is(n, "label"))
		return;
	/* The attribute names the post's author outright; a class may
	 * sit on any user name, the reader's own in a login box too. */
	if ((v = art_attr(n, "data-author-username")) == NULL) {
		if (!class_says(n, words, sizeof(words) / sizeof(words[0])) ||
		    art_inside(n, "form") || art_inside(n, "nav") ||
		    art_inside(n, "header") || art_inside(n, "footer") ||
		    art_in_comments(n) || (text = art_node_text(n)) == NULL)
			return;
		v = text;
	}
	/* A handle has a letter at least; a date or a count has none. */
	for (p = v; *p != '\0' && !isalpha((unsigned char)*p) &&
	    !((unsigned char)*p & 0x80); p++)
		;
	if (*p != '\0' && strlen(v) <= POSTER_MAX &&
	    strstr(v, "://") == NULL && strcasecmp(v, "username") != 0) {
		meta_offer(m, F_AUTHORS, SRC_POSTER, v);
		/* The first post's: the names after it answered. */
		m->poster_seen = 1;
	}
	free(text);
}

/*
 * The credit line a page sets in the text itself, when nothing else names
 * the author: a short element that says "Text: Name", "Autor: Name",
 * "Von Name" or "By Name" and nothing more (what follows " am ", " on "
 * or a comma goes), outside comment threads.
 */
void
art_credit_line(struct meta *m, xmlNode *n)
{
	static const char *const lead[] = {
		"text:", "text von ", "autor:", "autorin:", "author:", "von:",
		"von ", "by ", "by:", "written by ", "started by ", "texte:",
		"por ", "par ",
	};
	static const char *const cut[] = { " am ", " on ", " le ", ",",
	    " | ", " - ", " \xc2\xb7 ", " \xe2\x80\xa2 ", " \xe2\x80\x94 " };
	char start[16], name[AUTHOR_MAX + 1], *text, *p;
	const char *v;
	size_t i;

	if (m->credit_seen || !is_line_element(n))
		return;
	art_lead(n, start, sizeof(start));
	for (i = 0; i < sizeof(lead) / sizeof(lead[0]); i++)
		if (strncasecmp(start, lead[i], strlen(lead[i])) == 0)
			break;
	/* A menu's heading sorts "By Event Type"; only "Written by" in a
	 * heading is a credit. */
	if (art_is(n, "h2") || art_is(n, "h3") || art_is(n, "h4") ||
	    art_is(n, "h5") || art_is(n, "h6"))
		if (i == sizeof(lead) / sizeof(lead[0]) ||
		    strcmp(lead[i], "written by ") != 0)
			return;
	if (i == sizeof(lead) / sizeof(lead[0]) || art_in_comments(n) ||
	    (text = art_node_text(n)) == NULL)
		return;
	/* A credit line, not a paragraph that starts with "Von". */
	if (strlen(text) <= CREDIT_LINE_MAX) {
		/* The squashed text loses the lead's trailing space when
		 * nothing follows it ("By "): never start past its end. */
		p = text + (strlen(text) < strlen(lead[i]) ? strlen(text) :
		    strlen(lead[i]));
		for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
			if ((v = strstr(p, cut[i])) != NULL)
				text[v - text] = '\0';
		if ((v = art_author_name(text, name, sizeof(name))) != NULL &&
		    looks_like_name(v)) {
			meta_offer(m, F_AUTHORS, SRC_BYLINE_TEXT, v);
			m->credit_seen = 1;
		}
	}
	free(text);
}
