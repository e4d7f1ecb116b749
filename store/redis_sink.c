/* redis_sink.c - see redis_sink.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <curl/curl.h>
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
	char *url;                /* as configured but the password, for
	                           * messages */
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

void
redis_sink_url_redact(const char *url, char *out, size_t outlen)
{
	const char *a = strstr(url, "://"), *end, *at = NULL, *colon;

	a = a ? a + 3 : url;
	end = a + strcspn(a, "/?#");
	/* The last @: a careless password may hold one unencoded. */
	for (const char *p = a; p < end; p++)
		if (*p == '@')
			at = p;
	colon = at ? memchr(a, ':', (size_t)(at - a)) : NULL;
	if (colon == NULL)
		snprintf(out, outlen, "%s", url);
	else
		snprintf(out, outlen, "%.*s***%s", (int)(colon + 1 - url), url, at);
}

/* Part what of u into dst ("" when absent); -1 with the reason in err
 * when it does not fit.  name is what err calls it. */
static int
url_part(CURLU *u, CURLUPart what, unsigned flags, char *dst, size_t dstlen,
    const char *name, char *err, size_t errlen)
{
	char *v = NULL;
	CURLUcode rc = curl_url_get(u, what, &v, flags);
	int ok = rc != CURLUE_OK || strlen(v) < dstlen;

	dst[0] = '\0';
	if (rc == CURLUE_OUT_OF_MEMORY)
		snprintf(err, errlen, "out of memory");
	else if (!ok)
		snprintf(err, errlen, "%s longer than %zu bytes", name,
		    dstlen - 1);
	else if (rc == CURLUE_OK)
		memcpy(dst, v, strlen(v) + 1);
	curl_free(v);
	return ok && rc != CURLUE_OUT_OF_MEMORY ? 0 : -1;
}

/* What libcurl's parser would take in its stride or read otherwise (no
 * host, no path, a user without a password, an open bracket), in the
 * words of our grammar; 0 when the URL may go to it. */
static int
url_precheck(const char *url, char *err, size_t errlen)
{
	const char *a = url + strlen("redis://"), *end, *at, *colon;

	if (strncmp(url, "redis://", strlen("redis://")) != 0) {
		snprintf(err, errlen, "the scheme must be redis://");
		return -1;
	}
	end = a + strcspn(a, "/?#");
	if (end == a) {
		snprintf(err, errlen, "no host after redis://");
		return -1;
	}
	at = memrchr(a, '@', (size_t)(end - a));
	colon = at ? memchr(a, ':', (size_t)(at - a)) : NULL;
	/* A Redis AUTH always has a password: "user@" is no credential,
	 * and the host ends where it begins. */
	if (*end != '/' || (at != NULL && colon == NULL)) {
		snprintf(err, errlen, "expected /STREAM after the host");
		return -1;
	}
	if (colon != NULL && colon + 1 == at) {
		snprintf(err, errlen, "no password before the @");
		return -1;
	}
	a = at ? at + 1 : a;
	if (*a == '[' && memchr(a, ']', (size_t)(end - a)) == NULL) {
		snprintf(err, errlen, "no ']' after the IPv6 address");
		return -1;
	}
	return 0;
}

/* libcurl's reason in ours. */
static void
url_error(CURLUcode rc, char *err, size_t errlen)
{
	if (rc == CURLUE_BAD_PORT_NUMBER)
		snprintf(err, errlen, "the port must be 1 to 65535");
	else if (rc == CURLUE_BAD_IPV6)
		snprintf(err, errlen, "not an IPv6 address in []");
	else if (rc == CURLUE_OUT_OF_MEMORY)
		snprintf(err, errlen, "out of memory");
	else
		snprintf(err, errlen, "cannot parse the URL: %s",
		    curl_url_strerror(rc));
}

/* The host of u (IPv6 without brackets, with its zone) into out->host. */
static int
url_host(CURLU *u, struct redis_sink_url *out, char *err, size_t errlen)
{
	/* Room for more than the limit, so that the limit's message is
	 * ours. */
	char host[2 * REDIS_SINK_HOST_MAX], zone[64];
	size_t n;

	if (url_part(u, CURLUPART_HOST, 0, host, sizeof(host), "host", err,
	    errlen) == -1 || url_part(u, CURLUPART_ZONEID, 0, zone,
	    sizeof(zone), "zone", err, errlen) == -1)
		return -1;
	n = strlen(host);
	if (host[0] != '[') {
		if (n > REDIS_SINK_HOST_MAX) {
			snprintf(err, errlen, "host longer than %d bytes",
			    REDIS_SINK_HOST_MAX);
			return -1;
		}
		if (strspn(host, host_chars) != n) {
			snprintf(err, errlen, "the host may hold letters, digits,"
			    " '.' and '-' only");
			return -1;
		}
		memcpy(out->host, host, n + 1);
		return 0;
	}
	/* libcurl checked the address inside. */
	if ((size_t)snprintf(out->host, sizeof(out->host), "%.*s%s%s",
	    (int)(n - 2), host + 1, zone[0] ? "%" : "", zone) >=
	    sizeof(out->host)) {
		snprintf(err, errlen, "host longer than %d bytes",
		    REDIS_SINK_HOST_MAX);
		return -1;
	}
	return 0;
}

