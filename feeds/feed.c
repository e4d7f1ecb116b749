/*
 * feed.c - XML feeds: the way in (feed_parse): libxml2 reads the document as a stream,
 * one entry's subtree at a time, when it is well-formed (memory grows
 * with the entries kept, not the document), as a tree otherwise, and the
 * loose pass (xml_loose.h) reads it again when it is not well-formed.
 * RSS is feed_rss.c's, Atom feed_atom.c's, the tree helpers they share
 * feed_tree.c's, the entry model feed_entry.c's,
 * the bytes' repairs before libxml2 reads them feed_repair.c's.
 */
#include <sys/mman.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "feed.h"
#include "feed_int.h"
#include "feed_repair.h"
#include "text.h"
#include "feed_xml.h"
#include "xml_fast.h"
#include "xml_loose.h"

/* libxml2's reading, the same for the tree and the stream: the bytes
 * alone (no network), on past errors, CDATA as text, complaints to our
 * handler only. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOCDATA | \
	XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Room for the element name libxml2 names in a truncation error. */
#define TAG_NAME_MAX 64

/* libxml2's complaints, kept instead of printed. */
struct xml_errors {
	int line;
	char first[256];        /* the first error, for the caller */
	char unfinished[TAG_NAME_MAX];  /* the document ended inside this */
	int fatal;              /* not well-formed: recovery may drop text */
};

static void
note_xml_error(void *arg, xmlErrorPtr e)
{
	struct xml_errors *xe = arg;
	size_t len;

	if (e->level < XML_ERR_ERROR)
		return;
	if (e->level == XML_ERR_FATAL)
		xe->fatal = 1;
	if (e->code == XML_ERR_TAG_NOT_FINISHED && e->str1 != NULL)
		snprintf(xe->unfinished, sizeof(xe->unfinished), "%s", e->str1);
	if (xe->first[0] != '\0')
		return;
	xe->line = e->line;
	snprintf(xe->first, sizeof(xe->first), "%s",
	    e->message != NULL ? e->message : "unknown error");
	len = strlen(xe->first);
	while (len > 0 && text_is_space((unsigned char)xe->first[len - 1]))
		xe->first[--len] = '\0';
}

static void
on_xml_error(void *ctx, xmlErrorPtr e)
{
	note_xml_error(((xmlParserCtxtPtr)ctx)->_private, e);
}

static void
ignore_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static xmlDocPtr
read_xml(xmlParserCtxtPtr ctxt, const char *buf, size_t len,
    const char *base_url, const char *encoding)
{
	/* libxml2's encoding layer reports without a parser context, to
	 * the (per-thread) generic handler: silence it for this call. */
	xmlGenericErrorFunc saved = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	xmlDocPtr doc;

	xmlSetGenericErrorFunc(NULL, ignore_generic);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, base_url, encoding,
	    XML_OPTIONS);
	xmlSetGenericErrorFunc(saved_ctx, saved);
	return doc;
}

/* The format the root element names, never the URL; sets p's namespace.
 * NULL when root is no feed's. */
static const char *
detect_format(struct parse *p, xmlNodePtr root)
{
	const char *format = NULL;
	char *v;

	if (fx_is_el(root, NULL, "rss")) {
		static const char *const versions[] = { "0.91", "0.92", "0.93",
		    "0.94" };

		v = fx_attr(root, "version");
		format = "rss";
		if (v == NULL || strncmp(v, "2.", 2) == 0)
			format = "rss20";
		for (size_t i = 0; v != NULL && format[3] == '\0' &&
		    i < sizeof(versions) / sizeof(versions[0]); i++)
			if (strcmp(v, versions[i]) == 0) {
				snprintf(p->version, sizeof(p->version), "rss%c%c%c",
				    v[0], v[2], v[3]);
				format = p->version;
			}
		free(v);
	} else if (fx_is_el(root, NS_RDF, "RDF")) {
		format = "rss10";
		p->core_ns = NS_RSS10;
		for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
			if (fx_is_el(c, NS_RSS090, "channel")) {
				format = "rss090";
				p->core_ns = NS_RSS090;
			}
		}
	} else if (fx_is_el(root, NS_ATOM10, "feed")) {
		format = "atom10";
		p->core_ns = NS_ATOM10;
	} else if (fx_is_el(root, NS_ATOM03, "feed")) {
		format = "atom03";
		p->core_ns = NS_ATOM03;
		p->atom03 = 1;
	} else if (fx_is_el(root, NULL, "feed"))
		format = "atom";        /* no namespace: Atom all the same */
	return format;
}

