/*
 * test_metrics.c - the page metrics_render makes: cumulative histogram
 * buckets, status's reasons with their bounds folded in, per-feed series
 * seeded from the state, kept across a reload for the feeds that stay,
 * gone for those that go, and left out on request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../daemon/config.h"
#include "../daemon/metrics.h"
#include "../store/state.h"

static char *
render(struct metrics *m)
{
	size_t len;
	char *page = metrics_render(m, &len);

	assert_non_null(page);
	assert_int_equal(strlen(page), len);
	return page;
}

static void
assert_has(const char *page, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(page, want) == NULL)
		fail_msg("no line '%s' in:\n%s", line, page);
}

static void
test_histogram_buckets_are_cumulative(void **state)
{
	struct metrics *m = metrics_new(1);
	char *page;

	(void)state;
	metrics_fetch(m, METRICS_FEED, 100, 0.01);
	metrics_fetch(m, METRICS_FEED, 50, 0.3);
	metrics_fetch(m, METRICS_FEED, 0, 120);
	page = render(m);
	assert_has(page, "newswatch_fetch_duration_seconds_bucket"
	    "{kind=\"feed\",le=\"0.05\"} 1");
	assert_has(page, "newswatch_fetch_duration_seconds_bucket"
	    "{kind=\"feed\",le=\"0.25\"} 1");
	assert_has(page, "newswatch_fetch_duration_seconds_bucket"
	    "{kind=\"feed\",le=\"0.5\"} 2");
	assert_has(page, "newswatch_fetch_duration_seconds_bucket"
	    "{kind=\"feed\",le=\"60\"} 2");
	assert_has(page, "newswatch_fetch_duration_seconds_bucket"
	    "{kind=\"feed\",le=\"+Inf\"} 3");
	assert_has(page, "newswatch_fetch_duration_seconds_count"
	    "{kind=\"feed\"} 3");
	assert_has(page, "newswatch_fetched_bytes_total{kind=\"feed\"} 150");
	assert_has(page, "newswatch_fetched_bytes_total{kind=\"page\"} 0");
	free(page);
	metrics_free(m);
}

static struct config_feed feeds[3] = {
	{ .name = "a", .enabled = 1 },
	{ .name = "b", .enabled = 1 },
	{ .name = "off", .enabled = 0 },
};

static void
test_feeds_seeded_kept_and_dropped(void **state)
{
	struct config cfg = { .feeds = feeds, .nfeeds = 3 };
	struct config one = { .feeds = feeds, .nfeeds = 1 };
	struct state_feed known[2] = {
		{ .name = "b", .last_success = 1000, .failures = 2,
		  .interval_why = "backoff", .next_poll = 5000 },
		{ .name = "a", .last_success = 2000,
		  .interval_why = "ttl (min)", .next_poll = 3000 },
	};
	struct state_feed after = { .name = "a", .last_success = 4000,
		.interval_why = "observed (max)", .next_poll = 9000 };
	struct metrics *m = metrics_new(1);
	char *page;

	(void)state;
	metrics_feeds(m, &cfg, known, 2);
	page = render(m);
	assert_has(page, "newswatch_feed_consecutive_failures{feed=\"b\"} 2");
	assert_has(page, "newswatch_feed_last_success_timestamp_seconds"
	    "{feed=\"a\"} 2000");
	assert_has(page, "newswatch_feeds{reason=\"ttl\"} 1");
	assert_has(page, "newswatch_feeds{reason=\"backoff\"} 1");
	assert_has(page, "newswatch_last_success_timestamp_seconds 2000");
	assert_null(strstr(page, "feed=\"off\""));
	free(page);

	metrics_poll(m, "a", METRICS_OK, METRICS_FAIL_OTHER, 4, &after);
	metrics_poll(m, "b", METRICS_FAILED, METRICS_FAIL_HTTP, 0, &known[0]);
	/* A reload that keeps a: its counters stay, b's series go. */
	metrics_feeds(m, &one, known, 2);
	page = render(m);
	assert_has(page, "newswatch_feed_polls_total{feed=\"a\",result=\"ok\"} 1");
	assert_has(page, "newswatch_feed_items_total{feed=\"a\"} 4");
	assert_has(page, "newswatch_feed_next_poll_timestamp_seconds"
	    "{feed=\"a\"} 9000");
	assert_has(page, "newswatch_feeds{reason=\"observed\"} 1");
	assert_has(page, "newswatch_feeds{reason=\"backoff\"} 0");
	assert_has(page, "newswatch_polls_total{result=\"failed\"} 1");
	assert_has(page, "newswatch_poll_failures_total{kind=\"http\"} 1");
	assert_has(page, "newswatch_last_success_timestamp_seconds 4000");
	assert_null(strstr(page, "feed=\"b\""));
	free(page);
	metrics_free(m);
}

static void
test_per_feed_series_left_out(void **state)
{
	struct config cfg = { .feeds = feeds, .nfeeds = 2 };
	struct metrics *m = metrics_new(0);
	char *page;

	(void)state;
	metrics_feeds(m, &cfg, NULL, 0);
	page = render(m);
	assert_null(strstr(page, "feed=\""));
	assert_has(page, "newswatch_feeds{reason=\"none\"} 2");
	free(page);
	metrics_free(m);
}

static void
test_bad_address(void **state)
{
	struct metrics *m = metrics_new(1);
	char err[256];

	(void)state;
	assert_int_equal(metrics_serve(m, "127.0.0.1:http", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "127.0.0.1:http"));
	assert_int_equal(metrics_serve(m, "127.0.0.1:", err, sizeof(err)), -1);
	assert_int_equal(metrics_serve(m, "70000", err, sizeof(err)), -1);
	metrics_stop(m);
	metrics_free(m);
	metrics_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram_buckets_are_cumulative),
		cmocka_unit_test(test_feeds_seeded_kept_and_dropped),
		cmocka_unit_test(test_per_feed_series_left_out),
		cmocka_unit_test(test_bad_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
