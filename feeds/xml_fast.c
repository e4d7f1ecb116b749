/*
 * xml_fast.c - a strict XML tokenizer that builds libxml2's tree for the
 * documents it is sure of (see xml_fast.h), in one forward scan.
 *
 * Why: libxml2's parser, under the streaming reader, was over half of
 * the feed parser's time; it decodes and checks one character at a time
 * where a feed is long runs of text between a few tags.  This scan finds
 * each run with a table and copies it whole, as sfeed's xml.c does, and
 * leaves everything unusual to libxml2 by refusing the document: a
 * refusal costs the scan so far, a wrong guess would cost a wrong item.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "markup_guard.h"
#include "strbuf.h"
#include "xml_fast.h"

/* Longer names are no feed's; libxml2 would read them, we refuse. */
#define NAME_LEN_MAX 255
/* Past markup_guard's caps feed_repair would cut: libxml2's reading. */
#define ATTRS_MAX MARKUP_GUARD_MAX_ATTRS
/* The open-addressed table that finds a tag's repeated attribute. */
#define SLOTS (4 * ATTRS_MAX)
/* "&#x10FFFF;" and "&quot;" fit; longer references are refused. */
#define REF_LEN_MAX 12

/* The result of each step: go on, refuse the document, out of memory. */
enum { GO = 0, REFUSE = 1, OOM = -1 };

struct fattr {
	const char *name;
	size_t nlen, voff;      /* voff: the value's offset in values */
};

/* The arrays last, left as malloc gives them: each is written before it
 * is read, and zeroing them all took a fifth of the time of a small
 * document's parse. */
struct fast {
	const char *s;
	size_t len, i;
	xmlDocPtr doc;
	size_t depth;
	size_t subtree;         /* depth + 1 of the subtree being built, or 0 */
	struct strbuf text;     /* text not yet added to open[depth - 1] */
	int cdata_read;         /* ...and a CDATA section was in it: libxml2
	                         * makes a text node of an empty one too */
	struct strbuf values;   /* the start tag's attribute values */
	size_t nattrs;
	unsigned tag;           /* a slot is used when it holds tag; starts
	                         * at the wrap that clears slot_tag, so that
	                         * only documents with attributes clear it */
	size_t ns_in_scope, ndecl;      /* ndecl: the tag being read's */
	const struct xml_fast_handler *h;
	void *ctx;
	xmlNodePtr open[XML_FAST_MAX_DEPTH];
	const char *qname[XML_FAST_MAX_DEPTH];  /* as written, for end tags */
	size_t qlen[XML_FAST_MAX_DEPTH];
	size_t nsdecls[XML_FAST_MAX_DEPTH];     /* each open element's */
	struct fattr attrs[ATTRS_MAX];
	unsigned slot_tag[SLOTS];
	uint16_t slot_attr[SLOTS];
};

/* The bytes a run stops at, in text (STOP_TEXT), in an attribute value
 * (STOP_VALUE), in a CDATA section (STOP_CDATA): control characters,
 * line ends to normalise, U+FFFE/U+FFFF's lead byte, and then markup,
 * references, quotes, "]]>". */
#define STOP_TEXT 1
#define STOP_VALUE 2
#define STOP_CDATA 4
#define STOP_ALL (STOP_TEXT | STOP_VALUE | STOP_CDATA)
static const unsigned char stops[256] = {
	[0x00 ... 0x08] = STOP_ALL, ['\t'] = STOP_VALUE, ['\n'] = STOP_VALUE,
	[0x0b ... 0x1f] = STOP_ALL, ['"'] = STOP_VALUE, ['\''] = STOP_VALUE,
	['&'] = STOP_TEXT | STOP_VALUE, ['<'] = STOP_TEXT | STOP_VALUE,
	[']'] = STOP_TEXT, [0xef] = STOP_ALL,
};

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Each byte of w less c, for the ASCII c of a run's stops: a byte's high
 * bit in (LESS(w, c) & ~w) says it was below c (c = 0x20) or c itself
 * (w xor c), or a lower byte borrowed, which only a found byte does;
 * sharing ~w between the tests halves their cost. */
