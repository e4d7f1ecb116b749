/*
 * http.c - see http.h.
 *
 * The libev glue follows curl's docs/examples/evhiperfifo.c, with its
 * known slips fixed: timeouts in floating point, no libcurl call from the
 * timer function, finished transfers handled after curl_multi_socket_action
 * returns, and curl_multi_cleanup before the loop goes away.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <curl/curl.h>
#include <ev.h>

#include "../feeds/url.h"
#include "http.h"
#include "log.h"

#define HOST_BUCKETS 4096
#define MAX_REDIRECTS 10
#define CONNECT_TIMEOUT 20L
/* A server that sends less than LOW_SPEED_BYTES per second for
 * LOW_SPEED_SECONDS (or half the whole timeout, when shorter, so that it
 * can fire first) is dropped: a trickle cannot hold a slot forever. */
/* A host the gate holds back is asked again this much later. */
#define GATE_RETRY 0.25

#define LOW_SPEED_BYTES 10L
#define LOW_SPEED_SECONDS 30.0

struct host;

struct http_transfer {
	struct http *http;
	struct host *host;
	CURL *easy;                        /* made when it starts */
	struct curl_slist *headers;
	char *url;
	char *password;                    /* NULL: none */
	char *user_agent, *proxy, *ca_file;
	double timeout;
	http_done_fn *done;
	void *arg;
	char *body;
	size_t len, cap;
	int64_t max_bytes;
	int too_big;
	int allow_private;
	int refused_private;
	char refused_addr[INET6_ADDRSTRLEN];
	int running;
	int failed_start;
	int perm_hops;                     /* leading 301/308 answers so far */
	int slot;                          /* the gate's slot while running,
	                                    * -1 none */
	int deferred;                      /* in http->deferred: its host is
	                                    * held longer than max_hold_wait */
	char *perm_url;                    /* where they lead */
	TAILQ_ENTRY(http_transfer) entry;  /* in host->queue, http->running or
	                                    * http->deferred */
	char *errbuf;                      /* CURL_ERROR_SIZE, once started */
};
TAILQ_HEAD(transfer_list, http_transfer);

struct host {
	struct http *http;
	char *name;
	long active;
	double not_before;                 /* ev_time(): no start before this */
	double held_until;                 /* ev_time() a Retry-After asked for */
	ev_timer wake;                     /* runs while not_before holds work */
	int ready;                         /* in http->ready */
	struct transfer_list queue;
	struct host *hnext;                /* hash chain */
	TAILQ_ENTRY(host) rentry;
};
TAILQ_HEAD(host_list, host);

struct sock {
	ev_io io;
	struct http *http;
};

struct http {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;
	ev_idle failed;                    /* fed when curl refuses a handle */
	long max_connections;
	long per_host;
	double per_host_delay;
	double max_retry_after;
	double max_hold_wait;              /* < 0: wait out any hold */
	http_hold_fn *on_hold;             /* told of each hold set, or NULL */
	void *on_hold_arg;
	struct http_gate gate;             /* acquire NULL: none */
	int paused;                        /* http_pause: start nothing */
	long active;
	size_t pending;
	struct transfer_list running;
	struct transfer_list deferred;     /* ended unstarted, to report */
	struct host_list ready;
	struct host *hosts[HOST_BUCKETS];
};

static void dispatch(struct http *http);
static int host_key(const char *url, char *out, size_t outlen, char *err,
    size_t errlen);
static void on_wake(struct ev_loop *loop, ev_timer *w, int revents);
static void gate_release(struct http *http, struct http_transfer *t);
static int transfer_start(struct http_transfer *t);

static unsigned
host_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % HOST_BUCKETS;
}

static struct host *
host_get(struct http *http, const char *name)
{
	unsigned b = host_hash(name);
	struct host *h;

	for (h = http->hosts[b]; h; h = h->hnext)
		if (strcmp(h->name, name) == 0)
			return h;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->name = strdup(name)) == NULL) {
		free(h);
		return NULL;
	}
	TAILQ_INIT(&h->queue);
	h->http = http;
	ev_timer_init(&h->wake, on_wake, 0., 0.);
	h->wake.data = h;
	h->hnext = http->hosts[b];
	http->hosts[b] = h;
	return h;
}

/* Wake h at not_before (it may fire early: libev counts from the start of
 * the loop iteration, so the callback checks again). */
