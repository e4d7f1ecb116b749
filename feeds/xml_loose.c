/*
 * xml_loose.c - a tolerant XML tokenizer that builds a libxml2 tree: the
 * second pass for documents libxml2 finds not well-formed (see
 * xml_loose.h for what it does with each kind of error).
 *
 * Why a tree and not a stream: the strict pass and the feed code read
 * libxml2 trees (namespaces, xml:base, serialised XHTML), so a tree read
 * loosely goes through the same code and agrees with the strict reading
 * wherever the document is well-formed.  Why an own tokenizer rather
 * than libxml2's HTML parser: that one lower-cases names, knows no
 * namespaces and ends <link> at once (HTML's void element), which is
 * RSS's link.  The approach is sfeed's xml.c (one forward scan, never an
 * error), with namespaces and the repairs feeds need.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "markup_guard.h"
#include "strbuf.h"
#include "text.h"
#include "xml_loose.h"

/* Longer names are no feed's: such a '<' is text. */
#define NAME_LEN_MAX 255
/* The longest reference name looked up ("CounterClockwiseContourIntegral"
 * is 31). */
#define REF_NAME_MAX 32
/* Element names whose end tags are looked for at once (raw text, open
 * CDATA): each keeps its own resumable search. */
#define CLOSE_SLOTS 8
#define NONE SIZE_MAX

/* Where a fixed string next occurs, for positions that only grow: the
 * last answer holds until the position passes it, so each search of the
 * document is done once. */
struct finder {
	char needle[NAME_LEN_MAX + 3];
	size_t nlen, at;
	int valid;
};

struct attr {
	const char *name, *value;
	size_t nlen, vlen;
};

struct loose {
	const char *s;
	size_t len;
	xmlDocPtr doc;
	xmlNodePtr open[XML_LOOSE_MAX_DEPTH];
	size_t nsdecls[XML_LOOSE_MAX_DEPTH];    /* each open element's */
	size_t depth, ns_in_scope;
	int done;               /* the root element was closed */
	struct strbuf text;     /* text not yet added to open[depth - 1] */
	struct finder comment_end, pi_end, cdata_end, cdata_start;
	struct finder dquote, squote;
	struct finder close[CLOSE_SLOTS];
	size_t next_close;
	struct attr attrs[MARKUP_GUARD_MAX_ATTRS];
	size_t nattrs;
	const struct xml_loose_rules *rules;
	struct xml_loose_report *rep;
};

static void
finder_init(struct finder *f, const char *needle, size_t nlen)
{
	memcpy(f->needle, needle, nlen);
	f->nlen = nlen;
	f->valid = 0;
}

static size_t
find(const struct loose *l, struct finder *f, size_t from)
{
	const char *p;

	if (f->valid && (f->at == NONE || f->at >= from))
		return f->at;
	p = from < l->len ? memmem(l->s + from, l->len - from, f->needle,
	    f->nlen) : NULL;
	f->at = p != NULL ? (size_t)(p - l->s) : NONE;
	f->valid = 1;
	return f->at;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static int
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.';
}

/* The length of the name at s (n bytes), 0 when none starts there. */
static size_t
name_len(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_name_start((unsigned char)s[0]))
		return 0;
	while (i < n && is_name_char((unsigned char)s[i]))
		i++;
	return i;
}

static void
put_cp(struct strbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	/* Not XML characters: say that something was there. */
	if (cp == 0 || (cp < 0x20 && !is_space((int)cp)) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_add(b, u, n);
}

/* n bytes of s as text: control characters are no XML text, and
 * libxml2's serialiser would write them as references nobody reads. */
static void
add_raw(struct strbuf *b, const char *s, size_t n)
{
	size_t i = 0, run;

	while (i < n) {
		for (run = i; run < n && ((unsigned char)s[run] >= 0x20 ||
		    is_space((unsigned char)s[run])); run++)
			;
		strbuf_add(b, s + i, run - i);
		i = run + 1;
	}
}

/* The code point of the reference whose name (between '&' and ';') is
 * the n bytes at s, or -1. */
static long
reference(const char *s, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} xml[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' },
	};

	for (size_t k = 0; k < sizeof(xml) / sizeof(xml[0]); k++)
		if (n == strlen(xml[k].name) && memcmp(s, xml[k].name, n) == 0)
			return xml[k].c;
	return text_entity_codepoint(s, n);
}

