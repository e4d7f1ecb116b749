/*
 * test_story.c - an item's story and its claim on a real SQLite state:
 * the first item of a story, a duplicate by URL or by text, a duplicate
 * of a duplicate, the same answer for a claim made again, the window, and
 * what is never matched (short text, a home page as canonical URL).
 * Run from the repository root (texts in tests/data/neardup/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../daemon/clock.h"
#include "../daemon/story.h"
#include "../store/state.h"
#include "tmpdir.h"

#define DAY (86400.0)

static char err[512];

static struct state *
open_state(const char *name)
{
	char path[256];
	struct state *st = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (state_open(path, &st, err, sizeof(err)) == -1)
		fail_msg("state_open: %s", err);
	return st;
}

/* The text of fixture name (static, valid until the next call). */
static const char *
fixture(const char *name)
{
	static char buf[16384];
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/neardup/%s", name);
	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Claim s as item name at us; the answer, "" for a story's first
 * (static, valid until the next call). */
static const char *
claim(struct state *st, const struct story *s, const char *name, int64_t us)
{
	static char answer[128];
	char *dup = NULL;

	if (story_claim(st, s, name, us, 3 * DAY, &dup, err,
	    sizeof(err)) == -1)
		fail_msg("story_claim: %s", err);
	snprintf(answer, sizeof(answer), "%s", dup ? dup : "");
	free(dup);
	return answer;
}

static void
test_by_url(void **state)
{
	struct state *st = open_state("url.db");
	struct story a, b, c;
	int64_t now = clock_now_us();

	(void)state;
	story_make(&a, "https://Example.org/news/1?utm_source=rss", NULL, NULL);
	story_make(&b, NULL, "https://example.org/news/1#comments", NULL);
	story_make(&c, NULL, "https://example.org/news/2", NULL);
	assert_true(story_known(&a));
	assert_false(a.has_fp);
	assert_string_equal(claim(st, &a, "A", now), "");
	assert_string_equal(claim(st, &b, "B", now + 1), "A");
	assert_string_equal(claim(st, &c, "C", now + 2), "");
	state_close(st);
}

static void
test_by_text(void **state)
{
	struct state *st = open_state("text.db");
	struct story a, b, other;
	int64_t now = clock_now_us();

	(void)state;
	story_make(&a, "https://a.example/story", NULL, fixture("story.txt"));
	story_make(&b, "https://b.example/copy", NULL,
	    fixture("story-syndicated.txt"));
	story_make(&other, "https://a.example/other", NULL,
	    fixture("other-page.txt"));
	assert_true(a.has_fp && b.has_fp && other.has_fp);
	assert_string_equal(claim(st, &a, "A", now), "");
	assert_string_equal(claim(st, &other, "O", now + 1), "");
	assert_string_equal(claim(st, &b, "B", now + 2), "A");
	state_close(st);
}

/* A copy of a copy names the story's first item; a claim made again
 * (a replay) keeps its first answer, whatever came since. */
static void
test_first_and_replay(void **state)
{
	struct state *st = open_state("replay.db");
	struct story s;
	int64_t now = clock_now_us();

	(void)state;
	story_make(&s, NULL, "https://example.org/x", NULL);
	assert_string_equal(claim(st, &s, "B", now + 5), "");
	assert_string_equal(claim(st, &s, "C", now + 6), "B");
	/* An earlier item claimed later is a duplicate: first claim wins. */
	assert_string_equal(claim(st, &s, "A", now), "B");
	assert_string_equal(claim(st, &s, "B", now + 5), "");
	assert_string_equal(claim(st, &s, "C", now + 6), "B");
	state_close(st);
}

static void
test_window(void **state)
{
	struct state *st = open_state("window.db");
	struct story s;
	int64_t now = clock_now_us();
	int64_t day_us = (int64_t)(DAY * 1e6);

	(void)state;
	story_make(&s, NULL, "https://example.org/x", NULL);
	assert_string_equal(claim(st, &s, "old", now - 4 * day_us), "");
	/* Four days later, past the 3-day window: a story again. */
	assert_string_equal(claim(st, &s, "new", now), "");
	assert_string_equal(claim(st, &s, "newer", now + 1), "new");
	assert_int_equal(story_prune(st, 3 * DAY, err, sizeof(err)), 0);
	state_close(st);
}

/* Nothing to go by: no URL, a text too short, or a canonical URL that is
 * the site's home page (the page's own URL is used instead). */
static void
test_nothing_to_match(void **state)
{
	struct state *st = open_state("none.db");
	struct story s, home1, home2;
	int64_t now = clock_now_us();

	(void)state;
	story_make(&s, NULL, "ftp://example.org/x", "A short teaser.");
	assert_false(story_known(&s));
	assert_string_equal(claim(st, &s, "A", now), "");
	assert_string_equal(claim(st, &s, "B", now + 1), "");
	story_make(&home1, "https://example.org/", "https://example.org/1",
	    NULL);
	story_make(&home2, "https://example.org", "https://example.org/2",
	    NULL);
	assert_string_equal(claim(st, &home1, "H1", now), "");
	assert_string_equal(claim(st, &home2, "H2", now + 1), "");
	state_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_url),
		cmocka_unit_test(test_by_text),
		cmocka_unit_test(test_first_and_replay),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_nothing_to_match),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
