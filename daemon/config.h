/*
 * config.h - read and validate feeds.yaml (libyaml).
 *
 * Promises: the whole file is checked before anything is returned; the
 * first problem is reported as "FILE:LINE:COLUMN: message" (1-based, as
 * editors count), unknown keys name the nearest known key.  Every
 * config_feed carries its effective settings (its own override, else the
 * global value, else the built-in default), so callers never look up
 * inheritance themselves.
 */
#ifndef NW_CONFIG_H
#define NW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../feeds/article.h"

#define FIRST_POLL_EMIT 0   /* current entries of a new feed go to the spool */
#define FIRST_POLL_SKIP 1   /* they are marked seen without an item */
#define REVISIONS_OFF 0     /* a seen entry is never delivered again */
#define REVISIONS_FEED 1    /* a seen entry the feed shows changed is
                             * compared again (revision.h) */
#define REVISIONS_PAGES 2   /* that, and each new entry's page read again
                             * on a schedule (revision_checks) */

/* When a new entry's page is read again with revisions: pages, seconds
 * after its discovery, ascending; n 0 when unset (a feed's: the global). */
#define REVISION_CHECKS_MAX 8
struct revision_checks {
	int n;
	double after[REVISION_CHECKS_MAX];
};

/* An item that is the same story as one already delivered (story.h): */
#define DUPLICATES_OFF 0    /* not looked for */
#define DUPLICATES_MARK 1   /* written, with "duplicate_of" */
#define DUPLICATES_SKIP 2   /* marked seen without an item */

/* Extra request headers, each line "Name: value". */
struct config_headers {
	char **lines;
	size_t n;
};

struct config_feed {
	char *url;              /* as given, less the password of its user
	                         * info: what logs, items, the state and
	                         * status show */
	char *password;         /* that password (decoded), for the feed's
	                         * transfers alone; NULL when none */
	char *name;             /* given, or derived from the URL; unique */
	double interval;        /* seconds: the feed's own, else the global one */
	int interval_pinned;    /* the feed set interval: no adapting */
	double min_interval;    /* bounds of the adapted interval, seconds */
	double max_interval;
	double max_backoff;     /* the global one */
	double state_keep;      /* the global one */
	char **tags;
	size_t ntags;
	struct article_rule *rules;  /* extract: overrides (strings owned) */
	size_t nrules;
	char *user_agent;
	struct config_headers headers;  /* the global ones, then the feed's
	                         * (which win over a global of the same name) */
	char *proxy;            /* NULL: from the environment */
	char *ca_file;          /* NULL: the system's */
	int first_poll;         /* FIRST_POLL_* */
	int duplicates;         /* DUPLICATES_* */
	double duplicate_window; /* the global one, seconds */
	int article;            /* fetch and parse linked pages */
	int article_html;       /* also the body as cleaned HTML */
	int revisions;          /* REVISIONS_* */
	struct revision_checks revision_checks;
	long revision_budget;   /* the global one */
	int enabled;
	double timeout;         /* seconds, whole transfer */
	int64_t max_feed_bytes;
	int64_t max_page_bytes;
	int line;               /* where the feed's entry starts in the file */
};

struct config {
	char *path;             /* the file read */
	char *spool;            /* directory */
	char *state;            /* SQLite file or postgresql:// URL */
	double interval;
	double min_interval;
	double max_interval;
	char *user_agent;
	struct config_headers headers;
	char *proxy;
	char *ca_file;
	long max_connections;
	long per_host_connections;
	long workers;           /* threads making items, 0 one per processor */
	double per_host_delay;  /* seconds between starts on one host, 0 none */
	double max_retry_after; /* cap on a server's Retry-After */
	double max_backoff;     /* cap on the wait after errors */
	double lease;           /* shared state: how long a claimed feed is
	                         * this instance's to poll */
	int first_poll;
	int duplicates;
	double duplicate_window; /* how long a story is remembered, seconds */
	int article;
	int article_html;
	int revisions;
	struct revision_checks revision_checks;
	long revision_budget;   /* scheduled page reads a minute, all feeds */
	int allow_private_addresses;
	char *log_level;        /* "debug", "info", "warning", "error" */
	int watch_config;       /* reload when the file changes on disk */
	double state_keep;      /* forget ids gone from their feed (and feeds
	                         * gone from the config) this long, seconds */
	double spool_keep;      /* remove spool items older than this, 0 never */
	char *sink;             /* redis://HOST[:PORT]/STREAM, or NULL; with
	                         * spool: off, spool is NULL and sink is not */
	long sink_maxlen;       /* XADD MAXLEN ~ of the sink, 0 no trimming */
	char *metrics;          /* serve /metrics at PORT, HOST:PORT or
	                         * [V6]:PORT (metrics.h), NULL off */
	int metrics_per_feed;   /* series labelled by feed too */
	double timeout;
	int64_t max_feed_bytes;
	int64_t max_page_bytes;
	struct config_feed *feeds;
	size_t nfeeds;
};

