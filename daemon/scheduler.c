/* scheduler.c - see scheduler.h */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "../store/state.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "poll.h"
#include "scheduler.h"

/* Feeds due at start are spread over at most this many seconds (and at
 * most a tenth of their interval); later polls drift by up to 2%. */
#define START_SPREAD 10.0
#define RUN_JITTER 0.02

/* Shared state: how often an instance asks for due feeds, and how soon
 * again when it got all it asked for (more are likely due) or a poll
 * ended (there is room). */
#define CLAIM_INTERVAL 1.0
#define CLAIM_AGAIN 0.05

struct cfg_ref {
	struct config *cfg;
	int refs;
};

struct watch {
	struct scheduler *s;
	const struct config_feed *cf;
	struct cfg_ref *ref;            /* config cf belongs to */
	struct poll_job *job;
	struct cfg_ref *job_ref;        /* config the job in flight uses */
	ev_timer timer;
	int mark;                       /* seen in the config being applied */
	int64_t deferred_until;         /* once: left for later until then */
	TAILQ_ENTRY(watch) entry;
};
TAILQ_HEAD(watch_list, watch);

struct scheduler {
	struct ev_loop *loop;
	struct poller *poller;
	struct state *state;
	int once;
	int shared;                     /* feeds are claimed, not timed */
	ev_timer claim;
	ev_timer renew;                 /* keeps the leases of polls in flight */
	scheduler_idle_fn *idle;
	void *idle_arg;
	struct cfg_ref *current;
	struct watch_list watches;
	size_t nwatches;
	size_t busy;
	size_t once_left;
	size_t polled;
	size_t failed;
	size_t deferred;
};

static void
ref_drop(struct cfg_ref *ref)
{
	NW_ASSERT(ref == NULL || ref->refs > 0);
	if (ref && --ref->refs == 0) {
		config_free(ref->cfg);
		free(ref);
	}
}

static double
jitter(double max)
{
	return max * ((double)random() / RAND_MAX);
}

static void
watch_arm(struct watch *w, double delay)
{
	ev_timer_stop(w->s->loop, &w->timer);
	ev_timer_set(&w->timer, delay > 0 ? delay : 0., 0.);
	ev_timer_start(w->s->loop, &w->timer);
}

static void watch_free(struct watch *w);

static void
on_polled(void *arg, const struct poll_result *res)
{
	struct watch *w = arg;
	struct scheduler *s = w->s;

	w->job = NULL;
	ref_drop(w->job_ref);
	w->job_ref = NULL;
	NW_ASSERT(s->busy > 0);
	s->busy--;
	if (s->once) {
		s->polled++;
		if (res->deferred_until != 0) {
			w->deferred_until = res->deferred_until;
			s->deferred++;
		} else if (!res->ok)
			s->failed++;
		NW_ASSERT(s->once_left > 0);
		if (--s->once_left == 0 && s->idle)
			s->idle(s->idle_arg);
		return;
	}
	/* Gone: forgotten until a reload names another URL for it. */
	if (res->disabled) {
		watch_free(w);
		return;
	}
	/* The state has its next poll, for any instance to claim; the room
	 * this poll leaves is filled soon, not at the next second. */
	if (s->shared) {
		if (ev_timer_remaining(s->loop, &s->claim) > CLAIM_AGAIN) {
			ev_timer_stop(s->loop, &s->claim);
			ev_timer_set(&s->claim, CLAIM_AGAIN, 0.);
			ev_timer_start(s->loop, &s->claim);
		}
		return;
	}
	watch_arm(w, (double)res->next_poll - (double)clock_now() +
	    jitter((double)(res->next_poll - clock_now()) * RUN_JITTER));
}

static void
watch_poll(struct watch *w)
{
	struct scheduler *s = w->s;

	w->job_ref = w->ref;
	w->job_ref->refs++;
	s->busy++;
	if ((w->job = poller_poll(s->poller, w->cf, on_polled, w)) == NULL) {
		struct poll_result res = { .next_poll = clock_now() +
		    (int64_t)w->cf->interval };
		on_polled(w, &res);
	}
}

