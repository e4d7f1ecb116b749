/*
 * test_opml.c - OPML lists as feed readers export them, and what
 * opml_write makes of a list read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../feeds/opml.h"

#define DATA "tests/data/opml/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(fp);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

static void
check_feed(const struct opml_feed *f, const char *url, const char *title,
    const char *tags)
{
	char joined[256] = "";

	assert_string_equal(f->url, url);
	if (title)
		assert_string_equal(f->title, title);
	else
		assert_null(f->title);
	for (size_t i = 0; i < f->ntags; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined),
		    "%s%s", i ? "," : "", f->tags[i]);
	assert_string_equal(joined, tags);
}

static void
test_readers(void **state)
{
	struct opml_feed *f;
	size_t n, len;
	char err[256], *buf;

	(void)state;
	buf = slurp(DATA "feedly.opml", &len);
	assert_int_equal(opml_parse(buf, len, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	check_feed(&f[1], "https://feeds.arstechnica.com/arstechnica/index",
	    "Ars Technica & More", "Tech");
	check_feed(&f[3], "https://lwn.net/headlines/rss", "LWN.net", "News");
	opml_free(f, n);
	free(buf);

	buf = slurp(DATA "miniflux.opml", &len);
	assert_int_equal(opml_parse(buf, len, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	check_feed(&f[0], "https://jvns.ca/atom.xml", "Julia Evans",
	    "All,people,linux");
	check_feed(&f[1], "https://example.org/feed?a=1&b=#frag",
	    "Quote \"this\" \\ back", "All");
	opml_free(f, n);
	free(buf);
}

static void
test_edge_cases(void **state)
{
	static const char nested[] =
	    "<opml version='1.1'><body><outline text='a'><outline>"
	    "<outline XMLURL=' http://x.example/f ' category='/p/q,,r/'/>"
	    "</outline></outline><outline text='empty'/></body></opml>";
	static const char entity[] =
	    "<?xml version='1.0'?><!DOCTYPE opml [<!ENTITY e SYSTEM "
	    "'file:///etc/passwd'>]><opml><body><outline xmlUrl='&e;'/>"
	    "</body></opml>";
	struct opml_feed *f;
	size_t n;
	char err[256];

	(void)state;
	assert_int_equal(opml_parse(nested, sizeof(nested) - 1, &f, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	/* The unnamed folder adds no tag; the category's paths give their
	 * last names. */
	check_feed(&f[0], "http://x.example/f", NULL, "a,q,r");
	opml_free(f, n);
	/* No external entity is ever read. */
	if (opml_parse(entity, sizeof(entity) - 1, &f, &n, err,
	    sizeof(err)) == 0) {
		for (size_t i = 0; i < n; i++)
			assert_null(strstr(f[i].url, "root:"));
		opml_free(f, n);
	}
	assert_int_equal(opml_parse("<rss/>", 6, &f, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "not OPML: the root element is <rss>");
	assert_int_equal(opml_parse("<opml", 5, &f, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not XML: line 1"));
	assert_null(f);
}

static void
test_write_reads_back(void **state)
{
	char *tags[] = { "world", "a&b" };
	struct opml_feed in[] = {
		{ .url = "https://a.example/f?x=1&y=2", .title = "A <1>",
		  .tags = tags, .ntags = 2 },
		{ .url = "https://b.example/" },
	};
	struct opml_feed *f;
	size_t n;
	char err[256], *text;

	(void)state;
	assert_non_null(text = opml_write(in, 2, "t"));
	assert_non_null(strstr(text, "<opml version=\"2.0\">"));
	assert_int_equal(opml_parse(text, strlen(text), &f, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 2);
	check_feed(&f[0], in[0].url, "A <1>", "world,a&b");
	check_feed(&f[1], in[1].url, "https://b.example/", "");
	opml_free(f, n);
	free(text);
	opml_free(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_write_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
