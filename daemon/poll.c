/* poll.c - see poll.h; the job, its stages (poll_int.h), the fetch and
 * parse of its feed, and the timers that send the batches. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../feeds/feed.h"
#include "../feeds/url.h"
#include "clock.h"
#include "http.h"
#include "poll_int.h"

/*
 * How long finished polls wait for company before their writes go to disk
 * together: new entries to record, briefly, as their parsed feeds wait
 * with them; polls to conclude longer, as each such batch costs a syncfs
 * of the spool, tens of milliseconds on a busy disk.  A batch that holds
 * every poll in flight goes at once: nothing else could join it.
 */
#define DISCOVER_DELAY 0.05
#define FINAL_DELAY 0.25

/*
 * Parsed feeds and fetched pages waiting for workers (work.h) to make
 * their items, past which no transfer starts: a fast network outruns the
 * workers, and each holds up to max_feed_bytes or max_page_bytes of text.
 * Transfers start again as soon as fewer wait: resuming only at half the
 * backlog left the workers idle and cost a fifth of the throughput.
 */
#define BACKLOG 64

void
poll_set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
}

void
poll_backlog_check(struct poller *p)
{
	size_t n = p->pages_held + p->feeds_held;

	if (!p->paused && n >= BACKLOG) {
		p->paused = 1;
		http_pause(p->http, 1);
		/* Nothing more joins the discoveries' batch now: waiting out
		 * DISCOVER_DELAY would only idle the workers. */
		if (!TAILQ_EMPTY(&p->stage[STAGE_DISCOVER])) {
			ev_timer_stop(p->loop, &p->flush_discover);
			ev_timer_set(&p->flush_discover, 0., 0.);
			ev_timer_start(p->loop, &p->flush_discover);
		}
	} else if (p->paused && n < BACKLOG) {
		p->paused = 0;
		http_pause(p->http, 0);
	}
}

void
poll_hold(struct poll_job *job, int on)
{
	if (job->holding == on)
		return;
	job->holding = on;
	if (on)
		job->p->feeds_held++;
	else {
		NW_ASSERT(job->p->feeds_held > 0);
		job->p->feeds_held--;
	}
	poll_backlog_check(job->p);
}

/* Once its items are written a job needs only its entries' ids (the new
 * ones to mark seen, all to see which are gone): a parsed feed weighs as
 * much as its text, and a batch holds hundreds. */
static void
job_drop_entry_texts(struct poll_job *job)
{
	for (size_t i = 0; job->new != NULL && i < job->nnew; i++) {
		free(job->new[i].entry_json);
		job->new[i].entry_json = NULL;
	}
}

static void
job_drop_feed(struct poll_job *job)
{
	size_t n;

	job_drop_entry_texts(job);
	if (job->feed == NULL || job->skip_all ||
	    (job->ids = calloc(job->feed->nentries + 1,
	    sizeof(*job->ids))) == NULL)
		return;
	n = job->feed->nentries;
	for (size_t i = 0; i < n; i++) {
		job->ids[i] = job->feed->entries[i].id;
		job->feed->entries[i].id = NULL;
	}
	job->nids = n;
	feed_free(job->feed);
	job->feed = NULL;
	poll_hold(job, 0);
}

const char *
poll_entry_id(const struct poll_job *job, size_t k)
{
	return job->ids ? job->ids[k] : job->feed->entries[k].id;
}

const char *
poll_new_id(const struct poll_job *job, size_t i)
{
	return poll_entry_id(job, job->new[i].index);
}

/* Every job is in exactly one stage: the stages' counts add up.  Only
 * NW_ASSERT calls it, which outside the sanitizer build does not. */
static int __attribute__((unused))
stages_consistent(const struct poller *p)
{
	size_t n = 0;

	for (int s = 0; s < STAGE_COUNT; s++)
		n += p->nstage[s];
	return n == p->njobs;
}

/* Start t, unless it runs already, to go off in delay seconds. */
static void
timer_arm(struct poller *p, ev_timer *t, double delay)
{
	if (!ev_is_active(t)) {
		ev_timer_set(t, delay, 0.);
		ev_timer_start(p->loop, t);
	}
}

