/* metrics.c - see metrics.h */
#include <sys/socket.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../store/state.h"
#include "clock.h"
#include "config.h"
#include "metrics.h"

/* Bucket bounds (seconds, "le"): transfers run from milliseconds on the
 * loopback to the timeout; a page's extraction from a millisecond to a
 * second for the largest. */
static const double fetch_le[] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
	30, 60 };
static const double extract_le[] = { 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1 };
#define FETCH_NLE (sizeof(fetch_le) / sizeof(fetch_le[0]))
#define EXTRACT_NLE (sizeof(extract_le) / sizeof(extract_le[0]))
#define MAX_NLE 10

/* status's reasons for the next poll (policy.h), bounds folded in; a
 * feed not polled yet has none. */
static const char *const reasons[] = { "none", "pinned", "default", "ttl",
	"cache-control", "expires", "observed", "backoff", "retry-after",
	"disabled" };
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const char *const result_names[METRICS_NRESULTS] = { "ok",
	"not_modified", "failed", "deferred" };
static const char *const failure_names[METRICS_NFAILURES] = { "network",
	"http", "parse", "output", "state", "other" };
static const char *const output_names[METRICS_NOUTPUTS] = { "spool",
	"redis" };
static const char *const error_names[METRICS_NERRORS] = { "state",
	"spool", "sink", "article" };
static const char *const fetch_names[METRICS_NFETCHES] = { "feed", "page" };

struct histogram {
	uint64_t bucket[MAX_NLE];     /* observations <= le[i], not cumulative */
	uint64_t count;
	double sum;
};

struct mfeed {
	char name[65];
	uint64_t polls[METRICS_NRESULTS];
	uint64_t items;
	int64_t last_success;         /* UTC seconds, 0 never */
	int64_t next_poll;            /* UTC seconds, 0 unknown */
	int failures;
	int reason;                   /* index in reasons[] */
	int64_t revisions;            /* the state's counts, kept across */
	int64_t duplicates;           /* restarts as entries_seen is */
};

/* What a scrape copies: the figures, feeds aside. */
struct figures {
	uint64_t polls[METRICS_NRESULTS];
	uint64_t failures[METRICS_NFAILURES];
	uint64_t written[METRICS_NOUTPUTS];
	uint64_t errors[METRICS_NERRORS];
	uint64_t bytes[METRICS_NFETCHES];
	struct histogram fetch[METRICS_NFETCHES];
	struct histogram extract;
	uint64_t running, queued, backlog;
	int64_t last_success;         /* of any feed configured */
	int64_t started;
};

struct metrics {
	pthread_mutex_t lock;
	struct figures fig;
	struct mfeed *feeds;          /* sorted by name */
	size_t nfeeds;
	int per_feed;
	struct MHD_Daemon *mhd;
};

struct metrics *
metrics_new(int per_feed)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	m->per_feed = per_feed;
	m->fig.started = clock_now();
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	metrics_stop(m);
	pthread_mutex_destroy(&m->lock);
	free(m->feeds);
	free(m);
}

static int
reason_index(const char *why)
{
	size_t n;

	if (why == NULL)
		return 0;
	/* "ttl (min)" is ttl held to min_interval. */
	n = strcspn(why, " ");
	for (size_t i = 1; i < NREASONS; i++)
		if (strlen(reasons[i]) == n && strncmp(why, reasons[i], n) == 0)
			return (int)i;
	return 0;
}

static void
feed_from_state(struct mfeed *f, const struct state_feed *sf)
{
	f->last_success = sf->last_success;
	f->next_poll = sf->disabled ? 0 : sf->next_poll;
	f->failures = sf->failures;
	f->revisions = sf->revisions;
	f->duplicates = sf->duplicates;
	f->reason = reason_index(sf->disabled ? "disabled" : sf->interval_why);
}

static int
feed_order(const void *a, const void *b)
{
	return strcmp(((const struct mfeed *)a)->name,
	    ((const struct mfeed *)b)->name);
}

static int
feed_named(const void *name, const void *f)
{
	return strcmp(name, ((const struct mfeed *)f)->name);
}

static int
known_order(const void *a, const void *b)
{
	return strcmp((*(const struct state_feed *const *)a)->name,
	    (*(const struct state_feed *const *)b)->name);
}

static int
known_named(const void *name, const void *f)
{
	return strcmp(name, (*(const struct state_feed *const *)f)->name);
}

static struct mfeed *
find(struct mfeed *feeds, size_t n, const char *name)
{
	return n ? bsearch(name, feeds, n, sizeof(*feeds), feed_named) : NULL;
}

