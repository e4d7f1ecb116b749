/* test_revision.c - what counts as a change of a story, and how it is
 * shown: fingerprints, versions kept compressed, the word diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../daemon/revision.h"
#include "../store/spool.h"

static void
test_fingerprint_ignores_whitespace(void **ctx)
{
	struct feed_entry a = { .title = "Bridge  approved", .summary =
	    "<p>The vote\n was close.</p>", .updated = 5 };
	struct feed_entry b = { .title = " Bridge approved ", .summary =
	    "<p>The vote was close.</p>\n", .updated = 5 };
	struct feed_entry c = b;
	int64_t fa = revision_fingerprint(&a);

	(void)ctx;
	assert_true(fa != 0);
	assert_true(fa == revision_fingerprint(&b));
	c.title = "Bridge rejected";
	assert_false(fa == revision_fingerprint(&c));
	c = b;
	c.updated = 6;
	assert_false(fa == revision_fingerprint(&c));
	/* Text cannot move from one field to the next unnoticed. */
	c = b;
	c.title = "Bridge approved <p>The";
	c.summary = "vote was close.</p>";
	assert_false(fa == revision_fingerprint(&c));
}

static void
test_version_roundtrip(void **ctx)
{
	struct revision_texts t = { "Title è", NULL, "para one\n\npara two" }, u;
	char *enc, *owned;

	(void)ctx;
	assert_non_null(enc = revision_encode(&t));
	assert_int_equal(revision_decode(enc, &u, &owned), 0);
	assert_string_equal(u.title, "Title è");
	assert_string_equal(u.description, "");
	assert_string_equal(u.text, "para one\n\npara two");
	free(owned);
	free(enc);
	assert_int_equal(revision_decode("not base64!", &u, &owned), -1);
	assert_null(owned);
	assert_int_equal(revision_decode("AAAAAAAAAAAA", &u, &owned), -1);
	assert_int_equal(revision_decode("", &u, &owned), -1);
}

/* A version kept before versions were zstd frames (a zlib stream, as
 * Python's zlib.compress makes one) still reads: an upgraded state keeps
 * the versions of its window. */
static void
test_version_of_zlib_reads(void **ctx)
{
	static const char kept[] = "MDAwMDAwNDF4AXPOL81LzsxRSCwoKMovSy1WSCrKTElPZ"
	    "QjLL0lVKE8sVkjOyS9OZQjJSFVIhiotA0qlKJgrlOQrmOgxAAAR8BZ2";
	struct revision_texts u;
	char *owned;

	(void)ctx;
	assert_int_equal(revision_decode(kept, &u, &owned), 0);
	assert_string_equal(u.title, "Council approves bridge");
	assert_string_equal(u.description, "Vote was close");
	assert_string_equal(u.text, "The council voted 7 to 4.");
	free(owned);
}

/* The compressed version of a 5,000-word text is a fraction of it. */
static void
test_version_compressed(void **ctx)
{
	size_t len = 0, cap = 64 * 1024;
	char *text = malloc(cap), *enc;
	struct revision_texts t = { "A title", "A description", text };

	(void)ctx;
	for (int i = 0; len + 32 < cap && i < 5000; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s%d ",
		    i % 7 ? "word" : "other", i % 13);
	assert_non_null(enc = revision_encode(&t));
	assert_true(strlen(enc) < len / 4);
	free(enc);
	free(text);
}

static json_t *
compare(const char *old, const char *cur, size_t *words)
{
	struct revision_texts a = { "T", "D", old }, b = { "T", "D", cur };

	return revision_compare(&a, &b, words);
}

static void
test_no_change_in_substance(void **ctx)
{
	(void)ctx;
	assert_null(compare("The vote was close.", " The  vote\nwas close. ",
	    NULL));
	assert_null(compare("By Ada, updated 5 minutes ago. The vote.",
	    "By Ada, updated 2 hours ago. The vote.", NULL));
	assert_null(compare("Aggiornato 3 minuti fa. Il voto.",
	    "Aggiornato 1 ora fa. Il voto.", NULL));
	assert_null(compare("See https://x.org/a?id=3&utm_source=rss more",
	    "See https://x.org/a?id=3&fbclid=zz more", NULL));
	assert_null(compare("See https://x.org/a?utm_medium=x", "See "
	    "https://x.org/a", NULL));
}

