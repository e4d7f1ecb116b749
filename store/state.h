/*
 * state.h - the durable state: feeds, their HTTP validators and last poll,
 * and the ids of entries already discovered or delivered.
 *
 * Promises: two backends behind one interface, the same tests for both.
 * A path names one SQLite file (state_sqlite.c: WAL, synchronous=FULL, the
 * schema version in PRAGMA user_version), the embedded default.  A
 * postgresql:// URL names a database that any number of instances share
 * (state_pg.c: the version in table schema_version), where feeds are
 * leased to one instance at a time and per-host politeness is kept across
 * instances.  Both number their migrations alike and apply them at open;
 * writes are durable when state_commit returns 0.  A store that is not a
 * newswatch state, corrupt or of a newer schema is refused at open with a
 * clear reason, never overwritten.  Knows nothing of HTTP or parsing.  Not
 * thread-safe: one loop owns it.
 *
 * The delivery promise is kept by the caller's order of calls:
 *   state_begin; state_entries_discover (pending) ...; state_commit
 *   spool_put ...; spool_sync
 *   state_begin; state_entries_mark_seen ...; state_commit
 */
#ifndef NW_STATE_H
#define NW_STATE_H

#include <stddef.h>
#include <stdint.h>

struct state;

/* What the state knows of an entry. */
#define STATE_ENTRY_UNKNOWN 0
#define STATE_ENTRY_PENDING 1  /* discovered, not yet durable in the spool */
#define STATE_ENTRY_SEEN    2  /* delivered (or skipped on a first poll) */

struct state_feed {
	int64_t id;
	char *name;
	char *url;             /* the URL polled (after a remembered redirect) */
	char *etag;            /* NULL when none */
	char *last_modified;   /* NULL when none */
	int64_t last_poll;     /* UTC seconds, 0 = never */
	int last_status;       /* HTTP status of the last poll, 0 = none */
	char *last_error;      /* NULL after a success */
	int64_t next_poll;     /* UTC seconds, 0 = unknown */
	int64_t entries_seen;
	int64_t polls;         /* successful polls so far */
	int failures;          /* consecutive failed polls */
	char *config_url;      /* the URL the config named when url was set:
	                        * another one in the config means a new start */
	int64_t interval;      /* seconds to the next poll as last decided, 0 = none */
	char *interval_why;    /* what decided it ("ttl", "backoff", ...), may be NULL */
	int disabled;          /* the feed answered 410 Gone: not polled while
	                        * the config names config_url */
	int64_t last_success;  /* UTC seconds of the last successful poll, 0 = never */
	int64_t first_success_us; /* end of the first successful poll (microseconds):
	                        * entries discovered later were new when seen */
	int64_t ttl;           /* the feed's own polling hint (seconds) when
	                        * last parsed, -1 = none: a 304 keeps it */
	int64_t revisions;     /* revision items delivered, the state's own
	                        * count as entries_seen (state_revision_done) */
	int64_t duplicates;    /* items marked or skipped as another's story
	                        * (state_feed_count_duplicates) */
};

/* Open the state at where: a postgresql:// (or postgres://) URL, or the
 * path of a SQLite file, created when absent with its parent directory.
 * Returns 0 and *out, or -1 with the reason in err. */
int state_open(const char *path, struct state **out, char *err, size_t errlen);

/* 1 when where names a PostgreSQL database rather than a file. */
int state_is_postgresql(const char *where);

/* Where the state is, fit for logs: the path, or the URL without its
 * password. */
const char *state_where(const struct state *st);

/* Close; NULL is a no-op.  An open transaction is rolled back. */
void state_close(struct state *st);

/* Transactions.  Each returns 0, or -1 with the reason in err.  A failed
 * state_commit has rolled the transaction back; state_rollback with no
 * transaction open does nothing. */
int state_begin(struct state *st, char *err, size_t errlen);
int state_commit(struct state *st, char *err, size_t errlen);
void state_rollback(struct state *st);

/*
 * Find the feed called name, creating it (with url) when absent; *created
 * (may be NULL) tells which.  When it exists with another url, the url is
 * left alone (a remembered redirect or a config change is the caller's
 * call: state_feed_save).  Fills *out; free its strings with
 * state_feed_clear.
 */
int state_feed_get(struct state *st, const char *name, const char *url,
    struct state_feed *out, int *created, char *err, size_t errlen);

/* Write back every field of feed (matched by id) but name and
 * entries_seen, which is the state's own count.  Returns 0, -1 with the
 * reason in err, or 1 when a shared state's lease of the feed passed to
 * another instance meanwhile: nothing written, the feed is that one's. */
int state_feed_save(struct state *st, const struct state_feed *feed,
    char *err, size_t errlen);