/* The entry element a truncated document ended inside, if any: an
 * ancestor of the document's last node.  Its text is cut short, so it is
 * left out rather than emitted half. */
static xmlNodePtr
unfinished_entry(xmlNodePtr root)
{
	xmlNodePtr n = root;

	while (n->last != NULL)
		n = n->last;
	for (; n != NULL && n != root; n = n->parent)
		if (n->type == XML_ELEMENT_NODE &&
		    (strcmp((const char *)n->name, "item") == 0 ||
		    strcmp((const char *)n->name, "entry") == 0))
			return n;
	return NULL;
}

/* The entries and metadata of the tree at root, a feed of format (see
 * detect_format), into p->feed.  -1 when out of memory. */
static int
read_tree(struct parse *p, xmlNodePtr root, const char *format)
{
	if ((p->feed = feed_new(format)) == NULL)
		return -1;
	if (strncmp(format, "rss", 3) != 0)
		fx_atom_feed(p, root);
	else if (p->core_ns != NULL)
		fx_rdf(p, root);
	else {
		/* Items straight under <rss>, without a channel, happen. */
		for (xmlNodePtr c = root->children; c != NULL; c = c->next)
			if (fx_is_el(c, NULL, "channel"))
				fx_rss_channel(p, c);
			else if (fx_is_el(c, NULL, "item"))
				fx_rss_item(p, c);
	}
	return 0;
}

/* Where the stream is: the root, the RSS channel whose children come
 * one by one, and what a channel's or an Atom feed's children add up
 * to. */
struct stream {
	struct parse *p;
	int rss;
	xmlNodePtr root, channel;
	struct channel_state channel_st;
	struct poll_hint atom_hint;
	int oom;                /* xml_fast_read's: stream_element said so */
	int not_feed;           /* ...or the root is no feed's: then */
	char *err;              /* this says so */
	size_t errlen;
	const char *buf, *kept; /* a mapped file's pages from kept on are
	                         * in memory; kept NULL when not mapped */
};

/* The start of element n at depth: XML_FAST_SUBTREE when its subtree is
 * to be read whole (stream_subtree) or skipped, XML_FAST_DESCEND when the
 * reading goes into it, -1 when the document is not one the stream
 * reads (the tree does instead), -2 when out of memory. */
static int
stream_element(struct stream *s, xmlNodePtr n, int depth)
{
	struct parse *p = s->p;
	const char *format;

	if (depth == 0) {
		if ((format = detect_format(p, n)) == NULL)
			return -1;
		s->rss = strncmp(format, "rss", 3) == 0;
		/* RSS 1.0 and 0.90 name their format by a child of the
		 * root, which is not there yet: the tree reads them. */
		if (s->rss && p->core_ns != NULL)
			return -1;
		if ((p->feed = feed_new(format)) == NULL)
			return -2;
		p->doc = n->doc;
		s->root = n;
		return XML_FAST_DESCEND;
	}
	if (depth == 1 && s->rss && fx_is_el(n, NULL, "channel")) {
		s->channel = n;
		s->channel_st = fx_channel_start;
		return XML_FAST_DESCEND;
	}
	return XML_FAST_SUBTREE;
}

/* A child of the root or of an RSS channel, whole, to the readers. */
static void
stream_subtree(struct stream *s, xmlNodePtr n)
{
	struct parse *p = s->p;

	if (s->channel != NULL)
		fx_rss_channel_child(p, n, &s->channel_st);
	else if (!s->rss)
		fx_atom_feed_child(p, n, &s->atom_hint);
	else if (fx_is_el(n, NULL, "item"))
		fx_rss_item(p, n);
}

/* The end of element n (an empty one ends where it starts). */
static void
stream_end(struct stream *s, xmlNodePtr n)
{
	if (n == s->channel) {
		fx_rss_channel_end(s->p, &s->channel_st);
		s->channel = NULL;
	} else if (n == s->root && !s->rss)
		fx_atom_feed_end(s->p, n, &s->atom_hint);
}