void
metrics_feeds(struct metrics *m, const struct config *cfg,
    const struct state_feed *known, size_t nknown)
{
	const struct state_feed **byname = NULL;
	struct mfeed *feeds, *old;
	int64_t last = 0;
	size_t n = 0;

	if (m == NULL)
		return;
	feeds = calloc(cfg->nfeeds + 1, sizeof(*feeds));
	if (nknown > 0 && (byname = calloc(nknown, sizeof(*byname))) != NULL) {
		for (size_t i = 0; i < nknown; i++)
			byname[i] = &known[i];
		qsort(byname, nknown, sizeof(*byname), known_order);
	}
	if (feeds == NULL || (nknown > 0 && byname == NULL)) {
		free(feeds);
		free(byname);
		return;         /* the series stay as they were */
	}
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		const struct state_feed *const *sf;

		if (!cf->enabled)
			continue;
		snprintf(feeds[n].name, sizeof(feeds[n].name), "%s", cf->name);
		sf = nknown ? bsearch(cf->name, byname, nknown,
		    sizeof(*byname), known_named) : NULL;
		if (sf != NULL)
			feed_from_state(&feeds[n], *sf);
		if (feeds[n].last_success > last)
			last = feeds[n].last_success;
		n++;
	}
	free(byname);
	qsort(feeds, n, sizeof(*feeds), feed_order);

	pthread_mutex_lock(&m->lock);
	if (last > m->fig.last_success)
		m->fig.last_success = last;
	/* A feed kept keeps its counters and what its polls said since. */
	for (size_t i = 0; i < n; i++) {
		struct mfeed *was = find(m->feeds, m->nfeeds, feeds[i].name);

		if (was != NULL)
			feeds[i] = *was;
	}
	old = m->feeds;
	m->feeds = feeds;
	m->nfeeds = n;
	pthread_mutex_unlock(&m->lock);
	free(old);
}

void
metrics_poll(struct metrics *m, const char *feed, enum metrics_result result,
    enum metrics_failure fail, size_t items, const struct state_feed *sf)
{
	struct mfeed *f;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->fig.polls[result]++;
	if (result == METRICS_FAILED)
		m->fig.failures[fail]++;
	if (sf->last_success > m->fig.last_success)
		m->fig.last_success = sf->last_success;
	if ((f = find(m->feeds, m->nfeeds, feed)) != NULL) {
		f->polls[result]++;
		f->items += items;
		feed_from_state(f, sf);
	}
	pthread_mutex_unlock(&m->lock);
}

static void
observe(struct histogram *h, const double *le, size_t nle, double v)
{
	size_t i = 0;

	while (i < nle && v > le[i])
		i++;
	if (i < nle)
		h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void
metrics_fetch(struct metrics *m, enum metrics_fetch what, size_t bytes,
    double seconds)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->fig.bytes[what] += bytes;
	observe(&m->fig.fetch[what], fetch_le, FETCH_NLE, seconds);
	pthread_mutex_unlock(&m->lock);
}

void
metrics_extract(struct metrics *m, double seconds)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	observe(&m->fig.extract, extract_le, EXTRACT_NLE, seconds);
	pthread_mutex_unlock(&m->lock);
}

void
metrics_written(struct metrics *m, enum metrics_output out, size_t n)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->fig.written[out] += n;
	pthread_mutex_unlock(&m->lock);
}

void
metrics_error(struct metrics *m, enum metrics_error what)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->fig.errors[what]++;
	pthread_mutex_unlock(&m->lock);
}

void
metrics_queues(struct metrics *m, size_t running, size_t queued,
    size_t backlog)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->fig.running = running;
	m->fig.queued = queued;
	m->fig.backlog = backlog;
	pthread_mutex_unlock(&m->lock);
}

/* Each family opens with its HELP and TYPE lines. */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
histogram(FILE *f, const char *name, const char *label,
    const struct histogram *h, const double *le, size_t nle)
{
	uint64_t cum = 0;
	const char *sep = *label ? "," : "";

	for (size_t i = 0; i < nle; i++) {
		cum += h->bucket[i];
		fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep,
		    le[i], (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep,
	    (unsigned long long)h->count);
	if (*label)
		fprintf(f, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, label,
		    h->sum, name, label, (unsigned long long)h->count);
	else
		fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, h->sum, name,
		    (unsigned long long)h->count);
}

/* A counter family with one label, a series per value. */
static void
labelled(FILE *f, const char *name, const char *help, const char *label,
    const char *const *values, const uint64_t *counts, size_t n)
{
	family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{%s=\"%s\"} %llu\n", name, label, values[i],
		    (unsigned long long)counts[i]);
}

