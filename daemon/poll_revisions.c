/* poll_revisions.c - revisions of delivered entries along a poll's stages
 * (poll_int.h): found at the parse (or, with revisions: pages, at a 304:
 * the entries whose page is due to be read again, within the poller's
 * budget), recorded pending with the new entries, done (and each
 * delivered item's version and next check kept, all in one call) at the
 * commit.
 * A revision travels as one more item of its job, so it is pending, then
 * durable, then done, exactly as a new entry is. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "item.h"
#include "poll_int.h"
#include "revision.h"

/* Where the entry kept for its checks holds its feed's title: a check
 * made behind a 304 has no document to take it from. */
#define FEED_TITLE_KEY "feed_title"

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct state_revision *)a)->id,
	    ((const struct state_revision *)b)->id);
}

/* Add entry k as a revision of r, timed at when when r has none pending. */
static int
add_revision(struct poll_job *job, size_t k, struct state_revision *r,
    int64_t fingerprint, int64_t when)
{
	struct revision_prev *rev = malloc(sizeof(*rev));
	struct diff_item *grown = realloc(job->new,
	    (job->nnew + 1) * sizeof(*job->new));

	if (grown != NULL)
		job->new = grown;
	if (rev == NULL || grown == NULL) {
		free(rev);
		return -1;
	}
	rev->discovered_us = r->discovered_us;
	rev->number = r->number;
	rev->number_us = r->number_us;
	rev->fingerprint = fingerprint;
	rev->version = r->version;
	r->version = NULL;
	job->new[job->nnew++] = (struct diff_item){
		.index = k,
		.discovered_us = r->pending_us ? r->pending_us : when,
		.known = r->pending_us != 0,
		.rev = rev,
	};
	return 0;
}

char *
poll_revisions_entry_text(const struct feed_entry *e, const char *feed_title)
{
	json_t *v = feed_entry_to_json(e);
	char *text = NULL, *packed = NULL;

	if (v != NULL && json_object_set_new(v, FEED_TITLE_KEY,
	    feed_json_str(feed_title)) == 0)
		text = item_json_text(v);
	json_decref(v);
	/* Compressed: it stays in the state for the whole window. */
	if (text != NULL)
		packed = revision_pack(text);
	free(text);
	return packed;
}

/* A 304's feed takes its title from an entry kept (out of memory, its
 * items say null). */
static void
take_feed_title(struct feed *feed, const char *entry)
{
	json_t *v = json_loads(entry, 0, NULL);
	const char *title = json_string_value(json_object_get(v,
	    FEED_TITLE_KEY));

	if (title != NULL)
		feed->title = strdup(title);
	json_decref(v);
}

/* Entry id as its version 1 kept it (packed) appended to job's feed: its
 * index there, or SIZE_MAX when it cannot be. */
static size_t
add_unlisted(struct poll_job *job, const char *id, const char *packed)
{
	char *json = packed ? revision_unpack(packed) : NULL, why[256];
	size_t k = SIZE_MAX;

	if (json == NULL)
		snprintf(why, sizeof(why), "%s", packed ? "the entry kept is "
		    "unreadable" : "no entry kept");
	else if (feed_add_entry_json(job->feed, json, why, sizeof(why)) == 0) {
		if (job->not_modified && job->feed->title == NULL)
			take_feed_title(job->feed, json);
		k = job->feed->nentries - 1;
	}
	if (k == SIZE_MAX)
		log_warnx("feed %s: entry %s cannot be read again: %s",
		    job->cf->name, id, why);
	free(json);
	return k;
}

/*
 * revisions: pages: the entries whose page is due to be read again, as
 * many as the global budget allows (the others wait for a later poll, in
 * the order they fell due), timed from now_us + *found on.  One the feed
 * no longer lists is added to it as its version 1 kept it.
 */
