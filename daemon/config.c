/* config.c - see config.h */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "../feeds/article.h"
#include "../feeds/url.h"
#include "../store/redis_sink.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "revision.h"

#define CONFIG_MAX_FILE (16 * 1024 * 1024)
#define CONFIG_MAX_FEEDS 100000
/* Aliases let a small file name the same big scalar many times over; this
 * caps what the copies may add up to (a 16 MiB file without aliases stays
 * well below). */
#define CONFIG_MAX_COPIED (64 * 1024 * 1024)
#define NAME_MAX_LEN 64
#define DURATION_MAX (365.0 * 86400)
#define SIZE_MAX_BYTES (1LL << 30)

/* A feed's first_poll and article until set (0 is a value for them; the
 * other settings are unset while 0 or NULL, which no valid value is).  The
 * global values fill them in once the whole file is read, since global
 * keys may come after feeds:. */
#define UNSET -1

struct parse {
	const char *path;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	size_t copied;          /* bytes of scalars copied so far */
	yaml_mark_t *name_marks; /* per feed: its name, or its url if derived */
	yaml_mark_t url_mark;   /* of the feed being read */
	yaml_mark_t name_mark;  /* of the feed being read, if it has a name: */
	yaml_mark_t top_bound_mark;  /* of the last global min/max_interval */
	yaml_mark_t spool_mark; /* of spool: off */
	yaml_mark_t bound_mark; /* of the feed being read's, if it has one */
	int bound_set;
	yaml_mark_t *bound_marks; /* per feed: bound_mark, when bound_set */
	int *bound_sets;
	int in_feed;
};

#define AT_TOP 1
#define AT_FEED 2

struct key;
typedef int key_set_fn(struct parse *, const struct key *, yaml_node_t *,
    void *);

/* A key of feeds.yaml.  set() stores the value at the offset in struct
 * config (top level) or struct config_feed (in a feed); keys that fill
 * several fields have offset 0 and get the whole struct. */
struct key {
	const char *name;
	int where;              /* AT_TOP, AT_FEED or both */
	key_set_fn *set;
	size_t top_off;
	size_t feed_off;
	long min, max;          /* set_long only */
};

static key_set_fn set_string, set_duration, set_bool, set_size, set_long,
    set_first_poll, set_revisions, set_revision_checks, set_log_level, set_feeds, set_url, set_name, set_tags,
    set_extract, set_bound, set_headers, set_proxy, set_ca_file, set_spool,
    set_state, set_sink, set_metrics, set_duplicates;

#define TOP(f) offsetof(struct config, f)
#define FEED(f) offsetof(struct config_feed, f)

static const struct key keys[] = {
	{ "spool", AT_TOP, set_spool, TOP(spool), 0, 0, 0 },
	{ "state", AT_TOP, set_state, TOP(state), 0, 0, 0 },
	{ "sink", AT_TOP, set_sink, TOP(sink), 0, 0, 0 },
	{ "sink_maxlen", AT_TOP, set_long, TOP(sink_maxlen), 0,
	    0, 1000000000000 },
	{ "interval", AT_TOP | AT_FEED, set_duration, TOP(interval),
	    FEED(interval), 0, 0 },
	{ "min_interval", AT_TOP | AT_FEED, set_bound, TOP(min_interval),
	    FEED(min_interval), 0, 0 },
	{ "max_interval", AT_TOP | AT_FEED, set_bound, TOP(max_interval),
	    FEED(max_interval), 0, 0 },
	{ "user_agent", AT_TOP | AT_FEED, set_string, TOP(user_agent),
	    FEED(user_agent), 0, 0 },
	{ "headers", AT_TOP | AT_FEED, set_headers, TOP(headers),
	    FEED(headers), 0, 0 },
	{ "proxy", AT_TOP | AT_FEED, set_proxy, TOP(proxy), FEED(proxy), 0, 0 },
	{ "ca_file", AT_TOP | AT_FEED, set_ca_file, TOP(ca_file), FEED(ca_file),
	    0, 0 },
	{ "per_host_delay", AT_TOP, set_duration, TOP(per_host_delay), 0,
	    0, 0 },
	{ "max_retry_after", AT_TOP, set_duration, TOP(max_retry_after), 0,
	    0, 0 },
	{ "max_backoff", AT_TOP, set_duration, TOP(max_backoff), 0, 0, 0 },
	{ "lease", AT_TOP, set_duration, TOP(lease), 0, 0, 0 },
	{ "max_connections", AT_TOP, set_long, TOP(max_connections), 0,
	    1, 10000 },
	{ "per_host_connections", AT_TOP, set_long, TOP(per_host_connections),
	    0, 1, 1000 },
	{ "workers", AT_TOP, set_long, TOP(workers), 0, 0, 64 },
	{ "first_poll", AT_TOP | AT_FEED, set_first_poll, TOP(first_poll),
	    FEED(first_poll), 0, 0 },
	{ "duplicates", AT_TOP | AT_FEED, set_duplicates, TOP(duplicates),
	    FEED(duplicates), 0, 0 },
	{ "duplicate_window", AT_TOP, set_duration, TOP(duplicate_window), 0,
	    0, 0 },
	{ "article", AT_TOP | AT_FEED, set_bool, TOP(article), FEED(article),
	    0, 0 },
	{ "article_html", AT_TOP | AT_FEED, set_bool, TOP(article_html),
	    FEED(article_html), 0, 0 },
	{ "revisions", AT_TOP | AT_FEED, set_revisions, TOP(revisions),
	    FEED(revisions), 0, 0 },
	{ "revision_checks", AT_TOP | AT_FEED, set_revision_checks,
	    TOP(revision_checks), FEED(revision_checks), 0, 0 },
	{ "revision_budget", AT_TOP, set_long, TOP(revision_budget), 0,
	    1, 1000000 },
	{ "allow_private_addresses", AT_TOP, set_bool,
	    TOP(allow_private_addresses), 0, 0, 0 },
	{ "log_level", AT_TOP, set_log_level, TOP(log_level), 0, 0, 0 },
	{ "watch_config", AT_TOP, set_bool, TOP(watch_config), 0, 0, 0 },
	{ "metrics", AT_TOP, set_metrics, TOP(metrics), 0, 0, 0 },
	{ "metrics_per_feed", AT_TOP, set_bool, TOP(metrics_per_feed), 0,
	    0, 0 },
	{ "state_keep", AT_TOP, set_duration, TOP(state_keep), 0, 0, 0 },
	{ "spool_keep", AT_TOP, set_duration, TOP(spool_keep), 0, 0, 0 },
	{ "timeout", AT_TOP | AT_FEED, set_duration, TOP(timeout),
	    FEED(timeout), 0, 0 },
	{ "max_feed_bytes", AT_TOP | AT_FEED, set_size, TOP(max_feed_bytes),
	    FEED(max_feed_bytes), 0, 0 },
	{ "max_page_bytes", AT_TOP | AT_FEED, set_size, TOP(max_page_bytes),
	    FEED(max_page_bytes), 0, 0 },
	{ "feeds", AT_TOP, set_feeds, 0, 0, 0, 0 },
	{ "url", AT_FEED, set_url, 0, FEED(url), 0, 0 },
	{ "name", AT_FEED, set_name, 0, FEED(name), 0, 0 },
	{ "tags", AT_FEED, set_tags, 0, 0, 0, 0 },
	{ "extract", AT_FEED, set_extract, 0, 0, 0, 0 },
	{ "enabled", AT_FEED, set_bool, 0, FEED(enabled), 0, 0 },
};