enum feed_value { FEED_ITEMS, FEED_LAST_SUCCESS, FEED_FAILURES,
	FEED_NEXT_POLL, FEED_REVISIONS, FEED_DUPLICATES };

static long long
feed_value(const struct mfeed *fd, enum feed_value which)
{
	switch (which) {
	case FEED_ITEMS:
		return (long long)fd->items;
	case FEED_LAST_SUCCESS:
		return fd->last_success;
	case FEED_FAILURES:
		return fd->failures;
	case FEED_NEXT_POLL:
		return fd->next_poll;
	case FEED_REVISIONS:
		return fd->revisions;
	case FEED_DUPLICATES:
		return fd->duplicates;
	}
	return 0;
}

/* A family with one series per feed, of one of its values. */
static void
per_feed_series(FILE *f, const char *name, const char *type,
    const char *help, const struct mfeed *feeds, size_t n,
    enum feed_value which)
{
	family(f, name, type, help);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{feed=\"%s\"} %lld\n", name, feeds[i].name,
		    feed_value(&feeds[i], which));
}

static void
render_figures(FILE *f, const struct figures *g, const struct mfeed *feeds,
    size_t n, int per_feed)
{
	char label[32];

	labelled(f, "newswatch_polls_total", "Feed polls ended, by result.",
	    "result", result_names, g->polls, METRICS_NRESULTS);
	labelled(f, "newswatch_poll_failures_total",
	    "Failed feed polls, by kind of failure.", "kind", failure_names,
	    g->failures, METRICS_NFAILURES);
	labelled(f, "newswatch_items_written_total",
	    "Items written, by output.", "output", output_names, g->written,
	    METRICS_NOUTPUTS);
	labelled(f, "newswatch_errors_total",
	    "Errors of the state, the spool, the sink and article pages.",
	    "where", error_names, g->errors, METRICS_NERRORS);
	labelled(f, "newswatch_fetched_bytes_total",
	    "Decoded body bytes fetched, feeds and pages.", "kind",
	    fetch_names, g->bytes, METRICS_NFETCHES);
	family(f, "newswatch_fetch_duration_seconds", "histogram",
	    "Transfer time of feeds and pages.");
	for (size_t i = 0; i < METRICS_NFETCHES; i++) {
		snprintf(label, sizeof(label), "kind=\"%s\"", fetch_names[i]);
		histogram(f, "newswatch_fetch_duration_seconds", label,
		    &g->fetch[i], fetch_le, FETCH_NLE);
	}
	family(f, "newswatch_extract_duration_seconds", "histogram",
	    "Time to parse a page and make its item, on a worker.");
	histogram(f, "newswatch_extract_duration_seconds", "", &g->extract,
	    extract_le, EXTRACT_NLE);
	family(f, "newswatch_transfers", "gauge",
	    "Transfers running and queued (at most a second old).");
	fprintf(f, "newswatch_transfers{state=\"running\"} %llu\n"
	    "newswatch_transfers{state=\"queued\"} %llu\n",
	    (unsigned long long)g->running, (unsigned long long)g->queued);
	family(f, "newswatch_work_backlog", "gauge",
	    "Parsed feeds and fetched pages held for the workers (at most a "
	    "second old).");
	fprintf(f, "newswatch_work_backlog %llu\n",
	    (unsigned long long)g->backlog);
	family(f, "newswatch_last_success_timestamp_seconds", "gauge",
	    "When a poll of any feed last succeeded (0: never).");
	fprintf(f, "newswatch_last_success_timestamp_seconds %lld\n",
	    (long long)g->last_success);
	family(f, "newswatch_start_time_seconds", "gauge",
	    "When the daemon started.");
	fprintf(f, "newswatch_start_time_seconds %lld\n", (long long)g->started);
	family(f, "newswatch_feeds", "gauge",
	    "Feeds configured, by what decided their next poll.");
	for (size_t r = 0; r < NREASONS; r++) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			k += feeds[i].reason == (int)r;
		fprintf(f, "newswatch_feeds{reason=\"%s\"} %zu\n", reasons[r], k);
	}
	if (!per_feed)
		return;
	family(f, "newswatch_feed_polls_total", "counter",
	    "Polls of each feed, by result.");
	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < METRICS_NRESULTS; r++)
			fprintf(f, "newswatch_feed_polls_total{feed=\"%s\","
			    "result=\"%s\"} %llu\n", feeds[i].name,
			    result_names[r],
			    (unsigned long long)feeds[i].polls[r]);
	per_feed_series(f, "newswatch_feed_items_total", "counter",
	    "Items delivered from each feed.", feeds, n, FEED_ITEMS);
	per_feed_series(f, "newswatch_feed_last_success_timestamp_seconds",
	    "gauge", "When each feed's last poll succeeded (0: never).", feeds,
	    n, FEED_LAST_SUCCESS);
	per_feed_series(f, "newswatch_feed_consecutive_failures", "gauge",
	    "Failed polls of each feed since its last success.", feeds, n,
	    FEED_FAILURES);
	per_feed_series(f, "newswatch_feed_next_poll_timestamp_seconds",
	    "gauge", "When each feed is polled next (0: not scheduled).",
	    feeds, n, FEED_NEXT_POLL);
	per_feed_series(f, "newswatch_feed_revisions_total", "counter",
	    "Revision items each feed delivered (the state's count).", feeds,
	    n, FEED_REVISIONS);
	per_feed_series(f, "newswatch_feed_duplicates_total", "counter",
	    "Items of each feed found the same story as one delivered before, "
	    "marked or skipped (the state's count).", feeds, n,
	    FEED_DUPLICATES);
}

