/*
 * feed.h - parse a feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into
 * entries with stable ids.
 *
 * Promises: a pure function of bytes (plus base URL and content type) to a
 * struct feed; never the network, never the disk.  Untrusted input is
 * bounded (no external entities or DTD fetches, capped entry count and
 * string lengths).  Every string in the result is valid UTF-8, trimmed, and
 * every link is absolute where a base URL allows.  Timestamps are UTC
 * seconds, NW_TIME_UNSET when the feed gave none that could be read.
 */
#ifndef NW_FEED_H
#define NW_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "date.h"

/* Hard caps on what one document may produce: past FEED_MAX_ENTRIES
 * entries the newest are kept, by date (the later of published and
 * updated); among entries dated alike or not at all, the first
 * FEED_MAX_ENTRIES / 2 of the document and the last ones, where new
 * entries come in a feed ordered either way. */
#define FEED_MAX_ENTRIES 10000
/* Authors, categories and enclosures one entry (or the feed) keeps, the
 * first ones: each new one is compared with those kept. */
#define FEED_MAX_LIST 256

struct feed_cap;

struct feed_enclosure {
	char *url;          /* absolute http(s) */
	char *type;         /* MIME type or NULL */
	int64_t length;     /* bytes, -1 when unknown */
};

struct feed_entry {
	char *id;           /* guid/id, else link, else "sha256:" content hash; never NULL */
	char *title;        /* plain text, whitespace squashed; may be NULL */
	char *link;         /* absolute http(s); NULL when the feed gave none,
	                     * or one of another scheme (javascript:...) */
	int64_t published;  /* NW_TIME_UNSET when absent */
	int64_t updated;
	char **authors;     /* plain-text names */
	size_t nauthors;
	char **categories;
	size_t ncategories;
	char *summary;      /* as the feed gave it (HTML kept); may be NULL */
	char *content;      /* full content (HTML kept); may be NULL */
	struct feed_enclosure *enclosures;
	size_t nenclosures;
};

struct feed {
	/* rss090, rss091..rss094, rss20, rss10, atom03, atom10, jsonfeed10,
	 * jsonfeed11; plain rss, atom, jsonfeed when the version is unknown. */
	char *format;
	char *title;
	char *link;         /* the site's home page, absolute */
	char *id;
	char *description;
	char *language;     /* as the feed says it (RSS <language>, xml:lang, ...) */
	char **authors;     /* the feed's own authors (managingEditor, dc:creator, ...) */
	size_t nauthors;
	int64_t updated;
	/* What was wrong with a document that could still be read (XML
	 * errors recovered from, bytes not in the declared encoding, entries
	 * left out past the cap), one line each: feedparser's "bozo". */
	char **warnings;
	size_t nwarnings;
	size_t ndropped;    /* entries past FEED_MAX_ENTRIES, not kept */
	/* The document was cut short or not well-formed, and read as far as
	 * recovery could: entries it seems not to list may just not have
	 * been read.  Its warnings say what was wrong. */
	int incomplete;
	struct feed_cap *cap; /* the parser's while it reads; NULL after */
	/* How long the feed asks readers to wait between polls, in seconds:
	 * RSS <ttl>, else sy:updatePeriod/sy:updateFrequency; -1 when it
	 * says nothing. */
	int64_t ttl;
	struct feed_entry *entries; /* in document order */
	size_t nentries;
};

/*
 * Parse len bytes of buf.  base_url (the URL the document was fetched
 * from, after redirects; may be NULL) resolves relative links.
 * content_type (the HTTP Content-Type header, may be NULL) gives a charset
 * that wins over the document's own declaration for text/ types.
 * On success returns 0 and *out (caller frees with feed_free).  On failure
 * returns -1 and writes a one-line reason into err ("not a feed: root
 * element <html>", "XML error at line 3: ...").
 */
int feed_parse(const char *buf, size_t len, const char *base_url,
    const char *content_type, struct feed **out, char *err, size_t errlen);
/* feed_parse on a file the caller mapped read-only and private (mmap,
 * MAP_PRIVATE): the pages the parser has read are given back to the
 * kernel as it goes (it reads them from the file again if it must), so
 * that a large document and all its entries are not in memory at once.
 * The file must not change meanwhile. */
int feed_parse_mapped(const char *buf, size_t len, const char *base_url,
    const char *content_type, struct feed **out, char *err, size_t errlen);

void feed_free(struct feed *feed);

/* The entry as a JSON object, exactly as in spool files: id, title, link,
 * published, updated (RFC 3339 UTC or null), authors, categories, summary,
 * content, enclosures [{url, type, length}].  Absent values are null (or []
 * for lists).  Returns a new reference, or NULL on allocation failure. */
json_t *feed_entry_to_json(const struct feed_entry *entry);

struct strbuf;

/* Append to b the text item_json_indented(feed_entry_to_json(entry),
 * depth) would make (compact when depth < 0), byte for byte, without
 * building the tree: `newswatch parse` and the spool print thousands. */
void feed_entry_json_text(struct strbuf *b, const struct feed_entry *entry,
    int depth);

/* Append to feed's entries the entry whose feed_entry_to_json is the text
 * json: the same entry again, dates to the second, as the state keeps an
 * entry pending delivery.  Returns 0, or -1 with the reason in err (not
 * such an object, FEED_MAX_ENTRIES reached, out of memory). */
int feed_add_entry_json(struct feed *feed, const char *json, char *err,
    size_t errlen);

/* A JSON string holding s, or null when s is NULL; NULL only when out of
 * memory (jansson's pack and set calls take that as failure). */
json_t *feed_json_str(const char *s);

/* The feed's own fields as JSON: format, title, link, id, description,
 * language, authors, updated, ttl (seconds or null), warnings.  New
 * reference. */
json_t *feed_meta_to_json(const struct feed *feed);

#endif
