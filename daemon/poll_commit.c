/* poll_commit.c - the two batches of a poll that write to the state
 * (poll_int.h): STAGE_RECORD, where new entries are recorded as pending,
 * and STAGE_SYNC, where the items are synced and the poll concluded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../feeds/feed.h"
#include "../feeds/strbuf.h"
#include "../store/redis_sink.h"
#include "../store/spool.h"
#include "clock.h"
#include "item.h"
#include "policy.h"
#include "poll_int.h"

typedef int batch_fn(struct poll_job *job, char *err, size_t errlen);

/* Run fn on each job in stage s, in one transaction: all or nothing. */
static int
batch_txn(struct poller *p, enum job_stage s, batch_fn *fn, char *err,
    size_t errlen)
{
	struct poll_job *job;
	int rc;

	/* One transaction at a time: the loop's is committed first. */
	NW_ASSERT(!p->reading && !p->batch);
	rc = state_begin(p->state, err, errlen);
	p->batch = rc == 0;
	TAILQ_FOREACH(job, &p->stage[s], qentry)
		if (rc == 0)
			rc = fn(job, err, errlen);
	if (rc == 0)
		rc = state_commit(p->state, err, errlen);
	else
		state_rollback(p->state);
	p->batch = 0;
	return rc;
}

char *
poll_entry_text(const struct feed_entry *e)
{
	struct strbuf b = { 0 };

	feed_entry_json_text(&b, e, -1);
	return strbuf_finish(&b);
}

/* Record the job's new entries as pending, in one call as each call is
 * a round trip to a shared state, each with its entry: should it leave
 * the feed before it is delivered, the state still delivers it.  An entry
 * another instance sharing the state recorded first is its to deliver:
 * dropped here. */
static int
job_discover(struct poll_job *job, char *err, size_t errlen)
{
	/* Zeroed: gcc -O1 cannot tell that only the first n are read. */
	const char **ids = calloc(job->nnew + 1, sizeof(*ids));
	int64_t *times = calloc(job->nnew + 1, sizeof(*times));
	const char **entries = calloc(job->nnew + 1, sizeof(*entries));
	int *added = malloc((job->nnew + 1) * sizeof(*added));
	size_t n = 0, kept = 0, asked = 0;
	int rc = -1;

	NW_ASSERT(job->stage == STAGE_RECORD && job->feed != NULL);
	if (ids == NULL || times == NULL || entries == NULL || added == NULL)
		goto nomem;
	/* A revision's entry is seen already: poll_revisions_record's. */
	for (size_t i = 0; i < job->nnew; i++)
		if (!job->new[i].known && job->new[i].rev == NULL) {
			ids[n] = poll_new_id(job, i);
			times[n] = job->new[i].discovered_us;
			/* Kept for the item, which would make it again. */
			if ((entries[n++] = job->new[i].entry_json =
			    poll_entry_text(&job->feed->entries[
			    job->new[i].index])) == NULL)
				goto nomem;
		}
	if (state_entries_discover(job->p->state, job->sf.id, ids, times,
	    entries, n, added, err, errlen) == -1)
		goto done;
	for (size_t i = 0; i < job->nnew; i++) {
		if (!job->new[i].known && job->new[i].rev == NULL &&
		    !added[asked++]) {
			log_info("feed %s: entry %s: recorded by another "
			    "instance first, left to it", job->cf->name,
			    poll_new_id(job, i));
			free(job->new[i].entry_json);
			continue;
		}
		job->new[kept++] = job->new[i];
	}
	job->nnew = kept;
	rc = poll_revisions_record(job, err, errlen);
	goto done;

nomem:
	snprintf(err, errlen, "out of memory");
done:
	free(ids);
	free(times);
	free(entries);
	free(added);
	return rc;
}

