/*
 * article_meta.c - an article's metadata from everything the page says
 * about itself.
 *
 * One walk over the document offers candidates for each field, each
 * tagged with its source; a field keeps the candidate from the best
 * source, the first one seen among equals (lists: every value from that
 * source).  A candidate that does not survive its field's check (a date
 * date_parse refuses, a URL that is not http(s), an author that is a link)
 * is no candidate, so the next source gets its chance.
 *
 * Precedence, best first (the precedence[] table says it exactly):
 *   - the feed's XPath rules: a person wrote them for this site;
 *   - JSON-LD of an Article-like type: the CMS writes it for search
 *     engines, complete and typed (dates with zones, authors as a list);
 *   - Open Graph / article:*: every share button depends on it, but
 *     og:title is often the social headline and og:image the share card;
 *   - the named <meta> conventions (Parse.ly, Sailthru, Dublin Core), then
 *     plain <meta name=description|author|keywords|date>;
 *   - Twitter cards, microdata (itemprop within an article's scope);
 *   - JSON-LD of a WebPage or WebSite, whose "name" is the page's, not
 *     the story's;
 *   - what the page shows: <time datetime> inside <article> or <header>
 *     (or marked pubdate, or hAtom's <abbr class=published title>), then
 *     a /yyyy/mm/dd/ path in the URL, a date line; for want of any, the
 *     modified date, or on a page with no <article> its first loose
 *     <time>; <a rel=author>, bylines and credit lines; the <title>
 *     without its " | Site" part (or cut down to the <h1> it starts or
 *     ends with), the <h1> of the article (or the only one on the page).
 * Microdata counts within an Article, a WebPage or a Q&A page's
 * Question; a Product's JSON-LD reviews are not the page's article.
 * Languages come from JSON-LD, then <html lang>, http-equiv
 * content-language, dc.language and last og:locale, and are written with
 * a hyphen ("it_IT" becomes "it-IT", BCP 47's spelling).  The canonical URL
 * prefers <link rel=canonical> to og:url.
 *
 * What the page shows in its text (date lines, bylines, credit lines) is
 * read in article_byline.c; the title is cut and weighed against the <h1>
 * in article_title.c.
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
#include "date.h"
#include "text.h"
#include "url.h"

/* The longest meta name or itemprop we compare. */
#define KEY_MAX		64

static const enum src precedence[NFIELD][NSRC] = {
	[F_TITLE] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_META, SRC_TWITTER,
	    SRC_MICRODATA, SRC_JSONLD_PAGE, SRC_TITLE, SRC_H1 },
	[F_DESCRIPTION] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_META_PLAIN,
	    SRC_META, SRC_TWITTER, SRC_MICRODATA, SRC_JSONLD_PAGE },
	[F_PUBLISHED] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_MICRODATA,
	    SRC_META, SRC_META_PLAIN, SRC_JSONLD_PAGE, SRC_TIME, SRC_URL,
	    SRC_DATE_TEXT, SRC_TIME_LOOSE },
	[F_MODIFIED] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_MICRODATA,
	    SRC_META, SRC_META_PLAIN, SRC_JSONLD_PAGE },
	[F_AUTHORS] = { SRC_RULE, SRC_JSONLD, SRC_META, SRC_META_PLAIN,
	    SRC_TWITTER, SRC_OG, SRC_MICRODATA, SRC_JSONLD_PAGE, SRC_BYLINE,
	    SRC_BYLINE_CLASS, SRC_BYLINE_TEXT, SRC_POSTER },
	[F_SECTION] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_META,
	    SRC_MICRODATA, SRC_META_PLAIN, SRC_JSONLD_PAGE, SRC_REL },
	[F_TAGS] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_META, SRC_META_PLAIN,
	    SRC_MICRODATA, SRC_JSONLD_PAGE, SRC_REL },
	[F_IMAGE] = { SRC_RULE, SRC_JSONLD, SRC_OG, SRC_TWITTER, SRC_LINK,
	    SRC_MICRODATA, SRC_JSONLD_PAGE },
	[F_LANGUAGE] = { SRC_RULE, SRC_JSONLD, SRC_HTML_LANG, SRC_HTTP_EQUIV,
	    SRC_META, SRC_OG, SRC_JSONLD_PAGE, SRC_MICRODATA },
	[F_SITE_NAME] = { SRC_RULE, SRC_OG, SRC_JSONLD_SITE, SRC_META_PLAIN },
	[F_PUBLISHER] = { SRC_RULE, SRC_JSONLD, SRC_META, SRC_META_PLAIN,
	    SRC_MICRODATA, SRC_JSONLD_PAGE },
	[F_CANONICAL] = { SRC_RULE, SRC_LINK, SRC_OG, SRC_JSONLD,
	    SRC_JSONLD_PAGE },
};