void
poll_advance(struct poll_job *job, enum job_stage to)
{
	struct poller *p = job->p;

	NW_ASSERT(to > job->stage && to < STAGE_COUNT);
	NW_ASSERT(p->nstage[job->stage] > 0);
	/* Its feed's transfer is over before it leaves STAGE_FETCH. */
	NW_ASSERT(job->xfer == NULL);
	TAILQ_REMOVE(&p->stage[job->stage], job, qentry);
	p->nstage[job->stage]--;
	job->stage = to;
	TAILQ_INSERT_TAIL(&p->stage[to], job, qentry);
	p->nstage[to]++;
	NW_ASSERT(stages_consistent(p));

	switch (to) {
	case STAGE_DISCOVER:
		/* Its feed waits for the workers: counted in the backlog. */
		poll_hold(job, 1);
		timer_arm(p, &p->flush_discover, DISCOVER_DELAY);
		break;
	case STAGE_ITEMS:
		poll_items_start(job);
		break;
	case STAGE_FINAL:
		job_drop_feed(job);
		if (p->nstage[STAGE_FINAL] == p->njobs) {
			/* Nothing else could join this batch. */
			ev_timer_stop(p->loop, &p->flush_final);
			timer_arm(p, &p->flush_final, 0.);
		} else
			timer_arm(p, &p->flush_final, FINAL_DELAY);
		break;
	default:
		/* Entered as a batch, whose flush does the work. */
		break;
	}
}

void
poll_job_free(struct poll_job *job)
{
	struct poller *p = job->p;

	/* First: a task still running reads the feed freed below. */
	if (job->tasks > 0) {
		work_cancel(p->work, job);
		poll_backlog_check(p);
	}
	if (job->xfer)
		http_cancel(p->http, job->xfer);
	poll_items_free(job);
	NW_ASSERT(p->nstage[job->stage] > 0 && p->njobs > 0);
	TAILQ_REMOVE(&p->stage[job->stage], job, qentry);
	p->nstage[job->stage]--;
	p->njobs--;
	NW_ASSERT(stages_consistent(p));
	poll_hold(job, 0);
	state_feed_clear(&job->sf);
	feed_free(job->feed);
	for (size_t i = 0; i < job->nids; i++)
		free(job->ids[i]);
	free(job->ids);
	free(job->error);
	poll_revisions_free(job);
	job_drop_entry_texts(job);
	free(job->new);
	free(job->items);
	free(job);
}

const char *
poll_error(const struct poll_job *job)
{
	return job->error ? job->error : "out of memory";
}

void
poll_fail(struct poll_job *job, enum metrics_failure kind, const char *fmt, ...)
{
	va_list ap;

	char why[512];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	poll_set_str(&job->error, why);
	job->fail = kind;
	job->ok = 0;
	log_warnx("feed %s: %s", job->cf->name, why);
	poll_advance(job, STAGE_FINAL);
}

/*
 * State reads and feed rows made outside the batches (state_feed_get as a
 * poll starts, the diff of each feed fetched) share one transaction per
 * loop iteration, committed before the loop waits: alone, each lookup of
 * an entry took and dropped SQLite's file locks, and a feed's first poll
 * cost a disk sync for its row.
 */
void
poll_txn_begin(struct poller *p)
{
	char err[512];

	NW_ASSERT(p->reading == ev_is_active(&p->reads));
	/* Inside a batch's transaction this one would nest in it. */
	NW_ASSERT(!p->batch);
	if (p->reading)
		return;
	if (state_begin(p->state, err, sizeof(err)) == -1) {
		log_warnx("state: %s", err);
		return;
	}
	p->reading = 1;
	ev_prepare_start(p->loop, &p->reads);
}