/* Read r to its end into s; 0 when the whole document was read without a
 * single complaint in xe, else what stream_element said (-1 also for a
 * complaint). */
static int
stream_all(struct stream *s, xmlTextReaderPtr r, const struct xml_errors *xe)
{
	xmlNodePtr n;
	int ret, skip = 0;

	while ((ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r)) ==
	    1 && xe->first[0] == '\0') {
		n = xmlTextReaderCurrentNode(r);
		skip = 0;
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT)
			stream_end(s, n);
		else if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		else if ((skip = stream_element(s, n,
		    xmlTextReaderDepth(r))) < 0)
			return skip;
		else if (skip == XML_FAST_DESCEND &&
		    xmlTextReaderIsEmptyElement(r))
			stream_end(s, n);
		else if (skip == XML_FAST_SUBTREE) {
			if (xmlTextReaderExpand(r) == NULL)
				return -1;
			stream_subtree(s, n);
		}
	}
	return ret == 0 && xe->first[0] == '\0' && !xe->fatal &&
	    s->root != NULL ? 0 : -1;
}

/* The bytes the stream reads, references rewritten (feed_refs) and line
 * ends made '\n' (XML 1.0, 2.11) before libxml2 sees them: its push
 * parser, under the reader, leaves them raw inside CDATA sections where
 * its tree parser does not. */
struct eol_input {
	struct feed_refs refs;
	int after_cr;
	const char *kept;       /* a mapped file's pages from here are in
	                         * memory; NULL when not mapped */
};

/* Give back the whole pages of a mapped file (feed_parse_mapped) from
 * from to to: the kernel reads them from the file again if they are
 * read again. */
static void
drop_pages(const char *from, const char *to)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)from + page - 1) & ~(page - 1);
	uintptr_t b = (uintptr_t)to & ~(page - 1);

	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

static int
eol_read(void *ctx, char *out, int len)
{
	struct eol_input *in = ctx;
	size_t n, k;
	char *cr;

	/* A megabyte at a time, not to ask the kernel at every read. */
	if (in->kept != NULL && in->refs.p - in->kept >= 1 << 20) {
		drop_pages(in->kept, in->refs.p);
		in->kept = in->refs.p;
	}
	do {
		n = feed_refs_read(&in->refs, out, (size_t)len);
		if ((cr = memchr(out, '\r', n)) == NULL && !in->after_cr)
			return (int)n;
		/* A '\n' after a '\r' goes, even across reads: the loop
		 * reads again when nothing was left of this one. */
		k = in->after_cr ? 0 : (size_t)(cr - out);
		for (size_t i = k; i < n; i++) {
			if (in->after_cr && out[i] == '\n') {
				in->after_cr = 0;
				continue;
			}
			in->after_cr = out[i] == '\r';
			out[k++] = in->after_cr ? '\n' : out[i];
		}
	} while (k == 0 && n > 0);
	return (int)k;
}

/* Bytes 0x0D and 0x0A are line ends in every encoding a feed uses but
 * UTF-16 and UTF-32, whose documents the tree reads. */
static int
bytes_are_lines(const char *buf, size_t len, const char *encoding)
{
	if (encoding != NULL && (strncasecmp(encoding, "utf-16", 6) == 0 ||
	    strncasecmp(encoding, "utf-32", 6) == 0 ||
	    strncasecmp(encoding, "ucs", 3) == 0))
		return 0;
	return memchr(buf, '\0', len < 4 ? len : 4) == NULL &&
	    (len < 2 || ((unsigned char)buf[0] != 0xfe &&
	    (unsigned char)buf[0] != 0xff));
}

/*
 * The document read as a stream (libxml2's xmlTextReader: the same
 * parser, options and tree nodes as xmlCtxtReadMemory's): each child of
 * the root or of an RSS channel is expanded, read by the same readers as
 * the tree's, and freed before the next is parsed, so memory grows with
 * the entries kept, not with the document; references are rewritten as
 * the bytes are read when fix_refs is set, and the pages read given back
 * when buf is a mapped file (mapped).  Only a document libxml2 reads
 * without a single complaint is taken from the stream: anything else (and
 * RSS 1.0/0.90, and no feed at all) is read again as a tree, whose rules
 * for errors, truncation and the loose pass stay as they are.  1 when
 * p->feed is the feed, 0 when the tree must read it, -1 when out of
 * memory.
 */