/* The rule names of the fields, as article.h lists them. */
static const char *const field_names[NFIELD] = {
	[F_TITLE] = "title", [F_DESCRIPTION] = "description",
	[F_PUBLISHED] = "published", [F_MODIFIED] = "modified",
	[F_AUTHORS] = "authors", [F_SECTION] = "section", [F_TAGS] = "tags",
	[F_IMAGE] = "image", [F_LANGUAGE] = "language",
	[F_SITE_NAME] = "site_name", [F_PUBLISHER] = "publisher",
	[F_CANONICAL] = "canonical_url",
};

/* <meta> names and properties (lower case; "dc:" is read as "dc."). */
static const struct {
	const char	*key;
	enum field	 field;
	enum src	 src;
} meta_keys[] = {
	{ "og:title", F_TITLE, SRC_OG },
	{ "og:description", F_DESCRIPTION, SRC_OG },
	{ "og:image", F_IMAGE, SRC_OG },
	{ "og:image:url", F_IMAGE, SRC_OG },
	{ "og:image:secure_url", F_IMAGE, SRC_OG },
	{ "og:url", F_CANONICAL, SRC_OG },
	{ "og:site_name", F_SITE_NAME, SRC_OG },
	{ "og:locale", F_LANGUAGE, SRC_OG },
	{ "article:published_time", F_PUBLISHED, SRC_OG },
	{ "article:published", F_PUBLISHED, SRC_OG },
	{ "og:published_time", F_PUBLISHED, SRC_OG },
	{ "article:modified_time", F_MODIFIED, SRC_OG },
	{ "og:updated_time", F_MODIFIED, SRC_OG },
	{ "article:section", F_SECTION, SRC_OG },
	{ "article:tag", F_TAGS, SRC_OG },
	{ "article:author", F_AUTHORS, SRC_OG },
	{ "twitter:title", F_TITLE, SRC_TWITTER },
	{ "twitter:description", F_DESCRIPTION, SRC_TWITTER },
	{ "twitter:image", F_IMAGE, SRC_TWITTER },
	{ "twitter:image:src", F_IMAGE, SRC_TWITTER },
	{ "parsely-title", F_TITLE, SRC_META },
	{ "parsely-author", F_AUTHORS, SRC_META },
	{ "parsely-pub-date", F_PUBLISHED, SRC_META },
	{ "parsely-section", F_SECTION, SRC_META },
	{ "parsely-tags", F_TAGS, SRC_META },
	{ "sailthru.title", F_TITLE, SRC_META },
	{ "sailthru.author", F_AUTHORS, SRC_META },
	{ "sailthru.date", F_PUBLISHED, SRC_META },
	{ "sailthru.tags", F_TAGS, SRC_META },
	{ "dc.title", F_TITLE, SRC_META },
	{ "dcterms.title", F_TITLE, SRC_META },
	{ "dc.description", F_DESCRIPTION, SRC_META },
	{ "dcterms.description", F_DESCRIPTION, SRC_META },
	{ "dc.creator", F_AUTHORS, SRC_META },
	{ "dcterms.creator", F_AUTHORS, SRC_META },
	{ "dc.date", F_PUBLISHED, SRC_META },
	{ "dc.date.issued", F_PUBLISHED, SRC_META },
	{ "dc.date.created", F_PUBLISHED, SRC_META },
	{ "dcterms.date", F_PUBLISHED, SRC_META },
	{ "dcterms.issued", F_PUBLISHED, SRC_META },
	{ "dcterms.created", F_PUBLISHED, SRC_META },
	{ "dc.date.modified", F_MODIFIED, SRC_META },
	{ "dcterms.modified", F_MODIFIED, SRC_META },
	{ "dc.language", F_LANGUAGE, SRC_META },
	{ "dcterms.language", F_LANGUAGE, SRC_META },
	{ "dc.publisher", F_PUBLISHER, SRC_META },
	{ "dcterms.publisher", F_PUBLISHER, SRC_META },
	{ "dc.subject", F_TAGS, SRC_META },
	{ "citation_author", F_AUTHORS, SRC_META },
	{ "citation_publication_date", F_PUBLISHED, SRC_META },
	{ "citation_title", F_TITLE, SRC_META },
	{ "description", F_DESCRIPTION, SRC_META_PLAIN },
	{ "author", F_AUTHORS, SRC_META_PLAIN },
	{ "byl", F_AUTHORS, SRC_META_PLAIN },
	{ "keywords", F_TAGS, SRC_META_PLAIN },
	{ "news_keywords", F_TAGS, SRC_META_PLAIN },
	{ "date", F_PUBLISHED, SRC_META_PLAIN },
	{ "pubdate", F_PUBLISHED, SRC_META_PLAIN },
	{ "publishdate", F_PUBLISHED, SRC_META_PLAIN },
	{ "publish-date", F_PUBLISHED, SRC_META_PLAIN },
	{ "publish_date", F_PUBLISHED, SRC_META_PLAIN },
	{ "published-date", F_PUBLISHED, SRC_META_PLAIN },
	{ "published_date", F_PUBLISHED, SRC_META_PLAIN },
	{ "publication_date", F_PUBLISHED, SRC_META_PLAIN },
	{ "article.published", F_PUBLISHED, SRC_META_PLAIN },
	{ "article_date_original", F_PUBLISHED, SRC_META_PLAIN },
	{ "last-modified", F_MODIFIED, SRC_META_PLAIN },
	{ "article.updated", F_MODIFIED, SRC_META_PLAIN },
	{ "section", F_SECTION, SRC_META_PLAIN },
	{ "publisher", F_PUBLISHER, SRC_META_PLAIN },
	{ "application-name", F_SITE_NAME, SRC_META_PLAIN },
};