#define LESS(w, c) ((w) - ONES * (c))
#define EQUAL_ASCII(w, c) LESS((w) ^ (ONES * (c)), 1)

/* Whether the 8 bytes at s may hold one that stops a run of kind: a word
 * at a time, as a feed's texts are long runs with few stops. */
static inline int
stop_in_word(const unsigned char *s, unsigned kind)
{
	uint64_t w, ascii, ef;

	memcpy(&w, s, sizeof(w));
	ascii = LESS(w, 0x20);
	if (kind != STOP_CDATA)
		ascii |= EQUAL_ASCII(w, '&') | EQUAL_ASCII(w, '<');
	if (kind == STOP_TEXT)
		ascii |= EQUAL_ASCII(w, ']');
	if (kind == STOP_VALUE)
		ascii |= EQUAL_ASCII(w, '"') | EQUAL_ASCII(w, '\'');
	ef = w ^ (ONES * 0xef);
	return (((ascii & ~w) | (LESS(ef, 1) & ~ef)) & HIGHS) != 0;
}

/* The index of the first byte from i to end that stops a run of kind, or
 * end. */
static inline size_t
run_end(const unsigned char *s, size_t i, size_t end, unsigned kind)
{
	for (;;) {
		while (end - i >= 8 && !stop_in_word(s + i, kind))
			i += 8;
		for (size_t word = i + 8; i < end && i < word; i++)
			if (stops[s[i]] & kind)
				return i;
		if (i == end)
			return end;
	}
}

/* The first of the n bytes at needle in the len at s, found by memchr
 * for needle[rare], a byte the text around seldom holds: memmem was a
 * tenth of the time of a document of large CDATA sections, and its
 * set-up, some 800 instructions a call, weighed on comments. */
static const char *
find(const char *s, size_t len, const char *needle, size_t n, size_t rare)
{
	const char *p, *last;

	if (len < n)
		return NULL;
	last = s + len - n + rare;
	for (p = s + rare; p <= last; p++) {
		if ((p = memchr(p, needle[rare], (size_t)(last - p) + 1)) == NULL)
			return NULL;
		if (memcmp(p - rare, needle, n) == 0)
			return p - rare;
	}
	return NULL;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-' ||
	    c == '.';
}

/* The length of the ASCII name at i, 0 when none starts there or it is
 * too long; a qualified name has at most one ':', inside. */
static size_t
name_at(const struct fast *f, size_t i)
{
	const char *s = f->s;
	size_t n = 0, colons = 0;

	if (i >= f->len || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
	    s[i] == '.' || s[i] == ':')
		return 0;
	while (i + n < f->len && is_name_char((unsigned char)s[i + n]))
		colons += s[i + n++] == ':';
	if (n > NAME_LEN_MAX || colons > 1 || s[i + n - 1] == ':')
		return 0;
	/* The local part starts as a name does: "xml:2base" is libxml2's
	 * namespace error, so it is not ours to read. */
	if (colons > 0) {
		const char *local = (const char *)memchr(s + i, ':', n) + 1;

		if ((*local >= '0' && *local <= '9') || *local == '-' ||
		    *local == '.')
			return 0;
	}
	return n;
}

