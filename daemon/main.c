/*
 * main.c - the newswatch command: the daemon (run), one cycle (once), and
 * the tools around it (check, status, parse, extract).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <systemd/sd-daemon.h>

#include "../feeds/article.h"
#include "../feeds/date.h"
#include "../feeds/feed.h"
#include "../feeds/url.h"
#include "../store/spool.h"
#include "../store/state.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "poll.h"
#include "scheduler.h"

#define DEFAULT_CONFIG "/etc/newswatch/feeds.yaml"
#define STATUS_PERIOD 30.0
#define SUMMARY_PERIOD 600.0
/* parse and extract read at most this much from a file or URL. */
#define TOOL_MAX_BYTES (64LL * 1024 * 1024)

static const char usage_text[] =
"usage: newswatch [run] [-c FILE]       the daemon, in the foreground\n"
"       newswatch once [-c FILE]        poll every feed once, write the spool, exit\n"
"       newswatch check [-c FILE]       validate the config\n"
"       newswatch status [-c FILE]      one row per feed from the state\n"
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
"      --html         also print the body as cleaned HTML (extract)\n"
"  -v, --verbose      log debug messages\n"
"  -h, --help         this help\n"
"  -V, --version      print the version\n"
"\n"
"See newswatch(1) and newswatch.yaml(5).\n";

struct options {
	const char *command;
	const char *config;
	const char *url;
	const char *content_type;
	char **inputs;          /* parse's and extract's FILE|URL arguments */
	int ninputs;
	int verbose;
	int html;               /* extract --html */
};

struct daemon {
	struct options *opt;
	struct ev_loop *loop;
	/* Settings the loop was built with: a reload cannot change them. */
	char *spool_path;
	char *state_path;
	long max_connections;
	long per_host_connections;
	double per_host_delay;
	double max_retry_after;
	int allow_private;
	struct state *state;
	struct spool *spool;
	struct http *http;
	struct poller *poller;
	struct scheduler *sched;
	ev_signal sigterm, sigint, sighup;
	ev_timer watchdog, status;
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

	snprintf(buf, len, "%zu feeds, %zu polling; %llu polls ok, %llu not "
	    "modified, %llu failed; %llu items",
	    scheduler_feeds(d->sched), scheduler_busy(d->sched),
	    (unsigned long long)st->polls_ok,
	    (unsigned long long)st->not_modified,
	    (unsigned long long)st->polls_failed,
	    (unsigned long long)st->items);
}