/* itemprop names (lower case) read within an article's scope. */
static const struct {
	const char	*prop;
	enum field	 field;
} item_props[] = {
	{ "headline", F_TITLE },
	{ "description", F_DESCRIPTION },
	{ "datepublished", F_PUBLISHED },
	{ "datecreated", F_PUBLISHED },
	{ "datemodified", F_MODIFIED },
	{ "author", F_AUTHORS },
	{ "creator", F_AUTHORS },
	{ "articlesection", F_SECTION },
	{ "keywords", F_TAGS },
	{ "image", F_IMAGE },
	{ "inlanguage", F_LANGUAGE },
	{ "publisher", F_PUBLISHER },
};

static int
is_list_field(enum field f)
{
	return f == F_AUTHORS || f == F_TAGS || f == F_SECTION;
}

int
art_rank_of(enum field f, enum src s)
{
	int i;

	for (i = 0; i < NSRC && precedence[f][i] != SRC_END; i++)
		if (precedence[f][i] == s)
			return i + 1;
	return 0;
}

static void
slot_clear(struct slot *sl)
{
	free(sl->s);
	art_list_free(sl->v, sl->n);
	memset(sl, 0, sizeof(*sl));
}

/* Normalise a language tag: "it_IT" -> "it-IT"; NULL when s is no tag. */
static char *
language_tag(const char *s)
{
	char *t;
	size_t i, primary;

	primary = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	if (primary < 2 || primary > 3 || strlen(s) > 35)
		return NULL;
	if ((t = strdup(s)) == NULL)
		return NULL;
	for (i = 0; t[i] != '\0'; i++) {
		if (t[i] == '_')
			t[i] = '-';
		else if (!isalnum((unsigned char)t[i]) && t[i] != '-') {
			free(t);
			return NULL;
		}
	}
	return t;
}

int
art_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Add v to the list; an author's name as the page gives it, but for a
 * forum's user name: a handle may run digits on ("user3080392"), which
 * the name check takes for a date, and that check keeps the handles
 * metadata gives ("CC7567") behind the byline's name. */
static void
slot_list_add(struct meta *m, struct slot *sl, enum field f, enum src src,
    const char *v)
{
	char name[AUTHOR_MAX + 1];

	if (f == F_AUTHORS && src != SRC_POSTER &&
	    (v = art_author_name(v, name, sizeof(name))) == NULL)
		return;
	if (art_list_add(&sl->v, &sl->n, v) == -1)
		m->oom = 1;
}

/* Split v at the separators of field f and add each part. */
static void
slot_list_split(struct meta *m, struct slot *sl, enum field f, enum src src,
    const char *v)
{
	static const char *const words[] = { " and ", " und ", " & " };
	char *copy, *p, *q;
	size_t i;

	if (f == F_SECTION) {
		slot_list_add(m, sl, f, src, v);
		return;
	}
	if ((copy = strdup(v)) == NULL) {
		m->oom = 1;
		return;
	}
	if (f == F_AUTHORS)
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			for (p = copy; (p = strstr(p, words[i])) != NULL; )
				memset(p, ',', strlen(words[i]));
	for (p = copy; p != NULL; p = q) {
		if ((q = strpbrk(p, f == F_AUTHORS ? ",;|" : ",;")) != NULL)
			*q++ = '\0';
		while (*p == ' ')
			p++;
		for (i = strlen(p); i > 0 && p[i - 1] == ' '; i--)
			p[i - 1] = '\0';
		if (*p != '\0')
			slot_list_add(m, sl, f, src, p);
	}
	free(copy);
}

