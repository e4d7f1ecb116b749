/*
 * article_meta.h - the vocabulary of the metadata collector
 * (article_meta.c), shared with the readers that feed it candidates
 * (article_jsonld.c, article_byline.c) and weigh its title
 * (article_title.c).  A reader offers raw values, each tagged with the
 * field it fills and the source it came from; the collector checks each
 * value and keeps the best source's.  Nobody outside the article_*.c
 * files sees this.
 */
#ifndef NW_ARTICLE_META_H
#define NW_ARTICLE_META_H

#include <stddef.h>
#include <stdint.h>

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
	SRC_TIME_LOOSE,		/* <time datetime> anywhere, or the modified
				 * date, for want of anything better */
	SRC_BYLINE,		/* <a rel=author> */
	SRC_BYLINE_CLASS,	/* an element of class "author", "byline" */
	SRC_BYLINE_TEXT,	/* a short line "Text: Name", "Von Name" */
	SRC_POSTER,		/* a forum thread's first user name */
	SRC_REL,		/* <a rel="category tag">, <a rel=tag> */
	SRC_TITLE,		/* <title> */
	SRC_H1,			/* the article's <h1> */
	NSRC
};

/* The collector's state, defined below. */
struct meta;

/* Offer value (raw text from the page) as field f from source src; the
 * collector keeps it when it passes the field's check and src ranks at
 * least as well as what the field holds.  value may be NULL. */
void	 meta_offer(struct meta *m, enum field f, enum src src,
	    const char *value);

/* What a schema.org type (JSON-LD @type, microdata itemtype; a bare name
 * or a URL) says a thing is, as far as the page's metadata cares. */
enum ld_kind { LD_OTHER, LD_ARTICLE, LD_PAGE, LD_SITE, LD_LIST, LD_PRODUCT };
enum ld_kind ld_type_kind(const char *t);

/* Which JSON-LD objects were read already: only the first Article and
 * the first WebPage of a page speak for it; its Products, only when
 * they describe themselves alike. */
struct ld_seen {
	int	article;
	int	page;
	int	product;
};

/* Read the JSON-LD in <script type=application/ld+json> n and offer what
 * it says about the page to m. */
void	 ld_script(struct meta *m, struct ld_seen *seen, xmlNode *n);

/* 1 when s ends with suffix. */
int	 art_ends_with(const char *s, const char *suffix);

/* What the collector holds; read by the readers below that judge by what
 * was kept already (article_byline.c, article_title.c). */
/* One field's best candidate so far. */
struct slot {
	int	  rank;		/* 1 = best; 0 = empty */
	char	 *s;		/* scalar fields */
	int64_t	  t;		/* dates */
	char	**v;		/* list fields */
	size_t	  n;
};

struct meta {
	struct slot	 f[NFIELD];
	/* Authors by source rank, all of them: a source that names only the
	 * site ("finanztreff.de") as author gives way to the next one. */
	struct slot	 authors[NSRC + 1];
	int		 byline_seen;	/* a byline element was read */
	int		 credit_seen;	/* a "Text: Name" line was read */
	int		 poster_seen;	/* a forum's user name was read */
	char		*refresh;	/* a <meta http-equiv=refresh> target */
	int		 twitter_label;	/* which twitter:dataN the label says
				 * is the author ('1', '2'), or 0 */
	const char	*url;
	struct ld_seen	 ld;
	/* The JSON-LD Product's description: shops often render it from
	 * script or behind a tab, so the body may lack it. */
	char		*product;
	/* The first title each source gives, whichever ranks best: the <h1>
	 * rule asks whether the page's metadata names it with one voice. */
	char		*titles[NSRC];
	xmlNode		*h1_article;	/* the first <h1> inside <article> */
	xmlNode		*h1_first;
	int		 nh1;
	int		 narticle;	/* <article> elements */
	/* The first <time datetime> outside the article, comments and the
	 * page's frame: a page with no <article> may show its date so. */
	const char	*time_loose;
	int		 oom;
};

/* The rank of source s for field f (1 = best), 0 when s gives no f. */
int	 art_rank_of(enum field f, enum src s);

/* article_byline.c */
/* An author name without the words around it ("By", "Posted by"), into
 * buf; NULL when s is no name. */
const char *art_author_name(const char *s, char *buf, size_t buflen);
/* Offer what the page shows in n (a date line, a byline element, a
 * credit line), and the date in url's path. */
void	 art_date_line(struct meta *m, xmlNode *n);
void	 art_date_label_line(struct meta *m, xmlNode *n);
void	 art_byline(struct meta *m, xmlNode *n);
void	 art_credit_line(struct meta *m, xmlNode *n);
/* Offer the name set in the element after a label n ("Written by"). */
void	 art_label_author(struct meta *m, xmlNode *n);
/* Offer the user name n shows when it is a forum post's. */
void	 art_poster(struct meta *m, xmlNode *n);
void	 art_url_date(struct meta *m, const char *url);

/* When nothing gave the page a published date: its modified date, or
 * on a page with no <article>, its first loose <time>. */
void	 art_fallback_date(struct meta *m);

/* Offer the date shown in a line just after the page's headline h1,
 * when no other source gave one. */
void	 art_headline_date(struct meta *m, xmlNode *h1);
/* 1 when the space-separated list s holds word. */
int	 art_has_word(const char *s, const char *word);
/* 1 when n sits in a page's comments. */
int	 art_in_comments(const xmlNode *n);

/* article_title.c */
/* s (len bytes) lower-cased with all but letters and digits dropped,
 * into buf (which it returns). */
const char *art_squeeze(const char *s, size_t len, char *buf, size_t buflen);
/* The main label of url's host ("ansa" of www.ansa.it), squeezed, into
 * buf; "" when there is none. */
const char *art_host_label(const char *url, char *buf, size_t buflen);
/* 1 when a and b are the same words, whatever their punctuation. */
int	 art_same_words(const char *a, const char *b);
/* 1 when the page's <h1> h1 names the page better than title. */
int	 art_h1_names_page(const char *title, const char *h1);
/* 1 when title is the <h1> h1 and " Archives". */
int	 art_archives_of(const char *title, const char *h1);
/* 1 when the <h1> h1 is title with a clause added. */
int	 art_h1_continues(const char *title, const char *h1);
/* 1 when the page's only title is the site's template, which the <h1>
 * h1 shares no word with. */
int	 art_h1_over_template(const struct meta *m, const char *title,
	    const char *h1, const char *site, const char *url);
/* 1 when the page's metadata leaves title open to the <h1> h1. */
int	 art_open_to_h1(const struct meta *m, const char *title,
	    const char *h1);
/* 1 when the page's <title> names it as its <h1> h1 does. */
int	 art_title_backs_h1(const struct meta *m, const char *site,
	    const char *url, const char *h1);
/* Keep the part of title, split at " | ", with the most words. */
void	 art_keep_main_part(char *title);
/* Cut title's part that names the site, or cut it down to h1. */
void	 art_strip_site(char *title, const char *site, const char *url,
	    const char *h1);

#endif