/* Characters XML allows in a document, as a reference may write them. */
static int
is_xml_char(unsigned long cp)
{
	return cp == '\t' || cp == '\n' || cp == '\r' ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

static unsigned long
char_ref(const char *s, size_t n)
{
	unsigned long cp = 0;
	int hex = n > 1 && s[1] == 'x';

	if (n < (size_t)(2 + hex))
		return 0;
	for (size_t k = 1 + hex; k < n; k++) {
		int c = (unsigned char)s[k], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return 0;
		cp = cp * (hex ? 16 : 10) + (unsigned long)d;
	}
	return cp;
}

/* The character the predefined entity of the n bytes at s names, or 0:
 * by length first, as references are a tenth of some feeds' bytes. */
static unsigned long
predefined(const char *s, size_t n)
{
	switch (n) {
	case 2:
		return s[1] != 't' ? 0 : s[0] == 'l' ? '<' : s[0] == 'g' ? '>' : 0;
	case 3:
		return memcmp(s, "amp", 3) == 0 ? '&' : 0;
	case 4:
		return memcmp(s, "quot", 4) == 0 ? '"' :
		    memcmp(s, "apos", 4) == 0 ? '\'' : 0;
	default:
		return 0;
	}
}

/* The reference at f->s[*i] ('&') decoded into b, *i moved past it. */
static int
reference(const struct fast *f, size_t *i, struct strbuf *b)
{
	const char *s = f->s + *i + 1;
	size_t rest = f->len - *i - 1, n;
	xmlChar u[8];
	unsigned long cp;

	rest = rest < REF_LEN_MAX ? rest : REF_LEN_MAX;
	for (n = 0; n < rest && s[n] != ';'; n++)
		;
	if (n == rest)
		return REFUSE;
	cp = n > 0 && s[0] == '#' ? char_ref(s, n) : predefined(s, n);
	/* feed_repair reads &#128; to &#159; as windows-1252 does: the
	 * libxml2 path then differs from XML. */
	if (!is_xml_char(cp) || (cp >= 0x80 && cp <= 0x9f))
		return REFUSE;
	if (cp < 0x80) {
		u[0] = (xmlChar)cp;
		strbuf_add(b, (const char *)u, 1);
	} else
		strbuf_add(b, (const char *)u, (size_t)xmlCopyCharMultiByte(u,
		    (int)cp));
	*i += n + 2;
	return GO;
}

/* The byte at *i that stopped a run of text or of an attribute value
 * (in_value): added to b as XML reads it, *i moved past. */
static int
stop_byte(const struct fast *f, size_t *i, struct strbuf *b, int in_value)
{
	const unsigned char *s = (const unsigned char *)f->s;
	size_t k = *i, rest = f->len - k;

	switch (s[k]) {
	case '&':
		return reference(f, i, b);
	case '\r':
		*i += rest > 1 && s[k + 1] == '\n' ? 2 : 1;
		strbuf_add(b, in_value ? " " : "\n", 1);
		return GO;
	case '\t':
	case '\n':
		strbuf_add(b, " ", 1);
		break;
	case ']':
		if (rest > 2 && s[k + 1] == ']' && s[k + 2] == '>')
			return REFUSE;
		strbuf_add(b, "]", 1);
		break;
	case 0xef:
		if (rest > 2 && s[k + 1] == 0xbf && (s[k + 2] & 0xfe) == 0xbe)
			return REFUSE;
		strbuf_add(b, (const char *)s + k, 1);
		break;
	default:        /* control characters, '<' in a value */
		return REFUSE;
	}
	(*i)++;
	return GO;
}

/* Text from f->i to the next '<' into f->text. */
static int
text(struct fast *f)
{
	const unsigned char *s = (const unsigned char *)f->s;
	size_t i = f->i, run;
	int rc;

	while (i < f->len && s[i] != '<') {
		run = run_end(s, i, f->len, STOP_TEXT);
		strbuf_add(&f->text, f->s + i, run - i);
		i = run;
		if (i < f->len && s[i] != '<' &&
		    (rc = stop_byte(f, &i, &f->text, 0)) != GO)
			return rc;
	}
	f->i = i;
	return f->text.len > XML_FAST_MAX_TEXT ? REFUSE : GO;
}

/* CDATA content, its "<![CDATA[" at f->i: merged into the text, as
 * libxml2 does with XML_PARSE_NOCDATA. */
static int
cdata(struct fast *f)
{
	const unsigned char *s = (const unsigned char *)f->s;
	const char *end;
	size_t i = f->i + 9, stop, run;
	int rc;

	if ((end = find(f->s + i, f->len - i, "]]>", 3, 0)) == NULL)
		return REFUSE;
	stop = (size_t)(end - f->s);
	/* One that holds the start of another lost its "]]>": the loose
	 * pass may read more of it (feed_cdata_unclosed). */
	if (find(f->s + i, stop - i, "<![CDATA[", 9, 2) != NULL)
		return REFUSE;
	f->cdata_read = 1;
	while (i < stop) {
		run = run_end(s, i, stop, STOP_CDATA);
		strbuf_add(&f->text, f->s + i, run - i);
		i = run;
		if (i < stop && (rc = stop_byte(f, &i, &f->text, 0)) != GO)
			return rc;
	}
	f->i = stop + 3;
	return f->text.len > XML_FAST_MAX_TEXT ? REFUSE : GO;
}

static int
flush_text(struct fast *f)
{
	xmlNodePtr t;

	if (f->text.len == 0 && !f->cdata_read)
		return GO;
	if (f->text.oom || (t = xmlNewDocTextLen(f->doc, (const xmlChar *)
	    (f->text.len > 0 ? f->text.p : ""), (int)f->text.len)) == NULL)
		return OOM;
	xmlAddChild(f->open[f->depth - 1], t);
	f->text.len = 0;
	f->cdata_read = 0;
	return GO;
}

/* Whether the n bytes at s hold a character XML does not allow: a
 * control character, U+FFFE or U+FFFF. */
static int
bad_char_in(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t k = 0; k < n; k++)
		if ((stops[u[k]] & STOP_CDATA) && u[k] != '\r' && (u[k] != 0xef ||
		    (k + 2 < n && u[k + 1] == 0xbf && (u[k + 2] & 0xfe) == 0xbe)))
			return 1;
	return 0;
}

