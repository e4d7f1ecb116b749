/*
 * feed_repair.c - the bytes of an XML feed as libxml2 should read them,
 * and what the loose pass needs to read them itself: see feed_repair.h.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "feed_int.h"
#include "feed_repair.h"
#include "text.h"

#define REF_MAX FEED_REF_MAX

static int
is_name_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' ||
	    c >= 0x80;
}

/* XML 1.0's Char production. */
static int
is_xml_char(long cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

/* The number the n bytes after "&#" spell ("233", "xE9"), -1 when
 * they spell none or one past Unicode. */
static long
spelt_value(const char *s, size_t n)
{
	int hex = n > 0 && s[0] == 'x';
	long v = 0;

	if (n == (size_t)hex)
		return -1;
	for (size_t k = (size_t)hex; k < n; k++) {
		int c = (unsigned char)s[k];

		if (isdigit(c))
			v = v * (hex ? 16 : 10) + (c - '0');
		else if (hex && isxdigit(c))
			v = v * 16 + (tolower(c) - 'a' + 10);
		else
			return -1;
		if (v > 0x10ffff)
			return -1;
	}
	return v;
}

/*
 * What a '&' at s (n bytes available) must become for libxml2 to keep the
 * text: nothing (0) when it starts a reference XML understands as HTML
 * would; else the replacement in rep and the bytes it replaces.  HTML
 * names become numeric references, numeric ones HTML reads differently
 * (windows-1252, NUL) are rewritten, and a bare '&' becomes "&amp;".
 */
static size_t
fix_reference(const char *s, size_t n, char rep[REF_MAX])
{
	static const char *const predefined[] = { "amp", "lt", "gt", "quot",
	    "apos" };
	size_t i = 1;
	long cp;

	while (i < n && i < 40 && (is_name_char((unsigned char)s[i]) ||
	    (i == 1 && s[i] == '#')))
		i++;
	if (i == n || s[i] != ';' || i == 1)
		goto bare;
	for (size_t k = 0; k < sizeof(predefined) / sizeof(predefined[0]); k++)
		if (i - 1 == strlen(predefined[k]) &&
		    memcmp(s + 1, predefined[k], i - 1) == 0)
			return 0;
	if ((cp = text_entity_codepoint(s + 1, i - 1)) < 0) {
		/* Perhaps the document's DTD declares it: libxml2 decides. */
		if (s[1] != '#')
			return 0;
		goto bare;
	}
	if (!is_xml_char(cp))
		cp = 0xfffd;
	/* Already as XML would read it, in decimal, hex or with leading
	 * zeros: no repair (and no warning). */
	if (s[1] == '#' && spelt_value(s + 2, i - 2) == cp)
		return 0;
	snprintf(rep, REF_MAX, "&#%ld;", cp);
	return i + 1;
bare:
	snprintf(rep, REF_MAX, "&amp;");
	return 1;
}

/* Where the markup construct at s (n bytes) that hides references ends,
 * or 0 when s starts none. */
static size_t
skip_opaque(const char *s, size_t n)
{
	static const struct {
		const char *open, *close;
	} opaque[] = {
		{ "<!--", "-->" }, { "<![CDATA[", "]]>" }, { "<?", "?>" },
	};

	for (size_t k = 0; k < sizeof(opaque) / sizeof(opaque[0]); k++) {
		size_t ol = strlen(opaque[k].open), cl = strlen(opaque[k].close);
		const char *end;

		if (n < ol || memcmp(s, opaque[k].open, ol) != 0)
			continue;
		end = memmem(s + ol, n - ol, opaque[k].close, cl);
		return end == NULL ? n : (size_t)(end - s) + cl;
	}
	return 0;
}

/* UTF-16 or UTF-32 by their byte order mark or the NUL bytes of '<':
 * there bytes are not characters. */
static int
is_wide(const char *buf, size_t len)
{
	return len >= 2 && (buf[0] == '\0' || buf[1] == '\0' ||
	    (unsigned char)buf[0] >= 0xfe);
}

/*
 * libxml2 takes a NUL byte for the end of the input: the rest of the feed
 * would be lost.  Where bytes are characters a NUL is never text, so it
 * goes.  Returns the copy without them and their count in *removed, or
 * NULL when there are none (or no memory: then the feed parses as it is).
 */
static char *
strip_nuls(const char *buf, size_t *len, size_t *removed)
{
	const char *nul;
	char *out, *o;

	*removed = 0;
	if (is_wide(buf, *len) || (nul = memchr(buf, '\0', *len)) == NULL ||
	    (out = malloc(*len)) == NULL)
		return NULL;
	o = out;
	for (const char *p = buf, *end = buf + *len; p < end; p = nul + 1) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
			nul = end;
		memcpy(o, p, (size_t)(nul - p));
		o += nul - p;
		if (nul < end)
			(*removed)++;
	}
	*len = (size_t)(o - out);
	return out;
}

