/*
 * article_title.c - the article's title as the page names it: the chosen
 * title without its " | Site" part, or the <h1> where that names the page
 * better (or where the <title> says what it says), or the title's main
 * part between bars; and whether a name (an author's) is only the site's.
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

/* s lower-cased with everything but letters and digits dropped, into
 * buf. */
const char *
art_squeeze(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t i, j;

	for (i = j = 0; i < len && j + 1 < buflen; i++)
		if (isalnum((unsigned char)s[i]) || (s[i] & 0x80))
			buf[j++] = (char)tolower((unsigned char)s[i]);
	buf[j] = '\0';
	return buf;
}

/* s lower-cased with only its letters and digits into buf: ASCII
 * punctuation and spaces go, and so do the UTF-8 punctuation marks titles
 * are typeset with (U+2000-U+206F: dashes, curly quotes, ellipsis;
 * U+00A0-U+00BF: no-break space, guillemets, middle dot). */
static const char *
words_only(const char *s, char *buf, size_t buflen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t j = 0;

	while (*p != '\0' && j + 4 < buflen) {
		if (*p < 0x80) {
			if (isalnum(*p))
				buf[j++] = (char)tolower(*p);
			p++;
		} else if (p[0] == 0xe2 && (p[1] == 0x80 || p[1] == 0x81) &&
		    p[2] != '\0')
			p += 3;
		else if (p[0] == 0xc2 && p[1] >= 0xa0 && p[1] <= 0xbf)
			p += 2;
		else
			buf[j++] = (char)*p++;
	}
	buf[j] = '\0';
	return buf;
}

/* 1 when a and b are the same words, whatever their punctuation. */
int
art_same_words(const char *a, const char *b)
{
	char x[512], y[512];

	return strcmp(words_only(a, x, sizeof(x)),
	    words_only(b, y, sizeof(y))) == 0 && x[0] != '\0';
}

/* What sets a title's parts apart ("Headline | Section | Site"). */
static const char *const seps[] = {
	" | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", " \xc2\xb7 ",
	" :: ", " \xc2\xbb ", " \xe2\x80\xba ", " // ", " : ",
	" \xe2\x80\xa2 ",
};

/* 1 when s has a part set apart ("Headline | Site"). */
static int
has_sep(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strstr(s, seps[i]) != NULL)
			return 1;
	return 0;
}

/* The share of the <h1>'s words a title must have for the two to name
 * the same thing: below it, the <h1> is a section's or a site's. */
#define H1_SHARED	0.4

/* The fewest words an <h1> has to name a page over its meta title: two
 * ("Minecraft News", "Yoga Pathways") is a section's or a site's name. */
#define H1_WORDS	3

/* How many letters a part of a title may add to the site's name and
 * still be only its name ("Thomann UK", "OÖ Volksblatt"). */
#define SITE_NAME_SLACK	4

/* The longest title whose words we compare, in bytes. */
#define TITLE_WORDS_MAX	512

/* The next word of *s (letters, digits, any non-ASCII byte), lower case,
 * into buf; 0 at the end of *s. */
static int
next_word(const char **s, char *buf, size_t buflen)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t j = 0;

	while (*p != '\0' && !isalnum(*p) && *p < 0x80)
		p++;
	while (*p != '\0' && (isalnum(*p) || *p >= 0x80)) {
		if (j + 1 < buflen)
			buf[j++] = (char)tolower(*p);
		p++;
	}
	buf[j] = '\0';
	*s = (const char *)p;
	return j > 0;
}

/* How many words the first len bytes of s hold. */
static size_t
count_words(const char *s, size_t len)
{
	size_t i, n = 0;
	int in = 0;

	for (i = 0; i < len; i++) {
		if (isalnum((unsigned char)s[i]) || (s[i] & 0x80)) {
			n += !in;
			in = 1;
		} else
			in = 0;
	}
	return n;
}

/* 1 when word w is one of the words of s. */
static int
has_title_word(const char *s, const char *w)
{
	char buf[TITLE_WORDS_MAX];

	while (next_word(&s, buf, sizeof(buf)))
		if (strcmp(buf, w) == 0)
			return 1;
	return 0;
}

