/* redis_sink.c - see redis_sink.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "redis_sink.h"

/*
 * Adds ARGV[4] (the JSON) as an entry of stream KEYS[1] unless KEYS[2]
 * (the item's name under the stream) says it was added before.  The
 * stream entry comes before the name: Redis does not undo a script's
 * writes when a later command in it fails, and a name set for an entry
 * that was never added would lose the item, where an entry without its
 * name can at worst be added twice.  Sent with EVAL each time: a few
 * hundred bytes beside an item of several kilobytes, and no NOSCRIPT to
 * recover from after Redis restarts or its script cache is flushed.
 * ARGV: 1 TTL of the name, 2 MAXLEN (0: no trimming), 3 name, 4 JSON.
 */
static const char add_script[] =
    "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
    "if ARGV[2] == '0' then\n"
    "  redis.call('XADD', KEYS[1], '*', 'name', ARGV[3], 'item', ARGV[4])\n"
    "else\n"
    "  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*',\n"
    "    'name', ARGV[3], 'item', ARGV[4])\n"
    "end\n"
    "redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])\n"
    "return 1\n";

struct redis_sink {
	char *url;                /* as configured, for messages */
	struct redis_sink_url where;
	char maxlen[24];
	redisContext *c;          /* NULL: connect at the next sync */
	char *buf;                /* the commands put since the last sync */
	size_t len, cap;
	size_t n;
	unsigned long failures;
};

static const char host_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-";

