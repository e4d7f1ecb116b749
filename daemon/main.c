/*
 * main.c - the newswatch command: the daemon (run), one cycle (once), and
 * the tools around it (check, status, parse, extract).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <systemd/sd-daemon.h>

#include "../feeds/article.h"
#include "../feeds/date.h"
#include "../feeds/feed.h"
#include "../feeds/opml.h"
#include "../feeds/url.h"
#include "../store/redis_sink.h"
#include "../store/spool.h"
#include "../store/state.h"
#include "clock.h"
#include "config.h"
#include "config_append.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "poll.h"
#include "scheduler.h"
#include "tail.h"
#include "work.h"

#define DEFAULT_CONFIG "/etc/newswatch/feeds.yaml"
#define STATUS_PERIOD 30.0
#define SUMMARY_PERIOD 600.0
/* parse and extract read at most this much from a file or URL. */
#define TOOL_MAX_BYTES (64LL * 1024 * 1024)
/* A changed feeds.yaml is reloaded once it has stayed unchanged this long:
 * editors save in several steps (write a copy, rename it over, chmod). */
#define CONFIG_SETTLE 1.0
/* How often ev_stat stats the file when inotify cannot tell. */
#define CONFIG_STAT_INTERVAL 2.0
#define TAIL_DEFAULT_LINES 10
/* How often state_keep and spool_keep are applied (also at start and at
 * each reload). */
#define PRUNE_PERIOD 3600.0

static const char usage_text[] =
"usage: newswatch [run] [-c FILE]       the daemon, in the foreground\n"
"       newswatch once [-c FILE]        poll every feed once, write the spool, exit\n"
"       newswatch check [-c FILE]       validate the config\n"
"       newswatch status [-c FILE] [--json]\n"
"                                       one row per feed from the state\n"
"       newswatch tail [-f] [--json] [-n N] [-c FILE]\n"
"                                       the newest N items of the spool (10)\n"
"       newswatch import-opml FILE|URL [-c FILE]\n"
"                                       add an OPML list's new feeds to the config\n"
"       newswatch export-opml [-c FILE] print the feeds as OPML 2.0\n"
"       newswatch why URL|ENTRY-ID|SPOOL-NAME|FEED [-c FILE] [--json]\n"
"                                       why an item was (not) delivered\n"
"       newswatch parse FILE|URL... [--url BASE] [--content-type TYPE]\n"
"                                       parse feeds, print JSON\n"
"       newswatch extract FILE|URL [--url BASE] [--html]\n"
"                                       parse an article page, print JSON\n"
"       newswatch --version | --help\n"
"\n"
"options:\n"
"  -c, --config FILE  feeds.yaml to use (default $NEWSWATCH_CONFIG, else\n"
"                     " DEFAULT_CONFIG ")\n"
"  -u, --url BASE     the URL a FILE was fetched from (parse, extract)\n"
"  -t, --content-type TYPE\n"
"                     the HTTP Content-Type a FILE came with (parse, extract)\n"
"  -j, --json         status, tail, why: JSON instead of text\n"
"  -f, --follow       tail: go on printing items as they land\n"
"  -n, --lines N      tail: how many of the newest items to print\n"
"      --html         also print the body as cleaned HTML (extract)\n"
"  -v, --verbose      log debug messages\n"
"  -h, --help         this help\n"
"  -V, --version      print the version\n"
"\n"
"See newswatch(8) and newswatch.yaml(5).\n";

struct command;

struct options {
	const struct command *command;
	const char *config;
	const char *url;
	const char *content_type;
	char **inputs;          /* parse's and extract's FILE|URL arguments */
	int ninputs;
	int verbose;
	int json;               /* status, tail, why: JSON instead of text */
	int follow;             /* tail -f */
	long lines;             /* tail -n */
	int html;               /* extract --html */
};

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
usage(FILE *f)
{
	fputs(usage_text, f);
}

static const char *
config_path(const struct options *opt)
{
	const char *env = getenv("NEWSWATCH_CONFIG");

	if (opt->config)
		return opt->config;
	return env && *env ? env : DEFAULT_CONFIG;
}