static void
on_due(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct watch *w = t->data;

	(void)loop;
	(void)revents;
	if (w->job == NULL)
		watch_poll(w);
}

static struct watch *
watch_find(struct scheduler *s, const char *name)
{
	struct watch *w;

	TAILQ_FOREACH(w, &s->watches, entry)
		if (strcmp(w->cf->name, name) == 0)
			return w;
	return NULL;
}

/*
 * Shared state: take due feeds, as many as max_connections has room for,
 * and poll them.  The claim also returns the feeds this instance holds,
 * those in flight among them (kept: up to busy more rows are asked for);
 * a feed not in this config goes back at once.
 */
static void
on_claim(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct scheduler *s = t->data;
	const struct config *cfg = s->current->cfg;
	size_t room = (size_t)cfg->max_connections, n = 0, limit;
	char **names = NULL, err[512];
	double again = CLAIM_INTERVAL;

	(void)revents;
	room = s->busy < room ? room - s->busy : 0;
	limit = room + s->busy;
	if (room > 0 && state_feeds_claim(s->state, clock_now(),
	    (int64_t)cfg->lease, limit, &names, &n, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
	for (size_t i = 0; i < n; i++) {
		struct watch *w = watch_find(s, names[i]);

		if (w != NULL && w->job != NULL)
			continue;
		if (w != NULL) {
			log_debug("feed %s: claimed", names[i]);
			watch_poll(w);
		} else if (state_feed_release(s->state, names[i], err,
		    sizeof(err)) == -1)
			log_warnx("state: %s", err);
	}
	if (n > 0 && n == limit)
		again = CLAIM_AGAIN;
	state_names_free(names, n);
	ev_timer_set(t, again, 0.);
	ev_timer_start(loop, t);
}

/* Shared state: a third of the lease at a time, the polls in flight keep
 * their feeds however long they take; an instance that dies stops
 * renewing, and its feeds are free a lease later. */
static void
on_renew(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct scheduler *s = t->data;
	const struct config *cfg = s->current->cfg;
	char err[512];

	(void)revents;
	if (s->busy > 0 && state_leases_renew(s->state, clock_now(),
	    (int64_t)cfg->lease, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
	ev_timer_set(t, cfg->lease / 3, 0.);
	ev_timer_start(loop, t);
}

/*
 * Shared state: the feed is in the state for every instance to claim.
 * A feed that a reload changed (URL, interval) is due now, as with the
 * timers; one that answered 410 and has a new URL is enabled again.
 */
static void
shared_upsert(struct scheduler *s, const struct config_feed *cf, int changed)
{
	struct state_feed f;
	char err[512];
	int due_now = changed;

	if (state_feed_get(s->state, cf->name, cf->url, &f, NULL, err,
	    sizeof(err)) == -1) {
		log_warnx("feed %s: state: %s", cf->name, err);
		return;
	}
	if (f.disabled && f.config_url && strcmp(f.config_url, cf->url) != 0) {
		f.disabled = 0;
		due_now = 1;
	}
	if (due_now && f.next_poll > clock_now()) {
		f.next_poll = clock_now();
		if (state_feed_save(s->state, &f, err, sizeof(err)) == -1)
			log_warnx("feed %s: state: %s", cf->name, err);
	}
	state_feed_clear(&f);
}

static void
watch_free(struct watch *w)
{
	struct scheduler *s = w->s;

	ev_timer_stop(s->loop, &w->timer);
	if (w->job) {
		poller_cancel(w->job);
		NW_ASSERT(s->busy > 0);
		s->busy--;
	}
	ref_drop(w->job_ref);
	NW_ASSERT(s->nwatches > 0);
	TAILQ_REMOVE(&s->watches, w, entry);
	s->nwatches--;
	free(w);
}

struct scheduler *
scheduler_new(struct ev_loop *loop, struct poller *poller, struct state *state,
    int once, scheduler_idle_fn *idle, void *arg)
{
	struct scheduler *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->loop = loop;
	s->poller = poller;
	s->state = state;
	s->once = once;
	s->idle = idle;
	s->idle_arg = arg;
	s->shared = !once && state_shared(state);
	ev_timer_init(&s->claim, on_claim, 0., 0.);
	s->claim.data = s;
	ev_timer_init(&s->renew, on_renew, 0., 0.);
	s->renew.data = s;
	TAILQ_INIT(&s->watches);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	return s;
}

void
scheduler_free(struct scheduler *s)
{
	struct watch *w;

	if (s == NULL)
		return;
	ev_timer_stop(s->loop, &s->claim);
	ev_timer_stop(s->loop, &s->renew);
	while ((w = TAILQ_FIRST(&s->watches)) != NULL)
		watch_free(w);
	ref_drop(s->current);
	free(s);
}

/* Lookups by name in sorted arrays: with 10,000 feeds, a walk of the
 * list for each of them took a good part of a cycle of 304s. */
struct named {
	const char *name;   /* the watch's name when the apply began */
	struct watch *w;
};

static int
watch_order(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
	    ((const struct named *)b)->name);
}

static int
watch_named(const void *name, const void *n)
{
	return strcmp(name, ((const struct named *)n)->name);
}

static int
known_named(const void *name, const void *f)
{
	return strcmp(name, ((const struct state_feed *)f)->name);
}

static int
configured(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].name, name) == 0)
			return 1;
	return 0;
}

