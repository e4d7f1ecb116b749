/*
 * test_date.c - date_parse on the forms feeds use, and what it refuses.
 * The first block comes from feedparser's date tests
 * (../shared/corpus/feeds/feedparser/date_cases.tsv, BSD licence).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../feeds/date.h"

static const struct {
	const char *in;
	int64_t want;
} good[] = {
	/* feedparser's date_cases.tsv */
	{ "Thu, 01 Jan 2004 19:48:21 GMT", 1072986501LL },
	{ "Thu, 30 Apr 2015 08:57:00 MET", 1430380620LL },
	{ "Wed, 19 Feb 2012 22:40:00 -01:01", 1329694860LL },
	{ "Mon, 13 Feb, 2012 06:28:00 UTC", 1329114480LL },
	{ "Thu, 01 Jan 2004 00:00 GMT", 1072915200LL },
	{ "Mon, 26 January 2004 16:31:00 MT", 1075159860LL },
	{ "Mon, 26 January 2004 16:31:00 PT", 1075163460LL },
	{ "Sun Jan  4 16:29:06 2004", 1073233746LL },
	{ "Fri, 2006/09/15 08:19:53 EDT", 1158322793LL },
	{ "2003-12-31T10:14:55-08:00", 1072894495LL },
	{ "2007-04-23T23:25:47.538+10:00", 1177334747LL },
	{ "2003-12", 1070236800LL },
	{ "2003", 1041379200LL },
	{ "2004-02-28T18:14:55-08:00", 1078020895LL },
	{ "2000-02-28T18:14:55-08:00", 951790495LL },
	{ "2004-07-08 23:56:58 -00:20", 1089332218LL },
	{ "2003-12-31T10:14:55.1234Z", 1072865695LL },
	/* RFC 822 as feeds bend it */
	{ "07 Jan 2022 14:26:00 +0100", 1641561960LL },
	{ "Fri, 7 Jan 22 14:26 EST", 1641583560LL },
	{ "Fri, 07 Jan 1999 14:26:00 PDT", 915744360LL },
	{ "Fri,07 Jan 2022 14:26:00", 1641565560LL },
	{ "  Fri,  07   Jan  2022  14:26:00  UT  ", 1641565560LL },
	{ "Fri, 07 Jan 2022 14:26:00 Z", 1641565560LL },
	{ "Fri, 07 Jan 2022 14:26:00 A", 1641569160LL },
	{ "Fri, 07 Jan 2022 14:26:00 N", 1641561960LL },
	{ "Tue, 10 Jun 2003 04:00:00 -0800 (PST)", 1055246400LL },
	/* spaces around the 'T' */
	{ "2003-07-01 T 01:55:07-05:00", 1057042507LL },
	{ "2003-07-01T 01:55:07 -05:00", 1057042507LL },
	/* nested and quoted comments (feedvalidator's everything.xml) */
	{ "Thu, 09 (nested (comment) Mar)Feb(escaped comment\\) 2005) "
	  "2006()23:59:45 +0000", 1139529585LL },
	{ "Fri, 07 Jan 2022 02:26:00 PM GMT", 1641565560LL },
	{ "Friday, 07-Jan-22 14:26:00 GMT", 1641565560LL },
	{ "Fri, 07 Jan 2022 14:26:00 GMT+0100", 1641561960LL },
	{ "Fri, 07 Sept 2022 14:26:00 GMT", 1662560760LL },
	/* ISO 8601 / RFC 3339 */
	{ "2022-01-07T14:26:00+0100", 1641561960LL },
	{ "2022-01-07T14:26+01:00", 1641561960LL },
	{ "2022-01-07", 1641513600LL },
	{ "2022-01-07t14:26:00z", 1641565560LL },
	{ "2022-01-07 14:26:00 +0100", 1641561960LL },
	{ "2022-01-07 14:26:00", 1641565560LL },
	{ "2022-01-07T14:26:00.123456789-05", 1641583560LL },
	{ "2022-01-07T14:26:00 GMT", 1641565560LL },
	{ "2009-01-12T5:40:14-05:00", 1231756814LL },
	{ "20220107T1426+0100", 1641561960LL },
	{ "20220107T142600Z", 1641565560LL },
	{ "20220107", 1641513600LL },
	{ "2016-12-31T23:59:60Z", 1483228800LL },
	{ "1969-12-31T23:59:59Z", -1LL },
};