void
poll_flush_discover(struct poller *p)
{
	struct poll_job *job;
	char err[512];
	int rc;

	while ((job = TAILQ_FIRST(&p->stage[STAGE_DISCOVER])) != NULL)
		poll_advance(job, STAGE_RECORD);
	rc = batch_txn(p, STAGE_RECORD, job_discover, err, sizeof(err));
	NW_ASSERT(p->nstage[STAGE_DISCOVER] == 0);
	while ((job = TAILQ_FIRST(&p->stage[STAGE_RECORD])) != NULL) {
		if (rc == -1)
			poll_fail(job, METRICS_FAIL_STATE, "state: %s", err);
		else
			poll_advance(job, STAGE_ITEMS);
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
		poll_set_str(&sf->interval_why, "disabled");
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
	poll_set_str(&sf->interval_why, why);
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
		ids[i] = poll_entry_id(job, i);
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
int
poll_item_durable(const struct poller *p, const struct job_item *it)
{
	return it->state == ITEM_PUT &&
	    (p->spool == NULL || it->spool_gen == spool_failures(p->spool)) &&
	    (p->sink == NULL || it->sink_gen == redis_sink_failures(p->sink));
}

/* Mark seen, in one call, the entries now durable in every output (every
 * entry on a skipped first poll), and count the duplicates among them;
 * *written counts the job's items now durable that have a file or a
 * message (a skipped duplicate has none), *failed those not durable. */
static int
job_mark_seen(struct poll_job *job, size_t *written, size_t *failed,
    char *err, size_t errlen)
{
	size_t cap = job->nnew + (job->skip_all ? job->feed->nentries : 0);
	const char **ids = malloc((cap + 1) * sizeof(*ids));
	int64_t *times = malloc((cap + 1) * sizeof(*times));
	int64_t now_us = clock_now_us();
	size_t n = 0, duplicates = 0;
	int rc = -1;

	*written = *failed = 0;
	if (ids == NULL || times == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; job->items && i < job->nnew; i++) {
		/* Nothing to deliver, nothing failed. */
		if (job->items[i].state == ITEM_UNCHANGED)
			continue;
		if (!poll_item_durable(job->p, &job->items[i])) {
			(*failed)++;
			continue;
		}
		ids[n] = poll_new_id(job, i);
		times[n++] = job->new[i].discovered_us;
		*written += !job->items[i].skipped;
		duplicates += job->items[i].duplicate;
	}
	for (size_t i = 0; job->skip_all && i < job->feed->nentries; i++) {
		ids[n] = job->feed->entries[i].id;
		times[n++] = now_us;
	}
	rc = state_entries_mark_seen(job->p->state, job->sf.id, ids, times, n,
	    err, errlen);
	if (rc == 0 && (rc = state_feed_count_duplicates(job->p->state,
	    job->sf.id, (int64_t)duplicates, err, errlen)) == 0)
		job->sf.duplicates += (int64_t)duplicates;
done:
	free(ids);
	free(times);
	return rc;
}

static int
job_commit(struct poll_job *job, char *err, size_t errlen)
{
	struct state *st = job->p->state;
	size_t written, failed;
	int rc;

	/* Every item settled: nothing of it is still made or fetched. */
	NW_ASSERT(job->stage == STAGE_SYNC && job->waiting == 0);

	/* Never asked: its state stays as the last poll left it. */
	if (job->unpolled)
		return 0;
	if (job_mark_seen(job, &written, &failed, err, errlen) == -1 ||
	    poll_revisions_commit(job, err, errlen) == -1)
		return -1;
	if (job->ok && failed > 0) {
		char why[128];

		/* Which output failed, and why, was logged as it did. */
		snprintf(why, sizeof(why), "%zu of %zu items could not be "
		    "written", failed, job->nnew);
		log_warnx("feed %s: %s; they stay pending", job->cf->name, why);
		poll_set_str(&job->error, why);
		job->fail = METRICS_FAIL_OUTPUT;
		job->ok = 0;
	}
	if (failed > 0) {
		/* The validators of this answer would get a 304 next time and
		 * hide the entries not delivered: fetch in full again. */
		poll_set_str(&job->sf.etag, NULL);
		poll_set_str(&job->sf.last_modified, NULL);
	}
	job->p->stats.items += written;
	/* A 304's feed, if any, holds only entries due to be read again. */
	if (job->ok && !job->incomplete && !job->not_modified &&
	    (job->feed || job->ids) &&
	    forget_gone(job, err, errlen) == -1)
		return -1;
	if (job->ok) {
		job->sf.polls++;
		job->sf.failures = 0;
		job->sf.last_success = job->sf.last_poll;
		/* Entries discovered from now on were new when seen. */
		if (job->sf.first_success_us == 0)
			job->sf.first_success_us = clock_now_us();
		poll_set_str(&job->sf.last_error, NULL);
	} else {
		job->sf.failures++;
		poll_set_str(&job->sf.last_error, poll_error(job));
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

/* Report the job's poll to its caller, and free it; err (NULL: none) is
 * why its batch's transaction failed. */
static void
job_report(struct poll_job *job, const char *err)
{
	struct poller *p = job->p;
	struct poll_result res = { 0 };
	size_t items = 0;

	NW_ASSERT(job->stage == STAGE_SYNC && job->tasks == 0);
	poll_advance(job, STAGE_DONE);
	for (size_t i = 0; job->items && i < job->nnew; i++)
		items += poll_item_durable(p, &job->items[i]) &&
		    !job->items[i].skipped;
	res.ok = job->ok && err == NULL;
	res.status = job->sf.last_status;
	res.error = err ? err : job->ok ? NULL : poll_error(job);
	res.items = err ? 0 : items;
	res.next_poll = job->sf.next_poll;
	res.disabled = job->sf.disabled;
	/* A state that failed outweighs a host's wait. */
	res.deferred_until = err ? 0 : job->deferred_until;
	if (res.ok)
		p->stats.polls_ok++;
	else if (job->unpolled)
		p->stats.polls_deferred++;
	else
		p->stats.polls_failed++;
	job_metrics(job, &res, err != NULL);
	if (job->done)
		job->done(job->arg, &res);
	poll_job_free(job);
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
	poll_txn_end(p);
	rc = batch_txn(p, STAGE_SYNC, job_commit, err, sizeof(err));
	if (rc == -1) {
		log_warnx("state: %s", err);
		metrics_error(p->metrics, METRICS_ERR_STATE);
	}
	while ((job = TAILQ_FIRST(&p->stage[STAGE_SYNC])) != NULL)
		job_report(job, rc == -1 ? err : NULL);
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

	NW_ASSERT(p->sync_busy);
	p->sync_busy = 0;
	if (cancelled)
		return;
	if (st->rc == -1) {
		log_warnx("spool: %s", st->err);
		metrics_error(p->metrics, METRICS_ERR_SPOOL);
	}
	final_commit(p);
	/* Polls that ended meanwhile make the next batch. */
	if (!TAILQ_EMPTY(&p->stage[STAGE_FINAL]) &&
	    !ev_is_active(&p->flush_final)) {
		ev_timer_set(&p->flush_final, 0., 0.);
		ev_timer_start(p->loop, &p->flush_final);
	}
}

/* One batch at a time: a batch's items are synced while the next one
 * gathers. */
void
poll_flush_final(struct poller *p)
{
	struct poll_job *job;

	if (p->sync_busy)
		return;
	while ((job = TAILQ_FIRST(&p->stage[STAGE_FINAL])) != NULL)
		poll_advance(job, STAGE_SYNC);
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