static void
host_sleep(struct http *http, struct host *h)
{
	if (ev_is_active(&h->wake))
		return;
	ev_timer_set(&h->wake, h->not_before - ev_time() + 0.001, 0.);
	ev_timer_start(http->loop, &h->wake);
}

static void
host_free(struct http *http, struct host *h)
{
	ev_timer_stop(http->loop, &h->wake);
	free(h->name);
	free(h);
}

/* Hosts with nothing to do are forgotten, so memory follows the work; one
 * that must still wait is kept (asleep) until its wait is over. */
static void
host_release_if_idle(struct http *http, struct host *h)
{
	struct host **pp;

	if (h->active > 0 || !TAILQ_EMPTY(&h->queue))
		return;
	if (h->not_before > ev_time()) {
		host_sleep(http, h);
		return;
	}
	if (h->ready) {
		TAILQ_REMOVE(&http->ready, h, rentry);
		h->ready = 0;
	}
	for (pp = &http->hosts[host_hash(h->name)]; *pp; pp = &(*pp)->hnext)
		if (*pp == h) {
			*pp = h->hnext;
			break;
		}
	host_free(http, h);
}

/* Whether h is held by a Retry-After for longer than max_hold_wait. */
static int
host_held_long(const struct http *http, const struct host *h)
{
	return http->max_hold_wait >= 0 &&
	    h->held_until - ev_time() > http->max_hold_wait;
}

/* A host held longer than its callers wait: its queue ends unstarted,
 * reported from the loop (on_failed_start) like a transfer that could
 * not start. */
static void
host_defer(struct http *http, struct host *h)
{
	struct http_transfer *t;

	while ((t = TAILQ_FIRST(&h->queue)) != NULL) {
		TAILQ_REMOVE(&h->queue, t, entry);
		t->deferred = 1;
		TAILQ_INSERT_TAIL(&http->deferred, t, entry);
	}
	ev_feed_event(http->loop, &http->failed, EV_CUSTOM);
}

static void
host_mark_ready(struct http *http, struct host *h)
{
	if (h->ready || TAILQ_EMPTY(&h->queue))
		return;
	if (host_held_long(http, h)) {
		host_defer(http, h);
		return;
	}
	if (h->active >= http->per_host)
		return;
	if (h->not_before > ev_time()) {
		host_sleep(http, h);
		return;
	}
	TAILQ_INSERT_TAIL(&http->ready, h, rentry);
	h->ready = 1;
}

static void
on_wake(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct host *h = w->data;
	struct http *http = h->http;

	(void)loop;
	(void)revents;
	host_mark_ready(http, h);
	host_release_if_idle(http, h);
	dispatch(http);
}

