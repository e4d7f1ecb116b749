/*
 * metrics.h - what the daemon counts, served as Prometheus text on
 * /metrics (`metrics:` in feeds.yaml).
 *
 * Promises: a scrape never blocks the loop nor slows polling.  The loop
 * writes every figure under one mutex it holds for a few stores; the
 * HTTP server (libmicrohttpd, on its own thread) copies the figures under
 * that mutex, which takes a memcpy (about a millisecond at 10,000 feeds),
 * and formats the page outside it.  Counters count from the start of the
 * process; gauges of the loop's queues (transfers, the workers' backlog)
 * are published once a second.  Per-feed series are this instance's
 * view: with a shared state, feeds another instance polled show what
 * the state said at start or reload.
 *
 * Every metrics_* call on a NULL struct metrics is a no-op, so callers
 * need not ask whether metrics are on.  Feed names are config names
 * (at most 64 bytes of [A-Za-z0-9._-]), so labels need no escaping.
 */
#ifndef NW_METRICS_H
#define NW_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct state_feed;
struct metrics;

/* How a poll ended; each poll counts under exactly one. */
enum metrics_result {
	METRICS_OK,             /* fetched (2xx) and processed */
	METRICS_NOT_MODIFIED,   /* 304 */
	METRICS_FAILED,         /* see enum metrics_failure */
	METRICS_DEFERRED,       /* not requested: its host is held */
	METRICS_NRESULTS
};

/* Why a poll failed. */
enum metrics_failure {
	METRICS_FAIL_NETWORK,   /* no complete answer: DNS, connect, TLS,
	                         * timeout, size cap, refused address */
	METRICS_FAIL_HTTP,      /* an answer other than 2xx and 304 */
	METRICS_FAIL_PARSE,     /* a document no entry could be read from */
	METRICS_FAIL_OUTPUT,    /* items not written to the spool or sink */
	METRICS_FAIL_STATE,     /* the state could not be read or written */
	METRICS_FAIL_OTHER,     /* out of memory */
	METRICS_NFAILURES
};

enum metrics_output { METRICS_SPOOL, METRICS_REDIS, METRICS_NOUTPUTS };

/* Errors outside a poll's own result. */
enum metrics_error {
	METRICS_ERR_STATE,      /* a batch's transaction failed */
	METRICS_ERR_SPOOL,      /* an item or a sync the spool refused */
	METRICS_ERR_SINK,       /* an item or a sync Redis refused */
	METRICS_ERR_ARTICLE,    /* a page that gave no article */
	METRICS_NERRORS
};

/* Transfers: the feed document, or an entry's page. */
enum metrics_fetch { METRICS_FEED, METRICS_PAGE, METRICS_NFETCHES };

/* per_feed 0 leaves every series labelled by feed out (very large
 * configs).  Returns NULL when out of memory. */
struct metrics *metrics_new(int per_feed);

/* NULL is a no-op.  Stop the server first. */
void metrics_free(struct metrics *m);

/* The feeds of cfg that are enabled become the per-feed series, seeded
 * from what the state knows (known, nknown: state_feed_list's); series
 * of feeds no longer configured go.  Counters of the others are kept. */
void metrics_feeds(struct metrics *m, const struct config *cfg,
    const struct state_feed *known, size_t nknown);

/* A poll of feed ended as result (fail: the kind, when it failed) with
 * items delivered; sf is the feed's state as the poll saved it. */
void metrics_poll(struct metrics *m, const char *feed,
    enum metrics_result result, enum metrics_failure fail, size_t items,
    const struct state_feed *sf);

/* A transfer ended with bytes of body in seconds. */
void metrics_fetch(struct metrics *m, enum metrics_fetch what, size_t bytes,
    double seconds);

/* A page was parsed and its item made in seconds (on a worker). */
void metrics_extract(struct metrics *m, double seconds);

/* n items were written to out (the spool's file, or Redis's XADD). */
void metrics_written(struct metrics *m, enum metrics_output out, size_t n);

void metrics_error(struct metrics *m, enum metrics_error what);

/* The loop's queues now: transfers running and queued, and the parsed
 * feeds and fetched pages held for the workers (poll.c's BACKLOG). */
void metrics_queues(struct metrics *m, size_t running, size_t queued,
    size_t backlog);

/* The page, in the Prometheus text format 0.0.4; from any thread.
 * Returns a malloc'ed string (caller frees) of *len bytes, or NULL when
 * out of memory. */
char *metrics_render(struct metrics *m, size_t *len);

/* Split addr, "PORT" (host 127.0.0.1), "HOST:PORT" or "[IPv6]:PORT",
 * into host (hostlen bytes) and *port.  Returns 0, or -1 when addr is
 * none of these or the port is not 1..65535. */
int metrics_addr_parse(const char *addr, char *host, size_t hostlen,
    long *port);

/*
 * Serve metrics_render(m) on GET /metrics at addr: "PORT" (on
 * 127.0.0.1), "HOST:PORT" or "[IPv6]:PORT", HOST a name or a numeric
 * address.  The server runs on its own thread until metrics_stop.
 * Returns 0, or -1 with the reason in err.
 */
int metrics_serve(struct metrics *m, const char *addr, char *err,
    size_t errlen);

/* Stop serving (waits for the thread); no-op when not serving. */
void metrics_stop(struct metrics *m);

#endif
