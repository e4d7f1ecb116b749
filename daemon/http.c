/*
 * http.c - see http.h.  The engine: hosts and their queues, the gate, the
 * multi handle on libev; one transfer's easy handle is http_easy.c's.
 *
 * The libev glue follows curl's docs/examples/evhiperfifo.c, with its
 * known slips fixed: timeouts in floating point, no libcurl call from the
 * timer function, finished transfers handled after curl_multi_socket_action
 * returns, and curl_multi_cleanup before the loop goes away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <ev.h>

#include "http_int.h"
#include "log.h"

/* A host the gate holds back is asked again this much later. */
#define GATE_RETRY 0.25

static void dispatch(struct http *http);
static int host_key(const char *url, char *out, size_t outlen, char *err,
    size_t errlen);
static void on_wake(struct ev_loop *loop, ev_timer *w, int revents);
static void gate_release(struct http *http, struct http_transfer *t);

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
	struct http_response res;
	char reason[CURL_ERROR_SIZE + 128];
	struct host *h = t->host;
	char *shown = http_transfer_response(t, rc, &res, reason,
	    sizeof(reason));

	if (rc == CURLE_OK)
		hold_host(http, res.url, res.status, res.retry_after);
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
	http_transfer_free(t);
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
		if (http_transfer_start(t) == -1) {
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
	http_transfer_free(t);
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
				http_transfer_free(t);
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
		http_transfer_free(t);
	}
	while ((t = TAILQ_FIRST(&http->deferred)) != NULL) {
		TAILQ_REMOVE(&http->deferred, t, entry);
		http_transfer_free(t);
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
	    http_transfer_copy(t, req) == -1 ||
	    (h = host_get(http, hostname)) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (t)
			http_transfer_free(t);
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
	http_transfer_free(t);
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
