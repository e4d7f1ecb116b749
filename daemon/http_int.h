/*
 * http_int.h - what http.c (the engine: hosts, queues, the multi handle on
 * libev) and http_easy.c (one transfer: its easy handle, its body and
 * headers, the private-address check, the answer read back) share; for
 * them only.
 */
#ifndef NW_HTTP_INT_H
#define NW_HTTP_INT_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/queue.h>

#include <curl/curl.h>
#include <ev.h>

#include "http.h"

#define HOST_BUCKETS 4096
#define MAX_REDIRECTS 10

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

/* The request's strings, copied: it may wait in a queue for long.  0, or
 * -1 when out of memory. */
int http_transfer_copy(struct http_transfer *t, const struct http_request *req);

/* Make t's easy handle and add it to the multi handle.  The easy handle is
 * made only when the transfer starts: libcurl's handle weighs kilobytes,
 * and a cycle of 10,000 feeds queues them all at once.  0, or -1. */
int http_transfer_start(struct http_transfer *t);

/* Fill res with the answer t ended with (rc: libcurl's result), its error
 * written in reason when it failed.  Returns the URL res->url points to
 * (caller frees; NULL when out of memory, res->url then says so); res
 * points into t, valid until t is freed. */
char *http_transfer_response(struct http_transfer *t, CURLcode rc,
    struct http_response *res, char *reason, size_t reasonlen);

/* Free t and its easy handle (already out of the multi handle). */
void http_transfer_free(struct http_transfer *t);

#endif