/* A feed given a name (or another one) is the feed of the same URL whose
 * old name the config no longer has: renamed in the state, so its seen
 * entries stay seen.  NULL when there is none, or the rename failed. */
static struct watch *
renamed(struct scheduler *s, const struct named *old, size_t nold,
    const struct config *cfg, const struct config_feed *cf)
{
	struct watch *w = NULL;
	char err[512];

	/* Only the watches from before this config: at start there are none,
	 * and 10,000 new feeds do not each walk the others. */
	for (size_t i = 0; i < nold && w == NULL; i++)
		if (!old[i].w->mark && strcmp(old[i].w->cf->url, cf->url) == 0 &&
		    !configured(cfg, old[i].w->cf->name))
			w = old[i].w;
	if (w == NULL)
		return NULL;
	if (state_feed_rename(s->state, w->cf->name, cf->name, err,
	    sizeof(err)) == -1) {
		log_warnx("feed %s: state: %s", cf->name, err);
		return NULL;
	}
	log_info("feed %s: renamed from %s", cf->name, w->cf->name);
	return w;
}

/* state_feed_list orders by name. */
static const struct state_feed *
known_feed(const struct state_feed *known, size_t nknown, const char *name)
{
	return nknown ? bsearch(name, known, nknown, sizeof(*known),
	    known_named) : NULL;
}

/* A state feed by the URL the config named it with. */
struct by_url {
	const char *url;
	struct state_feed *f;
};

static int
by_url_order(const void *a, const void *b)
{
	const struct by_url *x = a, *y = b;
	int c = strcmp(x->url, y->url);

	/* Ties by address: bsearch then lands on one of equals, and the
	 * walk back finds the first. */
	return c ? c : (x->f > y->f) - (x->f < y->f);
}

static int
by_url_find(const void *key, const void *elem)
{
	return strcmp(key, ((const struct by_url *)elem)->url);
}

/* known indexed by URL (NULL when out of memory or nothing is known). */
static struct by_url *
by_url_index(struct state_feed *known, size_t nknown)
{
	struct by_url *idx = nknown ? calloc(nknown, sizeof(*idx)) : NULL;

	for (size_t i = 0; idx && i < nknown; i++) {
		idx[i].f = &known[i];
		idx[i].url = known[i].config_url ? known[i].config_url :
		    known[i].url;
	}
	if (idx)
		qsort(idx, nknown, sizeof(*idx), by_url_order);
	return idx;
}

/* A feed the state does not know by its name, but by its URL under a name
 * the config no longer has: the same feed, named anew (given a name, or
 * derived otherwise by a newer newswatch).  Renamed in the state so its
 * seen entries stay seen, as a reload does (renamed()), and the state's
 * row returned; NULL when there is none or the rename failed.  taken[i]
 * marks known[i] as renamed in this apply. */
