/*
 * poll_int.h - what the poller's three files share, for them only.
 *
 * A job goes through the stages below in order, each a queue of the
 * poller's, and poll_advance alone moves it: poll.c holds the job, its
 * stages, the fetch and parse of its feed and the timers; poll_items.c
 * its pages and items; poll_commit.c the two batches that write to the
 * state (new entries recorded as pending, then the poll concluded).
 * The job's counters (held, waiting, tasks) and the poller's are the
 * loop's: workers only read a job and write their own items.
 */
#ifndef NW_POLL_INT_H
#define NW_POLL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <ev.h>

#include "../store/state.h"
#include "diff.h"
#include "log.h"
#include "metrics.h"
#include "poll.h"
#include "revision.h"
#include "work.h"

/*
 * The path of a poll.  A job is in exactly one stage, and only ever moves
 * forward; any stage before STAGE_FINAL may end in it (a failure).
 */
enum job_stage {
	STAGE_FETCH,     /* its feed in transfer; parsed as it arrives */
	STAGE_DISCOVER,  /* new entries, waiting for the next discover batch */
	STAGE_RECORD,    /* in that batch: recorded as pending in the state */
	STAGE_ITEMS,     /* its pages fetched, its items made by the workers */
	STAGE_FINAL,     /* done, waiting for the next commit batch */
	STAGE_SYNC,      /* in that batch: its items synced, then committed */
	STAGE_DONE,      /* reported to its caller, about to be freed */
	STAGE_COUNT
};

/* ITEM_PUT: in every output configured, durable once they sync.
 * ITEM_UNCHANGED: a revision whose page did not change in substance, or
 * could not be read: nothing to write, nothing left pending. */
enum item_state { ITEM_WAITING, ITEM_PUT, ITEM_FAILED, ITEM_UNCHANGED };

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
	char *duplicate_of;           /* its story's first item (story.h),
	                               * claimed on the loop, or NULL */
	int duplicate;                /* its story had a first before it;
	                               * counted in the feed's once seen */
	int skipped;                  /* a duplicate with duplicates: skip,
	                               * seen without an item */
	int unchanged;                /* a revision that changed nothing */
	/* With revisions on, kept until the commit: */
	int64_t fingerprint;          /* of its entry as the feed showed it */
	char *version;                /* revision_encode's, NULL none */
	char *entry;                  /* revisions: pages: the entry's JSON,
	                               * kept to check it once unlisted */
};

struct poll_job {
	struct poller *p;
	const struct config_feed *cf;
	poll_done_fn *done;
	void *arg;
	enum job_stage stage;
	TAILQ_ENTRY(poll_job) qentry; /* in p->stage[stage] */
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
};
TAILQ_HEAD(job_list, poll_job);

struct item_task;                 /* poll_items.c's */
TAILQ_HEAD(task_list, item_task);

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
	struct job_list stage[STAGE_COUNT];
	size_t nstage[STAGE_COUNT];   /* jobs in each */
	size_t njobs;                 /* in all of them */
	struct spool_sync_task sync;
	int sync_busy;                /* sync is in p->work */
	ev_timer flush_discover;      /* STAGE_DISCOVER's batch goes */
	ev_timer flush_final;         /* STAGE_FINAL's batch goes */
	ev_prepare reads;             /* commits the iteration's transaction */
	int reading;                  /* it is open */
	int64_t stories_pruned_us;    /* when the stories were last pruned */
	struct task_list claims;      /* item tasks whose stories wait to
	                               * be claimed (poll_items.c) */
	ev_timer flush_claims;        /* they are */
	int batch;                    /* a batch's transaction is open */
	struct revision_budget budget; /* scheduled page reads, all feeds */
};

/* poll.c */

/* Move job to stage to (later than its own) and start what to begins
 * with; to may move it on again before this returns (a failure). */
void poll_advance(struct poll_job *job, enum job_stage to);

/* Free the job, in whatever stage, cancelling what it has under way. */
void poll_job_free(struct poll_job *job);

/* Record why the poll failed and send it to STAGE_FINAL. */
void poll_fail(struct poll_job *job, enum metrics_failure kind,
    const char *fmt, ...) NW_PRINTF(3, 4);

/* Why the job failed, for its state and its caller. */
const char *poll_error(const struct poll_job *job);

/* Count the job's parsed feed in the backlog (on 1), or no longer. */
void poll_hold(struct poll_job *job, int on);

/* Brake or release the transfers by what is held. */
void poll_backlog_check(struct poller *p);

/* The id of the feed's entry k, and of new entry i. */
const char *poll_entry_id(const struct poll_job *job, size_t k);
const char *poll_new_id(const struct poll_job *job, size_t i);

/* *dst becomes a copy of src (NULL stays NULL); the old one is freed. */
void poll_set_str(char **dst, const char *src);

/* The password cf's requests to url carry, or NULL. */
const char *poll_password_for(const struct config_feed *cf, const char *url);

/* Open the iteration's transaction for state reads and the loop's own
 * writes, unless one is open. */
void poll_txn_begin(struct poller *p);

/* Commit the iteration's transaction, when one is open. */
void poll_txn_end(struct poller *p);

/* poll_items.c */

/* STAGE_ITEMS: fetch each new entry's page, or make its item at once. */
void poll_items_start(struct poll_job *job);

/* Cancel the job's page transfers and free what its items hold. */
void poll_items_free(struct poll_job *job);

/* Set up p's queue of stories to claim; poller_free stops its timer. */
void poll_claims_init(struct poller *p);
/* poll_revisions.c */

/* Append to job->new the seen entries its feed shows changed, and those
 * whose revision was left pending, as revisions (diff_item.rev); new
 * revisions are timed from now_us on, after the job's new entries.
 * Returns 0, or -1 with the reason in err. */
int poll_revisions_find(struct poll_job *job, int64_t now_us, char *err,
    size_t errlen);

/* A 304: with revisions: pages, the entries due to be read again (the
 * feed lists none) in job->feed, made for them, and job->new; job->feed
 * stays NULL when none is due.  Returns 0, or -1 with the reason in err. */
int poll_revisions_unlisted(struct poll_job *job, int64_t now_us, char *err,
    size_t errlen);

/* The entry kept for its checks (revisions: pages), with its feed's
 * title; NULL when out of memory. */
char *poll_revisions_entry_text(const struct feed_entry *e,
    const char *feed_title);

/* STAGE_RECORD: record the job's new revisions as pending. */
int poll_revisions_record(struct poll_job *job, char *err, size_t errlen);

/* STAGE_SYNC: record what the job's items delivered (their versions,
 * revisions done) and forget versions past the window. */
int poll_revisions_commit(struct poll_job *job, char *err, size_t errlen);

/* Free what job->new's revisions hold. */
void poll_revisions_free(struct poll_job *job);

/* poll_commit.c */

/* Record the batch of STAGE_DISCOVER as pending, then on to their pages. */
void poll_flush_discover(struct poller *p);

/* Sync the batch of STAGE_FINAL's items, then commit and report them. */
void poll_flush_final(struct poller *p);

/* The entry as item.h's "entry" holds it, or NULL when out of memory. */
char *poll_entry_text(const struct feed_entry *e);

/* Whether item it is durable in every output configured. */
int poll_item_durable(const struct poller *p, const struct job_item *it);

#endif