/* Built-in defaults, also documented in newswatch.yaml(5) / the README. */
#define CONFIG_DEFAULT_SPOOL "/var/spool/newswatch"
#define CONFIG_DEFAULT_STATE "/var/lib/newswatch/state.db"
#define CONFIG_DEFAULT_INTERVAL 900.0
#define CONFIG_DEFAULT_MIN_INTERVAL 300.0
#define CONFIG_DEFAULT_MAX_INTERVAL (12 * 3600.0)
#define CONFIG_DEFAULT_MAX_RETRY_AFTER (6 * 3600.0)
#define CONFIG_DEFAULT_MAX_BACKOFF (24 * 3600.0)
#define CONFIG_DEFAULT_LEASE 600.0
#define CONFIG_DEFAULT_DUPLICATE_WINDOW (3 * 86400.0)
/* diffengine's decaying schedule, bounded by the 72 hours a version is
 * kept (REVISION_WINDOW_US); and a budget that, at 5 checks an entry,
 * covers some 8,600 new entries a day across all feeds. */
#define CONFIG_DEFAULT_REVISION_CHECKS \
	{ 5, { 15 * 60.0, 3600.0, 4 * 3600.0, 16 * 3600.0, 64 * 3600.0 } }
#define CONFIG_DEFAULT_REVISION_BUDGET 30L
#define CONFIG_DEFAULT_USER_AGENT "newswatch/" NEWSWATCH_VERSION
#define CONFIG_DEFAULT_SINK_MAXLEN 1000000L
#define CONFIG_DEFAULT_STATE_KEEP (90 * 86400.0)
#define CONFIG_DEFAULT_MAX_CONNECTIONS 64
#define CONFIG_DEFAULT_PER_HOST_CONNECTIONS 2
#define CONFIG_DEFAULT_TIMEOUT 60.0
#define CONFIG_DEFAULT_MAX_FEED_BYTES (10LL * 1024 * 1024)
#define CONFIG_DEFAULT_MAX_PAGE_BYTES (5LL * 1024 * 1024)

/*
 * Load path.  Returns 0 and *out (free with config_free), or -1 with
 * "FILE:LINE:COLUMN: message" (or "FILE: message" when the file cannot be
 * read) in err.
 */
int config_load(const char *path, struct config **out, char *err, size_t errlen);

void config_free(struct config *cfg);

/*
 * For each of cfg's feeds, first[i] is the index of the first feed with
 * the same url, byte for byte (i itself when none comes before it).
 * first has cfg->nfeeds slots.  Takes n log n, not n^2: check runs it on
 * up to CONFIG_MAX_FEEDS feeds within the unit's start timeout.  Returns
 * 0, or -1 when out of memory.
 */
int config_url_firsts(const struct config *cfg, size_t *first);

/* The name a feed gets without name: the URL's host (without port, user
 * and password) and path, the last segment's extension (a letter and up
 * to four more letters or digits) dropped, as config_name_from makes
 * them: http://127.0.0.1:8080/A.xml is 127.0.0.1-a.  url must satisfy
 * url_is_http.  Returns a malloc'ed string (caller frees), empty when
 * nothing usable is left, or NULL when out of memory. */
char *config_derive_name(const char *url);

/* len bytes of s as a feed name: lowercased, every run of other
 * characters than [a-z0-9.] as one '-', no '-' at either end, at most 64
 * bytes.  Returns a malloc'ed string as config_derive_name. */
char *config_name_from(const char *s, size_t len);

/* Read the whole of path (at most 16 MiB) into *buf, not NUL-terminated
 * (caller frees).  Returns 0, or -1 with "FILE: reason" in err. */
int config_read_file(const char *path, unsigned char **buf, size_t *len,
    char *err, size_t errlen);

/* Parse a duration "30s", "15m", "2h", "1d" or plain seconds ("90",
 * "1.5").  Returns 0 and *seconds (> 0), or -1. */
int config_parse_duration(const char *s, double *seconds);

#endif