/* A comment at f->i; kept in the tree inside the root, as libxml2's,
 * line ends made '\n'. */
static int
comment(struct fast *f)
{
	const char *s = f->s, *end;
	size_t i = f->i + 4, stop;
	struct strbuf body = { 0 };
	xmlNodePtr c = NULL;

	if ((end = find(s + i, f->len - i, "-->", 3, 0)) == NULL)
		return REFUSE;
	stop = (size_t)(end - s);
	if (find(s + i, stop - i + 2, "--", 2, 0) != end ||
	    bad_char_in(s + i, stop - i))
		return REFUSE;
	f->i = stop + 3;
	if (f->depth == 0)
		return GO;
	if (flush_text(f) != GO)
		return OOM;
	while (i < stop) {
		const char *cr = memchr(s + i, '\r', stop - i);
		size_t run = cr != NULL ? (size_t)(cr - s) - i : stop - i;

		strbuf_add(&body, s + i, run);
		if ((i += run) < stop) {
			strbuf_add(&body, "\n", 1);
			i += i + 1 < stop && s[i + 1] == '\n' ? 2 : 1;
		}
	}
	strbuf_add(&body, "", 1);
	if (!body.oom && (c = xmlNewDocComment(f->doc,
	    (const xmlChar *)body.p)) != NULL)
		xmlAddChild(f->open[f->depth - 1], c);
	free(body.p);
	return c != NULL ? GO : OOM;
}

/* An attribute's quoted value from *i (its quote) into f->values,
 * NUL-terminated, normalised as XML says; *i moved past it. */
static int
attr_value(struct fast *f, size_t *i, struct fattr *a)
{
	const unsigned char *s = (const unsigned char *)f->s;
	unsigned char quote = s[*i];
	size_t k = *i + 1, run;
	int rc;

	a->voff = f->values.len;
	for (;;) {
		run = run_end(s, k, f->len, STOP_VALUE);
		strbuf_add(&f->values, f->s + k, run - k);
		if ((k = run) >= f->len ||
		    f->values.len - a->voff > XML_FAST_MAX_TEXT)
			return REFUSE;
		if (s[k] == quote)
			break;
		if (s[k] == '"' || s[k] == '\'')
			strbuf_add(&f->values, f->s + k++, 1);
		else if ((rc = stop_byte(f, &k, &f->values, 1)) != GO)
			return rc;
	}
	strbuf_add(&f->values, "", 1);
	*i = k + 1;
	return f->values.oom ? OOM : GO;
}

