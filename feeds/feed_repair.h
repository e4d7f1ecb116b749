/*
 * feed_repair.h - the bytes of an XML feed as libxml2 should read them
 * (NUL bytes out, UTF-8 mended, HTML's entities as references, attribute
 * floods cut), and the encoding and the signs of damage the loose pass
 * (xml_loose.h) needs.  Not for use outside feeds/feed*.c.
 */
#ifndef NW_FEED_REPAIR_H
#define NW_FEED_REPAIR_H

#include <stddef.h>

#include <libxml/tree.h>

#include "feed.h"
#include "markup_guard.h"

/* Room for an encoding name from an XML declaration. */
#define FEED_ENC_NAME_MAX 64

/* Room for a character reference feed_repair writes ("&#1114111;"). */
#define FEED_REF_MAX 24

/* What feed_repair did, and the buffers it made. */
struct feed_repair {
	char *denulled, *repaired, *guarded;
	xmlBufferPtr fixed;
	int refs;           /* references left to rewrite as read (feed_refs) */
	size_t nuls;
	struct markup_guard_stats cut;
};

/*
 * Point *buf and *len at the document as libxml2 should read it, given
 * the HTTP charset (or NULL): *buf is then the caller's or one of r's
 * buffers, valid until feed_repair_free(r).  r starts zeroed.  With
 * stream set, the references libxml2 would lose may be left in place
 * (r->refs set, no copy made): the caller then reads the bytes through
 * feed_refs, or calls feed_repair_refs before reading them whole.  -1
 * when out of memory.
 */
int feed_repair(struct feed_repair *r, const char **buf, size_t *len,
    const char *charset, int stream);
/* The rest of feed_repair when r->refs was set: the references rewritten
 * in a copy of *buf, and the guard run on it.  -1 when out of memory. */
int feed_repair_refs(struct feed_repair *r, const char **buf, size_t *len,
    const char *charset);
void feed_repair_free(struct feed_repair *r);

/* Whether feed_repair would leave the bytes as they are until the
 * references: libxml2 reads them as UTF-8 (given the HTTP charset or
 * NULL), and they are valid UTF-8 without NUL bytes. */
int feed_reads_plain_utf8(const char *buf, size_t len, const char *charset);

/* The bytes of a document with its references rewritten as feed_repair
 * would, made as they are read: no copy of the document. */
struct feed_refs {
	const char *p, *end;    /* what is left to read */
	const char *fix;        /* the next reference to rewrite, or end */
	size_t used;            /* its length */
	char rep[FEED_REF_MAX]; /* its replacement */
	char out_buf[FEED_REF_MAX];
	const char *out;        /* what is left of the last replacement */
};

/* Start reading len bytes of buf; references rewritten when fix is
 * set, else the bytes as they are.  buf is borrowed. */
void feed_refs_start(struct feed_refs *s, const char *buf, size_t len,
    int fix);
/* Up to len bytes into out; their count, 0 at the end. */
size_t feed_refs_read(struct feed_refs *s, char *out, size_t len);

/* What r did, as warnings on f. */
void feed_repair_warn(struct feed *f, const struct feed_repair *r);

/* The charset parameter of a text/ Content-Type, or NULL.  Caller
 * frees. */
char *feed_charset_of(const char *content_type);

/* The encoding the strict pass read the document in: the HTTP charset
 * when libxml2 took it (took_charset), else what the document declares
 * (copied into decl) or its byte order says; NULL for UTF-8.  Borrowed. */
const char *feed_loose_encoding(const char *http_charset, int took_charset,
    const char *buf, size_t len, char decl[FEED_ENC_NAME_MAX]);

/* len bytes of buf in encoding enc (NULL: UTF-8 already) as UTF-8, with
 * its length in *outlen; bytes that are no character of enc become
 * U+FFFD.  NULL when enc is UTF-8, iconv does not know it, or out of
 * memory: then buf is read as it is.  Caller frees. */
char *feed_to_utf8(const char *buf, size_t len, const char *enc,
    size_t *outlen);

/* Whether a comment holds "--": not well-formed, and libxml2 2.9 copies
 * the comment so far into each error it raises for one, which costs time
 * quadratic in their number; the loose pass alone reads such documents. */
int feed_comment_dashes(const char *buf, size_t len);

/* Whether a CDATA section holds the start of another: well-formed, but
 * the first has lost its "]]>", and XML reads the document's next
 * elements as its text. */
int feed_cdata_unclosed(const char *buf, size_t len);

#endif
