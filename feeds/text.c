/*
 * text.c - UTF-8 repair, whitespace, HTML entities and HTML-to-text for the
 * feed and article parsers.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "entities.h"
#include "markup_guard.h"
#include "strbuf.h"
#include "text.h"

/* The longest entity name we look up: HTML5's
 * "CounterClockwiseContourIntegral" is 31. */
#define ENTITY_NAME_MAX 32

static void
buf_putc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

static void
buf_put_cp(struct strbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		strbuf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(b, u, 4);
	}
}

/* Unlike strbuf_finish, an empty result is "", not NULL. */
static char *
buf_finish(struct strbuf *b)
{
	strbuf_add(b, "", 0);
	return strbuf_finish(b);
}

/*
 * The code point of the UTF-8 sequence at s (n bytes available), with
 * *used set to its length; or -1 with *used set to the length of the
 * maximal ill-formed prefix (Unicode's "substitution of maximal subparts"),
 * so each bad stretch becomes exactly one U+FFFD.
 */
static long
utf8_next(const unsigned char *s, size_t n, size_t *used)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	long cp;

	*used = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		cp = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;      /* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;      /* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;      /* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;      /* beyond U+10FFFF */
	} else
		return -1;
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*used = i;
			return -1;
		}
		cp = cp << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*used = need + 1;
	return cp;
}

/* Unicode's White_Space property. */
static int
is_space_cp(long cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Whether the 8n bytes at s are ASCII without a NUL. */
static inline int
plain_ascii(const unsigned char *s, size_t n)
{
	uint64_t any = 0;

	for (size_t k = 0; k < n; k++) {
		uint64_t w;

		memcpy(&w, s + 8 * k, 8);
		any |= w | ((w - ONES) & ~w);
	}
	return (any & HIGHS) == 0;
}

/* The length of the valid UTF-8 without NUL bytes at the start of s:
 * ASCII sixteen or eight bytes at a time (a whole document passes here
 * before the fast scan, and every text of an entry), the rest one
 * sequence at a time. */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0, used;

	while (i < len) {
		if (len - i >= 16 && plain_ascii(s + i, 2)) {
			i += 16;
			continue;
		}
		if (len - i >= 8 && plain_ascii(s + i, 1)) {
			i += 8;
			continue;
		}
		if (s[i] != 0 && s[i] < 0x80)
			i++;
		else if (s[i] != 0 && utf8_next(s + i, len - i, &used) > 0)
			i += used;
		else
			break;
	}
	return i;
}

int
text_utf8_valid(const char *s, size_t len)
{
	return utf8_valid_prefix((const unsigned char *)s, len) == len;
}

char *
text_utf8_undouble(const char *s)
{
	const unsigned char *p;
	unsigned char *out, *o;
	int multi = 0;

	/* Only two-byte sequences of U+0080-U+00FF: C2 or C3 and one
	 * continuation byte. */
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x80)
			continue;
		if ((*p != 0xc2 && *p != 0xc3) || (p[1] & 0xc0) != 0x80)
			return NULL;
		multi = 1;
		p++;
	}
	if (!multi || (out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (p = (const unsigned char *)s, o = out; *p != '\0'; p++) {
		if (*p < 0x80)
			*o++ = *p;
		else {
			*o++ = (unsigned char)(((p[0] & 0x03) << 6) |
			    (p[1] & 0x3f));
			p++;
		}
	}
	*o = '\0';
	/* Latin-1 text ("Caf\xc3\xa9") decodes to stray bytes, not UTF-8. */
	if (!text_utf8_valid((char *)out, (size_t)(o - out))) {
		free(out);
		return NULL;
	}
	return (char *)out;
}

char *
text_utf8_sanitize(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	size_t i, used;

	if (s == NULL || len > (SIZE_MAX - 1) / 3)
		return NULL;
	/* Nearly always all of it: one copy. */
	if ((i = utf8_valid_prefix(p, len)) == len) {
		if ((out = malloc(len + 1)) == NULL)
			return NULL;
		memcpy(out, s, len);
		out[len] = '\0';
		return out;
	}
	if ((out = malloc(len * 3 + 1)) == NULL)
		return NULL;
	memcpy(out, s, i);
	o = out + i;
	while (i < len) {
		long cp = utf8_next(p + i, len - i, &used);

		if (cp <= 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		} else {
			memcpy(o, p + i, used);
			o += used;
		}
		i += used;
	}
	*o = '\0';
	return out;
}

char *
text_base64_decode(const char *s)
{
	struct strbuf b = { 0 };
	uint32_t acc = 0;
	int bits = 0, v;
	size_t i = 0, n, used;
	char *out;

	for (; *s != '\0' && *s != '='; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		else
			goto fail;
		acc = acc << 6 | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_putc(&b, (char)(acc >> bits & 0xff));
		}
	}
	n = b.len;
	if ((out = buf_finish(&b)) == NULL)
		return NULL;
	/* Text only: binary payloads (an image) are no string. */
	while (i < n && utf8_next((const unsigned char *)out + i, n - i,
	    &used) > 0)
		i += used;
	if (i < n) {
		free(out);
		return NULL;
	}
	return out;
fail:
	free(strbuf_finish(&b));
	return NULL;
}

