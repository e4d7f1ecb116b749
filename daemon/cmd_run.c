/*
 * cmd_run.c - newswatch run and once: the daemon, and one cycle of it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <systemd/sd-daemon.h>

#include "../store/redis_sink.h"
#include "../store/spool.h"

#include "clock.h"
#include "cmd.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "poll.h"
#include "scheduler.h"
#include "work.h"

#define STATUS_PERIOD 30.0
#define SUMMARY_PERIOD 600.0
/* A changed feeds.yaml is reloaded once it has stayed unchanged this long:
 * editors save in several steps (write a copy, rename it over, chmod). */
#define CONFIG_SETTLE 1.0
/* How often ev_stat stats the file when inotify cannot tell. */
#define CONFIG_STAT_INTERVAL 2.0
/* How often state_keep and spool_keep are applied (also at start and at
 * each reload). */
#define PRUNE_PERIOD 3600.0

struct daemon {
	const struct options *opt;
	struct ev_loop *loop;
	/* Settings the loop was built with: a reload cannot change them. */
	char *spool_path;       /* NULL with spool: off */
	char *state_path;
	char *sink_url;         /* NULL without a sink */
	long sink_maxlen;
	char *metrics_addr;     /* NULL without metrics */
	int metrics_per_feed;
	long max_connections;
	long workers;           /* as configured, 0 one per processor */
	int nworkers;           /* as started */
	long per_host_connections;
	double per_host_delay;
	double max_retry_after;
	int allow_private;
	struct state *state;
	struct spool *spool;
	struct redis_sink *sink;
	struct http *http;
	struct poller *poller;
	struct scheduler *sched;
	struct metrics *metrics; /* NULL without metrics (and in once) */
	ev_signal sigterm, sigint, sighup;
	ev_timer watchdog, status, prune;
	ev_timer progress;      /* once on a terminal: redraws the progress */
	double started;         /* ev_time() when the cycle began */
	ev_stat config_stat;    /* watch_config: feeds.yaml on disk */
	ev_timer config_settle; /* restarted by each change, reloads when quiet */
	struct stat config_sb;  /* the file as last loaded */
	char reload_error[1024]; /* why the last reload failed, "" if it did not */
	double last_summary;
	int once;
	int stopping;
};

static void
status_text(struct daemon *d, char *buf, size_t len)
{
	const struct poller_stats *st = poller_stats(d->poller);
	struct scheduler_counts c = scheduler_counts(d->sched);
	int n = 0;

	/* Kept in STATUS= until a reload succeeds, so systemctl status shows
	 * that the file on disk is not the config in force. */
	if (d->reload_error[0])
		n = snprintf(buf, len, "reload failed: %s; ", d->reload_error);
	if (n < 0 || (size_t)n >= len)
		return;
	n += snprintf(buf + n, len - n, "%zu feeds, %zu polling; %llu polls "
	    "ok, %llu not modified, %llu failed", c.feeds, c.busy,
	    (unsigned long long)st->polls_ok,
	    (unsigned long long)st->not_modified,
	    (unsigned long long)st->polls_failed);
	/* Only once can defer a poll (a held host); the daemon waits. */
	if (st->polls_deferred > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", %llu deferred",
		    (unsigned long long)st->polls_deferred);
	if ((size_t)n < len)
		n += snprintf(buf + n, len - n, "; %llu items",
		    (unsigned long long)st->items);
	if (st->duplicates > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ", %llu duplicates (%llu skipped)",
		    (unsigned long long)st->duplicates,
		    (unsigned long long)st->duplicates_skipped);
}

static void
on_status(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;
	char text[1280];

	(void)revents;
	status_text(d, text, sizeof(text));
	sd_notifyf(0, "STATUS=%s", text);
	if (ev_now(loop) - d->last_summary >= SUMMARY_PERIOD) {
		log_info("%s", text);
		d->last_summary = ev_now(loop);
	}
}

static void
on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	sd_notify(0, "WATCHDOG=1");
}

static void
on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;

	(void)revents;
	if (!d->stopping)
		log_info("caught signal %d, stopping", w->signum);
	d->stopping = 1;
	sd_notify(0, "STOPPING=1");
	ev_break(loop, EVBREAK_ALL);
}

