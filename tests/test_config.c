/*
 * test_config.c - config_load on fixtures under tests/data/config/ and on
 * small files written from strings (one per error, with the exact message
 * a user would see), config_parse_duration, feed name derivation.
 * Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../daemon/config.h"

#define DATA "tests/data/config/"

/* Write text to a new temporary file; its name goes into path. */
static void
write_temp(const char *text, size_t len, char *path, size_t pathlen)
{
	FILE *fp;
	int fd;

	snprintf(path, pathlen, "/tmp/test_config.XXXXXX");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static struct config *
load_string(const char *text)
{
	struct config *cfg = NULL;
	char path[64], err[1024];

	write_temp(text, strlen(text), path, sizeof(path));
	if (config_load(path, &cfg, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	unlink(path);
	return cfg;
}

/* text must be refused with "PATH:" followed by want. */
static void
check_error(const char *text, const char *want)
{
	struct config *cfg = NULL;
	char path[64], err[1024], full[1024];

	write_temp(text, strlen(text), path, sizeof(path));
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_null(cfg);
	unlink(path);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	assert_string_equal(err, full);
}

static void
test_full(void **state)
{
	struct config *cfg = NULL;
	const struct config_feed *f;
	char err[1024];

	(void)state;
	if (config_load(DATA "full.yaml", &cfg, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_string_equal(cfg->path, DATA "full.yaml");
	/* Relative paths are kept as written: relative to the cwd. */
	assert_string_equal(cfg->spool, "./var/spool");
	assert_string_equal(cfg->state, "./var/state.db");
	assert_true(cfg->interval == 900.0);
	assert_string_equal(cfg->user_agent,
	    "newswatch-test/1.0 (+https://example.org/bot)");
	assert_int_equal(cfg->max_connections, 10);
	assert_int_equal(cfg->per_host_connections, 3);
	assert_int_equal(cfg->first_poll, FIRST_POLL_SKIP);
	assert_int_equal(cfg->article, 1);
	assert_int_equal(cfg->article_html, 1);
	assert_int_equal(cfg->allow_private_addresses, 1);
	assert_string_equal(cfg->log_level, "debug");
	assert_int_equal(cfg->watch_config, 0);
	assert_true(cfg->state_keep == 30 * 86400.0);
	assert_true(cfg->spool_keep == 14 * 86400.0);
	assert_true(cfg->timeout == 45.0);
	assert_int_equal(cfg->max_feed_bytes, 2 * 1024 * 1024);
	assert_int_equal(cfg->max_page_bytes, 512 * 1024);
	assert_int_equal(cfg->nfeeds, 3);

	/* Every setting overridden. */
	f = &cfg->feeds[0];
	assert_string_equal(f->url, "https://example.org/feed.xml");
	assert_string_equal(f->name, "example");
	assert_int_equal(f->line, 17);
	assert_true(f->interval == 300.0);
	assert_int_equal(f->ntags, 2);
	assert_string_equal(f->tags[0], "world");
	assert_string_equal(f->tags[1], "it");
	assert_int_equal(f->nrules, 4);
	assert_string_equal(f->rules[0].field, "title");
	assert_string_equal(f->rules[0].xpath,
	    "/html/head/meta[@property='og:title']/@content");
	assert_string_equal(f->rules[1].field, "text");
	assert_string_equal(f->rules[1].xpath, "//div[@class='article-body']");
	/* One rule per XPath of a strip: list. */
	assert_string_equal(f->rules[2].field, "strip");
	assert_string_equal(f->rules[2].xpath, "//aside");
	assert_string_equal(f->rules[3].field, "strip");
	assert_string_equal(f->rules[3].xpath, "//div[@class='promo']");
	assert_string_equal(f->user_agent, "special/2");
	assert_int_equal(f->first_poll, FIRST_POLL_EMIT);
	assert_int_equal(f->article, 0);
	assert_int_equal(f->article_html, 0);
	assert_int_equal(f->enabled, 0);
	assert_true(f->timeout == 90.0);
	assert_int_equal(f->max_feed_bytes, 1024 * 1024 * 1024);
	assert_int_equal(f->max_page_bytes, 4096);

	/* Everything inherited, the name derived. */
	f = &cfg->feeds[1];
	assert_string_equal(f->url, "https://www.example.org/news/feed.xml");
	assert_string_equal(f->name, "www.example.org-news-feed");
	assert_int_equal(f->line, 38);
	assert_true(f->interval == 900.0);
	assert_int_equal(f->ntags, 0);
	assert_null(f->tags);
	assert_int_equal(f->nrules, 0);
	assert_null(f->rules);
	assert_string_equal(f->user_agent, cfg->user_agent);
	assert_int_equal(f->first_poll, FIRST_POLL_SKIP);
	assert_int_equal(f->article, 1);
	assert_int_equal(f->article_html, 1);
	assert_int_equal(f->enabled, 1);
	assert_true(f->timeout == 45.0);
	assert_int_equal(f->max_feed_bytes, 2 * 1024 * 1024);
	assert_int_equal(f->max_page_bytes, 512 * 1024);

	/* Some of each. */
	f = &cfg->feeds[2];
	assert_string_equal(f->name, "Net_feed.2");
	assert_int_equal(f->line, 39);
	assert_true(f->interval == 7200.0);
	assert_int_equal(f->ntags, 1);
	assert_string_equal(f->tags[0], "tech");
	assert_int_equal(f->article, 0);
	assert_int_equal(f->first_poll, FIRST_POLL_SKIP);
	assert_true(f->timeout == 45.0);
	assert_string_equal(f->user_agent, cfg->user_agent);
	config_free(cfg);
}

static void
check_defaults(const struct config *cfg)
{
	assert_string_equal(cfg->spool, CONFIG_DEFAULT_SPOOL);
	assert_string_equal(cfg->state, CONFIG_DEFAULT_STATE);
	assert_true(cfg->interval == CONFIG_DEFAULT_INTERVAL);
	assert_string_equal(cfg->user_agent, "newswatch/" NEWSWATCH_VERSION);
	assert_int_equal(cfg->max_connections, CONFIG_DEFAULT_MAX_CONNECTIONS);
	assert_int_equal(cfg->per_host_connections,
	    CONFIG_DEFAULT_PER_HOST_CONNECTIONS);
	assert_int_equal(cfg->first_poll, FIRST_POLL_EMIT);
	assert_int_equal(cfg->article, 1);
	assert_int_equal(cfg->article_html, 0);
	assert_int_equal(cfg->allow_private_addresses, 0);
	assert_string_equal(cfg->log_level, "info");
	assert_true(cfg->timeout == CONFIG_DEFAULT_TIMEOUT);
	assert_int_equal(cfg->max_feed_bytes, CONFIG_DEFAULT_MAX_FEED_BYTES);
	assert_int_equal(cfg->max_page_bytes, CONFIG_DEFAULT_MAX_PAGE_BYTES);
	assert_int_equal(cfg->watch_config, 1);
	assert_true(cfg->state_keep == CONFIG_DEFAULT_STATE_KEEP);
	assert_true(cfg->spool_keep == 0);
	assert_null(cfg->sink);
	assert_int_equal(cfg->sink_maxlen, CONFIG_DEFAULT_SINK_MAXLEN);
}

static void
test_defaults(void **state)
{
	static const char *const empties[] = {
		"", "# only a comment\n", "---\n", "~\n", "feeds:\n",
		"feeds: []\n",
	};
	struct config *cfg = NULL;
	const struct config_feed *f;
	char err[1024];

	(void)state;
	if (config_load(DATA "defaults.yaml", &cfg, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	check_defaults(cfg);
	assert_int_equal(cfg->nfeeds, 1);
	f = &cfg->feeds[0];
	assert_string_equal(f->name, "example.org-feed");
	assert_true(f->interval == CONFIG_DEFAULT_INTERVAL);
	assert_string_equal(f->user_agent, "newswatch/" NEWSWATCH_VERSION);
	assert_int_equal(f->first_poll, FIRST_POLL_EMIT);
	assert_int_equal(f->article, 1);
	assert_int_equal(f->enabled, 1);
	assert_true(f->timeout == CONFIG_DEFAULT_TIMEOUT);
	assert_int_equal(f->max_feed_bytes, CONFIG_DEFAULT_MAX_FEED_BYTES);
	assert_int_equal(f->max_page_bytes, CONFIG_DEFAULT_MAX_PAGE_BYTES);
	config_free(cfg);

	cfg = NULL;
	if (config_load(DATA "empty.yaml", &cfg, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	check_defaults(cfg);
	assert_int_equal(cfg->nfeeds, 0);
	config_free(cfg);

	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		cfg = load_string(empties[i]);
		check_defaults(cfg);
		assert_int_equal(cfg->nfeeds, 0);
		config_free(cfg);
	}
	config_free(NULL);
}

/* Global keys after feeds: still reach the feeds; anchors and aliases
 * work; every spelling of a boolean. */
static void
test_inheritance_order(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_string(
	    "feeds:\n"
	    "  - url: http://a.example/\n"
	    "    timeout: &t 20s\n"
	    "    enabled: No\n"
	    "  - url: http://b.example/\n"
	    "    timeout: *t\n"
	    "    enabled: ON\n"
	    "interval: 30\n"
	    "article: off\n"
	    "max_page_bytes: 1024\n");
	assert_int_equal(cfg->nfeeds, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(cfg->feeds[i].interval == 30.0);
		assert_int_equal(cfg->feeds[i].article, 0);
		assert_int_equal(cfg->feeds[i].max_page_bytes, 1024);
		assert_true(cfg->feeds[i].timeout == 20.0);
	}
	assert_int_equal(cfg->feeds[0].enabled, 0);
	assert_int_equal(cfg->feeds[1].enabled, 1);
	config_free(cfg);
}

static void
test_politeness_errors(void **state)
{
	(void)state;
	check_error("headers: [a]\n",
	    "1:10: headers: expected a mapping of Name: value, got a list");
	check_error("headers:\n  Bad Name: x\n",
	    "2:3: headers: 'Bad Name' is not a header name");
	check_error("headers:\n  X-A: \"a\\nb\"\n",
	    "2:8: X-A: expected a value without control characters, got "
	    "'a?b'");
	check_error("proxy: ftp://p\n",
	    "1:8: proxy: expected a proxy URL like http://proxy:3128, got "
	    "'ftp://p'");
	check_error("ca_file: /nonexistent/ca.pem\n",
	    "1:10: ca_file: cannot read /nonexistent/ca.pem: No such file or "
	    "directory");
	check_error("per_host_delay: 0\n",
	    "1:17: per_host_delay: expected a duration like 30s, 15m, 2h, got "
	    "'0'");
	check_error("max_backoff: 1h\nfeeds:\n  - url: http://a/\n"
	    "    max_backoff: 2h\n",
	    "4:5: 'max_backoff' can only be set at the top level");
	check_error("min_interval: 2h\nmax_interval: 1h\n",
	    "2:15: min_interval (7200s) is greater than max_interval (3600s)");
	check_error("max_interval: 1h\nfeeds:\n  - url: http://a/\n"
	    "    name: a\n    min_interval: 3h\n",
	    "5:19: feed a: min_interval (10800s) is greater than max_interval "
	    "(3600s)");
	check_error("min_interval: 13h\nfeeds:\n  - url: http://a/\n"
	    "    name: a\n",
	    "1:15: min_interval (46800s) is greater than max_interval "
	    "(43200s)");
	check_error("max_interval: 1h\nfeeds:\n  - url: http://a/\n"
	    "    name: a\n    max_interval: 1m\n",
	    "5:19: feed a: min_interval (300s) is greater than max_interval "
	    "(60s)");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	check_error("spool: x\n\tinterval: 5m\n",
	    "2:1: found a tab character that violates indentation (while "
	    "scanning a plain scalar at line 1, column 8)");
	check_error("spool: x\n  interval: 5m\n",
	    "2:11: mapping values are not allowed in this context");
	check_error("feeds:\n  - url: http://a/b\n   name: x\n",
	    "3:4: did not find expected '-' indicator (while parsing a block "
	    "collection at line 2, column 3)");
	check_error("tags: [a, b\n",
	    "2:1: did not find expected ',' or ']' (while parsing a flow "
	    "sequence at line 1, column 7)");
	check_error("spool: \"\xff\"\n",
	    "1:9: invalid leading UTF-8 octet (byte 0xFF)");
	check_error("spool: *nowhere\n", "1:8: found undefined alias");
	check_error("spool: a\n---\nspool: b\n",
	    "3:1: only one YAML document allowed");
}

static void
test_structure_errors(void **state)
{
	(void)state;
	check_error("- spool\n",
	    "1:1: expected a mapping of settings at the top, got a list");
	check_error("just words\n",
	    "1:1: expected a mapping of settings at the top, got "
	    "'just words'");
	check_error("spool: a\nstate: b\nspool: c\n",
	    "3:1: duplicate key 'spool' (also at line 1)");
	check_error("[a]: b\n", "1:1: key: expected a name, got a list");
	check_error("feeds: http://example.org/feed.xml\n",
	    "1:8: feeds: expected a list of feeds, got "
	    "'http://example.org/feed.xml'");
	check_error("feeds:\n  - http://example.org/feed.xml\n",
	    "2:5: feed: expected a mapping like {url: ...}, got "
	    "'http://example.org/feed.xml'");
	check_error("feeds:\n  - url: http://a.example/\n    tags: world\n",
	    "3:11: tags: expected a list like [world, it], got 'world'");
	check_error("feeds:\n  - url: http://a.example/\n    tags: [a, [b]]\n",
	    "3:15: tag: expected a non-empty string, got a list");
	check_error("feeds:\n  - url: http://a.example/\n    extract: text\n",
	    "3:14: extract: expected a mapping of field: XPath, got 'text'");
	check_error("feeds:\n  - url: http://a.example/\n"
	    "    url: http://b.example/\n",
	    "3:5: duplicate key 'url' (also at line 2)");
}

static void
test_unknown_keys(void **state)
{
	(void)state;
	check_error("spool: /tmp/x\nintervl: 5m\n",
	    "2:1: unknown key 'intervl' (did you mean 'interval'?)");
	check_error("per_host_connection: 5\n",
	    "1:1: unknown key 'per_host_connection' (did you mean "
	    "'per_host_connections'?)");
	check_error("feeds:\n  - url: http://a.example/\n    nmae: a\n",
	    "3:5: unknown key 'nmae' (did you mean 'name'?)");
	check_error("feeds:\n  - url: http://a.example/\n    tag: [a]\n",
	    "3:5: unknown key 'tag' (did you mean 'tags'?)");
	check_error("colour: blue\n", "1:1: unknown key 'colour'");
	check_error("feeds:\n  - url: http://a.example/\n    x: 1\n",
	    "3:5: unknown key 'x'");
	/* Known, but not here. */
	check_error("url: http://a.example/\n",
	    "1:1: 'url' can only be set in a feed");
	check_error("feeds:\n  - url: http://a.example/\n    spool: /x\n",
	    "3:5: 'spool' can only be set at the top level");
}

static void
test_value_errors(void **state)
{
	(void)state;
	check_error("interval: soon\n",
	    "1:11: interval: expected a duration like 30s, 15m, 2h, got "
	    "'soon'");
	check_error("interval:\n",
	    "1:10: interval: expected a duration like 30s, 15m, 2h, got "
	    "nothing");
	check_error("feeds:\n  - url: http://a.example/\n    timeout: 0s\n",
	    "3:14: timeout: expected a duration like 30s, 15m, 2h, got '0s'");
	check_error("watch_config: sometimes\n",
	    "1:15: watch_config: expected true or false, got 'sometimes'");
	check_error("state_keep: forever\n",
	    "1:13: state_keep: expected a duration like 30s, 15m, 2h, got "
	    "'forever'");
	check_error("article: maybe\n",
	    "1:10: article: expected true or false, got 'maybe'");
	check_error("feeds:\n  - url: http://a.example/\n    enabled: 1\n",
	    "3:14: enabled: expected true or false, got '1'");
	check_error("max_connections: 0\n",
	    "1:18: max_connections: expected an integer from 1 to 10000, "
	    "got '0'");
	check_error("max_connections: 10001\n",
	    "1:18: max_connections: expected an integer from 1 to 10000, "
	    "got '10001'");
	check_error("max_connections: many\n",
	    "1:18: max_connections: expected an integer from 1 to 10000, "
	    "got 'many'");
	check_error("per_host_connections: -1\n",
	    "1:23: per_host_connections: expected an integer from 1 to 1000, "
	    "got '-1'");
	check_error("max_feed_bytes: 10X\n",
	    "1:17: max_feed_bytes: expected a size from 1 to 1G like 512K or "
	    "10M, got '10X'");
	check_error("max_page_bytes: 2G\n",
	    "1:17: max_page_bytes: expected a size from 1 to 1G like 512K or "
	    "10M, got '2G'");
	check_error("max_page_bytes: 0\n",
	    "1:17: max_page_bytes: expected a size from 1 to 1G like 512K or "
	    "10M, got '0'");
	check_error("first_poll: all\n",
	    "1:13: first_poll: expected emit or skip, got 'all'");
	check_error("log_level: loud\n",
	    "1:12: log_level: expected debug, info, warning or error, got "
	    "'loud'");
	check_error("user_agent: \"a\\r\\nX-Evil: 1\"\n",
	    "1:13: user_agent: expected a non-empty string without control "
	    "characters, got 'a??X-Evil: 1'");
	check_error("spool: \"a\\0b\"\n", "1:8: spool: NUL character in value");
}

/* A state or sink value that starts with a scheme is a URL, and one with
 * a scheme newswatch does not speak is an error at the value with the
 * nearest supported form, not a SQLite file of that name; a path that
 * merely holds a ':' or a '/' stays a path. */
static void
test_url_schemes(void **state)
{
	static const char *const paths[] = {
		"state/db.sqlite", "./x:y.db", "/var/lib/a:b.db", "db.sqlite",
		"postgresql://u@h/db", "postgres://h:5432/db",
		"postgresql:///db",
	};
	struct config *cfg;
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(text, sizeof(text), "state: %s\n", paths[i]);
		cfg = load_string(text);
		assert_string_equal(cfg->state, paths[i]);
		config_free(cfg);
	}
	check_error("spool: s\nstate: postgresql:/h/db\n",
	    "2:8: state: 'postgresql:/h/db' is no supported URL (did you mean "
	    "'postgresql://h/db', or the file './postgresql:/h/db'?)");
	check_error("state: postgres//h/db\n",
	    "1:8: state: 'postgres//h/db' is no supported URL (did you mean "
	    "'postgres://h/db'?)");
	check_error("state: pgsql://u@h/db\n",
	    "1:8: state: 'pgsql://u@h/db' is no supported URL (did you mean "
	    "'postgresql://u@h/db'?)");
	check_error("state: Postgresql://h/db\n",
	    "1:8: state: 'Postgresql://h/db' is no supported URL (did you mean "
	    "'postgresql://h/db'?)");
	check_error("state: x:y.db\n",
	    "1:8: state: 'x:y.db' is no supported URL (did you mean "
	    "'postgres://y.db', or the file './x:y.db'?)");
	check_error("state: localhost:5432/db\n",
	    "1:8: state: 'localhost:5432/db' is no supported URL (did you mean "
	    "'postgresql://localhost:5432/db', or the file "
	    "'./localhost:5432/db'?)");
	check_error("state: \"pgsql://h/\\tdb\"\n",
	    "1:8: state: expected a non-empty string without control "
	    "characters, got 'pgsql://h/?db'");
	check_error("sink: redis:/h/news\n",
	    "1:7: sink: 'redis:/h/news' is no supported URL (did you mean "
	    "'redis://h/news'?)");
	check_error("sink: localhost:6379/news\n",
	    "1:7: sink: 'localhost:6379/news' is no supported URL (did you "
	    "mean 'redis://localhost:6379/news'?)");
}

/* metrics: off by default, an address or a port, checked as it is read. */
static void
test_metrics(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_string("feeds: []\n");
	assert_null(cfg->metrics);
	assert_int_equal(cfg->metrics_per_feed, 1);
	config_free(cfg);
	cfg = load_string("metrics: 9470\nmetrics_per_feed: false\n");
	assert_string_equal(cfg->metrics, "9470");
	assert_int_equal(cfg->metrics_per_feed, 0);
	config_free(cfg);
	cfg = load_string("metrics: \"[::1]:9470\"\n");
	assert_string_equal(cfg->metrics, "[::1]:9470");
	config_free(cfg);
	check_error("metrics: 127.0.0.1:http\n", "1:10: metrics: expected an "
	    "address like 127.0.0.1:9470, [::1]:9470 or 9470, got "
	    "'127.0.0.1:http'");
	check_error("metrics: 127.0.0.1:70000\n", "1:10: metrics: expected an "
	    "address like 127.0.0.1:9470, [::1]:9470 or 9470, got "
	    "'127.0.0.1:70000'");
	check_error("metric: 9470\n",
	    "1:1: unknown key 'metric' (did you mean 'metrics'?)");
}

/* A message about a sink or state URL repeats the value, but never its
 * password: config errors land in terminals and journals. */
static void
test_url_errors_hide_password(void **state)
{
	(void)state;
	check_error("sink: redis://u:s3cret@h:99999/news\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://u:***@h:99999/news': the port must be 1 to 65535");
	check_error("sink: rediss://:s3cret@h/news\n",
	    "1:7: sink: 'rediss://:***@h/news' is no supported URL (did you "
	    "mean 'redis://:***@h/news'?)");
	check_error("state: postgresq://nw:s3cret@h/db\n",
	    "1:8: state: 'postgresq://nw:***@h/db' is no supported URL (did "
	    "you mean 'postgresql://nw:***@h/db'?)");
	/* A user alone: nothing to hide. */
	check_error("state: pgsql://nw@h/db\n",
	    "1:8: state: 'pgsql://nw@h/db' is no supported URL (did you mean "
	    "'postgresql://nw@h/db'?)");
}

/* The Redis sink: its URL checked where it is written, spool: off only
 * beside it (in either order), and sink_maxlen 0 for no trimming. */
static void
test_sink(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_string("sink: redis://127.0.0.1/news\n");
	assert_string_equal(cfg->sink, "redis://127.0.0.1/news");
	assert_string_equal(cfg->spool, CONFIG_DEFAULT_SPOOL);
	config_free(cfg);
	cfg = load_string("spool: off\nsink_maxlen: 0\n"
	    "sink: redis://[::1]:6380/a:b\n");
	assert_null(cfg->spool);
	assert_string_equal(cfg->sink, "redis://[::1]:6380/a:b");
	assert_int_equal(cfg->sink_maxlen, 0);
	config_free(cfg);

	check_error("spool: off\n",
	    "1:8: spool: off needs a sink, or items would go nowhere");
	check_error("sink: http://127.0.0.1/news\n",
	    "1:7: sink: 'http://127.0.0.1/news' is no supported URL (did you "
	    "mean 'redis://127.0.0.1/news'?)");
	check_error("sink: redis://127.0.0.1:6379\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://127.0.0.1:6379': expected /STREAM after the host");
	check_error("sink: redis://127.0.0.1:6379/\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://127.0.0.1:6379/': no stream name after the host");
	check_error("sink: redis://127.0.0.1:0/news\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://127.0.0.1:0/news': the port must be 1 to 65535");
	check_error("sink: redis://h:65536/news\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://h:65536/news': the port must be 1 to 65535");
	check_error("sink: redis:///news\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis:///news': no host after redis://");
	check_error("sink: redis://user@h/news\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://user@h/news': expected /STREAM after the host");
	check_error("sink: \"redis://h/a b\"\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://h/a b': the stream name may hold printable ASCII "
	    "characters only, no spaces");
	check_error("sink: redis://[::1/news\n",
	    "1:7: sink: expected a URL like redis://HOST[:PORT]/STREAM, got "
	    "'redis://[::1/news': no ']' after the IPv6 address");
	check_error("sink_maxlen: -1\n",
	    "1:14: sink_maxlen: expected an integer from 0 to 1000000000000, "
	    "got '-1'");
}

/* Ten two-byte characters. */
#define E10 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9"

static void
test_feed_errors(void **state)
{
	(void)state;
	check_error("feeds:\n  - name: a\n    interval: 5m\n",
	    "2:5: feed has no url");
	check_error("feeds:\n  - url: ftp://example.org/feed.xml\n",
	    "2:10: url: expected an http:// or https:// URL, got "
	    "'ftp://example.org/feed.xml'");
	check_error("feeds:\n  - url: example.org/feed.xml\n",
	    "2:10: url: expected an http:// or https:// URL, got "
	    "'example.org/feed.xml'");
	check_error("feeds:\n  - url: \"http://a.example/a b\"\n",
	    "2:10: url: expected an http:// or https:// URL, got "
	    "'http://a.example/a b'");
	check_error("feeds:\n  - url: http://a.example/\n    name: a b\n",
	    "3:11: name: expected 1 to 64 letters, digits, '.', '_' or '-', "
	    "got 'a b'");
	/* Long values are cut short in the message, between characters. */
	check_error("feeds:\n  - url: http://a.example/\n    name: a"
	    E10 E10 E10 E10 E10 "\n",
	    "3:11: name: expected 1 to 64 letters, digits, '.', '_' or '-', "
	    "got 'a" E10 E10 E10 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9...'");
	check_error("feeds:\n  - url: http://_/\n",
	    "2:10: url: cannot derive a feed name from 'http://_/', give the "
	    "feed a name");
	/* Given against given, derived against given, derived twice. */
	check_error("feeds:\n"
	    "  - url: http://a.example/\n    name: x\n"
	    "  - url: http://b.example/\n    name: y\n"
	    "  - url: http://c.example/\n    name: x\n",
	    "7:11: duplicate feed name 'x' (also at line 3)");
	check_error("feeds:\n"
	    "  - url: http://a.example/\n    name: x\n"
	    "  - url: http://x/\n",
	    "4:10: duplicate feed name 'x' (also at line 3)");
	check_error("feeds:\n"
	    "  - url: http://a.example/feed\n"
	    "  - url: https://a.example/feed?page=2\n",
	    "3:10: duplicate feed name 'a.example-feed' (also at line 2)");
	/* Of two clashes the earlier one in the file is reported. */
	check_error("feeds:\n"
	    "  - {url: http://z.example/, name: z}\n"
	    "  - {url: http://a.example/, name: a}\n"
	    "  - {url: http://a.example/2, name: a}\n"
	    "  - {url: http://z.example/2, name: z}\n",
	    "4:37: duplicate feed name 'a' (also at line 3)");
}

static void
test_extract_errors(void **state)
{
	struct config *cfg = NULL;
	char path[64], err[1024], want[1024];
	const char *bad = "feeds:\n  - url: http://a.example/\n    extract:\n"
	    "      text: //div[\n";

	(void)state;
	check_error("feeds:\n  - url: http://a.example/\n    extract:\n"
	    "      titel: //h1\n",
	    "4:7: unknown extract field 'titel' (did you mean 'title'?)");
	check_error("feeds:\n  - url: http://a.example/\n    extract:\n"
	    "      body: //article\n",
	    "4:7: unknown extract field 'body'");
	check_error("feeds:\n  - url: http://a.example/\n    extract:\n"
	    "      text: //a\n      text: //b\n",
	    "5:7: duplicate key 'text' (also at line 4)");
	check_error("feeds:\n  - url: http://a.example/\n    extract:\n"
	    "      strip: [//nav, '//div[']\n",
	    "4:22: strip: xpath '//div[': Invalid expression");
	check_error("feeds:\n  - url: http://a.example/\n    extract:\n"
	    "      text:\n",
	    "4:12: text: expected an XPath expression, got nothing");
	/* The reason after the prefix is the article parser's to word. */
	write_temp(bad, strlen(bad), path, sizeof(path));
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s:4:13: text: ", path);
	assert_memory_equal(err, want, strlen(want));
	assert_true(strlen(err) > strlen(want));
}

static void
test_names(void **state)
{
	static const struct { const char *url, *name; } cases[] = {
		{ "https://www.example.org/news/feed.xml",
		    "www.example.org-news-feed" },
		{ "HTTP://Example.ORG/Feed.XML", "example.org-feed" },
		/* The host without its port, the path without ".xml". */
		{ "http://127.0.0.1:18777/IdeasForDozens.xml",
		    "127.0.0.1-ideasfordozens" },
		{ "http://[::1]:8080/feeds/atom.atom1", "1-feeds-atom" },
		{ "http://example.org/blog.rss/", "example.org-blog.rss" },
		{ "http://example.org/api/v1.2", "example.org-api-v1.2" },
		{ "http://example.org/index.php?feed=rss2",
		    "example.org-index" },
		{ "http://example.org/.rss", "example.org-.rss" },
		{ "http://example.org", "example.org" },
		{ "http://example.org/a//b/?q=1#f", "example.org-a-b" },
		{ "http://user:secret@example.org:8080/rss",
		    "example.org-rss" },
		{ "http://example.org/~me/%7Efeed_x", "example.org-me-7efeed-x" },
		/* Cut at 64, and a '-' left at the end goes too. */
		{ "http://example.org/" "01234567890123456789012345678901234567890"
		    "1234567890123456789", "example.org-"
		    "0123456789012345678901234567890123456789012345678901" },
		{ "http://example.org/" "abcdefghijklmnopqrstuvwxyz"
		    "abcdefghijklmnopqrstuvwxy/z", "example.org-"
		    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy" },
	};
	char text[8192];
	size_t n, i;
	struct config *cfg;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "feeds:\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "  - url: \"%s\"\n", cases[i].url);
	cfg = load_string(text);
	assert_int_equal(cfg->nfeeds, i);
	for (i = 0; i < cfg->nfeeds; i++) {
		assert_true(strlen(cfg->feeds[i].name) <= 64);
		assert_string_equal(cfg->feeds[i].name, cases[i].name);
	}
	config_free(cfg);
}

static void
test_duration(void **state)
{
	static const struct { const char *s; double want; } good[] = {
		{ "30s", 30 }, { "15m", 900 }, { "2h", 7200 }, { "1d", 86400 },
		{ "90", 90 }, { "1.5", 1.5 }, { "1.5m", 90 }, { ".5h", 1800 },
		{ "0.25s", 0.25 }, { "365d", 365 * 86400.0 },
		{ "31536000", 31536000 }, { "007s", 7 },
	};
	static const char *const bad[] = {
		"", "s", "0", "0s", "0.0m", "-5m", "+5m", " 5m", "5m ", "5 m",
		"5M", "5x", "5ms", "1h30m", "soon", "5.", "5.m", ".", "1e3",
		"inf", "nan", "0x10", "1,5m", "366d", "31536001",
		"99999999999999999999999999999999999999d",
	};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		if (config_parse_duration(good[i].s, &v) == -1)
			fail_msg("'%s' refused", good[i].s);
		if (v != good[i].want)
			fail_msg("'%s' gave %g", good[i].s, v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		if (config_parse_duration(bad[i], &v) == 0)
			fail_msg("'%s' accepted as %g", bad[i], v);
		assert_true(v == -1);
	}
}

static void
test_limits(void **state)
{
	struct config *cfg = NULL;
	char path[64], err[1024], want[1024];
	size_t big = 16 * 1024 * 1024 + 1, n = 0, cap = 100001 * 40;
	char *text;

	(void)state;
	/* A byte too many, before a single one is parsed. */
	assert_non_null(text = malloc(big));
	memset(text, '#', big);
	write_temp(text, big, path, sizeof(path));
	free(text);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s: larger than 16 MiB", path);
	assert_string_equal(err, want);

	assert_non_null(text = malloc(cap));
	n += (size_t)snprintf(text + n, cap - n, "feeds:\n");
	for (int i = 0; i < 100001; i++)
		n += (size_t)snprintf(text + n, cap - n, "- url: http://e/%d\n",
		    i);
	write_temp(text, n, path, sizeof(path));
	free(text);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s:100002:3: more than 100000 feeds",
	    path);
	assert_string_equal(err, want);

	/* One big tag shared by alias in every feed. */
	assert_non_null(text = malloc(cap));
	n = (size_t)snprintf(text, cap, "feeds:\n- url: http://e/0\n"
	    "  tags: &t [");
	memset(text + n, 'x', 1024 * 1024);
	n += 1024 * 1024;
	n += (size_t)snprintf(text + n, cap - n, "]\n");
	for (int i = 1; i < 100; i++)
		n += (size_t)snprintf(text + n, cap - n,
		    "- {url: http://e/%d, tags: *t}\n", i);
	write_temp(text, n, path, sizeof(path));
	free(text);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s:3:13: tag: configuration too large "
	    "once aliases are expanded", path);
	assert_string_equal(err, want);

	snprintf(want, sizeof(want), "tests/data/config/missing.yaml: No such "
	    "file or directory");
	assert_int_equal(config_load(DATA "missing.yaml", &cfg, err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
}

/* Each feed points to the first feed of its URL, byte for byte: a third
 * copy to the first, not the second; case and a trailing slash differ. */
static void
test_url_firsts(void **state)
{
	struct config *cfg = load_string("feeds:\n"
	    "  - {url: http://b.example/f, name: a}\n"
	    "  - {url: http://a.example/f, name: b}\n"
	    "  - {url: http://b.example/f, name: c}\n"
	    "  - {url: http://B.example/f, name: d}\n"
	    "  - {url: http://b.example/f/, name: e}\n"
	    "  - {url: http://b.example/f, name: f}\n"
	    "  - {url: http://a.example/f, name: g}\n");
	size_t first[7], want[7] = { 0, 1, 0, 3, 4, 0, 1 };

	(void)state;
	assert_int_equal(config_url_firsts(cfg, first), 0);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(first[i], want[i]);
	config_free(cfg);
}

/* duplicates: mark by default, global and per feed; its window global. */
static void
test_duplicates(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_string("feeds:\n  - url: https://a.example/f\n");
	assert_int_equal(cfg->duplicates, DUPLICATES_MARK);
	assert_int_equal(cfg->feeds[0].duplicates, DUPLICATES_MARK);
	assert_true(cfg->feeds[0].duplicate_window == 3 * 86400.0);
	config_free(cfg);
	cfg = load_string("duplicates: skip\nduplicate_window: 12h\n"
	    "feeds:\n  - url: https://a.example/f\n"
	    "  - url: https://b.example/f\n    duplicates: off\n"
	    "  - url: https://c.example/f\n    duplicates: mark\n");
	assert_int_equal(cfg->duplicates, DUPLICATES_SKIP);
	assert_int_equal(cfg->feeds[0].duplicates, DUPLICATES_SKIP);
	assert_int_equal(cfg->feeds[1].duplicates, DUPLICATES_OFF);
	assert_int_equal(cfg->feeds[2].duplicates, DUPLICATES_MARK);
	assert_true(cfg->feeds[2].duplicate_window == 12 * 3600.0);
	config_free(cfg);
	check_error("duplicates: drop\n",
	    "1:13: duplicates: expected off, mark or skip, got 'drop'");
	check_error("feeds:\n  - url: https://a.example/f\n"
	    "    duplicate_window: 1d\n",
	    "3:5: 'duplicate_window' can only be set at the top level");
}

static void
test_revision_checks(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_string("feeds:\n  - url: https://a.example/f\n");
	assert_int_equal(cfg->feeds[0].revisions, REVISIONS_FEED);
	assert_int_equal(cfg->feeds[0].revision_checks.n, 5);
	assert_true(cfg->feeds[0].revision_checks.after[0] == 900.0);
	assert_true(cfg->feeds[0].revision_checks.after[4] == 64 * 3600.0);
	assert_int_equal(cfg->revision_budget, 30);
	config_free(cfg);
	cfg = load_string("revisions: pages\nrevision_budget: 5\n"
	    "revision_checks: [10m, 2h]\n"
	    "feeds:\n  - url: https://a.example/f\n"
	    "  - url: https://b.example/f\n    revision_checks: [30s]\n");
	assert_int_equal(cfg->feeds[0].revisions, REVISIONS_PAGES);
	assert_int_equal(cfg->feeds[0].revision_budget, 5);
	assert_int_equal(cfg->feeds[0].revision_checks.n, 2);
	assert_true(cfg->feeds[0].revision_checks.after[1] == 7200.0);
	assert_int_equal(cfg->feeds[1].revision_checks.n, 1);
	assert_true(cfg->feeds[1].revision_checks.after[0] == 30.0);
	config_free(cfg);
	cfg = load_string("revisions: pages\nfeeds:\n"
	    "  - url: https://a.example/f\n    article: false\n");
	assert_int_equal(cfg->feeds[0].revisions, REVISIONS_FEED);
	config_free(cfg);
	check_error("revision_checks: [15m, soon]\n", "1:24: revision_checks: "
	    "expected ascending durations, each above 0, got 'soon'");
	check_error("revision_checks: [1h, 1h]\n", "1:23: revision_checks: "
	    "expected ascending durations, each above 0, got '1h'");
	check_error("revision_checks: [15m, 72h]\n", "1:24: revision_checks: "
	    "'72h' is not within the 72h a version is kept");
	check_error("revision_checks: []\n", "1:18: revision_checks: expected "
	    "at least one duration, like [15m, 1h]");
	check_error("revision_checks: 15m\n", "1:18: revision_checks: expected "
	    "a list of durations like [15m, 1h, 4h, 16h, 64h], got '15m'");
	check_error("revision_checks: [1s, 2s, 3s, 4s, 5s, 6s, 7s, 8s, 9s]\n",
	    "1:51: revision_checks: at most 8 checks");
	check_error("revision_budget: 0\n", "1:18: revision_budget: expected "
	    "an integer from 1 to 1000000, got '0'");
	check_error("revisions: often\n", "1:12: revisions: expected off or "
	    "feed or pages, got 'often'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_revision_checks),
		cmocka_unit_test(test_politeness_errors),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_inheritance_order),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_url_schemes),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_sink),
		cmocka_unit_test(test_url_errors_hide_password),
		cmocka_unit_test(test_feed_errors),
		cmocka_unit_test(test_extract_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_url_firsts),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_duplicates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