static size_t
skip_spaces(const struct fast *f, size_t i)
{
	while (i < f->len && is_space((unsigned char)f->s[i]))
		i++;
	return i;
}

/* Whether attribute k of the tag repeats an earlier one's name; else it
 * is noted.  A table, not a comparison with each earlier one: that is
 * what made libxml2 quadratic in a tag's attributes. */
static int
repeated(struct fast *f, size_t k)
{
	const struct fattr *a = &f->attrs[k], *b;
	uint32_t h = 2166136261u;

	if (k == 0 && ++f->tag == 0) {
		memset(f->slot_tag, 0, sizeof(f->slot_tag));
		f->tag = 1;
	}
	for (size_t c = 0; c < a->nlen; c++)
		h = (h ^ (unsigned char)a->name[c]) * 16777619u;
	for (size_t at = h % SLOTS; ; at = (at + 1) % SLOTS) {
		if (f->slot_tag[at] != f->tag) {
			f->slot_tag[at] = f->tag;
			f->slot_attr[at] = (uint16_t)k;
			return 0;
		}
		b = &f->attrs[f->slot_attr[at]];
		if (b->nlen == a->nlen && memcmp(b->name, a->name, a->nlen) == 0)
			return 1;
	}
}

/* The attributes of the start tag from i (just after its name) into
 * f->attrs; the position after the tag in *next, *empty set for "/>". */
static int
scan_attrs(struct fast *f, size_t i, size_t *next, int *empty)
{
	const char *s = f->s;
	size_t at, n;
	int rc;

	f->nattrs = 0;
	f->values.len = 0;
	for (;;) {
		struct fattr *a = &f->attrs[f->nattrs];

		if ((at = skip_spaces(f, i)) >= f->len)
			return REFUSE;
		*empty = s[at] == '/';
		if (s[at] == '>' || (*empty && at + 1 < f->len &&
		    s[at + 1] == '>')) {
			*next = at + 1 + *empty;
			return GO;
		}
		if (at == i || f->nattrs == ATTRS_MAX ||
		    (n = name_at(f, at)) == 0)
			return REFUSE;
		a->name = s + at;
		a->nlen = n;
		if (repeated(f, f->nattrs))
			return REFUSE;
		i = skip_spaces(f, at + n);
		if (i >= f->len || s[i] != '=' ||
		    (i = skip_spaces(f, i + 1)) >= f->len ||
		    (s[i] != '"' && s[i] != '\''))
			return REFUSE;
		if ((rc = attr_value(f, &i, a)) != GO)
			return rc;
		f->nattrs++;
	}
}

/* A qualified name's prefix ("" when none) and local part, as strings
 * (NAME_LEN_MAX + 1 bytes each). */
static void
split_qname(const char *q, size_t n, char *prefix, char *local)
{
	const char *colon = memchr(q, ':', n);
	size_t plen = colon != NULL ? (size_t)(colon - q) : 0;
	size_t skip = colon != NULL ? plen + 1 : 0;

	memcpy(prefix, q, plen);
	prefix[plen] = '\0';
	memcpy(local, q + skip, n - skip);
	local[n - skip] = '\0';
}

static int
is_xmlns(const struct fattr *a)
{
	return a->nlen >= 5 && memcmp(a->name, "xmlns", 5) == 0 &&
	    (a->nlen == 5 || a->name[5] == ':');
}

