/*
 * policy.h - how long until a feed is polled again: the rule, as a pure
 * function, documented in newswatch.yaml(5) under SCHEDULING.
 *
 * After a success:
 *   pinned     the feed sets interval: that, as it is.
 *   otherwise  the larger of what the publisher asks (RSS ttl or
 *              sy:updatePeriod, Cache-Control max-age, else Expires: never
 *              poll more often than that) and what newswatch observes
 *              (half the mean gap between new entries over the last 7
 *              days, once the feed has been watched 6 hours; before that,
 *              the configured interval), kept within
 *              min_interval..max_interval.
 * After a failure (consecutive failure n >= 1): the interval a success
 * would have given (from what the state knows) times 2^(n-1), at most max_backoff, less up to 25% jitter; a 429 or 503
 * waits at least its Retry-After.
 */
#ifndef NW_POLICY_H
#define NW_POLICY_H

#include <stdint.h>

#define POLICY_OBSERVE_MIN (6 * 3600.0)   /* watched this long: rate known */
#define POLICY_OBSERVE_WINDOW (7 * 86400.0) /* entries counted over this */

struct policy_in {
	double interval;        /* configured (the feed's own or the global) */
	int pinned;             /* the feed set interval */
	double min_interval, max_interval;
	double ttl;             /* the feed's hint, seconds; -1 none */
	double max_age;         /* Cache-Control max-age; -1 none */
	double expires_in;      /* Expires - Date; -1 none */
	double watched;         /* seconds of the observation window: since the
	                         * first successful poll, at most
	                         * POLICY_OBSERVE_WINDOW; -1 never */
	int64_t new_entries;    /* entries discovered in that window */
	int failures;           /* consecutive failures, this poll included */
	double retry_after;     /* with a 429 or 503; -1 none */
	double max_backoff;
};

/*
 * Seconds until the next poll.  *why says which term decided: "pinned",
 * "default", "ttl", "cache-control", "expires", "observed", each with
 * " (min)" or " (max)" appended when the bound won, or "backoff",
 * "retry-after" (static strings).  rnd, in [0, 1), draws the jitter.
 */
double policy_next(const struct policy_in *in, double rnd, const char **why);

#endif
