/*
 * scheduler.h - one libev timer per feed: when each feed is polled.
 *
 * Promises: a feed is never polled twice at once; feeds that fall due
 * together are spread by a little jitter; a feed's next poll follows the
 * time its last poll recorded in the state, across restarts.  A new config
 * is applied by matching feeds by name: added feeds start, removed ones
 * stop (their state is kept), the others take the new settings at their
 * next poll without disturbing a poll in flight.
 */
#ifndef NW_SCHEDULER_H
#define NW_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct ev_loop;
struct poller;
struct state;
struct scheduler;

/* Called in once mode when every enabled feed has been polled once. */
typedef void scheduler_idle_fn(void *arg);

/* once: poll every enabled feed now, once, then call idle(arg).
 * Returns NULL when out of memory. */
struct scheduler *scheduler_new(struct ev_loop *loop, struct poller *poller,
    struct state *state, int once, scheduler_idle_fn *idle, void *arg);

/* Stop every timer, cancel polls in flight, free configs; NULL no-op. */
void scheduler_free(struct scheduler *s);

/* Take cfg (ownership passes to the scheduler, which frees it once no
 * poll uses it).  Returns 0, or -1 when out of memory (cfg freed). */
int scheduler_apply(struct scheduler *s, struct config *cfg);

/* The config in force (borrowed). */
const struct config *scheduler_config(const struct scheduler *s);

struct scheduler_counts {
	size_t feeds;      /* scheduled */
	size_t busy;       /* polls in flight */
	/* Once mode, so far: */
	size_t polled;     /* feeds polled, whatever the outcome */
	size_t failed;     /* feeds whose poll failed */
	size_t deferred;   /* left for later (not failed: deferred by their
	                    * host, poll.h's deferred_until) */
};

/* The counts as they are now. */
struct scheduler_counts scheduler_counts(const struct scheduler *s);

/* Once mode: fn(arg, name, until) for each feed left for later, in the
 * config's order; until is UTC seconds (clock.h), name borrowed. */
typedef void scheduler_deferred_fn(void *arg, const char *name,
    int64_t until);
void scheduler_each_deferred(const struct scheduler *s,
    scheduler_deferred_fn *fn, void *arg);

#endif