/* n bytes of s as text with its references decoded; a '&' that starts
 * none is text. */
static void
add_decoded(struct strbuf *b, const char *s, size_t n)
{
	while (n > 0) {
		const char *amp = memchr(s, '&', n);
		size_t run = amp != NULL ? (size_t)(amp - s) : n, k = 1;
		long cp;

		add_raw(b, s, run);
		s += run;
		n -= run;
		if (n == 0)
			break;
		while (k < n && k <= REF_NAME_MAX && (is_name_char(
		    (unsigned char)s[k]) || (k == 1 && s[k] == '#')))
			k++;
		if (k < n && s[k] == ';' && k > 1 &&
		    (cp = reference(s + 1, k - 1)) >= 0) {
			put_cp(b, (unsigned long)cp);
			s += k + 1;
			n -= k + 1;
		} else {
			strbuf_add(b, "&", 1);
			s++;
			n--;
		}
	}
}

/* The qualified name n was read with, as its end tag would spell it. */
static int
qname_is(xmlNodePtr n, const char *name, size_t len)
{
	size_t plen = 0, llen = strlen((const char *)n->name);

	if (n->ns != NULL && n->ns->prefix != NULL) {
		plen = strlen((const char *)n->ns->prefix);
		if (len != plen + 1 + llen || name[plen] != ':' ||
		    memcmp(name, n->ns->prefix, plen) != 0)
			return 0;
		plen++;
	}
	return len == plen + llen && memcmp(name + plen, n->name, llen) == 0;
}

/* The first end tag of name at or after from (its '<'), or NONE. */
static size_t
find_end_tag(struct loose *l, const char *name, size_t len, size_t from)
{
	struct finder *f = NULL;
	size_t at;

	for (size_t k = 0; k < CLOSE_SLOTS && f == NULL; k++)
		if (l->close[k].nlen == len + 2 &&
		    memcmp(l->close[k].needle + 2, name, len) == 0)
			f = &l->close[k];
	if (f == NULL) {
		f = &l->close[l->next_close++ % CLOSE_SLOTS];
		memcpy(f->needle, "</", 2);
		memcpy(f->needle + 2, name, len);
		f->nlen = len + 2;
		f->valid = 0;
	}
	/* "</description2>" is not the end of <description>. */
	while ((at = find(l, f, from)) != NONE && at + f->nlen < l->len &&
	    is_name_char((unsigned char)l->s[at + f->nlen]))
		from = at + 1;
	return at;
}

static void
flush_text(struct loose *l)
{
	xmlNodePtr t;

	if (l->text.len > 0 && l->depth > 0 && (t = xmlNewDocTextLen(l->doc,
	    (const xmlChar *)l->text.p, (int)l->text.len)) != NULL &&
	    xmlAddChild(l->open[l->depth - 1], t) == NULL)
		xmlFreeNode(t);
	l->text.len = 0;
}

static void
pop_to(struct loose *l, size_t depth)
{
	flush_text(l);
	while (l->depth > depth) {
		l->depth--;
		l->ns_in_scope -= l->nsdecls[l->depth];
	}
	if (depth == 0)
		l->done = 1;
}

/* The qualified name of the element the tag at the end tag names; the
 * nearest open one closes, with everything opened inside it. */
