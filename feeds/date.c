/*
 * date.c - the date formats feeds really use, read without locale or
 * strptime: ISO 8601 / RFC 3339 (extended and compact) and RFC 822 with the
 * usual deviations.
 */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "text.h"

/* 4-digit years only: anything else in a feed is a typo, not a date. */
#define YEAR_MIN 1000
#define YEAR_MAX 9999

struct tm_utc {
	int year, mon, day;     /* mon 1-12 */
	int hour, min, sec;
	int off;                /* seconds east of UTC */
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01, proleptic
 * Gregorian, exact for every year we accept. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
tm_to_epoch(const struct tm_utc *tm, int64_t *out)
{
	if (tm->year < YEAR_MIN || tm->year > YEAR_MAX ||
	    tm->mon < 1 || tm->mon > 12 ||
	    tm->day < 1 || tm->day > days_in_month(tm->year, tm->mon) ||
	    tm->hour < 0 || tm->hour > 23 || tm->min < 0 || tm->min > 59 ||
	    /* 60: a leap second, which lands on the next minute */
	    tm->sec < 0 || tm->sec > 60)
		return -1;
	*out = days_from_civil(tm->year, tm->mon, tm->day) * 86400 +
	    tm->hour * 3600 + tm->min * 60 + tm->sec - tm->off;
	return 0;
}

/* Read exactly n digits at *p. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return -1;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	*out = v;
	return 0;
}

static size_t
count_digits(const char *p)
{
	size_t n = 0;

	while (is_digit(p[n]))
		n++;
	return n;
}

/*
 * Zone names seen in feeds.  The single letters are RFC 822's military
 * zones with RFC 822's own signs (A is -1): RFC 1123 says those signs were
 * the wrong way round, but the feeds that use them copied RFC 822, and so
 * does every other feed reader.
 */
static const struct {
	const char *name;
	int minutes;
} zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "bst", 60 }, { "cet", 60 }, { "met", 60 }, { "west", 60 },
	{ "cest", 120 }, { "mest", 120 }, { "eet", 120 }, { "eest", 180 },
	{ "msk", 180 }, { "jst", 540 }, { "kst", 540 }, { "aest", 600 },
	{ "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "adt", -180 }, { "ast", -240 }, { "at", -240 },
	{ "edt", -240 }, { "est", -300 }, { "et", -300 },
	{ "cdt", -300 }, { "cst", -360 }, { "ct", -360 },
	{ "mdt", -360 }, { "mst", -420 }, { "mt", -420 },
	{ "pdt", -420 }, { "pst", -480 }, { "pt", -480 },
	{ "akdt", -480 }, { "akst", -540 }, { "hst", -600 },
};

static int
zone_name(const char *s, size_t len, int *off)
{
	char name[8];

	if (len == 0 || len >= sizeof(name))
		return -1;
	for (size_t i = 0; i < len; i++)
		name[i] = (char)lower((unsigned char)s[i]);
	name[len] = '\0';
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (strcmp(zones[i].name, name) == 0) {
			*off = zones[i].minutes * 60;
			return 0;
		}
	}
	if (len == 1 && name[0] >= 'a' && name[0] <= 'y' && name[0] != 'j') {
		int c = name[0];

		if (c <= 'i')
			*off = -(c - 'a' + 1) * 3600;
		else if (c <= 'm')
			*off = -(c - 'k' + 10) * 3600;
		else
			*off = (c - 'n' + 1) * 3600;
		return 0;
	}
	return -1;
}

/* "+hh", "+hhmm", "+hh:mm", "+hmm" at *p; *p advances past it. */
static int
zone_offset(const char **p, int *off)
{
	const char *s = *p;
	int sign, h = 0, m = 0;
	size_t n;

	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	n = count_digits(s);
	if (n == 2 && s[2] == ':') {
		if (digits(&s, 2, &h) == -1 || *s++ != ':' ||
		    digits(&s, 2, &m) == -1)
			return -1;
	} else if (n == 1 || n == 2) {
		digits(&s, (int)n, &h);
	} else if (n == 3 || n == 4) {
		digits(&s, (int)n - 2, &h);
		digits(&s, 2, &m);
	} else
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	*p = s;
	return 0;
}