/* Only to suggest a spelling: article_rule_field_known() decides what is
 * valid, so a field missing here merely goes unsuggested. */
static const char *const extract_fields[] = {
	"title", "description", "published", "modified", "authors", "section",
	"tags", "image", "language", "site_name", "publisher", "canonical_url",
	"text", "strip",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int __attribute__((format(printf, 3, 4)))
fail_at(struct parse *p, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%zu:%zu: ", p->path, mark.line + 1,
	    mark.column + 1);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static yaml_node_t *
node(struct parse *p, int index)
{
	return yaml_document_get_node(p->doc, index);
}

static const char *
str(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* YAML 1.1's null: an absent value, "~" or "null". */
static int
is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < NELEM(nulls); i++)
		if (strcmp(str(n), nulls[i]) == 0)
			return 1;
	return 0;
}

static size_t scheme_len(const char *s);

/* s, or in buf s with the password of a URL's user info as "***": error
 * messages go to terminals and journals, where a sink's or a database's
 * password has no place. */
static const char *
without_password(const char *s, char *buf, size_t len)
{
	const char *host = s + scheme_len(s), *end, *at, *colon;

	if (host == s || strpbrk(s, " \t") != NULL)
		return s;
	host += *host == ':';
	while (*host == '/')
		host++;
	end = host + strcspn(host, "/?#");
	if ((at = memrchr(host, '@', (size_t)(end - host))) == NULL ||
	    (colon = memchr(host, ':', (size_t)(at - host))) == NULL)
		return s;
	snprintf(buf, len, "%.*s***%s", (int)(colon + 1 - s), s, at);
	return buf;
}

/* What the user wrote, for "got ..." in messages: quoted, shortened to
 * whole UTF-8 characters, control characters as '?' so that the message
 * stays one line, a URL's password hidden. */