static void
end_tag(struct loose *l, const char *name, size_t len)
{
	for (size_t k = l->depth; k-- > 0; ) {
		if (qname_is(l->open[k], name, len)) {
			l->rep->implied_ends += l->depth - 1 - k;
			pop_to(l, k);
			return;
		}
	}
	l->rep->stray_ends++;
}

/* The value of an attribute, from i (after its '='); the position after
 * it.  A value has no '<': without its closing quote before one, the
 * value and the tag end there, and the next tag starts. */
static size_t
scan_value(struct loose *l, size_t i, struct attr *a)
{
	const char *s = l->s, *lt;
	size_t len = l->len, end;

	if (i < len && (s[i] == '"' || s[i] == '\'')) {
		a->value = s + i + 1;
		end = find(l, s[i] == '"' ? &l->dquote : &l->squote, i + 1);
		if (end == NONE)
			end = len;
		if ((lt = memchr(a->value, '<', end - i - 1)) != NULL) {
			a->vlen = (size_t)(lt - a->value);
			return (size_t)(lt - s);
		}
		a->vlen = end - i - 1;
		return end < len ? end + 1 : end;
	}
	a->value = s + i;
	while (i < len && !is_space((unsigned char)s[i]) && s[i] != '>')
		i++;
	a->vlen = (size_t)(s + i - a->value);
	return i;
}

/* Read the attributes of the start tag whose name ends at i into
 * l->attrs; the position after the tag, *empty set for "/>". */
