/*
 * article_meta.h - the vocabulary of the metadata collector
 * (article_meta.c), shared with the readers that feed it candidates
 * (article_jsonld.c).  A reader offers raw values, each tagged with the
 * field it fills and the source it came from; the collector checks each
 * value and keeps the best source's.  Nobody outside the article_*.c
 * files sees this.
 */
#ifndef NW_ARTICLE_META_H
#define NW_ARTICLE_META_H

#include <libxml/tree.h>

/* Longer values are no author names. */
#define AUTHOR_MAX	100

enum field {
	F_TITLE, F_DESCRIPTION, F_PUBLISHED, F_MODIFIED, F_AUTHORS,
	F_SECTION, F_TAGS, F_IMAGE, F_LANGUAGE, F_SITE_NAME, F_PUBLISHER,
	F_CANONICAL, NFIELD
};

enum src {
	SRC_END,		/* ends a precedence row */
	SRC_RULE,		/* the feed's XPath rule */
	SRC_JSONLD,		/* JSON-LD, an Article or kin */
	SRC_JSONLD_PAGE,	/* JSON-LD, a WebPage or kin */
	SRC_JSONLD_SITE,	/* JSON-LD, the WebSite */
	SRC_OG,			/* og:*, article:* */
	SRC_TWITTER,		/* twitter:* */
	SRC_META,		/* parsely-*, sailthru.*, dc.*, dcterms.* */
	SRC_META_PLAIN,		/* description, author, keywords, date... */
	SRC_MICRODATA,		/* itemprop */
	SRC_LINK,		/* <link rel=canonical|image_src> */
	SRC_HTML_LANG,		/* <html lang> */
	SRC_HTTP_EQUIV,		/* <meta http-equiv=content-language> */
	SRC_TIME,		/* <time datetime> of the article */
	SRC_URL,		/* /2022/01/07/ in the page's URL */
	SRC_DATE_TEXT,		/* "5. April 2017" in a date-classed element */
	SRC_BYLINE,		/* <a rel=author> */
	SRC_BYLINE_CLASS,	/* an element of class "author", "byline" */
	SRC_BYLINE_TEXT,	/* a short line "Text: Name", "Von Name" */
	SRC_REL,		/* <a rel="category tag">, <a rel=tag> */
	SRC_TITLE,		/* <title> */
	SRC_H1,			/* the article's <h1> */
	NSRC
};

/* The collector's state, private to article_meta.c. */
struct meta;

/* Offer value (raw text from the page) as field f from source src; the
 * collector keeps it when it passes the field's check and src ranks at
 * least as well as what the field holds.  value may be NULL. */
void	 meta_offer(struct meta *m, enum field f, enum src src,
	    const char *value);

/* What a schema.org type (JSON-LD @type, microdata itemtype; a bare name
 * or a URL) says a thing is, as far as the page's metadata cares. */
enum ld_kind { LD_OTHER, LD_ARTICLE, LD_PAGE, LD_SITE, LD_LIST };
enum ld_kind ld_type_kind(const char *t);

/* Which JSON-LD objects were read already: only the first Article and
 * the first WebPage of a page speak for it. */
struct ld_seen {
	int	article;
	int	page;
};

/* Read the JSON-LD in <script type=application/ld+json> n and offer what
 * it says about the page to m. */
void	 ld_script(struct meta *m, struct ld_seen *seen, xmlNode *n);

/* 1 when s ends with suffix. */
int	 art_ends_with(const char *s, const char *suffix);

#endif