void
poll_txn_end(struct poller *p)
{
	char err[512];

	NW_ASSERT(p->reading == ev_is_active(&p->reads));
	if (!p->reading)
		return;
	p->reading = 0;
	ev_prepare_stop(p->loop, &p->reads);
	if (state_commit(p->state, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
}

static void
on_reads(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	poll_txn_end(w->data);
}

/* The feed's password goes where its url leads, and to pages on the same
 * origin (relative links resolve there); not where a permanent redirect
 * or a link leads elsewhere. */
const char *
poll_password_for(const struct config_feed *cf, const char *url)
{
	return url_same_origin(url, cf->url) ? cf->password : NULL;
}

static void on_feed(void *arg, const struct http_response *res);

/* The config now names another URL: a fresh start, since validators,
 * redirects, hints and a 410 belonged to the old one. */
static void
job_config_url(struct poll_job *job)
{
	const char *url = job->cf->url;

	if (job->sf.config_url != NULL && strcmp(job->sf.config_url, url) == 0)
		return;
	poll_set_str(&job->sf.url, url);
	poll_set_str(&job->sf.config_url, url);
	poll_set_str(&job->sf.etag, NULL);
	poll_set_str(&job->sf.last_modified, NULL);
	job->sf.disabled = 0;
	job->sf.failures = 0;
	job->sf.ttl = -1;
	job->url_reason = "config";
}

/* STAGE_FETCH begins: a job, its state, its feed's transfer. */
struct poll_job *
poller_poll(struct poller *p, const struct config_feed *cf, poll_done_fn *done,
    void *arg)
{
	struct poll_job *job;
	char err[512];

	if ((job = calloc(1, sizeof(*job))) == NULL) {
		log_warnx("feed %s: out of memory", cf->name);
		return NULL;
	}
	job->p = p;
	job->cf = cf;
	job->done = done;
	job->arg = arg;
	job->retry_after = job->max_age = job->expires_in = -1;
	job->stage = STAGE_FETCH;
	TAILQ_INSERT_TAIL(&p->stage[STAGE_FETCH], job, qentry);
	p->nstage[STAGE_FETCH]++;
	p->njobs++;
	NW_ASSERT(stages_consistent(p));
	poll_txn_begin(p);
	if (state_feed_get(p->state, cf->name, cf->url, &job->sf, &job->created,
	    err, sizeof(err)) == -1) {
		log_warnx("feed %s: state: %s", cf->name, err);
		poll_job_free(job);
		return NULL;
	}
	job_config_url(job);
	struct http_request req = {
		.url = job->sf.url,
		.password = poll_password_for(cf, job->sf.url),
		.etag = job->sf.etag,
		.last_modified = job->sf.last_modified,
		.user_agent = cf->user_agent,
		.headers = (const char *const *)cf->headers.lines,
		.nheaders = cf->headers.n,
		.proxy = cf->proxy,
		.ca_file = cf->ca_file,
		.max_bytes = cf->max_feed_bytes,
		.timeout = cf->timeout,
		/* The feeds are the administrator's choice; only article
		 * links, which come from the feeds, are restricted. */
		.allow_private = 1,
		.done = on_feed,
		.arg = job,
	};
	if ((job->xfer = http_get(p->http, &req, err, sizeof(err))) == NULL) {
		job->sf.last_poll = clock_now();
		poll_fail(job, METRICS_FAIL_NETWORK, "%s", err);
	}
	return job;
}

/* A feed that answered through permanent redirects is polled at their
 * end from now on; temporary ones (302, 303, 307) change nothing. */
static void
remember_redirect(struct poll_job *job, const struct http_response *res)
{
	if (res->permanent_url == NULL ||
	    strcmp(res->permanent_url, job->sf.url) == 0)
		return;
	log_info("feed %s: moved permanently from %s to %s", job->cf->name,
	    job->sf.url, res->permanent_url);
	poll_set_str(&job->sf.url, res->permanent_url);
	job->url_reason = "permanent redirect";
}

/* A 304: nothing new, but pages due to be read again are read all the
 * same (revisions: pages), as their schedule, not the feed, says when. */
static void
job_not_modified(struct poll_job *job)
{
	char err[512];

	if (poll_revisions_unlisted(job, clock_now_us(), err,
	    sizeof(err)) == -1)
		poll_fail(job, METRICS_FAIL_STATE, "state: %s", err);
	else
		poll_advance(job, job->nnew > 0 ? STAGE_DISCOVER : STAGE_FINAL);
}

/* An answer that is not a feed to parse: fail the job, or (a 304) send it
 * on.  Returns 0 when res is a body to parse. */
static int
job_answer(struct poll_job *job, const struct http_response *res)
{
	job->max_age = res->max_age;
	job->expires_in = res->expires_in;
	if (res->status == 410) {
		job->gone = 1;
		poll_fail(job, METRICS_FAIL_HTTP, "%s: HTTP 410 Gone: feed "
		    "disabled until its url changes in the config", res->url);
	} else if (res->status == 429 || res->status == 503) {
		job->retry_after = res->retry_after;
		if (res->retry_after >= 0) {
			job->deferred_until = job->sf.last_poll +
			    (int64_t)ceil(res->retry_after);
			poll_fail(job, METRICS_FAIL_HTTP,
			    "%s: HTTP %ld, Retry-After %.0f s",
			    res->url, res->status, res->retry_after);
		} else
			poll_fail(job, METRICS_FAIL_HTTP, "%s: HTTP %ld",
			    res->url, res->status);
	} else if (res->status == 304) {
		remember_redirect(job, res);
		job->ok = 1;
		job->not_modified = 1;
		job->p->stats.not_modified++;
		log_debug("feed %s: not modified (%.2f s)", job->cf->name,
		    res->seconds);
		job_not_modified(job);
	} else if (res->status < 200 || res->status > 299) {
		poll_fail(job, METRICS_FAIL_HTTP, "%s: HTTP %ld", res->url,
		    res->status);
	} else
		return 0;
	return -1;
}

/* Parse the feed, and find its new entries in the state. */
static int
job_parse(struct poll_job *job, const struct http_response *res)
{
	char err[512];
	int first = job->created || job->sf.polls == 0;
	size_t left;

	if (feed_parse(res->body, res->len, res->url, res->content_type,
	    &job->feed, err, sizeof(err)) == -1) {
		poll_fail(job, METRICS_FAIL_PARSE, "%s: %s", res->url, err);
		return -1;
	}
	/* Read all the same: say what was wrong, once per poll. */
	for (size_t i = 0; i < job->feed->nwarnings; i++)
		log_warnx("feed %s: %s: %s", job->cf->name, res->url,
		    job->feed->warnings[i]);
	job->incomplete = job->feed->incomplete;
	if (job->incomplete && job->feed->nentries == 0) {
		/* Taken as a feed with no entries, it would have every entry
		 * it lists gone. */
		poll_fail(job, METRICS_FAIL_PARSE, "%s: no entry read from a "
		    "broken document: %s",
		    res->url, job->feed->nwarnings > 0 ?
		    job->feed->warnings[0] : "not well-formed");
		return -1;
	}
	job->nlisted = job->feed->nentries;
	if (first && job->cf->first_poll == FIRST_POLL_SKIP) {
		job->skip_all = 1;
		return 0;
	}
	poll_txn_begin(job->p);
	if (diff_left_entries(job->p->state, job->sf.id, job->cf->name,
	    job->feed, &left, err, sizeof(err)) == -1) {
		poll_fail(job, METRICS_FAIL_STATE, "state: %s", err);
		return -1;
	}
	if (left > 0)
		log_info("feed %s: %zu pending entries no longer in the feed "
		    "are delivered as the state kept them", job->cf->name, left);
	if (diff_new_entries(job->p->state, job->sf.id, job->feed, clock_now_us(),
	    &job->new, &job->nnew, err, sizeof(err)) == -1 ||
	    poll_revisions_find(job, clock_now_us() + (int64_t)job->nnew, err,
	    sizeof(err)) == -1) {
		poll_fail(job, METRICS_FAIL_STATE, "state: %s", err);
		return -1;
	}
	return 0;
}

/* STAGE_FETCH ends: the feed's answer, parsed when it is a feed. */
static void
on_feed(void *arg, const struct http_response *res)
{
	struct poll_job *job = arg;

	NW_ASSERT(job->stage == STAGE_FETCH && job->xfer != NULL);
	job->xfer = NULL;
	if (res->held_for > 0) {
		job->unpolled = 1;
		job->deferred_until = clock_now() + (int64_t)ceil(res->held_for);
		poll_fail(job, METRICS_FAIL_NETWORK, "%s: %s", res->url,
		    res->error);
		return;
	}
	job->sf.last_poll = clock_now();
	job->sf.last_status = (int)res->status;
	metrics_fetch(job->p->metrics, METRICS_FEED, res->len, res->seconds);
	if (res->error) {
		poll_fail(job, METRICS_FAIL_NETWORK, "%s: %s", res->url,
		    res->error);
		return;
	}
	if (job_answer(job, res) == -1 || job_parse(job, res) == -1)
		return;
	remember_redirect(job, res);
	job->sf.ttl = job->feed->ttl;
	/* Validators are kept only once the body was read successfully, and
	 * whole: otherwise a 304 would hide the entries we failed to read or
	 * process. */
	poll_set_str(&job->sf.etag, job->incomplete ? NULL : res->etag);
	poll_set_str(&job->sf.last_modified, job->incomplete ? NULL :
	    res->last_modified);
	job->ok = 1;
	log_info("feed %s: HTTP %ld, %zu entries, %zu new (%.2f s)",
	    job->cf->name, res->status, job->nlisted,
	    job->skip_all ? 0 : job->nnew, res->seconds);
	poll_advance(job, job->nnew > 0 ? STAGE_DISCOVER : STAGE_FINAL);
}

/* A batch timer went off: the iteration's reads are committed first, as
 * the batch opens a transaction of its own. */
static void
batch_due(struct poller *p, enum job_stage s, void (*flush)(struct poller *))
{
	poll_txn_end(p);
	if (!TAILQ_EMPTY(&p->stage[s]))
		flush(p);
}

static void
on_flush_discover(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	batch_due(w->data, STAGE_DISCOVER, poll_flush_discover);
}

static void
on_flush_final(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	batch_due(w->data, STAGE_FINAL, poll_flush_final);
}

/* Each second: the queues change with every transfer, too often to
 * publish each change. */
static void
on_queues(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct poller *p = w->data;
	size_t running = http_running(p->http);

	(void)loop;
	(void)revents;
	metrics_queues(p->metrics, running, http_pending(p->http) - running,
	    p->pages_held + p->feeds_held);
}

void
poller_set_metrics(struct poller *p, struct metrics *m)
{
	p->metrics = m;
	ev_timer_stop(p->loop, &p->queues);
	if (m == NULL)
		return;
	ev_timer_init(&p->queues, on_queues, 0., 1.);
	p->queues.data = p;
	ev_timer_start(p->loop, &p->queues);
}

struct metrics *
poller_metrics(const struct poller *p)
{
	return p->metrics;
}

struct poller *
poller_new(struct ev_loop *loop, struct http *http, struct state *state,
    struct spool *spool, struct redis_sink *sink, int allow_private,
    int workers, char *err, size_t errlen)
{
	struct poller *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((p->work = work_new(loop, workers, err, errlen)) == NULL) {
		free(p);
		return NULL;
	}
	p->loop = loop;
	p->http = http;
	p->state = state;
	p->spool = spool;
	p->sink = sink;
	p->allow_private = allow_private;
	for (int s = 0; s < STAGE_COUNT; s++)
		TAILQ_INIT(&p->stage[s]);
	ev_timer_init(&p->flush_discover, on_flush_discover, DISCOVER_DELAY,
	    0.);
	p->flush_discover.data = p;
	ev_timer_init(&p->flush_final, on_flush_final, FINAL_DELAY, 0.);
	p->flush_final.data = p;
	ev_prepare_init(&p->reads, on_reads);
	p->reads.data = p;
	poll_claims_init(p);
	return p;
}

void
poller_flush(struct poller *p)
{
	ev_timer_stop(p->loop, &p->flush_discover);
	ev_timer_stop(p->loop, &p->flush_final);
	on_flush_discover(p->loop, &p->flush_discover, 0);
	/* The batch syncing, then what waits behind it. */
	work_finish(p->work, p);
	on_flush_final(p->loop, &p->flush_final, 0);
	work_finish(p->work, p);
	ev_timer_stop(p->loop, &p->flush_final);
}

void
poller_free(struct poller *p)
{
	struct poll_job *job;

	if (p == NULL)
		return;
	for (int s = 0; s < STAGE_COUNT; s++)
		while ((job = TAILQ_FIRST(&p->stage[s])) != NULL)
			poll_job_free(job);
	work_free(p->work);
	poll_txn_end(p);
	ev_timer_stop(p->loop, &p->queues);
	ev_timer_stop(p->loop, &p->flush_discover);
	ev_timer_stop(p->loop, &p->flush_final);
	ev_timer_stop(p->loop, &p->flush_claims);
	free(p);
}

void
poller_cancel(struct poll_job *job)
{
	poll_job_free(job);
}

const struct poller_stats *
poller_stats(const struct poller *p)
{
	return &p->stats;
}