static const char *
describe(const yaml_node_t *n, char *buf, size_t len)
{
	char shown[1024];
	const char *s;
	size_t cut, o = 0;

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (is_null(n))
		return "nothing";
	s = without_password(str(n), shown, sizeof(shown));
	cut = strlen(s);
	if (cut > len - sizeof("''...")) {
		cut = len - sizeof("''...");
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	buf[o++] = '\'';
	for (size_t i = 0; i < cut; i++)
		buf[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	if (s[cut] != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* "KEY: expected WHAT, got ..." at the value. */
static int
fail_expected(struct parse *p, const char *key, yaml_node_t *v,
    const char *what)
{
	char buf[80];

	return fail_at(p, v->start_mark, "%s: expected %s, got %s", key, what,
	    describe(v, buf, sizeof(buf)));
}

/* The text of a scalar value, or NULL after reporting anything else. */
static const char *
scalar(struct parse *p, const char *key, yaml_node_t *v, const char *what)
{
	if (v->type != YAML_SCALAR_NODE || is_null(v)) {
		fail_expected(p, key, v, what);
		return NULL;
	}
	/* A "\0" escape would silently cut the value short. */
	if (strlen(str(v)) != v->data.scalar.length) {
		fail_at(p, v->start_mark, "%s: NUL character in value", key);
		return NULL;
	}
	return str(v);
}

static char *
copy(struct parse *p, const char *key, yaml_node_t *v)
{
	char *s;

	/* Count malloc's own overhead too, or empty tags would cost nothing. */
	p->copied += v->data.scalar.length + 16;
	if (p->copied > CONFIG_MAX_COPIED) {
		fail_at(p, v->start_mark, "%s: configuration too large once "
		    "aliases are expanded", key);
		return NULL;
	}
	if ((s = strdup(str(v))) == NULL)
		fail_at(p, v->start_mark, "%s: out of memory", key);
	return s;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
set_string(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "a non-empty string without control characters";
	const char *s;
	char **out = dst;
	char *dup;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	/* user_agent goes into a header line as it is. */
	if (has_control(s))
		return fail_expected(p, k->name, v, what);
	if ((dup = copy(p, k->name, v)) == NULL)
		return -1;
	free(*out);
	*out = dup;
	return 0;
}

/* A directory, or off: items go to the sink only (checked once the whole
 * file is read, as sink may come later). */
static int
set_spool(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	if (v->type == YAML_SCALAR_NODE && strcmp(str(v), "off") == 0) {
		free(*(char **)dst);
		*(char **)dst = NULL;
		p->spool_mark = v->start_mark;
		return 0;
	}
	return set_string(p, k, v, dst);
}

static size_t edit_distance(const char *a, const char *b);

/*
 * The length of the scheme s starts with, 0 when s reads as a path.  A
 * scheme is a letter, then letters, digits, '+', '-' or '.', then ':' or
 * "//": "postgresql:/h/db", "postgres//h/db", "x:y.db" start with one;
 * "state/db.sqlite", "./x:y.db", "/var/lib/x.db" do not.
 */
static size_t
scheme_len(const char *s)
{
	size_t n = 0;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	return s[n] == ':' || (s[n] == '/' && s[n + 1] == '/') ? n : 0;
}

/*
 * A value of key that starts with a scheme (scheme_len) must be
 * SCHEME://... with one of schemes (NULL-terminated, the usual spelling
 * first): any other is a mistyped URL, never a file name, and is reported
 * with the nearest supported form ("HOST:PORT..." lacks the scheme
 * rather than misspelling it), and when files is set (and the value has
 * no "//") with the file name that the value would be as a path.
 */
static int
check_scheme(struct parse *p, const struct key *k, yaml_node_t *v,
    const char *const *schemes, int files)
{
	const char *s = str(v), *best = schemes[0], *rest;
	size_t n = scheme_len(s), bestd = (size_t)-1;
	char word[NAME_MAX_LEN + 1], got[80], shown[1024];

	/* set_string refuses control characters, with its own message. */
	if (n == 0 || has_control(s))
		return 0;
	for (size_t i = 0; schemes[i] != NULL; i++)
		if (strlen(schemes[i]) == n && strncmp(s, schemes[i], n) == 0 &&
		    strncmp(s + n, "://", 3) == 0)
			return 0;
	snprintf(word, sizeof(word), "%.*s", (int)n, s);
	for (size_t i = 0; word[i] != '\0'; i++)
		if (word[i] >= 'A' && word[i] <= 'Z')
			word[i] += 'a' - 'A';
	for (size_t i = 0; schemes[i] != NULL; i++) {
		size_t d = edit_distance(word, schemes[i]);

		if (d < bestd) {
			best = schemes[i];
			bestd = d;
		}
	}
	/* The suggestion repeats the value, so it hides its password too. */
	s = without_password(s, shown, sizeof(shown));
	if (bestd > 0 && s[n] == ':' && s[n + 1] >= '0' && s[n + 1] <= '9') {
		best = schemes[0];
		rest = s;
	} else {
		/* One colon: another one starts an empty user name. */
		for (rest = s + n + (s[n] == ':'); *rest == '/'; rest++)
			;
	}
	if (files && strstr(s, "//") == NULL)
		return fail_at(p, v->start_mark, "%s: %s is no supported URL "
		    "(did you mean '%s://%.200s', or the file './%.200s'?)",
		    k->name, describe(v, got, sizeof(got)), best, rest, s);
	return fail_at(p, v->start_mark, "%s: %s is no supported URL (did you "
	    "mean '%s://%.200s'?)", k->name, describe(v, got, sizeof(got)),
	    best, rest);
}

/* A SQLite file, or a PostgreSQL URL (check_scheme). */
static int
set_state(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	static const char *const schemes[] = { "postgresql", "postgres", NULL };

	if (scalar(p, k->name, v, "a file or a postgresql:// URL") == NULL ||
	    check_scheme(p, k, v, schemes, 1) == -1)
		return -1;
	return set_string(p, k, v, dst);
}

static int
set_sink(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	static const char *const schemes[] = { "redis", NULL };
	const char *what = "a URL like redis://HOST[:PORT]/STREAM";
	struct redis_sink_url url;
	char why[256], got[80];
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL ||
	    check_scheme(p, k, v, schemes, 0) == -1)
		return -1;
	if (redis_sink_url_parse(s, &url, why, sizeof(why)) == -1)
		return fail_at(p, v->start_mark, "%s: expected %s, got %s: %s",
		    k->name, what, describe(v, got, sizeof(got)), why);
	return set_string(p, k, v, dst);
}

static int
set_metrics(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "an address like 127.0.0.1:9470, [::1]:9470 or 9470";
	const char *s;
	char host[256];
	long port;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (metrics_addr_parse(s, host, sizeof(host), &port) == -1)
		return fail_expected(p, k->name, v, what);
	return set_string(p, k, v, dst);
}

static int
set_duration(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "a duration like 30s, 15m, 2h";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (config_parse_duration(s, dst) == -1)
		return fail_expected(p, k->name, v, what);
	return 0;
}

/* min_interval and max_interval: a duration whose place is kept for the
 * message should the pair, once inherited, be the wrong way round. */
static int
set_bound(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	if (set_duration(p, k, v, dst) == -1)
		return -1;
	if (p->in_feed) {
		p->bound_mark = v->start_mark;
		p->bound_set = 1;
	} else
		p->top_bound_mark = v->start_mark;
	return 0;
}

static const char *key_name(struct parse *p, yaml_node_t *map,
    yaml_node_pair_t *pair);

/* RFC 9110 token characters, which a field name is made of. */
static int
is_token(const char *s)
{
	size_t n = strspn(s, "!#$%&'*+-.^_`|~0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

	return n > 0 && s[n] == '\0';
}

static int
set_headers(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	struct config_headers *h = dst;
	yaml_node_pair_t *pair;
	size_t n;

	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return fail_expected(p, k->name, v, "a mapping of Name: value");
	n = v->data.mapping.pairs.top - v->data.mapping.pairs.start;
	if (n == 0)
		return 0;
	if ((h->lines = calloc(n, sizeof(*h->lines))) == NULL)
		return fail_at(p, v->start_mark, "%s: out of memory", k->name);
	for (pair = v->data.mapping.pairs.start;
	    pair < v->data.mapping.pairs.top; pair++) {
		yaml_node_t *vn = node(p, pair->value);
		const char *name, *value;
		size_t len;

		if ((name = key_name(p, v, pair)) == NULL)
			return -1;
		if (!is_token(name))
			return fail_at(p, node(p, pair->key)->start_mark,
			    "%s: '%s' is not a header name", k->name, name);
		if ((value = scalar(p, name, vn, "a header value")) == NULL)
			return -1;
		for (const char *c = value; *c != '\0'; c++)
			if (((unsigned char)*c < 0x20 && *c != '\t') ||
			    *c == 0x7f)
				return fail_expected(p, name, vn,
				    "a value without control characters");
		len = strlen(name) + strlen(value) + 3;
		/* Counted like every other copied string. */
		if ((p->copied += len + 16) > CONFIG_MAX_COPIED)
			return fail_at(p, vn->start_mark, "%s: configuration "
			    "too large once aliases are expanded", name);
		if ((h->lines[h->n] = malloc(len)) == NULL)
			return fail_at(p, vn->start_mark, "%s: out of memory",
			    name);
		snprintf(h->lines[h->n++], len, "%s: %s", name, value);
	}
	return 0;
}

static int
set_proxy(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "a proxy URL like http://proxy:3128";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0 &&
	    strncmp(s, "socks4://", 9) != 0 && strncmp(s, "socks4a://", 10) != 0
	    && strncmp(s, "socks5://", 9) != 0 &&
	    strncmp(s, "socks5h://", 10) != 0)
		return fail_expected(p, k->name, v, what);
	return set_string(p, k, v, dst);
}

static int
set_ca_file(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *s;

	if ((s = scalar(p, k->name, v, "a file of CA certificates")) == NULL)
		return -1;
	if (access(s, R_OK) == -1)
		return fail_at(p, v->start_mark, "%s: cannot read %s: %s",
		    k->name, s, strerror(errno));
	return set_string(p, k, v, dst);
}

static int
set_bool(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	static const char *const words[] = { "false", "no", "off", "true",
	    "yes", "on" };
	const char *what = "true or false";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	for (size_t i = 0; i < NELEM(words); i++)
		if (strcasecmp(s, words[i]) == 0) {
			*(int *)dst = i >= NELEM(words) / 2;
			return 0;
		}
	return fail_expected(p, k->name, v, what);
}

/* Digits only: strtol would also take spaces, signs and "0x". */
static int
parse_digits(const char **s, long long limit, long long *out)
{
	long long n = 0;

	if (**s < '0' || **s > '9')
		return -1;
	for (; **s >= '0' && **s <= '9'; (*s)++) {
		n = n * 10 + (**s - '0');
		if (n > limit)
			return -1;
	}
	*out = n;
	return 0;
}

static int
set_size(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "a size from 1 to 1G like 512K or 10M";
	const char *s;
	long long n;
	int shift = 0;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (parse_digits(&s, SIZE_MAX_BYTES, &n) == -1)
		return fail_expected(p, k->name, v, what);
	switch (*s) {
	case 'k': case 'K': shift = 10; s++; break;
	case 'm': case 'M': shift = 20; s++; break;
	case 'g': case 'G': shift = 30; s++; break;
	}
	if (*s != '\0' || n < 1 || n > SIZE_MAX_BYTES >> shift)
		return fail_expected(p, k->name, v, what);
	*(int64_t *)dst = (int64_t)n << shift;
	return 0;
}

static int
set_long(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	char what[64];
	const char *s;
	long long n;

	snprintf(what, sizeof(what), "an integer from %ld to %ld", k->min,
	    k->max);
	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (parse_digits(&s, k->max, &n) == -1 || *s != '\0' || n < k->min)
		return fail_expected(p, k->name, v, what);
	*(long *)dst = (long)n;
	return 0;
}

static int
set_first_poll(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "emit or skip";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (strcmp(s, "emit") == 0)
		*(int *)dst = FIRST_POLL_EMIT;
	else if (strcmp(s, "skip") == 0)
		*(int *)dst = FIRST_POLL_SKIP;
	else
		return fail_expected(p, k->name, v, what);
	return 0;
}

/* Indexed by DUPLICATES_*. */
static const char *const duplicates_names[] = { "off", "mark", "skip" };

static int
set_duplicates(struct parse *p, const struct key *k, yaml_node_t *v,
    void *dst)
{
	const char *what = "off, mark or skip";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(s, duplicates_names[i]) == 0) {
			*(int *)dst = i;
			return 0;
		}
	return fail_expected(p, k->name, v, what);
}

static int
set_revisions(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "off or feed or pages";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (strcmp(s, "off") == 0)
		*(int *)dst = REVISIONS_OFF;
	else if (strcmp(s, "feed") == 0)
		*(int *)dst = REVISIONS_FEED;
	else if (strcmp(s, "pages") == 0)
		*(int *)dst = REVISIONS_PAGES;
	else
		return fail_expected(p, k->name, v, what);
	return 0;
}

/* Ascending, so that the next check is always the first one ahead; past
 * REVISION_WINDOW_US the version it compares with is forgotten. */
static int
set_revision_checks(struct parse *p, const struct key *k, yaml_node_t *v,
    void *dst)
{
	const char *what = "a list of durations like [15m, 1h, 4h, 16h, 64h]";
	struct revision_checks *c = dst;
	yaml_node_item_t *item;
	double prev = 0;

	if (v->type != YAML_SEQUENCE_NODE)
		return fail_expected(p, k->name, v, what);
	c->n = 0;
	for (item = v->data.sequence.items.start;
	    item < v->data.sequence.items.top; item++) {
		yaml_node_t *t = node(p, *item);
		const char *s = scalar(p, k->name, t, what);
		double after;

		if (s == NULL)
			return -1;
		if (config_parse_duration(s, &after) == -1 || after <= prev)
			return fail_at(p, t->start_mark, "%s: expected ascending "
			    "durations, each above 0, got '%s'", k->name, s);
		if (after * 1e6 >= (double)REVISION_WINDOW_US)
			return fail_at(p, t->start_mark, "%s: '%s' is not within "
			    "the 72h a version is kept", k->name, s);
		if (c->n == REVISION_CHECKS_MAX)
			return fail_at(p, t->start_mark, "%s: at most %d "
			    "checks", k->name, REVISION_CHECKS_MAX);
		c->after[c->n++] = prev = after;
	}
	if (c->n == 0)
		return fail_at(p, v->start_mark, "%s: expected at least one "
		    "duration, like [15m, 1h]", k->name);
	return 0;
}

static int
set_log_level(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "debug, info, warning or error";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (log_level_parse(s) == -1)
		return fail_expected(p, k->name, v, what);
	return set_string(p, k, v, dst);
}

static int
set_url(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "an http:// or https:// URL";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (!url_is_http(s))
		return fail_expected(p, k->name, v, what);
	for (const char *c = s; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return fail_expected(p, k->name, v, what);
	p->url_mark = v->start_mark;
	return set_string(p, k, v, dst);
}

static int
name_valid(const char *s)
{
	size_t len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-");

	return len > 0 && len <= NAME_MAX_LEN && s[len] == '\0';
}

static int
set_name(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	const char *what = "1 to 64 letters, digits, '.', '_' or '-'";
	const char *s;

	if ((s = scalar(p, k->name, v, what)) == NULL)
		return -1;
	if (!name_valid(s))
		return fail_expected(p, k->name, v, what);
	p->name_mark = v->start_mark;
	return set_string(p, k, v, dst);
}

static int
set_tags(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	struct config_feed *f = dst;
	yaml_node_item_t *item;
	size_t n;

	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail_expected(p, k->name, v, "a list like [world, it]");
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n == 0)
		return 0;
	if ((f->tags = calloc(n, sizeof(*f->tags))) == NULL)
		return fail_at(p, v->start_mark, "%s: out of memory", k->name);
	for (item = v->data.sequence.items.start;
	    item < v->data.sequence.items.top; item++) {
		yaml_node_t *t = node(p, *item);

		if (scalar(p, "tag", t, "a non-empty string") == NULL ||
		    (f->tags[f->ntags] = copy(p, "tag", t)) == NULL)
			return -1;
		f->ntags++;
	}
	return 0;
}

/* Optimal string alignment distance: typos are mostly one slip or two
 * swapped letters. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[3][NAME_MAX_LEN + 1], *prev2 = d[0], *prev = d[1], *cur = d[2];

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* Keep in *best the candidate closest to word, if close enough to be a
 * plausible misspelling: two slips, or a third of a long word. */
static void
nearest(const char *word, const char *cand, const char **best, size_t *bestd)
{
	size_t d = edit_distance(word, cand), len = strlen(word);
	size_t limit = len / 3 > 2 ? len / 3 : 2;

	if (d <= limit && d < len && d < *bestd) {
		*best = cand;
		*bestd = d;
	}
}

static int
fail_unknown(struct parse *p, yaml_node_t *kn, const char *what,
    const char *best)
{
	if (best == NULL)
		return fail_at(p, kn->start_mark, "unknown %s '%s'", what,
		    str(kn));
	return fail_at(p, kn->start_mark, "unknown %s '%s' (did you mean "
	    "'%s'?)", what, str(kn), best);
}

/* The name of a mapping key, and no earlier key of map spells it too. */
static const char *
key_name(struct parse *p, yaml_node_t *map, yaml_node_pair_t *pair)
{
	yaml_node_t *kn = node(p, pair->key);

	if (kn->type != YAML_SCALAR_NODE || is_null(kn)) {
		fail_expected(p, "key", kn, "a name");
		return NULL;
	}
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pair;
	    q++) {
		yaml_node_t *qn = node(p, q->key);

		if (strcmp(str(qn), str(kn)) == 0) {
			fail_at(p, kn->start_mark, "duplicate key '%s' (also "
			    "at line %zu)", str(kn), qn->start_mark.line + 1);
			return NULL;
		}
	}
	return str(kn);
}

static int
fail_unknown_key(struct parse *p, yaml_node_t *kn, int where)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;

	for (size_t i = 0; i < NELEM(keys); i++) {
		if (strcmp(keys[i].name, str(kn)) == 0)
			return fail_at(p, kn->start_mark, where == AT_FEED ?
			    "'%s' can only be set at the top level" :
			    "'%s' can only be set in a feed", str(kn));
		if (keys[i].where & where)
			nearest(str(kn), keys[i].name, &best, &bestd);
	}
	return fail_unknown(p, kn, "key", best);
}

/*
 * Apply the keys of map to base (a struct config or a struct config_feed,
 * as where says).  Unknown and duplicate keys are checked before any value,
 * so a mapping costs at most as many steps as there are keys.
 */
static int
walk(struct parse *p, yaml_node_t *map, int where, void *base)
{
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		const struct key *k = NULL;
		const char *name;

		if ((name = key_name(p, map, pair)) == NULL)
			return -1;
		for (size_t i = 0; i < NELEM(keys) && k == NULL; i++)
			if ((keys[i].where & where) &&
			    strcmp(keys[i].name, name) == 0)
				k = &keys[i];
		if (k == NULL)
			return fail_unknown_key(p, node(p, pair->key), where);
		if (k->set(p, k, node(p, pair->value), (char *)base +
		    (where == AT_TOP ? k->top_off : k->feed_off)) == -1)
			return -1;
	}
	return 0;
}

