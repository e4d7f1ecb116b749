/* policy.c - see policy.h */
#include <math.h>
#include <stddef.h>

#include "policy.h"

#define BACKOFF_JITTER 0.25

/* Why-strings with the bound that won appended, in the order of WHY_*. */
static const char *const whys[][3] = {
	{ "default", "default (min)", "default (max)" },
	{ "ttl", "ttl (min)", "ttl (max)" },
	{ "cache-control", "cache-control (min)", "cache-control (max)" },
	{ "expires", "expires (min)", "expires (max)" },
	{ "observed", "observed (min)", "observed (max)" },
};
enum { WHY_DEFAULT, WHY_TTL, WHY_CACHE_CONTROL, WHY_EXPIRES, WHY_OBSERVED };

static double
adapted(const struct policy_in *in, const char **why)
{
	double floor = -1, target = in->interval, v;
	int fwhy = WHY_DEFAULT, twhy = WHY_DEFAULT, w, bound = 0;

	/* What the publisher asks is a floor: polling sooner only fetches
	 * what a cache would have answered. */
	if (in->ttl > floor) {
		floor = in->ttl;
		fwhy = WHY_TTL;
	}
	if (in->max_age >= 0) {
		if (in->max_age > floor) {
			floor = in->max_age;
			fwhy = WHY_CACHE_CONTROL;
		}
	} else if (in->expires_in > floor) {
		floor = in->expires_in;
		fwhy = WHY_EXPIRES;
	}
	/* Two polls per expected new entry; the +1 makes a quiet feed's
	 * estimate grow with the window instead of dividing by zero. */
	if (in->watched >= POLICY_OBSERVE_MIN) {
		target = in->watched / (double)(in->new_entries + 1) / 2;
		twhy = WHY_OBSERVED;
	}
	if (floor > target) {
		v = floor;
		w = fwhy;
	} else {
		v = target;
		w = twhy;
	}
	if (v < in->min_interval) {
		v = in->min_interval;
		bound = 1;
	} else if (v > in->max_interval) {
		v = in->max_interval;
		bound = 2;
	}
	*why = whys[w][bound];
	return v;
}

double
policy_next(const struct policy_in *in, double rnd, const char **why)
{
	double base, wait;

	if (in->failures == 0) {
		if (in->pinned) {
			*why = "pinned";
			return in->interval;
		}
		return adapted(in, why);
	}
	base = in->pinned ? in->interval : adapted(in, why);
	/* 2^30 intervals outlast any cap; ldexp stays exact below that. */
	wait = ldexp(base, in->failures - 1 < 30 ? in->failures - 1 : 30);
	if (wait > in->max_backoff)
		wait = in->max_backoff;
	wait *= 1 - BACKOFF_JITTER * rnd;
	*why = "backoff";
	if (in->retry_after > wait) {
		wait = in->retry_after;
		*why = "retry-after";
	}
	return wait;
}
