/*
 * http.h - the HTTP engine: many GETs at once in the one thread, libcurl's
 * multi socket interface driven by a libev loop.
 *
 * Promises: a request is queued and started when the global
 * (max_connections) and per-host (per_host_connections) limits allow,
 * hosts served round-robin so one busy site cannot starve the others.
 * Its done callback is called exactly once, from the loop (never from
 * inside http_get), unless the request is cancelled first.  Redirects are
 * followed (http and https only, at most 10), and the caller learns where
 * the permanent (301, 308) ones that open the chain lead.  Bodies are
 * decompressed (every encoding libcurl supports) and capped at max_bytes
 * of decoded data, past which the transfer fails and nothing of the body
 * is handed out.  TLS peers are always verified.
 *
 * Politeness per host, a host being the URL's host name and port (the
 * scheme's default port when it names none; a numeric IPv4 host in any
 * spelling is one host): at most per_host_connections transfers at
 * once, starts at least per_host_delay seconds apart, and after a 429 or
 * 503 with Retry-After nothing starts on that host until the time it
 * asked for (at most max_retry_after seconds later).  A caller that
 * cannot wait that long (max_hold_wait) has its transfers to the host end
 * unstarted instead, told for how long the host is held.  The only file
 * that knows both libcurl and libev.
 */
#ifndef NW_HTTP_H
#define NW_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct sockaddr;
struct http;
struct http_transfer;

struct http_response {
	long status;               /* HTTP status of the last answer, 0 when none */
	const char *error;         /* NULL when a complete answer arrived (any status) */
	const char *url;           /* effective URL after redirects, less
	                            * any password (as permanent_url) */
	const char *content_type;  /* may be NULL */
	const char *etag;          /* validators of the answer, may be NULL */
	const char *last_modified;
	const char *body;          /* NUL-terminated, len bytes; valid during the call */
	size_t len;
	double seconds;            /* total transfer time */
	const char *permanent_url; /* where the 301/308 redirects that open the
	                            * chain lead (before any temporary one);
	                            * NULL when the chain starts otherwise */
	double retry_after;        /* Retry-After in seconds, at most
	                            * max_retry_after; -1 when absent */
	double max_age;            /* Cache-Control: max-age, -1 when absent
	                            * (or no-store / no-cache) */
	double expires_in;         /* Expires minus Date, -1 when absent */
	double held_for;           /* > 0: not requested, as its host is held
	                            * this many seconds more, longer than
	                            * max_hold_wait (error says so too) */
};

typedef void http_done_fn(void *arg, const struct http_response *res);

struct http_request {
	const char *url;           /* may name a user, never a password */
	const char *password;      /* for url's user; NULL none */
	const char *etag;          /* sent as If-None-Match when not NULL */
	const char *last_modified; /* sent as If-Modified-Since when not NULL */
	const char *user_agent;
	const char *const *headers; /* nheaders extra "Name: value" lines */
	size_t nheaders;
	const char *proxy;         /* NULL: libcurl reads http_proxy etc. */
	const char *ca_file;       /* NULL: the system's CA certificates */
	int64_t max_bytes;         /* cap on the decoded body */
	double timeout;            /* whole transfer, seconds; a body slower
	                            * than 10 bytes/s for min(30 s, timeout / 2)
	                            * fails sooner */
	int allow_private;         /* 0: refuse loopback, private, link-local peers */
	http_done_fn *done;
	void *arg;
};

struct http_limits {
	long max_connections;      /* transfers at once, in all */
	long per_host_connections; /* transfers at once to one host */
	double per_host_delay;     /* seconds between starts on one host, 0 none */
	double max_retry_after;    /* cap on a Retry-After, seconds */
	double max_hold_wait;      /* a transfer to a host held longer than
	                            * this ends unstarted (held_for); < 0:
	                            * every transfer waits out its host's hold */
};

/* Make an engine on loop; the first one initialises libcurl (and its TLS
 * library), from the loop's thread.  Returns NULL with the reason in
 * err. */
struct http *http_new(struct ev_loop *loop, const struct http_limits *lim,
    char *err, size_t errlen);

/* Cancel every transfer (no callbacks) and free the engine; NULL is a
 * no-op.  Call before the loop is destroyed. */
void http_free(struct http *http);

/* At exit, once every engine is freed: release what the first http_new
 * initialised; nothing when there was none. */
void http_global_cleanup(void);

/* Queue a GET.  The strings in req are copied.  Returns a handle for
 * http_cancel, or NULL with the reason in err (bad URL, out of memory). */
struct http_transfer *http_get(struct http *http, const struct http_request *req,
    char *err, size_t errlen);

/* Drop a queued or running transfer; its callback is not called. */
void http_cancel(struct http *http, struct http_transfer *t);

/*
 * A gate shares the per-host limits with other instances (main.c makes
 * one from a shared state).  Before a transfer starts on host, acquire
 * is asked for one of slots concurrent-transfer slots: it returns 1 to
 * go (*slot the one taken, or -1 when
 * nothing needs giving back), 0 to wait (the host is asked again a
 * quarter second later).  release gives a slot back when the transfer
 * ends or is cancelled, free again free_in seconds later
 * (per_host_delay).  In-process limits apply as well.
 */
struct http_gate {
	int (*acquire)(void *arg, const char *host, long slots, int *slot);
	void (*release)(void *arg, const char *host, int slot, double free_in);
	void *arg;
};

void http_set_gate(struct http *http, const struct http_gate *gate);

/*
 * Holds that outlive the process.  host is the engine's name of a host,
 * "name:port" (lower case, the scheme's default port spelled out, an IPv6
 * address in brackets), wait in seconds from now.  The hook is told of
 * every hold a response sets; http_hold sets one, as after a Retry-After
 * of wait seconds (a shorter wait than the host's hold changes nothing).
 * http_hold returns 0, or -1 when out of memory.
 */
typedef void http_hold_fn(void *arg, const char *host, double wait);

void http_set_hold_hook(struct http *http, http_hold_fn *fn, void *arg);
int http_hold(struct http *http, const char *host, double wait);

/* on 1: start no more transfers (those running go on) until called
 * with 0; the caller's brake when it cannot keep up with what arrives. */
void http_pause(struct http *http, int on);

/* Transfers queued or running; running only. */
size_t http_pending(const struct http *http);
size_t http_running(const struct http *http);

/*
 * 1 when a peer at sa is one allow_private refuses: IPv4 0/8, 10/8,
 * 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/4 and above;
 * IPv6 loopback, unspecified, link- and site-local, fc00::/7, multicast;
 * an IPv6 address carrying a refused IPv4 one (IPv4-mapped and
 * -compatible, ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16,
 * Teredo 2001::/32 by its server or client); NAT64 local-use
 * 64:ff9b:1::/48 always; any other family.
 */
int http_addr_is_private(const struct sockaddr *sa);

#endif