/* *s decoded once more when a CMS encoded it as UTF-8 twice ("Investor
 * \xc3\xa2\xc2\x80\xc2\x99s"): the reader and the search engines see
 * mojibake, but the headline meant is plain. */
static void
undouble(char **s)
{
	char *fixed;

	if (*s != NULL && (fixed = text_utf8_undouble(*s)) != NULL) {
		free(*s);
		*s = fixed;
	}
}

void
meta_offer(struct meta *m, enum field f, enum src src, const char *value)
{
	int rank = art_rank_of(f, src);
	struct slot *sl = f == F_AUTHORS ? &m->authors[rank] : &m->f[f];
	char *v = NULL, *conv = NULL;
	int64_t t = NW_TIME_UNSET;

	if (f == F_TITLE && src != SRC_RULE && src != SRC_H1 &&
	    value != NULL && m->titles[src] == NULL)
		m->titles[src] = art_clean(value);
	if (rank == 0 || (sl->rank != 0 && rank > sl->rank) || value == NULL)
		return;
	if (!is_list_field(f) && sl->rank == rank)
		return;		/* the first among equals */
	if ((v = art_clean(value)) == NULL)
		return;
	switch (f) {
	case F_TITLE:
		/* A CMS that escapes twice: "And finally&amp;#8230;" in the
		 * markup is "And finally&#8230;" once parsed. */
		if (strstr(v, "&#") != NULL || strstr(v, "&amp;") != NULL) {
			if ((conv = text_decode_entities(v)) == NULL)
				goto done;
			free(v);
			v = conv;
			conv = NULL;
		}
		undouble(&v);
		break;
	case F_PUBLISHED:
	case F_MODIFIED:
		if (date_parse(v, &t) == -1)
			goto done;
		break;
	case F_IMAGE:
	case F_CANONICAL:
		if ((conv = url_resolve(m->url, v)) == NULL ||
		    !url_is_http(conv))
			goto done;
		break;
	case F_LANGUAGE:
		if ((conv = language_tag(v)) == NULL)
			goto done;
		break;
	default:
		break;
	}
	if (sl->rank != rank)
		slot_clear(sl);
	if (is_list_field(f)) {
		size_t before = sl->n;

		slot_list_split(m, sl, f, src, v);
		if (sl->n > before)
			sl->rank = rank;
		goto done;
	}
	sl->rank = rank;
	sl->t = t;
	if (conv != NULL) {
		sl->s = conv;
		conv = NULL;
	} else {
		sl->s = v;
		v = NULL;
	}
done:
	free(conv);
	free(v);
}

/* <meta> */

/* A <meta http-equiv=refresh content="0; url=..."> that sends the reader
 * to another page at once: the first one, resolved against the page. */
static void
meta_refresh(struct meta *m, const char *content)
{
	const char *p = content;
	char *target, *url;
	long delay;
	size_t len;

	if (m->refresh != NULL)
		return;
	delay = strtol(p, (char **)&p, 10);
	if (p == content || delay < 0 || delay > REFRESH_FOLLOW_MAX)
		return;
	p += strspn(p, " \t\r\n;,");
	if (strncasecmp(p, "url", 3) != 0)
		return;
	p += 3 + strspn(p + 3, " \t\r\n");
	if (*p++ != '=')
		return;
	p += strspn(p, " \t\r\n");
	len = strlen(p);
	/* The URL may be quoted: url='...'. */
	if (len >= 2 && (*p == '\'' || *p == '"') && p[len - 1] == *p) {
		p++;
		len -= 2;
	}
	if ((target = strndup(p, len)) == NULL) {
		m->oom = 1;
		return;
	}
	url = url_resolve(m->url, target);
	free(target);
	if (url != NULL && url_is_http(url) &&
	    (m->url == NULL || strcmp(url, m->url) != 0))
		m->refresh = url;
	else
		free(url);
}

