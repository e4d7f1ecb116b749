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

/*
 * Find the first calendar date written out in free text, as pages show
 * them to readers: "5. April 2017", "Published on May 10, 2022",
 * "24.01.2022 11:38", "23 mai 2019", "2020-02-19", "26/10/2018".  Month
 * names in English, German, French, Italian, Spanish, Dutch and
 * Portuguese.  A day/month order that only a locale could settle
 * ("03/04/2021") is no date.  Sets *out to that day's 00:00 UTC (the time
 * of day and the zone are left: text rarely says which zone) and returns
 * 0, or returns -1.
 */
int date_find(const char *s, int64_t *out);

/* date_parse's result, or NW_TIME_UNSET when s is NULL or not a date. */
int64_t date_parse_or_unset(const char *s);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 32 bytes).
 * Returns buf. */
char *date_format_rfc3339(int64_t t, char *buf, size_t buflen);

#endif