/* All feeds, ordered by name.  *out is an array of *n feeds; free it with
 * state_feed_list_free. */
int state_feed_list(struct state *st, struct state_feed **out, size_t *n,
    char *err, size_t errlen);
void state_feed_list_free(struct state_feed *feeds, size_t n);

/* Free the strings of feed and zero it. */
void state_feed_clear(struct state_feed *feed);

/* Append url to the URL history of a feed (table feed_urls), dated now,
 * with why it changed ("config", "301", "308").  state_feed_get records
 * the first one itself. */
int state_feed_url_add(struct state *st, int64_t feed_id, const char *url,
    const char *reason, char *err, size_t errlen);

/* *count = entries of a feed discovered after since_us (microseconds). */
int state_entry_count_since(struct state *st, int64_t feed_id,
    int64_t since_us, int64_t *count, char *err, size_t errlen);

/*
 * Entries of a feed, in batches: each call costs one round trip to a
 * shared state however many ids it names (SQLite, in process, loops).
 * ids[0..n) may repeat an id; n may be 0 (nothing is asked of the state).
 * Each returns 0, or -1 with the reason in err and the outputs undefined.
 *
 * state_entries_get: status[i] is the STATE_ENTRY_* of ids[i] and, for a
 * known entry, discovered_us[i] its discovery time (microseconds since
 * the epoch), else 0.
 *
 * state_entries_discover: record the unknown ones of ids as pending at
 * discovered_us[i], each with entries[i] (entries may be NULL, and so
 * may entries[i]): what delivers it should it leave its feed first, kept
 * while it is pending; added[i] is 1 when this call recorded ids[i].  A
 * known entry is left as it is with added[i] = 0: on a shared state, of
 * two instances racing on an entry exactly one has it added, and the
 * other must not deliver it.  A repeated id is added at its first
 * occurrence only.
 *
 * state_entries_mark_seen: mark each entry seen (inserting an unknown one
 * with discovered_us[i]), forgetting what state_entries_discover kept to
 * deliver it, and count in the feed's entries_seen each entry this
 * changed, once: an entry already seen, or repeated, is not counted
 * again.
 */
int state_entries_get(struct state *st, int64_t feed_id,
    const char *const *ids, size_t n, int *status, int64_t *discovered_us,
    char *err, size_t errlen);
int state_entries_discover(struct state *st, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us,
    const char *const *entries, size_t n, int *added, char *err,
    size_t errlen);
int state_entries_mark_seen(struct state *st, int64_t feed_id,
    const char *const *ids, const int64_t *discovered_us, size_t n,
    char *err, size_t errlen);

/* A feed's pending entries that a state_entries_discover kept something
 * for, in no particular order. */
struct state_pending {
	char *id;
	int64_t discovered_us;
	char *entry;             /* as given to state_entries_discover */
};

/* *out (free with state_pending_free) is an array of the *n pending
 * entries of feed_id kept with what delivers them; 0, or -1 with the
 * reason in err.  An entry recorded pending by a newswatch that kept
 * nothing with it is not among them. */
int state_entries_pending(struct state *st, int64_t feed_id,
    struct state_pending **out, size_t *n, char *err, size_t errlen);
void state_pending_free(struct state_pending *pending, size_t n);

/* An entry as `newswatch why` tells of it. */
struct state_found {
	char *feed;              /* the feed's name */
	char *id;
	int status;              /* STATE_ENTRY_PENDING or STATE_ENTRY_SEEN */
	int64_t discovered_us;
	int64_t seen_at;         /* UTC seconds it was marked seen, 0 pending */
	int64_t gone_since;      /* UTC seconds since it is no longer in its
	                          * feed's document, 0 while it is */
	char *link;              /* a pending entry's link as kept, or NULL */
};

/*
 * Entries of any feed: with key, those whose id is key and the pending
 * ones whose kept entry links to key; with key NULL, those discovered at
 * discovered_us (microseconds: a spool name's time).  *out (free with
 * state_found_free) holds *n of them in discovery order.  Reads every
 * entry of the state (no index serves either question): a command's
 * query, never the loop's.  Returns 0, or -1 with the reason in err.
 */
int state_entries_find(struct state *st, const char *key,
    int64_t discovered_us, struct state_found **out, size_t *n, char *err,
    size_t errlen);
void state_found_free(struct state_found *found, size_t n);

/*
 * Revisions of delivered entries (daemon/revision.h).  An entry's
 * version is what a diff needs of the last version delivered (an opaque
 * text of the caller's), kept while the entry is inside the caller's
 * window; its fingerprint is what its feed last showed of it.  The
 * delivery promise holds as for new entries: a revision is recorded
 * pending (state_revision_record) before its item is written, and done
 * (state_revision_done) once the item is durable.  Each returns 0, or -1
 * with the reason in err.
 */
