/*
 * poll.h - one poll of one feed, start to finish: fetch (conditional GET),
 * parse, diff, fetch and parse each new entry's page, write the items to
 * the spool and the sink (each when configured), record everything in the
 * state.
 *
 * Promises: the delivery order of state.h is kept: new entries are
 * recorded as pending before any item is written, and marked seen only
 * after their items are durable in every output configured (the spool's
 * files synced, Redis's acknowledgement); a pending entry its feed no
 * longer lists is delivered from what the state kept of it, and a document
 * cut short or broken notes no entry as gone (one that yields no entry at
 * all fails the poll).  State writes of all polls that
 * finish close together are batched into one transaction (and one spool
 * directory sync and one sink pipeline), so disk work does not grow with
 * the number of feeds.
 * A failure (network, HTTP, parse, disk) is local to its poll: it is
 * logged, recorded in the feed's state and reported to the caller.
 * Item making (page parse, JSON, spool file) and the spool's sync run on
 * worker threads (work.h); HTTP, feed parsing, the state, the sink and
 * every callback stay on the loop.
 */
#ifndef NW_POLL_H
#define NW_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct ev_loop;
struct http;
struct state;
struct spool;
struct redis_sink;
struct poller;
struct poll_job;

struct poll_result {
	int ok;              /* the feed was fetched and processed */
	long status;         /* HTTP status, 0 when none */
	const char *error;   /* why not ok, or NULL */
	size_t items;        /* items delivered */
	int64_t next_poll;   /* UTC seconds (clock.h): when to poll again */
	int disabled;        /* 410 Gone: not again while the config's url stays */
	int64_t deferred_until; /* not 0 (UTC seconds, clock.h): the feed's host
	                      * asked to be left alone until then (429 or 503
	                      * with Retry-After), now or before (see
	                      * http_limits.max_hold_wait: then the feed was
	                      * not requested, and its state is unchanged) */
};

typedef void poll_done_fn(void *arg, const struct poll_result *res);

struct poller_stats {
	uint64_t polls_ok;
	uint64_t polls_failed;
	uint64_t polls_deferred;  /* not requested: the host is held */
	uint64_t not_modified;
	uint64_t items;
	uint64_t article_errors;
	uint64_t spool_errors;
	uint64_t sink_errors;
	uint64_t duplicates;       /* items of a story delivered before */
	uint64_t duplicates_skipped;  /* of them, seen without an item */
};

/* A poller works on loop with http, state, spool and sink (all borrowed,
 * must outlive it); either of spool and sink may be NULL, not both.
 * allow_private lets article fetches reach private addresses; workers
 * is the number of worker threads.  Returns NULL with the reason in err. */
struct poller *poller_new(struct ev_loop *loop, struct http *http,
    struct state *state, struct spool *spool, struct redis_sink *sink,
    int allow_private, int workers, char *err, size_t errlen);

/* Write now what waits for the next batch (polls that finished, entries
 * discovered), calling their callbacks; used before a clean exit. */
void poller_flush(struct poller *p);

/* Cancel every job (no callbacks) and free; NULL is a no-op. */
void poller_free(struct poller *p);

/* Start polling cf (borrowed until done is called or the job is
 * cancelled).  done is called exactly once, from the loop.  Returns the
 * job, or NULL (after logging) when it could not even start. */
struct poll_job *poller_poll(struct poller *p, const struct config_feed *cf,
    poll_done_fn *done, void *arg);

/* Drop a job: transfers cancelled, nothing more written, no callback.
 * Entries it had recorded as pending are delivered by a later poll. */
void poller_cancel(struct poll_job *job);

const struct poller_stats *poller_stats(const struct poller *p);

/* Count into m (metrics.h; borrowed, must outlive p; NULL stops), and
 * publish the queues to it each second.  poller_metrics gives it back,
 * NULL when none. */
struct metrics;
void poller_set_metrics(struct poller *p, struct metrics *m);
struct metrics *poller_metrics(const struct poller *p);

#endif