static void
transfer_free(struct http_transfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->perm_url);
	free(t->errbuf);
	free(t->url);
	free(t->password);
	free(t->user_agent);
	free(t->proxy);
	free(t->ca_file);
	free(t->body);
	free(t);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_transfer *t = userp;
	size_t n = size * nmemb;

	if ((int64_t)(t->len + n) > t->max_bytes) {
		t->too_big = 1;
		return 0;
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 16384;
		char *p;
		while (cap < t->len + n + 1)
			cap *= 2;
		if ((p = realloc(t->body, cap)) == NULL)
			return 0;
		t->body = p;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

static int
v4_is_private(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
	    (a >> 20) == (172u << 4 | 1) ||       /* 172.16/12 */
	    (a >> 16) == (192u << 8 | 168) ||     /* 192.168/16 */
	    (a >> 16) == (169u << 8 | 254) ||     /* 169.254/16 */
	    (a >> 22) == (100u << 2 | 1) ||       /* 100.64/10 */
	    (a >> 28) >= 14;                      /* multicast, reserved */
}

static uint32_t
v4_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/*
 * An IPv6 address that carries an IPv4 one reaches that IPv4 host (the
 * kernel, a NAT64 or a relay translates), so it is as private as the
 * address it carries.
 */
static int
v6_is_private(const struct in6_addr *a)
{
	static const uint8_t compat[12];                  /* ::/96 */
	static const uint8_t siit[12] = { [8] = 0xff, [9] = 0xff };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	const uint8_t *b = a->s6_addr;

	/* The last 32 bits: mapped ::ffff:0:0/96, compatible ::/96 (with ::
	 * and ::1), translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96. */
	if (IN6_IS_ADDR_V4MAPPED(a) || memcmp(b, compat, 12) == 0 ||
	    memcmp(b, siit, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return v4_is_private(v4_at(b + 12));
	/* NAT64's local-use 64:ff9b:1::/48 (RFC 8215) leads into a private
	 * network by definition, whatever it embeds. */
	if (memcmp(b, nat64, 4) == 0 && b[4] == 0 && b[5] == 1)
		return 1;
	/* 6to4 2002::/16: bits 16..47. */
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_is_private(v4_at(b + 2));
	/* Teredo 2001::/32: the server in bits 32..63, the client inverted
	 * in the last 32. */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
		return v4_is_private(v4_at(b + 4)) ||
		    v4_is_private(~v4_at(b + 12));
	return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_SITELOCAL(a) ||
	    IN6_IS_ADDR_MULTICAST(a) || (b[0] & 0xfe) == 0xfc;
}

int
http_addr_is_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_is_private(ntohl(((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return v6_is_private(&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr);
	return 1;
}

/* The check sits at connect time, after name resolution, so a public
 * name that resolves to 127.0.0.1 is caught too. */
static curl_socket_t
on_open_socket(void *userp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct http_transfer *t = userp;

	(void)purpose;
	if (!t->allow_private && http_addr_is_private(&addr->addr)) {
		const void *in = addr->family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)&addr->addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)&addr->addr)->sin_addr;
		t->refused_private = 1;
		inet_ntop(addr->family, in, t->refused_addr, sizeof(t->refused_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* The connect-time check cannot see a reused connection (the feed's own
 * keep-alive connection to the same host, say); this one runs before every
 * request, on whatever connection carries it, redirects included. */
static int
on_prereq(void *userp, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct http_transfer *t = userp;
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	const struct sockaddr *sa;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (t->allow_private)
		return CURL_PREREQFUNC_OK;
	if (inet_pton(AF_INET, primary_ip, &v4.sin_addr) == 1)
		sa = (const struct sockaddr *)&v4;
	else if (inet_pton(AF_INET6, primary_ip, &v6.sin6_addr) == 1)
		sa = (const struct sockaddr *)&v6;
	else
		sa = NULL;
	if (sa == NULL || http_addr_is_private(sa)) {
		t->refused_private = 1;
		snprintf(t->refused_addr, sizeof(t->refused_addr), "%s", primary_ip);
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* A URL from libcurl as callers may show it: without a password, which
 * libcurl writes back into the URL it was given beside it. */
static char *
shown_url(const char *url)
{
	char *password, *out = url_without_password(url, &password);

	free(password);
	return out;
}

static const char *
header_value(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/*
 * Each response's status line, redirects included: the chain's leading
 * permanent redirects are the ones a caller may remember.  An interim
 * answer (1xx) or a proxy's answer to CONNECT comes before the real one
 * of the same hop and changes nothing.
 */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_transfer *t = userp;
	size_t n = size * nmemb;
	long hop = 0, status;
	char *url = NULL, *p;

	if (n < 12 || strncmp(data, "HTTP/", 5) != 0 ||
	    (p = memchr(data, ' ', n)) == NULL || p + 4 > data + n)
		return n;
	status = strtol(p + 1, NULL, 10);
	curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &hop);
	if (status < 200 || hop != t->perm_hops)
		return n;
	if (hop > 0 && curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL,
	    &url) == CURLE_OK && url) {
		free(t->perm_url);
		if ((t->perm_url = shown_url(url)) == NULL)
			return 0;
	}
	if (status == 301 || status == 308)
		t->perm_hops++;
	return n;
}

/* Seconds from the response's Date (our clock when it has none) to the
 * HTTP-date value, -1 when value is not a date. */
static double
seconds_until(CURL *easy, const char *value)
{
	const char *date = header_value(easy, "Date");
	time_t when = curl_getdate(value, NULL), now = -1;

	if (when == -1)
		return -1;
	if (date)
		now = curl_getdate(date, NULL);
	if (now == -1)
		now = time(NULL);
	return when > now ? (double)(when - now) : 0;
}

/* Retry-After: delta seconds or an HTTP-date (RFC 9110 10.2.3). */
static double
retry_after(CURL *easy)
{
	const char *v = header_value(easy, "Retry-After");
	char *end;
	double s;

	if (v == NULL)
		return -1;
	if (*v >= '0' && *v <= '9') {
		s = strtod(v, &end);
		return *end == '\0' || *end == ' ' ? s : -1;
	}
	return seconds_until(easy, v);
}

/* Cache-Control's max-age, unless no-store or no-cache forbid reuse. */
static double
max_age(CURL *easy)
{
	const char *v = header_value(easy, "Cache-Control");
	double age = -1;

	for (const char *p = v; p && *p; p += strcspn(p, ",")) {
		p += strspn(p, ", \t");
		if (strncasecmp(p, "no-store", 8) == 0 ||
		    strncasecmp(p, "no-cache", 8) == 0)
			return -1;
		if (strncasecmp(p, "max-age=", 8) == 0 && p[8] >= '0' &&
		    p[8] <= '9')
			age = strtod(p + 8, NULL);
	}
	return age;
}

/* Nothing starts on h for wait seconds; 0, or -1 out of memory. */
static int
host_hold(struct http *http, const char *name, double wait)
{
	struct host *h;

	if ((h = host_get(http, name)) == NULL)
		return -1;
	if (h->held_until < ev_time() + wait)
		h->held_until = ev_time() + wait;
	if (h->not_before < h->held_until)
		h->not_before = h->held_until;
	host_mark_ready(http, h);
	host_release_if_idle(http, h);
	return 0;
}

/* A 429 or 503 with Retry-After holds back every transfer to the host
 * that answered. */
static void
hold_host(struct http *http, const char *url, long status, double wait)
{
	char name[256], err[256];

	if (wait < 0 || (status != 429 && status != 503))
		return;
	if (host_key(url, name, sizeof(name), err, sizeof(err)) == -1 ||
	    host_hold(http, name, wait) == -1)
		return;
	log_info("host %s: HTTP %ld, waiting %.0f s before the next request",
	    name, status, wait);
	if (http->on_hold)
		http->on_hold(http->on_hold_arg, name, wait);
}

static void
finish(struct http *http, struct http_transfer *t, CURLcode rc)
{
	struct http_response res = { 0 };
	char reason[CURL_ERROR_SIZE + 128];
	char *url = NULL, *ctype = NULL, *shown;
	struct host *h = t->host;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res.status);
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
	curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ctype);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &res.seconds);
	shown = shown_url(url ? url : t->url);
	res.url = shown ? shown : "(out of memory)";
	res.content_type = ctype;
	res.retry_after = res.max_age = res.expires_in = -1;
	if (rc == CURLE_OK) {
		const char *expires = header_value(t->easy, "Expires");

		res.etag = header_value(t->easy, "ETag");
		res.last_modified = header_value(t->easy, "Last-Modified");
		res.body = t->body ? t->body : "";
		res.len = t->len;
		res.permanent_url = t->perm_url;
		res.retry_after = retry_after(t->easy);
		if (res.retry_after > http->max_retry_after)
			res.retry_after = http->max_retry_after;
		res.max_age = max_age(t->easy);
		res.expires_in = expires ? seconds_until(t->easy, expires) : -1;
		hold_host(http, res.url, res.status, res.retry_after);
	} else {
		if (t->too_big)
			snprintf(reason, sizeof(reason), "body larger than %lld "
			    "bytes once decoded: transfer aborted",
			    (long long)t->max_bytes);
		else if (rc == CURLE_TOO_MANY_REDIRECTS)
			snprintf(reason, sizeof(reason), "more than %d redirects"
			    " (a redirect loop?)", MAX_REDIRECTS);
		else if (t->refused_private)
			snprintf(reason, sizeof(reason), "refused to connect to "
			    "private address %s (allow_private_addresses is off)",
			    t->refused_addr);
		else if (t->failed_start)
			snprintf(reason, sizeof(reason), "cannot start transfer");
		else
			snprintf(reason, sizeof(reason), "%s", t->errbuf[0] ?
			    t->errbuf : curl_easy_strerror(rc));
		res.error = reason;
		res.body = "";
	}

	curl_multi_remove_handle(http->multi, t->easy);
	TAILQ_REMOVE(&http->running, t, entry);
	gate_release(http, t);
	NW_ASSERT(http->active > 0 && http->pending > 0 && h->active > 0);
	http->active--;
	http->pending--;
	h->active--;
	host_mark_ready(http, h);

	t->done(t->arg, &res);
	free(shown);
	transfer_free(t);
	host_release_if_idle(http, h);
}

static void
drain_done(struct http *http)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(http->multi, &left)) != NULL) {
		struct http_transfer *t;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		finish(http, t, msg->data.result);
	}
	dispatch(http);
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http *http = w->data;
	int running;

	(void)loop;
	(void)revents;
	curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain_done(http);
}

static void
on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sock *s = (struct sock *)w;
	struct http *http = s->http;
	int action = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
	    (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running;

	(void)loop;
	curl_multi_socket_action(http->multi, w->fd, action, &running);
	drain_done(http);
}

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct http *http = userp;
	struct sock *s = sockp;
	int events = (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0);

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			ev_io_stop(http->loop, &s->io);
			free(s);
			curl_multi_assign(http->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->http = http;
		ev_io_init(&s->io, on_io, fd, events);
		curl_multi_assign(http->multi, fd, s);
	} else {
		ev_io_stop(http->loop, &s->io);
		ev_io_set(&s->io, fd, events);
	}
	ev_io_start(http->loop, &s->io);
	return 0;
}

