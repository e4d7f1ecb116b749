/*
 * test_item.c - item_json_text writes what json_dumps(JSON_COMPACT) writes,
 * and item_json_indented what JSON_INDENT(2) does, nested or not, byte
 * for byte: every kind of value, every escaped byte, and the entries
 * of the test feeds; and an item given its entry's text made already is
 * the item that makes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <malloc.h>

#include <jansson.h>

#include "../daemon/config.h"
#include "../daemon/item.h"
#include "../feeds/feed.h"
#include "../feeds/json_text.h"
#include "../feeds/strbuf.h"

static void
same_as_jansson(json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *got = item_json_text(v);
	char *pretty = json_dumps(v, JSON_PRESERVE_ORDER | JSON_INDENT(2) |
	    JSON_ENCODE_ANY);
	char *got_pretty = item_json_indented(v, 0);
	char *nested = item_json_indented(v, 3);
	struct strbuf moved = { 0 };

	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_non_null(got_pretty);
	assert_string_equal(got_pretty, pretty);
	/* Nested: each line after the first 6 spaces further right. */
	for (const char *p = pretty; *p != '\0'; p++) {
		strbuf_add(&moved, p, 1);
		if (*p == '\n')
			strbuf_add(&moved, "      ", 6);
	}
	free(want);
	want = strbuf_finish(&moved);
	assert_string_equal(nested, want);
	free(want);
	free(got);
	free(pretty);
	free(got_pretty);
	free(nested);
	json_decref(v);
}

static void
test_values(void **state)
{
	char all[128];

	(void)state;
	/* Every ASCII byte but NUL, which json_stringn keeps too. */
	for (int i = 0; i < 127; i++)
		all[i] = (char)(i + 1);
	all[127] = '\0';
	same_as_jansson(json_string(all));
	same_as_jansson(json_stringn("a\0b", 3));
	same_as_jansson(json_string("Zürich \xe2\x80\xa8 \xf0\x9f\x93\xb0 / </script>"));
	same_as_jansson(json_string(""));
	same_as_jansson(json_pack("{s:i, s:I, s:b, s:b, s:n, s:f, s:f, s:[], s:{}}",
	    "int", -42, "big", (json_int_t)INT64_MIN, "t", 1, "f", 0, "null",
	    "real", 0.1, "whole", 3.0, "empty array", "empty object"));
	same_as_jansson(json_pack("[{s:[s, {s:s}]}, [[]], s]", "k\"\\\n",
	    "v\t", "deep", "x\x1f", "last"));
}

/* Each byte that needs escaping, at every offset of an 8-byte word and
 * next to bytes above 0x7f (the escape scan reads a word at a time). */
static void
test_escapes_at_every_offset(void **state)
{
	static const char special[] = { '"', '\\', '\n', '\x01', '\x1f', '\x7f',
	    ' ' };
	char s[48];   /* at most 23 + 17 bytes and the NUL */

	(void)state;
	for (size_t k = 0; k < sizeof(special); k++)
		for (size_t at = 0; at < 24; at++)
			for (size_t len = at + 1; len <= at + 17; len++) {
				memset(s, 'a', len);
				/* "é" runs before, as high bytes skew a
				 * word's arithmetic. */
				for (size_t j = 0; j + 1 < at; j += 2)
					memcpy(s + j, "\xc3\xa9", 2);
				s[at] = special[k];
				s[len] = '\0';
				same_as_jansson(json_string(s));
			}
}

/* Strings longer than the chunk the escaping writes at a time, with
 * escapes on and across its boundaries and multi-byte characters cut by
 * them. */
static void
test_long_strings(void **state)
{
	static const char *const pieces[] = { "\"", "\n", "\x01", "\xc3\xa9",
	    "\xf0\x9f\x93\xb0", "abcdefg" };
	char *s = malloc(20001);

	(void)state;
	assert_non_null(s);
	for (size_t step = 1; step <= 6; step++) {
		size_t n = 0;

		for (size_t k = 0; n + 8 < 20000; k += step)
			for (const char *p = pieces[k % 6]; *p != '\0'; p++)
				s[n++] = *p;
		s[n] = '\0';
		same_as_jansson(json_string(s));
	}
	free(s);
}