/* 1 when a label announces an author: "Written by", "Verfasst von". */
static int
is_author_label(const char *s)
{
	static const char *const labels[] = {
		"written by", "verfasst von", "geschrieben von", "author",
		"autor", "auteur", "escrito por", "scritto da",
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strncasecmp(s, labels[i], strlen(labels[i])) == 0)
			return 1;
	return 0;
}

static void
meta_tag(struct meta *m, xmlNode *n)
{
	const char *attrs[] = { "property", "name", "http-equiv" };
	const char *content = art_attr(n, "content"), *keys, *p;
	char key[KEY_MAX];
	size_t i, j, len;

	if (content == NULL)
		return;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if ((keys = art_attr(n, attrs[i])) == NULL)
			continue;
		/* A property may name several: "og:title twitter:title". */
		for (p = keys; *p != '\0'; p += len) {
			p += strspn(p, " \t\r\n");
			len = strcspn(p, " \t\r\n");
			if (len == 0 || len >= sizeof(key))
				continue;
			for (j = 0; j < len; j++)
				key[j] = (char)tolower((unsigned char)p[j]);
			key[len] = '\0';
			if (strncmp(key, "dc:", 3) == 0)
				key[2] = '.';
			else if (strncmp(key, "dcterms:", 8) == 0)
				key[7] = '.';
			/* Yoast's "Written by" card: twitter:label1 names what
			 * twitter:data1 holds. */
			if (strncmp(key, "twitter:label", 13) == 0 &&
			    key[13] != '\0' && key[14] == '\0' &&
			    is_author_label(content))
				m->twitter_label = key[13];
			else if (strncmp(key, "twitter:data", 12) == 0 &&
			    key[12] == m->twitter_label && key[13] == '\0')
				meta_offer(m, F_AUTHORS, SRC_TWITTER, content);
			if (i == 2) {
				if (strcmp(key, "content-language") == 0)
					meta_offer(m, F_LANGUAGE, SRC_HTTP_EQUIV,
					    content);
				else if (strcmp(key, "refresh") == 0)
					meta_refresh(m, content);
				continue;
			}
			for (j = 0; j < sizeof(meta_keys) / sizeof(meta_keys[0]);
			    j++)
				if (strcmp(key, meta_keys[j].key) == 0)
					meta_offer(m, meta_keys[j].field,
					    meta_keys[j].src, content);
		}
	}
}

static void
link_tag(struct meta *m, xmlNode *n)
{
	const char *rel = art_attr(n, "rel"), *href = art_attr(n, "href");

	if (rel == NULL || href == NULL)
		return;
	if (strcasecmp(rel, "canonical") == 0)
		meta_offer(m, F_CANONICAL, SRC_LINK, href);
	else if (strcasecmp(rel, "image_src") == 0)
		meta_offer(m, F_IMAGE, SRC_LINK, href);
}

/* microdata */

/* 1 when the item n's itemprop belongs to is the article (or no item at
 * all): a comment's author is not the article's.  A Q&A page's Question
 * is its article: who asked it and when, not who answered. */
static int
item_scope_ok(const xmlNode *n)
{
	const char *type;
	int depth;

	for (depth = 0, n = n->parent; n != NULL && depth < ART_MAX_DEPTH;
	    n = n->parent, depth++) {
		if (n->type != XML_ELEMENT_NODE ||
		    art_attr(n, "itemscope") == NULL)
			continue;
		if ((type = art_attr(n, "itemtype")) == NULL)
			return 1;
		return ld_type_kind(type) == LD_ARTICLE ||
		    ld_type_kind(type) == LD_PAGE ||
		    art_ends_with(type, "/Question");
	}
	return 1;
}

static int
find_name_enter(xmlNode *n, int depth, void *arg)
{
	const char *ip;

	(void)depth;
	if (n->type != XML_ELEMENT_NODE)
		return ART_WALK_SKIP;
	if ((ip = art_attr(n, "itemprop")) != NULL &&
	    strcasecmp(ip, "name") == 0) {
		*(xmlNode **)arg = n;
		return ART_WALK_STOP;
	}
	return ART_WALK_INTO;
}