static int
add_due(struct poll_job *job, struct state_revision *revs, size_t nrevs,
    const size_t *listed_at, int64_t now_us, size_t *found, char *err,
    size_t errlen)
{
	struct revision_budget *b = &job->p->budget;
	struct state_pending *due;
	size_t ndue, spent = 0;
	int rc = 0;

	if (b->per_minute != (double)job->cf->revision_budget)
		revision_budget_init(b, job->cf->revision_budget, now_us);
	if (state_revisions_due(job->p->state, job->sf.id, now_us,
	    revision_budget_left(b, now_us), &due, &ndue, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < ndue && rc == 0; i++) {
		struct state_revision key = { .id = due[i].id }, *r;
		size_t k;

		/* Taken already: the feed shows it changed. */
		if ((r = bsearch(&key, revs, nrevs, sizeof(*revs),
		    by_id)) == NULL || r->version == NULL)
			continue;
		if ((k = listed_at[r - revs]) == SIZE_MAX &&
		    (k = add_unlisted(job, due[i].id, due[i].entry)) == SIZE_MAX)
			continue;
		if ((rc = add_revision(job, k, r, k < job->nlisted ?
		    revision_fingerprint(&job->feed->entries[k]) :
		    r->fingerprint, now_us + (int64_t)(*found)++)) == -1)
			snprintf(err, errlen, "out of memory");
		spent++;
	}
	revision_budget_spend(b, spent);
	if (spent > 0)
		log_info("feed %s: %zu entries due to be read again", job->cf->name,
		    spent);
	state_pending_free(due, ndue);
	return rc;
}

int
poll_revisions_find(struct poll_job *job, int64_t now_us, char *err,
    size_t errlen)
{
	struct state_revision *revs, key;
	size_t nrevs, found = 0, fresh = 0, later = 0, *listed_at;
	int rc = 0;

	if (job->cf->revisions == REVISIONS_OFF || job->skip_all)
		return 0;
	if (state_revisions_get(job->p->state, job->sf.id, &revs, &nrevs, err,
	    errlen) == -1)
		return -1;
	if ((listed_at = malloc((nrevs + 1) * sizeof(*listed_at))) == NULL) {
		state_revisions_free(revs, nrevs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nrevs; i++)
		listed_at[i] = SIZE_MAX;
	/* No row yet: revs is NULL, which qsort may not be given. */
	if (nrevs > 0)
		qsort(revs, nrevs, sizeof(*revs), by_id);
	for (size_t k = 0; k < job->nlisted && rc == 0 && nrevs > 0; k++) {
		const struct feed_entry *e = &job->feed->entries[k];
		struct state_revision *r;
		int64_t fp;

		key.id = e->id;
		if ((r = bsearch(&key, revs, nrevs, sizeof(*revs),
		    by_id)) == NULL)
			continue;
		/* A version taken (version NULL) is a repeat of the id. */
		if (r->version == NULL)
			continue;
		listed_at[r - revs] = k;
		fp = revision_fingerprint(e);
		if (r->pending_us == 0 && r->fingerprint == fp)
			continue;
		if (r->pending_us == 0 && fresh == REVISION_MAX_PER_POLL) {
			later++;
			continue;
		}
		if (r->pending_us == 0) {
			fresh++;
			log_info("feed %s: entry %s changed in the feed: "
			    "reading it again", job->cf->name, e->id);
		}
		if (add_revision(job, k, r, fp, now_us + (int64_t)found) == -1) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
		found++;
	}
	if (later > 0)
		log_info("feed %s: %zu more changed entries are read again at "
		    "the next poll", job->cf->name, later);
	if (rc == 0 && nrevs > 0 && job->cf->revisions == REVISIONS_PAGES)
		rc = add_due(job, revs, nrevs, listed_at, now_us, &found, err,
		    errlen);
	free(listed_at);
	state_revisions_free(revs, nrevs);
	return rc;
}

int
poll_revisions_unlisted(struct poll_job *job, int64_t now_us, char *err,
    size_t errlen)
{
	struct state_pending *due;
	size_t ndue;

	if (job->cf->revisions != REVISIONS_PAGES)
		return 0;
	/* Most 304s have nothing due: one look through the index, not a
	 * read of every version the feed keeps. */
	poll_txn_begin(job->p);
	if (state_revisions_due(job->p->state, job->sf.id, now_us, 1, &due,
	    &ndue, err, errlen) == -1)
		return -1;
	state_pending_free(due, ndue);
	if (ndue == 0)
		return 0;
	if ((job->feed = calloc(1, sizeof(*job->feed))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	job->feed->ttl = -1;
	job->nlisted = 0;
	if (poll_revisions_find(job, now_us, err, errlen) == -1)
		return -1;
	if (job->nnew == 0) {
		feed_free(job->feed);
		job->feed = NULL;
	}
	return 0;
}

int
poll_revisions_record(struct poll_job *job, char *err, size_t errlen)
{
	for (size_t i = 0; i < job->nnew; i++) {
		const struct diff_item *d = &job->new[i];

		if (d->rev == NULL || d->known)
			continue;
		if (state_revision_record(job->p->state, job->sf.id,
		    poll_new_id(job, i), d->rev->fingerprint, d->discovered_us,
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
poll_revisions_commit(struct poll_job *job, char *err, size_t errlen)
{
	struct state *st = job->p->state;
	int64_t now_us = clock_now_us();
	struct state_version_done *done;
	size_t n = 0;
	int rc;

	if (job->cf->revisions == REVISIONS_OFF)
		return 0;
	if ((done = calloc(job->nnew + 1, sizeof(*done))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; job->items && i < job->nnew; i++) {
		const struct diff_item *d = &job->new[i];
		const struct job_item *it = &job->items[i];
		struct state_version_done *v = &done[n];

		v->id = poll_new_id(job, i);
		/* A read (or one that failed) is a check done: the next is
		 * the first of the schedule still ahead. */
		if (job->cf->revisions == REVISIONS_PAGES)
			v->next_check_us = revision_next_check(
			    &job->cf->revision_checks, d->rev ?
			    d->rev->discovered_us : d->discovered_us, now_us);
		v->entry = it->entry;
		if (it->state == ITEM_UNCHANGED)
			v->fingerprint = d->rev->fingerprint;
		else if (!poll_item_durable(job->p, it) || it->version == NULL)
			continue;
		else {
			v->fingerprint = d->rev ? d->rev->fingerprint :
			    it->fingerprint;
			v->number = d->rev ? d->rev->number + 1 : 1;
			v->number_us = d->discovered_us;
			v->version = it->version;
		}
		n++;
	}
	rc = state_revisions_done(st, job->sf.id, done, n, err, errlen);
	free(done);
	/* A 304 that delivered nothing leaves the versions as they were,
	 * no more of them: they are forgotten at the next document, and
	 * the most frequent poll costs no statement. */
	if (rc == -1 || !job->ok || job->incomplete ||
	    (job->not_modified && job->nnew == 0))
		return rc;
	return state_revisions_expire(st, job->sf.id,
	    now_us - REVISION_WINDOW_US, err, errlen);
}

void
poll_revisions_free(struct poll_job *job)
{
	for (size_t i = 0; job->new && i < job->nnew; i++) {
		if (job->new[i].rev == NULL)
			continue;
		free(job->new[i].rev->version);
		free(job->new[i].rev);
	}
}