static int
read_stream(struct parse *p, const char *buf, size_t len,
    const char *base_url, const char *encoding, int fix_refs, int mapped)
{
	struct xml_errors xe = { 0 };
	struct stream s = { .p = p };
	struct eol_input in = { .kept = mapped ? buf : NULL };
	xmlGenericErrorFunc saved = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	xmlTextReaderPtr r;
	int rc = -1;

	/* As in read_xml: the encoding layer reports to the generic
	 * handler. */
	if (!bytes_are_lines(buf, len, encoding))
		return 0;
	feed_refs_start(&in.refs, buf, len, fix_refs);
	xmlSetGenericErrorFunc(NULL, ignore_generic);
	r = xmlReaderForIO(eol_read, NULL, &in, base_url, encoding,
	    XML_OPTIONS);
	if (r != NULL) {
		xmlTextReaderSetStructuredErrorHandler(r, note_xml_error, &xe);
		rc = stream_all(&s, r, &xe);
	}
	xmlFreeTextReader(r);
	xmlSetGenericErrorFunc(saved_ctx, saved);
	p->doc = NULL;
	if (rc == 0)
		return 1;
	feed_free(p->feed);
	*p = (struct parse){ 0 };
	return rc == -2 ? -1 : 0;
}

static void
refuse(const struct xml_errors *xe, xmlNodePtr root, char *err,
    size_t errlen)
{
	if (root != NULL)
		feed_seterr(err, errlen, "not a feed: root element <%s%s%s>",
		    root->ns != NULL && root->ns->prefix != NULL ?
		    (const char *)root->ns->prefix : "",
		    root->ns != NULL && root->ns->prefix != NULL ? ":" : "",
		    (const char *)root->name);
	else if (xe->first[0] != '\0')
		feed_seterr(err, errlen, "XML error at line %d: %s", xe->line,
		    xe->first);
	else
		feed_seterr(err, errlen, "not XML");
}

static int
fast_start(void *ctx, xmlNodePtr n, size_t depth)
{
	struct stream *s = ctx;
	int rc = stream_element(s, n, (int)depth);

	s->oom = rc == -2;
	/* The root's start tag is well-formed, and the same root to every
	 * other reading: no need to read the rest.  (RSS 1.0 and 0.90,
	 * which the stream leaves to the tree, set core_ns.) */
	if (rc == -1 && depth == 0 && s->p->core_ns == NULL) {
		s->not_feed = 1;
		refuse(NULL, n, s->err, s->errlen);
	}
	return rc;
}

static void
fast_end(void *ctx, xmlNodePtr n, int subtree, size_t read)
{
	struct stream *s = ctx;

	if (subtree)
		stream_subtree(s, n);
	else
		stream_end(s, n);
	/* As eol_read does: a megabyte at a time. */
	if (s->kept != NULL && s->buf + read - s->kept >= 1 << 20) {
		drop_pages(s->kept, s->buf + read);
		s->kept = s->buf + read;
	}
}

static const struct xml_fast_handler fast_handler = {
	.start = fast_start,
	.end = fast_end,
};

/*
 * The document read by our own scan (xml_fast.h), as read_stream reads
 * it, when it is UTF-8 and needs no repair: much faster than libxml2's
 * parser, and it refuses whatever it is not sure libxml2 would read the
 * same way without a complaint.  1 when p->feed is the feed, 2 when the
 * root is no feed's (err says so, as refuse does), 0 when it refused
 * (libxml2 reads it then), -1 when out of memory.
 */
static int
read_fast(struct parse *p, const char *buf, size_t len,
    const char *base_url, int mapped, char *err, size_t errlen)
{
	struct stream s = { .p = p, .buf = buf, .kept = mapped ? buf : NULL,
	    .err = err, .errlen = errlen };
	int rc = xml_fast_read(buf, len, base_url, &fast_handler, &s);

	p->doc = NULL;
	if (rc == 0 && s.root != NULL)
		return 1;
	feed_free(p->feed);
	*p = (struct parse){ 0 };
	if (rc == -1 || s.oom)
		return -1;
	return s.not_feed ? 2 : 0;
}