/*
 * ISO 8601 as feeds write it: YYYY[-MM[-DD]] or YYYYMMDD, then optionally
 * a 'T' and/or spaces and hh:mm[:ss[.frac]] (or hhmm[ss]), then optionally
 * spaces and Z, a numeric offset or a zone name.
 */
static int
parse_iso(const char *s, const char *end, int64_t *out)
{
	struct tm_utc tm = { 0, 1, 1, 0, 0, 0, 0 };
	int compact;

	if (digits(&s, 4, &tm.year) == -1)
		return -1;
	compact = is_digit(*s);
	if (compact) {
		if (digits(&s, 2, &tm.mon) == -1 || digits(&s, 2, &tm.day) == -1)
			return -1;
	} else if (*s == '-') {
		s++;
		if (digits(&s, 2, &tm.mon) == -1)
			return -1;
		if (*s == '-') {
			s++;
			if (digits(&s, 2, &tm.day) == -1)
				return -1;
		}
	}
	if (s == end)
		return tm_to_epoch(&tm, out);

	/* 'T' or spaces, and the spaces some feeds put around the 'T' */
	if (*s != 'T' && *s != 't' && !text_is_space(*s))
		return -1;
	while (text_is_space(*s))
		s++;
	if (*s == 'T' || *s == 't')
		s++;
	while (text_is_space(*s))
		s++;

	/* "T5:40:14" is a slip seen in the wild: allow a 1-digit hour. */
	if (is_digit(s[0]) && s[1] == ':')
		digits(&s, 1, &tm.hour);
	else if (digits(&s, 2, &tm.hour) == -1)
		return -1;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &tm.min) == -1)
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &tm.sec) == -1)
				return -1;
		}
	} else if (digits(&s, 2, &tm.min) == 0) {
		digits(&s, 2, &tm.sec);
	} else
		return -1;
	if (*s == '.' || *s == ',') {
		s++;
		if (!is_digit(*s))
			return -1;
		while (is_digit(*s))
			s++;
	}

	while (text_is_space(*s))
		s++;
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		if (zone_offset(&s, &tm.off) == -1)
			return -1;
	} else if (is_alpha(*s)) {
		const char *name = s;

		while (is_alpha(*s))
			s++;
		if (zone_name(name, (size_t)(s - name), &tm.off) == -1)
			return -1;
	}
	if (s != end)
		return -1;
	return tm_to_epoch(&tm, out);
}

static int
month_name(const char *s, size_t len)
{
	static const char *const months[] = { "january", "february", "march",
	    "april", "may", "june", "july", "august", "september", "october",
	    "november", "december" };

	if (len < 3)
		return -1;
	for (int m = 0; m < 12; m++) {
		size_t i;

		/* "Jan", "January", and the "Sept" some feeds write */
		for (i = 0; i < len && months[m][i] != '\0'; i++)
			if (lower((unsigned char)s[i]) != months[m][i])
				break;
		if (i == len)
			return m + 1;
	}
	return -1;
}

static int
day_name(const char *s, size_t len)
{
	static const char *const days[] = { "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday", "sunday" };

	if (len < 3)
		return -1;
	for (int d = 0; d < 7; d++) {
		size_t i;

		for (i = 0; i < len && days[d][i] != '\0'; i++)
			if (lower((unsigned char)s[i]) != days[d][i])
				break;
		if (i == len)
			return d;
	}
	return -1;
}

/* h:mm[:ss] at s (len bytes, digits and colons only). */
static int
parse_clock(const char *s, size_t len, struct tm_utc *tm)
{
	const char *end = s + len;
	int *field[3] = { &tm->hour, &tm->min, &tm->sec };
	int n = 0;

	while (s < end) {
		size_t d = count_digits(s);

		if (n == 3 || d < 1 || d > 2 || s + d > end)
			return -1;
		digits(&s, (int)d, field[n++]);
		if (s < end && *s++ != ':')
			return -1;
		if (s == end && s[-1] == ':')
			return -1;
	}
	return n >= 2 ? 0 : -1;
}