/* Called by libcurl: only arm the timer here, never call back into it. */
static int
on_multi_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *http = userp;

	(void)multi;
	ev_timer_stop(http->loop, &http->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&http->timer, timeout_ms / 1000.0, 0.);
		ev_timer_start(http->loop, &http->timer);
	}
	return 0;
}

/* The gate's word on starting t now (1: go).  A host the gate holds back
 * is asked again GATE_RETRY seconds later. */
static int
gate_admit(struct http *http, struct host *h, struct http_transfer *t)
{
	t->slot = -1;
	if (http->gate.acquire == NULL ||
	    http->gate.acquire(http->gate.arg, h->name, http->per_host,
	    &t->slot))
		return 1;
	h->not_before = ev_time() + GATE_RETRY;
	host_sleep(http, h);
	return 0;
}

static void
gate_release(struct http *http, struct http_transfer *t)
{
	if (t->slot >= 0 && http->gate.release != NULL)
		http->gate.release(http->gate.arg, t->host->name, t->slot,
		    http->per_host_delay);
	t->slot = -1;
}

static void
dispatch(struct http *http)
{
	while (!http->paused && http->active < http->max_connections &&
	    !TAILQ_EMPTY(&http->ready)) {
		struct host *h = TAILQ_FIRST(&http->ready);
		struct http_transfer *t = TAILQ_FIRST(&h->queue);

		TAILQ_REMOVE(&http->ready, h, rentry);
		h->ready = 0;
		/* Held since it became ready (a Retry-After elsewhere). */
		if (h->not_before > ev_time()) {
			host_mark_ready(http, h);
			continue;
		}
		if (!gate_admit(http, h, t))
			continue;
		TAILQ_REMOVE(&h->queue, t, entry);
		h->active++;
		http->active++;
		if (http->per_host_delay > 0)
			h->not_before = ev_time() + http->per_host_delay;
		t->running = 1;
		TAILQ_INSERT_TAIL(&http->running, t, entry);
		host_mark_ready(http, h);
		if (transfer_start(t) == -1) {
			/* Reported from the loop like any other failure,
			 * never from inside http_get. */
			t->failed_start = 1;
			ev_feed_event(http->loop, &http->failed, EV_CUSTOM);
		}
	}
}