/* The loose pass's reading of the feed vocabularies (xml_loose.h). */
static int
is_entry(xmlNodePtr n)
{
	const char *name = (const char *)n->name;

	if (strcmp(name, "item") != 0 && strcmp(name, "entry") != 0)
		return 0;
	return n->ns == NULL || fx_is_el(n, NS_RSS10, name) ||
	    fx_is_el(n, NS_RSS090, name) || fx_is_el(n, NS_ATOM10, name) ||
	    fx_is_el(n, NS_ATOM03, name);
}

static int
is_html_text(xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	char *type, *mode;
	int raw;

	if (strcmp(name, "description") == 0)
		return n->ns == NULL || fx_is_el(n, NS_RSS10, name) ||
		    fx_is_el(n, NS_RSS090, name);
	if (fx_is_el(n, NS_CONTENT, "encoded"))
		return 1;
	if ((strcmp(name, "summary") != 0 && strcmp(name, "content") != 0) ||
	    !(n->ns == NULL || fx_is_el(n, NS_ATOM10, name) ||
	    fx_is_el(n, NS_ATOM03, name)))
		return 0;
	/* XHTML and inline XML content are elements, read as such. */
	type = fx_attr(n, "type");
	mode = fx_attr(n, "mode");
	raw = (type == NULL || (strcasestr(type, "xml") == NULL &&
	    strcasecmp(type, "xhtml") != 0)) &&
	    (mode == NULL || strcasecmp(mode, "xml") != 0);
	free(type);
	free(mode);
	return raw;
}

/* Elements feeds write empty, and often leave open: iTunes' (but the
 * owner, which holds its name and address), enclosures, media objects and
 * links given by href. */
static int
is_leaf(xmlNodePtr n)
{
	const char *name = (const char *)n->name;

	if (n->ns != NULL && n->ns->href != NULL &&
	    fx_ns_means((const char *)n->ns->href, NS_ITUNES))
		return strcmp(name, "owner") != 0;
	return fx_is_el(n, NULL, "enclosure") ||
	    fx_is_el(n, NS_MEDIA, "content") ||
	    fx_is_el(n, NS_MEDIA, "thumbnail") ||
	    (strcmp(name, "link") == 0 && xmlHasProp(n,
	    (const xmlChar *)"href") != NULL);
}

static const struct xml_loose_rules loose_rules = {
	.raw_text = is_html_text,
	.leaf = is_leaf,
	.entry = is_entry,
};

/* Read the document loosely (xml_loose.h) into lp; 0 when that gives a
 * feed, -1 when not (or out of memory). */
static int
read_loose(struct parse *lp, const char *buf, size_t len,
    const char *base_url, const char *enc, struct xml_loose_report *rep)
{
	char *utf8;
	size_t ulen = len;
	const char *format;
	xmlNodePtr root;

	if ((utf8 = feed_to_utf8(buf, len, enc, &ulen)) != NULL)
		buf = utf8;
	lp->doc = xml_loose_read(buf, ulen, base_url, &loose_rules, rep);
	free(utf8);
	if (lp->doc == NULL || (root = xmlDocGetRootElement(lp->doc)) == NULL ||
	    (format = detect_format(lp, root)) == NULL)
		return -1;
	lp->unfinished = rep->unfinished;
	return read_tree(lp, root, format);
}

/* What the loose pass mended, as warnings. */
static void
warn_loose(struct feed *f, const struct xml_errors *xe,
    const struct xml_loose_report *rep)
{
	if (xe->first[0] != '\0')
		feed_warn(f, "not well-formed (XML error at line %d: %s): read "
		    "loosely", xe->line, xe->first);
	else
		feed_warn(f, "not well-formed: read loosely");
	if (rep->skipped > 0)
		feed_warn(f, "%zu bytes before the root element skipped",
		    rep->skipped);
	if (rep->implied_ends > 0 || rep->stray_ends > 0)
		feed_warn(f, "%zu elements left open closed by an outer end "
		    "tag, %zu end tags that close nothing ignored",
		    rep->implied_ends, rep->stray_ends);
	if (rep->open_cdata > 0)
		feed_warn(f, "%zu CDATA sections without their ']]>'",
		    rep->open_cdata);
	if (rep->dropped > 0)
		feed_warn(f, "%zu attributes, namespace declarations or "
		    "elements past the limits dropped", rep->dropped);
	if (rep->ended_open)
		feed_warn(f, "truncated document: it ends inside its root "
		    "element%s", rep->unfinished != NULL ?
		    "; its last entry is left out" : "");
}