static const struct state_feed *
renamed_in_state(struct scheduler *s, const struct state_feed *known,
    const struct by_url *idx, size_t nknown, char *taken,
    const struct config *cfg, const struct config_feed *cf)
{
	const struct by_url *hit = idx ? bsearch(cf->url, idx, nknown,
	    sizeof(*idx), by_url_find) : NULL;
	char err[512];

	if (hit == NULL)
		return NULL;
	while (hit > idx && strcmp(hit[-1].url, cf->url) == 0)
		hit--;
	for (; hit < idx + nknown && strcmp(hit->url, cf->url) == 0; hit++) {
		size_t i = (size_t)(hit->f - known);

		if (taken[i] || configured(cfg, hit->f->name))
			continue;
		if (state_feed_rename(s->state, hit->f->name, cf->name, err,
		    sizeof(err)) == -1) {
			log_warnx("feed %s: state: %s", cf->name, err);
			return NULL;
		}
		log_info("feed %s: renamed from %s", cf->name, hit->f->name);
		taken[i] = 1;
		return hit->f;
	}
	return NULL;
}

/* When the state says a feed is due.  After a success a pinned interval
 * is all policy_next weighs, so it counts from the last poll: an interval
 * edited in the config (or a feed added back with a new one) takes effect
 * now, not after the wait the old one decided. */
static int64_t
next_due(const struct config_feed *cf, const struct state_feed *f)
{
	if (cf->interval_pinned && f->failures == 0 && f->last_poll > 0)
		return f->last_poll + (int64_t)cf->interval;
	return f->next_poll;
}

/* When a feed is first due: its state's next_poll, spread a little. */
static double
first_delay(struct scheduler *s, const struct config_feed *cf,
    const struct state_feed *f)
{
	double spread = cf->interval / 10 < START_SPREAD ?
	    cf->interval / 10 : START_SPREAD;
	double wait = 0;

	if (s->once)
		return 0;
	/* A URL the state does not know is a new feed: due now. */
	if (f && f->config_url && strcmp(f->config_url, cf->url) == 0 &&
	    next_due(cf, f) > clock_now())
		wait = (double)(next_due(cf, f) - clock_now());
	return wait + jitter(spread);
}

/* A feed whose settings a reload changed, and which is not polling: when
 * its next poll is now due, or -1 to keep the wait it has. */
static double
changed_delay(struct scheduler *s, const struct watch *w,
    const struct config_feed *cf, const struct state_feed *f)
{
	const struct config_feed *old = w->cf;

	if (w->job || (strcmp(old->url, cf->url) == 0 &&
	    old->interval == cf->interval &&
	    old->interval_pinned == cf->interval_pinned))
		return -1;
	return first_delay(s, cf, f);
}

/* 410 Gone, and the config still names the URL that answered it. */
static int
gone(const struct config_feed *cf, const struct state_feed *f)
{
	return f && f->disabled && f->config_url &&
	    strcmp(f->config_url, cf->url) == 0;
}

/* A feed the config still names: it takes the new config's settings, and
 * its next poll moves when they changed when it falls. */
static void
watch_keep(struct scheduler *s, struct watch *w, struct cfg_ref *ref,
    const struct config_feed *cf, const struct state_feed *f)
{
	double wait = changed_delay(s, w, cf, f);

	w->cf = cf;
	w->ref = ref;
	w->mark = 1;
	if (wait >= 0)
		log_info("feed %s: changed", cf->name);
	if (s->shared)
		shared_upsert(s, cf, wait >= 0);
	else if (wait >= 0)
		watch_arm(w, wait);
}