/* A transfer that never started because its host is held: its caller
 * learns for how long. */
static void
finish_deferred(struct http *http, struct http_transfer *t)
{
	struct host *h = t->host;
	struct http_response res = { 0 };
	char reason[512];

	res.url = t->url;
	res.body = "";
	res.retry_after = res.max_age = res.expires_in = -1;
	/* Positive even should the hold have ended since it was deferred. */
	res.held_for = h->held_until - ev_time() > 1 ?
	    h->held_until - ev_time() : 1;
	snprintf(reason, sizeof(reason), "not requested: host %s asked to "
	    "wait %.0f s more (Retry-After)", h->name, res.held_for);
	res.error = reason;
	TAILQ_REMOVE(&http->deferred, t, entry);
	NW_ASSERT(http->pending > 0);
	http->pending--;
	t->done(t->arg, &res);
	transfer_free(t);
	host_release_if_idle(http, h);
}

static void
on_failed_start(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct http *http = w->data;
	struct http_transfer *t;

	(void)loop;
	(void)revents;
	/* First each: a callback may cancel other transfers. */
	while ((t = TAILQ_FIRST(&http->deferred)) != NULL)
		finish_deferred(http, t);
	do {
		TAILQ_FOREACH(t, &http->running, entry)
			if (t->failed_start)
				break;
		if (t)
			finish(http, t, CURLE_FAILED_INIT);
	} while (t);
	dispatch(http);
}