/*
 * libxml2 drops references to entities no DTD declared (&nbsp; in RSS,
 * from HTML habits), and with them the text: they are rewritten before
 * parsing.  The next one to rewrite at or after i: its offset (len when
 * there is none), its replacement in rep and the bytes it replaces in
 * *used.
 */
static size_t
next_reference(const char *buf, size_t len, size_t i, char rep[REF_MAX],
    size_t *used)
{
	while (i < len) {
		const char *amp = memchr(buf + i, '&', len - i), *lt;

		/* Only text outside comments, CDATA and processing
		 * instructions holds references: jump from one '&' to the
		 * next, skipping the "<!" and "<?" constructs on the way. */
		if (amp == NULL)
			break;
		for (lt = memchr(buf + i, '<', (size_t)(amp - buf) - i);
		    lt != NULL; lt = memchr(lt + 1, '<', (size_t)(amp - lt - 1)))
			if (lt[1] == '!' || lt[1] == '?')
				break;
		if (lt != NULL) {
			i = (size_t)(lt - buf);
			*used = skip_opaque(buf + i, len - i);
			i += *used > 0 ? *used : 1;
			continue;
		}
		i = (size_t)(amp - buf);
		if ((*used = fix_reference(buf + i, len - i, rep)) > 0)
			return i;
		i++;
	}
	return len;
}

/* The document with its references rewritten (next_reference), or NULL
 * when it needs no change (or there is no memory: then it is parsed as
 * it is). */
static xmlBufferPtr
fix_entities(const char *buf, size_t len)
{
	xmlBufferPtr out = NULL;
	size_t i = 0, done = 0, used;
	char rep[REF_MAX];

	if (is_wide(buf, len))
		return NULL;
	while ((i = next_reference(buf, len, i, rep, &used)) < len) {
		if (out == NULL && (out = xmlBufferCreateSize(len + 64)) == NULL)
			return NULL;
		if (xmlBufferAdd(out, (const xmlChar *)buf + done,
		    (int)(i - done)) != 0 ||
		    xmlBufferAdd(out, (const xmlChar *)rep, -1) != 0)
			goto fail;
		i += used;
		done = i;
	}
	if (out != NULL && xmlBufferAdd(out, (const xmlChar *)buf + done,
	    (int)(len - done)) != 0)
		goto fail;
	return out;
fail:
	xmlBufferFree(out);
	return NULL;
}

void
feed_refs_start(struct feed_refs *s, const char *buf, size_t len, int fix)
{
	s->p = buf;
	s->end = buf + len;
	s->fix = fix ? buf + next_reference(buf, len, 0, s->rep, &s->used) :
	    s->end;
	s->out = NULL;
}

size_t
feed_refs_read(struct feed_refs *s, char *out, size_t len)
{
	size_t n = 0, k;

	while (n < len && (s->p < s->end || s->out != NULL)) {
		if (s->out != NULL) {
			k = strlen(s->out);
			k = k < len - n ? k : len - n;
			memcpy(out + n, s->out, k);
			n += k;
			s->out = s->out[k] != '\0' ? s->out + k : NULL;
			continue;
		}
		k = (size_t)(s->fix - s->p);
		k = k < len - n ? k : len - n;
		memcpy(out + n, s->p, k);
		n += k;
		s->p += k;
		if (s->p < s->fix || s->p == s->end)
			continue;
		/* At a reference to rewrite: its replacement, then on past
		 * it to the next one. */
		memcpy(s->out_buf, s->rep, sizeof(s->rep));
		s->out = s->out_buf;
		s->p += s->used;
		s->fix = s->p + next_reference(s->p, (size_t)(s->end - s->p), 0,
		    s->rep, &s->used);
	}
	return n;
}

