/* poll.c - see poll.h */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <ev.h>

#include "../feeds/article.h"
#include "../feeds/feed.h"
#include "../feeds/url.h"
#include "../store/redis_sink.h"
#include "../store/spool.h"
#include "../store/state.h"
#include "diff.h"
#include "clock.h"
#include "http.h"
#include "item.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"
#include "poll.h"
#include "work.h"

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

/* ITEM_PUT: in every output configured, durable once they sync. */
enum item_state { ITEM_WAITING, ITEM_PUT, ITEM_FAILED };

struct job_item {
	struct poll_job *job;
	struct http_transfer *xfer;   /* the page being fetched */
	enum item_state state;
	unsigned long spool_gen;      /* spool_failures when it was put */
	unsigned long sink_gen;       /* redis_sink_failures then */
	int refreshes;                /* <meta http-equiv=refresh> followed */
	/* Made by a worker, for the loop to report and pass on: */
	int made;                     /* its JSON was made */
	int put;                      /* spool_put's result */
	char *json;                   /* kept for the sink only */
	char *article_error;          /* why the page gave no article */
	char *spool_error;            /* why the spool did not take it */
};

/* How many <meta http-equiv=refresh> hops an article may take (HTTP
 * redirects are the engine's and counted there). */
#define MAX_REFRESHES 3

/* A job waits in at most one queue; QUEUE_BATCH is the discoveries being
 * flushed, QUEUE_SYNCING the polls whose items are being synced. */
enum job_queue { QUEUE_NONE, QUEUE_DISCOVER, QUEUE_FINAL, QUEUE_BATCH,
	QUEUE_SYNCING };

struct poll_job {
	struct poller *p;
	const struct config_feed *cf;
	poll_done_fn *done;
	void *arg;
	struct state_feed sf;
	int created;
	struct http_transfer *xfer;   /* the feed being fetched */
	struct feed *feed;
	struct diff_item *new;        /* entries to deliver, in discovery order */
	char **ids;                   /* feed's entry ids, once it is freed */
	size_t nids;
	size_t nlisted;               /* entries the document lists: those
	                               * after them are pending ones it no
	                               * longer lists (diff_left_entries) */
	struct job_item *items;
	size_t nnew;
	size_t waiting;               /* items not yet spooled or failed */
	size_t tasks;                 /* its item_tasks in p->work */
	int skip_all;                 /* first poll with first_poll: skip */
	int incomplete;               /* the document was cut short or broken:
	                               * what it lacks is not gone */
	int holding;                  /* counts in p->feeds_held */
	int ok;
	int gone;                     /* 410: disable the feed */
	const char *url_reason;       /* sf.url changed: why, for its history */
	double retry_after;           /* of a 429 or 503, -1 none */
	int64_t deferred_until;       /* poll_result's */
	int unpolled;                 /* not requested: nothing to record */
	double max_age, expires_in;   /* freshness the server announced */
	char *error;                  /* why it failed; allocated then only,
	                               * as a cycle holds every feed's job */
	enum metrics_failure fail;    /* what kind of failure, for metrics */
	int not_modified;             /* a 304 */
	double started;
	enum job_queue queued;
	TAILQ_ENTRY(poll_job) entry;  /* in p->jobs */
	TAILQ_ENTRY(poll_job) qentry; /* in a batch queue */
};
TAILQ_HEAD(job_list, poll_job);

struct spool_sync_task {
	struct work_task task;        /* first: a work_task * is one */
	struct poller *p;
	int rc;
	char err[512];
};

struct poller {
	struct ev_loop *loop;
	struct http *http;
	struct state *state;
	struct spool *spool;          /* NULL with spool: off */
	struct redis_sink *sink;      /* NULL without a sink */
	struct work *work;            /* makes the items */
	size_t pages_held;            /* item tasks holding a page */
	size_t feeds_held;            /* jobs holding a feed for their items */
	int paused;                   /* http_pause'd: too many of them */
	int allow_private;
	struct poller_stats stats;
	struct metrics *metrics;      /* NULL: metrics off */
	ev_timer queues;              /* publishes the queues to metrics */
	struct job_list jobs;
	struct job_list discover_q;
	struct job_list final_q;
	struct job_list batch;
	struct job_list syncing;      /* its items syncing, then committed */
	struct spool_sync_task sync;
	int sync_busy;                /* sync is in p->work */
	ev_timer flush_discover;
	ev_timer flush_final;
	size_t njobs, nfinal;         /* in jobs, in final_q */
	ev_prepare reads;             /* commits the iteration's transaction */
	int reading;                  /* it is open */
};

static void job_deliver(struct poll_job *job);
static void loop_txn_begin(struct poller *p);
static void loop_txn_commit(struct poller *p);

/* Brake or release the transfers by what is held (BACKLOG). */
static void
backlog_check(struct poller *p)
{
	size_t n = p->pages_held + p->feeds_held;

	if (!p->paused && n >= BACKLOG) {
		p->paused = 1;
		http_pause(p->http, 1);
		/* Nothing more joins the discoveries' batch now: waiting out
		 * DISCOVER_DELAY would only idle the workers. */
		if (!TAILQ_EMPTY(&p->discover_q)) {
			ev_timer_stop(p->loop, &p->flush_discover);
			ev_timer_set(&p->flush_discover, 0., 0.);
			ev_timer_start(p->loop, &p->flush_discover);
		}
	} else if (p->paused && n < BACKLOG) {
		p->paused = 0;
		http_pause(p->http, 0);
	}
}