static const char *const bad[] = {
	"", "   ", "013", "yesterday", "2013-01-27-01", "2013-xx-27",
	"2013-01-28T09:xx:00Z", "9999-12-31T23:59:59-99:99",
	"Sun, 16 Dec 2012 1:2:3:4 GMT", "Sun, 16 zzz 2012 11:47:32 GMT",
	"Sun, Dec x 2012 11:47:32 GMT", "Sun, 16 Dec zz 11:47:32 GMT",
	"2022-13-01", "2022-02-29", "2021-04-31T00:00:00Z", "2022-01-07T24:00:00Z",
	"2022-01-07T12:60:00Z", "2022-01-07T12:00:61Z", "Fri, 32 Jan 2022",
	"Fri, 07 Jan 2022 14:26:00 +2400", "Fri, 07 Jan 2022 14:26:00 XYZ",
	"Fri, 07 Jan 2022 13:26:00 PM", "2022-01-07T14:26:00+01:00 junk",
	"Fri, 07 Jan 2022 14:26:00 -0800 (PST", "0999-01-01",
	"Fri, 07 Jan 2022 14:26:00 +01:00 +02:00",
};

static void
test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t t = 0;

		if (date_parse(good[i].in, &t) != 0 || t != good[i].want) {
			print_error("%s: got %lld want %lld\n", good[i].in,
			    (long long)t, (long long)good[i].want);
			fail();
		}
	}
}

static void
test_bad(void **state)
{
	int64_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (date_parse(bad[i], &t) != -1) {
			print_error("%s: accepted as %lld\n", bad[i], (long long)t);
			fail();
		}
	}
	assert_int_equal(date_parse(NULL, &t), -1);
	assert_int_equal(t, 42);
}

static void
test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(date_format_rfc3339(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00Z");
	assert_string_equal(date_format_rfc3339(1641561960, buf, sizeof(buf)),
	    "2022-01-07T13:26:00Z");
	assert_string_equal(date_format_rfc3339(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59Z");
	assert_string_equal(date_format_rfc3339(951782400, buf, sizeof(buf)),
	    "2000-02-29T00:00:00Z");
	assert_string_equal(date_format_rfc3339(253402300799LL, buf,
	    sizeof(buf)), "9999-12-31T23:59:59Z");
}

/* Dates as pages show them in running text: the day they name. */
static const struct {
	const char *in;
	const char *want;	/* YYYY-MM-DD, or NULL: no date */
} found[] = {
	{ "Ver\xc3\xb6" "ffentlicht am 5. April 2017", "2017-04-05" },
	{ "Samstag, 5. Oktober 2013", "2013-10-05" },
	{ "Published On May 10, 2022 01:52 PM", "2022-05-10" },
	{ "Posted on September 21st, 2020 by Adi", "2020-09-21" },
	{ "24.01.2022 11:38", "2022-01-24" },
	{ "Anmeldedatum 26.10.13", "2013-10-26" },
	{ "Mise en ligne 23 mai 2019", "2019-05-23" },
	{ "3 d\xc3\xa9" "cembre 2019", "2019-12-03" },
	{ "Written: 2023-11-07 15:03:30", "2023-11-07" },
	{ "26/10/2018", "2018-10-26" },
	{ "10/26/2018", "2018-10-26" },
	{ "Jan 18, 2019", "2019-01-18" },
	{ "12. J\xc3\xa4nner 2022", "2022-01-12" },
	{ "03/04/2021", NULL },		/* March or April: the locale's */
	{ "Seite 5 von 12", NULL },
	{ "31.02.2021", NULL },
	{ "in 2021 und 2022", NULL },
	{ "Version 12.2019.5", NULL },
	{ "", NULL },
};

static void
test_find(void **state)
{
	char buf[32];
	int64_t t;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
		rc = date_find(found[i].in, &t);
		if (found[i].want == NULL ? rc != -1 : rc != 0 ||
		    strncmp(date_format_rfc3339(t, buf, sizeof(buf)),
		    found[i].want, 10) != 0) {
			print_error("%s: %s\n", found[i].in, rc == 0 ?
			    date_format_rfc3339(t, buf, sizeof(buf)) : "none");
			fail();
		}
	}
	assert_int_equal(date_find(NULL, &t), -1);
}

/* Every day from 1600 to 2400 goes out and comes back unchanged. */
static void
test_round_trip(void **state)
{
	char buf[32];
	int64_t t;

	(void)state;
	for (int64_t d = -135140; d < 157054; d += 1) {
		date_format_rfc3339(d * 86400 + 3723, buf, sizeof(buf));
		assert_int_equal(date_parse(buf, &t), 0);
		assert_int_equal(t, d * 86400 + 3723);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