char *
feed_charset_of(const char *content_type)
{
	const char *p, *v;
	size_t n;

	if (content_type == NULL)
		return NULL;
	while (text_is_space((unsigned char)*content_type))
		content_type++;
	if (strncasecmp(content_type, "text/", 5) != 0)
		return NULL;
	for (p = strchr(content_type, ';'); p != NULL; p = strchr(p + 1, ';')) {
		v = p + 1;
		while (text_is_space((unsigned char)*v))
			v++;
		if (strncasecmp(v, "charset=", 8) != 0)
			continue;
		v += 8;
		if (*v == '"')
			v++;
		for (n = 0; isalnum((unsigned char)v[n]) || v[n] == '-' ||
		    v[n] == '_' || v[n] == '.' || v[n] == ':'; n++)
			;
		return n > 0 && n < 64 ? strndup(v, n) : NULL;
	}
	return NULL;
}

/* The encoding the XML declaration at the start of buf (after a UTF-8
 * byte order mark) names, into enc; "" when none. */
static void
decl_encoding(const char *buf, size_t len, char enc[FEED_ENC_NAME_MAX])
{
	const char *end, *e;
	size_t n;

	enc[0] = '\0';
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (len < 5 || memcmp(buf, "<?xml", 5) != 0 ||
	    (end = memmem(buf, len < 512 ? len : 512, "?>", 2)) == NULL ||
	    (e = memmem(buf, (size_t)(end - buf), "encoding", 8)) == NULL)
		return;
	e += 8;
	while (e < end && (text_is_space((unsigned char)*e) || *e == '='))
		e++;
	if (e < end && (*e == '"' || *e == '\''))
		e++;
	for (n = 0; e + n < end && n < FEED_ENC_NAME_MAX - 1 &&
	    (isalnum((unsigned char)e[n]) || e[n] == '-' || e[n] == '_' ||
	    e[n] == '.' || e[n] == ':'); n++)
		;
	memcpy(enc, e, n);
	enc[n] = '\0';
}

