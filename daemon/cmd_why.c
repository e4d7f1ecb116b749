/*
 * cmd_why.c - newswatch why: what the state and the spool say of an
 * entry (by id, by link, or by spool name) or of a feed (by name or URL).
 * Every answer comes from what is on disk: the daemon need not run.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/redis_sink.h"
#include "../store/spool.h"

#include "clock.h"
#include "cmd.h"
#include "revision.h"

/* What decided a feed's next poll (policy.h), in words. */
static const struct {
	const char *why, *words;
} poll_reasons[] = {
	{ "pinned", "the feed's own interval" },
	{ "default", "the configured interval (no hint from the publisher, "
	    "and not watched long enough to know its rate)" },
	{ "ttl", "the feed's own hint (RSS ttl or sy:updatePeriod)" },
	{ "cache-control", "the server's Cache-Control max-age" },
	{ "expires", "the server's Expires" },
	{ "observed", "half the mean gap between its new entries over 7 days" },
	{ "backoff", "backing off after consecutive failures" },
	{ "retry-after", "the server's Retry-After" },
	{ "disabled", "it answered 410 Gone: not polled until its url "
	    "changes in the config" },
};

static void
poll_reason(const char *why, char *buf, size_t len)
{
	size_t n = why ? strcspn(why, " ") : 0;
	const char *bound = why && strstr(why, "(min)") ? ", held to "
	    "min_interval" : why && strstr(why, "(max)") ? ", held to "
	    "max_interval" : "";

	snprintf(buf, len, "not polled yet");
	for (size_t i = 0; why && i < sizeof(poll_reasons) /
	    sizeof(poll_reasons[0]); i++)
		if (strlen(poll_reasons[i].why) == n &&
		    strncmp(why, poll_reasons[i].why, n) == 0)
			snprintf(buf, len, "%s%s", poll_reasons[i].words, bound);
}

/* The discovery time a spool name starts with; -1 when it is not one. */
static int
spool_name_time(const char *name, int64_t *us)
{
	struct tm tm = { 0 };
	long frac;
	int used = 0;

	if (!spool_name_valid(name) || sscanf(name,
	    "%4d%2d%2dT%2d%2d%2d.%6ldZ_%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac,
	    &used) != 7 || used != 24)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*us = (int64_t)timegm(&tm) * 1000000 + frac;
	return 0;
}

/* Where the spool holds item name: "new", "cur" (where a reader may
 * have added ":2,FLAGS"), or NULL; with path (may be NULL) set to its
 * file's path. */
static const char *
spool_where(const char *spool, const char *name, char *path, size_t pathlen)
{
	char dir[PATH_MAX], file[PATH_MAX + 256];
	size_t n = strlen(name);
	const char *where = NULL;
	struct dirent *de;
	DIR *d;

	snprintf(file, sizeof(file), "%s/new/%s", spool, name);
	if (access(file, F_OK) == 0) {
		where = "new";
		goto found;
	}
	snprintf(dir, sizeof(dir), "%s/cur", spool);
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while (where == NULL && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, name, n) == 0 &&
		    (de->d_name[n] == '\0' || de->d_name[n] == ':')) {
			snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
			where = "cur";
		}
	closedir(d);
found:
	if (where && path && (size_t)snprintf(path, pathlen, "%s", file) >=
	    pathlen)
		return NULL;
	return where;
}

/* The spool's items (new/ and cur/) whose entry links, or whose article
 * is, at url: each as {"feed", "id"} appended to hits.  Reads every item:
 * the one way to a seen entry whose id is not its link. */
static void
spool_search_link(const char *spool, const char *url, json_t *hits)
{
	static const char *const subdirs[] = { "new", "cur" };
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", spool, subdirs[i]);
		if ((d = opendir(path)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			const char *feed = NULL, *id = NULL, *link = NULL,
			    *page = NULL;
			json_t *item;

			if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", spool,
			    subdirs[i], de->d_name);
			if ((item = json_load_file(path, JSON_DISABLE_EOF_CHECK,
			    NULL)) == NULL)
				continue;
			if (json_unpack(item, "{s:{s:s}, s:{s:s, s?s}, s?{s?s}}",
			    "feed", "name", &feed, "entry", "id", &id, "link",
			    &link, "article", "url", &page) == 0 &&
			    ((link && strcmp(link, url) == 0) ||
			    (page && strcmp(page, url) == 0)))
				json_array_append_new(hits, json_pack("{s:s, s:s}",
				    "feed", feed, "id", id));
			json_decref(item);
		}
		closedir(d);
	}
}