static struct config *
load_config_or_exit(const struct options *opt)
{
	struct config *cfg;
	char err[1024];

	if (config_load(config_path(opt), &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		exit(EX_CONFIG);
	}
	return cfg;
}

static void
status_text(struct daemon *d, char *buf, size_t len)
{
	const struct poller_stats *st = poller_stats(d->poller);
	int n = 0;

	/* Kept in STATUS= until a reload succeeds, so systemctl status shows
	 * that the file on disk is not the config in force. */
	if (d->reload_error[0])
		n = snprintf(buf, len, "reload failed: %s; ", d->reload_error);
	if (n < 0 || (size_t)n >= len)
		return;
	n += snprintf(buf + n, len - n, "%zu feeds, %zu polling; %llu polls "
	    "ok, %llu not modified, %llu failed", scheduler_feeds(d->sched),
	    scheduler_busy(d->sched), (unsigned long long)st->polls_ok,
	    (unsigned long long)st->not_modified,
	    (unsigned long long)st->polls_failed);
	/* Only once can defer a poll (a held host); the daemon waits. */
	if (st->polls_deferred > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", %llu deferred",
		    (unsigned long long)st->polls_deferred);
	if ((size_t)n < len)
		snprintf(buf + n, len - n, "; %llu items",
		    (unsigned long long)st->items);
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
	    scheduler_feeds(d->sched));
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
	size_t total = scheduler_feeds(d->sched);
	size_t done = scheduler_polled(d->sched);
	int64_t elapsed = (int64_t)(ev_time() - d->started);
	char line[256], a[32], b[32];
	struct winsize ws;
	size_t width = 80;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	snprintf(line, sizeof(line), "newswatch: %zu/%zu feeds, %llu items, "
	    "%zu failed, %s elapsed, %s left", done, total,
	    (unsigned long long)poller_stats(d->poller)->items,
	    scheduler_failed(d->sched),
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
	nfeeds = scheduler_feeds(d.sched);
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
	failed = scheduler_failed(d.sched);
	deferred = scheduler_deferred(d.sched);
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

/* Can this user create or write path (a directory when dir)?  Its nearest
 * existing ancestor decides for what is not there yet, as the daemon
 * creates missing directories.  0, or -1 with the reason in why. */
static int
writable(const char *path, int dir, char *why, size_t len)
{
	char p[PATH_MAX], *slash;
	struct stat sb;

	snprintf(p, sizeof(p), "%s", path);
	while (stat(p, &sb) == -1) {
		if (errno != ENOENT) {
			snprintf(why, len, "%s: %s", p, strerror(errno));
			return -1;
		}
		/* Missing: it would be created in the directory above. */
		dir = 1;
		if ((slash = strrchr(p, '/')) == NULL)
			snprintf(p, sizeof(p), ".");
		else if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (dir && !S_ISDIR(sb.st_mode)) {
		snprintf(why, len, "%s is not a directory", p);
		return -1;
	}
	if (access(p, dir ? W_OK | X_OK : W_OK) == -1) {
		snprintf(why, len, "%s: %s", p, strerror(errno));
		return -1;
	}
	return 0;
}

/* Does the sink's Redis answer?  0, or -1 with the reason in why. */
static int
sink_reachable(const struct config *cfg, char *why, size_t len)
{
	struct redis_sink *sink;
	int rc;

	if (redis_sink_open(cfg->sink, cfg->sink_maxlen, &sink, why,
	    len) == -1)
		return -1;
	rc = redis_sink_ping(sink, why, len);
	redis_sink_close(sink);
	return rc;
}

/* What loads but will not work as meant; each a warning, never an error,
 * so that ExecStartPre does not stop a daemon that would run. */
static size_t
check_warnings(const struct config *cfg)
{
	char why[PATH_MAX + 128], a[48], b[48];
	size_t n = 0, *first;

	if (cfg->spool && writable(cfg->spool, 1, why, sizeof(why)) == -1 &&
	    ++n)
		printf("%s: warning: spool %s cannot be written: %s\n",
		    cfg->path, cfg->spool, why);
	if (!state_is_postgresql(cfg->state) &&
	    writable(cfg->state, 0, why, sizeof(why)) == -1 && ++n)
		printf("%s: warning: state %s cannot be written: %s\n",
		    cfg->path, cfg->state, why);
	if (cfg->sink && sink_reachable(cfg, why, sizeof(why)) == -1 && ++n)
		printf("%s: warning: sink cannot be reached: %s\n",
		    cfg->path, why);
	if (cfg->interval < cfg->min_interval && ++n)
		printf("%s: warning: interval %s is below min_interval %s, "
		    "which bounds the feeds that do not set their own\n",
		    cfg->path, clock_duration((int64_t)cfg->interval, a,
		    sizeof(a)), clock_duration((int64_t)cfg->min_interval, b,
		    sizeof(b)));
	if ((first = calloc(cfg->nfeeds ? cfg->nfeeds : 1,
	    sizeof(*first))) == NULL || config_url_firsts(cfg, first) == -1)
		fatalx("out of memory");
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *f = &cfg->feeds[i];
		const struct config_feed *orig = &cfg->feeds[first[i]];

		if (orig != f && ++n)
			printf("%s:%d: warning: feed %s has the url of feed %s "
			    "(line %d): polled twice\n", cfg->path, f->line,
			    f->name, orig->name, orig->line);
		if (f->interval_pinned && f->interval < f->min_interval && ++n)
			printf("%s:%d: warning: feed %s: interval %s is below "
			    "min_interval %s\n", cfg->path, f->line, f->name,
			    clock_duration((int64_t)f->interval, a,
			    sizeof(a)), clock_duration((int64_t)f->min_interval,
			    b, sizeof(b)));
	}
	free(first);
	return n;
}

/* How the sink's stream is trimmed, for check and status. */
static const char *
sink_trim(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->sink_maxlen == 0)
		return "never trimmed";
	snprintf(buf, len, "trimmed to about %ld entries", cfg->sink_maxlen);
	return buf;
}

static int
cmd_check(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	size_t enabled = 0, warnings = check_warnings(cfg);
	char trim[64];

	for (size_t i = 0; i < cfg->nfeeds; i++)
		enabled += cfg->feeds[i].enabled != 0;
	printf("%s: ok, %zu feeds (%zu enabled), spool %s, state %s", cfg->path,
	    cfg->nfeeds, enabled, cfg->spool ? cfg->spool : "off", cfg->state);
	if (cfg->sink)
		printf(", sink %s (%s)", cfg->sink, sink_trim(cfg, trim,
		    sizeof(trim)));
	if (warnings)
		printf(", %zu warning%s", warnings, warnings > 1 ? "s" : "");
	putchar('\n');
	config_free(cfg);
	return 0;
}

static const char *
when(int64_t t, char *buf, size_t len)
{
	if (t <= 0)
		return "-";
	return date_format_rfc3339(t, buf, len);
}

static void
status_row(const char *name, const char *url, const struct state_feed *f)
{
	char last[32], next[32], ok[32], http[16], span[48], interval[64];

	if (f && f->last_status)
		snprintf(http, sizeof(http), "%d", f->last_status);
	else
		snprintf(http, sizeof(http), "-");
	if (f && f->interval_why)
		snprintf(interval, sizeof(interval), "%s (%s)",
		    clock_duration(f->interval, span, sizeof(span)),
		    f->interval_why);
	else
		snprintf(interval, sizeof(interval), "-");
	printf("%-24s %-20s %-4s %7lld %-20s %-26s %4d %-20s %s", name,
	    when(f ? f->last_poll : 0, last, sizeof(last)), http,
	    (long long)(f ? f->entries_seen : 0),
	    f && f->disabled ? "disabled (410 Gone)" :
	    when(f ? f->next_poll : 0, next, sizeof(next)), interval,
	    f ? f->failures : 0, when(f ? f->last_success : 0, ok, sizeof(ok)),
	    url);
	if (f && f->config_url && strcmp(f->config_url, url) != 0 &&
	    strcmp(f->url, url) == 0)
		printf("  (moved permanently from %s)", f->config_url);
	if (f && f->last_error)
		printf("  error: %s", f->last_error);
	putchar('\n');
}

static json_t *
time_or_null(int64_t t)
{
	char buf[32];

	return t > 0 ? json_string(date_format_rfc3339(t, buf, sizeof(buf))) :
	    json_null();
}

/* status_row's facts for tools: times RFC 3339 or null, durations in
 * seconds. */
static json_t *
status_object(const char *name, const char *url, const struct state_feed *f,
    int removed)
{
	struct state_feed none = { .ttl = -1 };

	if (f == NULL)
		f = &none;
	return json_pack("{s:s, s:s, s:b, s:b, s:o, s:o, s:I, s:o, s:o, s:o, "
	    "s:i, s:o, s:o, s:o}", "name", name, "url", url,
	    "configured", !removed, "disabled", f->disabled,
	    "last_poll", time_or_null(f->last_poll),
	    "http_status", f->last_status ? json_integer(f->last_status) :
	    json_null(), "entries_seen", (json_int_t)f->entries_seen,
	    "next_poll", time_or_null(f->next_poll),
	    "interval", f->interval_why ? json_integer(f->interval) : json_null(),
	    "interval_why", feed_json_str(f->interval_why),
	    "failures", f->failures,
	    "last_success", time_or_null(f->last_success),
	    "last_error", feed_json_str(f->last_error),
	    "moved_from", f->config_url && strcmp(f->config_url, url) != 0 &&
	    f->url && strcmp(f->url, url) == 0 ? json_string(f->config_url) :
	    json_null());
}

/* obj on stdout, indented, or on one line when compact; takes obj. */
static int
print_json(json_t *obj, int compact)
{
	size_t flags = JSON_PRESERVE_ORDER | (compact ? JSON_COMPACT :
	    JSON_INDENT(2));
	int rc = obj && json_dumpf(obj, stdout, flags) == 0 ? 0 : 1;

	if (rc == 0)
		putchar('\n');
	else
		fprintf(stderr, "newswatch: out of memory\n");
	json_decref(obj);
	return rc;
}

/* One row of status: a configured feed (f NULL until polled) or one the
 * config no longer names (removed), all borrowed. */
struct status_entry {
	const char *name;
	const char *url;
	const struct state_feed *f;
	int removed;
	size_t order;           /* its place in the plain listing */
};

/* buf = "3 min ago", "in 7 min": t against now, in its largest unit;
 * "-" for a time not known (0). */
static void
relative(int64_t t, int64_t now, char *buf, size_t len)
{
	static const struct { const char *unit; int64_t secs; } units[] = {
		{ "d", 86400 }, { "h", 3600 }, { "min", 60 }, { "s", 1 },
	};
	int64_t d = t > now ? t - now : now - t;
	size_t u = 0;

	if (t <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (d < 5) {
		snprintf(buf, len, "%s", t > now ? "now" : "just now");
		return;
	}
	while (d < units[u].secs)
		u++;
	snprintf(buf, len, "%s%lld %s%s", t > now ? "in " : "",
	    (long long)(d / units[u].secs), units[u].unit,
	    t > now ? "" : " ago");
}

/* Columns on a screen: bytes that begin a UTF-8 character. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* s cut to width columns (at a character's start), padded to it when pad;
 * the cut shows as a "~" in the last column. */
static void
print_cell(const char *s, size_t width, int pad)
{
	size_t w = text_width(s), n = 0, cols = 0;

	if (w > width) {
		while (s[n] && cols < width - 1)
			if (((unsigned char)s[++n] & 0xc0) != 0x80)
				cols++;
		printf("%.*s~", (int)n, s);
		w = width;
	} else
		fputs(s, stdout);
	if (pad)
		printf("%*s", (int)(width - w), "");
}

/* A poll's error without the feed's URL in front, which the row names
 * anyway: on a screen, room goes to the reason. */
static const char *
error_text(const char *error, const char *url)
{
	size_t len = strlen(url);

	return strncmp(error, url, len) == 0 && strncmp(error + len, ": ",
	    2) == 0 ? error + len + 2 : error;
}

static int
failing_first(const void *a, const void *b)
{
	const struct status_entry *x = a, *y = b;
	int fx = x->f && x->f->failures > 0, fy = y->f && y->f->failures > 0;

	/* qsort is not stable: the config's order breaks ties. */
	return fx != fy ? fy - fx : (x->order > y->order) -
	    (x->order < y->order);
}

#define STATUS_COLS 8

/* status on a terminal: failing feeds first, times relative to now, the
 * columns aligned and the whole as wide as the terminal, the last column
 * (a failing feed's error, else its URL) and long names cut to fit. */
static void
status_table(struct status_entry *e, size_t n)
{
	static const char *head[STATUS_COLS] = { "NAME", "HTTP", "ERRS",
	    "SEEN", "LAST POLL", "NEXT POLL", "LAST SUCCESS", "URL / ERROR" };
	char (*cell)[STATUS_COLS][96] = calloc(n ? n : 1, sizeof(*cell));
	size_t width[STATUS_COLS], screen = 80, fixed = 0, last;
	int64_t now = clock_now();
	struct winsize ws;

	if (cell == NULL) {
		fprintf(stderr, "newswatch: out of memory\n");
		return;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		screen = ws.ws_col;
	qsort(e, n, sizeof(*e), failing_first);
	for (size_t c = 0; c < STATUS_COLS; c++)
		width[c] = text_width(head[c]);
	for (size_t i = 0; i < n; i++) {
		const struct state_feed *f = e[i].f;
		char (*row)[96] = cell[i];

		snprintf(row[0], sizeof(row[0]), "%s%s", e[i].name,
		    e[i].removed ? " (removed)" : "");
		snprintf(row[1], sizeof(row[1]), f && f->last_status ? "%d" :
		    "-", f ? f->last_status : 0);
		snprintf(row[2], sizeof(row[2]), "%d", f ? f->failures : 0);
		snprintf(row[3], sizeof(row[3]), "%lld",
		    (long long)(f ? f->entries_seen : 0));
		relative(f ? f->last_poll : 0, now, row[4], sizeof(row[4]));
		if (f && f->disabled)
			snprintf(row[5], sizeof(row[5]), "disabled (410)");
		else
			relative(f ? f->next_poll : 0, now, row[5],
			    sizeof(row[5]));
		relative(f ? f->last_success : 0, now, row[6], sizeof(row[6]));
		snprintf(row[7], sizeof(row[7]), "%s", f && f->last_error ?
		    error_text(f->last_error, e[i].url) : e[i].url);
		for (size_t c = 0; c < STATUS_COLS; c++)
			if (text_width(row[c]) > width[c])
				width[c] = text_width(row[c]);
	}
	/* What the columns between the name and the last one take, with
	 * their separating spaces; the name and the last column share the
	 * rest, the name giving way first. */
	for (size_t c = 1; c < STATUS_COLS - 1; c++)
		fixed += width[c] + 2;
	last = width[STATUS_COLS - 1];
	if (fixed + 2 + width[0] + last >= screen) {
		size_t room = screen > fixed + 3 ? screen - fixed - 3 : 0;
		size_t name = room > last ? room - last : 0;

		if (name < room / 3)
			name = room / 3;
		if (name < 12)
			name = 12;
		if (name < width[0])
			width[0] = name;
		last = room > width[0] + 8 ? room - width[0] : 8;
	}
	width[STATUS_COLS - 1] = last;
	for (size_t i = 0; i <= n; i++) {
		for (size_t c = 0; c < STATUS_COLS; c++) {
			const char *text = i == 0 ? head[c] : cell[i - 1][c];

			if (c > 0)
				fputs("  ", stdout);
			/* Numbers right-aligned, the rest left. */
			if (c >= 1 && c <= 3 && text_width(text) < width[c])
				printf("%*s", (int)(width[c] -
				    text_width(text)), "");
			print_cell(text, width[c], c < STATUS_COLS - 1 &&
			    !(c >= 1 && c <= 3));
		}
		putchar('\n');
	}
	free(cell);
}

static int
cmd_status(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct state_feed *feeds = NULL;
	struct status_entry *rows = NULL;
	struct state *st = NULL;
	size_t n = 0, nrows = 0;
	char err[1024], trim[64], label[80];
	struct stat sb;
	int rc = 0;

	if (state_is_postgresql(cfg->state) || stat(cfg->state, &sb) == 0) {
		if (state_open(cfg->state, &st, err, sizeof(err)) == -1 ||
		    state_feed_list(st, &feeds, &n, err, sizeof(err)) == -1) {
			fprintf(stderr, "newswatch: %s\n", err);
			rc = 1;
			goto done;
		}
	}
	if ((rows = calloc(cfg->nfeeds + n + 1, sizeof(*rows))) == NULL) {
		fprintf(stderr, "newswatch: out of memory\n");
		rc = 1;
		goto done;
	}
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		const struct state_feed *f = NULL;

		for (size_t j = 0; j < n && !f; j++)
			if (strcmp(feeds[j].name, cf->name) == 0)
				f = &feeds[j];
		/* Until polled, a URL changed in the config is not yet in
		 * the state. */
		rows[nrows] = (struct status_entry){ cf->name,
		    f && f->config_url && strcmp(f->config_url, cf->url) == 0 ?
		    f->url : cf->url, f, 0, nrows };
		nrows++;
	}
	/* Feeds no longer configured keep their state: show them too. */
	for (size_t j = 0; j < n; j++) {
		int configured = 0;

		for (size_t i = 0; i < cfg->nfeeds && !configured; i++)
			configured = strcmp(feeds[j].name, cfg->feeds[i].name) == 0;
		if (!configured) {
			rows[nrows] = (struct status_entry){ feeds[j].name,
			    feeds[j].url, &feeds[j], 1, nrows };
			nrows++;
		}
	}
	if (opt->json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < nrows; i++)
			json_array_append_new(arr, status_object(rows[i].name,
			    rows[i].url, rows[i].f, rows[i].removed));
		rc = print_json(arr, 0);
		goto done;
	}
	if (isatty(STDOUT_FILENO))
		status_table(rows, nrows);
	else {
		printf("%-24s %-20s %-4s %7s %-20s %-26s %4s %-20s %s\n",
		    "NAME", "LAST POLL", "HTTP", "SEEN", "NEXT POLL",
		    "INTERVAL (WHY)", "ERRS", "LAST SUCCESS", "URL");
		for (size_t i = 0; i < nrows; i++) {
			snprintf(label, sizeof(label), "%s%s", rows[i].name,
			    rows[i].removed ? " (removed)" : "");
			status_row(label, rows[i].url, rows[i].f);
		}
	}
	/* After the rows, which tools read as they were. */
	if (cfg->sink)
		printf("items go to %s%s (stream %s)\n", cfg->spool ?
		    "the spool and " : "", cfg->sink, sink_trim(cfg, trim,
		    sizeof(trim)));
done:
	free(rows);
	state_feed_list_free(feeds, n);
	state_close(st);
	config_free(cfg);
	return rc;
}

/*
 * newswatch why: what the state and the spool say of an entry (by id, by
 * link, or by spool name) or of a feed (by name or URL).  Every answer
 * comes from what is on disk: the daemon need not run.
 */

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
 * have added ":2,FLAGS"), or NULL. */