static int
is_utf8_name(const char *enc)
{
	return strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

/*
 * Whether libxml2 will read the document as UTF-8: the HTTP charset says
 * so, or there is none and the XML declaration says so or names no
 * encoding (and no UTF-16/32 byte order or NUL bytes say otherwise).
 */
static int
reads_as_utf8(const char *buf, size_t len, const char *http_charset)
{
	char enc[FEED_ENC_NAME_MAX];

	if (http_charset != NULL)
		return is_utf8_name(http_charset);
	if (is_wide(buf, len))
		return 0;
	decl_encoding(buf, len, enc);
	return enc[0] == '\0' || is_utf8_name(enc);
}

int
feed_reads_plain_utf8(const char *buf, size_t len, const char *charset)
{
	return reads_as_utf8(buf, len, charset) && text_utf8_valid(buf, len);
}

char *
feed_to_utf8(const char *buf, size_t len, const char *enc, size_t *outlen)
{
	char *out, *in = (char *)buf, *o;
	size_t inleft = len, oleft;
	iconv_t cd;

	if (enc == NULL || is_utf8_name(enc) || len > SIZE_MAX / 4 - 16)
		return NULL;
	if ((cd = iconv_open("UTF-8", enc)) == (iconv_t)-1)
		return NULL;
	/* Every encoding iconv knows takes at most four UTF-8 bytes per
	 * input byte, U+FFFD three. */
	oleft = len * 4 + 16;
	if ((o = out = malloc(oleft)) == NULL)
		goto done;
	while (inleft > 0 &&
	    iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		if ((errno != EILSEQ && errno != EINVAL) || oleft < 3)
			break;
		in++;
		inleft--;
		memcpy(o, "\xef\xbf\xbd", 3);
		o += 3;
		oleft -= 3;
	}
	*outlen = (size_t)(o - out);
done:
	iconv_close(cd);
	return out;
}

const char *
feed_loose_encoding(const char *http_charset, int took_charset,
    const char *buf, size_t len, char decl[FEED_ENC_NAME_MAX])
{
	if (http_charset != NULL && took_charset)
		return http_charset;
	if (is_wide(buf, len))
		return len >= 4 && buf[0] == '\0' && buf[1] == '\0' ? "UTF-32" :
		    "UTF-16";
	decl_encoding(buf, len, decl);
	return decl[0] != '\0' ? decl : NULL;
}

int
feed_comment_dashes(const char *buf, size_t len)
{
	const char *end = buf + len, *open, *close;

	for (const char *p = buf; (open = memmem(p, (size_t)(end - p), "<!--",
	    4)) != NULL; p = close + 3) {
		open += 4;
		close = memmem(open, (size_t)(end - open), "-->", 3);
		if (memmem(open, (size_t)((close != NULL ? close : end) - open),
		    "--", 2) != NULL)
			return 1;
		if (close == NULL)
			return 0;
	}
	return 0;
}

int
feed_cdata_unclosed(const char *buf, size_t len)
{
	const char *end = buf + len, *open, *close;

	for (const char *p = buf; (open = memmem(p, (size_t)(end - p),
	    "<![CDATA[", 9)) != NULL; p = close + 3) {
		open += 9;
		close = memmem(open, (size_t)(end - open), "]]>", 3);
		if (close == NULL)
			return 0;
		if (memmem(open, (size_t)(close - open), "<![CDATA[", 9))
			return 1;
	}
	return 0;
}

/* The last step, on the very bytes libxml2 reads: a tag's attributes
 * past the cap would cost time quadratic in their number. */
static int
guard(struct feed_repair *pr, const char **buf, size_t *len,
    const char *encoding)
{
	if (markup_guard(*buf, *len, 0, encoding, MARKUP_GUARD_MAX_ATTRS,
	    MARKUP_GUARD_MAX_NS, &pr->guarded, len, &pr->cut) == -1)
		return -1;
	if (pr->guarded != NULL)
		*buf = pr->guarded;
	return 0;
}

/* The steps in the order libxml2 needs them: each reads the last one's
 * output.  A stream may leave the references to the reader (feed_refs)
 * when the guard's reading does not depend on them: it cuts nothing
 * either way, and no entity declaration holds a reference it would
 * decode. */
int
feed_repair(struct feed_repair *pr, const char **buf, size_t *len,
    const char *encoding, int stream)
{
	char rep[REF_MAX];
	size_t used, len0;
	const char *buf0;

	if ((pr->denulled = strip_nuls(*buf, len, &pr->nuls)) != NULL)
		*buf = pr->denulled;
	if (reads_as_utf8(*buf, *len, encoding) &&
	    (pr->repaired = text_utf8_repair(*buf, *len, len)) != NULL)
		*buf = pr->repaired;
	if (stream && !is_wide(*buf, *len) &&
	    next_reference(*buf, *len, 0, rep, &used) < *len &&
	    memmem(*buf, *len, "<!ENTITY", 8) == NULL) {
		buf0 = *buf;
		len0 = *len;
		if (guard(pr, buf, len, encoding) == -1)
			return -1;
		if (pr->guarded == NULL) {
			pr->refs = 1;
			return 0;
		}
		/* Cut: the guard reads the rewritten bytes, as below. */
		free(pr->guarded);
		pr->guarded = NULL;
		memset(&pr->cut, 0, sizeof(pr->cut));
		*buf = buf0;
		*len = len0;
	}
	return feed_repair_refs(pr, buf, len, encoding);
}

int
feed_repair_refs(struct feed_repair *pr, const char **buf, size_t *len,
    const char *encoding)
{
	pr->refs = 0;
	if ((pr->fixed = fix_entities(*buf, *len)) != NULL) {
		*buf = (const char *)xmlBufferContent(pr->fixed);
		*len = (size_t)xmlBufferLength(pr->fixed);
	}
	return guard(pr, buf, len, encoding);
}

void
feed_repair_free(struct feed_repair *pr)
{
	free(pr->denulled);
	free(pr->repaired);
	free(pr->guarded);
	xmlBufferFree(pr->fixed);
}

void
feed_repair_warn(struct feed *f, const struct feed_repair *pr)
{
	if (pr->repaired != NULL)
		feed_warn(f, "bytes that are not UTF-8 read as windows-1252");
	if (pr->nuls > 0)
		feed_warn(f, "%zu NUL bytes removed", pr->nuls);
	if (pr->fixed != NULL || pr->refs)
		feed_warn(f, "undeclared entities or bare '&' read as HTML "
		    "would read them");
	if (pr->cut.attrs > 0)
		feed_warn(f, "%zu attributes past %d on one element "
		    "dropped", pr->cut.attrs, MARKUP_GUARD_MAX_ATTRS);
	if (pr->cut.ns > 0)
		feed_warn(f, "%zu namespace declarations past %d in "
		    "scope dropped", pr->cut.ns, MARKUP_GUARD_MAX_NS);
	if (pr->cut.attlists > 0)
		feed_warn(f, "%zu <!ATTLIST> declarations dropped",
		    pr->cut.attlists);
	if (pr->cut.entities > 0)
		feed_warn(f, "%zu entity values with markup in character "
		    "references emptied", pr->cut.entities);
}