/* A feed new to the scheduler (f: what the state knows of it, or NULL). */
static void
watch_add(struct scheduler *s, struct cfg_ref *ref,
    const struct config_feed *cf, const struct state_feed *f)
{
	struct watch *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warnx("feed %s: out of memory", cf->name);
		return;
	}
	w->s = s;
	w->cf = cf;
	w->ref = ref;
	w->mark = 1;
	ev_timer_init(&w->timer, on_due, 0., 0.);
	w->timer.data = w;
	TAILQ_INSERT_TAIL(&s->watches, w, entry);
	s->nwatches++;
	if (s->once)
		s->once_left++;
	if (s->shared)
		shared_upsert(s, cf, 0);
	else
		watch_arm(w, first_delay(s, cf, f));
	if (s->current)
		log_info("feed %s: added", cf->name);
}

int
scheduler_apply(struct scheduler *s, struct config *cfg)
{
	struct cfg_ref *ref;
	struct state_feed *known = NULL;
	struct by_url *by_url = NULL;
	char *taken = NULL;
	size_t nknown = 0, nold = 0;
	struct watch *w, *next;
	struct named *old, *found;
	char err[512];

	if ((ref = calloc(1, sizeof(*ref))) == NULL) {
		config_free(cfg);
		return -1;
	}
	ref->cfg = cfg;
	ref->refs = 1;
	if ((old = calloc(s->nwatches + 1, sizeof(*old))) == NULL) {
		free(ref);
		config_free(cfg);
		return -1;
	}
	if (state_feed_list(s->state, &known, &nknown, err, sizeof(err)) == -1)
		log_warnx("state: %s (polling every feed now)", err);
	/* Without them (out of memory), a renamed feed starts anew. */
	if (nknown && (taken = calloc(nknown, 1)) != NULL)
		by_url = by_url_index(known, nknown);

	TAILQ_FOREACH(w, &s->watches, entry) {
		w->mark = 0;
		old[nold].name = w->cf->name;
		old[nold++].w = w;
	}
	qsort(old, nold, sizeof(*old), watch_order);
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		const struct state_feed *f;

		if (!cf->enabled)
			continue;
		found = nold ? bsearch(cf->name, old, nold, sizeof(*old),
		    watch_named) : NULL;
		if ((w = found ? found->w : NULL) == NULL)
			w = renamed(s, old, nold, cfg, cf);
		f = known_feed(known, nknown, w ? w->cf->name : cf->name);
		if (w == NULL && f == NULL)
			f = renamed_in_state(s, known, by_url, nknown, taken,
			    cfg, cf);
		if (gone(cf, f)) {
			log_info("feed %s: disabled since it answered 410 Gone; "
			    "give it another url to poll it again", cf->name);
			continue;
		}
		if (w != NULL)
			watch_keep(s, w, ref, cf, f);
		else
			watch_add(s, ref, cf, f);
	}
	for (w = TAILQ_FIRST(&s->watches); w; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (!w->mark) {
			log_info("feed %s: removed", w->cf->name);
			watch_free(w);
		}
	}
	metrics_feeds(poller_metrics(s->poller), cfg, known, nknown);
	free(by_url);
	free(taken);
	state_feed_list_free(known, nknown);
	free(old);
	ref_drop(s->current);
	s->current = ref;
	if (s->shared && !ev_is_active(&s->claim)) {
		ev_timer_set(&s->claim, 0., 0.);
		ev_timer_start(s->loop, &s->claim);
		ev_timer_set(&s->renew, cfg->lease / 3, 0.);
		ev_timer_start(s->loop, &s->renew);
	}
	return 0;
}

const struct config *
scheduler_config(const struct scheduler *s)
{
	return s->current ? s->current->cfg : NULL;
}

struct scheduler_counts
scheduler_counts(const struct scheduler *s)
{
	return (struct scheduler_counts){ .feeds = s->nwatches,
	    .busy = s->busy, .polled = s->polled, .failed = s->failed,
	    .deferred = s->deferred };
}

void
scheduler_each_deferred(const struct scheduler *s, scheduler_deferred_fn *fn,
    void *arg)
{
	const struct watch *w;

	TAILQ_FOREACH(w, &s->watches, entry)
		if (w->deferred_until != 0)
			fn(arg, w->cf->name, w->deferred_until);
}
