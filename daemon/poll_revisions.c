/* poll_revisions.c - revisions of delivered entries along a poll's stages
 * (poll_int.h): found at the parse, recorded pending with the new
 * entries, done (and each delivered item's version kept, all in one
 * call) at the commit.
 * A revision travels as one more item of its job, so it is pending, then
 * durable, then done, exactly as a new entry is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "poll_int.h"
#include "revision.h"

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

int
poll_revisions_find(struct poll_job *job, int64_t now_us, char *err,
    size_t errlen)
{
	struct state_revision *revs, key;
	size_t nrevs, found = 0, fresh = 0, later = 0;
	int rc = 0;

	if (job->cf->revisions == REVISIONS_OFF || job->skip_all)
		return 0;
	if (state_revisions_get(job->p->state, job->sf.id, &revs, &nrevs, err,
	    errlen) == -1)
		return -1;
	/* No row yet: revs is NULL, which qsort may not be given. */
	if (nrevs > 0)
		qsort(revs, nrevs, sizeof(*revs), by_id);
	for (size_t k = 0; k < job->nlisted && rc == 0 && nrevs > 0; k++) {
		const struct feed_entry *e = &job->feed->entries[k];
		struct state_revision *r;
		int64_t fp;

		key.id = e->id;
		/* A version taken (version NULL) is a repeat of the id. */
		if ((r = bsearch(&key, revs, nrevs, sizeof(*revs),
		    by_id)) == NULL || r->version == NULL)
			continue;
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
	state_revisions_free(revs, nrevs);
	return rc;
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
	if (rc == -1 || !job->ok || job->incomplete)
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
