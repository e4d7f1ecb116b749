/*
 * test_text.c - UTF-8 repair, whitespace squashing, entity decoding and
 * HTML-to-text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../feeds/text.h"

#define FFFD "\xef\xbf\xbd"

typedef char *(*text_fn)(const char *);

static void
check(text_fn fn, const char *in, const char *want)
{
	char *got = fn(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
check_sanitize(const char *in, size_t len, const char *want)
{
	char *got = text_utf8_sanitize(in, len);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_sanitize(void **state)
{
	(void)state;
	check_sanitize("plain", 5, "plain");
	check_sanitize("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	check_sanitize("a\0b", 3, "a" FFFD "b");
	check_sanitize("caf\xe9!", 5, "caf" FFFD "!");             /* latin-1 */
	check_sanitize("\xc0\xaf", 2, FFFD FFFD);                  /* overlong */
	check_sanitize("\xed\xa0\x80", 3, FFFD FFFD FFFD);         /* surrogate */
	check_sanitize("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD);/* > U+10FFFF */
	check_sanitize("\xe2\x82x", 3, FFFD "x");       /* one FFFD per subpart */
	check_sanitize("\xe2\x82", 2, FFFD);                       /* truncated */
	check_sanitize("\xff\xfe", 2, FFFD FFFD);
	check_sanitize("", 0, "");
	assert_null(text_utf8_sanitize(NULL, 0));
}

/* A NUL, a bad byte or a good sequence at every offset of the sixteen-
 * and eight-byte words the check reads ASCII in, and at the tail. */
static void
test_utf8_at_every_offset(void **state)
{
	static const struct {
		const char *bytes, *want;
		size_t n;
		int valid;
	} cases[] = {
		{ "\0", FFFD, 1, 0 }, { "\xe9", FFFD, 1, 0 },
		{ "\xc3\xa9", "\xc3\xa9", 2, 1 },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 4, 1 },
		{ "\xe2\x82", FFFD, 2, 0 }, { "\x7f", "\x7f", 1, 1 },
	};
	char in[64], want[64], as[64];

	(void)state;
	memset(as, 'a', sizeof(as));
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (size_t at = 0; at < 40; at++)
			for (size_t after = 0; after < 20; after += 3) {
				size_t n = at + cases[c].n + after;

				memset(in, 'a', n);
				memcpy(in + at, cases[c].bytes, cases[c].n);
				snprintf(want, sizeof(want), "%.*s%s%.*s", (int)at,
				    as, cases[c].want, (int)after, as);
				assert_int_equal(text_utf8_valid(in, n),
				    cases[c].valid);
				check_sanitize(in, n, want);
			}
}

static void
test_squash(void **state)
{
	(void)state;
	check(text_squash, "  a \t\n b  ", "a b");
	check(text_squash, "a\xc2\xa0\xc2\xa0" "b", "a b");               /* NBSP */
	check(text_squash, "\xe3\x80\x80" "a\xe2\x80\x83" "b\xe2\x80\xa8", "a b");
	check(text_squash, "\xc2\xa0", "");
	check(text_squash, "", "");
	check(text_squash, "x\xff  y", "x" FFFD " y");
	check(text_squash, "ab\xc3\xa9" "cd \xc2\xa0" "ef\xe2\x80\x83\xe2\x80\x83" "g h",
	    "ab\xc3\xa9" "cd ef g h");
	check(text_squash, "\xc3\xa9" "a\x0b\x0c" "b\r\xe3\x80\x80", "\xc3\xa9" "a b");
	assert_null(text_squash(NULL));
}

static void
test_entities(void **state)
{
	(void)state;
	check(text_decode_entities, "Fish &amp; Chips", "Fish & Chips");
	check(text_decode_entities, "&lt;b&gt; &quot;q&quot; &apos;a&apos;",
	    "<b> \"q\" 'a'");
	check(text_decode_entities, "caf&eacute;&nbsp;&hellip;&euro;&thetasym;",
	    "caf\xc3\xa9\xc2\xa0\xe2\x80\xa6\xe2\x82\xac\xcf\x91");
	check(text_decode_entities, "&AElig;&aelig;&Omega;&zwnj;",
	    "\xc3\x86\xc3\xa6\xce\xa9\xe2\x80\x8c");
	check(text_decode_entities, "&#8217;&#x2019;&#X2019;&#39",
	    "\xe2\x80\x99\xe2\x80\x99\xe2\x80\x99'");
	/* windows-1252 in numeric references */
	check(text_decode_entities, "&#150;&#147;x&#148;&#128;",
	    "\xe2\x80\x93\xe2\x80\x9cx\xe2\x80\x9d\xe2\x82\xac");
	check(text_decode_entities, "&#0;&#xD800;&#x110000;&#99999999999999;",
	    FFFD FFFD FFFD FFFD);
	/* not references: left as they are */
	check(text_decode_entities, "AT&T &bogus; &amp &#; &#x; & ;",
	    "AT&T &bogus; &amp &#; &#x; & ;");
	check(text_decode_entities, "&eacute", "&eacute");
	check(text_decode_entities, "&amp;amp;", "&amp;");
	check(text_decode_entities, "<p>kept</p>", "<p>kept</p>");
	check(text_decode_entities, "bad \xff", "bad " FFFD);
	assert_null(text_decode_entities(NULL));
}

