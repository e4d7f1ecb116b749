/*
 * redis_sink.h - items out to a Redis stream (hiredis), the spool's
 * counterpart for consumers on other machines.
 *
 * Promises: redis_sink_put buffers an item; redis_sink_sync sends every
 * item put since the last sync as one pipeline and waits for each reply.
 * After redis_sink_sync returns 0, every one of those items is in the
 * stream exactly once: an item whose name was added before (within
 * REDIS_SINK_DEDUPE_TTL) is acknowledged without a second stream entry,
 * so an item re-emitted after a crash, or by another instance, is not a
 * duplicate.  Each stream entry has two fields: "name" (the spool item
 * name) and "item" (the item's JSON).  Nothing is retried here: a failed
 * sync drops its items and the caller emits them again later.
 *
 * Blocking, on purpose: the synchronous client, with a connect and a
 * command timeout of REDIS_SINK_TIMEOUT.  The loop already blocks on
 * fsync and SQLite commits in its batch flush; a local Redis answers a
 * pipeline in well under a millisecond; and the timeout bounds the stall
 * when Redis is down or unreachable.  After any error the connection is
 * dropped and made again by the next sync.  Knows nothing of feeds.
 */
#ifndef NW_REDIS_SINK_H
#define NW_REDIS_SINK_H

#include <stddef.h>

struct redis_sink;

/* Seconds a name is remembered after its item was added.  A pending item
 * is emitted again by the next poll after a failure or a crash, within
 * max_backoff (a day at most by default); a week leaves room for a daemon
 * stopped over a long weekend. */
#define REDIS_SINK_DEDUPE_TTL (7 * 86400)

/* Connect and command timeout, seconds. */
#define REDIS_SINK_TIMEOUT 2

#define REDIS_SINK_DEFAULT_PORT 6379
#define REDIS_SINK_HOST_MAX 255
#define REDIS_SINK_STREAM_MAX 200
#define REDIS_SINK_AUTH_MAX 255

/* The parts of a sink URL
 * "redis://[[USER]:PASSWORD@]HOST[:PORT]/STREAM[?db=N]". */
struct redis_sink_url {
	char host[REDIS_SINK_HOST_MAX + 1];   /* name, IPv4, or IPv6 without [] */
	int port;                             /* REDIS_SINK_DEFAULT_PORT if none */
	char stream[REDIS_SINK_STREAM_MAX + 1];
	char user[REDIS_SINK_AUTH_MAX + 1];   /* "" for the default user */
	char password[REDIS_SINK_AUTH_MAX + 1]; /* "": no AUTH */
	int db;                               /* SELECTed when not 0 */
};

/* Parse url (with libcurl's URL parser): scheme redis://, optional
 * credentials USER:PASSWORD@ or :PASSWORD@ (percent-encoded where need
 * be; a Redis AUTH always has a password, so a user alone is no
 * credential), a host ([A-Za-z0-9.-], or an IPv6 address in brackets),
 * an optional port 1..65535, a stream name of 1 to REDIS_SINK_STREAM_MAX
 * printable ASCII characters other than space, ? and #, and optionally
 * ?db=N (0 to 1000000) for the database.  Returns 0 and *out, or -1 with
 * what is wrong in err ("no stream name after the host"), which never
 * quotes the password. */
int redis_sink_url_parse(const char *url, struct redis_sink_url *out,
    char *err, size_t errlen);

/* url fit for messages and logs: its password, if any, as "***".  Writes
 * at most outlen bytes, NUL-terminated. */
void redis_sink_url_redact(const char *url, char *out, size_t outlen);

/* A sink for url, trimming the stream to about maxlen entries (XADD
 * MAXLEN ~), or never when maxlen is 0.  Does not connect: the first
 * sync does, so a daemon starts while Redis is down.  Returns 0 and *out,
 * or -1 with the reason in err (a bad URL, out of memory). */
int redis_sink_open(const char *url, long long maxlen,
    struct redis_sink **out, char *err, size_t errlen);

/* Disconnect and free, dropping items not yet synced; NULL is a no-op. */
void redis_sink_close(struct redis_sink *sink);

/* Buffer len bytes of json as the item called name (a spool item name,
 * the same for the same entry every time it is emitted) for the next
 * sync.  Returns 0, or -1 with the reason in err (out of memory). */
int redis_sink_put(struct redis_sink *sink, const char *name,
    const char *json, size_t len, char *err, size_t errlen);

/* Connect if not connected (then AUTH and SELECT as the URL says), send
 * every item put since the last sync, and wait for all the replies.
 * Returns 0 when Redis acknowledged every one, or -1 with the first
 * reason in err ("redis://127.0.0.1:6379/news: Connection refused": the
 * URL redacted, as in every message here); the buffer is empty afterwards
 * either way.  Nothing put: returns 0 without connecting. */
int redis_sink_sync(struct redis_sink *sink, char *err, size_t errlen);

/* Connect if not connected and send PING: 0 when Redis answers, or -1
 * with the reason in err.  For newswatch check. */
int redis_sink_ping(struct redis_sink *sink, char *err, size_t errlen);

/* Connect if not connected and ask whether the item called name was
 * added within REDIS_SINK_DEDUPE_TTL (its dedupe key STREAM:item:NAME is
 * there): *has 1 or 0, and 0 returned, or -1 with the reason in err.  For
 * newswatch why. */
int redis_sink_has(struct redis_sink *sink, const char *name, int *has,
    char *err, size_t errlen);

/* How many redis_sink_sync calls have failed.  An item put while this was
 * n is in the stream once a later redis_sink_sync returns 0 and this is
 * still n. */
unsigned long redis_sink_failures(const struct redis_sink *sink);

#endif
