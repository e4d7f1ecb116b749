/*
 * test_redis_sink.c - the Redis sink against a real redis-server, started
 * by the tests on 127.0.0.1 and a free port (without persistence: each
 * test starts its own): an item added twice is one stream entry, MAXLEN
 * trims, a server that is down fails the sync and the next one after it
 * is back succeeds, and a failed XADD leaves the name free for the retry.
 * Skipped, saying why, when redis-server is not installed.  URL parsing
 * needs no server.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <hiredis/hiredis.h>

#include "../store/redis_sink.h"
#include "skip.h"

struct server {
	pid_t pid;
	int port;
};

static int
have_redis_server(void)
{
	const char *path = getenv("PATH");
	char dir[4096], file[4200];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(file, sizeof(file), "%s/redis-server", dir);
		if (access(file, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* A connection to the test's server, for looking at what the sink did. */
static redisContext *
peek(int port)
{
	struct timeval tv = { .tv_sec = 5 };
	redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);

	assert_non_null(c);
	return c;
}

static void
server_start(struct server *s)
{
	char port[16];
	struct timespec nap = { .tv_nsec = 10 * 1000 * 1000 };

	snprintf(port, sizeof(port), "%d", s->port);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		freopen("/dev/null", "w", stdout);
		execlp("redis-server", "redis-server", "--port", port,
		    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		    "--dir", "/tmp", (char *)NULL);
		_exit(127);
	}
	/* Ready once it answers PING; a child that died failed to start. */
	for (int i = 0; i < 1000; i++) {
		redisContext *c = peek(s->port);
		redisReply *r = c->err ? NULL : redisCommand(c, "PING");
		int up = r != NULL && r->type == REDIS_REPLY_STATUS;

		if (r)
			freeReplyObject(r);
		redisFree(c);
		if (up)
			return;
		assert_int_equal(waitpid(s->pid, NULL, WNOHANG), 0);
		nanosleep(&nap, NULL);
	}
	fail_msg("redis-server on port %d did not answer", s->port);
}