/* The test feed at path, parsed, with entries. */
static struct feed *
parsed(const char *path)
{
	struct feed *feed = NULL;
	FILE *fp = fopen(path, "rb");
	char buf[1 << 16], err[512];
	size_t len;

	assert_non_null(fp);
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	assert_int_equal(feed_parse(buf, len, "http://example.org/", NULL,
	    &feed, err, sizeof(err)), 0);
	assert_true(feed->nentries > 0);
	return feed;
}

static void
test_feed_entries(void **state)
{
	static const char *files[] = { "tests/data/feeds/atom10.xml",
	    "tests/data/feeds/rss091.xml", "tests/data/feeds/entities.xml",
	    "tests/data/feeds/cp1252.xml", "tests/data/feeds/jsonfeed11.json" };

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct feed *feed = parsed(files[f]);

		for (size_t i = 0; i < feed->nentries; i++)
			same_as_jansson(feed_entry_to_json(&feed->entries[i]));
		same_as_jansson(feed_meta_to_json(feed));
		feed_free(feed);
	}
}

static void
test_item_with_entry_text_made(void **state)
{
	struct config_feed cf = { .url = "http://example.org/feed",
	    .name = "example" };
	struct item_article art = { .url = "http://example.org/a",
	    .error = "not fetched" };
	struct feed *feed = parsed("tests/data/feeds/atom10.xml");

	(void)state;
	for (size_t i = 0; i < feed->nentries; i++) {
		const struct feed_entry *e = &feed->entries[i];
		struct strbuf b = { 0 };
		char *text, *built, *spliced;

		/* As the poll makes it for the state's pending record. */
		feed_entry_json_text(&b, e, -1);
		text = strbuf_finish(&b);
		built = item_json(&cf, feed, e, NULL, i ? &art : NULL,
		    1764000000000000 + (int64_t)i, i ? "other" : NULL,
		    json_pack("{s:i}", "number", 2));
		spliced = item_json(&cf, feed, e, text, i ? &art : NULL,
		    1764000000000000 + (int64_t)i, i ? "other" : NULL,
		    json_pack("{s:i}", "number", 2));
		assert_non_null(text);
		assert_non_null(built);
		assert_string_equal(spliced, built);
		free(built);
		free(spliced);
		free(text);
	}
	feed_free(feed);
}

/* The entry's text written directly is the text of its jansson tree, at
 * every depth, compact too: enclosures, lists, nulls, escapes. */
static void
test_entry_text_without_tree(void **state)
{
	static const char *files[] = { "tests/data/feeds/atom10.xml",
	    "tests/data/feeds/rss20.xml", "tests/data/feeds/entities.xml",
	    "tests/data/feeds/cp1252.xml", "tests/data/feeds/jsonfeed11.json" };
	static const int depths[] = { -1, 0, 2, 20 };

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct feed *feed = parsed(files[f]);

		for (size_t i = 0; i < feed->nentries; i++)
			for (size_t d = 0; d < 4; d++) {
				json_t *v = feed_entry_to_json(&feed->entries[i]);
				char *want = item_json_indented(v, depths[d]);
				struct strbuf b = { 0 };
				char *got;

				feed_entry_json_text(&b, &feed->entries[i],
				    depths[d]);
				got = strbuf_finish(&b);
				assert_non_null(want);
				assert_non_null(got);
				assert_string_equal(got, want);
				free(want);
				free(got);
				json_decref(v);
			}
		feed_free(feed);
	}
}

/* A finished text keeps what it holds, not the room its writer asked
 * for: the spool's entry texts wait for their items in memory, and the
 * worst-case room of an escape made them six times their size. */
static void
test_finished_text_is_its_size(void **state)
{
	static const size_t lens[] = { 10, 300, 5000, 40000 };
	char *s = malloc(40000);

	(void)state;
	assert_non_null(s);
	memset(s, 'a', 40000);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct strbuf b = { 0 };
		char *got;

		json_text_string(&b, s, lens[i]);
		got = strbuf_finish(&b);
		assert_non_null(got);
		assert_int_equal(strlen(got), lens[i] + 2);
		assert_true(malloc_usable_size(got) <= (lens[i] + 3) * 5 / 4 +
		    64 + 32);
		free(got);
	}
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_escapes_at_every_offset),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_feed_entries),
		cmocka_unit_test(test_entry_text_without_tree),
		cmocka_unit_test(test_item_with_entry_text_made),
		cmocka_unit_test(test_finished_text_is_its_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