/* Add the rule field: xpath (the scalar xn, under the key kn) to f. */
static int
add_rule(struct parse *p, struct config_feed *f, const char *field,
    yaml_node_t *kn, yaml_node_t *xn)
{
	struct article_rule *r = &f->rules[f->nrules];
	char why[256];

	if (scalar(p, field, xn, "an XPath expression") == NULL)
		return -1;
	if (article_rule_check(str(xn), why, sizeof(why)) == -1)
		return fail_at(p, xn->start_mark, "%s: %s", field, why);
	if ((r->field = copy(p, field, kn)) == NULL)
		return -1;
	f->nrules++;
	if ((r->xpath = copy(p, field, xn)) == NULL)
		return -1;
	return 0;
}

static int
set_extract(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	struct config_feed *f = dst;
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	yaml_node_t *xn;
	size_t n = 0;

	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return fail_expected(p, k->name, v,
		    "a mapping of field: XPath");
	/* One rule per field, and one per XPath of a strip: list. */
	for (pair = v->data.mapping.pairs.start;
	    pair < v->data.mapping.pairs.top; pair++) {
		xn = node(p, pair->value);
		n += xn->type == YAML_SEQUENCE_NODE ?
		    (size_t)(xn->data.sequence.items.top -
		    xn->data.sequence.items.start) : 1;
	}
	if (n == 0)
		return 0;
	if ((f->rules = calloc(n, sizeof(*f->rules))) == NULL)
		return fail_at(p, v->start_mark, "%s: out of memory", k->name);
	for (pair = v->data.mapping.pairs.start;
	    pair < v->data.mapping.pairs.top; pair++) {
		const char *field, *best = NULL;
		size_t bestd = (size_t)-1;

		xn = node(p, pair->value);
		if ((field = key_name(p, v, pair)) == NULL)
			return -1;
		if (article_rule_field_known(field) == -1) {
			for (size_t i = 0; i < NELEM(extract_fields); i++)
				if (article_rule_field_known(extract_fields[i])
				    == 0)
					nearest(field, extract_fields[i], &best,
					    &bestd);
			return fail_unknown(p, node(p, pair->key),
			    "extract field", best);
		}
		if (strcmp(field, "strip") != 0 ||
		    xn->type != YAML_SEQUENCE_NODE) {
			if (add_rule(p, f, field, node(p, pair->key), xn) == -1)
				return -1;
			continue;
		}
		for (item = xn->data.sequence.items.start;
		    item < xn->data.sequence.items.top; item++)
			if (add_rule(p, f, field, node(p, pair->key),
			    node(p, *item)) == -1)
				return -1;
	}
	return 0;
}

