/*
 * markup_guard.c - drop the attributes past a cap before libxml2 parses.
 *
 * The scanner follows libxml2 2.9.14's own tokenizer (parser.c and
 * HTMLparser.c), because a guard that reads a quote or a comment
 * differently from the parser can be led to skip the very tag it should
 * cut.  Two facts keep that risk small:
 *
 *  - XML: an attribute value cannot hold '<', and libxml2 ends a start
 *    tag at the first byte that does not fit; so every '<' outside a
 *    comment, CDATA section, PI or the DOCTYPE starts over, here as there.
 *  - HTML: quotes count only in attribute values and DOCTYPE literals, a
 *    start tag needs '<' and an ASCII letter, names stop after 100 bytes
 *    (what follows is the next attribute).  A NUL byte ends a tag, a
 *    value or a literal (libxml2 reads them byte by byte), not a comment,
 *    PI or script (read character by character, NUL as a space); where
 *    libxml2 stops the whole parse at one, reading on costs nothing.
 *
 * Nothing is copied until the first attribute is dropped; from then on
 * out holds everything kept so far and "copied" says how far.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markup_guard.h"
#include "strbuf.h"

/* HTMLparser.c's HTML_PARSER_BUFFER_SIZE: a longer name is cut there and
 * the rest read as the next attribute. */
#define HTML_NAME_MAX 100
/* No attribute dropped yet in this tag. */
#define NO_CUT SIZE_MAX

struct scope {
	size_t depth;   /* the element that declared them */
	size_t n;       /* namespace declarations it kept */
};

struct guard {
	const unsigned char *buf;
	size_t n;               /* code units */
	unsigned w;             /* bytes per code unit: 1, 2 or 4 */
	int be;                 /* big-endian code units */
	int html;
	size_t max_attrs, max_ns;
	struct strbuf out;
	size_t copied;          /* code units already in out or dropped */
	int dropping;           /* out is in use */
	struct markup_guard_stats st;
	/* XML: namespace declarations in scope, by the element that made
	 * them; each entry holds at least one, so max_ns entries suffice. */
	size_t depth, inscope, nscopes;
	struct scope scopes[MARKUP_GUARD_MAX_NS];
	int in_content;         /* past blanks, comments and PIs: the
				 * DOCTYPE comes before (XML), and only
				 * there is it read on its own (HTML) */
	size_t inert_end;       /* up to here no comment, CDATA section,
				 * PI or DOCTYPE starts (pi_unsure) */
};

/* The code unit at i, or 0 past the end (libxml2 reads its input as
 * NUL-terminated too). */
static unsigned
at(const struct guard *g, size_t i)
{
	const unsigned char *p;

	if (i >= g->n)
		return 0;
	p = g->buf + i * g->w;
	switch (g->w) {
	case 1:
		return p[0];
	case 2:
		return g->be ? (unsigned)p[0] << 8 | p[1] :
		    (unsigned)p[1] << 8 | p[0];
	default:
		return g->be ? (unsigned)p[0] << 24 | (unsigned)p[1] << 16 |
		    (unsigned)p[2] << 8 | p[3] : (unsigned)p[3] << 24 |
		    (unsigned)p[2] << 16 | (unsigned)p[1] << 8 | p[0];
	}
}

