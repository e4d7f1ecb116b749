/* poll_items.c - STAGE_ITEMS of a poll (poll_int.h): each new entry's
 * page fetched, and its item made off the loop and handed to the outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../feeds/article.h"
#include "../feeds/feed.h"
#include "../feeds/url.h"
#include "../store/redis_sink.h"
#include "../store/spool.h"
#include "clock.h"
#include "http.h"
#include "item.h"
#include "poll_int.h"
#include "revision.h"
#include "story.h"

/* How many <meta http-equiv=refresh> hops an article may take (HTTP
 * redirects are the engine's and counted there). */
#define MAX_REFRESHES 3

/* How long a story waits for others to be claimed with it: each claim
 * writes the state, and the transaction it is in costs a disk sync. */
#define CLAIM_DELAY 0.02

/* How often the stories older than the window are forgotten. */
#define STORIES_PRUNE_US (60 * INT64_C(1000000))

/*
 * Items are made off the loop (work.h): a page parsed, the JSON built and
 * written to the spool are most of a poll's CPU, and the loop would stall
 * on them while transfers wait.  A task makes one item from its page, or
 * every item of a job that has no pages at once (one wake-up of the loop
 * per feed, not per entry).  It owns copies of what it reads from the
 * response; the job's parsed feed, config and items stay put until it is
 * done, and it writes only its own items.
 *
 * While duplicates are looked for, a page's task runs twice: first it
 * parses the page and makes the item's story, then the loop claims the
 * story in the state (story.h) and submits it again to make the item,
 * which must say whether it is a duplicate.  Items without a page have
 * their story (their link's) claimed before their task starts.  Claims
 * wait up to CLAIM_DELAY in p->claims, to be written in one transaction.
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
	int claim;                    /* parse only: the loop claims the
	                               * story, then submits it again */
	int parsed;                   /* story is the parse's; else the
	                               * items' links are their stories */
	struct story story;           /* made by the parse, to claim */
	TAILQ_ENTRY(item_task) claims; /* in p->claims, while there */
	struct article *article;      /* the parse's, kept for the items */
};