static const char *
spool_where(const char *spool, const char *name)
{
	char path[PATH_MAX];
	size_t n = strlen(name);
	const char *where = NULL;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/new/%s", spool, name);
	if (access(path, F_OK) == 0)
		return "new";
	snprintf(path, sizeof(path), "%s/cur", spool);
	if ((d = opendir(path)) == NULL)
		return NULL;
	while (where == NULL && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, name, n) == 0 &&
		    (de->d_name[n] == '\0' || de->d_name[n] == ':'))
			where = "cur";
	closedir(d);
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

/* The entries arg names: by id or pending link, by spool name, else by
 * the link of an item in the spool.  *out as state_entries_find's. */
static int
why_find(const struct config *cfg, struct state *st, const char *arg,
    struct state_found **out, size_t *n, char *err, size_t errlen)
{
	struct state_found *all;
	json_t *hits, *hit;
	int64_t us;
	size_t nall, i, k = 0;
	char name[128];

	if (spool_name_time(arg, &us) == 0) {
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
		const char *feed = json_string_value(json_object_get(hit, "feed"));
		const char *id = json_string_value(json_object_get(hit, "id"));

		if (state_entries_find(st, id, 0, &all, &nall, err,
		    errlen) == -1) {
			json_decref(hits);
			return -1;
		}
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
	e->where = cfg->spool ? spool_where(cfg->spool, e->name) : NULL;
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

static int
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
		orphan = spool_where(cfg->spool, arg);
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

struct fetched {
	char *body;
	size_t len;
	char *url;
	char *content_type;
	char error[1024];
	int done;
};

static void
on_fetched(void *arg, const struct http_response *res)
{
	struct fetched *f = arg;

	f->done = 1;
	if (res->error)
		snprintf(f->error, sizeof(f->error), "%s: %s", res->url, res->error);
	else if (res->status < 200 || res->status > 299)
		snprintf(f->error, sizeof(f->error), "%s: HTTP %ld", res->url,
		    res->status);
	if (f->error[0])
		return;
	f->body = malloc(res->len + 1);
	f->url = strdup(res->url);
	f->content_type = res->content_type ? strdup(res->content_type) : NULL;
	if (f->body == NULL || f->url == NULL) {
		snprintf(f->error, sizeof(f->error), "out of memory");
		return;
	}
	memcpy(f->body, res->body, res->len + 1);
	f->len = res->len;
}

/* One GET through the same engine the daemon uses. */
static int
fetch_url(const char *url, struct fetched *f)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct http *http;
	struct http_request req = {
		.url = url, .user_agent = CONFIG_DEFAULT_USER_AGENT,
		.max_bytes = TOOL_MAX_BYTES, .timeout = CONFIG_DEFAULT_TIMEOUT,
		.allow_private = 1, .done = on_fetched, .arg = f,
	};
	struct http_limits lim = {
		.max_connections = 1, .per_host_connections = 1,
		.max_retry_after = CONFIG_DEFAULT_MAX_RETRY_AFTER,
	};

	if (loop == NULL ||
	    (http = http_new(loop, &lim, f->error, sizeof(f->error))) == NULL)
		return -1;
	if (http_get(http, &req, f->error, sizeof(f->error)) != NULL)
		while (!f->done && ev_run(loop, EVRUN_ONCE))
			;
	http_free(http);
	ev_loop_destroy(loop);
	return f->error[0] ? -1 : 0;
}

static int
read_file(const char *path, struct fetched *f)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536;