/*
 * 1 when the page's <h1> h1 names the page better than title: they share
 * a word, yet each says something the other does not.  The meta tags
 * carry the title for search results and share cards ("Best Apps to
 * Learn a Language in 2025 - Top 10 Picks"), the <h1> what the reader
 * sees ("Top 10: Best Language Learning App"), on shop, forum and
 * landing pages alike.  Sharing a word or two ("Test document title",
 * "Dublin Core property title") is not naming the same thing.  A title that only adds words to the <h1> ("Storm
 * warnings for the weekend") or only lacks some is kept: the <h1> is
 * then the short form, or adds a kicker.
 */
int
art_h1_names_page(const char *title, const char *h1)
{
	char w[TITLE_WORDS_MAX];
	const char *s;
	int more = 0, shared = 0, words = 0;

	if (strlen(title) >= TITLE_WORDS_MAX || strlen(h1) >= TITLE_WORDS_MAX)
		return 0;
	for (s = title; !more && next_word(&s, w, sizeof(w)); )
		more = !has_title_word(h1, w);
	for (s = h1; next_word(&s, w, sizeof(w)); words++)
		shared += has_title_word(title, w);
	return more && shared < words && shared >= H1_SHARED * words &&
	    words >= H1_WORDS;
}

/*
 * 1 when the <h1> h1 is title carried on: it starts with all of title's
 * words and adds a clause ("House Renovation Costs in the Bay Area" and
 * "...: Room-by-Room Breakdown", "Best High School Tutors in 2025" and
 * "..., Reviewed by a Student").  Titles for search results are cut to
 * fit; the reader sees the whole headline.  What follows a separator
 * (" - Site", " | Section") is no clause, and an <h1> more than twice as
 * long holds more than a headline.
 */
int
art_h1_continues(const char *title, const char *h1)
{
	char a[TITLE_WORDS_MAX], b[TITLE_WORDS_MAX];
	const char *s = title, *h = h1;
	size_t i, twords = 0, hwords;

	if (strlen(title) >= TITLE_WORDS_MAX || strlen(h1) >= TITLE_WORDS_MAX)
		return 0;
	while (next_word(&s, a, sizeof(a))) {
		if (!next_word(&h, b, sizeof(b)) || strcmp(a, b) != 0)
			return 0;
		twords++;
	}
	hwords = twords + count_words(h, strlen(h));
	if (twords == 0 || hwords == twords || hwords > 2 * twords)
		return 0;
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strncmp(h, seps[i], strlen(seps[i])) == 0)
			return 0;
	return 1;
}

/*
 * 1 when the page's metadata leaves title, the title it chose, open to
 * the <h1> h1.  Where the sources disagree and one of them is the <h1>
 * ("How to watch the 21 best films of 2017" in JSON-LD and <title>, "The
 * 21 best movies of 2017" in og:title and the <h1>), the publisher ranked
 * the two names, and the precedence stands; a <h1> none of them gives is
 * the headline the reader sees.  A page whose only title is a <title>
 * with no site or section part has named the page once, as meant.
 */
int
art_open_to_h1(const struct meta *m, const char *title, const char *h1)
{
	char t[TITLE_WORDS_MAX], h[TITLE_WORDS_MAX], o[TITLE_WORDS_MAX];
	size_t i, n = 0, tlen, hlen;
	int split = 0, h1_named = 0;

	tlen = strlen(words_only(title, t, sizeof(t)));
	hlen = strlen(words_only(h1, h, sizeof(h)));
	for (i = 0; i < NSRC; i++) {
		if (m->titles[i] == NULL)
			continue;
		words_only(m->titles[i], o, sizeof(o));
		split |= strncmp(o, t, tlen) != 0;
		h1_named |= strncmp(o, h, hlen) == 0;
		n++;
	}
	if (split && h1_named)
		return 0;
	if (n == 1 && m->titles[SRC_TITLE] != NULL)
		return has_sep(m->titles[SRC_TITLE]);
	return 1;
}

/* The main label of the URL's host ("ansa" of www.ansa.it), squeezed,
 * into buf; "" when there is none. */