struct state_revision {
	char *id;                /* the entry's */
	int64_t discovered_us;   /* its version 1's, the window's start */
	int64_t fingerprint;     /* 0 when none was kept */
	int number;              /* of the last version delivered, 1 the
	                          * entry's first item */
	int64_t number_us;       /* the time in that version's item name */
	int64_t pending_us;      /* the time of the revision being
	                          * delivered, 0 none */
	char *version;
	int64_t next_check_us;   /* when its page is read again, 0 never */
};

/* *out (free with state_revisions_free) is an array of the *n entries of
 * feed_id that keep a version, in no particular order. */
int state_revisions_get(struct state *st, int64_t feed_id,
    struct state_revision **out, size_t *n, char *err, size_t errlen);
void state_revisions_free(struct state_revision *revs, size_t n);

/* *out (free with state_pending_free: id, discovered_us, entry) is an
 * array of at most max entries of feed_id whose page is due to be read
 * again at now_us, the longest due first, each with the entry its
 * version 1 kept (NULL none). */
int state_revisions_due(struct state *st, int64_t feed_id, int64_t now_us,
    size_t max, struct state_pending **out, size_t *n, char *err,
    size_t errlen);

/* The seen entry id of feed_id now shows fingerprint; pending_us (0:
 * none) is the time of a revision of it to deliver. */
int state_revision_record(struct state *st, int64_t feed_id, const char *id,
    int64_t fingerprint, int64_t pending_us, char *err, size_t errlen);

/* The pending revision of id (if any) is done, and its feed shows
 * fingerprint.  With number > 0, version number of it, named at
 * number_us, was delivered: version is kept in place of the last, and a
 * number above 1 counts in the feed's revisions.  With number 0, nothing
 * was delivered (the page did not change in substance): the last
 * version stays. */
int state_revision_done(struct state *st, int64_t feed_id, const char *id,
    int64_t fingerprint, int number, int64_t number_us, const char *version,
    char *err, size_t errlen);

/* state_revision_done for each of done[0..n), in one statement where the
 * backend can: a first poll delivers every entry as its version 1.
 * next_check_us (0 none) is when its page is read again; entry, when not
 * NULL, the entry as the feed gave it, kept so that an entry that left
 * the feed can still be checked. */
struct state_version_done {
	const char *id;
	int64_t fingerprint;
	int number;
	int64_t number_us;
	const char *version;
	int64_t next_check_us;
	const char *entry;
};
int state_revisions_done(struct state *st, int64_t feed_id,
    const struct state_version_done *done, size_t n, char *err,
    size_t errlen);

/* Forget the versions (and pending revisions) of feed_id's entries
 * discovered before before_us: the window is over, the state bounded. */
int state_revisions_expire(struct state *st, int64_t feed_id,
    int64_t before_us, char *err, size_t errlen);

/* n more of feed_id's entries, now seen, were duplicates of a story
 * delivered before (story.h): call it in the transaction that marks them
 * seen, so that a replay counts them once.  Returns 0, or -1 with the
 * reason in err. */
int state_feed_count_duplicates(struct state *st, int64_t feed_id,
    int64_t n, char *err, size_t errlen);

/* The feed called from is called to from now on, its state kept.  A feed
 * already called to makes it fail.  Returns 0, or -1 with the reason in
 * err. */
int state_feed_rename(struct state *st, const char *from, const char *to,
    char *err, size_t errlen);

/*
 * Pruning, so that the state stays bounded over months.  Each runs inside
 * the caller's transaction (or its own when none is open); *pruned is the
 * number of rows deleted.
 *
 * state_entries_listed: a feed's document now lists ids[0..n).  Entries
 * it no longer lists are noted as gone since now (the first time), those
 * listed again are not gone any more, and seen entries gone since before
 * now - keep are forgotten (should one come back, it is new again).
 *
 * state_feeds_listed: the config now names the feeds names[0..n).  The
 * others are noted as removed since now (the first time), those named
 * again are not removed any more, and feeds removed since before
 * now - keep are forgotten with their entries and URL history.
 *
 * now and keep are seconds.  Return 0, or -1 with the reason in err.
 */
int state_entries_listed(struct state *st, int64_t feed_id,
    const char *const *ids, size_t n, int64_t now, int64_t keep,
    int64_t *pruned, char *err, size_t errlen);
int state_feeds_listed(struct state *st, const char *const *names, size_t n,
    int64_t now, int64_t keep, int64_t *pruned, char *err, size_t errlen);

