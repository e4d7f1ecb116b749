/*
 * text.h - text clean-up shared by the feed and article parsers.
 *
 * Promises: every function that returns text returns valid UTF-8
 * (invalid bytes become U+FFFD), newly allocated; the caller frees.  NULL
 * in gives NULL out.
 */
#ifndef NW_TEXT_H
#define NW_TEXT_H

#include <stddef.h>

/* Collapse runs of whitespace (including NBSP) to one space and trim. */
char *text_squash(const char *s);

/* text_squash, and NULL when nothing is left: for optional fields, where
 * an empty string would only stand for "absent". */
char *text_squash_nonempty(const char *s);

/* 1 for the six ASCII whitespace bytes isspace() takes in the C locale,
 * whatever the locale is; 0 for anything else. */
int text_is_space(int c);

/* Copy len bytes of s, replacing invalid UTF-8 sequences and NUL bytes. */
char *text_utf8_sanitize(const char *s, size_t len);

/* 1 when the len bytes of s are valid UTF-8 without NUL bytes. */
int text_utf8_valid(const char *s, size_t len);

/* For text declared UTF-8 that is not: each byte that is no part of a
 * valid UTF-8 sequence read as windows-1252 (Latin-1's superset, the
 * usual culprit), valid sequences kept.  NULL when s is valid UTF-8 as it
 * is (or on allocation failure); else the repaired copy, its length in
 * *outlen. */
char *text_utf8_repair(const char *s, size_t len, size_t *outlen);

/* s decoded once more when it is UTF-8 encoded twice ("Investor\xc3\xa2
 * \xc2\x80\xc2\x99s" for "Investor\xe2\x80\x99s"): its non-ASCII
 * characters all U+0080-U+00FF, whose bytes make valid UTF-8.  NULL when
 * s is not so (or on allocation failure); else the decoded copy. */
char *text_utf8_undouble(const char *s);

/* The text that base64 (or base64url) s encodes, whitespace ignored; NULL
 * when s is not base64 or what it encodes is not UTF-8 text without NUL
 * bytes. */
char *text_base64_decode(const char *s);

/* Decode HTML entities (named, including those no DTD declared, and
 * numeric) in s.  Markup is left as it is. */
char *text_decode_entities(const char *s);

/* The code point HTML reads the character reference "&name;" as, given
 * the len bytes of name between '&' and ';': an HTML entity name
 * ("eacute" -> 0xE9; HTML5's set, but the few names that stand for two
 * code points) or a numeric one ("#233", "#xE9"; 128-159 read as
 * windows-1252, impossible values as U+FFFD).  -1 when name is neither.
 * For parsers that must turn references into numeric ones. */
long text_entity_codepoint(const char *name, size_t len);

/* Strip markup from an HTML fragment and return its text, with block
 * elements separated by newlines and whitespace squashed within lines. */
char *text_from_html(const char *html);

#endif