/* The tag's xmlns attributes as declarations on el. */
static int
declare_namespaces(struct fast *f, xmlNodePtr el)
{
	char prefix[NAME_LEN_MAX + 1], local[NAME_LEN_MAX + 1];
	xmlURIPtr uri;

	f->ndecl = 0;
	for (size_t k = 0; k < f->nattrs; k++) {
		const struct fattr *a = &f->attrs[k];
		const char *href = f->values.p + a->voff;

		if (!is_xmlns(a))
			continue;
		split_qname(a->name, a->nlen, prefix, local);
		/* An empty or reserved one is an error to libxml2, and so
		 * is a URI it cannot parse; the scan refused a repeated one
		 * already. */
		if (href[0] == '\0' || (a->nlen > 5 &&
		    (strcmp(local, "xml") == 0 || strcmp(local, "xmlns") == 0)) ||
		    (uri = xmlParseURI(href)) == NULL)
			return REFUSE;
		xmlFreeURI(uri);
		if (f->ns_in_scope + f->ndecl == MARKUP_GUARD_MAX_NS)
			return REFUSE;
		if (xmlNewNs(el, (const xmlChar *)href, a->nlen > 5 ?
		    (const xmlChar *)local : NULL) == NULL)
			return OOM;
		f->ndecl++;
	}
	return GO;
}

/* The namespace prefix means at el (NULL: the default one); REFUSE
 * when a prefix means nothing there. */
static int
namespace_of(struct fast *f, xmlNodePtr el, const char *prefix,
    xmlNsPtr *ns)
{
	*ns = xmlSearchNs(f->doc, el, prefix[0] != '\0' ?
	    (const xmlChar *)prefix : NULL);
	return *ns == NULL && prefix[0] != '\0' ? REFUSE : GO;
}

static int
add_attributes(struct fast *f, xmlNodePtr el)
{
	char prefix[NAME_LEN_MAX + 1], local[NAME_LEN_MAX + 1];
	xmlNsPtr ns;

	for (size_t k = 0; k < f->nattrs; k++) {
		const struct fattr *a = &f->attrs[k];

		if (is_xmlns(a))
			continue;
		split_qname(a->name, a->nlen, prefix, local);
		if (prefix[0] == '\0')
			ns = NULL;
		else if (namespace_of(f, el, prefix, &ns) != GO)
			return REFUSE;
		/* a:x and b:x with a and b bound to one URI are one
		 * attribute twice, an error to libxml2. */
		if (ns != NULL && xmlHasNsProp(el, (const xmlChar *)local,
		    ns->href) != NULL)
			return REFUSE;
		if (xmlNewNsProp(el, ns, (const xmlChar *)local,
		    (const xmlChar *)f->values.p + a->voff) == NULL)
			return OOM;
	}
	return GO;
}

/* The element on top of the stack has ended: handed over, and freed
 * when it was a subtree. */
static int
closed(struct fast *f)
{
	xmlNodePtr el = f->open[--f->depth];

	f->ns_in_scope -= f->nsdecls[f->depth];

	if (f->subtree == f->depth + 1) {
		f->h->end(f->ctx, el, 1, f->i);
		xmlUnlinkNode(el);
		xmlFreeNode(el);
		f->subtree = 0;
	} else if (f->subtree == 0)
		f->h->end(f->ctx, el, 0, f->i);
	return GO;
}

/* el, the start tag of the n bytes at q, is in the tree: tell the
 * handler, and open it. */
static int
opened(struct fast *f, xmlNodePtr el, const char *q, size_t n, int empty)
{
	size_t d = f->depth;

	if (f->subtree == 0) {
		int r = f->h->start(f->ctx, el, d);

		if (r < 0)
			return REFUSE;
		if (r == XML_FAST_SUBTREE)
			f->subtree = d + 1;
	}
	f->open[d] = el;
	f->nsdecls[d] = f->ndecl;
	f->ns_in_scope += f->ndecl;
	f->qname[d] = q;
	f->qlen[d] = n;
	f->depth++;
	return empty ? closed(f) : GO;
}