char *
config_name_from(const char *s, size_t len)
{
	const char *end = s + len;
	char *name, *o;

	if ((name = malloc(NAME_MAX_LEN + 1)) == NULL)
		return NULL;
	for (o = name; s < end && o < name + NAME_MAX_LEN; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if ((c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.')
			c = '-';
		if (c == '-' && (o == name || o[-1] == '-'))
			continue;
		*o++ = (char)c;
	}
	while (o > name && o[-1] == '-')
		o--;
	*o = '\0';
	return name;
}

char *
config_derive_name(const char *url)
{
	/* url_is_http() vouched for the "://". */
	const char *s = strstr(url, "://") + 3, *host = s, *host_end, *end;
	const char *path_end, *seg, *dot;
	char *joined, *name;

	end = s + strcspn(s, "/?#");
	/* The last '@' ends the user info, which may hold a password. */
	for (const char *at = s; at < end; at++)
		if (*at == '@')
			host = at + 1;
	/* Without the port: "127.0.0.1-18777-..." reads as three numbers. */
	host_end = *host == '[' ? memchr(host, ']', (size_t)(end - host)) :
	    memchr(host, ':', (size_t)(end - host));
	if (host_end == NULL)
		host_end = end;
	else if (*host == '[')
		host_end++;
	path_end = end + strcspn(end, "?#");
	/* The last segment's stem: ".xml", ".rss", ".php" say nothing of
	 * the feed. */
	for (seg = path_end; seg > end && seg[-1] != '/'; seg--)
		;
	for (dot = path_end; dot > seg && dot[-1] != '.'; dot--)
		;
	if (dot - 1 > seg && path_end - dot >= 1 && path_end - dot <= 5 &&
	    isalpha((unsigned char)*dot) && strspn(dot, "abcdefghijklmnopqrstu"
	    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") >=
	    (size_t)(path_end - dot))
		path_end = dot - 1;
	if (asprintf(&joined, "%.*s%.*s", (int)(host_end - host), host,
	    (int)(path_end - end), end) == -1)
		return NULL;
	name = config_name_from(joined, strlen(joined));
	free(joined);
	return name;
}

static int
read_feed(struct parse *p, yaml_node_t *v, struct config_feed *f)
{
	char buf[80], *clean;

	f->first_poll = UNSET;
	f->duplicates = UNSET;
	f->article = UNSET;
	f->article_html = UNSET;
	f->revisions = UNSET;
	f->enabled = 1;
	f->line = (int)v->start_mark.line + 1;
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(p, v->start_mark, "feed: expected a mapping "
		    "like {url: ...}, got %s", describe(v, buf, sizeof(buf)));
	p->in_feed = 1;
	p->bound_set = 0;
	if (walk(p, v, AT_FEED, f) == -1)
		return -1;
	p->in_feed = 0;
	f->interval_pinned = f->interval != 0;
	if (f->url == NULL)
		return fail_at(p, v->start_mark, "feed has no url");
	if ((clean = url_without_password(f->url, &f->password)) == NULL)
		return fail_at(p, p->url_mark, "out of memory");
	free(f->url);
	f->url = clean;
	if (f->name == NULL) {
		p->name_mark = p->url_mark;
		if ((f->name = config_derive_name(f->url)) == NULL)
			return fail_at(p, p->url_mark, "out of memory");
		if (*f->name == '\0')
			return fail_at(p, p->url_mark, "url: cannot derive a "
			    "feed name from '%s', give the feed a name",
			    f->url);
	}
	return 0;
}

static int
set_feeds(struct parse *p, const struct key *k, yaml_node_t *v, void *dst)
{
	struct config *cfg = dst;
	yaml_node_item_t *item;
	size_t n;

	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail_expected(p, k->name, v, "a list of feeds");
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n > CONFIG_MAX_FEEDS)
		return fail_at(p, node(p, v->data.sequence.items.start[
		    CONFIG_MAX_FEEDS])->start_mark, "more than %d feeds",
		    CONFIG_MAX_FEEDS);
	if (n == 0)
		return 0;
	if ((cfg->feeds = calloc(n, sizeof(*cfg->feeds))) == NULL ||
	    (p->name_marks = calloc(n, sizeof(*p->name_marks))) == NULL ||
	    (p->bound_marks = calloc(n, sizeof(*p->bound_marks))) == NULL ||
	    (p->bound_sets = calloc(n, sizeof(*p->bound_sets))) == NULL)
		return fail_at(p, v->start_mark, "feeds: out of memory");
	for (item = v->data.sequence.items.start;
	    item < v->data.sequence.items.top; item++) {
		/* Counted first so that config_free sees a half-read feed. */
		struct config_feed *f = &cfg->feeds[cfg->nfeeds++];

		if (read_feed(p, node(p, *item), f) == -1)
			return -1;
		p->name_marks[cfg->nfeeds - 1] = p->name_mark;
		p->bound_marks[cfg->nfeeds - 1] = p->bound_mark;
		p->bound_sets[cfg->nfeeds - 1] = p->bound_set;
	}
	return 0;
}

struct by_field {
	const struct config_feed *feeds;
	size_t off;             /* of the char * compared */
};

static const char *
field_of(const struct config_feed *f, size_t off)
{
	return *(char *const *)(const void *)((const char *)f + off);
}

static int
by_field(const void *a, const void *b, void *arg)
{
	const struct by_field *k = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(field_of(&k->feeds[ia], k->off),
	    field_of(&k->feeds[ib], k->off));

	/* Equal strings stay in file order, so the first one is the
	 * original. */
	if (c == 0)
		c = (ia > ib) - (ia < ib);
	return c;
}

/* Sorted, because 100000 feeds compared pairwise take minutes. */
static int
firsts_by(const struct config *cfg, size_t off, size_t *first)
{
	struct by_field k = { cfg->feeds, off };
	size_t *order;

	if (cfg->nfeeds == 0)
		return 0;
	if ((order = calloc(cfg->nfeeds, sizeof(*order))) == NULL)
		return -1;
	for (size_t i = 0; i < cfg->nfeeds; i++)
		order[i] = i;
	qsort_r(order, cfg->nfeeds, sizeof(*order), by_field, &k);
	for (size_t i = 0; i < cfg->nfeeds; i++)
		first[order[i]] = i > 0 &&
		    strcmp(field_of(&cfg->feeds[order[i - 1]], off),
		    field_of(&cfg->feeds[order[i]], off)) == 0 ?
		    first[order[i - 1]] : order[i];
	free(order);
	return 0;
}

int
config_url_firsts(const struct config *cfg, size_t *first)
{
	return firsts_by(cfg, offsetof(struct config_feed, url), first);
}

static int
check_names(struct parse *p, struct config *cfg)
{
	size_t *first, dup, orig;

	if (cfg->nfeeds < 2)
		return 0;
	if ((first = calloc(cfg->nfeeds, sizeof(*first))) == NULL ||
	    firsts_by(cfg, offsetof(struct config_feed, name), first) == -1) {
		free(first);
		snprintf(p->err, p->errlen, "%s: out of memory", p->path);
		return -1;
	}
	/* Of several clashes, report the one that comes first in the file. */
	for (dup = 0; dup < cfg->nfeeds && first[dup] == dup; dup++)
		;
	orig = dup < cfg->nfeeds ? first[dup] : dup;
	free(first);
	if (dup == cfg->nfeeds)
		return 0;
	return fail_at(p, p->name_marks[dup], "duplicate feed name '%s' "
	    "(also at line %zu)", cfg->feeds[dup].name,
	    p->name_marks[orig].line + 1);
}

/* Did the feed's own headers name the header of line? */
static int
header_named(const struct config_headers *h, const char *line)
{
	size_t len = strcspn(line, ":");

	for (size_t i = 0; i < h->n; i++)
		if (strncasecmp(h->lines[i], line, len) == 0 &&
		    h->lines[i][len] == ':')
			return 1;
	return 0;
}

/* The global headers the feed does not name go first. */
static int
inherit_headers(const struct config_headers *top, struct config_headers *h)
{
	char **lines;
	size_t n = 0;

	if (top->n == 0)
		return 0;
	if ((lines = calloc(top->n + h->n, sizeof(*lines))) == NULL)
		return -1;
	for (size_t i = 0; i < top->n; i++)
		if (!header_named(h, top->lines[i]) &&
		    (lines[n++] = strdup(top->lines[i])) == NULL) {
			h->lines = lines;
			h->n = n;
			return -1;
		}
	if (h->n > 0)
		memcpy(lines + n, h->lines, h->n * sizeof(*lines));
	free(h->lines);
	h->lines = lines;
	h->n += n;
	return 0;
}

static int
dup_unset(char **dst, const char *src)
{
	if (*dst == NULL && src != NULL && (*dst = strdup(src)) == NULL)
		return -1;
	return 0;
}

static int
inherit(struct config *cfg, struct config_feed *f)
{
	if (f->interval == 0)
		f->interval = cfg->interval;
	if (f->min_interval == 0)
		f->min_interval = cfg->min_interval;
	if (f->max_interval == 0)
		f->max_interval = cfg->max_interval;
	f->max_backoff = cfg->max_backoff;
	f->state_keep = cfg->state_keep;
	if (f->timeout == 0)
		f->timeout = cfg->timeout;
	if (f->first_poll == UNSET)
		f->first_poll = cfg->first_poll;
	if (f->duplicates == UNSET)
		f->duplicates = cfg->duplicates;
	f->duplicate_window = cfg->duplicate_window;
	if (f->article == UNSET)
		f->article = cfg->article;
	if (f->article_html == UNSET)
		f->article_html = cfg->article_html;
	if (f->revisions == UNSET)
		f->revisions = cfg->revisions;
	if (f->revision_checks.n == 0)
		f->revision_checks = cfg->revision_checks;
	/* Without article fetching there is no page to read again. */
	if (f->revisions == REVISIONS_PAGES && !f->article)
		f->revisions = REVISIONS_FEED;
	f->revision_budget = cfg->revision_budget;
	if (f->max_feed_bytes == 0)
		f->max_feed_bytes = cfg->max_feed_bytes;
	if (f->max_page_bytes == 0)
		f->max_page_bytes = cfg->max_page_bytes;
	if (dup_unset(&f->user_agent, cfg->user_agent) == -1 ||
	    dup_unset(&f->proxy, cfg->proxy) == -1 ||
	    dup_unset(&f->ca_file, cfg->ca_file) == -1)
		return -1;
	return inherit_headers(&cfg->headers, &f->headers);
}

/* min_interval <= max_interval once inherited, reported where the feed
 * (else the top level) set the last of the two. */
static int
check_bounds(struct parse *p, struct config *cfg)
{
	if (cfg->min_interval > cfg->max_interval)
		return fail_at(p, p->top_bound_mark, "min_interval (%gs) is "
		    "greater than max_interval (%gs)", cfg->min_interval,
		    cfg->max_interval);
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *f = &cfg->feeds[i];

		if (f->min_interval > f->max_interval)
			return fail_at(p, p->bound_sets[i] ? p->bound_marks[i] :
			    p->top_bound_mark, "feed %s: min_interval (%gs) is "
			    "greater than max_interval (%gs)", f->name,
			    f->min_interval, f->max_interval);
	}
	return 0;
}

int
config_read_file(const char *path, unsigned char **buf, size_t *len,
    char *err, size_t errlen)
{
	unsigned char *b = NULL, *nb;
	size_t n = 0, cap = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			/* One byte past the limit tells "too large". */
			cap = cap ? cap * 2 : 64 * 1024;
			if (cap > CONFIG_MAX_FILE + 1)
				cap = CONFIG_MAX_FILE + 1;
			if ((nb = realloc(b, cap)) == NULL) {
				snprintf(err, errlen, "%s: out of memory",
				    path);
				goto fail;
			}
			b = nb;
		}
		n += fread(b + n, 1, cap - n, fp);
		if (n > CONFIG_MAX_FILE) {
			snprintf(err, errlen, "%s: larger than %d MiB", path,
			    CONFIG_MAX_FILE >> 20);
			goto fail;
		}
		if (ferror(fp)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (feof(fp))
			break;
	}
	fclose(fp);
	*buf = b;
	*len = n;
	return 0;
fail:
	fclose(fp);
	free(b);
	return -1;
}