static size_t
scan_attrs(struct loose *l, size_t i, int *empty)
{
	const char *s = l->s;
	size_t len = l->len;

	l->nattrs = 0;
	*empty = 0;
	while (i < len) {
		struct attr a = { 0 };

		if (is_space((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (s[i] == '>')
			return i + 1;
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '>') {
			*empty = 1;
			return i + 2;
		}
		/* A tag left unfinished: the next one starts here. */
		if (s[i] == '<')
			return i;
		a.name = s + i;
		while (i < len && !is_space((unsigned char)s[i]) &&
		    strchr("=></", s[i]) == NULL)
			i++;
		a.nlen = (size_t)(s + i - a.name);
		if (a.nlen == 0) {
			i++;
			continue;
		}
		while (i < len && is_space((unsigned char)s[i]))
			i++;
		a.value = s + i;
		if (i < len && s[i] == '=') {
			i++;
			while (i < len && is_space((unsigned char)s[i]))
				i++;
			i = scan_value(l, i, &a);
		}
		if (l->nattrs < MARKUP_GUARD_MAX_ATTRS && a.nlen <= NAME_LEN_MAX)
			l->attrs[l->nattrs++] = a;
		else
			l->rep->dropped++;
	}
	return len;
}

/* xmlns or xmlns:p: a declaration, not an attribute. */
static int
is_xmlns(const struct attr *a)
{
	return a->nlen >= 5 && memcmp(a->name, "xmlns", 5) == 0 &&
	    (a->nlen == 5 || a->name[5] == ':');
}

/* A NUL-terminated copy of n bytes of s in buf (NAME_LEN_MAX + 1). */
static const char *
cstr(char *buf, const char *s, size_t n)
{
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* The value of a, references decoded, NUL-terminated; NULL on
 * allocation failure.  Caller frees. */
static char *
attr_value(const struct attr *a)
{
	struct strbuf b = { 0 };

	strbuf_add(&b, "", 0);
	add_decoded(&b, a->value, a->vlen);
	return strbuf_finish(&b);
}

/* The xmlns and xmlns:p attributes, as declarations on n. */
static void
declare_namespaces(struct loose *l, xmlNodePtr n, size_t *ndecl)
{
	char prefix[NAME_LEN_MAX + 1];

	for (size_t k = 0; k < l->nattrs; k++) {
		struct attr *a = &l->attrs[k];
		char *href;

		if (!is_xmlns(a))
			continue;
		if (l->ns_in_scope + *ndecl >= MARKUP_GUARD_MAX_NS) {
			l->rep->dropped++;
			continue;
		}
		if ((href = attr_value(a)) == NULL)
			continue;
		if (xmlNewNs(n, (const xmlChar *)href, a->nlen > 6 ? (const
		    xmlChar *)cstr(prefix, a->name + 6, a->nlen - 6) : NULL) !=
		    NULL)
			(*ndecl)++;
		free(href);
	}
}

/* The namespace the prefix of the qualified name (n bytes at q) means
 * at n, and in *local its local part; NULL (and the whole name) when
 * the prefix means nothing there, as libxml2's recovery reads it.  The
 * default namespace applies to elements only. */
static xmlNsPtr
resolve(struct loose *l, xmlNodePtr n, const char *q, size_t len,
    int element, const char **local)
{
	char prefix[NAME_LEN_MAX + 1];
	const char *colon = memchr(q, ':', len);
	xmlNsPtr ns;

	*local = NULL;
	if (colon == NULL || colon == q || colon + 1 == q + len)
		return element ? xmlSearchNs(l->doc, n, NULL) : NULL;
	ns = xmlSearchNs(l->doc, n, (const xmlChar *)cstr(prefix, q,
	    (size_t)(colon - q)));
	if (ns != NULL)
		*local = colon + 1;
	return ns;
}

static void
add_attributes(struct loose *l, xmlNodePtr n)
{
	char name[NAME_LEN_MAX + 1];

	for (size_t k = 0; k < l->nattrs; k++) {
		struct attr *a = &l->attrs[k];
		const char *local;
		xmlNsPtr ns;
		char *v;

		if (is_xmlns(a) || (v = attr_value(a)) == NULL)
			continue;
		cstr(name, a->name, a->nlen);
		ns = resolve(l, n, name, a->nlen, 0, &local);
		if (ns != NULL)
			xmlNewNsProp(n, ns, (const xmlChar *)local,
			    (const xmlChar *)v);
		else
			xmlNewProp(n, (const xmlChar *)name,
			    (const xmlChar *)v);
		free(v);
	}
}

/* Close the open entry the start of entry n implies was left open. */
static void
close_open_entry(struct loose *l)
{
	for (size_t k = l->depth; k-- > 0; ) {
		if (l->rules->entry(l->open[k])) {
			l->rep->implied_ends += l->depth - k;
			pop_to(l, k);
			return;
		}
	}
}

/* The content of a raw-text element, from i to its end tag: markup kept
 * as text, CDATA sections unwrapped.  Returns where reading goes on. */
static size_t
raw_text(struct loose *l, size_t i, const char *name, size_t len)
{
	size_t end = find_end_tag(l, name, len, i), at, stop;
	const char *s = l->s, *lt;
	int markup = 0;

	if (end == NONE)
		end = l->len;
	for (at = i; !markup && (lt = memchr(s + at, '<', end - at)) != NULL;
	    at = (size_t)(lt - s) + 1)
		markup = end - (size_t)(lt - s) < 9 ||
		    memcmp(lt, "<![CDATA[", 9) != 0;
	while (i < end) {
		const char *c = memmem(s + i, end - i, "<![CDATA[", 9);

		stop = c != NULL ? (size_t)(c - s) : end;
		if (markup)
			add_raw(&l->text, s + i, stop - i);
		else
			add_decoded(&l->text, s + i, stop - i);
		if (c == NULL)
			break;
		i = stop + 9;
		c = memmem(s + i, end - i, "]]>", 3);
		stop = c != NULL ? (size_t)(c - s) : end;
		l->rep->open_cdata += c == NULL;
		add_raw(&l->text, s + i, stop - i);
		i = c != NULL ? stop + 3 : end;
	}
	if (end == l->len)
		return end;
	pop_to(l, l->depth - 1);
	lt = memchr(s + end, '>', l->len - end);
	return lt != NULL ? (size_t)(lt - s) + 1 : l->len;
}

/* The start tag whose name is the len bytes at i + 1; returns where
 * reading goes on. */
static size_t
start_tag(struct loose *l, size_t i, size_t len)
{
	char qname[NAME_LEN_MAX + 1];
	const char *local;
	size_t next, ndecl = 0;
	xmlNodePtr n, parent;
	xmlNsPtr ns;
	int empty;

	cstr(qname, l->s + i + 1, len);
	next = scan_attrs(l, i + 1 + len, &empty);
	if (l->done)
		return next;
	if (l->depth == XML_LOOSE_MAX_DEPTH) {
		l->rep->dropped++;
		return next;
	}
	flush_text(l);
	if (l->depth > 0 && l->rules->leaf(l->open[l->depth - 1])) {
		l->rep->implied_ends++;
		pop_to(l, l->depth - 1);
	}
	if ((n = xmlNewDocNode(l->doc, NULL, (const xmlChar *)qname,
	    NULL)) == NULL)
		return next;
	/* Linked to its parent for the namespace look-ups only, then for
	 * good once the parent is known. */
	n->parent = l->depth > 0 ? l->open[l->depth - 1] : NULL;
	declare_namespaces(l, n, &ndecl);
	ns = resolve(l, n, qname, len, 1, &local);
	xmlSetNs(n, ns);
	if (local != NULL)
		xmlNodeSetName(n, (const xmlChar *)local);
	if (l->depth > 0 && l->rules->entry(n))
		close_open_entry(l);
	n->parent = NULL;
	parent = l->depth > 0 ? l->open[l->depth - 1] : NULL;
	if (parent != NULL)
		xmlAddChild(parent, n);
	else if (l->done)
		xmlFreeNode(n);
	else
		xmlDocSetRootElement(l->doc, n);
	if (l->done)
		return next;
	add_attributes(l, n);
	if (empty) {
		/* An empty root is the whole document. */
		l->done = l->depth == 0;
		return next;
	}
	l->nsdecls[l->depth] = ndecl;
	l->ns_in_scope += ndecl;
	l->open[l->depth++] = n;
	if (l->rules->raw_text(n))
		return raw_text(l, next, qname, len);
	return next;
}

/* A CDATA section whose content starts at i: its end is "]]>", unless
 * the next section starts first; then the end tag of its element (or the
 * next section, or the end) ends it.  Returns where reading goes on. */
static size_t
cdata(struct loose *l, size_t i)
{
	size_t end = find(l, &l->cdata_end, i), next = find(l, &l->cdata_start,
	    i), tag;
	xmlNodePtr top = l->depth > 0 ? l->open[l->depth - 1] : NULL;
	char qname[2 * NAME_LEN_MAX + 2];

	if (end != NONE && (next == NONE || end < next)) {
		add_raw(&l->text, l->s + i, end - i);
		return end + 3;
	}
	l->rep->open_cdata++;
	end = next != NONE ? next : l->len;
	if (top != NULL) {
		int n = snprintf(qname, sizeof(qname), "%s%s%s",
		    top->ns != NULL && top->ns->prefix != NULL ?
		    (const char *)top->ns->prefix : "",
		    top->ns != NULL && top->ns->prefix != NULL ? ":" : "",
		    (const char *)top->name);

		if (n > 0 && (size_t)n <= NAME_LEN_MAX &&
		    (tag = find_end_tag(l, qname, (size_t)n, i)) < end)
			end = tag;
	}
	add_raw(&l->text, l->s + i, end - i);
	return end;
}

/* A DOCTYPE, its internal subset included, is skipped. */
static size_t
skip_decl(struct loose *l, size_t i)
{
	const char *s = l->s, *gt = memchr(s + i, '>', l->len - i);
	const char *open = memchr(s + i, '[', l->len - i);

	if (open != NULL && (gt == NULL || open < gt)) {
		const char *close = memmem(open, l->len - (size_t)(open - s),
		    "]>", 2);

		/* "]" and ">" may stand apart: ']' then the next '>'. */
		if (close == NULL && (close = memchr(open, ']', l->len -
		    (size_t)(open - s))) != NULL)
			close = memchr(close, '>', l->len -
			    (size_t)(close - s));
		gt = close != NULL && *close == ']' ? close + 1 : close;
	}
	return gt != NULL ? (size_t)(gt - s) + 1 : l->len;
}

/* What the '<' at i starts; returns where reading goes on. */
static size_t
markup(struct loose *l, size_t i)
{
	const char *s = l->s;
	size_t rest = l->len - i, n, at;

	if (rest >= 4 && memcmp(s + i, "<!--", 4) == 0) {
		at = find(l, &l->comment_end, i + 4);
		return at != NONE ? at + 3 : l->len;
	}
	if (rest >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0)
		return l->depth > 0 ? cdata(l, i + 9) : i + 9;
	if (rest >= 2 && s[i + 1] == '!')
		return skip_decl(l, i);
	if (rest >= 2 && s[i + 1] == '?') {
		at = find(l, &l->pi_end, i + 2);
		return at != NONE ? at + 2 : l->len;
	}
	if (rest >= 2 && s[i + 1] == '/' &&
	    (n = name_len(s + i + 2, rest - 2)) > 0 && n <= NAME_LEN_MAX) {
		const char *gt = memchr(s + i + 2 + n, '>', rest - 2 - n);

		end_tag(l, s + i + 2, n);
		return gt != NULL ? (size_t)(gt - s) + 1 : l->len;
	}
	if ((n = name_len(s + i + 1, rest - 1)) > 0 && n <= NAME_LEN_MAX)
		return start_tag(l, i, n);
	/* Not markup: "a < b" in text. */
	if (l->depth > 0)
		strbuf_add(&l->text, "<", 1);
	return i + 1;
}

static size_t
spaces(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += is_space((unsigned char)s[i]);
	return k;
}

xmlDocPtr
xml_loose_read(const char *buf, size_t len, const char *base_url,
    const struct xml_loose_rules *rules, struct xml_loose_report *rep)
{
	struct loose *l;
	xmlDocPtr doc = NULL;
	size_t i = 0;

	memset(rep, 0, sizeof(*rep));
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->s = buf;
	l->len = len;
	l->rules = rules;
	l->rep = rep;
	finder_init(&l->comment_end, "-->", 3);
	finder_init(&l->pi_end, "?>", 2);
	finder_init(&l->cdata_end, "]]>", 3);
	finder_init(&l->cdata_start, "<![CDATA[", 9);
	finder_init(&l->dquote, "\"", 1);
	finder_init(&l->squote, "'", 1);
	if ((l->doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		goto done;
	if (base_url != NULL)
		l->doc->URL = xmlStrdup((const xmlChar *)base_url);
	while (i < len && !l->done) {
		const char *lt = memchr(buf + i, '<', len - i);
		size_t run = lt != NULL ? (size_t)(lt - buf) - i : len - i;

		if (l->depth > 0)
			add_decoded(&l->text, buf + i, run);
		else if (xmlDocGetRootElement(l->doc) == NULL)
			rep->skipped += run - spaces(buf + i, run);
		i += run;
		if (i < len)
			i = markup(l, i);
	}
	flush_text(l);
	if (l->depth > 0) {
		rep->ended_open = 1;
		for (size_t k = l->depth; k-- > 0 && rep->unfinished == NULL; )
			if (rules->entry(l->open[k]))
				rep->unfinished = l->open[k];
	}
	if (xmlDocGetRootElement(l->doc) != NULL) {
		doc = l->doc;
		l->doc = NULL;
	}
done:
	xmlFreeDoc(l->doc);
	free(l->text.p);
	free(l);
	return doc;
}
