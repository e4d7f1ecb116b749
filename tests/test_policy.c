/*
 * test_policy.c - policy_next: which term decides the interval, the
 * bounds, backoff with its cap and jitter, Retry-After.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../daemon/policy.h"

/* A feed with nothing known: configured 15m within 5m..12h. */
static struct policy_in
plain(void)
{
	struct policy_in in = {
		.interval = 900, .min_interval = 300, .max_interval = 43200,
		.ttl = -1, .max_age = -1, .expires_in = -1, .watched = -1,
		.retry_after = -1, .max_backoff = 86400,
	};
	return in;
}

static void
expect(const struct policy_in *in, double rnd, double want, const char *why)
{
	const char *got;

	assert_true(policy_next(in, rnd, &got) == want);
	assert_string_equal(got, why);
}

static void
test_success_terms(void **ctx)
{
	struct policy_in in = plain();

	(void)ctx;
	expect(&in, 0.5, 900, "default");
	in.pinned = 1;
	in.max_age = 7200;
	expect(&in, 0.5, 900, "pinned");
	in.pinned = 0;
	expect(&in, 0.5, 7200, "cache-control");
	in.ttl = 10800;
	expect(&in, 0.5, 10800, "ttl");
	in.ttl = in.max_age = -1;
	in.expires_in = 3600;
	expect(&in, 0.5, 3600, "expires");
	in.ttl = 86400 * 2;
	expect(&in, 0.5, 43200, "ttl (max)");
	in.ttl = 60;
	in.expires_in = -1;
	expect(&in, 0.5, 900, "default");
	in.interval = 120;
	expect(&in, 0.5, 300, "default (min)");
}

static void
test_observed_rate(void **ctx)
{
	struct policy_in in = plain();

	(void)ctx;
	/* Too short a watch says nothing yet. */
	in.watched = POLICY_OBSERVE_MIN - 1;
	in.new_entries = 100;
	expect(&in, 0.5, 900, "default");
	/* 11 entries in 12 h: one an hour, polled every half hour. */
	in.watched = 43200;
	in.new_entries = 11;
	expect(&in, 0.5, 1800, "observed");
	/* Busy: the minimum.  Quiet: the maximum. */
	in.new_entries = 1000;
	expect(&in, 0.5, 300, "observed (min)");
	in.watched = POLICY_OBSERVE_WINDOW;
	in.new_entries = 0;
	expect(&in, 0.5, 43200, "observed (max)");
	/* A publisher's floor beats a busy observation. */
	in.new_entries = 1000;
	in.ttl = 3600;
	expect(&in, 0.5, 3600, "ttl");
}

static void
test_backoff(void **ctx)
{
	struct policy_in in = plain();

	(void)ctx;
	in.failures = 1;
	expect(&in, 0, 900, "backoff");
	in.failures = 3;
	expect(&in, 0, 3600, "backoff");
	/* Jitter takes off at most a quarter. */
	expect(&in, 0.999999, 3600 * (1 - 0.25 * 0.999999), "backoff");
	in.failures = 12;
	expect(&in, 0, 86400, "backoff");
	in.failures = 5000;
	expect(&in, 0, 86400, "backoff");
	/* The base is what a success would give: the ttl here. */
	in.failures = 2;
	in.ttl = 7200;
	expect(&in, 0, 14400, "backoff");
	in.pinned = 1;
	expect(&in, 0, 1800, "backoff");
}

static void
test_retry_after(void **ctx)
{
	struct policy_in in = plain();

	(void)ctx;
	in.failures = 1;
	in.retry_after = 5000;
	expect(&in, 0, 5000, "retry-after");
	in.retry_after = 60;
	expect(&in, 0, 900, "backoff");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_terms),
		cmocka_unit_test(test_observed_rate),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