/* A "most read" box the extraction let through rotates its short,
 * unpunctuated lines: not prose, not a change of the text.  A heading
 * may change in the title, a sentence in the text. */
static void
test_rotating_box_is_not_prose(void **ctx)
{
	const char *story = "The council approved the bridge on Tuesday after "
	    "a long debate.\n\n";
	char a[512], b[512], c[512];
	json_t *r;

	(void)ctx;
	snprintf(a, sizeof(a), "%sMost read\n\nStorm closes the harbour\n\n"
	    "Local team wins the cup", story);
	snprintf(b, sizeof(b), "%sMost read\n\nMuseum reopens its doors\n\n"
	    "Schools close for snow", story);
	assert_null(compare(a, b, NULL));
	snprintf(c, sizeof(c), "%sMost read\n\nMuseum reopens its doors\n\n"
	    "Schools close for snow", "The council rejected the bridge on "
	    "Tuesday after a long debate.\n\n");
	assert_non_null(r = compare(a, c, NULL));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r,
	    "diff"), "text")), "The council [-approved-] {+rejected+} the "
	    "bridge on Tuesday after …");
	json_decref(r);
	/* Short lines in the title are the title. */
	{
		struct revision_texts x = { "Bridge approved", NULL, NULL };
		struct revision_texts y = { "Bridge rejected", NULL, NULL };

		assert_non_null(r = revision_compare(&x, &y, NULL));
		json_decref(r);
	}
}

static void
test_word_diff(void **ctx)
{
	json_t *r;
	size_t words;

	(void)ctx;
	r = compare("one two three four five six seven eight nine ten eleven "
	    "twelve thirteen fourteen.", "one two three four five six seven "
	    "eight NINE ten eleven twelve thirteen fourteen.", &words);
	assert_non_null(r);
	assert_int_equal(words, 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r,
	    "changed"), 0)), "text");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r,
	    "diff"), "text")), "… four five six seven eight [-nine-] {+NINE+} "
	    "ten eleven twelve thirteen fourteen.");
	json_decref(r);
	/* An added sentence is shown after the old end, not around it. */
	r = compare("at the next meeting.", "at the next meeting. The mayor "
	    "spoke at the meeting.", NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r,
	    "diff"), "text")), "at the next meeting. {+The mayor spoke at the "
	    "meeting.+}");
	json_decref(r);
	r = compare(NULL, "now a text.", NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r,
	    "diff"), "text")), "{+now a text.+}");
	json_decref(r);
}

/* Two long texts changed at both ends: too large to align word by word,
 * the middle is shown replaced, never dropped. */
static void
test_large_rewrite(void **ctx)
{
	size_t cap = 200 * 1024, la = 0, lb = 0, words;
	char *a = malloc(cap), *b = malloc(cap);
	json_t *r;

	(void)ctx;
	la = (size_t)snprintf(a, cap, "OLD ");
	lb = (size_t)snprintf(b, cap, "NEW ");
	for (int i = 0; i < 3000; i++) {
		la += (size_t)snprintf(a + la, cap - la, "a%d ", i);
		lb += (size_t)snprintf(b + lb, cap - lb, "b%d ", i);
	}
	r = compare(a, b, &words);
	assert_non_null(r);
	assert_int_equal(words, 6002);
	json_decref(r);
	free(a);
	free(b);
}