	if (fp == NULL) {
		snprintf(f->error, sizeof(f->error), "%s: %s", path, strerror(errno));
		return -1;
	}
	f->body = malloc(cap);
	while (f->body) {
		size_t n = fread(f->body + f->len, 1, cap - f->len - 1, fp);
		f->len += n;
		if (n == 0)
			break;
		if (f->len + 1 == cap) {
			char *p = (long long)cap * 2 > TOOL_MAX_BYTES ? NULL :
			    realloc(f->body, cap * 2);
			if (p == NULL) {
				snprintf(f->error, sizeof(f->error),
				    "%s: larger than %lld bytes", path,
				    TOOL_MAX_BYTES);
				break;
			}
			f->body = p;
			cap *= 2;
		}
	}
	if (f->body == NULL)
		snprintf(f->error, sizeof(f->error), "out of memory");
	else if (ferror(fp))
		snprintf(f->error, sizeof(f->error), "%s: %s", path, strerror(errno));
	else if (f->error[0] == '\0')
		f->body[f->len] = '\0';
	if (fp != stdin)
		fclose(fp);
	return f->error[0] ? -1 : 0;
}

/* A FILE or URL for parse and extract; the base URL is --url, else the
 * URL fetched. */
static int
load_input(const struct options *opt, const char *input, struct fetched *f)
{
	int rc = url_is_http(input) ? fetch_url(input, f) : read_file(input, f);

	if (rc == -1)
		fprintf(stderr, "newswatch: %s\n", f->error);
	else if (opt->content_type != NULL) {
		free(f->content_type);
		if ((f->content_type = strdup(opt->content_type)) == NULL) {
			fprintf(stderr, "newswatch: out of memory\n");
			rc = -1;
		}
	}
	return rc;
}