char *
text_squash(const char *s)
{
	char *clean, *out;
	size_t i = 0, len, used;
	int space = 0;
	struct strbuf b = { 0 };

	if (s == NULL || (clean = text_utf8_sanitize(s, strlen(s))) == NULL)
		return NULL;
	len = strlen(clean);
	while (i < len) {
		size_t n = 0;

		/* A run of ASCII but spaces goes in whole, not a character at
		 * a time: a feed's titles and names are mostly that. */
		while (i + n < len && (unsigned char)clean[i + n] < 0x80 &&
		    !is_space_cp((unsigned char)clean[i + n]))
			n++;
		if (n == 0) {
			if (is_space_cp(utf8_next((unsigned char *)clean + i,
			    len - i, &used))) {
				space = 1;
				i += used;
				continue;
			}
			n = used;
		}
		if (space && b.len > 0)
			buf_putc(&b, ' ');
		space = 0;
		strbuf_add(&b, clean + i, n);
		i += n;
	}
	out = buf_finish(&b);
	free(clean);
	return out;
}

char *
text_squash_nonempty(const char *s)
{
	char *out = text_squash(s);

	if (out != NULL && *out == '\0') {
		free(out);
		out = NULL;
	}
	return out;
}

int
text_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/*
 * The character a numeric reference names, as HTML reads it: the C1 range
 * is windows-1252 (what the author's editor meant), and what cannot be a
 * character becomes U+FFFD.
 */