/* libcurl's start-up, OpenSSL's with it, costs a one-shot command that
 * touches no network more than the rest of its work: the first http_new
 * pays it, http_global_cleanup undoes it. */
static int curl_ready;

struct http *
http_new(struct ev_loop *loop, const struct http_limits *lim, char *err,
    size_t errlen)
{
	struct http *http;
	CURLcode rc;

	if (!curl_ready) {
		if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
			snprintf(err, errlen, "curl_global_init: %s",
			    curl_easy_strerror(rc));
			return NULL;
		}
		curl_ready = 1;
	}
	if ((http = calloc(1, sizeof(*http))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((http->multi = curl_multi_init()) == NULL) {
		snprintf(err, errlen, "curl_multi_init failed");
		free(http);
		return NULL;
	}
	http->loop = loop;
	http->max_connections = lim->max_connections > 0 ?
	    lim->max_connections : 1;
	http->per_host = lim->per_host_connections > 0 ?
	    lim->per_host_connections : 1;
	http->per_host_delay = lim->per_host_delay;
	http->max_retry_after = lim->max_retry_after;
	http->max_hold_wait = lim->max_hold_wait;
	TAILQ_INIT(&http->running);
	TAILQ_INIT(&http->deferred);
	TAILQ_INIT(&http->ready);
	ev_timer_init(&http->timer, on_timer, 0., 0.);
	http->timer.data = http;
	ev_idle_init(&http->failed, on_failed_start);
	http->failed.data = http;
	curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
	curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, on_multi_timer);
	curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
	/* Keep enough idle connections for every host we may poll in a row. */
	curl_multi_setopt(http->multi, CURLMOPT_MAXCONNECTS, http->max_connections * 2);
	return http;
}

static void
host_drop_all(struct http *http)
{
	for (size_t b = 0; b < HOST_BUCKETS; b++) {
		struct host *h, *next;
		for (h = http->hosts[b]; h; h = next) {
			struct http_transfer *t;
			next = h->hnext;
			while ((t = TAILQ_FIRST(&h->queue)) != NULL) {
				TAILQ_REMOVE(&h->queue, t, entry);
				transfer_free(t);
			}
			host_free(http, h);
		}
		http->hosts[b] = NULL;
	}
}

void
http_free(struct http *http)
{
	struct http_transfer *t;

	if (http == NULL)
		return;
	while ((t = TAILQ_FIRST(&http->running)) != NULL) {
		TAILQ_REMOVE(&http->running, t, entry);
		gate_release(http, t);
		curl_multi_remove_handle(http->multi, t->easy);
		transfer_free(t);
	}
	while ((t = TAILQ_FIRST(&http->deferred)) != NULL) {
		TAILQ_REMOVE(&http->deferred, t, entry);
		transfer_free(t);
	}
	host_drop_all(http);
	/* The socket callback fires during cleanup and frees its watchers. */
	curl_multi_cleanup(http->multi);
	ev_timer_stop(http->loop, &http->timer);
	free(http);
}

/* "host:port", the port the scheme's default when the URL has none:
 * http://h/ and http://h:80/ are one server, h:8001 and h:8002 two.
 * libcurl's parser writes a numeric IPv4 host in its usual form (127.1
 * and 2130706433 are 127.0.0.1); the name is lower-cased here. */
static int
host_key(const char *url, char *out, size_t outlen, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	CURLUcode rc;

	if (u == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "bad URL '%s': %s", url, curl_url_strerror(rc));
		curl_free(host);
		curl_url_cleanup(u);
		return -1;
	}
	snprintf(out, outlen, "%s:%s", host, port);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return 0;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[1024];
	struct curl_slist *l;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((l = curl_slist_append(*list, line)) == NULL)
		return -1;
	*list = l;
	return 0;
}

