/*
 * feed_int.h - what feed.c (XML formats) and feed_json.c (JSON Feed, and
 * the spool's JSON) share.  Not for use outside feeds/feed*.c.
 */
#ifndef NW_FEED_INT_H
#define NW_FEED_INT_H

#include <stddef.h>

#include "feed.h"

/* A document's warnings beyond this many are summed up in the last. */
#define FEED_MAX_WARNINGS 8

/* No single string from a document may be longer (bytes). */
#define FEED_MAX_STRING (1024 * 1024)

/* printf into the caller's err buffer (either may be NULL/0). */
void feed_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* len bytes of s as a result string: cut to FEED_MAX_STRING on a
 * character boundary, made valid UTF-8, trimmed.  NULL when nothing is
 * left (or on allocation failure).  Caller frees. */
char *feed_str(const char *s, size_t len);

/* The same, then whitespace squashed: for titles and names. */
char *feed_str_squashed(const char *s, size_t len);

/* Store s in *field unless it is already set (the first value a document
 * gives wins); takes s either way. */
void feed_set(char **field, char *s);
void feed_set_time(int64_t *field, int64_t t);

/* Say what was wrong with the document (see struct feed's warnings);
 * past FEED_MAX_WARNINGS the last one says more were dropped. */
void feed_warn(struct feed *feed, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append s (taken; NULL is ignored) to the list v of n strings; a list
 * holding FEED_MAX_LIST already frees s instead. */
void feed_push_str(char ***v, size_t *n, char *s);

/* Append an enclosure unless one with the same URL is there or e holds
 * FEED_MAX_LIST already; takes url and type (url NULL: nothing added). */
void feed_push_enclosure(struct feed_entry *e, char *url, char *type,
    int64_t length);

/* An empty entry: no strings, no dates. */
void feed_entry_init(struct feed_entry *e);

/* Free what e holds (not e itself). */
void feed_entry_clear(struct feed_entry *e);

/* Give e its id when the feed did not (link, else a content hash), drop
 * its link and enclosures that are not http(s) URLs (with a warning), and
 * move it to the end of feed's entries; e is left empty.  Past
 * FEED_MAX_ENTRIES only the newest are kept (see struct feed): e, or the
 * oldest entry kept, is freed and counted in ndropped.  -1 on allocation
 * failure (e is cleared). */
int feed_add_entry(struct feed *feed, struct feed_entry *e);

/* After the last feed_add_entry: the entries kept past the cap back in
 * document order, and a warning saying how many were left out. */
void feed_finish(struct feed *feed);

/* An empty feed, or NULL. */
struct feed *feed_new(const char *format);

/* feed_parse for a JSON Feed document. */
int feed_parse_json(const char *buf, size_t len, const char *base_url,
    struct feed **out, char *err, size_t errlen);

#endif