/* Count the job's parsed feed in the backlog, or no longer. */
static void
job_hold(struct poll_job *job, int on)
{
	if (job->holding == on)
		return;
	job->holding = on;
	if (on)
		job->p->feeds_held++;
	else
		job->p->feeds_held--;
	backlog_check(job->p);
}

static void
set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
}

/* Free what a worker made for it and the loop has not reported. */
static void
item_forget(struct job_item *it)
{
	free(it->json);
	free(it->article_error);
	free(it->spool_error);
	it->json = it->article_error = it->spool_error = NULL;
}

static void
job_free(struct poll_job *job)
{
	struct poller *p = job->p;

	/* First: a task still running reads the feed freed below. */
	if (job->tasks > 0) {
		work_cancel(p->work, job);
		backlog_check(p);
	}
	if (job->xfer)
		http_cancel(p->http, job->xfer);
	for (size_t i = 0; job->items && i < job->nnew; i++) {
		if (job->items[i].xfer)
			http_cancel(p->http, job->items[i].xfer);
		item_forget(&job->items[i]);
	}
	if (job->queued == QUEUE_DISCOVER)
		TAILQ_REMOVE(&p->discover_q, job, qentry);
	else if (job->queued == QUEUE_FINAL) {
		TAILQ_REMOVE(&p->final_q, job, qentry);
		p->nfinal--;
	}
	else if (job->queued == QUEUE_BATCH)
		TAILQ_REMOVE(&p->batch, job, qentry);
	else if (job->queued == QUEUE_SYNCING)
		TAILQ_REMOVE(&p->syncing, job, qentry);
	TAILQ_REMOVE(&p->jobs, job, entry);
	p->njobs--;
	job_hold(job, 0);
	state_feed_clear(&job->sf);
	feed_free(job->feed);
	for (size_t i = 0; i < job->nids; i++)
		free(job->ids[i]);
	free(job->ids);
	free(job->error);
	free(job->new);
	free(job->items);
	free(job);
}

static void
enqueue(struct poll_job *job, enum job_queue q)
{
	struct poller *p = job->p;
	ev_timer *t = &p->flush_discover;
	double delay = DISCOVER_DELAY;

	job->queued = q;
	if (q == QUEUE_DISCOVER) {
		TAILQ_INSERT_TAIL(&p->discover_q, job, qentry);
	} else {
		TAILQ_INSERT_TAIL(&p->final_q, job, qentry);
		t = &p->flush_final;
		delay = ++p->nfinal == p->njobs ? 0. : FINAL_DELAY;
		if (delay == 0.)
			ev_timer_stop(p->loop, t);
	}
	if (!ev_is_active(t)) {
		ev_timer_set(t, delay, 0.);
		ev_timer_start(p->loop, t);
	}
}

static const char *
job_error(const struct poll_job *job)
{
	return job->error ? job->error : "out of memory";
}

static void
job_fail(struct poll_job *job, enum metrics_failure kind, const char *fmt,
    ...) NW_PRINTF(3, 4);

/* Record why the poll failed; the feed's state is saved by the batch. */
static void
job_fail(struct poll_job *job, enum metrics_failure kind, const char *fmt, ...)
{
	va_list ap;

	char why[512];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	set_str(&job->error, why);
	job->fail = kind;
	job->ok = 0;
	log_warnx("feed %s: %s", job->cf->name, why);
	enqueue(job, QUEUE_FINAL);
}