static int
is_blank(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_letter(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* htmlParseHTMLName's characters. */
static int
is_html_name(unsigned c)
{
	return is_letter(c) || (c >= '0' && c <= '9') || c == ':' ||
	    c == '-' || c == '_' || c == '.';
}

/* Whether the ASCII string s (case folded when nocase) is at i. */
static int
match(const struct guard *g, size_t i, const char *s, int nocase)
{
	for (; *s != '\0'; s++, i++) {
		unsigned c = at(g, i);

		if (nocase && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (unsigned char)*s)
			return 0;
	}
	return 1;
}

/* Just past the first s at or after i, else end (s may start before end
 * and run past it). */
static size_t
past(const struct guard *g, size_t i, size_t end, const char *s)
{
	size_t len = strlen(s), stop;
	const unsigned char *hit;

	/* Bytes that are characters: libc's search, over what a match
	 * starting before end can cover. */
	if (g->w == 1 && i < end) {
		stop = end + len - 1 < g->n ? end + len - 1 : g->n;
		hit = memmem(g->buf + i, stop - i, s, len);
		return hit != NULL ? (size_t)(hit - g->buf) + len : end;
	}
	for (; i < end; i++)
		if (match(g, i, s, 0))
			return i + len;
	return end;
}

static size_t
skip_blanks(const struct guard *g, size_t i, size_t end)
{
	while (i < end && is_blank(at(g, i)))
		i++;
	return i;
}

/* Leave the attribute at [from, to) out of the result, but for the blank
 * it starts with: what follows it must not run into what comes before
 * (libxml2 needs no blank after a quoted value). */
static void
drop(struct guard *g, size_t from, size_t to)
{
	if (is_blank(at(g, from)))
		from++;
	g->dropping = 1;
	strbuf_add(&g->out, (const char *)g->buf + g->copied * g->w,
	    (from - g->copied) * g->w);
	g->copied = to;
}

/* An HTML name at i, as htmlParseHTMLName reads it: 0 when there is none
 * (the first character must be a letter, '_', ':' or '.'). */
static size_t
html_name(const struct guard *g, size_t i, size_t end)
{
	size_t j = i;
	unsigned c = at(g, i);

	if (!is_letter(c) && c != '_' && c != ':' && c != '.')
		return 0;
	while (j < end && j - i < HTML_NAME_MAX && is_html_name(at(g, j)))
		j++;
	return j - i;
}

/* An attribute value at i (after '=' and blanks).  HTML: quoted up to the
 * quote or NUL, else up to a blank or '>'.  XML: quoted only, and '<'
 * ends the tag inside a value (*stop is set). */
static size_t
att_value(const struct guard *g, size_t i, size_t end, int *stop)
{
	unsigned q = at(g, i), c;

	if (q == '"' || q == '\'') {
		for (i++; i < end && (c = at(g, i)) != q; i++)
			if ((g->html && c == 0) || (!g->html && c == '<')) {
				*stop = 1;
				return i;
			}
		return i < end ? i + 1 : end;
	}
	while (i < end && (c = at(g, i)) != 0 && !is_blank(c) && c != '>' &&
	    (g->html || c != '<'))
		i++;
	return i;
}

/* Namespace declarations (XML): xmlns or xmlns:prefix. */
static int
is_xmlns(const struct guard *g, size_t i, size_t nlen)
{
	return !g->html && nlen >= 5 && match(g, i, "xmlns", 0) &&
	    (nlen == 5 || at(g, i + 5) == ':');
}

static void
scope_leave(struct guard *g)
{
	if (g->depth > 0)
		g->depth--;
	while (g->nscopes > 0 && g->scopes[g->nscopes - 1].depth > g->depth)
		g->inscope -= g->scopes[--g->nscopes].n;
}

/* Past the element name at i. */
static size_t
tag_name_end(const struct guard *g, size_t i, size_t end)
{
	unsigned c;

	if (g->html)
		return i + html_name(g, i, end);
	while (i < end && (c = at(g, i)) != '<' && c != '>' && c != '/' &&
	    !is_blank(c))
		i++;
	return i;
}

/* Past the attribute name at i, with its length in *nlen.  An *nlen of 0
 * is an HTML name libxml2 refuses; then past what it skips with it. */
static size_t
attr_name(const struct guard *g, size_t i, size_t end, size_t *nlen)
{
	size_t j = i;
	unsigned c;

	if (g->html) {
		if ((*nlen = html_name(g, i, end)) == 0) {
			/* htmlParseStartTag skips a bogus name up to a blank
			 * or the end of the tag, quotes and all. */
			while (i < end && (c = at(g, i)) != 0 &&
			    !is_blank(c) && c != '>' &&
			    (c != '/' || at(g, i + 1) != '>'))
				i++;
			return i;
		}
		return i + *nlen;
	}
	/* A name libxml2 would refuse ends the tag there; reading on only
	 * counts more. */
	while (i < end && (c = at(g, i)) != '<' && c != '>' && c != '=' &&
	    c != '/' && !is_blank(c))
		i++;
	if (i == j)
		i++;
	*nlen = i - j;
	return i;
}

/* What one start tag has used of the caps. */
struct tag_caps {
	size_t	nattrs;
	size_t	nns;	/* namespace declarations kept */
	size_t	cut;	/* where the attributes past the cap begin */
};

/* Count the attribute from a0 to i, its name nlen bytes at j: a namespace
 * declaration past its cap goes at once, and the first attribute past
 * the attribute cap marks where the rest of the tag goes. */
static void
count_attr(struct guard *g, struct tag_caps *tc, size_t a0, size_t j,
    size_t nlen, size_t i)
{
	if (tc->cut != NO_CUT)
		is_xmlns(g, j, nlen) ? g->st.ns++ : g->st.attrs++;
	else if (is_xmlns(g, j, nlen)) {
		if (g->inscope + tc->nns >= g->max_ns) {
			drop(g, a0, i);
			g->st.ns++;
		} else
			tc->nns++;
	} else if (tc->nattrs >= g->max_attrs) {
		tc->cut = a0;
		g->st.attrs++;
	} else
		tc->nattrs++;
}

/* The end of a start tag at i ("/>", ">" or neither).  An XML element
 * left open opens a scope for its nns namespace declarations; an empty
 * one clears *raw.  Returns where reading goes on. */
static size_t
tag_close(struct guard *g, size_t i, size_t end, size_t nns,
    const char **raw)
{
	int empty = 0;

	if (at(g, i) == '/' && i + 1 < end) {
		empty = 1;
		i++;
	}
	if (i < end && at(g, i) == '>')
		i++;
	else
		empty = 1;      /* libxml2 pops an unfinished tag */
	if (empty)
		*raw = NULL;
	if (!g->html && !empty) {
		g->depth++;
		if (nns > 0) {
			g->scopes[g->nscopes].depth = g->depth;
			g->scopes[g->nscopes++].n = nns;
			g->inscope += nns;
		}
	}
	return i;
}

/*
 * The start tag at i ('<' and a name start).  Returns where reading goes
 * on; *raw is "script" or "style" for an HTML <script> or <style> that is
 * not self-closed (its content is text up to its end tag), else NULL.
 */
static size_t
start_tag(struct guard *g, size_t i, size_t end, const char **raw)
{
	struct tag_caps tc = { 0, 0, NO_CUT };
	size_t name, tlen, nlen, a0, j;
	unsigned c;
	int stop = 0;

	name = ++i;
	i = tag_name_end(g, i, end);
	tlen = i - name;
	*raw = !g->html ? NULL : tlen == 6 && match(g, name, "script", 1) ?
	    "script" : tlen == 5 && match(g, name, "style", 1) ? "style" :
	    NULL;
	g->in_content = 1;
	for (;;) {
		a0 = i;
		i = skip_blanks(g, i, end);
		c = at(g, i);
		if (i >= end || c == '>' || (c == '/' && at(g, i + 1) == '>') ||
		    (g->html && c == 0) || (!g->html && c == '<'))
			break;
		j = i;
		i = attr_name(g, i, end, &nlen);
		if (nlen == 0)
			continue;
		if (at(g, skip_blanks(g, i, end)) == '=') {
			i = skip_blanks(g, skip_blanks(g, i, end) + 1, end);
			i = att_value(g, i, end, &stop);
		}
		count_attr(g, &tc, a0, j, nlen, i);
		if (stop)
			break;
	}
	/* Past the cap the rest of the tag goes, bogus bits and all: what
	 * stayed could read differently without what went ("a =x" makes
	 * x a's value once "a b" loses b). */
	if (tc.cut != NO_CUT)
		drop(g, tc.cut, i);
	if (stop)
		return i;
	return tag_close(g, i, end, tc.nns, raw);
}

/* An HTML end tag at i ("</" and a letter), as htmlParseEndTag reads
 * it; *name_at and *nlen give its name. */
static size_t
html_end_tag(const struct guard *g, size_t i, size_t end, size_t *name_at,
    size_t *nlen)
{
	unsigned c;

	*name_at = i + 2;
	*nlen = html_name(g, i + 2, end);
	i = skip_blanks(g, i + 2 + *nlen, end);
	while (i < end && (c = at(g, i)) != 0 && c != '>')
		i++;
	return i < end && at(g, i) == '>' ? i + 1 : i;
}

/*
 * The text of a <script> or <style> element starting at i, as
 * htmlParseContentInternal reads it: up to "</" and the element's name.
 * An end tag where the text starts or resumes is parsed as one, though,
 * and ends the text when it closes an element around it, which depends
 * on the elements libxml2 holds open and those it implied: such a tag is
 * left out, so that the text ends where it is read to end here.
 */
static size_t
html_raw(struct guard *g, size_t i, size_t end, const char *name)
{
	size_t tag, at_name, nlen;

	while (i < end) {
		if (match(g, i, "</", 0)) {
			if (html_name(g, i + 2, end) == 0) {
				i += 2;
				continue;
			}
			tag = i;
			i = html_end_tag(g, i, end, &at_name, &nlen);
			if (nlen == strlen(name) && match(g, at_name, name, 1))
				break;
			drop(g, tag, i);
			g->st.tags++;
			continue;
		}
		while (i < end &&
		    !(match(g, i, "</", 0) && match(g, i + 2, name, 1)))
			i++;
	}
	return i;
}

/* A quoted literal at i in an HTML DOCTYPE: to the quote or a NUL. */
static size_t
html_literal(const struct guard *g, size_t i, size_t end)
{
	unsigned q = at(g, i), c;

	if (q != '"' && q != '\'')
		return i;
	for (i++; i < end && (c = at(g, i)) != q && c != 0; i++)
		;
	return i < end && at(g, i) == q ? i + 1 : i;
}

/* An HTML DOCTYPE at i, as htmlParseDocTypeDecl reads it: only the
 * literals after SYSTEM or PUBLIC are quoted. */
static size_t
html_doctype(const struct guard *g, size_t i, size_t end)
{
	unsigned c;

	i = skip_blanks(g, i + 9, end);
	while (i < end && (is_html_name(at(g, i))))
		i++;
	i = skip_blanks(g, i, end);
	if (match(g, i, "system", 1))
		i = html_literal(g, skip_blanks(g, i + 6, end), end);
	else if (match(g, i, "public", 1)) {
		i = html_literal(g, skip_blanks(g, i + 6, end), end);
		i = html_literal(g, skip_blanks(g, i, end), end);
	}
	while (i < end && (c = at(g, i)) != 0 && c != '>')
		i++;
	return i < end && at(g, i) == '>' ? i + 1 : i;
}

/* Past the comment at i; HTML also ends one at "--!>" (htmlParseComment). */
static size_t
comment_end(const struct guard *g, size_t i, size_t end)
{
	if (!g->html)
		return past(g, i + 4, end, "-->");
	for (i += 4; i < end; i++) {
		if (match(g, i, "-->", 0))
			return i + 3;
		if (g->html && match(g, i, "--!>", 0))
			return i + 4;
	}
	return end;
}

/* Past the PI at i: it needs a target, else "<?" is text.  HTML ends it
 * at '>', XML at "?>". */
static size_t
pi_end(const struct guard *g, size_t i, size_t end)
{
	unsigned c = at(g, i + 2);

	if (!is_letter(c) && c != '_' && c != ':' && c < 0x80)
		return i + 2;
	if (!g->html)
		return past(g, i + 2, end, "?>");
	while (i < end && at(g, i) != '>')
		i++;
	return i;
}

/*
 * Whether libxml2 may or may not read the "<?" at i as a PI: a target
 * that starts with a non-ASCII code unit is a name or not by tables this
 * scan does not hold, and by the encoding libxml2 settles on (it reads on
 * as Latin-1 after a bad UTF-8 byte, where 0xff is a letter).  Read either
 * way, such a PI's tags are scanned, and nothing in it (a comment, say)
 * may hide what follows its end from the scan: "<?\xff<!--><a ...>".
 */
static int
pi_unsure(const struct guard *g, size_t i)
{
	return at(g, i + 2) >= 0x80;
}

static void scan(struct guard *, size_t, size_t, int);

/*
 * Whether the DOCTYPE literal [i, end) is markup written in character
 * references, which no byte scan can read: an entity value holding
 * "&#60;" (or "&#38;", a reference made once the value is read) turns
 * into markup where the entity is used, and one with markup and any
 * reference may spell its blanks, quotes or '=' that way.
 */
static int
literal_hides_markup(const struct guard *g, size_t i, size_t end)
{
	int refs = 0, markup = 0;
	unsigned long v;
	unsigned c, base;

	for (; i < end; i++) {
		if (at(g, i) == '<')
			markup = 1;
		if (!match(g, i, "&#", 0))
			continue;
		refs = 1;
		base = at(g, i + 2) == 'x' ? 16 : 10;
		for (i += base == 16 ? 3 : 2, v = 0; i < end; i++) {
			c = at(g, i);
			if (c >= '0' && c <= '9')
				c -= '0';
			else if (base == 16 && (c | 0x20) >= 'a' &&
			    (c | 0x20) <= 'f')
				c = (c | 0x20) - 'a' + 10;
			else
				break;
			if (v < 0x110000)
				v = v * base + c;
		}
		if (v == '<' || v == '&')
			markup = 1;
		i--;
	}
	return refs && markup;
}

/* Past the declaration at i: its '>' outside quotes. */
static size_t
attlist_end(const struct guard *g, size_t i, size_t end)
{
	unsigned c, q = 0;

	for (; i < end; i++) {
		c = at(g, i);
		if (q != 0) {
			if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'')
			q = c;
		else if (c == '>')
			return i + 1;
	}
	return end;
}

/* An XML DOCTYPE at i: its literals (entity values may hold markup,
 * parsed where the entity is used) are read as content, or emptied when
 * they hide markup in character references. */
static size_t
xml_doctype(struct guard *g, size_t i, size_t end)
{
	int subset = 0;
	unsigned c;
	size_t close;

	for (i += 9; i < end; i++) {
		c = at(g, i);
		if (c == '"' || c == '\'') {
			for (close = i + 1; close < end && at(g, close) != c;
			    close++)
				;
			if (literal_hides_markup(g, i + 1, close)) {
				drop(g, i + 1, close);
				g->st.entities++;
			} else
				scan(g, i + 1, close, 1);
			i = close;
		} else if (match(g, i, "<!--", 0))
			i = past(g, i + 4, end, "-->") - 1;
		else if (match(g, i, "<?", 0))
			i = past(g, i + 2, end, "?>") - 1;
		else if (subset && match(g, i, "<!ATTLIST", 0)) {
			/* Its defaults go into every element named, each
			 * checked against all the others: 50,000 of them
			 * cost minutes and gigabytes.  No feed needs one. */
			close = attlist_end(g, i, end);
			drop(g, i, close);
			g->st.attlists++;
			i = close - 1;
		} else if (c == '[')
			subset = 1;
		else if (c == ']')
			subset = 0;
		else if (c == '>' && !subset)
			return i + 1;
	}
	return end;
}

/* Content from i to end; literal: inside a DOCTYPE literal (no DOCTYPE
 * there). */
static void
scan(struct guard *g, size_t i, size_t end, int literal)
{
	size_t name_at, nlen;
	const char *raw;
	unsigned c;
	int prolog;

	while (i < end) {
		c = at(g, i);
		if (c != '<') {
			/* An unsure PI's text is the PI's, as libxml2 most
			 * likely reads it: the prolog goes on. */
			if (!is_blank(c) && i >= g->inert_end)
				g->in_content = 1;
			i++;
			/* Text says nothing more once in content: on to the
			 * next '<' at once where bytes are characters. */
			if (g->in_content && g->w == 1 && i < end) {
				raw = memchr(g->buf + i, '<', end - i);
				i = raw != NULL ? (size_t)((const unsigned char *)
				    raw - g->buf) : end;
			}
			continue;
		}
		c = at(g, i + 1);
		if (i < g->inert_end && (c == '!' || c == '?')) {
			i++;
			continue;
		}
		if (match(g, i, "<!--", 0)) {
			i = comment_end(g, i, end);
			continue;
		}
		if (c == '?' && pi_unsure(g, i)) {
			g->inert_end = pi_end(g, i, end);
			i += 2;
			continue;
		}
		if (c == '?') {
			i = pi_end(g, i, end);
			continue;
		}
		prolog = !g->in_content;
		if (i >= g->inert_end)
			g->in_content = 1;
		if (!g->html && match(g, i, "<![CDATA[", 0))
			i = past(g, i + 9, end, "]]>");
		else if (c == '!' && g->html && match(g, i, "<!doctype", 1)) {
			/* In content the same turn of libxml2's loop goes on
			 * with a comment, PI or start tag; "<" of anything
			 * else is text. */
			i = html_doctype(g, i, end);
			if (!prolog && (match(g, i, "</", 0) ||
			    match(g, i, "<!doctype", 1)))
				i++;
		} else if (c == '!' && !g->html && !literal && prolog &&
		    match(g, i, "<!DOCTYPE", 0))
			i = xml_doctype(g, i, end);
		else if (c == '/' && g->html) {
			if (html_name(g, i + 2, end) == 0)
				i += 2;
			else
				i = html_end_tag(g, i, end, &name_at, &nlen);
		} else if (c == '/') {
			scope_leave(g);
			i += 2;
		} else if (is_letter(c) || (!g->html && (c == '_' ||
		    c == ':' || c >= 0x80))) {
			size_t tag = i;

			i = start_tag(g, i, end, &raw);
			/* In an unsure PI a <script> may be the PI's text: its
			 * tags are read on, not skipped as script. */
			if (raw != NULL && tag >= g->inert_end)
				i = html_raw(g, i, end, raw);
		} else
			i++;
	}
}

/* Code unit width and order: the charset's when it names UTF-16 or
 * UTF-32 (libxml2 reads plain "UTF-16" as little-endian; a BOM says
 * which), else as xmlDetectCharEncoding tells them from the first bytes
 * (a BOM, or "<?" or "<" in UTF-16 or UTF-32) when the parser is told no
 * charset. */
static void
detect_width(struct guard *g, const unsigned char *b, size_t len,
    const char *charset)
{
	g->w = 1;
	if (charset != NULL && (strncasecmp(charset, "utf-16", 6) == 0 ||
	    strncasecmp(charset, "utf-32", 6) == 0)) {
		g->w = charset[4] == '1' ? 2 : 4;
		g->be = strcasecmp(charset + 6, "be") == 0;
		if (len >= 2 && b[0] == 0xfe && b[1] == 0xff)
			g->be = 1;
		else if (len >= 2 && b[0] == 0xff && b[1] == 0xfe)
			g->be = 0;
		return;
	}
	if (charset != NULL || len < 4)
		return;
	if ((b[0] == 0xff && b[1] == 0xfe && b[2] == 0 && b[3] == 0) ||
	    (b[0] == '<' && b[1] == 0 && b[2] == 0 && b[3] == 0))
		g->w = 4;
	else if ((b[0] == 0 && b[1] == 0 && b[2] == 0xfe && b[3] == 0xff) ||
	    (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == '<')) {
		g->w = 4;
		g->be = 1;
	} else if ((b[0] == 0xff && b[1] == 0xfe) ||
	    (b[0] == '<' && b[1] == 0 && b[2] == '?' && b[3] == 0))
		g->w = 2;
	else if ((b[0] == 0xfe && b[1] == 0xff) ||
	    (b[0] == 0 && b[1] == '<' && b[2] == 0 && b[3] == '?')) {
		g->w = 2;
		g->be = 1;
	}
}

int
markup_guard(const char *buf, size_t len, unsigned flags,
    const char *charset, size_t max_attrs, size_t max_ns, char **out,
    size_t *outlen, struct markup_guard_stats *stats)
{
	struct guard g;
	size_t n;

	memset(&g, 0, sizeof(g));
	*out = NULL;
	*outlen = len;
	g.buf = (const unsigned char *)buf;
	g.html = (flags & MARKUP_GUARD_HTML) != 0;
	g.max_attrs = max_attrs;
	g.max_ns = max_ns < MARKUP_GUARD_MAX_NS ? max_ns : MARKUP_GUARD_MAX_NS;
	detect_width(&g, g.buf, len, charset);
	g.n = len / g.w;
	scan(&g, 0, g.n, 0);
	if (stats != NULL)
		*stats = g.st;
	if (!g.dropping)
		return 0;
	strbuf_add(&g.out, buf + g.copied * g.w, len - g.copied * g.w);
	n = g.out.len;
	if ((*out = strbuf_finish(&g.out)) == NULL)
		return -1;
	*outlen = n;
	return 0;
}

const char *
markup_guarded(const char *buf, size_t *len, unsigned flags,
    const char *charset, char **copy)
{
	if (markup_guard(buf, *len, flags, charset, MARKUP_GUARD_MAX_ATTRS,
	    MARKUP_GUARD_MAX_NS, copy, len, NULL) == -1)
		return NULL;
	return *copy != NULL ? *copy : buf;
}