static void
microdata(struct meta *m, xmlNode *n)
{
	const char *props = art_attr(n, "itemprop"), *p, *v;
	xmlNode *name = NULL;
	char *text = NULL;
	size_t i, len;

	if (!item_scope_ok(n))
		return;
	for (p = props; *p != '\0'; p += len) {
		p += strspn(p, " \t\r\n");
		len = strcspn(p, " \t\r\n");
		for (i = 0; i < sizeof(item_props) / sizeof(item_props[0]); i++)
			if (strlen(item_props[i].prop) == len &&
			    strncasecmp(p, item_props[i].prop, len) == 0)
				break;
		if (len == 0 || i == sizeof(item_props) / sizeof(item_props[0]))
			continue;
		if ((v = art_attr(n, "content")) == NULL &&
		    (v = art_attr(n, "datetime")) == NULL &&
		    (!art_is(n, "abbr") || (v = art_attr(n, "title")) == NULL) &&
		    (item_props[i].field != F_IMAGE ||
		    ((v = art_attr(n, "src")) == NULL &&
		    (v = art_attr(n, "href")) == NULL))) {
			/* A Person or Organization item: its name. */
			if (art_attr(n, "itemscope") != NULL) {
				name = NULL;
				art_walk(n, find_name_enter, NULL, &name);
				if (name == NULL)
					continue;
				if ((v = art_attr(name, "content")) != NULL) {
					meta_offer(m, item_props[i].field,
					    SRC_MICRODATA, v);
					continue;
				}
			}
			free(text);
			text = art_node_text(name != NULL ? name : n);
			v = text;
		}
		meta_offer(m, item_props[i].field, SRC_MICRODATA, v);
	}
	free(text);
}

static int
meta_enter(xmlNode *n, int depth, void *arg)
{
	struct meta *m = arg;
	const char *v;
	char *text;

	(void)depth;
	if (m->oom)
		return ART_WALK_STOP;
	if (n->type != XML_ELEMENT_NODE)
		return n->type == XML_DOCUMENT_NODE ||
		    n->type == XML_HTML_DOCUMENT_NODE ? ART_WALK_INTO :
		    ART_WALK_SKIP;
	if (art_is(n, "script")) {
		if ((v = art_attr(n, "type")) != NULL &&
		    strcasestr(v, "ld+json") != NULL)
			ld_script(m, &m->ld, n);
		return ART_WALK_SKIP;
	}
	if (art_is(n, "style") || art_is(n, "template") || art_is(n, "svg"))
		return ART_WALK_SKIP;
	if (art_attr(n, "itemprop") != NULL)
		microdata(m, n);
	art_date_line(m, n);
	art_date_label_line(m, n);
	art_byline(m, n);
	art_credit_line(m, n);
	art_label_author(m, n);
	art_poster(m, n);
	if (art_is(n, "meta"))
		meta_tag(m, n);
	else if (art_is(n, "link"))
		link_tag(m, n);
	else if (art_is(n, "html")) {
		if ((v = art_attr(n, "lang")) != NULL ||
		    (v = art_attr(n, "xml:lang")) != NULL)
			meta_offer(m, F_LANGUAGE, SRC_HTML_LANG, v);
	} else if (art_is(n, "title") && art_is(n->parent, "head")) {
		text = art_node_text(n);
		meta_offer(m, F_TITLE, SRC_TITLE, text);
		free(text);
	} else if (art_is(n, "article")) {
		m->narticle++;
	} else if (art_is(n, "h1")) {
		if (m->nh1++ == 0)
			m->h1_first = n;
		if (m->h1_article == NULL && art_inside(n, "article"))
			m->h1_article = n;
	} else if (art_is(n, "time") &&
	    (v = art_attr(n, "datetime")) != NULL) {
		if (art_attr(n, "pubdate") != NULL ||
		    art_inside(n, "article") || art_inside(n, "header"))
			meta_offer(m, F_PUBLISHED, SRC_TIME, v);
		else if (m->time_loose == NULL && !art_inside(n, "nav") &&
		    !art_inside(n, "aside") && !art_inside(n, "footer") &&
		    !art_in_comments(n))
			m->time_loose = v;
	} else if (art_is(n, "abbr") && (v = art_attr(n, "class")) != NULL &&
	    art_has_word(v, "published") && (v = art_attr(n, "title")) != NULL)
		meta_offer(m, F_PUBLISHED, SRC_TIME, v);
	else if (art_is(n, "a") && (v = art_attr(n, "rel")) != NULL &&
	    art_has_word(v, "author")) {
		text = art_node_text(n);
		meta_offer(m, F_AUTHORS, SRC_BYLINE, text);
		free(text);
	} else if (art_is(n, "a") && (v = art_attr(n, "rel")) != NULL &&
	    art_has_word(v, "tag") && !art_inside(n, "aside") &&
	    !art_inside(n, "nav") && (!art_inside(n, "footer") ||
	    art_inside(n, "article")) && !art_in_comments(n)) {
		/* WordPress and hAtom: rel="category tag" names the post's
		 * categories, rel="tag" its tags; a sidebar's cloud or the
		 * site's footer is not the post's (the post's own footer
		 * is). */
		text = art_node_text(n);
		meta_offer(m, art_has_word(v, "category") ? F_SECTION : F_TAGS, SRC_REL,
		    text);
		free(text);
	}
	return ART_WALK_INTO;
}

