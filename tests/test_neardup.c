/*
 * test_neardup.c - the near-duplicate fingerprint: what makes two texts
 * one story (other boilerplate, an edited copy) and what does not (another
 * page of the same site, a text too short), its words, and its encodings.
 * Run from the repository root (fixtures in tests/data/neardup/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../feeds/neardup.h"
#include "testdoc.h"

/* The fingerprint of fixture name, which must have one. */
static struct neardup
fixture_fp(const char *name)
{
	char path[256], *text = NULL;
	size_t cap = 0;
	ssize_t len;
	struct neardup fp;
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/neardup/%s", name);
	assert_non_null(f = fopen(path, "r"));
	/* The fixtures hold no NUL: one read takes the whole file. */
	assert_true((len = getdelim(&text, &cap, '\0', f)) > 0);
	fclose(f);
	assert_int_equal(neardup_fingerprint(text, (size_t)len, &fp), 0);
	free(text);
	return fp;
}

static int
fp_of(const char *text, struct neardup *fp)
{
	return neardup_fingerprint(text, strlen(text), fp);
}

/* A text of n distinct words, "w0 w1 ...", each word prefixed by pre. */
static char *
words(const char *pre, size_t n)
{
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%s%%1$zu ", pre);
	return testdoc("", fmt, n, "");
}

static void
test_same_story(void **state)
{
	struct neardup story = fixture_fp("story.txt");
	struct neardup page = fixture_fp("story-page.txt");
	struct neardup syndicated = fixture_fp("story-syndicated.txt");

	(void)state;
	assert_true(neardup_same(&story, &page));
	assert_true(neardup_same(&story, &syndicated));
	assert_true(neardup_same(&page, &syndicated));
}

static void
test_other_story_same_template(void **state)
{
	struct neardup page = fixture_fp("story-page.txt");
	struct neardup other = fixture_fp("other-page.txt");

	(void)state;
	assert_false(neardup_same(&page, &other));
	/* Nor would a lookup by band even find it. */
	for (int i = 0; i < NEARDUP_BANDS; i++)
		assert_true(neardup_band(&page, i) != neardup_band(&other, i));
}

/* Two fingerprints that are the same story share a band: a lookup by
 * bands finds every fingerprint neardup_same would accept. */
static void
test_same_shares_band(void **state)
{
	struct neardup a = fixture_fp("story.txt");
	struct neardup b = fixture_fp("story-syndicated.txt");
	int shared = 0;

	(void)state;
	for (int i = 0; i < NEARDUP_BANDS; i++)
		shared += neardup_band(&a, i) == neardup_band(&b, i);
	assert_true(shared > 0);
	/* Bands of different numbers never collide on equal slots. */
	assert_true(neardup_band(&a, 0) != neardup_band(&a, 1));
}

static void
test_too_short(void **state)
{
	char *few = words("w", NEARDUP_MIN_WORDS - 1);
	char *enough = words("w", NEARDUP_MIN_WORDS);
	struct neardup fp = { { 0 } };

	(void)state;
	assert_int_equal(fp_of("", &fp), -1);
	assert_int_equal(fp_of("Breaking news: title only", &fp), -1);
	assert_int_equal(fp_of(few, &fp), -1);
	assert_int_equal(fp.min[0], 0);  /* untouched */
	assert_int_equal(fp_of(enough, &fp), 0);
	free(few);
	free(enough);
}

/* Case, punctuation, spacing and apostrophes are not the story. */
static void
test_words(void **state)
{
	char *plain = words("word", 80);
	char *upper = words("WORD", 80);
	char *marked = words("\xe2\x80\x9cword", 80);  /* a curly quote */
	struct neardup a, b, c, d, e;

	(void)state;
	assert_int_equal(fp_of(plain, &a), 0);
	assert_int_equal(fp_of(upper, &b), 0);
	assert_int_equal(fp_of(marked, &c), 0);
	assert_int_equal(neardup_agree(&a, &b), NEARDUP_K);
	assert_int_equal(neardup_agree(&a, &c), NEARDUP_K);
	free(plain);
	free(upper);
	free(marked);
	/* Accented capitals lower-case; "don't" and "don’t" are "dont". */
	plain = testdoc("", "%1$zu \xc3\xa9t\xc3\xa9 dont ", 30, "");
	upper = testdoc("", "%1$zu \xc3\x89T\xc3\x89 don\xe2\x80\x99t, ", 30,
	    "");
	marked = testdoc("", "%1$zu   ETE  don't\n\n", 30, "");
	assert_int_equal(fp_of(plain, &a), 0);
	assert_int_equal(fp_of(upper, &d), 0);
	assert_int_equal(fp_of(marked, &e), 0);
	assert_int_equal(neardup_agree(&a, &d), NEARDUP_K);
	/* "ete" without accents is another word. */
	assert_true(neardup_agree(&a, &e) < NEARDUP_K);
	free(plain);
	free(upper);
	free(marked);
}

/* Word order counts: a shingle is a phrase, not a bag. */
static void
test_order(void **state)
{
	char *fwd = testdoc("", "a%1$zu b%1$zu c%1$zu ", 40, "");
	char *rev = testdoc("", "c%1$zu b%1$zu a%1$zu ", 40, "");
	struct neardup a, b;

	(void)state;
	assert_int_equal(fp_of(fwd, &a), 0);
	assert_int_equal(fp_of(rev, &b), 0);
	assert_false(neardup_same(&a, &b));
	free(fwd);
	free(rev);
}

/* Invalid UTF-8 separates words and is never read past the end. */
static void
test_invalid_utf8(void **state)
{
	char *text = testdoc("", "w%1$zu\xff\xc3", 60, "\xe2\x80");
	struct neardup fp;

	(void)state;
	assert_int_equal(neardup_fingerprint(text, strlen(text), &fp), 0);
	free(text);
}

static void
test_hex(void **state)
{
	struct neardup a = fixture_fp("story.txt"), b;
	char hex[NEARDUP_HEX_LEN + 1];

	(void)state;
	neardup_hex(&a, hex);
	assert_int_equal(strlen(hex), NEARDUP_HEX_LEN);
	assert_int_equal(neardup_from_hex(hex, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(neardup_from_hex(NULL, &b), -1);
	assert_int_equal(neardup_from_hex("00ff", &b), -1);
	hex[3] = 'G';
	assert_int_equal(neardup_from_hex(hex, &b), -1);
}

/* The state keeps fingerprints: the same text must give the same one on
 * every build and machine. */
static void
test_stable(void **state)
{
	char *text = words("stable", 60);
	struct neardup fp;
	char hex[NEARDUP_HEX_LEN + 1];

	(void)state;
	assert_int_equal(fp_of(text, &fp), 0);
	neardup_hex(&fp, hex);
	assert_string_equal(hex,
	    "0026e5b50077f405167bfcb40004edd40158f83300286f8f00242c0c02e0f253"
	    "003ab1410340d8a200f2b6a005ad8508005368fb083e87d300f3a217096d2b3f");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_story),
		cmocka_unit_test(test_other_story_same_template),
		cmocka_unit_test(test_same_shares_band),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