/* The request's strings, copied: it may wait in a queue for long. */
static int
transfer_copy(struct http_transfer *t, const struct http_request *req)
{
	struct curl_slist *l;

	if ((t->url = strdup(req->url)) == NULL ||
	    (req->password && (t->password = strdup(req->password)) == NULL) ||
	    (req->user_agent && (t->user_agent = strdup(req->user_agent)) == NULL) ||
	    (req->proxy && (t->proxy = strdup(req->proxy)) == NULL) ||
	    (req->ca_file && (t->ca_file = strdup(req->ca_file)) == NULL))
		return -1;
	if ((req->etag && add_header(&t->headers, "If-None-Match", req->etag)) ||
	    (req->last_modified &&
	    add_header(&t->headers, "If-Modified-Since", req->last_modified)))
		return -1;
	for (size_t i = 0; i < req->nheaders; i++) {
		if ((l = curl_slist_append(t->headers, req->headers[i])) == NULL)
			return -1;
		t->headers = l;
	}
	t->timeout = req->timeout;
	return 0;
}

/* The easy handle is made only when the transfer starts: libcurl's handle
 * weighs kilobytes, and a cycle of 10,000 feeds queues them all at once. */
static int
transfer_start(struct http_transfer *t)
{
	CURL *e;
	double low_speed = t->timeout / 2 < LOW_SPEED_SECONDS ?
	    t->timeout / 2 : LOW_SPEED_SECONDS;

	if ((t->errbuf = calloc(1, CURL_ERROR_SIZE)) == NULL ||
	    (e = t->easy = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	/* Beside the URL rather than in it: libcurl sends it to url's host
	 * alone (not to a redirect's), and no URL handed out carries it. */
	if (t->password)
		curl_easy_setopt(e, CURLOPT_PASSWORD, t->password);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, t->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (t->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
	if (t->proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, t->proxy);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(t->timeout * 1000));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    low_speed >= 1 ? (long)low_speed : 1L);
	/* No CURLOPT_MAXFILESIZE: it judges the encoded Content-Length,
	 * while the cap is on decoded bytes (on_body). */
	return curl_multi_add_handle(t->http->multi, e) == CURLM_OK ? 0 : -1;
}

struct http_transfer *
http_get(struct http *http, const struct http_request *req, char *err,
    size_t errlen)
{
	struct http_transfer *t;
	char hostname[256];
	struct host *h;

	if (host_key(req->url, hostname, sizeof(hostname), err, errlen) == -1)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    transfer_copy(t, req) == -1 ||
	    (h = host_get(http, hostname)) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (t)
			transfer_free(t);
		return NULL;
	}
	t->http = http;
	t->host = h;
	t->done = req->done;
	t->arg = req->arg;
	t->max_bytes = req->max_bytes;
	t->allow_private = req->allow_private;
	TAILQ_INSERT_TAIL(&h->queue, t, entry);
	http->pending++;
	host_mark_ready(http, h);
	/* Starting transfers here is safe: libcurl only arms our timer, and
	 * callbacks run from the loop. */
	dispatch(http);
	return t;
}

void
http_cancel(struct http *http, struct http_transfer *t)
{
	struct host *h = t->host;

	if (t->running) {
		curl_multi_remove_handle(http->multi, t->easy);
		TAILQ_REMOVE(&http->running, t, entry);
		gate_release(http, t);
		NW_ASSERT(http->active > 0 && h->active > 0);
		http->active--;
		h->active--;
	} else if (t->deferred) {
		TAILQ_REMOVE(&http->deferred, t, entry);
	} else {
		TAILQ_REMOVE(&h->queue, t, entry);
	}
	NW_ASSERT(http->pending > 0);
	http->pending--;
	transfer_free(t);
	host_mark_ready(http, h);
	host_release_if_idle(http, h);
	dispatch(http);
}

void
http_set_gate(struct http *http, const struct http_gate *gate)
{
	http->gate = *gate;
}

void
http_set_hold_hook(struct http *http, http_hold_fn *fn, void *arg)
{
	http->on_hold = fn;
	http->on_hold_arg = arg;
}

int
http_hold(struct http *http, const char *host, double wait)
{
	return wait > 0 ? host_hold(http, host, wait) : 0;
}

void
http_pause(struct http *http, int on)
{
	http->paused = on;
	if (!on)
		dispatch(http);
}

void
http_global_cleanup(void)
{
	if (curl_ready) {
		curl_global_cleanup();
		curl_ready = 0;
	}
}

size_t
http_running(const struct http *http)
{
	return (size_t)http->active;
}

size_t
http_pending(const struct http *http)
{
	return http->pending;
}