int
redis_sink_url_parse(const char *url, struct redis_sink_url *out, char *err,
    size_t errlen)
{
	const char *p, *close;
	int bracketed;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (strncmp(url, "redis://", strlen("redis://")) != 0) {
		snprintf(err, errlen, "the scheme must be redis://");
		return -1;
	}
	p = url + strlen("redis://");
	bracketed = *p == '[';
	if (bracketed) {
		if ((close = strchr(p, ']')) == NULL) {
			snprintf(err, errlen, "no ']' after the IPv6 address");
			return -1;
		}
		n = (size_t)(close - p - 1);
		if (strspn(p + 1, "0123456789abcdefABCDEF:.") != n) {
			snprintf(err, errlen, "not an IPv6 address in []");
			return -1;
		}
		p++;
	} else
		n = strspn(p, host_chars);
	if (n == 0 || n > REDIS_SINK_HOST_MAX) {
		snprintf(err, errlen, n ? "host longer than %d bytes" :
		    "no host after redis://", REDIS_SINK_HOST_MAX);
		return -1;
	}
	memcpy(out->host, p, n);
	p += n + bracketed;
	out->port = REDIS_SINK_DEFAULT_PORT;
	if (*p == ':') {
		long port = 0;

		for (p++; *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (port < 1 || port > 65535 || (*p != '/' && *p != '\0')) {
			snprintf(err, errlen, "the port must be 1 to 65535");
			return -1;
		}
		out->port = (int)port;
	}
	if (*p != '/') {
		snprintf(err, errlen, "expected /STREAM after the host");
		return -1;
	}
	n = strlen(++p);
	if (n == 0 || n > REDIS_SINK_STREAM_MAX) {
		snprintf(err, errlen, n ? "stream name longer than %d bytes" :
		    "no stream name after the host", REDIS_SINK_STREAM_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~') {
			snprintf(err, errlen, "the stream name may hold "
			    "printable ASCII characters only, no spaces");
			return -1;
		}
	memcpy(out->stream, p, n);
	return 0;
}

int
redis_sink_open(const char *url, long long maxlen, struct redis_sink **out,
    char *err, size_t errlen)
{
	struct redis_sink *sink;
	char why[256];

	if ((sink = calloc(1, sizeof(*sink))) == NULL ||
	    (sink->url = strdup(url)) == NULL) {
		free(sink);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (redis_sink_url_parse(url, &sink->where, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", url, why);
		redis_sink_close(sink);
		return -1;
	}
	snprintf(sink->maxlen, sizeof(sink->maxlen), "%lld", maxlen);
	*out = sink;
	return 0;
}

static void
disconnect(struct redis_sink *sink)
{
	if (sink->c != NULL)
		redisFree(sink->c);
	sink->c = NULL;
}

static void
drop_buffer(struct redis_sink *sink)
{
	/* Freed, not kept: a batch after an outage can be large, and the
	 * next is usually a few items. */
	free(sink->buf);
	sink->buf = NULL;
	sink->len = sink->cap = sink->n = 0;
}

void
redis_sink_close(struct redis_sink *sink)
{
	if (sink == NULL)
		return;
	disconnect(sink);
	drop_buffer(sink);
	free(sink->url);
	free(sink);
}

int
redis_sink_put(struct redis_sink *sink, const char *name, const char *json,
    size_t len, char *err, size_t errlen)
{
	char key[REDIS_SINK_STREAM_MAX + 256], ttl[24];
	const char *argv[] = { "EVAL", add_script, "2", sink->where.stream, key,
	    ttl, sink->maxlen, name, json };
	size_t argvlen[] = { 4, sizeof(add_script) - 1, 1,
	    strlen(sink->where.stream), 0, 0, strlen(sink->maxlen),
	    strlen(name), len };
	char *cmd;
	int n;

	argvlen[4] = (size_t)snprintf(key, sizeof(key), "%s:item:%s",
	    sink->where.stream, name);
	argvlen[5] = (size_t)snprintf(ttl, sizeof(ttl), "%d",
	    REDIS_SINK_DEDUPE_TTL);
	if (argvlen[4] >= sizeof(key)) {
		snprintf(err, errlen, "item name too long: %s", name);
		return -1;
	}
	if ((n = redisFormatCommandArgv(&cmd, 9, argv, argvlen)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sink->len + (size_t)n > sink->cap) {
		size_t cap = sink->cap ? sink->cap : 65536;
		char *nb;

		while (cap < sink->len + (size_t)n)
			cap *= 2;
		if ((nb = realloc(sink->buf, cap)) == NULL) {
			redisFreeCommand(cmd);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		sink->buf = nb;
		sink->cap = cap;
	}
	memcpy(sink->buf + sink->len, cmd, (size_t)n);
	sink->len += (size_t)n;
	sink->n++;
	redisFreeCommand(cmd);
	return 0;
}

/* The connection's error, in words a reader of the log can act on. */
static void
context_error(struct redis_sink *sink, char *err, size_t errlen)
{
	const char *why = sink->c->errstr;

	if (sink->c->err == REDIS_ERR_IO &&
	    strcmp(why, strerror(EAGAIN)) == 0)
		snprintf(err, errlen, "%s: no answer within %d s", sink->url,
		    REDIS_SINK_TIMEOUT);
	else if (sink->c->err == REDIS_ERR_EOF)
		snprintf(err, errlen, "%s: connection closed by Redis",
		    sink->url);
	else
		snprintf(err, errlen, "%s: %s", sink->url, why);
	disconnect(sink);
}

static int
connect_sink(struct redis_sink *sink, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = REDIS_SINK_TIMEOUT };

	sink->c = redisConnectWithTimeout(sink->where.host, sink->where.port,
	    tv);
	if (sink->c == NULL) {
		snprintf(err, errlen, "%s: out of memory", sink->url);
		return -1;
	}
	if (sink->c->err || redisSetTimeout(sink->c, tv) != REDIS_OK) {
		context_error(sink, err, errlen);
		return -1;
	}
	return 0;
}

int
redis_sink_sync(struct redis_sink *sink, char *err, size_t errlen)
{
	int rc = 0;

	if (sink->n == 0)
		return 0;
	if (sink->c == NULL && connect_sink(sink, err, errlen) == -1) {
		rc = -1;
		goto out;
	}
	if (redisAppendFormattedCommand(sink->c, sink->buf, sink->len) !=
	    REDIS_OK) {
		context_error(sink, err, errlen);
		rc = -1;
		goto out;
	}
	/* Every reply is read even after an error reply, so that the
	 * connection stays usable for the next sync. */
	for (size_t i = 0; i < sink->n; i++) {
		redisReply *r;

		if (redisGetReply(sink->c, (void **)&r) != REDIS_OK) {
			context_error(sink, err, errlen);
			rc = -1;
			goto out;
		}
		if (rc == 0 && r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "%s: %s", sink->url, r->str);
			rc = -1;
		} else if (rc == 0 && r->type != REDIS_REPLY_INTEGER) {
			snprintf(err, errlen, "%s: unexpected reply type %d",
			    sink->url, r->type);
			rc = -1;
		}
		freeReplyObject(r);
	}
out:
	drop_buffer(sink);
	if (rc == -1)
		sink->failures++;
	return rc;
}

/* One command of argc words, connecting first if need be; its reply
 * must be of type want.  Returns 0 with *value the reply's integer, or
 * -1 with the reason in err. */
static int
command(struct redis_sink *sink, int argc, const char **argv, int want,
    long long *value, char *err, size_t errlen)
{
	redisReply *r;
	int rc = 0;

	if (sink->c == NULL && connect_sink(sink, err, errlen) == -1)
		return -1;
	if ((r = redisCommandArgv(sink->c, argc, argv, NULL)) == NULL) {
		context_error(sink, err, errlen);
		return -1;
	}
	if (r->type != want) {
		snprintf(err, errlen, "%s: %s", sink->url,
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		rc = -1;
	} else if (value)
		*value = r->integer;
	freeReplyObject(r);
	return rc;
}

int
redis_sink_ping(struct redis_sink *sink, char *err, size_t errlen)
{
	const char *argv[] = { "PING" };

	return command(sink, 1, argv, REDIS_REPLY_STATUS, NULL, err, errlen);
}

int
redis_sink_has(struct redis_sink *sink, const char *name, int *has,
    char *err, size_t errlen)
{
	char key[REDIS_SINK_STREAM_MAX + 256];
	const char *argv[] = { "EXISTS", key };
	long long n = 0;

	snprintf(key, sizeof(key), "%s:item:%s", sink->where.stream, name);
	if (command(sink, 2, argv, REDIS_REPLY_INTEGER, &n, err, errlen) == -1)
		return -1;
	*has = n > 0;
	return 0;
}

unsigned long
redis_sink_failures(const struct redis_sink *sink)
{
	return sink->failures;
}