const char *
art_host_label(const char *url, char *buf, size_t buflen)
{
	const char *host, *end, *dot;

	buf[0] = '\0';
	if (url == NULL || (host = strstr(url, "://")) == NULL)
		return buf;
	host += 3;
	end = host + strcspn(host, "/:?#");
	/* The label before the public suffix; good enough for the common
	 * "www.site.tld" and "site.co.uk" shapes. */
	for (dot = end; dot > host && dot[-1] != '.'; dot--)
		;
	if (dot > host)
		end = dot - 1;
	if (end - host > 3 && strncmp(end - 3, ".co", 3) == 0)
		end -= 3;
	for (dot = end; dot > host && dot[-1] != '.'; dot--)
		;
	return art_squeeze(dot, (size_t)(end - dot), buf, buflen);
}

/* 1 when part (len bytes) of a title names the site: its name, or the
 * main label of the host. */
static int
names_site(const char *part, size_t len, const char *site, const char *url)
{
	char p[128], s[128], h[128];

	art_squeeze(part, len, p, sizeof(p));
	if (strlen(p) < 2)
		return 0;
	if (site != NULL) {
		art_squeeze(site, strlen(site), s, sizeof(s));
		if (strcmp(p, s) == 0 ||
		    (strlen(s) >= 4 && strstr(p, s) != NULL) ||
		    (strlen(p) >= 4 && strstr(s, p) != NULL))
			return 1;
	}
	art_host_label(url, h, sizeof(h));
	return strlen(h) >= 3 && strstr(p, h) != NULL;
}

/* 1 when part (len bytes) is the site's name and little else: "Thomann
 * UK" on thomann.de, not "Gymshark Arrival T-Shirt" on gymshark.com. */
static int
is_site_name(const char *part, size_t len, const char *site,
    const char *url)
{
	char p[128], h[128];

	if (!names_site(part, len, site, url))
		return 0;
	art_squeeze(part, len, p, sizeof(p));
	art_host_label(url, h, sizeof(h));
	return strlen(p) <= strlen(h) + SITE_NAME_SLACK || (site != NULL &&
	    strlen(p) <= strlen(site) + SITE_NAME_SLACK);
}

/* 1 when a title's leading part (len bytes) is the site's: its name
 * alone, or its name and a section set apart ("NationStates \xe2\x80\xa2 View
 * topic"). */
static int
is_site_part(const char *part, size_t len, const char *site,
    const char *url)
{
	char buf[TITLE_WORDS_MAX];
	size_t i;

	if (is_site_name(part, len, site, url))
		return 1;
	if (len >= sizeof(buf) || !names_site(part, len, site, url))
		return 0;
	snprintf(buf, sizeof(buf), "%.*s", (int)len, part);
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strstr(buf, seps[i]) != NULL)
			return 1;
	return 0;
}

/*
 * 1 when the page's only title, its <title>, is the site's template
 * ("Reddit - The heart of the internet": the site's name and its
 * slogan, the same on every page), so the <h1> h1 names the page: the
 * title, its site's part cut, shares no word with an <h1> of two words
 * or more that is not the site's name.
 */
int
art_h1_over_template(const struct meta *m, const char *title,
    const char *h1, const char *site, const char *url)
{
	char w[TITLE_WORDS_MAX];
	const char *s;
	size_t i;

	for (i = 0; i < NSRC; i++)
		if (i != SRC_TITLE && m->titles[i] != NULL)
			return 0;
	if (m->titles[SRC_TITLE] == NULL || !has_sep(m->titles[SRC_TITLE]) ||
	    strlen(title) >= TITLE_WORDS_MAX || strlen(h1) >= TITLE_WORDS_MAX ||
	    count_words(h1, strlen(h1)) < 2 ||
	    is_site_name(h1, strlen(h1), site, url))
		return 0;
	for (s = title; next_word(&s, w, sizeof(w)); )
		if (has_title_word(h1, w))
			return 0;
	return 1;
}

/* The title without a leading or trailing part that names the site, or
 * cut down to the h1 it starts or ends with ("Headline - Section - Site"
 * when the page's <h1> says "Headline").  A leading part must be the
 * site's name alone: a product's name starts with its brand, and the
 * brand is often the shop.  An <h1> that is the site's name (a forum's
 * banner) is no headline to cut down to. */
