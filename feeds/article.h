/*
 * article.h - the article parser: metadata and main body text of one page.
 *
 * Promises: a pure function of bytes (plus the page's final URL, content
 * type and optional XPath rules) to a struct article; never the network,
 * never the disk.  A field with no trustworthy source stays NULL (or
 * NW_TIME_UNSET, or an empty list); nothing is guessed from an unrelated
 * element.  Strings are valid UTF-8, entities decoded, whitespace
 * normalised; URLs absolute against the page URL.
 */
#ifndef NW_ARTICLE_H
#define NW_ARTICLE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "date.h"

/* A per-feed override: the XPath expression that yields one field.  Known
 * fields: title, description, published, modified, authors, section, tags,
 * image, language, site_name, publisher, canonical_url, text.  An XPath
 * that yields nothing leaves the field to the automatic rules.  The field
 * "strip" is no field: what its XPath selects (the root element excepted)
 * is removed from the page before anything else is read. */
struct article_rule {
	const char *field;
	const char *xpath;
};

struct article {
	char *url;           /* the page URL given to article_parse, when it
	                      * is http(s) */
	char *canonical_url; /* http(s), as image */
	char *title;
	char *description;
	int64_t published;   /* UTC seconds or NW_TIME_UNSET */
	int64_t modified;
	char **authors;
	size_t nauthors;
	char *section;       /* "mondo, russia" when the page names several */
	char **tags;
	size_t ntags;
	char *image;
	char *language;      /* BCP 47-ish as the page says: "it", "it-IT", "en" */
	char *site_name;
	char *publisher;
	char *text;          /* body text: paragraphs separated by "\n\n" */
	char *html;          /* the body as cleaned HTML, with ARTICLE_HTML */
	char *refresh;       /* where <meta http-equiv=refresh> sends the
	                      * reader at once (within REFRESH_FOLLOW_MAX
	                      * seconds), absolute http(s), not the page
	                      * itself; else NULL.  Not in the JSON: the
	                      * fetcher follows it */
	const char *source;  /* where text comes from: "page", "rule" (the
	                      * feed's text XPath) or "feed" (the feed's own
	                      * content); static, never NULL */
};

/* A <meta http-equiv=refresh> with a longer delay is a page reloading
 * itself now and then, not a redirect. */
#define REFRESH_FOLLOW_MAX	5

/* article_parse flags. */
#define ARTICLE_HTML	0x1	/* also keep the body as cleaned HTML:
				 * the chosen elements with only href, src,
				 * alt, title, datetime and table span
				 * attributes */

/* Return 0 when field names a known article field, else -1. */
int article_rule_field_known(const char *field);

/* Return 0 when xpath compiles, else -1 with the reason in err. */
int article_rule_check(const char *xpath, char *err, size_t errlen);

/*
 * Parse len bytes of the HTML page buf fetched from url (after redirects;
 * may be NULL).  content_type (may be NULL) gives the charset, which wins
 * over everything; then bytes that are valid UTF-8 are read as UTF-8,
 * else the BOM or <meta charset> decides.  rules/nrules are the feed's
 * overrides (may be NULL/0); flags is 0 or ARTICLE_HTML.  Returns 0 and
 * *out (caller frees with article_free), or -1 and a reason in err when
 * the bytes are not a page at all.
 */
int article_parse(const char *buf, size_t len, const char *url,
    const char *content_type, const struct article_rule *rules, size_t nrules,
    unsigned flags, struct article **out, char *err, size_t errlen);

/*
 * When the feed's own content for the entry (HTML, may be NULL) holds more
 * text than the page gave (a teaser page, a paywall, a page the body rules
 * got wrong), make it the article's text (and html, with ARTICLE_HTML in
 * flags) and set a->source to "feed".  Returns -1 on allocation failure
 * only.
 */
int article_prefer_feed_content(struct article *a, const char *feed_html,
    unsigned flags);

void article_free(struct article *article);

/* The article as a JSON object with the keys url, canonical_url, title,
 * description, published, modified (RFC 3339 UTC), authors, section, tags,
 * image, language, site_name, publisher, text, source, and html when it
 * was asked for; absent values are null or [].  New reference. */
json_t *article_to_json(const struct article *article);

#endif