static int
job_parse(struct poll_job *job, const struct http_response *res)
{
	char err[512];
	int first = job->created || job->sf.polls == 0;
	size_t left;

	if (feed_parse(res->body, res->len, res->url, res->content_type,
	    &job->feed, err, sizeof(err)) == -1) {
		job_fail(job, METRICS_FAIL_PARSE, "%s: %s", res->url, err);
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
		job_fail(job, METRICS_FAIL_PARSE, "%s: no entry read from a "
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
	loop_txn_begin(job->p);
	if (diff_left_entries(job->p->state, job->sf.id, job->cf->name,
	    job->feed, &left, err, sizeof(err)) == -1) {
		job_fail(job, METRICS_FAIL_STATE, "state: %s", err);
		return -1;
	}
	if (left > 0)
		log_info("feed %s: %zu pending entries no longer in the feed "
		    "are delivered as the state kept them", job->cf->name, left);
	if (diff_new_entries(job->p->state, job->sf.id, job->feed, clock_now_us(),
	    &job->new, &job->nnew, err, sizeof(err)) == -1) {
		job_fail(job, METRICS_FAIL_STATE, "state: %s", err);
		return -1;
	}
	return 0;
}

/* Once its items are written a job needs only its entries' ids (the new
 * ones to mark seen, all to see which are gone): a parsed feed weighs as
 * much as its text, and a batch holds hundreds. */
static void
job_drop_feed(struct poll_job *job)
{
	size_t n = job->feed->nentries;

	if (job->skip_all ||
	    (job->ids = calloc(n + 1, sizeof(*job->ids))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		job->ids[i] = job->feed->entries[i].id;
		job->feed->entries[i].id = NULL;
	}
	job->nids = n;
	feed_free(job->feed);
	job->feed = NULL;
	job_hold(job, 0);
}

/* The id of the feed's entry k. */
static const char *
entry_id(const struct poll_job *job, size_t k)
{
	return job->ids ? job->ids[k] : job->feed->entries[k].id;
}

static const char *
new_id(const struct poll_job *job, size_t i)
{
	return entry_id(job, job->new[i].index);
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
	set_str(&job->sf.url, res->permanent_url);
	job->url_reason = "permanent redirect";
}

static void
on_feed(void *arg, const struct http_response *res)
{
	struct poll_job *job = arg;

	job->xfer = NULL;
	if (res->held_for > 0) {
		job->unpolled = 1;
		job->deferred_until = clock_now() + (int64_t)ceil(res->held_for);
		job_fail(job, METRICS_FAIL_NETWORK, "%s: %s", res->url,
		    res->error);
		return;
	}
	job->sf.last_poll = clock_now();
	job->sf.last_status = (int)res->status;
	metrics_fetch(job->p->metrics, METRICS_FEED, res->len, res->seconds);
	if (res->error) {
		job_fail(job, METRICS_FAIL_NETWORK, "%s: %s", res->url,
		    res->error);
		return;
	}
	job->max_age = res->max_age;
	job->expires_in = res->expires_in;
	if (res->status == 410) {
		job->gone = 1;
		job_fail(job, METRICS_FAIL_HTTP, "%s: HTTP 410 Gone: feed "
		    "disabled until its url changes in the config", res->url);
		return;
	}
	if (res->status == 429 || res->status == 503) {
		job->retry_after = res->retry_after;
		if (res->retry_after >= 0) {
			job->deferred_until = job->sf.last_poll +
			    (int64_t)ceil(res->retry_after);
			job_fail(job, METRICS_FAIL_HTTP,
			    "%s: HTTP %ld, Retry-After %.0f s",
			    res->url, res->status, res->retry_after);
		} else
			job_fail(job, METRICS_FAIL_HTTP, "%s: HTTP %ld",
			    res->url, res->status);
		return;
	}
	if (res->status == 304) {
		remember_redirect(job, res);
		job->ok = 1;
		job->not_modified = 1;
		job->p->stats.not_modified++;
		log_debug("feed %s: not modified (%.2f s)", job->cf->name,
		    res->seconds);
		enqueue(job, QUEUE_FINAL);
		return;
	}
	if (res->status < 200 || res->status > 299) {
		job_fail(job, METRICS_FAIL_HTTP, "%s: HTTP %ld", res->url,
		    res->status);
		return;
	}
	if (job_parse(job, res) == -1)
		return;
	remember_redirect(job, res);
	job->sf.ttl = job->feed->ttl;
	/* Validators are kept only once the body was read successfully, and
	 * whole: otherwise a 304 would hide the entries we failed to read or
	 * process. */
	set_str(&job->sf.etag, job->incomplete ? NULL : res->etag);
	set_str(&job->sf.last_modified, job->incomplete ? NULL :
	    res->last_modified);
	job->ok = 1;
	log_info("feed %s: HTTP %ld, %zu entries, %zu new (%.2f s)",
	    job->cf->name, res->status, job->nlisted,
	    job->skip_all ? 0 : job->nnew, res->seconds);
	if (job->nnew > 0) {
		job_hold(job, 1);
		enqueue(job, QUEUE_DISCOVER);
	} else {
		job_drop_feed(job);
		enqueue(job, QUEUE_FINAL);
	}
}

/*
 * Items are made off the loop (work.h): a page parsed, the JSON built and
 * written to the spool are most of a poll's CPU, and the loop would stall
 * on them while transfers wait.  A task makes one item from its page, or
 * every item of a job that has no pages at once (one wake-up of the loop
 * per feed, not per entry).  It owns copies of what it reads from the
 * response; the job's parsed feed, config and items stay put until it is
 * done, and it writes only its own items.
 */
struct item_task {
	struct work_task task;        /* first: a work_task * is one */
	struct poller *p;             /* outlives its tasks */
	struct poll_job *job;
	size_t first, n;              /* job->items[first .. first + n) */
	char *page;                   /* the page's body to parse, or NULL */
	size_t len;
	char *content_type;
	char *url;                    /* the page, for the item and the log */
	char *error;                  /* why there is no page, or NULL */
	char *refresh;                /* the page only sends on to this URL */
	double seconds;               /* the page's parse and items took */
};

static void
item_task_free(struct item_task *tk)
{
	free(tk->page);
	free(tk->content_type);
	free(tk->url);
	free(tk->error);
	free(tk->refresh);
	free(tk);
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && d == NULL)
		*oom = 1;
	return d;
}

/* Parse the page into a, or say in tk why not. */
static void
item_read_page(struct item_task *tk, struct article **a)
{
	const struct poll_job *job = tk->job;
	const struct job_item *it = &job->items[tk->first];
	const struct feed_entry *e =
	    &job->feed->entries[job->new[tk->first].index];
	unsigned flags = job->cf->article_html ? ARTICLE_HTML : 0;
	char err[512], why[600];

	if (article_parse(tk->page, tk->len, tk->url, tk->content_type,
	    job->cf->rules, job->cf->nrules, flags, a, err, sizeof(err)) == -1) {
		snprintf(why, sizeof(why), "cannot parse page: %s", err);
		tk->error = strdup(why);
	} else if ((*a)->refresh != NULL && it->refreshes < MAX_REFRESHES) {
		/* A page that only sends the reader on: the loop follows it,
		 * and the item is made when that page is in. */
		tk->refresh = strdup((*a)->refresh);
	} else if (article_prefer_feed_content(*a, e->content != NULL ?
	    e->content : e->summary, flags) == -1) {
		tk->error = strdup("out of memory");
	}
}

/* Make item i of the job, with art as its article (NULL: fetching off). */
static void
item_make_one(struct item_task *tk, size_t i, const struct item_article *art)
{
	const struct poll_job *job = tk->job;
	const struct diff_item *d = &job->new[i];
	const struct feed_entry *e = &job->feed->entries[d->index];
	struct job_item *it = &job->items[i];
	struct spool *spool = job->p->spool;
	char name[128], err[512];

	if (art && art->error)
		it->article_error = strdup(art->error);
	it->json = item_json(job->cf, job->feed, e, art, d->discovered_us);
	if (it->json == NULL)
		return;
	it->made = 1;
	spool_item_name(name, sizeof(name), d->discovered_us, job->cf->name,
	    e->id);
	if (spool && (it->put = spool_put(spool, name, it->json,
	    strlen(it->json), &it->spool_gen, err, sizeof(err))) == -1)
		it->spool_error = strdup(err);
	/* Only the sink, on the loop, still needs the text. */
	if (job->p->sink == NULL) {
		free(it->json);
		it->json = NULL;
	}
}

/* On a worker thread: everything of the items that needs no loop. */
static void
item_run(struct work_task *t)
{
	struct item_task *tk = (struct item_task *)t;
	struct item_article art = { .url = tk->url };
	struct article *a = NULL;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tk->page)
		item_read_page(tk, &a);
	if (tk->refresh) {
		article_free(a);
		return;
	}
	art.article = tk->error ? NULL : a;
	art.error = tk->error;
	if (art.error == NULL && art.article == NULL)
		art.error = "out of memory";
	for (size_t i = tk->first; i < tk->first + tk->n; i++)
		item_make_one(tk, i, tk->job->cf->article ? &art : NULL);
	article_free(a);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tk->seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void item_done(struct work_task *t, int cancelled);

/* The job's item it is done with, made or not. */
static void
item_settled(struct poll_job *job)
{
	if (--job->waiting == 0) {
		job_drop_feed(job);
		enqueue(job, QUEUE_FINAL);
	}
}

/* Make n items of job from first off the loop: from res, the page's
 * answer, when it is one to parse (n 1); else with url and error (NULL)
 * as their article's. */
static void
items_make(struct poll_job *job, size_t first, size_t n,
    const struct http_response *res, const char *url, const char *error)
{
	struct item_task *tk = calloc(1, sizeof(*tk));
	int oom = tk == NULL;

	if (tk != NULL) {
		tk->job = job;
		tk->first = first;
		tk->n = n;
		tk->url = dup_or_null(res ? res->url : url, &oom);
		tk->error = dup_or_null(error, &oom);
		tk->content_type = dup_or_null(res ? res->content_type : NULL,
		    &oom);
		if (res && (tk->page = malloc(res->len + 1)) == NULL)
			oom = 1;
		else if (res) {
			memcpy(tk->page, res->body, res->len + 1);
			tk->len = res->len;
		}
	}
	if (oom) {
		/* Not even a task to say it in: the entries stay pending. */
		log_warnx("feed %s: out of memory", job->cf->name);
		if (tk != NULL)
			item_task_free(tk);
		for (size_t i = 0; i < n; i++) {
			job->items[first + i].state = ITEM_FAILED;
			item_settled(job);
		}
		return;
	}
	tk->task.run = item_run;
	tk->task.done = item_done;
	tk->task.owner = job;
	tk->p = job->p;
	job->tasks++;
	job->p->pages_held += tk->page != NULL;
	work_submit(job->p->work, &tk->task);
	backlog_check(job->p);
}

static struct http_transfer *fetch_page(struct job_item *, const char *,
    char *, size_t);

/* Back on the loop: report item i, hand it to the sink, count it. */
static void
item_report(struct item_task *tk, size_t i)
{
	struct poll_job *job = tk->job;
	struct poller *p = job->p;
	struct job_item *it = &job->items[i];
	char err[512], name[128];

	spool_item_name(name, sizeof(name), job->new[i].discovered_us,
	    job->cf->name, new_id(job, i));
	if (it->article_error) {
		p->stats.article_errors++;
		metrics_error(p->metrics, METRICS_ERR_ARTICLE);
		log_info("feed %s: article %s: %s", job->cf->name,
		    tk->url ? tk->url : "(none)", it->article_error);
	}
	it->state = ITEM_FAILED;
	if (!it->made) {
		log_warnx("feed %s: entry %s: out of memory", job->cf->name,
		    new_id(job, i));
	} else if (it->put == -1) {
		log_warnx("feed %s: spool: %s", job->cf->name,
		    it->spool_error ? it->spool_error : "out of memory");
		p->stats.spool_errors++;
		metrics_error(p->metrics, METRICS_ERR_SPOOL);
	} else if (it->json && redis_sink_put(p->sink, name, it->json,
	    strlen(it->json), err, sizeof(err)) == -1) {
		log_warnx("feed %s: sink: %s", job->cf->name, err);
		p->stats.sink_errors++;
		metrics_error(p->metrics, METRICS_ERR_SINK);
	} else {
		log_debug("feed %s: item %s", job->cf->name, name);
		it->state = ITEM_PUT;
		it->sink_gen = p->sink ? redis_sink_failures(p->sink) : 0;
	}
	item_forget(it);
}

/* Back on the loop: follow a refresh, or report the items. */
static void
item_done(struct work_task *t, int cancelled)
{
	struct item_task *tk = (struct item_task *)t;
	struct poll_job *job = tk->job;
	struct job_item *it = &job->items[tk->first];
	char err[512];

	tk->p->pages_held -= tk->page != NULL;
	if (cancelled) {
		/* Its items' strings go with the job (job_free). */
		item_task_free(tk);
		return;
	}
	job->tasks--;
	backlog_check(job->p);
	if (tk->page && !tk->refresh)
		metrics_extract(tk->p->metrics, tk->seconds);
	if (tk->refresh) {
		it->refreshes++;
		log_debug("feed %s: article %s: refresh to %s", job->cf->name,
		    tk->url, tk->refresh);
		if ((it->xfer = fetch_page(it, tk->refresh, err,
		    sizeof(err))) == NULL)
			items_make(job, tk->first, 1, NULL, tk->url, err);
		item_task_free(tk);
		return;
	}
	for (size_t i = tk->first; i < tk->first + tk->n; i++) {
		item_report(tk, i);
		item_settled(job);
	}
	item_task_free(tk);
}

static void on_article(void *, const struct http_response *);

/* The feed's password goes where its url leads, and to pages on the same
 * origin (relative links resolve there); not where a permanent redirect
 * or a link leads elsewhere. */
static const char *
password_for(const struct config_feed *cf, const char *url)
{
	return url_same_origin(url, cf->url) ? cf->password : NULL;
}

/* Start fetching url as the page of item it. */
static struct http_transfer *
fetch_page(struct job_item *it, const char *url, char *err, size_t errlen)
{
	struct poll_job *job = it->job;
	struct http_request req = {
		.url = url,
		.password = password_for(job->cf, url),
		.user_agent = job->cf->user_agent,
		.headers = (const char *const *)job->cf->headers.lines,
		.nheaders = job->cf->headers.n,
		.proxy = job->cf->proxy,
		.ca_file = job->cf->ca_file,
		.max_bytes = job->cf->max_page_bytes,
		.timeout = job->cf->timeout,
		.allow_private = job->p->allow_private,
		.done = on_article,
		.arg = it,
	};

	return http_get(job->p->http, &req, err, errlen);
}

static void
on_article(void *arg, const struct http_response *res)
{
	struct job_item *it = arg;
	char why[64];

	it->xfer = NULL;
	if (res->held_for <= 0)
		metrics_fetch(it->job->p->metrics, METRICS_PAGE, res->len,
		    res->seconds);
	if (res->error) {
		items_make(it->job, (size_t)(it - it->job->items), 1, NULL,
		    res->url, res->error);
	} else if (res->status < 200 || res->status > 299) {
		snprintf(why, sizeof(why), "HTTP %ld", res->status);
		items_make(it->job, (size_t)(it - it->job->items), 1, NULL,
		    res->url, why);
	} else {
		items_make(it->job, (size_t)(it - it->job->items), 1, res,
		    NULL, NULL);
	}
}

/* Fetch each new entry's page, or write its item straight away. */
static void
job_deliver(struct poll_job *job)
{
	if (job->nnew == 0) {
		job_drop_feed(job);
		enqueue(job, QUEUE_FINAL);
		return;
	}
	if ((job->items = calloc(job->nnew, sizeof(*job->items))) == NULL) {
		job_fail(job, METRICS_FAIL_OTHER, "out of memory");
		return;
	}
	job->waiting = job->nnew;
	for (size_t i = 0; i < job->nnew; i++)
		job->items[i].job = job;
	if (!job->cf->article) {
		items_make(job, 0, job->nnew, NULL, NULL, NULL);
		return;
	}
	/* From here the feed waits for its pages, not for the workers: held,
	 * it could keep transfers paused while its own pages needed them. */
	job_hold(job, 0);
	for (size_t i = 0; i < job->nnew; i++) {
		struct job_item *it = &job->items[i];
		const struct feed_entry *e = &job->feed->entries[job->new[i].index];
		char err[512];

		if (e->link == NULL || !url_is_http(e->link))
			items_make(job, i, 1, NULL, e->link,
			    "entry has no http(s) link");
		else if ((it->xfer = fetch_page(it, e->link, err,
		    sizeof(err))) == NULL)
			items_make(job, i, 1, NULL, e->link, err);
	}
}

/* Move the jobs of queue q into list into, as queue as, where job_free
 * still finds them should a callback cancel one. */
static void
take_batch(struct job_list *q, struct job_list *into, enum job_queue as)
{
	struct poll_job *job;

	TAILQ_CONCAT(into, q, qentry);
	TAILQ_FOREACH(job, into, qentry)
		job->queued = as;
}

/* The entry as item.h's "entry" holds it, or NULL when out of memory. */
static char *
entry_text(const struct feed_entry *e)
{
	json_t *v = feed_entry_to_json(e);
	char *text = v ? item_json_text(v) : NULL;

	json_decref(v);
	return text;
}

/* Record the job's new entries as pending, in one call as each call is
 * a round trip to a shared state, each with its entry: should it leave
 * the feed before it is delivered, the state still delivers it.  An entry
 * another instance sharing the state recorded first is its to deliver:
 * dropped here. */
static int
job_discover(struct poll_job *job, char *err, size_t errlen)
{
	const char **ids = malloc((job->nnew + 1) * sizeof(*ids));
	int64_t *times = malloc((job->nnew + 1) * sizeof(*times));
	char **entries = calloc(job->nnew + 1, sizeof(*entries));
	int *added = malloc((job->nnew + 1) * sizeof(*added));
	size_t n = 0, kept = 0, asked = 0;
	int rc = -1;

	if (ids == NULL || times == NULL || entries == NULL || added == NULL)
		goto nomem;
	for (size_t i = 0; i < job->nnew; i++)
		if (!job->new[i].known) {
			ids[n] = new_id(job, i);
			times[n] = job->new[i].discovered_us;
			if ((entries[n++] = entry_text(
			    &job->feed->entries[job->new[i].index])) == NULL)
				goto nomem;
		}
	if (state_entries_discover(job->p->state, job->sf.id, ids, times,
	    (const char *const *)entries, n, added, err, errlen) == -1)
		goto done;
	for (size_t i = 0; i < job->nnew; i++) {
		if (!job->new[i].known && !added[asked++]) {
			log_info("feed %s: entry %s: recorded by another "
			    "instance first, left to it", job->cf->name,
			    new_id(job, i));
			continue;
		}
		job->new[kept++] = job->new[i];
	}
	job->nnew = kept;
	rc = 0;
	goto done;

nomem:
	snprintf(err, errlen, "out of memory");
done:
	for (size_t i = 0; entries && i < n; i++)
		free(entries[i]);
	free(ids);
	free(times);
	free(entries);
	free(added);
	return rc;
}

static void
flush_discover(struct poller *p)
{
	struct poll_job *job;
	char err[512];
	int rc;

	take_batch(&p->discover_q, &p->batch, QUEUE_BATCH);
	rc = state_begin(p->state, err, sizeof(err));
	TAILQ_FOREACH(job, &p->batch, qentry)
		if (rc == 0)
			rc = job_discover(job, err, sizeof(err));
	if (rc == 0)
		rc = state_commit(p->state, err, sizeof(err));
	else
		state_rollback(p->state);

	while ((job = TAILQ_FIRST(&p->batch)) != NULL) {
		TAILQ_REMOVE(&p->batch, job, qentry);
		job->queued = QUEUE_NONE;
		if (rc == -1)
			job_fail(job, METRICS_FAIL_STATE, "state: %s", err);
		else
			job_deliver(job);
	}
}

/* Decide next_poll and the interval shown in status (see policy.h). */
static int
job_schedule(struct poll_job *job, char *err, size_t errlen)
{
	const struct config_feed *cf = job->cf;
	struct state_feed *sf = &job->sf;
	int64_t now = clock_now(), now_us = clock_now_us(), since;
	struct policy_in in = {
		.interval = cf->interval,
		.pinned = cf->interval_pinned,
		.min_interval = cf->min_interval,
		.max_interval = cf->max_interval,
		.ttl = (double)sf->ttl,
		.max_age = job->ok ? job->max_age : -1,
		.expires_in = job->ok ? job->expires_in : -1,
		.watched = -1,
		.failures = sf->failures,
		.retry_after = job->retry_after,
		.max_backoff = cf->max_backoff,
	};
	const char *why;
	double wait;

	if (job->gone) {
		sf->disabled = 1;
		sf->next_poll = 0;
		sf->interval = 0;
		set_str(&sf->interval_why, "disabled");
		return 0;
	}
	if (sf->first_success_us > 0) {
		since = now_us - (int64_t)(POLICY_OBSERVE_WINDOW * 1e6);
		if (since < sf->first_success_us)
			since = sf->first_success_us;
		in.watched = (double)(now_us - since) / 1e6;
		if (state_entry_count_since(job->p->state, sf->id, since,
		    &in.new_entries, err, errlen) == -1)
			return -1;
	}
	wait = policy_next(&in, (double)random() / ((double)RAND_MAX + 1),
	    &why);
	sf->interval = (int64_t)(wait + 0.5);
	/* Counted from when the poll began, as status shows it; a poll that
	 * outlasted its interval is due at once, not in the past. */
	sf->next_poll = sf->last_poll + sf->interval;
	if (sf->next_poll < now)
		sf->next_poll = now;
	set_str(&sf->interval_why, why);
	return 0;
}

/* Entries the document no longer lists start their state_keep. */
static int
forget_gone(struct poll_job *job, char *err, size_t errlen)
{
	size_t n = job->nlisted;
	const char **ids = malloc((n + 1) * sizeof(*ids));
	int64_t pruned;
	int rc;

	if (ids == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = entry_id(job, i);
	rc = state_entries_listed(job->p->state, job->sf.id, ids, n,
	    clock_now(), (int64_t)job->cf->state_keep, &pruned, err, errlen);
	free(ids);
	if (rc == 0 && pruned > 0)
		log_info("feed %s: forgot %lld entries gone from the feed for "
		    "over state_keep", job->cf->name, (long long)pruned);
	return rc;
}

/* Whether it is durable in every output configured: it was put, and no
 * sync of either has failed since (a failed sync may have dropped it). */
static int
item_durable(const struct poller *p, const struct job_item *it)
{
	return it->state == ITEM_PUT &&
	    (p->spool == NULL || it->spool_gen == spool_failures(p->spool)) &&
	    (p->sink == NULL || it->sink_gen == redis_sink_failures(p->sink));
}

/* Mark seen, in one call, the entries now durable in every output (every
 * entry on a skipped first poll); *delivered and *failed count the job's
 * items that are and are not. */
static int
job_mark_seen(struct poll_job *job, size_t *delivered, size_t *failed,
    char *err, size_t errlen)
{
	size_t cap = job->nnew + (job->skip_all ? job->feed->nentries : 0);
	const char **ids = malloc((cap + 1) * sizeof(*ids));
	int64_t *times = malloc((cap + 1) * sizeof(*times));
	int64_t now_us = clock_now_us();
	size_t n = 0;
	int rc = -1;

	*delivered = *failed = 0;
	if (ids == NULL || times == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; job->items && i < job->nnew; i++) {
		if (!item_durable(job->p, &job->items[i])) {
			(*failed)++;
			continue;
		}
		ids[n] = new_id(job, i);
		times[n++] = job->new[i].discovered_us;
	}
	*delivered = n;
	for (size_t i = 0; job->skip_all && i < job->feed->nentries; i++) {
		ids[n] = job->feed->entries[i].id;
		times[n++] = now_us;
	}
	rc = state_entries_mark_seen(job->p->state, job->sf.id, ids, times, n,
	    err, errlen);
done:
	free(ids);
	free(times);
	return rc;
}

static int
job_commit(struct poll_job *job, char *err, size_t errlen)
{
	struct state *st = job->p->state;
	size_t spooled, failed;
	int rc;

	/* Never asked: its state stays as the last poll left it. */
	if (job->unpolled)
		return 0;
	if (job_mark_seen(job, &spooled, &failed, err, errlen) == -1)
		return -1;
	if (job->ok && failed > 0) {
		char why[128];

		/* Which output failed, and why, was logged as it did. */
		snprintf(why, sizeof(why), "%zu of %zu items could not be "
		    "written", failed, job->nnew);
		log_warnx("feed %s: %s; they stay pending", job->cf->name, why);
		set_str(&job->error, why);
		job->fail = METRICS_FAIL_OUTPUT;
		job->ok = 0;
	}
	if (failed > 0) {
		/* The validators of this answer would get a 304 next time and
		 * hide the entries not delivered: fetch in full again. */
		set_str(&job->sf.etag, NULL);
		set_str(&job->sf.last_modified, NULL);
	}
	job->p->stats.items += spooled;
	if (job->ok && !job->incomplete && (job->feed || job->ids) &&
	    forget_gone(job, err, errlen) == -1)
		return -1;
	if (job->ok) {
		job->sf.polls++;
		job->sf.failures = 0;
		job->sf.last_success = job->sf.last_poll;
		/* Entries discovered from now on were new when seen. */
		if (job->sf.first_success_us == 0)
			job->sf.first_success_us = clock_now_us();
		set_str(&job->sf.last_error, NULL);
	} else {
		job->sf.failures++;
		set_str(&job->sf.last_error, job_error(job));
	}
	if (job->url_reason && state_feed_url_add(st, job->sf.id, job->sf.url,
	    job->url_reason, err, errlen) == -1)
		return -1;
	if (job_schedule(job, err, errlen) == -1 ||
	    (rc = state_feed_save(st, &job->sf, err, errlen)) == -1)
		return -1;
	if (rc == 1)
		log_warnx("feed %s: its lease passed to another instance "
		    "before this poll ended (a poll longer than lease?): "
		    "its items are delivered, its schedule is the other's",
		    job->cf->name);
	else if (!job->ok && !job->sf.disabled) {
		char span[32];

		/* Backed off, the feed is quiet until then: say how long. */
		log_info("feed %s: %d failure%s in a row, next try in %s",
		    job->cf->name, job->sf.failures, job->sf.failures == 1 ?
		    "" : "s", clock_duration(job->sf.next_poll - clock_now(),
		    span, sizeof(span)));
	}
	return 0;
}

/* Count the poll whose result is res (state_failed: its batch's
 * transaction failed). */
static void
job_metrics(const struct poll_job *job, const struct poll_result *res,
    int state_failed)
{
	struct poller *p = job->p;
	enum metrics_result r = res->ok ? (job->not_modified ?
	    METRICS_NOT_MODIFIED : METRICS_OK) : job->unpolled ?
	    METRICS_DEFERRED : METRICS_FAILED;
	enum metrics_failure kind = state_failed ? METRICS_FAIL_STATE :
	    job->error ? job->fail : METRICS_FAIL_OTHER;

	if (p->metrics == NULL)
		return;
	if (p->spool)
		metrics_written(p->metrics, METRICS_SPOOL, res->items);
	if (p->sink)
		metrics_written(p->metrics, METRICS_REDIS, res->items);
	metrics_poll(p->metrics, job->cf->name, r, kind, res->items, &job->sf);
}

/* With the batch's items durable (or known not to be), record it all in
 * one transaction and report each poll. */
static void
final_commit(struct poller *p)
{
	struct poll_job *job;
	char err[512], syncerr[512];
	int rc;

	/* Failures count in spool_failures and redis_sink_failures, which
	 * item_durable reads. */
	if (p->sink && redis_sink_sync(p->sink, syncerr, sizeof(syncerr)) == -1) {
		log_warnx("sink: %s", syncerr);
		p->stats.sink_errors++;
		metrics_error(p->metrics, METRICS_ERR_SINK);
	}
	loop_txn_commit(p);
	rc = state_begin(p->state, err, sizeof(err));
	TAILQ_FOREACH(job, &p->syncing, qentry)
		if (rc == 0)
			rc = job_commit(job, err, sizeof(err));
	if (rc == 0)
		rc = state_commit(p->state, err, sizeof(err));
	else
		state_rollback(p->state);
	if (rc == -1) {
		log_warnx("state: %s", err);
		metrics_error(p->metrics, METRICS_ERR_STATE);
	}

	while ((job = TAILQ_FIRST(&p->syncing)) != NULL) {
		struct poll_result res = { 0 };
		size_t items = 0;

		TAILQ_REMOVE(&p->syncing, job, qentry);
		job->queued = QUEUE_NONE;
		for (size_t i = 0; job->items && i < job->nnew; i++)
			items += item_durable(p, &job->items[i]);
		res.ok = job->ok && rc == 0;
		res.status = job->sf.last_status;
		res.error = rc == -1 ? err : job->ok ? NULL : job_error(job);
		res.items = rc == 0 ? items : 0;
		res.next_poll = job->sf.next_poll;
		res.disabled = job->sf.disabled;
		/* A state that failed outweighs a host's wait. */
		res.deferred_until = rc == 0 ? job->deferred_until : 0;
		if (res.ok)
			p->stats.polls_ok++;
		else if (job->unpolled)
			p->stats.polls_deferred++;
		else
			p->stats.polls_failed++;
		job_metrics(job, &res, rc == -1);
		if (job->done)
			job->done(job->arg, &res);
		job_free(job);
	}
}

/* On a worker: the spool's sync is mostly renames, a fifth of the loop's
 * time in a first poll were it done there. */
static void
sync_run(struct work_task *t)
{
	struct spool_sync_task *st = (struct spool_sync_task *)t;

	st->rc = spool_sync(st->p->spool, st->err, sizeof(st->err));
}

static void
sync_done(struct work_task *t, int cancelled)
{
	struct spool_sync_task *st = (struct spool_sync_task *)t;
	struct poller *p = st->p;

	p->sync_busy = 0;
	if (cancelled)
		return;
	if (st->rc == -1) {
		log_warnx("spool: %s", st->err);
		metrics_error(p->metrics, METRICS_ERR_SPOOL);
	}
	final_commit(p);
	/* Polls that ended meanwhile make the next batch. */
	if (!TAILQ_EMPTY(&p->final_q) && !ev_is_active(&p->flush_final)) {
		ev_timer_set(&p->flush_final, 0., 0.);
		ev_timer_start(p->loop, &p->flush_final);
	}
}

/* One batch at a time: a batch's items are synced while the next one
 * gathers. */
static void
flush_final(struct poller *p)
{
	if (p->sync_busy)
		return;
	take_batch(&p->final_q, &p->syncing, QUEUE_SYNCING);
	p->nfinal = 0;
	if (p->spool == NULL) {
		final_commit(p);
		return;
	}
	p->sync_busy = 1;
	p->sync.task.run = sync_run;
	p->sync.task.done = sync_done;
	p->sync.task.owner = p;
	p->sync.p = p;
	work_submit(p->work, &p->sync.task);
}

/*
 * State reads and feed rows made outside the batches (state_feed_get as a
 * poll starts, the diff of each feed fetched) share one transaction per
 * loop iteration, committed before the loop waits: alone, each lookup of
 * an entry took and dropped SQLite's file locks, and a feed's first poll
 * cost a disk sync for its row.
 */
static void
loop_txn_begin(struct poller *p)
{
	char err[512];

	if (p->reading)
		return;
	if (state_begin(p->state, err, sizeof(err)) == -1) {
		log_warnx("state: %s", err);
		return;
	}
	p->reading = 1;
	ev_prepare_start(p->loop, &p->reads);
}

static void
loop_txn_commit(struct poller *p)
{
	char err[512];

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
	loop_txn_commit(w->data);
}

static void
on_flush(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct poller *p = w->data;

	(void)loop;
	(void)revents;
	loop_txn_commit(p);
	if (w == &p->flush_discover && !TAILQ_EMPTY(&p->discover_q))
		flush_discover(p);
	if (w == &p->flush_final && !TAILQ_EMPTY(&p->final_q))
		flush_final(p);
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
	TAILQ_INIT(&p->jobs);
	TAILQ_INIT(&p->discover_q);
	TAILQ_INIT(&p->final_q);
	TAILQ_INIT(&p->batch);
	TAILQ_INIT(&p->syncing);
	ev_timer_init(&p->flush_discover, on_flush, DISCOVER_DELAY, 0.);
	p->flush_discover.data = p;
	ev_timer_init(&p->flush_final, on_flush, FINAL_DELAY, 0.);
	p->flush_final.data = p;
	ev_prepare_init(&p->reads, on_reads);
	p->reads.data = p;
	return p;
}

void
poller_flush(struct poller *p)
{
	ev_timer_stop(p->loop, &p->flush_discover);
	ev_timer_stop(p->loop, &p->flush_final);
	on_flush(p->loop, &p->flush_discover, 0);
	/* The batch syncing, then what waits behind it. */
	work_finish(p->work, p);
	on_flush(p->loop, &p->flush_final, 0);
	work_finish(p->work, p);
	ev_timer_stop(p->loop, &p->flush_final);
}

void
poller_free(struct poller *p)
{
	struct poll_job *job;

	if (p == NULL)
		return;
	while ((job = TAILQ_FIRST(&p->jobs)) != NULL)
		job_free(job);
	work_free(p->work);
	loop_txn_commit(p);
	ev_timer_stop(p->loop, &p->queues);
	ev_timer_stop(p->loop, &p->flush_discover);
	ev_timer_stop(p->loop, &p->flush_final);
	free(p);
}

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
	job->started = ev_now(p->loop);
	job->retry_after = job->max_age = job->expires_in = -1;
	TAILQ_INSERT_TAIL(&p->jobs, job, entry);
	p->njobs++;
	loop_txn_begin(p);
	if (state_feed_get(p->state, cf->name, cf->url, &job->sf, &job->created,
	    err, sizeof(err)) == -1) {
		log_warnx("feed %s: state: %s", cf->name, err);
		job_free(job);
		return NULL;
	}
	if (job->sf.config_url == NULL ||
	    strcmp(job->sf.config_url, cf->url) != 0) {
		/* The config now names another URL: a fresh start, since
		 * validators, redirects, hints and a 410 belonged to the old
		 * one. */
		set_str(&job->sf.url, cf->url);
		set_str(&job->sf.config_url, cf->url);
		set_str(&job->sf.etag, NULL);
		set_str(&job->sf.last_modified, NULL);
		job->sf.disabled = 0;
		job->sf.failures = 0;
		job->sf.ttl = -1;
		job->url_reason = "config";
	}
	struct http_request req = {
		.url = job->sf.url,
		.password = password_for(cf, job->sf.url),
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
		job_fail(job, METRICS_FAIL_NETWORK, "%s", err);
	}
	return job;
}

void
poller_cancel(struct poll_job *job)
{
	job_free(job);
}

const struct poller_stats *
poller_stats(const struct poller *p)
{
	return &p->stats;
}