void
art_strip_site(char *title, const char *site, const char *url, const char *h1)
{
	const char *p, *last;
	size_t i, slen, hlen = h1 != NULL ? strlen(h1) : 0;

	if (hlen > 0 && is_site_name(h1, hlen, site, url))
		hlen = 0;

	/* "Hiking Boots: Shop Boots for Hiking" under a <h1> "Hiking Boots":
	 * the part after the colon is written for search results. */
	if (hlen > 0 && strncmp(title, h1, hlen) == 0 &&
	    strncmp(title + hlen, ": ", 2) == 0) {
		title[hlen] = '\0';
		return;
	}
	for (i = 0; hlen > 0 && i < sizeof(seps) / sizeof(seps[0]); i++) {
		slen = strlen(seps[i]);
		if (strncmp(title, h1, hlen) == 0 &&
		    strncmp(title + hlen, seps[i], slen) == 0) {
			title[hlen] = '\0';
			return;
		}
		p = title + strlen(title);
		if ((size_t)(p - title) > hlen + slen &&
		    strcmp(p - hlen, h1) == 0 &&
		    strncmp(p - hlen - slen, seps[i], slen) == 0) {
			memmove(title, p - hlen, hlen + 1);
			return;
		}
	}
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		slen = strlen(seps[i]);
		for (last = NULL, p = title; (p = strstr(p, seps[i])) != NULL;
		    p++)
			last = p;
		if (last != NULL && last != title &&
		    names_site(last + slen, strlen(last + slen), site, url)) {
			title[last - title] = '\0';
			return;
		}
		if ((p = strstr(title, seps[i])) != NULL && p != title &&
		    p[slen] != '\0' &&
		    is_site_part(title, (size_t)(p - title), site, url)) {
			memmove(title, p + slen, strlen(p + slen) + 1);
			return;
		}
	}
}

/* 1 when title is the <h1> h1 with " Archives" after it: WordPress
 * names a category's page so ("Recipes Archives"); the reader sees the
 * category's name.  Only the <h1> tells that suffix from a name's own
 * word ("The National Archives"). */
int
art_archives_of(const char *title, const char *h1)
{
	size_t hlen = strlen(h1);

	return hlen > 0 && strncmp(title, h1, hlen) == 0 &&
	    strcmp(title + hlen, " Archives") == 0;
}

/*
 * 1 when the page's <title>, its site's part cut, says what its <h1> h1
 * says, in other words than the title chosen from the metadata: the two
 * names the reader sees agree against the one written for search engines
 * and share cards (a Product's review in JSON-LD, a Wikipedia headline of
 * "Wikimedia list article", an og:title of "Sample menus").
 */
int
art_title_backs_h1(const struct meta *m, const char *site, const char *url,
    const char *h1)
{
	char *shown;
	int backs;

	if (m->titles[SRC_TITLE] == NULL ||
	    (shown = strdup(m->titles[SRC_TITLE])) == NULL)
		return 0;
	/* "Silicon Exposed: Open Verilog flow" under a blog's name as <h1>
	 * is the blog's name and the post's title: no backing. */
	if (strncmp(shown, h1, strlen(h1)) == 0 &&
	    strncmp(shown + strlen(h1), ": ", 2) == 0) {
		free(shown);
		return 0;
	}
	art_strip_site(shown, site, url, h1);
	backs = art_same_words(shown, h1) || art_archives_of(shown, h1);
	free(shown);
	return backs;
}

/*
 * The part of title with the most words, in place, when " | " still
 * splits it once the site's part is cut: "Best Movers in NYC 2025 | Top
 * 19 Companies", "Mesh Office Chair | NBF" (a site known by its
 * initials).  The bar sets a search result's keywords and names apart,
 * not a headline's clauses ("Opinion | The long road home" keeps the
 * headline).
 */
void
art_keep_main_part(char *title)
{
	char *p, *end, *best = title;
	size_t words, most = 0, bestlen = strlen(title), len;

	if (strstr(title, " | ") == NULL)
		return;
	for (p = title; p != NULL; p = end != NULL ? end + 3 : NULL) {
		end = strstr(p, " | ");
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if ((words = count_words(p, len)) > most) {
			most = words;
			best = p;
			bestlen = len;
		}
	}
	memmove(title, best, bestlen);
	title[bestlen] = '\0';
}