/* Past an RFC 2822 comment ("-0800 (PST)"), which may nest and quote
 * parentheses with a backslash; -1 when it never closes. */
static int
skip_comment(const char **sp, const char *end)
{
	const char *s = *sp;
	int depth = 0;

	for (; s < end; s++) {
		if (*s == '\\' && s + 1 < end)
			s++;
		else if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0)
			break;
	}
	if (s == end)
		return -1;
	*sp = s + 1;
	return 0;
}

/* What the words of an RFC 822 date said so far. */
struct rfc822 {
	struct tm_utc	tm;
	int		have_zone;
	int		ampm;	/* 'a', 'p' or 0 */
};

/* The letters from w to *sp: a month, a weekday, AM/PM or a zone (which
 * may take a following offset, moving *sp past it). */
static int
rfc822_word(struct rfc822 *r, const char *w, const char **sp)
{
	size_t len = (size_t)(*sp - w);
	int v;

	if (r->tm.mon < 0 && (v = month_name(w, len)) > 0)
		r->tm.mon = v;
	else if (r->tm.hour < 0 && r->tm.day < 0 && day_name(w, len) >= 0)
		;
	else if (r->tm.hour >= 0 && !r->ampm && len == 2 &&
	    (lower(w[1]) == 'm') &&
	    (lower(w[0]) == 'a' || lower(w[0]) == 'p'))
		r->ampm = lower(w[0]);
	else if (r->tm.hour >= 0 && !r->have_zone &&
	    zone_name(w, len, &r->tm.off) == 0) {
		r->have_zone = 1;
		/* "GMT+0100": the offset that follows wins */
		if (r->tm.off == 0 && (**sp == '+' || **sp == '-')) {
			if (zone_offset(sp, &r->tm.off) == -1)
				return -1;
		}
	} else
		return -1;
	return 0;
}

/* The digits, colons and slashes from w, len bytes: a clock, a
 * Perforce date, a year or a day. */
static int
rfc822_number(struct tm_utc *tm, const char *w, size_t len)
{
	if (memchr(w, ':', len) != NULL) {
		if (tm->hour >= 0 || parse_clock(w, len, tm) == -1)
			return -1;
	} else if (memchr(w, '/', len) != NULL) {
		/* Perforce's "2006/09/15" */
		if (len != 10 || tm->year >= 0 || tm->mon >= 0 ||
		    tm->day >= 0 || w[4] != '/' || w[7] != '/' ||
		    digits(&w, 4, &tm->year) == -1 || *w++ != '/' ||
		    digits(&w, 2, &tm->mon) == -1 || *w++ != '/' ||
		    digits(&w, 2, &tm->day) == -1)
			return -1;
	} else if (len == 4 && tm->year < 0) {
		digits(&w, 4, &tm->year);
	} else if (len <= 2 && tm->day < 0) {
		digits(&w, (int)len, &tm->day);
	} else if (len == 2 && tm->year < 0) {
		digits(&w, 2, &tm->year);
		/* RFC 2822's rule for 2-digit years */
		tm->year += tm->year < 50 ? 2000 : 1900;
	} else
		return -1;
	return 0;
}

/*
 * RFC 822 and relatives, read as a bag of words so that order slips
 * ("Jan 4 2004", asctime, "13 Feb, 2012") still parse: a weekday that is
 * ignored, a month name, a day, a year, a clock, AM/PM, a zone.  Any word
 * that fits none of these refuses the whole string.
 */