/* The start tag at f->i, whose name is n bytes long. */
static int
start_tag(struct fast *f, size_t n)
{
	char prefix[NAME_LEN_MAX + 1], local[NAME_LEN_MAX + 1];
	const char *q = f->s + f->i + 1;
	xmlNodePtr el, parent = f->depth > 0 ? f->open[f->depth - 1] : NULL;
	xmlNsPtr ns;
	size_t next;
	int empty, rc;

	if ((rc = scan_attrs(f, f->i + 1 + n, &next, &empty)) != GO)
		return rc;
	if (f->depth == XML_FAST_MAX_DEPTH ||
	    (parent == NULL && xmlDocGetRootElement(f->doc) != NULL))
		return REFUSE;
	if (parent != NULL && (rc = flush_text(f)) != GO)
		return rc;
	split_qname(q, n, prefix, local);
	if ((el = xmlNewDocNode(f->doc, NULL, (const xmlChar *)local, NULL)) ==
	    NULL)
		return OOM;
	/* Linked up for the namespace look-ups, for good below. */
	el->parent = parent;
	if ((rc = declare_namespaces(f, el)) == GO &&
	    (rc = namespace_of(f, el, prefix, &ns)) == GO) {
		xmlSetNs(el, ns);
		rc = add_attributes(f, el);
	}
	el->parent = NULL;
	if (rc != GO) {
		xmlFreeNode(el);
		return rc;
	}
	if (parent != NULL)
		xmlAddChild(parent, el);
	else
		xmlDocSetRootElement(f->doc, el);
	f->i = next;
	return opened(f, el, q, n, empty);
}

/* The end tag at f->i: the open element's, or the document is refused. */
static int
end_tag(struct fast *f)
{
	size_t i = f->i + 2, n = name_at(f, i);
	int rc;

	if (f->depth == 0 || n != f->qlen[f->depth - 1] ||
	    memcmp(f->s + i, f->qname[f->depth - 1], n) != 0)
		return REFUSE;
	i = skip_spaces(f, i + n);
	if (i >= f->len || f->s[i] != '>')
		return REFUSE;
	f->i = i + 1;
	if ((rc = flush_text(f)) != GO)
		return rc;
	return closed(f);
}

/* "xml" in any case, the target reserved for the declaration. */
static int
is_xml_target(const struct fast *f, size_t i)
{
	return f->len - i >= 6 && strncasecmp(f->s + i + 2, "xml", 3) == 0 &&
	    (is_space((unsigned char)f->s[i + 5]) || f->s[i + 5] == '?');
}

/* The value of the declaration's pseudo-attribute name (n bytes) at
 * *i, if it is there and one libxml2 takes without a word; *i moved past
 * it.  GO when absent and optional too. */
static int
decl_value(struct fast *f, size_t *i, const char *name, int optional)
{
	static const char *const allowed[] = { "version", "1.0",
	    "encoding", "utf-8", "encoding", "UTF-8", "standalone", "yes",
	    "standalone", "no" };
	size_t at = skip_spaces(f, *i), n = strlen(name), vlen;
	const char *q;

	if (at == *i || f->len - at < n || memcmp(f->s + at, name, n) != 0)
		return optional ? GO : REFUSE;
	at = skip_spaces(f, at + n);
	if (at >= f->len || f->s[at] != '=' ||
	    (at = skip_spaces(f, at + 1)) >= f->len ||
	    (f->s[at] != '"' && f->s[at] != '\'') ||
	    (q = memchr(f->s + at + 1, f->s[at], f->len - at - 1)) == NULL)
		return REFUSE;
	vlen = (size_t)(q - f->s) - at - 1;
	for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k += 2)
		if (strcmp(allowed[k], name) == 0 &&
		    strlen(allowed[k + 1]) == vlen &&
		    memcmp(allowed[k + 1], f->s + at + 1, vlen) == 0) {
			*i = (size_t)(q - f->s) + 1;
			return GO;
		}
	return REFUSE;
}