static void
fetched_free(struct fetched *f)
{
	free(f->body);
	free(f->url);
	free(f->content_type);
}

/* One input's feed and entries, or NULL with the reason in err. */
static json_t *
parse_one(const struct options *opt, const char *input, char *err,
    size_t errlen)
{
	struct fetched f = { 0 };
	struct feed *feed = NULL;
	json_t *entries, *obj = NULL;
	char why[1024];

	if (load_input(opt, input, &f) == -1) {
		snprintf(err, errlen, "%s", f.error);
		goto out;
	}
	if (feed_parse(f.body, f.len, opt->url ? opt->url : f.url,
	    f.content_type, &feed, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", input, why);
		fprintf(stderr, "newswatch: %s\n", err);
		goto out;
	}
	entries = json_array();
	for (size_t i = 0; i < feed->nentries; i++)
		json_array_append_new(entries, feed_entry_to_json(&feed->entries[i]));
	obj = json_pack("{s:o, s:o}", "feed", feed_meta_to_json(feed),
	    "entries", entries);
	if (obj == NULL)
		snprintf(err, errlen, "out of memory");
out:
	feed_free(feed);
	fetched_free(&f);
	return obj;
}

/* One input: its JSON object, indented.  Several: one line each, with
 * "file" and either the parse or "error" (JSON Lines, for tools). */
static int
cmd_parse(const struct options *opt)
{
	char err[1280];
	json_t *obj;
	int rc = 0;

	for (int i = 0; i < opt->ninputs; i++) {
		obj = parse_one(opt, opt->inputs[i], err, sizeof(err));
		if (opt->ninputs == 1) {
			rc = obj == NULL ? 1 : print_json(obj, 0);
			break;
		}
		if (obj == NULL) {
			obj = json_pack("{s:s, s:s}", "file", opt->inputs[i],
			    "error", err);
			rc = 1;
		} else
			json_object_set_new(obj, "file",
			    json_string(opt->inputs[i]));
		if (print_json(obj, 1) != 0)
			rc = 1;
	}
	return rc;
}

static int
cmd_extract(const struct options *opt)
{
	struct fetched f = { 0 };
	struct article *a = NULL;
	char err[1024];
	int rc = 1;

	if (load_input(opt, opt->inputs[0], &f) == -1)
		goto out;
	if (article_parse(f.body, f.len, opt->url ? opt->url : f.url,
	    f.content_type, NULL, 0, opt->html ? ARTICLE_HTML : 0, &a, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s: %s\n", opt->inputs[0], err);
		goto out;
	}
	rc = print_json(article_to_json(a), 0);
out:
	article_free(a);
	fetched_free(&f);
	return rc;
}

static int
cmd_tail(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	char err[1024];
	int rc;

	if (cfg->spool == NULL) {
		fprintf(stderr, "newswatch: spool: off in %s: items go to %s "
		    "only\n", cfg->path, cfg->sink);
		config_free(cfg);
		return 1;
	}
	rc = tail_spool(cfg->spool, opt->lines, (opt->json ? TAIL_JSON : 0) |
	    (opt->follow ? TAIL_FOLLOW : 0), stdout, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "newswatch: %s\n", err);
	config_free(cfg);
	return rc == -1;
}

static int
name_taken(const struct config *cfg, char *const *chosen, size_t n,
    const char *name)
{
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(chosen[i], name) == 0)
			return 1;
	return 0;
}

/*
 * *name: the name an imported feed goes by, unlike any other: the one
 * derived from its URL when free (*given 0: nothing to write), else one
 * made of its title, else the derived one numbered.  Readers' lists often
 * hold feeds of one host and path that differ in the query only (YouTube
 * channels), whose derived names clash.  Returns 0, or -1 when out of
 * memory.
 */
static int
import_name(const struct config *cfg, char *const *chosen, size_t n,
    const struct opml_feed *of, char **name, int *given)
{
	char *derived = config_derive_name(of->url), buf[80];

	*name = NULL;
	*given = 1;
	if (derived == NULL)
		return -1;
	if (*derived && !name_taken(cfg, chosen, n, derived)) {
		*name = derived;
		*given = 0;
		return 0;
	}
	if (of->title && (*name = config_name_from(of->title,
	    strlen(of->title))) == NULL)
		goto nomem;
	if (*name && **name && !name_taken(cfg, chosen, n, *name)) {
		free(derived);
		return 0;
	}
	free(*name);
	for (size_t k = 2; ; k++) {
		snprintf(buf, sizeof(buf), "%.58s-%zu", *derived ? derived :
		    "feed", k);
		if (!name_taken(cfg, chosen, n, buf))
			break;
	}
	free(derived);
	return (*name = strdup(buf)) == NULL ? -1 : 0;
nomem:
	free(derived);
	return -1;
}

/* The feeds of an OPML file or URL not yet in the config (by URL), added
 * to feeds.yaml with their titles as comments and folders as tags. */
static int
cmd_import_opml(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct opml_feed *of = NULL;
	struct config_new_feed *add = NULL;
	struct fetched f = { 0 };
	size_t n = 0, nadd = 0, present = 0;
	char err[1024], **names = NULL;
	int rc = 1, given;

	if (load_input(opt, opt->inputs[0], &f) == -1)
		goto out;
	if (opml_parse(f.body, f.len, &of, &n, err, sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s: %s\n", opt->inputs[0], err);
		goto out;
	}
	if (n > 0 && ((add = calloc(n, sizeof(*add))) == NULL ||
	    (names = calloc(n, sizeof(*names))) == NULL)) {
		fprintf(stderr, "newswatch: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		if (!url_is_http(of[i].url)) {
			fprintf(stderr, "newswatch: skipping '%s': not an http "
			    "or https URL\n", of[i].url);
			continue;
		}
		for (size_t j = 0; j < cfg->nfeeds && !dup; j++)
			dup = strcmp(cfg->feeds[j].url, of[i].url) == 0;
		for (size_t j = 0; j < nadd && !dup; j++)
			dup = strcmp(add[j].url, of[i].url) == 0;
		if (dup) {
			present++;
			continue;
		}
		if (import_name(cfg, names, nadd, &of[i], &names[nadd],
		    &given) == -1) {
			fprintf(stderr, "newswatch: out of memory\n");
			goto out;
		}
		add[nadd] = (struct config_new_feed){ .url = of[i].url,
		    .name = given ? names[nadd] : NULL, .comment = of[i].title,
		    .tags = of[i].tags, .ntags = of[i].ntags };
		nadd++;
	}
	if (nadd > 0 && config_append_feeds(cfg->path, add, nadd, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s\n", err);
		goto out;
	}
	printf("%s: %zu feeds added, %zu already there\n", cfg->path, nadd,
	    present);
	rc = 0;
out:
	for (size_t i = 0; names && i < nadd; i++)
		free(names[i]);
	free(names);
	free(add);
	opml_free(of, n);
	fetched_free(&f);
	config_free(cfg);
	return rc;
}

static int
cmd_export_opml(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct opml_feed *of = calloc(cfg->nfeeds + 1, sizeof(*of));
	char *text = NULL;

	for (size_t i = 0; of && i < cfg->nfeeds; i++)
		of[i] = (struct opml_feed){ .url = cfg->feeds[i].url,
		    .title = cfg->feeds[i].name, .tags = cfg->feeds[i].tags,
		    .ntags = cfg->feeds[i].ntags };
	if (of)
		text = opml_write(of, cfg->nfeeds, "newswatch feeds");
	if (text)
		fputs(text, stdout);
	else
		fprintf(stderr, "newswatch: out of memory\n");
	free(text);
	free(of);
	config_free(cfg);
	return text == NULL;
}

static int
cmd_run(const struct options *opt)
{
	return cmd_daemon(opt, 0);
}

static int
cmd_once(const struct options *opt)
{
	return cmd_daemon(opt, 1);
}

static const struct command {
	const char *name;
	int (*run)(const struct options *);
} commands[] = {
	{ "run", cmd_run },
	{ "once", cmd_once },
	{ "check", cmd_check },
	{ "status", cmd_status },
	{ "parse", cmd_parse },
	{ "extract", cmd_extract },
	{ "tail", cmd_tail },
	{ "import-opml", cmd_import_opml },
	{ "export-opml", cmd_export_opml },
	{ "why", cmd_why },
	{ NULL, NULL },
};

static int
parse_args(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "url", required_argument, NULL, 'u' },
		{ "content-type", required_argument, NULL, 't' },
		{ "html", no_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	opt->command = &commands[0];
	opt->lines = TAIL_DEFAULT_LINES;
	if (argc > 1 && argv[1][0] != '-') {
		for (int i = 0; commands[i].name; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				opt->command = &commands[i];
		if (strcmp(opt->command->name, argv[1]) != 0) {
			fprintf(stderr, "newswatch: unknown command '%s'\n", argv[1]);
			usage(stderr);
			return EX_USAGE;
		}
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "c:u:t:vjfn:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt->config = optarg; break;
		case 'j': opt->json = 1; break;
		case 'f': opt->follow = 1; break;
		case 'n':
			errno = 0;
			opt->lines = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || opt->lines < 0) {
				fprintf(stderr, "newswatch: -n: expected a count, "
				    "got '%s'\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'u': opt->url = optarg; break;
		case 't': opt->content_type = optarg; break;
		case 'H': opt->html = 1; break;
		case 'v': opt->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("newswatch %s\n", NEWSWATCH_VERSION); exit(0);
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (opt->command->run == cmd_parse || opt->command->run == cmd_extract ||
	    opt->command->run == cmd_import_opml || opt->command->run == cmd_why) {
		opt->inputs = argv + optind;
		opt->ninputs = argc - optind;
		if (opt->ninputs == 0 || (opt->ninputs > 1 &&
		    opt->command->run != cmd_parse)) {
			fprintf(stderr, "newswatch %s: expected %s FILE or URL\n",
			    opt->command->name, opt->ninputs == 0 ? "a" : "one");
			return EX_USAGE;
		}
	} else if (optind != argc) {
		fprintf(stderr, "newswatch %s: unexpected argument '%s'\n",
		    opt->command->name, argv[optind]);
		return EX_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt = { 0 };
	int rc;

	if ((rc = parse_args(argc, argv, &opt)) != 0)
		return rc;
	log_init(opt.verbose ? LOG_DEBUG : LOG_INFO);
	xmlInitParser();

	rc = opt.command->run(&opt);

	xmlCleanupParser();
	http_global_cleanup();
	return rc;
}
