/*
 * state_pg_shared.c - the work several instances share through one
 * PostgreSQL state: feed leases, per-host transfer slots (session
 * advisory locks) and the Retry-After holds of hosts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "state.h"
#include "state_pg.h"

int
pg_feeds_claim(struct state *base, int64_t now, int64_t lease, size_t limit,
    char ***names, size_t *n, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num at = pg_num(now), secs = pg_num(lease), lim = pg_num((int64_t)limit);
	const char *v[] = { st->owner, at.s, secs.s, lim.s };
	PGresult *r;
	int rows;

	*names = NULL;
	*n = 0;
	if ((r = pg_exec(st, P_CLAIM, 4, v)) == NULL)
		return pg_error(st, err, errlen, "cannot claim feeds");
	rows = PQntuples(r);
	if ((*names = calloc((size_t)rows + 1, sizeof(**names))) == NULL)
		goto nomem;
	for (int i = 0; i < rows; i++) {
		if (((*names)[i] = strdup(PQgetvalue(r, i, 0))) == NULL) {
			state_names_free(*names, (size_t)i);
			*names = NULL;
			goto nomem;
		}
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;

nomem:
	PQclear(r);
	snprintf(err, errlen, "cannot claim feeds: %s", strerror(ENOMEM));
	return -1;
}

int
pg_feed_release(struct state *base, const char *name, char *err,
    size_t errlen)
{
	struct pg_state *st = pg(base);
	const char *v[] = { name, st->owner };

	if (pg_run(st, P_RELEASE, 2, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot release feed %s", name);
	return 0;
}

int
pg_leases_renew(struct state *base, int64_t now, int64_t lease, char *err,
    size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num at = pg_num(now), secs = pg_num(lease);
	const char *v[] = { st->owner, at.s, secs.s };

	if (pg_run(st, P_RENEW, 3, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot renew leases");
	return 0;
}

/* The slots of host this session holds, as an int[] literal. */
static void
held_of(const struct pg_state *st, const char *host, char *out, size_t outlen)
{
	size_t len = (size_t)snprintf(out, outlen, "{");

	for (size_t i = 0; i < st->nheld && len + 16 < outlen; i++)
		if (strcmp(st->held[i].host, host) == 0)
			len += (size_t)snprintf(out + len, outlen - len, "%s%d",
			    len > 1 ? "," : "", st->held[i].slot);
	snprintf(out + len, outlen - len, "}");
}

static int
held_add(struct pg_state *st, const char *host, int slot)
{
	if (st->nheld == st->held_cap) {
		size_t cap = st->held_cap ? st->held_cap * 2 : 16;
		struct held_slot *grown = reallocarray(st->held, cap,
		    sizeof(*grown));

		if (grown == NULL)
			return -1;
		st->held = grown;
		st->held_cap = cap;
	}
	if ((st->held[st->nheld].host = strdup(host)) == NULL)
		return -1;
	st->held[st->nheld++].slot = slot;
	return 0;
}

static void
held_remove(struct pg_state *st, const char *host, int slot)
{
	for (size_t i = 0; i < st->nheld; i++)
		if (st->held[i].slot == slot && strcmp(st->held[i].host, host) == 0) {
			free(st->held[i].host);
			st->held[i] = st->held[--st->nheld];
			return;
		}
}

int
pg_host_acquire(struct state *base, const char *host, int slots,
    int64_t now_ms, int *slot, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num count = pg_num(slots), now = pg_num(now_ms);
	char held[1024];
	const char *v[] = { host, count.s, now.s, held };
	PGresult *r;

	held_of(st, host, held, sizeof(held));
	if ((r = pg_exec(st, P_HOST_ACQUIRE, 4, v)) == NULL)
		return pg_error(st, err, errlen, "cannot take a slot of host %s",
		    host);
	*slot = PQntuples(r) == 1 ? (int)pg_value_int(r, 0, 0) : -1;
	PQclear(r);
	if (*slot >= 0 && held_add(st, host, *slot) == -1) {
		pg_host_release(base, host, *slot, now_ms, err, errlen);
		*slot = -1;
		snprintf(err, errlen, "cannot take a slot of host %s: %s", host,
		    strerror(ENOMEM));
		return -1;
	}
	return 0;
}

int
pg_host_release(struct state *base, const char *host, int slot,
    int64_t free_at_ms, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num s = pg_num(slot), at = pg_num(free_at_ms);
	const char *v[] = { host, s.s, at.s };

	held_remove(st, host, slot);
	if (pg_run(st, P_HOST_DELAY, 3, v, NULL) == -1 ||
	    pg_run(st, P_HOST_RELEASE, 2, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot free a slot of host %s",
		    host);
	return 0;
}

int
pg_host_hold(struct state *base, const char *host, int64_t until_ms,
    char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num until = pg_num(until_ms);
	const char *v[] = { host, until.s };

	if (pg_run(st, P_HOLD_SET, 2, v, NULL) == -1)
		return pg_error(st, err, errlen, "cannot record the hold of"
		    " host %s", host);
	return 0;
}

int
pg_host_holds(struct state *base, int64_t now_ms, char ***hosts,
    int64_t **until_ms, size_t *n, char *err, size_t errlen)
{
	struct pg_state *st = pg(base);
	struct num now = pg_num(now_ms);
	const char *v[] = { now.s };
	char **names;
	int64_t *until;
	PGresult *r;
	int rows, i;

	if ((r = pg_exec(st, P_HOLDS_TAKE, 1, v)) == NULL)
		return pg_error(st, err, errlen, "cannot list host holds");
	rows = PQntuples(r);
	names = calloc((size_t)rows + 1, sizeof(*names));
	until = calloc((size_t)rows + 1, sizeof(*until));
	for (i = 0; names && until && i < rows; i++) {
		if (pg_value_strdup(r, i, 0, &names[i]) == -1)
			break;
		until[i] = pg_value_int(r, i, 1);
	}
	PQclear(r);
	if (i < rows || names == NULL || until == NULL) {
		state_names_free(names, names ? (size_t)i : 0);
		free(until);
		snprintf(err, errlen, "cannot list host holds: %s",
		    strerror(ENOMEM));
		return -1;
	}
	*hosts = names;
	*until_ms = until;
	*n = (size_t)rows;
	return 0;
}