/* rules */

struct rule_arg {
	struct meta	*m;
	enum field	 f;
};

static int
rule_each(const char *v, void *arg)
{
	struct rule_arg *r = arg;

	meta_offer(r->m, r->f, SRC_RULE, v);
	return r->m->oom ? -1 : 0;
}

static void
apply_rules(struct meta *m, htmlDocPtr doc, const struct article_rule *rules,
    size_t nrules)
{
	struct rule_arg r = { .m = m };
	size_t i;

	for (i = 0; i < nrules && !m->oom; i++) {
		if (rules[i].field == NULL || rules[i].xpath == NULL)
			continue;
		for (r.f = 0; r.f < NFIELD; r.f++)
			if (strcmp(rules[i].field, field_names[r.f]) == 0)
				break;
		if (r.f < NFIELD)
			art_xpath(doc, rules[i].xpath, 0, rule_each, &r);
	}
}

/* 1 when an author name is the site's or the publisher's, not a
 * person's: "finanztreff.de", "OÖ Volksblatt" on volksblatt.at. */
static int
is_site_author(const char *name, const struct meta *m)
{
	const char *other[2] = { m->f[F_SITE_NAME].s, m->f[F_PUBLISHER].s };
	char a[128], b[128];
	size_t i;

	art_squeeze(name, strlen(name), a, sizeof(a));
	for (i = 0; i < 2; i++)
		if (other[i] != NULL && strcmp(a, art_squeeze(other[i],
		    strlen(other[i]), b, sizeof(b))) == 0)
			return 1;
	art_host_label(m->url, b, sizeof(b));
	/* "volksblatt" in "ooevolksblatt", "finanztreff" in "finanztreffde" */
	return strlen(b) >= 4 && strstr(a, b) != NULL &&
	    strlen(a) <= strlen(b) + 4;
}

/* 1 when a name is an organisation's ("Bund der Energieverbraucher e.V.",
 * "Web Commerce GmbH"): the page may name a person elsewhere. */
static int
is_org_author(const char *name)
{
	static const char *const forms[] = {
		" e.v.", " gmbh", " ag", " se", " inc.", " inc", " ltd", " llc",
		" s.a.", " redaktion",
	};
	char low[AUTHOR_MAX + 1];
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (art_ends_with(low, forms[i]))
			return 1;
	return strcmp(low, "redaktion") == 0;
}

/* How choosy pick_from is: persons only, then any name but the site's,
 * then whatever a source names. */
enum pick { PICK_PERSON, PICK_NOT_SITE, PICK_ANY };

static int
passed_over(const char *name, const struct meta *m, enum pick how)
{
	return how != PICK_ANY && (is_site_author(name, m) ||
	    (how == PICK_PERSON && is_org_author(name)));
}

/* The first source's names that how lets through, moved into the authors
 * slot; 0 when none has any. */
static int
pick_from(struct meta *m, enum pick how)
{
	struct slot *sl;
	size_t i, j;
	int r;

	for (r = 1; r <= NSRC; r++) {
		sl = &m->authors[r];
		for (i = j = 0; i < sl->n; i++)
			j += !passed_over(sl->v[i], m, how);
		if (j == 0)
			continue;
		for (i = j = 0; i < sl->n; i++) {
			if (passed_over(sl->v[i], m, how))
				free(sl->v[i]);
			else
				sl->v[j++] = sl->v[i];
		}
		sl->n = j;
		m->f[F_AUTHORS] = *sl;
		memset(sl, 0, sizeof(*sl));
		return 1;
	}
	return 0;
}

/* The authors of the best source that names a person; failing that, an
 * organisation other than the site itself; failing that, the site, when
 * the page names it as its author (a company's blog signed by the
 * company): that is who wrote it, as far as the page says. */
static void
pick_authors(struct meta *m)
{
	if (!pick_from(m, PICK_PERSON) && !pick_from(m, PICK_NOT_SITE))
		pick_from(m, PICK_ANY);
}

static char *
take(struct slot *sl)
{
	char *s = sl->s;

	sl->s = NULL;
	return s;
}

static void
take_list(struct slot *sl, char ***v, size_t *n)
{
	*v = sl->v;
	*n = sl->n;
	sl->v = NULL;
	sl->n = 0;
}