/* libxml2's reading of the document, into p (p->feed NULL when it is no
 * feed).  *root is its root element, or NULL.  -1 when out of memory. */
static int
read_strict(struct parse *p, xmlParserCtxtPtr ctxt, struct xml_errors *xe,
    const char *buf, size_t len, const char *base_url, const char *encoding,
    int *took_charset, xmlNodePtr *root)
{
	const char *format;

	ctxt->sax->serror = on_xml_error;
	ctxt->_private = xe;
	*took_charset = encoding != NULL;
	p->doc = read_xml(ctxt, buf, len, base_url, encoding);
	/* A charset libxml2 cannot convert: let the document speak. */
	if (p->doc == NULL && encoding != NULL) {
		memset(xe, 0, sizeof(*xe));
		*took_charset = 0;
		p->doc = read_xml(ctxt, buf, len, base_url, NULL);
	}
	*root = p->doc != NULL ? xmlDocGetRootElement(p->doc) : NULL;
	if (*root == NULL || (format = detect_format(p, *root)) == NULL)
		return 0;
	if (xe->unfinished[0] != '\0')
		p->unfinished = unfinished_entry(*root);
	return read_tree(p, *root, format);
}

/* The entries' titles, links and dates: what recovery may lose. */
static size_t
fields_read(const struct feed *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nentries; i++) {
		const struct feed_entry *e = &f->entries[i];

		n += (e->title != NULL) + (e->link != NULL) +
		    (e->published != NW_TIME_UNSET) +
		    (e->updated != NW_TIME_UNSET);
	}
	return n;
}

/* Whether the loose reading a finds more than the strict one b (NULL
 * when libxml2 found no feed): more entries, or as many with more of
 * their fields. */
static int
reads_more(const struct feed *a, const struct feed *b)
{
	if (b == NULL || a->nentries != b->nentries)
		return b == NULL || a->nentries > b->nentries;
	return fields_read(a) > fields_read(b);
}

/* One document's readings, and what they met. */
struct reading {
	struct parse p, lp;     /* libxml2's, the loose pass's */
	struct xml_errors xe;
	struct xml_loose_report rep;
	struct feed_repair pr;
	xmlParserCtxtPtr ctxt;
	xmlNodePtr root;        /* libxml2's tree's root, or NULL */
	int loose;              /* the loose reading is r->p's now */
};

/*
 * libxml2 reads the document, as a stream when it can (read_stream),
 * else as a tree.  When it is not well-formed (or a CDATA section lost
 * its end), the loose pass reads it again, and its reading wins when it
 * finds more (reads_more): it reads on where libxml2's recovery drops the
 * rest of an element or of the document.  Where both find as much,
 * libxml2's reading stays.  -1 when out of memory.
 */
static int
read_libxml2(struct reading *r, const char *buf, size_t len,
    const char *base_url, const char *encoding, int mapped)
{
	const char *file = buf;
	char decl[FEED_ENC_NAME_MAX];
	int took_charset = 0, streamed = 0, dashes, cdata_open;

	if (feed_repair(&r->pr, &buf, &len, encoding, 1) == -1)
		return -1;
	/* Every scan of the whole document before the stream: then a
	 * mapped file's pages can go, and only the stream reads them
	 * again. */
	dashes = feed_comment_dashes(buf, len);
	cdata_open = feed_cdata_unclosed(buf, len);
	mapped = mapped && buf == file;
	if (mapped)
		drop_pages(buf, buf + len);
	if (dashes) {
		r->xe.fatal = 1;
		snprintf(r->xe.first, sizeof(r->xe.first), "'--' in a comment");
		took_charset = encoding != NULL;
	} else if ((streamed = read_stream(&r->p, buf, len, base_url,
	    encoding, r->pr.refs, mapped)) == -1)
		return -1;
	/* What the stream did not read is read whole, references and
	 * all. */
	if (streamed != 1 && r->pr.refs &&
	    feed_repair_refs(&r->pr, &buf, &len, encoding) == -1)
		return -1;
	if (streamed == 1)
		took_charset = encoding != NULL;
	else if (!dashes && ((r->ctxt = xmlNewParserCtxt()) == NULL ||
	    read_strict(&r->p, r->ctxt, &r->xe, buf, len, base_url, encoding,
	    &took_charset, &r->root) == -1))
		return -1;
	if ((r->xe.fatal || cdata_open) &&
	    read_loose(&r->lp, buf, len, base_url, feed_loose_encoding(
	    encoding, took_charset, buf, len, decl), &r->rep) == 0 &&
	    reads_more(r->lp.feed, r->p.feed)) {
		feed_free(r->p.feed);
		r->p.feed = r->lp.feed;
		r->lp.feed = NULL;
		r->loose = 1;
	}
	return 0;
}