/*
 * Shared work (state_shared: several instances use this state).  Times
 * are the instances' clocks (clock.h), which NTP keeps within far less
 * than a lease.
 *
 * state_feeds_claim: lease to this instance, until now + lease seconds, at
 * most limit feeds that are due (next_poll <= now), not leased to another
 * instance, not disabled and still configured; *names (free with
 * state_names_free) says which.  Feeds this instance holds come back too:
 * those still polling (the caller knows which), and those whose poll
 * ended without its save (a lost connection) and are due again.  state_feed_save ends the lease of the feed it saves; a
 * feed whose lease passed to another instance meanwhile is left to it
 * (the save changes nothing and says so in the log).  state_feed_release
 * ends a lease without polling (a feed this instance does not know).
 * state_leases_renew extends every lease this instance holds to now +
 * lease: the feeds it is polling, so that a long poll keeps its feed
 * while a dead instance's run out.
 *
 * state_host_acquire: take one of slots concurrent-transfer slots of host,
 * one not kept idle past now_ms by a release; *slot is its number, or -1
 * when all are taken.  A slot is held by this instance's connection, so
 * a crashed instance's slots are free at once.  state_host_release gives
 * it back, idle until free_at_ms (the end of the transfer plus
 * per_host_delay).  Times in milliseconds.
 *
 * On a state that is not shared, claims and slots fail (-1, err).
 */
int state_shared(const struct state *st);
int state_feeds_claim(struct state *st, int64_t now, int64_t lease,
    size_t limit, char ***names, size_t *n, char *err, size_t errlen);
void state_names_free(char **names, size_t n);
int state_feed_release(struct state *st, const char *name, char *err,
    size_t errlen);
int state_leases_renew(struct state *st, int64_t now, int64_t lease,
    char *err, size_t errlen);
int state_host_acquire(struct state *st, const char *host, int slots,
    int64_t now_ms, int *slot, char *err, size_t errlen);
int state_host_release(struct state *st, const char *host, int slot,
    int64_t free_at_ms, char *err, size_t errlen);

/*
 * Holds a host asked for (429 or 503 with Retry-After), kept across
 * restarts; host is the caller's name for it (the http engine's
 * "name:port"), times in milliseconds.  Both backends keep them.
 *
 * state_host_hold: nothing is to be asked of host before until_ms; a
 * later hold already recorded stays.
 *
 * state_host_holds: the holds that end after now_ms, as *n pairs
 * (*hosts[i], (*until_ms)[i]); free *hosts with state_names_free and
 * *until_ms with free.  The others are forgotten.
 *
 * Return 0, or -1 with the reason in err.
 */
int state_host_hold(struct state *st, const char *host, int64_t until_ms,
    char *err, size_t errlen);
int state_host_holds(struct state *st, int64_t now_ms, char ***hosts,
    int64_t **until_ms, size_t *n, char *err, size_t errlen);

/*
 * Stories: one row per item delivered while duplicates are looked for,
 * so that the same story in another feed is known as one (the rules are
 * the caller's: daemon/story.c).  A row is an item's spool name, its
 * discovery time, the key of its canonical URL (0: none), its text's
 * fingerprint (NULL: none) with that fingerprint's band keys, and the
 * story's first item when it is a duplicate (NULL: it is the first).
 */
#define STATE_STORY_BANDS 8

struct state_story {
	char *name;
	int64_t discovered_us;
	int64_t url_key;
	char *fp;
	int64_t band[STATE_STORY_BANDS];   /* when fp is not NULL */
	char *duplicate_of;
};

/*
 * state_stories_find: *out (free with state_stories_free) holds the *n
 * stories called s->name, or discovered since since_us with s's URL key
 * (when not 0) or one of its band keys (when s->fp is not NULL), in
 * discovery order; a few index probes, never a scan.  On a shared state
 * it first takes the stories' lock, held to the end of the transaction:
 * the claims of two instances (find, then add) are one after the other,
 * and the first one's wins.
 *
 * state_story_add: record s; one already called s->name stays as it is
 * (a claim replayed after a crash keeps its first answer).
 *
 * state_stories_prune: forget the stories discovered before before_us;
 * *pruned is how many.
 *
 * Return 0, or -1 with the reason in err.
 */
int state_stories_find(struct state *st, const struct state_story *s,
    int64_t since_us, struct state_story **out, size_t *n, char *err,
    size_t errlen);
int state_story_add(struct state *st, const struct state_story *s,
    char *err, size_t errlen);
int state_stories_prune(struct state *st, int64_t before_us,
    int64_t *pruned, char *err, size_t errlen);
void state_stories_free(struct state_story *stories, size_t n);

#endif