static void
item_task_free(struct item_task *tk)
{
	free(tk->page);
	free(tk->content_type);
	free(tk->url);
	free(tk->error);
	free(tk->refresh);
	article_free(tk->article);
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

/* Free what a worker made for it and the loop has not reported. */
static void
item_forget(struct job_item *it)
{
	free(it->json);
	free(it->article_error);
	free(it->spool_error);
	free(it->duplicate_of);
	it->json = it->article_error = it->spool_error = NULL;
	it->duplicate_of = NULL;
}

void
poll_items_free(struct poll_job *job)
{
	struct item_task *tk, *next;

	/* Its tasks waiting for claims are in no worker's hands. */
	for (tk = TAILQ_FIRST(&job->p->claims); tk != NULL; tk = next) {
		next = TAILQ_NEXT(tk, claims);
		if (tk->job == job) {
			TAILQ_REMOVE(&job->p->claims, tk, claims);
			item_task_free(tk);
		}
	}
	for (size_t i = 0; job->items && i < job->nnew; i++) {
		if (job->items[i].xfer)
			http_cancel(job->p->http, job->items[i].xfer);
		item_forget(&job->items[i]);
		free(job->items[i].version);
		free(job->items[i].entry);
	}
}

static void items_make(struct poll_job *job, size_t first, size_t n,
    const struct http_response *res, const char *url, const char *error);
static struct http_transfer *fetch_page(struct job_item *it, const char *url,
    char *err, size_t errlen);

void
poll_items_start(struct poll_job *job)
{
	NW_ASSERT(job->stage == STAGE_ITEMS && job->items == NULL);
	/* The items are made from the parsed feed, kept until they are. */
	NW_ASSERT(job->nnew == 0 || job->feed != NULL);
	if (job->nnew == 0) {
		poll_advance(job, STAGE_FINAL);
		return;
	}
	if ((job->items = calloc(job->nnew, sizeof(*job->items))) == NULL) {
		poll_fail(job, METRICS_FAIL_OTHER, "out of memory");
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
	poll_hold(job, 0);
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

static void on_article(void *arg, const struct http_response *res);

/* Start fetching url as the page of item it. */
static struct http_transfer *
fetch_page(struct job_item *it, const char *url, char *err, size_t errlen)
{
	struct poll_job *job = it->job;
	struct http_request req = {
		.url = url,
		.password = poll_password_for(job->cf, url),
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
	size_t i = (size_t)(it - it->job->items);
	char why[64];

	NW_ASSERT(it->job->stage == STAGE_ITEMS && it->xfer != NULL);
	NW_ASSERT(i < it->job->nnew && it->state == ITEM_WAITING);
	it->xfer = NULL;
	if (res->held_for <= 0)
		metrics_fetch(it->job->p->metrics, METRICS_PAGE, res->len,
		    res->seconds);
	if (res->error) {
		items_make(it->job, i, 1, NULL, res->url, res->error);
	} else if (res->status < 200 || res->status > 299) {
		snprintf(why, sizeof(why), "HTTP %ld", res->status);
		items_make(it->job, i, 1, NULL, res->url, why);
	} else {
		items_make(it->job, i, 1, res, NULL, NULL);
	}
}

static void item_settled(struct poll_job *job);
static void item_run(struct work_task *t);
static void item_done(struct work_task *t, int cancelled);

/* Claim the story s of item i on the loop: its duplicate_of, and whether
 * it is skipped.  A claim that fails leaves the item a story's first. */
static void
item_claim(struct poll_job *job, size_t i, const struct story *s)
{
	struct job_item *it = &job->items[i];
	char name[128], err[512];

	/* A revision's story is its first version's, claimed then. */
	if (!story_known(s) || job->new[i].rev != NULL)
		return;
	spool_item_name(name, sizeof(name), job->new[i].discovered_us,
	    job->cf->name, poll_new_id(job, i));
	/* In the loop's transaction: committed before the item can be
	 * marked seen, whose batch commits that one first. */
	poll_txn_begin(job->p);
	/* The window moves slowly: pruning at each claim cost a statement
	 * per item for next to nothing. */
	if (clock_now_us() - job->p->stories_pruned_us > STORIES_PRUNE_US) {
		job->p->stories_pruned_us = clock_now_us();
		if (story_prune(job->p->state, job->cf->duplicate_window, err,
		    sizeof(err)) == -1)
			log_warnx("state: %s", err);
	}
	if (story_claim(job->p->state, s, name, job->new[i].discovered_us,
	    job->cf->duplicate_window, &it->duplicate_of, err,
	    sizeof(err)) == -1) {
		log_warnx("feed %s: entry %s: %s", job->cf->name,
		    poll_new_id(job, i), err);
		return;
	}
	it->duplicate = it->duplicate_of != NULL;
	it->skipped = it->duplicate &&
	    job->cf->duplicates == DUPLICATES_SKIP;
	job->p->stats.duplicates += it->duplicate_of != NULL;
	if (it->duplicate_of != NULL)
		log_info("feed %s: entry %s: the same story as %s%s",
		    job->cf->name, poll_new_id(job, i), it->duplicate_of,
		    it->skipped ? ", skipped" : "");
}

/* Claim the stories of items first .. first + n that have no page to
 * parse: by their link alone (the page's URL when its fetch failed). */
static void
items_claim_links(struct poll_job *job, size_t first, size_t n,
    const char *url)
{
	struct story s;

	for (size_t i = first; i < first + n; i++) {
		const struct feed_entry *e =
		    &job->feed->entries[job->new[i].index];

		story_make(&s, NULL, url ? url : e->link, NULL);
		item_claim(job, i, &s);
	}
}

/* Hand tk to the workers. */
static void
task_submit(struct poll_job *job, struct item_task *tk)
{
	job->tasks++;
	job->p->pages_held += tk->page != NULL;
	work_submit(job->p->work, &tk->task);
	poll_backlog_check(job->p);
}

/* tk's stories are claimed with the others of the next CLAIM_DELAY, then
 * it goes to the workers. */
static void
claim_later(struct poller *p, struct item_task *tk)
{
	TAILQ_INSERT_TAIL(&p->claims, tk, claims);
	if (!ev_is_active(&p->flush_claims)) {
		ev_timer_set(&p->flush_claims, CLAIM_DELAY, 0.);
		ev_timer_start(p->loop, &p->flush_claims);
	}
}

static void
on_flush_claims(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct poller *p = w->data;
	struct item_task *tk;

	(void)loop;
	(void)revents;
	while ((tk = TAILQ_FIRST(&p->claims)) != NULL) {
		TAILQ_REMOVE(&p->claims, tk, claims);
		if (tk->parsed)
			item_claim(tk->job, tk->first, &tk->story);
		else
			items_claim_links(tk->job, tk->first, tk->n, tk->url);
		task_submit(tk->job, tk);
	}
}

void
poll_claims_init(struct poller *p)
{
	TAILQ_INIT(&p->claims);
	ev_timer_init(&p->flush_claims, on_flush_claims, CLAIM_DELAY, 0.);
	p->flush_claims.data = p;
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
	if (job->cf->duplicates != DUPLICATES_OFF && res == NULL) {
		claim_later(job->p, tk);
		return;
	}
	tk->claim = job->cf->duplicates != DUPLICATES_OFF;
	task_submit(job, tk);
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

/* The spool name of the job's item i: a revision's says so. */
static char *
item_name(const struct poll_job *job, size_t i, char *buf, size_t len)
{
	const struct diff_item *d = &job->new[i];

	return revision_item_name(buf, len, d->discovered_us, job->cf->name,
	    poll_new_id(job, i), d->rev ? d->rev->number + 1 : 1);
}

/*
 * With revisions on, keep what the state needs of item i (its entry's
 * fingerprint, its texts) and, for a revision, say how it differs from
 * the version before: a new reference to the item's "revision", or NULL
 * with it->unchanged set when it changed nothing in substance (or there
 * is no page to compare).  The version is kept only from a page read, or
 * with fetching off from the entry, so that like is compared with like.
 */
static json_t *
item_revision(struct item_task *tk, size_t i, const struct item_article *art)
{
	const struct poll_job *job = tk->job;
	const struct diff_item *d = &job->new[i];
	const struct feed_entry *e = &job->feed->entries[d->index];
	struct job_item *it = &job->items[i];
	struct revision_texts cur, old;
	char *owned[2] = { NULL, NULL }, *old_owned = NULL, prev[128];
	json_t *rev = NULL;

	it->fingerprint = revision_fingerprint(e);
	/* Out of memory, the entry is kept at its next version. */
	if (job->cf->revisions == REVISIONS_PAGES)
		it->entry = poll_revisions_entry_text(e, job->feed->title);
	if (art && art->article == NULL)
		goto done;
	revision_texts_of(e, art ? art->article : NULL, &cur);
	it->version = revision_encode(&cur);
	if (d->rev == NULL || it->version == NULL)
		goto done;
	if (revision_decode(d->rev->version, &old, &old_owned) == -1) {
		log_warnx("feed %s: entry %s: the version kept is unreadable",
		    job->cf->name, e->id);
		goto done;
	}
	/* The entry's own summary and content are HTML. */
	if (art == NULL) {
		struct revision_texts raw_cur = cur, raw_old = old;

		if (revision_texts_plain(&raw_cur, &cur, &owned[0]) == -1 ||
		    revision_texts_plain(&raw_old, &old, &owned[1]) == -1)
			goto done;
	}
	if ((rev = revision_compare(&old, &cur, NULL)) == NULL ||
	    revision_item_name(prev, sizeof(prev), d->rev->number_us,
	    job->cf->name, e->id, d->rev->number) == NULL) {
		json_decref(rev);
		rev = NULL;
		goto done;
	}
	json_object_set_new(rev, "number", json_integer(d->rev->number + 1));
	json_object_set_new(rev, "previous", json_string(prev));
done:
	if (d->rev && rev == NULL)
		it->unchanged = 1;
	free(owned[0]);
	free(owned[1]);
	free(old_owned);
	return rev;
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
	json_t *rev = NULL;
	char name[128], err[512];

	if (it->skipped) {
		/* Seen without an item: nothing to make or write. */
		it->made = 1;
		return;
	}
	if (job->cf->revisions != REVISIONS_OFF &&
	    (rev = item_revision(tk, i, art)) == NULL && it->unchanged)
		return;
	if (art && art->error)
		it->article_error = strdup(art->error);
	it->json = item_json(job->cf, job->feed, e, d->entry_json, art,
	    d->discovered_us, it->duplicate_of, rev);
	if (it->json == NULL)
		return;
	it->made = 1;
	item_name(job, i, name, sizeof(name));
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
	struct article *a = tk->article;
	struct timespec t0, t1;

	tk->article = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tk->page)
		item_read_page(tk, &a);
	if (tk->refresh) {
		article_free(a);
		return;
	}
	if (tk->claim) {
		const struct article *got = tk->error ? NULL : a;

		story_make(&tk->story, got ? got->canonical_url : NULL,
		    tk->url, got ? got->text : NULL);
		tk->parsed = 1;
		tk->article = a;
		goto timed;
	}
	art.article = tk->error ? NULL : a;
	art.error = tk->error;
	if (art.error == NULL && art.article == NULL)
		art.error = "out of memory";
	for (size_t i = tk->first; i < tk->first + tk->n; i++) {
		item_make_one(tk, i, tk->job->cf->article ? &art : NULL);
		/* In its item now: not kept until the job ends.  Item i is
		 * this task's alone until then. */
		free(tk->job->new[i].entry_json);
		tk->job->new[i].entry_json = NULL;
	}
	article_free(a);
timed:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tk->seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Back on the loop: report item i, hand it to the sink, count it. */
static void
item_report(struct item_task *tk, size_t i)
{
	struct poll_job *job = tk->job;
	struct poller *p = job->p;
	struct job_item *it = &job->items[i];
	char err[512], name[128];

	item_name(job, i, name, sizeof(name));
	if (it->unchanged) {
		log_info("feed %s: entry %s: no change in substance",
		    job->cf->name, poll_new_id(job, i));
		it->state = ITEM_UNCHANGED;
		item_forget(it);
		return;
	}
	if (it->article_error) {
		p->stats.article_errors++;
		metrics_error(p->metrics, METRICS_ERR_ARTICLE);
		log_info("feed %s: article %s: %s", job->cf->name,
		    tk->url ? tk->url : "(none)", it->article_error);
	}
	it->state = ITEM_FAILED;
	if (it->made && it->skipped) {
		it->state = ITEM_PUT;
		it->spool_gen = p->spool ? spool_failures(p->spool) : 0;
		it->sink_gen = p->sink ? redis_sink_failures(p->sink) : 0;
		p->stats.duplicates_skipped++;
	} else if (!it->made) {
		log_warnx("feed %s: entry %s: out of memory", job->cf->name,
		    poll_new_id(job, i));
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

/* The job's item it is done with, made or not. */
static void
item_settled(struct poll_job *job)
{
	NW_ASSERT(job->stage == STAGE_ITEMS && job->waiting > 0);
	if (--job->waiting == 0)
		poll_advance(job, STAGE_FINAL);
}

/* Back on the loop: follow a refresh, or report the items. */
static void
item_done(struct work_task *t, int cancelled)
{
	struct item_task *tk = (struct item_task *)t;
	struct poll_job *job = tk->job;
	struct job_item *it = &job->items[tk->first];
	char err[512];

	NW_ASSERT(tk->page == NULL || tk->p->pages_held > 0);
	tk->p->pages_held -= tk->page != NULL;
	if (cancelled) {
		/* Its items' strings go with the job (poll_job_free). */
		item_task_free(tk);
		return;
	}
	NW_ASSERT(job->stage == STAGE_ITEMS && job->tasks > 0);
	job->tasks--;
	poll_backlog_check(job->p);
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
	if (tk->claim) {
		/* Parsed: the story claimed, then the item made. */
		tk->claim = 0;
		free(tk->page);
		tk->page = NULL;
		claim_later(job->p, tk);
		return;
	}
	for (size_t i = tk->first; i < tk->first + tk->n; i++) {
		item_report(tk, i);
		item_settled(job);
	}
	item_task_free(tk);
}