static void
test_item_names(void **ctx)
{
	char one[128], two[128], prev[128];

	(void)ctx;
	assert_non_null(revision_item_name(one, sizeof(one), 1000000, "wire",
	    "urn:1", 1));
	assert_non_null(spool_item_name(prev, sizeof(prev), 1000000, "wire",
	    "urn:1"));
	assert_string_equal(one, prev);
	assert_non_null(revision_item_name(two, sizeof(two), 2000000, "wire",
	    "urn:1", 2));
	assert_string_equal(two + strlen(two) - 8, ".r2.json");
	/* Named by its own time: after the original in ls order. */
	assert_true(strcmp(one, two) < 0);
	assert_int_equal(strncmp(one + 24, two + 24, strlen(one) - 24 - 5), 0);
	/* The plain name fits in 52 bytes, the revision's does not. */
	assert_null(revision_item_name(two, 52, 2000000, "wire", "urn:1", 2));
}

static void
test_pack_roundtrip(void **ctx)
{
	const char *entry = "{\"id\": \"urn:1\", \"title\": \"Bridge\", "
	    "\"summary\": \"The vote was close, the vote was close.\"}";
	char *packed = revision_pack(entry), *back;

	(void)ctx;
	assert_non_null(packed);
	assert_non_null(back = revision_unpack(packed));
	assert_string_equal(back, entry);
	free(back);
	/* Not such a text: refused, not read past. */
	assert_null(revision_unpack("not base64!"));
	assert_null(revision_unpack(""));
	free(packed);
}

static void
test_next_check(void **ctx)
{
	const struct revision_checks checks = { 3, { 900, 3600, 4 * 3600 } };
	const struct revision_checks none = { 0, { 0 } };
	const int64_t s = 1000000, at = 1000 * s;

	(void)ctx;
	/* The first of the schedule still ahead, counted from discovery. */
	assert_int_equal(revision_next_check(&checks, at, at), at + 900 * s);
	assert_int_equal(revision_next_check(&checks, at, at + 900 * s - 1),
	    at + 900 * s);
	assert_int_equal(revision_next_check(&checks, at, at + 900 * s),
	    at + 3600 * s);
	/* A check made late (a poll later, the budget spent) skips those it
	 * passed: one read, not one per check missed. */
	assert_int_equal(revision_next_check(&checks, at, at + 5000 * s),
	    at + 4 * 3600 * s);
	assert_int_equal(revision_next_check(&checks, at, at + 4 * 3600 * s), 0);
	assert_int_equal(revision_next_check(&none, at, at), 0);
}

static void
test_budget(void **ctx)
{
	struct revision_budget b;
	const int64_t minute = 60000000, at = 5 * minute;

	(void)ctx;
	/* Full at the start: a minute's worth, not the checks of the time
	 * the daemon was down. */
	revision_budget_init(&b, 6, at);
	assert_int_equal(revision_budget_left(&b, at), 6);
	revision_budget_spend(&b, 6);
	assert_int_equal(revision_budget_left(&b, at), 0);
	/* Six a minute: one every ten seconds. */
	assert_int_equal(revision_budget_left(&b, at + minute / 12), 0);
	assert_int_equal(revision_budget_left(&b, at + minute / 6), 1);
	revision_budget_spend(&b, 1);
	/* Never more than a minute's worth, however long it stayed unused. */
	assert_int_equal(revision_budget_left(&b, at + 60 * minute), 6);
	/* A clock stepped back takes nothing away, gives nothing. */
	assert_int_equal(revision_budget_left(&b, at), 6);
	revision_budget_spend(&b, 2);
	assert_int_equal(revision_budget_left(&b, at), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_ignores_whitespace),
		cmocka_unit_test(test_version_roundtrip),
		cmocka_unit_test(test_version_compressed),
		cmocka_unit_test(test_version_of_zlib_reads),
		cmocka_unit_test(test_no_change_in_substance),
		cmocka_unit_test(test_word_diff),
		cmocka_unit_test(test_rotating_box_is_not_prose),
		cmocka_unit_test(test_large_rewrite),
		cmocka_unit_test(test_item_names),
		cmocka_unit_test(test_pack_roundtrip),
		cmocka_unit_test(test_next_check),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