/* The XML declaration at f->i, written as XML says, version 1.0 and
 * UTF-8 (the caller made sure libxml2 reads the bytes as such). */
static int
xml_decl(struct fast *f)
{
	size_t i = f->i + 5;

	if (decl_value(f, &i, "version", 0) != GO ||
	    decl_value(f, &i, "encoding", 1) != GO ||
	    decl_value(f, &i, "standalone", 1) != GO)
		return REFUSE;
	i = skip_spaces(f, i);
	if (f->len - i < 2 || memcmp(f->s + i, "?>", 2) != 0)
		return REFUSE;
	f->i = i + 2;
	return GO;
}

/* A processing instruction outside the root (the XML declaration at
 * start), skipped: libxml2 keeps it beside the root, where no reader
 * looks. */
static int
pi(struct fast *f, size_t start)
{
	const char *end;
	size_t i = f->i, n;

	if (f->depth > 0)
		return REFUSE;
	if (is_xml_target(f, i))
		return i == start ? xml_decl(f) : REFUSE;
	/* The target: a name without a colon, then a blank or the end, "?>"
	 * whole: libxml2 wants a space after "<?x" before a lone "?". */
	if ((n = name_at(f, i + 2)) == 0 || memchr(f->s + i + 2, ':', n) ||
	    i + 3 + n >= f->len || (!is_space((unsigned char)f->s[i + 2 + n]) &&
	    memcmp(f->s + i + 2 + n, "?>", 2) != 0))
		return REFUSE;
	if ((end = find(f->s + i + 2, f->len - i - 2, "?>", 2, 0)) == NULL ||
	    bad_char_in(f->s + i, (size_t)(end - f->s) - i))
		return REFUSE;
	f->i = (size_t)(end - f->s) + 2;
	return GO;
}

/* What the '<' at f->i starts. */
static int
markup(struct fast *f, size_t start)
{
	const char *s = f->s + f->i;
	size_t rest = f->len - f->i, n;

	if (rest >= 4 && memcmp(s, "<!--", 4) == 0)
		return comment(f);
	if (rest >= 9 && memcmp(s, "<![CDATA[", 9) == 0)
		return f->depth > 0 ? cdata(f) : REFUSE;
	if (rest < 2 || s[1] == '!')
		return REFUSE;
	if (s[1] == '?')
		return pi(f, start);
	if (s[1] == '/')
		return end_tag(f);
	if ((n = name_at(f, f->i + 1)) > 0)
		return start_tag(f, n);
	return REFUSE;
}

static int
scan(struct fast *f)
{
	size_t start = f->i;
	int rc = GO;

	while (rc == GO && f->i < f->len) {
		if (f->s[f->i] == '<')
			rc = markup(f, start);
		else if (f->depth > 0)
			rc = text(f);
		else if (is_space((unsigned char)f->s[f->i]))
			f->i++;
		else
			rc = REFUSE;
	}
	if (rc == GO && (f->depth > 0 || xmlDocGetRootElement(f->doc) == NULL))
		rc = REFUSE;
	return rc;
}

int
xml_fast_read(const char *buf, size_t len, const char *base_url,
    const struct xml_fast_handler *h, void *ctx)
{
	struct fast *f;
	int rc = OOM;

	if ((f = malloc(sizeof(*f))) == NULL)
		return -1;
	memset(f, 0, offsetof(struct fast, open));
	f->tag = UINT_MAX;
	f->s = buf;
	f->len = len;
	f->h = h;
	f->ctx = ctx;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		f->i = 3;
	if ((f->doc = xmlNewDoc((const xmlChar *)"1.0")) != NULL &&
	    (base_url == NULL || (f->doc->URL = xmlStrdup((const xmlChar *)
	    base_url)) != NULL))
		rc = scan(f);
	if (rc == GO && f->text.oom)
		rc = OOM;
	xmlFreeDoc(f->doc);
	free(f->text.p);
	free(f->values.p);
	free(f);
	return rc == OOM ? -1 : rc;
}