/* Append to *out (*n of them) the state's entry id of feed. */
static int
found_in_feed(struct state *st, const char *feed, const char *id,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	struct state_found *all;
	size_t nall;

	if (feed == NULL || id == NULL)
		return 0;
	if (state_entries_find(st, id, 0, &all, &nall, err, errlen) == -1)
		return -1;
	for (size_t j = 0; j < nall; j++) {
		struct state_found *grown;

		if (strcmp(all[j].feed, feed) != 0 || (grown =
		    reallocarray(*out, *n + 1, sizeof(**out))) == NULL)
			continue;
		*out = grown;
		(*out)[(*n)++] = all[j];
		memset(&all[j], 0, sizeof(all[j]));
	}
	state_found_free(all, nall);
	return 0;
}

/* The entry of the revision item called name, by the feed and id its
 * item names: a revision is named by the time it was found, which no
 * entry's discovery time is. */
static int
found_revision(const char *spool, struct state *st, const char *name,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	const char *feed = NULL, *id = NULL;
	char path[PATH_MAX];
	json_t *item;
	int rc = 0;

	if (spool_where(spool, name, path, sizeof(path)) == NULL ||
	    (item = json_load_file(path, JSON_DISABLE_EOF_CHECK, NULL)) == NULL)
		return 0;
	if (json_unpack(item, "{s:{s:s}, s:{s:s}}", "feed", "name", &feed,
	    "entry", "id", &id) == 0)
		rc = found_in_feed(st, feed, id, out, n, err, errlen);
	json_decref(item);
	return rc;
}

/* The entries arg names: by id or pending link, by spool name, else by
 * the link of an item in the spool.  *out as state_entries_find's. */
static int
why_find(const struct config *cfg, struct state *st, const char *arg,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	json_t *hits, *hit;
	int64_t us;
	size_t i, k = 0;
	char name[128];

	if (spool_name_time(arg, &us) == 0) {
		if (cfg->spool && revision_name_number(arg) > 1) {
			*out = NULL;
			*n = 0;
			return found_revision(cfg->spool, st, arg, out, n, err,
			    errlen);
		}
		if (state_entries_find(st, NULL, us, out, n, err, errlen) == -1)
			return -1;
		/* Same microsecond, other entries: the name tells them apart. */
		for (i = 0; i < *n; i++) {
			spool_item_name(name, sizeof(name), us, (*out)[i].feed,
			    (*out)[i].id);
			if (strcmp(name, arg) == 0) {
				(*out)[k++] = (*out)[i];
				continue;
			}
			free((*out)[i].feed);
			free((*out)[i].id);
			free((*out)[i].link);
		}
		*n = k;
		return 0;
	}
	if (state_entries_find(st, arg, 0, out, n, err, errlen) == -1)
		return -1;
	if (*n > 0 || cfg->spool == NULL || (hits = json_array()) == NULL)
		return 0;
	spool_search_link(cfg->spool, arg, hits);
	json_array_foreach(hits, i, hit) {
		if (found_in_feed(st, json_string_value(json_object_get(hit,
		    "feed")), json_string_value(json_object_get(hit, "id")),
		    out, n, err, errlen) == -1) {
			json_decref(hits);
			return -1;
		}
	}
	json_decref(hits);
	return 0;
}

/* What why says of one entry, for both forms. */
struct why_entry {
	const struct state_found *f;
	const struct config_feed *cf;   /* NULL: the feed is not configured */
	char name[128];                 /* its spool name */
	const char *where;              /* "new", "cur" or NULL */
	int redis;                      /* 1 has it, 0 not, -1 no sink or
	                                 * no answer */
	char redis_error[512];
	int64_t forget_at;              /* seen and gone: forgotten then */
};

static void
why_entry_fill(const struct config *cfg, struct redis_sink *sink,
    const struct state_found *f, struct why_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	for (size_t i = 0; i < cfg->nfeeds && e->cf == NULL; i++)
		if (strcmp(cfg->feeds[i].name, f->feed) == 0)
			e->cf = &cfg->feeds[i];
	spool_item_name(e->name, sizeof(e->name), f->discovered_us, f->feed,
	    f->id);
	e->where = cfg->spool ? spool_where(cfg->spool, e->name, NULL, 0) :
	    NULL;
	e->redis = -1;
	if (sink && redis_sink_has(sink, e->name, &e->redis, e->redis_error,
	    sizeof(e->redis_error)) == -1)
		e->redis = -1;
	if (f->status == STATE_ENTRY_SEEN && f->gone_since > 0)
		e->forget_at = f->gone_since + (int64_t)(e->cf ?
		    e->cf->state_keep : cfg->state_keep);
}

