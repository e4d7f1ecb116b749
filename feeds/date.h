/*
 * date.h - parse the date strings feeds and pages carry, format RFC 3339.
 *
 * Promises: every result is seconds since the epoch in UTC.  A string that
 * cannot be read as a date is refused (-1), never guessed.  Pure functions,
 * no locale, no global state, thread-safe.
 */
#ifndef NW_DATE_H
#define NW_DATE_H

#include <stddef.h>
#include <stdint.h>

/* The "no date" value for every timestamp field in feeds/ and store/. */
#define NW_TIME_UNSET INT64_MIN

/*
 * Parse RFC 822/1123 (with real-world deviations: missing weekday, 2-digit
 * years, named and military zones, missing seconds or zone), RFC 3339 /
 * ISO 8601 (no colon in offset, no seconds, fractions, date only, compact
 * forms such as 20220107T1426+0100) and other forms feeds use.
 * Leading/trailing whitespace is ignored.  A missing zone means UTC.
 * Returns 0 and sets *out, or -1 when s is not a date it can trust.
 */
int date_parse(const char *s, int64_t *out);

/* date_parse's result, or NW_TIME_UNSET when s is NULL or not a date. */
int64_t date_parse_or_unset(const char *s);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 32 bytes).
 * Returns buf. */
char *date_format_rfc3339(int64_t t, char *buf, size_t buflen);

#endif