static int
parse_rfc822(const char *s, const char *end, int64_t *out)
{
	struct rfc822 r = { { -1, -1, -1, -1, 0, 0, 0 }, 0, 0 };
	const char *w;

	while (s < end) {
		w = s;
		if ((*s == '+' || *s == '-') && is_digit(s[1]) &&
		    r.tm.hour >= 0) {
			if (r.have_zone || zone_offset(&s, &r.tm.off) == -1)
				return -1;
			r.have_zone = 1;
		} else if (text_is_space(*s) || *s == ',' || *s == '-' ||
		    *s == '.')
			s++;
		else if (*s == '(') {
			if (skip_comment(&s, end) == -1)
				return -1;
		} else if (is_alpha(*s)) {
			while (s < end && is_alpha(*s))
				s++;
			if (rfc822_word(&r, w, &s) == -1)
				return -1;
		} else if (is_digit(*s)) {
			while (s < end && (is_digit(*s) || *s == ':' ||
			    *s == '/'))
				s++;
			if (rfc822_number(&r.tm, w, (size_t)(s - w)) == -1)
				return -1;
		} else
			return -1;
	}
	if (r.tm.year < 0 || r.tm.mon < 0 || r.tm.day < 0)
		return -1;
	if (r.tm.hour < 0)
		r.tm.hour = 0;
	if (r.ampm) {
		if (r.tm.hour < 1 || r.tm.hour > 12)
			return -1;
		r.tm.hour = r.tm.hour % 12 + (r.ampm == 'p' ? 12 : 0);
	}
	return tm_to_epoch(&r.tm, out);
}

int
date_parse(const char *str, int64_t *out)
{
	/* The parsers may look one byte past the end: give them a NUL there. */
	char s[128];
	const char *end;
	size_t len;

	if (str == NULL)
		return -1;
	while (text_is_space(*str))
		str++;
	len = strlen(str);
	while (len > 0 && text_is_space(str[len - 1]))
		len--;
	/* Nothing that long is a date. */
	if (len == 0 || len >= sizeof(s))
		return -1;
	memcpy(s, str, len);
	s[len] = '\0';
	end = s + len;
	/* A leading 4-digit year followed by '-', a digit or nothing. */
	if (end - s >= 4 && count_digits(s) >= 4 &&
	    (s + 4 == end || s[4] == '-' || is_digit(s[4])))
		return parse_iso(s, end, out);
	return parse_rfc822(s, end, out);
}

char *
date_format_rfc3339(int64_t t, char *buf, size_t buflen)
{
	int64_t days = t / 86400, secs = t % 86400, y;
	int m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, buflen, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    (long long)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
	return buf;
}

int64_t
date_parse_or_unset(const char *s)
{
	int64_t t;

	return s != NULL && date_parse(s, &t) == 0 ? t : NW_TIME_UNSET;
}

/* Month names as pages write them, lower case UTF-8; an abbreviation is
 * any prefix of three letters or more ("Sept", "Okt", "déc"). */