/* Two settings that are strings, or NULL when off. */
static int
same_setting(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void
warn_fixed_settings(const struct daemon *d, const struct config *new)
{
	if (!same_setting(d->spool_path, new->spool) ||
	    strcmp(d->state_path, new->state) != 0)
		log_warnx("reload: spool and state paths take effect at restart");
	if (!same_setting(d->sink_url, new->sink) ||
	    d->sink_maxlen != new->sink_maxlen)
		log_warnx("reload: sink and sink_maxlen take effect at restart");
	if (!same_setting(d->metrics_addr, new->metrics) ||
	    d->metrics_per_feed != new->metrics_per_feed)
		log_warnx("reload: metrics and metrics_per_feed take effect at "
		    "restart");
	if (d->max_connections != new->max_connections ||
	    d->per_host_connections != new->per_host_connections ||
	    d->per_host_delay != new->per_host_delay ||
	    d->max_retry_after != new->max_retry_after ||
	    d->allow_private != new->allow_private_addresses ||
	    d->workers != new->workers)
		log_warnx("reload: max_connections, per_host_connections, "
		    "per_host_delay, max_retry_after, allow_private_addresses "
		    "and workers take effect at restart");
}

/* state_keep for feeds no longer configured, spool_keep for the spool.
 * Failures are logged: the daemon goes on, and tries again later. */
static void
prune(struct daemon *d)
{
	const struct config *cfg = scheduler_config(d->sched);
	const char **names = calloc(cfg->nfeeds + 1, sizeof(*names));
	char err[1024];
	int64_t pruned;
	size_t removed;

	for (size_t i = 0; names && i < cfg->nfeeds; i++)
		names[i] = cfg->feeds[i].name;
	if (names == NULL)
		log_warnx("state: out of memory");
	else if (state_begin(d->state, err, sizeof(err)) == -1 ||
	    state_feeds_listed(d->state, names, cfg->nfeeds, clock_now(),
	    (int64_t)cfg->state_keep, &pruned, err, sizeof(err)) == -1 ||
	    state_commit(d->state, err, sizeof(err)) == -1) {
		state_rollback(d->state);
		log_warnx("state: %s", err);
	} else if (pruned > 0)
		log_info("state: forgot %lld feeds removed from the config for "
		    "over state_keep", (long long)pruned);
	free(names);
	if (cfg->spool_keep <= 0 || d->spool_path == NULL)
		return;
	if (spool_prune(d->spool_path, clock_now_us() -
	    (int64_t)(cfg->spool_keep * 1e6), &removed, err, sizeof(err)) == -1)
		log_warnx("spool: %s", err);
	else if (removed > 0)
		log_info("spool: removed %zu items older than spool_keep", removed);
}

static void
on_prune(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	prune(w->data);
}

static void config_watch(struct daemon *d, int on);

/* SIGHUP or a settled change on disk: the new config, or the old one kept
 * with the reason logged and shown in STATUS=. */
static void
reload(struct daemon *d, const char *why)
{
	struct config *cfg;
	char text[1280];
	int level, watch;

	sd_notify(0, "RELOADING=1");
	if (stat(config_path(d->opt), &d->config_sb) == -1)
		memset(&d->config_sb, 0, sizeof(d->config_sb));
	if (config_load(config_path(d->opt), &cfg, d->reload_error,
	    sizeof(d->reload_error)) == -1) {
		log_errorx("reload (%s) failed, keeping the running config: %s",
		    why, d->reload_error);
		goto out;
	}
	warn_fixed_settings(d, cfg);
	if ((level = log_level_parse(cfg->log_level)) != -1 && !d->opt->verbose)
		log_set_level(level);
	watch = cfg->watch_config;
	if (scheduler_apply(d->sched, cfg) == -1) {
		snprintf(d->reload_error, sizeof(d->reload_error),
		    "out of memory");
		log_errorx("reload (%s) failed: out of memory", why);
		goto out;
	}
	d->reload_error[0] = '\0';
	config_watch(d, watch);
	prune(d);
	log_info("reloaded %s (%s): %zu feeds", config_path(d->opt), why,
	    scheduler_counts(d->sched).feeds);
out:
	status_text(d, text, sizeof(text));
	sd_notifyf(0, "READY=1\nSTATUS=%s", text);
}

static void
on_reload(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	reload(w->data, "SIGHUP");
}

/* Any change restarts the wait: a file still being written, or saved by
 * rename in several steps, is read once it has been quiet a while. */
static void
on_config_changed(struct ev_loop *loop, ev_stat *w, int revents)
{
	struct daemon *d = w->data;

	(void)revents;
	ev_timer_again(loop, &d->config_settle);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
on_config_settled(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;
	struct stat sb;

	(void)revents;
	ev_timer_stop(loop, w);
	/* Gone (between an unlink and a rename): the file's return is a
	 * change too.  Same file: only its atime moved, from our own read. */
	if (stat(config_path(d->opt), &sb) == -1 || same_file(&sb, &d->config_sb))
		return;
	reload(d, "file changed");
}

static void
config_watch(struct daemon *d, int on)
{
	if (on && !ev_is_active(&d->config_stat)) {
		ev_stat_init(&d->config_stat, on_config_changed,
		    config_path(d->opt), CONFIG_STAT_INTERVAL);
		d->config_stat.data = d;
		ev_stat_start(d->loop, &d->config_stat);
		log_debug("watching %s for changes", config_path(d->opt));
	} else if (!on && ev_is_active(&d->config_stat)) {
		ev_stat_stop(d->loop, &d->config_stat);
		ev_timer_stop(d->loop, &d->config_settle);
	}
}

static void
on_once_done(void *arg)
{
	struct daemon *d = arg;

	ev_break(d->loop, EVBREAK_ALL);
}

/* The http gate of a shared state: per-host slots in the database, so
 * that every instance together keeps per_host_connections and
 * per_host_delay.  When the database cannot say, the transfer goes: it
 * would fail for want of the state anyway, and limits hold in-process. */
static int
gate_acquire(void *arg, const char *host, long slots, int *slot)
{
	struct daemon *d = arg;
	int64_t now_ms = clock_now_us() / 1000;
	char err[512];

	if (state_host_acquire(d->state, host, (int)slots, now_ms, slot, err,
	    sizeof(err)) == -1) {
		log_warnx("state: %s", err);
		*slot = -1;
		return 1;
	}
	return *slot >= 0;
}

static void
gate_release(void *arg, const char *host, int slot, double free_in)
{
	struct daemon *d = arg;
	char err[512];

	if (state_host_release(d->state, host, slot, clock_now_us() / 1000 +
	    (int64_t)(free_in * 1000), err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
}

/* A host's Retry-After, kept in the state so a restart honours it.
 * Times cross between the engine's waits and the state's clock.h. */
static void
on_host_hold(void *arg, const char *host, double wait)
{
	struct daemon *d = arg;
	char err[512];

	if (state_host_hold(d->state, host, clock_now_us() / 1000 +
	    (int64_t)(wait * 1000), err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
}

/* The holds an earlier run recorded and that still hold. */
static void
holds_load(struct daemon *d)
{
	int64_t now_ms = clock_now_us() / 1000, *until = NULL;
	char **hosts = NULL, err[512];
	size_t n = 0;

	if (state_host_holds(d->state, now_ms, &hosts, &until, &n, err,
	    sizeof(err)) == -1) {
		log_warnx("state: %s", err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		log_info("host %s: asked to wait, %lld s more before the next "
		    "request", hosts[i], (long long)(until[i] - now_ms + 999) /
		    1000);
		if (http_hold(d->http, hosts[i],
		    (double)(until[i] - now_ms) / 1000) == -1)
			fatalx("out of memory");
	}
	state_names_free(hosts, n);
	free(until);
}

static void
daemon_open(struct daemon *d, struct config *cfg)
{
	char err[1024];

	if ((cfg->spool && (d->spool_path = strdup(cfg->spool)) == NULL) ||
	    (d->state_path = strdup(cfg->state)) == NULL ||
	    (cfg->sink && (d->sink_url = strdup(cfg->sink)) == NULL))
		fatalx("out of memory");
	d->sink_maxlen = cfg->sink_maxlen;
	if (cfg->metrics && (d->metrics_addr = strdup(cfg->metrics)) == NULL)
		fatalx("out of memory");
	d->metrics_per_feed = cfg->metrics_per_feed;
	d->max_connections = cfg->max_connections;
	d->per_host_connections = cfg->per_host_connections;
	d->per_host_delay = cfg->per_host_delay;
	d->max_retry_after = cfg->max_retry_after;
	d->allow_private = cfg->allow_private_addresses;
	if (state_open(cfg->state, &d->state, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (cfg->spool && spool_open(cfg->spool, &d->spool, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (cfg->sink && redis_sink_open(cfg->sink, cfg->sink_maxlen, &d->sink,
	    err, sizeof(err)) == -1)
		fatalx("sink: %s", err);
	struct http_limits lim = {
		.max_connections = cfg->max_connections,
		.per_host_connections = cfg->per_host_connections,
		.per_host_delay = cfg->per_host_delay,
		.max_retry_after = cfg->max_retry_after,
		/* One cycle waits out no more than one slow transfer. */
		.max_hold_wait = d->once ? cfg->timeout : -1,
	};

	if ((d->http = http_new(d->loop, &lim, err, sizeof(err))) == NULL)
		fatalx("http: %s", err);
	holds_load(d);
	http_set_hold_hook(d->http, on_host_hold, d);
	if (state_shared(d->state)) {
		struct http_gate gate = { gate_acquire, gate_release, d };

		http_set_gate(d->http, &gate);
	}
	d->workers = cfg->workers;
	d->nworkers = cfg->workers > 0 ? (int)cfg->workers :
	    work_default_threads();
	if ((d->poller = poller_new(d->loop, d->http, d->state, d->spool,
	    d->sink, cfg->allow_private_addresses, d->nworkers, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	/* The scheduler seeds the per-feed series: metrics come first. */
	if (!d->once && cfg->metrics) {
		if ((d->metrics = metrics_new(cfg->metrics_per_feed)) == NULL)
			fatalx("out of memory");
		if (metrics_serve(d->metrics, cfg->metrics, err,
		    sizeof(err)) == -1)
			fatalx("%s", err);
		poller_set_metrics(d->poller, d->metrics);
		log_info("metrics on http://%s/metrics", cfg->metrics);
	}
	if ((d->sched = scheduler_new(d->loop, d->poller, d->state, d->once,
	    on_once_done, d)) == NULL)
		fatalx("out of memory");
}

static void
daemon_close(struct daemon *d)
{
	/* Deliver what is finished before dropping what is not: items
	 * already written get marked seen, so fewer come back. */
	poller_flush(d->poller);
	scheduler_free(d->sched);
	metrics_stop(d->metrics);
	poller_free(d->poller);
	metrics_free(d->metrics);
	http_free(d->http);
	spool_close(d->spool);
	redis_sink_close(d->sink);
	state_close(d->state);
	free(d->spool_path);
	free(d->state_path);
	free(d->sink_url);
	free(d->metrics_addr);
}

static void
signals_start(struct daemon *d)
{
	ev_signal_init(&d->sigterm, on_stop, SIGTERM);
	ev_signal_init(&d->sigint, on_stop, SIGINT);
	ev_signal_init(&d->sighup, on_reload, SIGHUP);
	d->sigterm.data = d->sigint.data = d->sighup.data = d;
	ev_signal_start(d->loop, &d->sigterm);
	ev_signal_start(d->loop, &d->sigint);
	if (!d->once)
		ev_signal_start(d->loop, &d->sighup);
}

static void
timers_start(struct daemon *d)
{
	uint64_t usec;

	ev_timer_init(&d->status, on_status, STATUS_PERIOD, STATUS_PERIOD);
	d->status.data = d;
	ev_timer_init(&d->prune, on_prune, PRUNE_PERIOD, PRUNE_PERIOD);
	d->prune.data = d;
	ev_timer_start(d->loop, &d->prune);
	ev_init(&d->config_settle, on_config_settled);
	d->config_settle.repeat = CONFIG_SETTLE;
	d->config_settle.data = d;
	ev_timer_start(d->loop, &d->status);
	d->last_summary = ev_now(d->loop);
	/* Pinged from the loop itself, so a wedged loop stops the pings. */
	if (sd_watchdog_enabled(0, &usec) > 0) {
		ev_timer_init(&d->watchdog, on_watchdog, 0., usec / 2e6);
		ev_timer_again(d->loop, &d->watchdog);
		ev_unref(d->loop);
	}
}

/* How often once redraws its progress line on a terminal. */
#define PROGRESS_PERIOD 0.25

/* once's progress as log.h's status line: feeds polled of the total,
 * items, failures, time so far and an estimate of the rest, which assumes
 * the feeds left take as long as those done. */
static void
progress_draw(struct daemon *d)
{
	struct scheduler_counts c = scheduler_counts(d->sched);
	size_t total = c.feeds, done = c.polled;
	int64_t elapsed = (int64_t)(ev_time() - d->started);
	char line[256], a[32], b[32];
	struct winsize ws;
	size_t width = 80;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	snprintf(line, sizeof(line), "newswatch: %zu/%zu feeds, %llu items, "
	    "%zu failed, %s elapsed, %s left", done, total,
	    (unsigned long long)poller_stats(d->poller)->items,
	    c.failed,
	    elapsed > 0 ? clock_duration(elapsed, a, sizeof(a)) : "0s",
	    done == total ? "0s" : done == 0 ? "?" :
	    clock_duration((elapsed * (int64_t)(total - done) +
	    (int64_t)done - 1) / (int64_t)done, b, sizeof(b)));
	/* A line as wide as the terminal wraps, and \r then redraws only
	 * its second half. */
	if (width - 1 < sizeof(line))
		line[width - 1] = '\0';
	log_status(line);
}

static void
on_progress(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	progress_draw(w->data);
}

static void
print_deferred(void *arg, const char *name, int64_t until)
{
	time_t t = (time_t)until;
	struct tm tm;
	char when[32];

	(void)arg;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	fprintf(stderr, "newswatch: feed %s: deferred until %s (its host asked"
	    " to wait: Retry-After)\n", name, when);
}

static int
cmd_daemon(const struct options *opt, int once)
{
	struct daemon d = { .opt = opt, .once = once };
	struct config *cfg;
	char text[1280];
	int level, watch;
	size_t failed, deferred, nfeeds;

	/* Before reading it: a change made while we start is then seen. */
	if (stat(config_path(opt), &d.config_sb) == -1)
		memset(&d.config_sb, 0, sizeof(d.config_sb));
	cfg = load_config_or_exit(opt);
	level = log_level_parse(cfg->log_level);
	watch = cfg->watch_config && !once;

	if (!opt->verbose && level != -1)
		log_set_level(level);
	signal(SIGPIPE, SIG_IGN);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	if (d.loop == NULL)
		fatalx("cannot initialise the event loop");
	daemon_open(&d, cfg);
	if (scheduler_apply(d.sched, cfg) == -1)
		fatalx("out of memory");
	prune(&d);
	signals_start(&d);
	nfeeds = scheduler_counts(d.sched).feeds;
	log_info("newswatch %s: %s, %zu feeds, %d worker%s, spool %s, state "
	    "%s%s%s", NEWSWATCH_VERSION, once ? "one cycle" : "running", nfeeds,
	    d.nworkers, d.nworkers == 1 ? "" : "s",
	    d.spool_path ? d.spool_path : "off",
	    state_where(d.state), d.sink_url ? ", sink " : "",
	    d.sink_url ? d.sink_url : "");
	if (!once) {
		timers_start(&d);
		config_watch(&d, watch);
		if (watch && !same_file(&d.config_stat.attr, &d.config_sb))
			ev_timer_again(d.loop, &d.config_settle);
		status_text(&d, text, sizeof(text));
		sd_notifyf(0, "READY=1\nSTATUS=%s", text);
	}
	if (once && isatty(STDERR_FILENO)) {
		d.started = ev_time();
		ev_timer_init(&d.progress, on_progress, 0., PROGRESS_PERIOD);
		d.progress.data = &d;
		ev_timer_start(d.loop, &d.progress);
	}
	if (!(once && nfeeds == 0))
		ev_run(d.loop, 0);
	if (ev_is_active(&d.progress)) {
		ev_timer_stop(d.loop, &d.progress);
		progress_draw(&d);
		log_status(NULL);
	}

	status_text(&d, text, sizeof(text));
	failed = scheduler_counts(d.sched).failed;
	deferred = scheduler_counts(d.sched).deferred;
	if (once)
		scheduler_each_deferred(d.sched, print_deferred, NULL);
	config_watch(&d, 0);
	daemon_close(&d);
	ev_loop_destroy(d.loop);
	if (once) {
		fprintf(stderr, "newswatch: %s\n", text);
		if (d.stopping)
			return 1;
		if (deferred > 0)
			fprintf(stderr, "newswatch: %zu of %zu feeds deferred\n",
			    deferred, nfeeds);
		if (failed > 0)
			fprintf(stderr, "newswatch: %zu of %zu feeds failed\n",
			    failed, nfeeds);
		if (failed > 0 || deferred > 0)
			return 1;
	} else {
		log_info("stopped: %s", text);
	}
	return 0;
}

int
cmd_run(const struct options *opt)
{
	return cmd_daemon(opt, 0);
}

int
cmd_once(const struct options *opt)
{
	return cmd_daemon(opt, 1);
}