static void
on_status(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;
	char text[256];

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

static void
warn_fixed_settings(const struct daemon *d, const struct config *new)
{
	if (strcmp(d->spool_path, new->spool) != 0 ||
	    strcmp(d->state_path, new->state) != 0)
		log_warnx("reload: spool and state paths take effect at restart");
	if (d->max_connections != new->max_connections ||
	    d->per_host_connections != new->per_host_connections ||
	    d->per_host_delay != new->per_host_delay ||
	    d->max_retry_after != new->max_retry_after ||
	    d->allow_private != new->allow_private_addresses)
		log_warnx("reload: max_connections, per_host_connections, "
		    "per_host_delay, max_retry_after and "
		    "allow_private_addresses take effect at restart");
}

static void
on_reload(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	struct config *cfg;
	char err[1024], text[256];
	int level;

	(void)loop;
	(void)revents;
	sd_notify(0, "RELOADING=1");
	if (config_load(config_path(d->opt), &cfg, err, sizeof(err)) == -1) {
		log_errorx("reload failed, keeping the running config: %s", err);
		sd_notifyf(0, "READY=1\nSTATUS=reload failed: %s", err);
		return;
	}
	warn_fixed_settings(d, cfg);
	if ((level = log_level_parse(cfg->log_level)) != -1 && !d->opt->verbose)
		log_set_level(level);
	if (scheduler_apply(d->sched, cfg) == -1) {
		log_errorx("reload failed: out of memory");
		sd_notify(0, "READY=1\nSTATUS=reload failed: out of memory");
		return;
	}
	log_info("reloaded %s: %zu feeds", config_path(d->opt),
	    scheduler_feeds(d->sched));
	status_text(d, text, sizeof(text));
	sd_notifyf(0, "READY=1\nSTATUS=%s", text);
}

static void
on_once_done(void *arg)
{
	struct daemon *d = arg;

	ev_break(d->loop, EVBREAK_ALL);
}

static void
daemon_open(struct daemon *d, struct config *cfg)
{
	char err[1024];

	if ((d->spool_path = strdup(cfg->spool)) == NULL ||
	    (d->state_path = strdup(cfg->state)) == NULL)
		fatalx("out of memory");
	d->max_connections = cfg->max_connections;
	d->per_host_connections = cfg->per_host_connections;
	d->per_host_delay = cfg->per_host_delay;
	d->max_retry_after = cfg->max_retry_after;
	d->allow_private = cfg->allow_private_addresses;
	if (state_open(cfg->state, &d->state, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (spool_open(cfg->spool, &d->spool, err, sizeof(err)) == -1)
		fatalx("%s", err);
	struct http_limits lim = {
		.max_connections = cfg->max_connections,
		.per_host_connections = cfg->per_host_connections,
		.per_host_delay = cfg->per_host_delay,
		.max_retry_after = cfg->max_retry_after,
	};

	if ((d->http = http_new(d->loop, &lim, err, sizeof(err))) == NULL)
		fatalx("http: %s", err);
	if ((d->poller = poller_new(d->loop, d->http, d->state, d->spool,
	    cfg->allow_private_addresses, err, sizeof(err))) == NULL)
		fatalx("%s", err);
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
	poller_free(d->poller);
	http_free(d->http);
	spool_close(d->spool);
	state_close(d->state);
	free(d->spool_path);
	free(d->state_path);
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
	ev_timer_start(d->loop, &d->status);
	d->last_summary = ev_now(d->loop);
	/* Pinged from the loop itself, so a wedged loop stops the pings. */
	if (sd_watchdog_enabled(0, &usec) > 0) {
		ev_timer_init(&d->watchdog, on_watchdog, 0., usec / 2e6);
		ev_timer_again(d->loop, &d->watchdog);
		ev_unref(d->loop);
	}
}

static int
cmd_daemon(struct options *opt, int once)
{
	struct daemon d = { .opt = opt, .once = once };
	struct config *cfg = load_config_or_exit(opt);
	char text[256];
	int level = log_level_parse(cfg->log_level);
	size_t failed, nfeeds;

	if (!opt->verbose && level != -1)
		log_set_level(level);
	signal(SIGPIPE, SIG_IGN);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	if (d.loop == NULL)
		fatalx("cannot initialise the event loop");
	daemon_open(&d, cfg);
	if (scheduler_apply(d.sched, cfg) == -1)
		fatalx("out of memory");
	signals_start(&d);
	nfeeds = scheduler_feeds(d.sched);
	log_info("newswatch %s: %s, %zu feeds, spool %s, state %s",
	    NEWSWATCH_VERSION, once ? "one cycle" : "running", nfeeds,
	    d.spool_path, d.state_path);
	if (!once) {
		timers_start(&d);
		status_text(&d, text, sizeof(text));
		sd_notifyf(0, "READY=1\nSTATUS=%s", text);
	}
	if (!(once && nfeeds == 0))
		ev_run(d.loop, 0);

	status_text(&d, text, sizeof(text));
	failed = scheduler_failed(d.sched);
	daemon_close(&d);
	ev_loop_destroy(d.loop);
	if (once) {
		fprintf(stderr, "newswatch: %s\n", text);
		if (d.stopping)
			return 1;
		if (failed > 0) {
			fprintf(stderr, "newswatch: %zu of %zu feeds failed\n",
			    failed, nfeeds);
			return 1;
		}
	} else {
		log_info("stopped: %s", text);
	}
	return 0;
}

static int
cmd_check(struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	size_t enabled = 0;

	for (size_t i = 0; i < cfg->nfeeds; i++)
		enabled += cfg->feeds[i].enabled != 0;
	printf("%s: ok, %zu feeds (%zu enabled), spool %s, state %s\n",
	    cfg->path, cfg->nfeeds, enabled, cfg->spool, cfg->state);
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

/* "1h30m", "45s": the largest two units. */
static const char *
duration(int64_t secs, char *buf, size_t len)
{
	static const struct { char unit; int64_t secs; } units[] = {
		{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
	};
	size_t u = 0;

	if (secs <= 0)
		return "-";
	while (secs < units[u].secs)
		u++;
	if (u + 1 < 4 && secs % units[u].secs >= units[u + 1].secs)
		snprintf(buf, len, "%lld%c%lld%c",
		    (long long)(secs / units[u].secs), units[u].unit,
		    (long long)(secs % units[u].secs / units[u + 1].secs),
		    units[u + 1].unit);
	else
		snprintf(buf, len, "%lld%c", (long long)(secs / units[u].secs),
		    units[u].unit);
	return buf;
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
		    duration(f->interval, span, sizeof(span)), f->interval_why);
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

static int
cmd_status(struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct state_feed *feeds = NULL;
	struct state *st = NULL;
	size_t n = 0;
	char err[1024];
	struct stat sb;

	if (stat(cfg->state, &sb) == 0) {
		if (state_open(cfg->state, &st, err, sizeof(err)) == -1 ||
		    state_feed_list(st, &feeds, &n, err, sizeof(err)) == -1) {
			fprintf(stderr, "newswatch: %s\n", err);
			state_close(st);
			config_free(cfg);
			return 1;
		}
	}
	printf("%-24s %-20s %-4s %7s %-20s %-26s %4s %-20s %s\n", "NAME",
	    "LAST POLL", "HTTP", "SEEN", "NEXT POLL", "INTERVAL (WHY)", "ERRS",
	    "LAST SUCCESS", "URL");
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		const struct state_feed *f = NULL;

		for (size_t j = 0; j < n && !f; j++)
			if (strcmp(feeds[j].name, cf->name) == 0)
				f = &feeds[j];
		/* Until polled, a URL changed in the config is not yet in
		 * the state. */
		status_row(cf->name, f && f->config_url &&
		    strcmp(f->config_url, cf->url) == 0 ? f->url : cf->url, f);
	}
	/* Feeds no longer configured keep their state: show them too. */
	for (size_t j = 0; j < n; j++) {
		int configured = 0;
		char label[80];

		for (size_t i = 0; i < cfg->nfeeds && !configured; i++)
			configured = strcmp(feeds[j].name, cfg->feeds[i].name) == 0;
		if (configured)
			continue;
		snprintf(label, sizeof(label), "%s (removed)", feeds[j].name);
		status_row(label, feeds[j].url, &feeds[j]);
	}
	state_feed_list_free(feeds, n);
	state_close(st);
	config_free(cfg);
	return 0;
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

static const char *const commands[] = {
	"run", "once", "check", "status", "parse", "extract", NULL
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opt->command = "run";
	if (argc > 1 && argv[1][0] != '-') {
		for (int i = 0; commands[i]; i++)
			if (strcmp(argv[1], commands[i]) == 0)
				opt->command = commands[i];
		if (strcmp(opt->command, argv[1]) != 0) {
			fprintf(stderr, "newswatch: unknown command '%s'\n", argv[1]);
			usage(stderr);
			return EX_USAGE;
		}
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "c:u:t:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt->config = optarg; break;
		case 'u': opt->url = optarg; break;
		case 't': opt->content_type = optarg; break;
		case 'H': opt->html = 1; break;
		case 'v': opt->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("newswatch %s\n", NEWSWATCH_VERSION); exit(0);
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (strcmp(opt->command, "parse") == 0 ||
	    strcmp(opt->command, "extract") == 0) {
		opt->inputs = argv + optind;
		opt->ninputs = argc - optind;
		if (opt->ninputs == 0 || (opt->ninputs > 1 &&
		    strcmp(opt->command, "extract") == 0)) {
			fprintf(stderr, "newswatch %s: expected %s FILE or URL\n",
			    opt->command, opt->ninputs == 0 ? "a" : "one");
			return EX_USAGE;
		}
	} else if (optind != argc) {
		fprintf(stderr, "newswatch %s: unexpected argument '%s'\n",
		    opt->command, argv[optind]);
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
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();

	if (strcmp(opt.command, "run") == 0)
		rc = cmd_daemon(&opt, 0);
	else if (strcmp(opt.command, "once") == 0)
		rc = cmd_daemon(&opt, 1);
	else if (strcmp(opt.command, "check") == 0)
		rc = cmd_check(&opt);
	else if (strcmp(opt.command, "status") == 0)
		rc = cmd_status(&opt);
	else if (strcmp(opt.command, "parse") == 0)
		rc = cmd_parse(&opt);
	else
		rc = cmd_extract(&opt);

	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}