static const char *const month_names[][12] = {
	{ "january", "february", "march", "april", "may", "june", "july",
	    "august", "september", "october", "november", "december" },
	{ "januar", "februar", "m\xc3\xa4rz", "april", "mai", "juni", "juli",
	    "august", "september", "oktober", "november", "dezember" },
	{ "janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin",
	    "juillet", "ao\xc3\xbbt", "septembre", "octobre", "novembre",
	    "d\303\251cembre" },
	{ "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
	    "luglio", "agosto", "settembre", "ottobre", "novembre",
	    "dicembre" },
	{ "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	    "agosto", "septiembre", "octubre", "noviembre", "diciembre" },
	{ "januari", "februari", "maart", "april", "mei", "juni", "juli",
	    "augustus", "september", "oktober", "november", "december" },
	{ "janeiro", "fevereiro", "mar\xc3\xa7o", "abril", "maio", "junho",
	    "julho", "agosto", "setembro", "outubro", "novembro",
	    "dezembro" },
	/* Austria's January. */
	{ "j\xc3\xa4nner" },
};

/* A word of letters (UTF-8 bytes count as letters) at s: its length. */
static size_t
word_len(const char *s)
{
	size_t n = 0;

	while (is_alpha(s[n]) || (s[n] & 0x80))
		n++;
	return n;
}

/* The month a word of len bytes names, or -1.  ASCII letters compare
 * case-blind; accented capitals are rare enough in month names. */
static int
month_word(const char *s, size_t len)
{
	size_t l, i, m;

	for (l = 0; l < sizeof(month_names) / sizeof(month_names[0]); l++)
		for (m = 0; m < 12 && month_names[l][m] != NULL; m++) {
			const char *name = month_names[l][m];

			if (len < 3 || len > strlen(name))
				continue;
			for (i = 0; i < len; i++)
				if (lower((unsigned char)s[i]) != (unsigned char)name[i])
					break;
			if (i == len)
				return (int)m + 1;
		}
	return -1;
}

/* A number of 1 to max digits at *p that is not part of a longer one;
 * advances *p.  Returns the number of digits, 0 when none fits. */
static int
number(const char **p, int max, int *out)
{
	int n = (int)count_digits(*p);

	if (n == 0 || n > max)
		return 0;
	digits(p, n, out);
	return n;
}

/* The date written at s ("5. April 2017", "April 5th, 2017", "05.04.17",
 * "2017-04-05", "26/10/2018"), into tm; -1 when none starts there. */
static int
date_at(const char *s, struct tm_utc *tm)
{
	const char *p = s;
	int a, b, c, nc;
	size_t w;
	char sep;

	if ((w = word_len(p)) > 0) {
		/* Month day, year */
		if ((tm->mon = month_word(p, w)) < 0)
			return -1;
		p += w;
		p += *p == '.';
		while (text_is_space(*p))
			p++;
		if (number(&p, 2, &tm->day) == 0)
			return -1;
		if (word_len(p) == 2)	/* 1st, 2nd, 3rd, 4th */
			p += 2;
		p += *p == ',';
		while (text_is_space(*p))
			p++;
		return number(&p, 4, &tm->year) == 4 ? 0 : -1;
	}
	if ((nc = number(&p, 4, &a)) == 0)
		return -1;
	if (nc == 4) {
		/* 2017-04-05, 2017/04/05 */
		if ((sep = *p++) != '-' && sep != '/')
			return -1;
		if (number(&p, 2, &b) == 0 || *p++ != sep ||
		    number(&p, 2, &c) == 0)
			return -1;
		tm->year = a, tm->mon = b, tm->day = c;
		return 0;
	}
	if (nc > 2)
		return -1;
	tm->day = a;
	sep = *p;
	if (sep == '.' || sep == '/' || sep == '-') {
		p++;
		while (sep == '.' && *p == ' ')
			p++;
		if (number(&p, 2, &b) > 0) {
			/* 05.04.2017, 5.4.17, 26/10/2018 */
			if (*p++ != sep || (nc = number(&p, 4, &c)) == 0 ||
			    nc == 1 || nc == 3)
				return -1;
			tm->year = nc == 2 ? c + 2000 : c;
			tm->mon = b;
			if (sep == '.')
				return 0;
			/* With slashes, the order is the locale's; only a number
			 * over 12 tells. */
			if (a <= 12 && b <= 12 && a != b)
				return -1;
			if (b > 12)
				tm->day = b, tm->mon = a;
			return 0;
		}
	}
	/* 5. April 2017, 5 avril 2017, 5-Apr-2017 */
	while (text_is_space(*p) || *p == '-')
		p++;
	if ((w = word_len(p)) == 0 || (tm->mon = month_word(p, w)) < 0)
		return -1;
	p += w;
	p += *p == '.';
	p += *p == ',';
	while (text_is_space(*p) || *p == '-')
		p++;
	return number(&p, 4, &tm->year) == 4 ? 0 : -1;
}

int
date_find(const char *s, int64_t *out)
{
	struct tm_utc tm;
	const char *p;

	if (s == NULL)
		return -1;
	for (p = s; *p != '\0'; ) {
		/* Dates start at the start of a word or number only. */
		memset(&tm, 0, sizeof(tm));
		if (date_at(p, &tm) == 0 && tm.year >= 1900 &&
		    tm_to_epoch(&tm, out) == 0)
			return 0;
		if (is_digit(*p))
			p += count_digits(p);
		else if (is_alpha(*p) || (*p & 0x80))
			p += word_len(p);
		else
			p++;
	}
	return -1;
}