static void
test_entity_table(void **state)
{
	(void)state;
	assert_int_equal(text_entity_codepoint("nbsp", 4), 0xa0);
	assert_int_equal(text_entity_codepoint("apos", 4), 39);
	assert_int_equal(text_entity_codepoint("yuml", 4), 0xff);
	assert_int_equal(text_entity_codepoint("Yuml", 4), 0x178);
	assert_int_equal(text_entity_codepoint("eacutex", 6), 0xe9);
	assert_int_equal(text_entity_codepoint("Nbsp", 4), -1);
	assert_int_equal(text_entity_codepoint("", 0), -1);
	assert_int_equal(text_entity_codepoint("x", 40), -1);
	assert_int_equal(text_entity_codepoint("#233", 4), 0xe9);
	assert_int_equal(text_entity_codepoint("#xE9", 4), 0xe9);
	assert_int_equal(text_entity_codepoint("#146", 4), 0x2019);
	assert_int_equal(text_entity_codepoint("#0", 2), 0xfffd);
	assert_int_equal(text_entity_codepoint("#", 1), -1);
	assert_int_equal(text_entity_codepoint("#x", 2), -1);
	assert_int_equal(text_entity_codepoint("#12a", 4), -1);
}

/* One table answers HTML 4's names and HTML5's, the long ones included;
 * a name for two code points is not one we can answer. */
static void
test_entity_table_html5(void **state)
{
	(void)state;
	assert_int_equal(text_entity_codepoint("hellip", 6), 0x2026);
	assert_int_equal(text_entity_codepoint("thetasym", 8), 0x3d1);
	assert_int_equal(text_entity_codepoint("NotNestedLessLess", 17), -1);
	assert_int_equal(text_entity_codepoint(
	    "CounterClockwiseContourIntegral", 31), 0x2233);
	assert_int_equal(text_entity_codepoint("bigstar", 7), 0x2605);
	check(text_decode_entities, "&DoubleLongLeftRightArrow; &bigstar;",
	    "\u27fa \u2605");
}

static void
test_from_html(void **state)
{
	(void)state;
	check(text_from_html, "hello", "hello");
	check(text_from_html, "", "");
	check(text_from_html, "<p>One &amp; <b>two</b></p><p>three</p>",
	    "One & two\nthree");
	check(text_from_html, "a<br>b<br/><br/>c", "a\nb\nc");
	check(text_from_html, "<b>bold</b> text, <i>more</i>",
	    "bold text, more");
	check(text_from_html, "<div>  x \n\n y&nbsp;&nbsp;z </div>", "x y z");
	check(text_from_html,
	    "<script>alert(1)</script><style>p{}</style>visible", "visible");
	check(text_from_html, "<ul><li>a</li><li>b</li></ul>", "a\nb");
	check(text_from_html, "<table><tr><td>a</td><td>b</td></tr>"
	    "<tr><td>c</td></tr></table>", "a b\nc");
	check(text_from_html, "x<!-- hidden -->y", "xy");
	check(text_from_html, "<h1>Title</h1>Caf&eacute; <unknown>tag</unknown>",
	    "Title\nCaf\xc3\xa9 tag");
	check(text_from_html, "unclosed <p>para <b>bold", "unclosed\npara bold");
	check(text_from_html, "l\xe9gal", "l" FFFD "gal");
	assert_null(text_from_html(NULL));
}

static char *
nested_divs(size_t n)
{
	char *html = malloc(n * 5 + 2);

	assert_non_null(html);
	for (size_t i = 0; i < n; i++)
		memcpy(html + i * 5, "<div>", 5);
	memcpy(html + n * 5, "x", 2);
	return html;
}

/* Deep nesting must not blow the stack; past libxml2's depth limit the
 * text may be lost, but there must be a result. */
static void
test_from_html_deep(void **state)
{
	char *html, *got;

	(void)state;
	html = nested_divs(200);
	got = text_from_html(html);
	assert_non_null(got);
	assert_string_equal(got, "x");
	free(got);
	free(html);

	html = nested_divs(100000);
	got = text_from_html(html);
	assert_non_null(got);
	free(got);
	free(html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_utf8_at_every_offset),
		cmocka_unit_test(test_squash),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_entity_table),
		cmocka_unit_test(test_entity_table_html5),
		cmocka_unit_test(test_from_html),
		cmocka_unit_test(test_from_html_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