static void
why_entry_text(const struct config *cfg, const struct why_entry *e)
{
	const struct state_found *f = e->f;
	struct redis_sink_url sink;
	char t1[32], t2[32];

	printf("entry %s\n  feed: %s%s\n  discovered: %s\n", f->id, f->feed,
	    e->cf ? "" : " (no longer configured)",
	    when(f->discovered_us / 1000000, t1, sizeof(t1)));
	if (f->status == STATE_ENTRY_PENDING)
		printf("  state: pending since %s: found, not yet delivered; "
		    "the feed's next successful poll delivers it\n",
		    when(f->discovered_us / 1000000, t1, sizeof(t1)));
	else
		printf("  state: seen since %s: delivered\n",
		    when(f->seen_at, t1, sizeof(t1)));
	if (f->gone_since > 0 && e->forget_at > 0)
		printf("  listed: gone from the feed's document since %s; "
		    "forgotten at %s (state_keep), new again should it come "
		    "back after that\n", when(f->gone_since, t1, sizeof(t1)),
		    when(e->forget_at, t2, sizeof(t2)));
	else if (f->gone_since > 0)
		printf("  listed: gone from the feed's document since %s; kept "
		    "until delivered\n", when(f->gone_since, t1, sizeof(t1)));
	else
		printf("  listed: in the feed's document as last read\n");
	if (cfg->spool == NULL)
		printf("  spool: off (name %s)\n", e->name);
	else if (e->where)
		printf("  spool: %s in %s/%s\n", e->name, e->where,
		    strcmp(e->where, "new") == 0 ? " (not yet taken)" : "");
	else if (f->status == STATE_ENTRY_PENDING)
		printf("  spool: %s not written yet\n", e->name);
	else
		printf("  spool: %s no longer in new/ or cur/: taken by a "
		    "consumer%s\n", e->name, cfg->spool_keep > 0 ?
		    ", or removed by spool_keep" : "");
	if (cfg->sink && e->redis >= 0 && redis_sink_url_parse(cfg->sink, &sink,
	    t1, sizeof(t1)) == 0)
		printf("  redis: %s (key %s:item:%s)\n", e->redis ?
		    "the stream has it" : "not in the stream, or added over 7 "
		    "days ago", sink.stream, e->name);
	else if (cfg->sink)
		printf("  redis: cannot ask: %s\n", e->redis_error);
	printf("  new if it appeared now: %s\n", f->status ==
	    STATE_ENTRY_PENDING ? "no, it is pending: delivered at the next "
	    "poll as found then" : e->forget_at > 0 ? "no, not until it is "
	    "forgotten" : "no, it was seen");
}

static json_t *
why_entry_object(const struct config *cfg, const struct why_entry *e)
{
	const struct state_found *f = e->f;

	return json_pack("{s:s, s:s, s:b, s:s, s:o, s:o, s:o, s:o, s:s, s:o, "
	    "s:o, s:b}", "feed", f->feed, "id", f->id, "configured",
	    e->cf != NULL, "state", f->status == STATE_ENTRY_PENDING ?
	    "pending" : "seen",
	    "discovered", time_or_null(f->discovered_us / 1000000),
	    "seen_at", time_or_null(f->seen_at),
	    "gone_since", time_or_null(f->gone_since),
	    "forget_at", time_or_null(e->forget_at),
	    "spool_name", e->name,
	    "spool", cfg->spool == NULL ? json_null() : e->where ?
	    json_string(e->where) : json_string(f->status ==
	    STATE_ENTRY_PENDING ? "not written" : "taken"),
	    "redis", e->redis < 0 ? json_null() : json_boolean(e->redis),
	    "new_if_seen_now", 0);
}

/* The feeds named (or at the URL) arg, from the config and the state,
 * printed or added to objs.  Returns how many. */