/* The section list joined: "mondo, russia". */
static char *
join(char **v, size_t n)
{
	struct strbuf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_add(&b, ", ", 2);
		strbuf_add(&b, v[i], strlen(v[i]));
	}
	return strbuf_finish(&b);
}

/* A documentation heading ends in the "¶" of its permalink, which no
 * title source has. */
static void
drop_pilcrow(char *h)
{
	size_t len = h != NULL ? strlen(h) : 0;

	if (len >= 2 && strcmp(h + len - 2, "\xc2\xb6") == 0) {
		len -= 2;
		while (len > 0 && h[len - 1] == ' ')
			len--;
		h[len] = '\0';
	}
}

/* The title without its site's part, or the <h1> (*h1text, taken) where
 * that names the page better; failing that, a title the bar still
 * splits keeps its main part.  A feed's rule is taken as it is. */
static void
choose_title(struct meta *m, const char *url, char **h1text)
{
	char *title = m->f[F_TITLE].s, *h1 = *h1text;

	art_strip_site(title, m->f[F_SITE_NAME].s, url, h1);
	if (m->f[F_TITLE].rank == art_rank_of(F_TITLE, SRC_RULE))
		return;
	if (h1 != NULL && (art_same_words(title, h1) ||
	    art_h1_continues(title, h1) || art_archives_of(title, h1) ||
	    art_h1_over_template(m, title, h1, m->f[F_SITE_NAME].s, url) ||
	    art_title_backs_h1(m, m->f[F_SITE_NAME].s, url, h1) ||
	    (art_h1_names_page(title, h1) && art_open_to_h1(m, title, h1)))) {
		/* The headline as the page sets it: "–" and "’" where the
		 * meta tags often have "-" and "'". */
		free(title);
		m->f[F_TITLE].s = h1;
		*h1text = NULL;
		return;
	}
	art_keep_main_part(title);
}

int
art_meta(htmlDocPtr doc, const char *url, const struct article_rule *rules,
    size_t nrules, struct article *a, char **product)
{
	struct meta m;
	xmlNode *h1;
	char *h1text = NULL;
	int i, rc = -1;

	memset(&m, 0, sizeof(m));
	m.url = url;
	apply_rules(&m, doc, rules, nrules);
	art_walk((xmlNode *)doc, meta_enter, NULL, &m);
	h1 = m.h1_article != NULL ? m.h1_article :
	    m.nh1 == 1 ? m.h1_first : NULL;
	if (h1 != NULL) {
		h1text = art_node_text(h1);
		undouble(&h1text);
		drop_pilcrow(h1text);
		meta_offer(&m, F_TITLE, SRC_H1, h1text);
		art_headline_date(&m, h1);
	}
	if (url != NULL)
		art_url_date(&m, url);
	art_fallback_date(&m);
	pick_authors(&m);
	if (m.oom)
		goto done;

	if (m.f[F_TITLE].s != NULL)
		choose_title(&m, url, &h1text);
	a->title = take(&m.f[F_TITLE]);
	a->description = take(&m.f[F_DESCRIPTION]);
	a->published = m.f[F_PUBLISHED].rank ? m.f[F_PUBLISHED].t :
	    NW_TIME_UNSET;
	a->modified = m.f[F_MODIFIED].rank ? m.f[F_MODIFIED].t : NW_TIME_UNSET;
	take_list(&m.f[F_AUTHORS], &a->authors, &a->nauthors);
	take_list(&m.f[F_TAGS], &a->tags, &a->ntags);
	if (m.f[F_SECTION].n > 0 &&
	    (a->section = join(m.f[F_SECTION].v, m.f[F_SECTION].n)) == NULL)
		goto done;
	a->image = take(&m.f[F_IMAGE]);
	a->language = take(&m.f[F_LANGUAGE]);
	a->site_name = take(&m.f[F_SITE_NAME]);
	a->publisher = take(&m.f[F_PUBLISHER]);
	a->canonical_url = take(&m.f[F_CANONICAL]);
	a->refresh = m.refresh;
	m.refresh = NULL;
	*product = m.product;
	m.product = NULL;
	rc = 0;
done:
	free(h1text);
	for (i = 0; i < NFIELD; i++)
		slot_clear(&m.f[i]);
	for (i = 0; i <= NSRC; i++)
		slot_clear(&m.authors[i]);
	for (i = 0; i < NSRC; i++)
		free(m.titles[i]);
	free(m.refresh);
	free(m.product);
	return rc;
}