/*
 * Our own scan reads the document when it is plain UTF-8 and as
 * libxml2 would read it without a complaint (read_fast); else libxml2
 * and the loose pass do (read_libxml2).
 */
static int
parse_xml(const char *buf, size_t len, const char *base_url,
    const char *content_type, int mapped, struct feed **out, char *err,
    size_t errlen)
{
	struct reading r = { 0 };
	struct xml_errors *xe = &r.xe;
	char *encoding = NULL;
	int rc = -1, fast = 0;

	if (len > INT32_MAX / 2) {
		feed_seterr(err, errlen, "document too large");
		goto fail;
	}
	encoding = feed_charset_of(content_type);
	fast = feed_reads_plain_utf8(buf, len, encoding);
	if ((fast && (fast = read_fast(&r.p, buf, len, base_url,
	    mapped, err, errlen)) == -1) ||
	    (fast == 0 && read_libxml2(&r, buf, len, base_url, encoding,
	    mapped) == -1))
		goto oom;
	if (r.p.feed == NULL) {
		if (fast != 2)
			refuse(xe, r.root, err, errlen);
		goto fail;
	}
	if (r.loose)
		warn_loose(r.p.feed, xe, &r.rep);
	else if (xe->unfinished[0] != '\0')
		feed_warn(r.p.feed, "truncated document: <%s> not closed (XML "
		    "error at line %d: %s)%s", xe->unfinished, xe->line,
		    xe->first, r.p.unfinished != NULL ?
		    "; its last entry is left out" : "");
	else if (xe->first[0] != '\0')
		feed_warn(r.p.feed, "XML error at line %d: %s (recovered)",
		    xe->line, xe->first);
	r.p.feed->incomplete = xe->fatal;
	feed_repair_warn(r.p.feed, &r.pr);
	feed_finish(r.p.feed);
	*out = r.p.feed;
	r.p.feed = NULL;
	rc = 0;
	goto fail;
oom:
	feed_seterr(err, errlen, "out of memory");
fail:
	feed_free(r.p.feed);
	feed_free(r.lp.feed);
	xmlFreeDoc(r.p.doc);
	xmlFreeDoc(r.lp.doc);
	xmlFreeParserCtxt(r.ctxt);
	free(encoding);
	feed_repair_free(&r.pr);
	return rc;
}

static int
parse(const char *buf, size_t len, const char *base_url,
    const char *content_type, int mapped, struct feed **out, char *err,
    size_t errlen)
{
	size_t i = 0;

	*out = NULL;
	if (buf == NULL)
		len = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && text_is_space((unsigned char)buf[i]))
		i++;
	if (i == len) {
		feed_seterr(err, errlen, "empty document");
		return -1;
	}
	if (buf[i] == '{')
		return feed_parse_json(buf + i, len - i, base_url, out, err,
		    errlen);
	return parse_xml(buf, len, base_url, content_type, mapped, out, err,
	    errlen);
}

int
feed_parse(const char *buf, size_t len, const char *base_url,
    const char *content_type, struct feed **out, char *err, size_t errlen)
{
	return parse(buf, len, base_url, content_type, 0, out, err, errlen);
}

int
feed_parse_mapped(const char *buf, size_t len, const char *base_url,
    const char *content_type, struct feed **out, char *err, size_t errlen)
{
	return parse(buf, len, base_url, content_type, 1, out, err, errlen);
}