static long
numeric_cp(long cp)
{
	static const uint16_t cp1252[32] = {
		0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
		0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
	};

	if (cp >= 0x80 && cp <= 0x9f)
		return cp1252[cp - 0x80];
	if (cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0xfffd;
	return cp;
}

char *
text_utf8_repair(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	struct strbuf b = { 0 };
	size_t i = 0, done = 0;

	while (i < len) {
		/* NUL bytes are no concern here: skip them one by one */
		i += utf8_valid_prefix(p + i, len - i);
		if (i < len && p[i] == 0) {
			i++;
			continue;
		}
		if (i == len)
			break;
		strbuf_add(&b, s + done, i - done);
		buf_put_cp(&b, (uint32_t)numeric_cp(p[i]));
		done = ++i;
	}
	if (done == 0)
		return NULL;
	strbuf_add(&b, s + done, len - done);
	*outlen = b.len;
	return buf_finish(&b);
}

/* The digits of a numeric reference at s (after "&#", at most n bytes):
 * the code point, with *used set to the length of the digits and any 'x';
 * -1 when there are no digits. */
static long
numeric_ref(const char *s, size_t n, size_t *used)
{
	int hex = n > 0 && (s[0] == 'x' || s[0] == 'X');
	size_t i = hex, start = i;
	long cp = 0;

	for (; i < n && (hex ? isxdigit((unsigned char)s[i]) :
	    isdigit((unsigned char)s[i])); i++) {
		/* Past U+10FFFF, stop counting: it will be U+FFFD. */
		if (cp <= 0x10ffff)
			cp = cp * (hex ? 16 : 10) + (isdigit((unsigned char)s[i]) ?
			    s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	}
	if (i == start)
		return -1;
	*used = i;
	return numeric_cp(cp);
}

long
text_entity_codepoint(const char *name, size_t len)
{
	char key[ENTITY_NAME_MAX + 1];
	size_t used;
	long cp;

	if (name == NULL || len == 0)
		return -1;
	if (name[0] == '#') {
		cp = numeric_ref(name + 1, len - 1, &used);
		return cp >= 0 && used == len - 1 ? cp : -1;
	}
	if (len > ENTITY_NAME_MAX)
		return -1;
	memcpy(key, name, len);
	key[len] = '\0';
	return entities_codepoint(key);
}

/*
 * The reference at s (which points at '&'): its code point, with *used
 * set to its length; -1 when s starts no reference we know.  Numeric
 * references may omit the ';', as browsers allow; names may not.
 */
static long
reference(const char *s, size_t *used)
{
	size_t i = 1;
	long cp;

	if (s[1] == '#') {
		/* s is NUL-terminated: the digits end by themselves. */
		if ((cp = numeric_ref(s + 2, SIZE_MAX, &i)) < 0)
			return -1;
		i += 2;
		if (s[i] == ';')
			i++;
		*used = i;
		return cp;
	}
	while (isalnum((unsigned char)s[i]) && i <= ENTITY_NAME_MAX)
		i++;
	if (s[i] != ';' || (cp = text_entity_codepoint(s + 1, i - 1)) < 0)
		return -1;
	*used = i + 1;
	return cp;
}

char *
text_decode_entities(const char *s)
{
	char *clean, *out;
	struct strbuf b = { 0 };
	size_t i = 0, used;

	if (s == NULL || (clean = text_utf8_sanitize(s, strlen(s))) == NULL)
		return NULL;
	while (clean[i] != '\0') {
		size_t run = strcspn(clean + i, "&");
		long cp;

		strbuf_add(&b, clean + i, run);
		i += run;
		if (clean[i] == '\0')
			break;
		if ((cp = reference(clean + i, &used)) >= 0) {
			buf_put_cp(&b, (uint32_t)cp);
			i += used;
		} else
			buf_putc(&b, clean[i++]);
	}
	out = buf_finish(&b);
	free(clean);
	return out;
}

/* How an element separates the text around it. */
enum flow { FLOW_INLINE, FLOW_SPACE, FLOW_BLOCK, FLOW_SKIP };

static enum flow
element_flow(const char *name)
{
	static const char *const block[] = { "address", "article", "aside",
	    "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
	    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
	    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
	    "p", "pre", "section", "summary", "table", "tr", "ul" };
	static const char *const skip[] = { "head", "noscript", "script",
	    "style", "template" };

	for (size_t i = 0; i < sizeof(block) / sizeof(block[0]); i++)
		if (strcmp(name, block[i]) == 0)
			return FLOW_BLOCK;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return FLOW_SKIP;
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		return FLOW_SPACE;
	return FLOW_INLINE;
}

/* Text being laid out: whitespace is only written once something
 * visible follows it, so lines come out trimmed and squashed. */
struct layout {
	struct strbuf b;
	int space;      /* a space is due before the next visible character */
	int newline;    /* a line break is due */
};

static void
layout_break(struct layout *l, enum flow f)
{
	if (f == FLOW_BLOCK)
		l->newline = 1;
	else if (f == FLOW_SPACE)
		l->space = 1;
}

static void
layout_text(struct layout *l, const char *s)
{
	size_t i = 0, len = strlen(s), used;

	while (i < len) {
		long cp = utf8_next((const unsigned char *)s + i, len - i, &used);

		if (is_space_cp(cp))
			l->space = 1;
		else {
			if (l->b.len > 0 && (l->newline || l->space))
				buf_putc(&l->b, l->newline ? '\n' : ' ');
			l->newline = l->space = 0;
			strbuf_add(&l->b, s + i, used);
		}
		i += used;
	}
}

char *
text_from_html(const char *html)
{
	char *clean = NULL, *guarded = NULL;
	const char *page;
	htmlDocPtr doc = NULL;
	xmlNodePtr n;
	struct layout l = { { 0 }, 0, 0 };
	size_t len;

	if (html == NULL || (clean = text_utf8_sanitize(html,
	    strlen(html))) == NULL)
		return NULL;
	/* htmlReadMemory takes an int size. */
	if ((len = strlen(clean)) > INT32_MAX)
		len = INT32_MAX;
	page = markup_guarded(clean, &len, MARKUP_GUARD_HTML, "UTF-8",
	    &guarded);
	if (page != NULL && len > 0)
		doc = htmlReadMemory(page, (int)len, NULL, "UTF-8",
		    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		    HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
		    HTML_PARSE_IGNORE_ENC);
	/* Walk the tree without recursion: pages nest as deep as they like. */
	for (n = doc != NULL ? doc->children : NULL; n != NULL; ) {
		enum flow f = FLOW_INLINE;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
			layout_text(&l, (const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE) {
			f = element_flow((const char *)n->name);
			layout_break(&l, f);
		}
		if (n->type == XML_ELEMENT_NODE && f != FLOW_SKIP &&
		    n->children != NULL) {
			n = n->children;
			continue;
		}
		/* Climb until a sibling, closing the elements we leave. */
		while (n != NULL) {
			if (n->type == XML_ELEMENT_NODE)
				layout_break(&l, element_flow(
				    (const char *)n->name));
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL || n->type != XML_ELEMENT_NODE)
				n = NULL;
		}
	}
	xmlFreeDoc(doc);
	free(guarded);
	free(clean);
	return buf_finish(&l.b);
}