/* The port, the stream name and ?db=N of u into out. */
static int
url_rest(CURLU *u, struct redis_sink_url *out, char *err, size_t errlen)
{
	char port[8], path[2 * REDIS_SINK_STREAM_MAX], query[32], frag[2];
	const char *p = path + 1;
	char *end;
	long db;

	if (url_part(u, CURLUPART_PORT, 0, port, sizeof(port), "port", err,
	    errlen) == -1)
		return -1;
	if (port[0] != '\0' && ((out->port = atoi(port)) < 1 ||
	    out->port > 65535)) {
		snprintf(err, errlen, "the port must be 1 to 65535");
		return -1;
	}
	if (url_part(u, CURLUPART_PATH, 0, path, sizeof(path),
	    "stream name", err, errlen) == -1)
		return -1;
	if (*p == '\0' || strlen(p) > REDIS_SINK_STREAM_MAX) {
		snprintf(err, errlen, *p ? "stream name longer than %d bytes" :
		    "no stream name after the host", REDIS_SINK_STREAM_MAX);
		return -1;
	}
	for (const char *c = p; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~') {
			snprintf(err, errlen, "the stream name may hold "
			    "printable ASCII characters only, no spaces");
			return -1;
		}
	memcpy(out->stream, p, strlen(p) + 1);
	if (url_part(u, CURLUPART_FRAGMENT, 0, frag, sizeof(frag), "fragment",
	    err, errlen) == -1 || frag[0] != '\0') {
		snprintf(err, errlen, "no #fragment after the stream name");
		return -1;
	}
	if (url_part(u, CURLUPART_QUERY, 0, query, sizeof(query), "query",
	    err, errlen) == -1 || (query[0] != '\0' &&
	    (strncmp(query, "db=", 3) != 0 || (errno = 0,
	    db = strtol(query + 3, &end, 10), errno) || end == query + 3 ||
	    *end != '\0' || db < 0 || db > 1000000))) {
		snprintf(err, errlen, "the only query is ?db=N, a database"
		    " number from 0 to 1000000");
		return -1;
	}
	out->db = query[0] ? (int)db : 0;
	return 0;
}

int
redis_sink_url_parse(const char *url, struct redis_sink_url *out, char *err,
    size_t errlen)
{
	CURLU *u = NULL;
	CURLUcode rc;
	int ok = 0;

	memset(out, 0, sizeof(*out));
	out->port = REDIS_SINK_DEFAULT_PORT;
	if (url_precheck(url, err, errlen) == -1)
		return -1;
	if ((u = curl_url()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Spaces reach our own check of the stream name; the path is the
	 * name as written, dots and all. */
	if ((rc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME |
	    CURLU_ALLOW_SPACE | CURLU_PATH_AS_IS)) != CURLUE_OK)
		url_error(rc, err, errlen);
	else
		ok = url_host(u, out, err, errlen) == 0 &&
		    url_rest(u, out, err, errlen) == 0 &&
		    url_part(u, CURLUPART_USER, CURLU_URLDECODE, out->user,
		    sizeof(out->user), "user", err, errlen) == 0 &&
		    url_part(u, CURLUPART_PASSWORD, CURLU_URLDECODE,
		    out->password, sizeof(out->password), "password", err,
		    errlen) == 0;
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

int
redis_sink_open(const char *url, long long maxlen, struct redis_sink **out,
    char *err, size_t errlen)
{
	struct redis_sink *sink;
	char why[256];
	size_t len = strlen(url) + 1;

	/* Redacting never lengthens a URL by more than "***". */
	if ((sink = calloc(1, sizeof(*sink))) == NULL ||
	    (sink->url = malloc(len + 3)) == NULL) {
		free(sink);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	redis_sink_url_redact(url, sink->url, len + 3);
	if (redis_sink_url_parse(url, &sink->where, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", sink->url, why);
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

/* One command of argc words on the connection; its reply must be of
 * type want.  Returns 0 with *value (may be NULL) the reply's integer, or
 * -1 with the reason in err. */
static int
ask(struct redis_sink *sink, int argc, const char **argv, int want,
    long long *value, char *err, size_t errlen)
{
	redisReply *r;
	int rc = 0;

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

/* AUTH and SELECT as the URL says, on a new connection; a failure drops
 * it, so the next call starts over. */
static int
handshake(struct redis_sink *sink, char *err, size_t errlen)
{
	const struct redis_sink_url *w = &sink->where;
	const char *auth[] = { "AUTH", w->user, w->password };
	char db[16];
	const char *select[] = { "SELECT", db };

	snprintf(db, sizeof(db), "%d", w->db);
	/* Without a user, AUTH's one argument is the password. */
	if ((w->password[0] != '\0' && (w->user[0] != '\0' ?
	    ask(sink, 3, auth, REDIS_REPLY_STATUS, NULL, err, errlen) :
	    ask(sink, 2, (const char *[]){ "AUTH", w->password },
	    REDIS_REPLY_STATUS, NULL, err, errlen)) == -1) ||
	    (w->db != 0 && ask(sink, 2, select, REDIS_REPLY_STATUS, NULL, err,
	    errlen) == -1)) {
		disconnect(sink);
		return -1;
	}
	return 0;
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
	return handshake(sink, err, errlen);
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

/* ask, connecting first if need be. */
static int
command(struct redis_sink *sink, int argc, const char **argv, int want,
    long long *value, char *err, size_t errlen)
{
	if (sink->c == NULL && connect_sink(sink, err, errlen) == -1)
		return -1;
	return ask(sink, argc, argv, want, value, err, errlen);
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