char *
metrics_render(struct metrics *m, size_t *len)
{
	struct figures g;
	struct mfeed *feeds;
	size_t n;
	char *buf = NULL;
	FILE *f;
	int fail = 0;

	pthread_mutex_lock(&m->lock);
	n = m->nfeeds;
	if ((feeds = malloc((n + 1) * sizeof(*feeds))) != NULL) {
		g = m->fig;
		if (n > 0)
			memcpy(feeds, m->feeds, n * sizeof(*feeds));
	}
	pthread_mutex_unlock(&m->lock);
	if (feeds == NULL || (f = open_memstream(&buf, len)) == NULL) {
		free(feeds);
		return NULL;
	}
	render_figures(f, &g, feeds, n, m->per_feed);
	fail = ferror(f);
	if (fclose(f) != 0 || fail) {
		free(buf);
		buf = NULL;
	}
	free(feeds);
	return buf;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	static const char not_found[] = "not found: try /metrics\n";
	struct metrics *m = cls;
	struct MHD_Response *res;
	unsigned int code = MHD_HTTP_OK;
	enum MHD_Result rc;
	size_t len = 0;
	char *page = NULL;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") != 0) {
		code = MHD_HTTP_NOT_FOUND;
		res = MHD_create_response_from_buffer(sizeof(not_found) - 1,
		    (void *)not_found, MHD_RESPMEM_PERSISTENT);
	} else if ((page = metrics_render(m, &len)) == NULL)
		return MHD_NO;
	else
		res = MHD_create_response_from_buffer(len, page,
		    MHD_RESPMEM_MUST_FREE);
	if (res == NULL) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
	    code == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8" :
	    "text/plain");
	rc = MHD_queue_response(conn, code, res);
	MHD_destroy_response(res);
	return rc;
}

int
metrics_addr_parse(const char *addr, char *host, size_t hostlen, long *port)
{
	const char *colon = strrchr(addr, ':'), *digits = addr;
	char *end;
	size_t n;

	if (colon == NULL)
		snprintf(host, hostlen, "127.0.0.1");
	else {
		digits = colon + 1;
		n = (size_t)(colon - addr);
		if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
			addr++;
			n -= 2;
		}
		if (n == 0 || n >= hostlen)
			return -1;
		memcpy(host, addr, n);
		host[n] = '\0';
	}
	if (*digits < '0' || *digits > '9')
		return -1;
	*port = strtol(digits, &end, 10);
	return *end == '\0' && *port >= 1 && *port <= 65535 ? 0 : -1;
}

int
metrics_serve(struct metrics *m, const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	char host[256], port[8];
	sigset_t all, old;
	long p;
	int rc;

	if (metrics_addr_parse(addr, host, sizeof(host), &p) == -1) {
		snprintf(err, errlen, "metrics: %s: not PORT, HOST:PORT or "
		    "[IPV6]:PORT", addr);
		return -1;
	}
	snprintf(port, sizeof(port), "%ld", p);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "metrics: %s: %s", host, gai_strerror(rc));
		return -1;
	}
	/* The server's threads take no signal: they are the loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    (uint16_t)p, NULL, NULL, answer, m,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_CONNECTION_LIMIT, 16U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	freeaddrinfo(ai);
	if (m->mhd == NULL) {
		snprintf(err, errlen, "metrics: cannot listen on %s", addr);
		return -1;
	}
	return 0;
}

void
metrics_stop(struct metrics *m)
{
	if (m == NULL || m->mhd == NULL)
		return;
	MHD_stop_daemon(m->mhd);
	m->mhd = NULL;
}