static void
server_stop(struct server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

static int
setup(void **state)
{
	struct server *s;

	if (!have_redis_server()) {
		fprintf(stderr, "skipped: redis-server is not installed "
		    "(Debian: redis-server)\n");
		*state = NULL;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->port = free_port();
	server_start(s);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct server *s = *state;

	if (s != NULL)
		server_stop(s);
	free(s);
	return 0;
}

static struct server *
server_or_skip(void **state)
{
	if (*state == NULL)
		SKIP_BECAUSE("redis-server is not installed (Debian: "
		    "redis-server)");
	return *state;
}

static struct redis_sink *
sink_open(const struct server *s, long long maxlen)
{
	struct redis_sink *sink = NULL;
	char url[64], err[256];

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/news", s->port);
	if (redis_sink_open(url, maxlen, &sink, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	return sink;
}

static void
put(struct redis_sink *sink, const char *name, const char *json)
{
	char err[256];

	if (redis_sink_put(sink, name, json, strlen(json), err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
}

static void
sync_ok(struct redis_sink *sink)
{
	char err[256];

	if (redis_sink_sync(sink, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

static long long
command_integer(int port, const char *cmd, const char *arg)
{
	redisContext *c = peek(port);
	redisReply *r = redisCommand(c, "%s %s", cmd, arg);
	long long n;

	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_INTEGER);
	n = r->integer;
	freeReplyObject(r);
	redisFree(c);
	return n;
}

static void
test_url_parse(void **state)
{
	struct redis_sink_url u;
	char err[256];

	(void)state;
	assert_int_equal(redis_sink_url_parse("redis://localhost/items", &u,
	    err, sizeof(err)), 0);
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, REDIS_SINK_DEFAULT_PORT);
	assert_string_equal(u.stream, "items");
	assert_int_equal(redis_sink_url_parse("redis://[::1]:7000/a/b", &u,
	    err, sizeof(err)), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 7000);
	assert_string_equal(u.stream, "a/b");
	assert_int_equal(redis_sink_url_parse("redis:/", &u, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the scheme must be redis://");
	assert_int_equal(redis_sink_url_parse("redis://h:99999999999999/s",
	    &u, err, sizeof(err)), -1);
	assert_string_equal(err, "the port must be 1 to 65535");
	assert_int_equal(redis_sink_url_parse("redis://h:12x/s", &u, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the port must be 1 to 65535");
}

/* Parse url, which must fail with want. */
static void
url_fails(const char *url, const char *want)
{
	struct redis_sink_url u;
	char err[256];

	if (redis_sink_url_parse(url, &u, err, sizeof(err)) != -1)
		fail_msg("%s: parsed", url);
	assert_string_equal(err, want);
}

/* Credentials (percent-decoded, a user optional), ?db=N, IPv6 hosts with
 * and without a port. */
static void
test_url_parse_credentials(void **state)
{
	struct redis_sink_url u;
	char err[256];

	(void)state;
	assert_int_equal(redis_sink_url_parse("redis://nw%3Ax:p%40ss%2F"
	    "@h.example:6380/items?db=2", &u, err, sizeof(err)), 0);
	assert_string_equal(u.user, "nw:x");
	assert_string_equal(u.password, "p@ss/");
	assert_string_equal(u.host, "h.example");
	assert_int_equal(u.port, 6380);
	assert_string_equal(u.stream, "items");
	assert_int_equal(u.db, 2);
	assert_int_equal(redis_sink_url_parse("redis://:secret@[2001:db8::1]/s",
	    &u, err, sizeof(err)), 0);
	assert_string_equal(u.user, "");
	assert_string_equal(u.password, "secret");
	assert_string_equal(u.host, "2001:db8::1");
	assert_int_equal(u.port, REDIS_SINK_DEFAULT_PORT);
	assert_int_equal(u.db, 0);
	/* Nothing of a URL without them. */
	assert_int_equal(redis_sink_url_parse("redis://h/a/../b", &u, err,
	    sizeof(err)), 0);
	assert_string_equal(u.user, "");
	assert_string_equal(u.password, "");
	assert_string_equal(u.stream, "a/../b");
}

static void
test_url_parse_errors(void **state)
{
	(void)state;
	/* AUTH needs a password: a user alone is not a credential. */
	url_fails("redis://nw@h/s", "expected /STREAM after the host");
	url_fails("redis://nw:@h/s", "no password before the @");
	url_fails("redis://h/s?db=x", "the only query is ?db=N, a database "
	    "number from 0 to 1000000");
	url_fails("redis://h/s?db=1000001", "the only query is ?db=N, a "
	    "database number from 0 to 1000000");
	url_fails("redis://h/s?timeout=1", "the only query is ?db=N, a "
	    "database number from 0 to 1000000");
	url_fails("redis://h/s#top", "no #fragment after the stream name");
	url_fails("redis://[zz]/s", "not an IPv6 address in []");
	url_fails("redis://u:p@[::1]:0/s", "the port must be 1 to 65535");
	url_fails("redis://h_x/s", "the host may hold letters, digits, '.' "
	    "and '-' only");
	url_fails("redis://h/?db=1", "no stream name after the host");
}

/* Messages show the URL with its password as ***, parse errors too. */
static void
test_url_redacted(void **state)
{
	struct redis_sink *sink = NULL;
	char out[128], err[256];

	(void)state;
	redis_sink_url_redact("redis://nw:secret@h:1/s", out, sizeof(out));
	assert_string_equal(out, "redis://nw:***@h:1/s");
	redis_sink_url_redact("redis://:se@cret@h/s", out, sizeof(out));
	assert_string_equal(out, "redis://:***@h/s");
	redis_sink_url_redact("redis://h/a:b@c", out, sizeof(out));
	assert_string_equal(out, "redis://h/a:b@c");
	assert_int_equal(redis_sink_open("redis://nw:secret@h:0/s", 0, &sink,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "redis://nw:***@h:0/s: the port must be 1 "
	    "to 65535");
	assert_int_equal(redis_sink_open("redis://nw:secret@h:99/s#x", 0,
	    &sink, err, sizeof(err)), -1);
	assert_null(strstr(err, "secret"));
}

/* A user with a password (Redis ACL) and a database: items land in that
 * database; a wrong password is Redis's refusal, without the password. */
static void
test_auth_and_db(void **state)
{
	struct server *s = server_or_skip(state);
	struct redis_sink *sink = NULL;
	redisContext *c = peek(s->port);
	redisReply *r;
	char url[128], err[256];

	freeReplyObject(redisCommand(c, "ACL SETUSER nw on >s3cret ~* &* +@all"));
	snprintf(url, sizeof(url), "redis://nw:s3cret@127.0.0.1:%d/news?db=3",
	    s->port);
	assert_int_equal(redis_sink_open(url, 0, &sink, err, sizeof(err)), 0);
	put(sink, "a.json", "{}");
	sync_ok(sink);
	redis_sink_close(sink);
	assert_int_equal(command_integer(s->port, "EXISTS", "news"), 0);
	freeReplyObject(redisCommand(c, "SELECT 3"));
	r = redisCommand(c, "XLEN news");
	assert_int_equal(r->integer, 1);
	freeReplyObject(r);
	redisFree(c);

	snprintf(url, sizeof(url), "redis://nw:wrong@127.0.0.1:%d/news",
	    s->port);
	assert_int_equal(redis_sink_open(url, 0, &sink, err, sizeof(err)), 0);
	put(sink, "b.json", "{}");
	assert_int_equal(redis_sink_sync(sink, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WRONGPASS"));
	assert_null(strstr(err, "wrong@"));
	assert_non_null(strstr(err, "redis://nw:***@127.0.0.1:"));
	redis_sink_close(sink);
}

/* The same name again, in one pipeline or a later one, is acknowledged
 * and adds nothing; each entry carries the name and the JSON. */
static void
test_same_name_is_one_entry(void **state)
{
	struct server *s = server_or_skip(state);
	struct redis_sink *sink = sink_open(s, 0);
	redisContext *c;
	redisReply *r, *fields;

	put(sink, "a.json", "{\"n\":1}");
	put(sink, "b.json", "{\"n\":2}");
	put(sink, "a.json", "{\"n\":1}");
	sync_ok(sink);
	put(sink, "a.json", "{\"n\":1}");
	sync_ok(sink);
	assert_int_equal(redis_sink_failures(sink), 0);
	assert_int_equal(command_integer(s->port, "XLEN", "news"), 2);

	c = peek(s->port);
	r = redisCommand(c, "XRANGE news - +");
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_ARRAY);
	assert_int_equal(r->elements, 2);
	fields = r->element[0]->element[1];
	assert_int_equal(fields->elements, 4);
	assert_string_equal(fields->element[0]->str, "name");
	assert_string_equal(fields->element[1]->str, "a.json");
	assert_string_equal(fields->element[2]->str, "item");
	assert_string_equal(fields->element[3]->str, "{\"n\":1}");
	assert_string_equal(r->element[1]->element[1]->element[1]->str,
	    "b.json");
	freeReplyObject(r);
	redisFree(c);
	/* Remembered for the documented time, not forever. */
	assert_in_range(command_integer(s->port, "TTL", "news:item:a.json"),
	    REDIS_SINK_DEDUPE_TTL - 60, REDIS_SINK_DEDUPE_TTL);
	redis_sink_close(sink);
}

static void
test_maxlen_trims(void **state)
{
	struct server *s = server_or_skip(state);
	struct redis_sink *sink = sink_open(s, 10);
	char name[32];
	long long n;

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "%04d.json", i);
		put(sink, name, "{}");
	}
	sync_ok(sink);
	/* "~": trimmed by whole nodes of the stream, so about 10. */
	n = command_integer(s->port, "XLEN", "news");
	assert_true(n >= 10 && n < 1000);
	redis_sink_close(sink);
}

/* Down: the sync fails and counts, and a ping fails; back up (same
 * port), the next sync connects again and delivers.  A sync with nothing
 * put needs no server. */
static void
test_down_then_back(void **state)
{
	struct server *s = server_or_skip(state);
	struct redis_sink *sink = sink_open(s, 0);
	char err[256];

	put(sink, "1.json", "{}");
	sync_ok(sink);
	server_stop(s);
	assert_int_equal(redis_sink_sync(sink, err, sizeof(err)), 0);
	put(sink, "2.json", "{}");
	assert_int_equal(redis_sink_sync(sink, err, sizeof(err)), -1);
	assert_int_equal(redis_sink_failures(sink), 1);
	put(sink, "2.json", "{}");
	assert_int_equal(redis_sink_sync(sink, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Connection refused"));
	assert_int_equal(redis_sink_failures(sink), 2);
	assert_int_equal(redis_sink_ping(sink, err, sizeof(err)), -1);

	server_start(s);
	if (redis_sink_ping(sink, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	put(sink, "2.json", "{}");
	put(sink, "3.json", "{}");
	sync_ok(sink);
	assert_int_equal(redis_sink_failures(sink), 2);
	assert_int_equal(command_integer(s->port, "XLEN", "news"), 2);
	redis_sink_close(sink);
}

/* Redis refuses the XADD (the key holds a string): the sync fails with
 * Redis's reason, the name is not taken, and once the key is fixed the
 * same item goes in. */
static void
test_refused_add_leaves_name_free(void **state)
{
	struct server *s = server_or_skip(state);
	struct redis_sink *sink = sink_open(s, 0);
	redisContext *c = peek(s->port);
	char err[256];

	freeReplyObject(redisCommand(c, "SET news oops"));
	put(sink, "a.json", "{}");
	assert_int_equal(redis_sink_sync(sink, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WRONGTYPE"));
	assert_int_equal(command_integer(s->port, "EXISTS",
	    "news:item:a.json"), 0);
	freeReplyObject(redisCommand(c, "DEL news"));
	redisFree(c);
	put(sink, "a.json", "{}");
	sync_ok(sink);
	assert_int_equal(command_integer(s->port, "XLEN", "news"), 1);
	redis_sink_close(sink);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_url_parse_credentials),
		cmocka_unit_test(test_url_parse_errors),
		cmocka_unit_test(test_url_redacted),
		cmocka_unit_test_setup_teardown(test_auth_and_db, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_name_is_one_entry,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_maxlen_trims, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_down_then_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused_add_leaves_name_free,
		    setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