static size_t
why_feed(const struct config *cfg, const struct state_feed *feeds,
    size_t n, const char *arg, json_t *objs)
{
	size_t matched = 0;

	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		const struct state_feed *f = NULL;
		char t1[32], t2[32], span[48], words[160];

		for (size_t j = 0; j < n && f == NULL; j++)
			if (strcmp(feeds[j].name, cf->name) == 0)
				f = &feeds[j];
		if (strcmp(cf->name, arg) != 0 && strcmp(cf->url, arg) != 0 &&
		    (f == NULL || f->url == NULL || strcmp(f->url, arg) != 0))
			continue;
		matched++;
		poll_reason(f ? f->interval_why : NULL, words, sizeof(words));
		if (objs) {
			json_t *o = status_object(cf->name, cf->url, f, 0);

			json_object_set_new(o, "next_poll_because",
			    json_string(words));
			json_array_append_new(objs, o);
			continue;
		}
		printf("feed %s (%s)%s\n", cf->name, cf->url, cf->enabled ? "" :
		    " (enabled: false)");
		if (f == NULL || f->last_poll == 0) {
			printf("  last poll: never\n");
			continue;
		}
		printf("  last poll: %s, %s%s\n", when(f->last_poll, t1,
		    sizeof(t1)), f->last_error ? "failed: " : "ok",
		    f->last_error ? f->last_error : "");
		printf("  last success: %s; %d consecutive failures\n",
		    when(f->last_success, t1, sizeof(t1)), f->failures);
		if (f->disabled)
			printf("  next poll: none: %s\n", words);
		else
			printf("  next poll: %s, %s after the last: %s\n",
			    when(f->next_poll, t2, sizeof(t2)),
			    clock_duration(f->interval, span, sizeof(span)), words);
	}
	return matched;
}

int
cmd_why(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	const char *arg = opt->inputs[0];
	struct state_feed *feeds = NULL;
	struct state_found *found = NULL;
	struct redis_sink *sink = NULL;
	struct state *st = NULL;
	size_t nfeeds = 0, nfound = 0, nknown;
	json_t *out = NULL, *fobjs = NULL, *eobjs = NULL;
	const char *orphan = NULL;
	char err[1024];
	struct stat sb;
	int64_t us;

	/* Asking creates no state. */
	if (!state_is_postgresql(cfg->state) && stat(cfg->state, &sb) == -1) {
		fprintf(stderr, "newswatch: %s: no state yet: nothing polled\n",
		    cfg->state);
		config_free(cfg);
		return 1;
	}
	if (state_open(cfg->state, &st, err, sizeof(err)) == -1 ||
	    state_feed_list(st, &feeds, &nfeeds, err, sizeof(err)) == -1 ||
	    why_find(cfg, st, arg, &found, &nfound, err, sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s\n", err);
		state_feed_list_free(feeds, nfeeds);
		state_close(st);
		config_free(cfg);
		return 1;
	}
	if (cfg->sink && nfound > 0 && redis_sink_open(cfg->sink,
	    cfg->sink_maxlen, &sink, err, sizeof(err)) == -1)
		fprintf(stderr, "newswatch: sink: %s\n", err);
	/* A spool item the state forgot (state_keep): still an answer. */
	if (nfound == 0 && cfg->spool && spool_name_time(arg, &us) == 0)
		orphan = spool_where(cfg->spool, arg, NULL, 0);
	if (opt->json) {
		out = json_object();
		fobjs = json_array();
		eobjs = json_array();
	}
	nknown = why_feed(cfg, feeds, nfeeds, arg, fobjs);
	for (size_t i = 0; i < nfound; i++) {
		struct why_entry e;

		why_entry_fill(cfg, sink, &found[i], &e);
		if (eobjs)
			json_array_append_new(eobjs, why_entry_object(cfg, &e));
		else
			why_entry_text(cfg, &e);
	}
	nknown += nfound + (orphan != NULL);
	if (orphan && !out)
		printf("item %s\n  spool: in %s/; the state no longer knows its "
		    "entry (forgotten after state_keep, or a new state)\n",
		    arg, orphan);
	if (out == NULL && nknown == 0)
		printf("%s: unknown: no entry of the state has this id or "
		    "link%s, and no feed this name or URL\n  new if it appeared "
		    "now: yes, in any feed polled before (a feed's first poll "
		    "follows first_poll)\n", arg, cfg->spool ? ", no item in "
		    "the spool links to it" : "");
	if (out) {
		json_object_set_new(out, "query", json_string(arg));
		json_object_set_new(out, "known", json_boolean(nknown > 0));
		json_object_set_new(out, "feeds", fobjs);
		json_object_set_new(out, "entries", eobjs);
		json_object_set_new(out, "spool_only", orphan ?
		    json_string(orphan) : json_null());
		json_object_set_new(out, "new_if_seen_now",
		    json_boolean(nknown == 0));
		print_json(out, 0);
	}
	redis_sink_close(sink);
	state_found_free(found, nfound);
	state_feed_list_free(feeds, nfeeds);
	state_close(st);
	config_free(cfg);
	return nknown > 0 ? 0 : 1;
}