static int
fail_yaml(struct parse *p, yaml_parser_t *parser, const unsigned char *buf)
{
	yaml_mark_t m = parser->problem_mark;

	if (parser->error == YAML_MEMORY_ERROR) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->path);
		return -1;
	}
	if (parser->error == YAML_READER_ERROR) {
		/* The reader knows the byte offset only. */
		memset(&m, 0, sizeof(m));
		for (size_t i = 0; i < parser->problem_offset; i++) {
			if (buf[i] == '\n') {
				m.line++;
				m.column = 0;
			} else if ((buf[i] & 0xc0) != 0x80)
				m.column++;
		}
		if (parser->problem_value != -1)
			return fail_at(p, m, "%s (byte 0x%02X)",
			    parser->problem, (unsigned)parser->problem_value);
		return fail_at(p, m, "%s", parser->problem);
	}
	if (parser->context != NULL)
		return fail_at(p, m, "%s (%s at line %zu, column %zu)",
		    parser->problem, parser->context,
		    parser->context_mark.line + 1,
		    parser->context_mark.column + 1);
	return fail_at(p, m, "%s", parser->problem);
}

/* Load the one document of buf into doc (deleted by the caller either
 * way). */
static int
load(struct parse *p, const unsigned char *buf, size_t len,
    yaml_document_t *doc)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = -1;

	memset(&extra, 0, sizeof(extra));
	if (!yaml_parser_initialize(&parser)) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->path);
		return -1;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, doc)) {
		fail_yaml(p, &parser, buf);
		goto out;
	}
	/* A second document would otherwise be ignored without a word. */
	if (!yaml_parser_load(&parser, &extra)) {
		fail_yaml(p, &parser, buf);
		goto out;
	}
	if ((root = yaml_document_get_root_node(&extra)) != NULL) {
		fail_at(p, root->start_mark, "only one YAML document allowed");
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&extra);
	yaml_parser_delete(&parser);
	return rc;
}

static int
set_defaults(struct config *cfg, const char *path)
{
	cfg->interval = CONFIG_DEFAULT_INTERVAL;
	cfg->min_interval = CONFIG_DEFAULT_MIN_INTERVAL;
	cfg->max_interval = CONFIG_DEFAULT_MAX_INTERVAL;
	cfg->max_retry_after = CONFIG_DEFAULT_MAX_RETRY_AFTER;
	cfg->max_backoff = CONFIG_DEFAULT_MAX_BACKOFF;
	cfg->lease = CONFIG_DEFAULT_LEASE;
	cfg->max_connections = CONFIG_DEFAULT_MAX_CONNECTIONS;
	cfg->per_host_connections = CONFIG_DEFAULT_PER_HOST_CONNECTIONS;
	cfg->first_poll = FIRST_POLL_EMIT;
	cfg->duplicates = DUPLICATES_MARK;
	cfg->duplicate_window = CONFIG_DEFAULT_DUPLICATE_WINDOW;
	cfg->article = 1;
	cfg->revisions = REVISIONS_FEED;
	cfg->revision_checks = (struct revision_checks)CONFIG_DEFAULT_REVISION_CHECKS;
	cfg->revision_budget = CONFIG_DEFAULT_REVISION_BUDGET;
	cfg->allow_private_addresses = 0;
	cfg->watch_config = 1;
	cfg->metrics_per_feed = 1;
	cfg->state_keep = CONFIG_DEFAULT_STATE_KEEP;
	cfg->sink_maxlen = CONFIG_DEFAULT_SINK_MAXLEN;
	cfg->timeout = CONFIG_DEFAULT_TIMEOUT;
	cfg->max_feed_bytes = CONFIG_DEFAULT_MAX_FEED_BYTES;
	cfg->max_page_bytes = CONFIG_DEFAULT_MAX_PAGE_BYTES;
	if ((cfg->path = strdup(path)) == NULL ||
	    (cfg->spool = strdup(CONFIG_DEFAULT_SPOOL)) == NULL ||
	    (cfg->state = strdup(CONFIG_DEFAULT_STATE)) == NULL ||
	    (cfg->user_agent = strdup(CONFIG_DEFAULT_USER_AGENT)) == NULL ||
	    (cfg->log_level = strdup("info")) == NULL)
		return -1;
	return 0;
}

int
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct parse p = { .path = path, .err = err, .errlen = errlen };
	struct config *cfg = NULL;
	unsigned char *buf = NULL;
	yaml_document_t doc;
	yaml_node_t *root;
	size_t len;

	memset(&doc, 0, sizeof(doc));
	p.doc = &doc;
	if (config_read_file(path, &buf, &len, err, errlen) == -1)
		goto fail;
	if (load(&p, buf, len, &doc) == -1)
		goto fail;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    set_defaults(cfg, path) == -1) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	/* No document, or "---" alone, leaves every default. */
	if ((root = yaml_document_get_root_node(&doc)) != NULL &&
	    !is_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			char got[80];

			fail_at(&p, root->start_mark, "expected a mapping of "
			    "settings at the top, got %s",
			    describe(root, got, sizeof(got)));
			goto fail;
		}
		if (walk(&p, root, AT_TOP, cfg) == -1)
			goto fail;
	}
	if (cfg->spool == NULL && cfg->sink == NULL) {
		fail_at(&p, p.spool_mark, "spool: off needs a sink, or items "
		    "would go nowhere");
		goto fail;
	}
	if (check_names(&p, cfg) == -1)
		goto fail;
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (inherit(cfg, &cfg->feeds[i]) == -1) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
	if (check_bounds(&p, cfg) == -1)
		goto fail;
	free(p.name_marks);
	free(p.bound_marks);
	free(p.bound_sets);
	yaml_document_delete(&doc);
	free(buf);
	*out = cfg;
	return 0;
fail:
	config_free(cfg);
	free(p.name_marks);
	free(p.bound_marks);
	free(p.bound_sets);
	yaml_document_delete(&doc);
	free(buf);
	return -1;
}

static void
headers_free(struct config_headers *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->lines[i]);
	free(h->lines);
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		struct config_feed *f = &cfg->feeds[i];

		free(f->url);
		free(f->password);
		free(f->name);
		for (size_t j = 0; j < f->ntags; j++)
			free(f->tags[j]);
		free(f->tags);
		for (size_t j = 0; j < f->nrules; j++) {
			free((char *)f->rules[j].field);
			free((char *)f->rules[j].xpath);
		}
		free(f->rules);
		free(f->user_agent);
		free(f->proxy);
		free(f->ca_file);
		headers_free(&f->headers);
	}
	free(cfg->feeds);
	free(cfg->proxy);
	free(cfg->ca_file);
	headers_free(&cfg->headers);
	free(cfg->path);
	free(cfg->spool);
	free(cfg->state);
	free(cfg->sink);
	free(cfg->metrics);
	free(cfg->user_agent);
	free(cfg->log_level);
	free(cfg);
}

int
config_parse_duration(const char *s, double *seconds)
{
	double v = 0, scale = 1;
	int digits = 0;

	/* By hand: strtod would take "inf", "0x1p4", "1e9" and the locale's
	 * decimal comma. */
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		v = v * 10 + (*s - '0');
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			v += (*s - '0') * (scale /= 10);
	}
	if (digits == 0)
		return -1;
	switch (*s) {
	case 'd': v *= 24;
		/* FALLTHROUGH */
	case 'h': v *= 60;
		/* FALLTHROUGH */
	case 'm': v *= 60;
		/* FALLTHROUGH */
	case 's': s++;
		/* FALLTHROUGH */
	case '\0':
		break;
	default:
		return -1;
	}
	if (*s != '\0' || v <= 0 || v > DURATION_MAX)
		return -1;
	*seconds = v;
	return 0;
}
