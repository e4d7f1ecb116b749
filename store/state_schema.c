/* state_schema.c - see state_schema.h: the steps and rows of the state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../feeds/strbuf.h"
#include "state.h"
#include "state_schema.h"

#define BOTH (STATE_SQLITE | STATE_PG)

/*
 * The schema, step by step; a dialect's version counts the steps it has
 * taken.  The tables keep to types and clauses both share; WITHOUT ROWID
 * is a storage hint only, making entries one b-tree keyed by what we look
 * up.  "interval" is quoted because it is a word of PostgreSQL's.
 * Append only: a state of any version must go on to the next.
 */
static const struct {
	unsigned dialects;
	const char *sql;
} steps[] = {
	{ BOTH,
	"CREATE TABLE feeds ("
	" id @FEED_ID@,"
	" name TEXT NOT NULL UNIQUE,"
	" url TEXT NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" last_poll @I64@ NOT NULL DEFAULT 0,"
	" last_status INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" next_poll @I64@ NOT NULL DEFAULT 0,"
	" entries_seen @I64@ NOT NULL DEFAULT 0,"
	" polls @I64@ NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" created @I64@ NOT NULL);"
	"CREATE TABLE entries ("
	" feed_id @I64@ NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
	" entry_id TEXT NOT NULL,"
	" discovered_us @I64@ NOT NULL,"
	" status INTEGER NOT NULL CHECK (status IN (1, 2)),"
	" seen_at @I64@,"
	" PRIMARY KEY (feed_id, entry_id))@NOROWID@;" },
	/* What the poller learns of a feed (remembered redirects, the
	 * interval it chose and why, 410 Gone) and the feed's URL history. */
	{ BOTH,
	"ALTER TABLE feeds ADD COLUMN config_url TEXT;"
	"UPDATE feeds SET config_url = url;"
	"ALTER TABLE feeds ADD COLUMN \"interval\" @I64@ NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN interval_why TEXT;"
	"ALTER TABLE feeds ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN last_success @I64@ NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN first_success_us @I64@ NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN ttl @I64@ NOT NULL DEFAULT -1;"
	"CREATE TABLE feed_urls ("
	" feed_id @I64@ NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
	" url TEXT NOT NULL,"
	" since @I64@ NOT NULL,"
	" reason TEXT NOT NULL);"
	"CREATE INDEX feed_urls_feed ON feed_urls (feed_id, since);"
	"INSERT INTO feed_urls (feed_id, url, since, reason)"
	" SELECT id, url, created, 'config' FROM feeds;" },
	/* Bounded over months: when an entry left its feed's document, when
	 * a feed left the config (UTC seconds, NULL / 0 while there). */
	{ BOTH,
	"ALTER TABLE entries ADD COLUMN gone_since @I64@;"
	"ALTER TABLE feeds ADD COLUMN removed_since @I64@ NOT NULL DEFAULT 0;" },
	/* The shared work, which only a shared state needs: feed leases and
	 * per-host transfer slots. */
	{ STATE_PG,
	"ALTER TABLE feeds ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE feeds ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;"
	"CREATE INDEX feeds_due ON feeds (next_poll);"
	"CREATE TABLE host_slots ("
	" host TEXT NOT NULL,"
	" slot INTEGER NOT NULL,"
	" busy_until_ms BIGINT NOT NULL,"
	" PRIMARY KEY (host, slot));" },
	/* The Retry-After holds of hosts, so a restart does not ask a host
	 * that said to wait (milliseconds). */
	{ BOTH,
	"CREATE TABLE host_holds ("
	" host TEXT PRIMARY KEY,"
	" until_ms @I64@ NOT NULL)@NOROWID@;" },
	/* A pending entry keeps what delivers it once it has left its feed's
	 * document (its JSON, NULL once seen), found by feed. */
	{ BOTH,
	"ALTER TABLE entries ADD COLUMN pending_entry TEXT;"
	"CREATE INDEX entries_pending ON entries (feed_id)"
	" WHERE pending_entry IS NOT NULL;" },
	/* The same story in many feeds (state_stories_find): an index per
	 * key a lookup probes, and the time the window prunes by.  A rowid
	 * table: each of its ten indexes then holds an 8-byte rowid, not the
	 * name (a row measured 514 bytes against 928 without rowid).  The
	 * key indexes are partial: a story without text (article: false)
	 * has no bands, and costs the name, time and URL indexes only; a
	 * lookup's "band0 = ?" implies the index's condition. */
	{ BOTH,
	"CREATE TABLE stories ("
	" name TEXT PRIMARY KEY,"
	" discovered_us @I64@ NOT NULL,"
	" url_key @I64@,"
	" fp TEXT,"
	" band0 @I64@, band1 @I64@, band2 @I64@, band3 @I64@,"
	" band4 @I64@, band5 @I64@, band6 @I64@, band7 @I64@,"
	" duplicate_of TEXT);"
	"CREATE INDEX stories_time ON stories (discovered_us);"
	"CREATE INDEX stories_url ON stories (url_key)"
	" WHERE url_key IS NOT NULL;"
	"CREATE INDEX stories_band0 ON stories (band0)"
	" WHERE band0 IS NOT NULL;"
	"CREATE INDEX stories_band1 ON stories (band1)"
	" WHERE band1 IS NOT NULL;"
	"CREATE INDEX stories_band2 ON stories (band2)"
	" WHERE band2 IS NOT NULL;"
	"CREATE INDEX stories_band3 ON stories (band3)"
	" WHERE band3 IS NOT NULL;"
	"CREATE INDEX stories_band4 ON stories (band4)"
	" WHERE band4 IS NOT NULL;"
	"CREATE INDEX stories_band5 ON stories (band5)"
	" WHERE band5 IS NOT NULL;"
	"CREATE INDEX stories_band6 ON stories (band6)"
	" WHERE band6 IS NOT NULL;"
	"CREATE INDEX stories_band7 ON stories (band7)"
	" WHERE band7 IS NOT NULL;" },
	/* Revisions (revision.h), in their own table so that the entries'
	 * rows stay small and their hot pages dense: an entry's row here,
	 * while in the window, holds what the feed last showed of it, the
	 * number and time of its last version delivered and the texts a
	 * diff needs.  The time of a revision being delivered is the
	 * entry's, beside its pending_entry; each feed counts the revisions
	 * it delivered. */
	{ BOTH,
	"ALTER TABLE entries ADD COLUMN revision_pending_us @I64@;"
	"CREATE INDEX entries_revision_pending ON entries (feed_id)"
	" WHERE revision_pending_us IS NOT NULL;"
	"CREATE TABLE versions ("
	" feed_id @I64@ NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
	" entry_id TEXT NOT NULL,"
	" discovered_us @I64@ NOT NULL,"
	" fingerprint @I64@ NOT NULL,"
	" number INTEGER NOT NULL,"
	" number_us @I64@ NOT NULL,"
	" version TEXT NOT NULL,"
	" PRIMARY KEY (feed_id, entry_id));"
	/* Each poll forgets what left the window: through this index it
	 * reads only that, not every large row of the feed's. */
	"CREATE INDEX versions_time ON versions (feed_id, discovered_us);"
	"ALTER TABLE feeds ADD COLUMN revisions @I64@ NOT NULL DEFAULT 0;" },
	/* Each feed counts the duplicates it delivered or recorded
	 * (story.h), as it counts its revisions. */
	{ BOTH,
	"ALTER TABLE feeds ADD COLUMN duplicates @I64@ NOT NULL DEFAULT 0;" },
	/* revisions: pages.  When an entry's page is read again (NULL:
	 * never), found by the index in the order they fell due; and its
	 * entry as the feed gave it, so that one the feed no longer lists
	 * is still read again and delivered whole. */
	{ BOTH,
	"ALTER TABLE versions ADD COLUMN next_check_us @I64@;"
	"ALTER TABLE versions ADD COLUMN entry TEXT;"
	"CREATE INDEX versions_check ON versions (feed_id, next_check_us)"
	" WHERE next_check_us IS NOT NULL;" },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

int
state_schema_version(enum state_dialect d)
{
	int n = 0;

	for (size_t i = 0; i < NSTEPS; i++)
		n += (steps[i].dialects & d) != 0;
	return n;
}

char *
state_schema_step(enum state_dialect d, int version)
{
	for (size_t i = 0; i < NSTEPS; i++)
		if ((steps[i].dialects & d) && version-- == 0)
			return state_sql(d, steps[i].sql);
	return NULL;
}

#define COLUMN(type, st, field) \
	{ #field, type, offsetof(struct st, field) }
#define FEED(type, field) COLUMN(type, state_feed, field)

static const struct state_column feed_columns[] = {
	FEED(STATE_INT64, id),
	FEED(STATE_TEXT, name),
	FEED(STATE_TEXT, url),
	FEED(STATE_TEXT, etag),
	FEED(STATE_TEXT, last_modified),
	FEED(STATE_INT64, last_poll),
	FEED(STATE_INT, last_status),
	FEED(STATE_TEXT, last_error),
	FEED(STATE_INT64, next_poll),
	FEED(STATE_INT64, entries_seen),
	FEED(STATE_INT64, polls),
	FEED(STATE_INT, failures),
	FEED(STATE_TEXT, config_url),
	FEED(STATE_INT64, interval),
	FEED(STATE_TEXT, interval_why),
	FEED(STATE_INT, disabled),
	FEED(STATE_INT64, last_success),
	FEED(STATE_INT64, first_success_us),
	FEED(STATE_INT64, ttl),
	FEED(STATE_INT64, revisions),
	FEED(STATE_INT64, duplicates),
};

/* The statements name these columns with AS: the table's own names
 * differ (entry_id, pending_entry). */
static const struct state_column pending_columns[] = {
	COLUMN(STATE_TEXT, state_pending, id),
	COLUMN(STATE_INT64, state_pending, discovered_us),
	COLUMN(STATE_TEXT, state_pending, entry),
};

static const struct state_column found_columns[] = {
	COLUMN(STATE_TEXT, state_found, feed),
	COLUMN(STATE_TEXT, state_found, id),
	COLUMN(STATE_INT, state_found, status),
	COLUMN(STATE_INT64, state_found, discovered_us),
	COLUMN(STATE_INT64, state_found, seen_at),
	COLUMN(STATE_INT64, state_found, gone_since),
	COLUMN(STATE_TEXT, state_found, link),
};

#define BAND(i) \
	{ "band" #i, STATE_INT64, offsetof(struct state_story, band[i]) }

_Static_assert(STATE_STORY_BANDS == 8, "stories has eight band columns");

static const struct state_column story_columns[] = {
	COLUMN(STATE_TEXT, state_story, name),
	COLUMN(STATE_INT64, state_story, discovered_us),
	COLUMN(STATE_INT64, state_story, url_key),
	COLUMN(STATE_TEXT, state_story, fp),
	BAND(0), BAND(1), BAND(2), BAND(3), BAND(4), BAND(5), BAND(6), BAND(7),
	COLUMN(STATE_TEXT, state_story, duplicate_of),
};

/* Named with AS as state_pending's. */
static const struct state_column revision_columns[] = {
	COLUMN(STATE_TEXT, state_revision, id),
	COLUMN(STATE_INT64, state_revision, fingerprint),
	COLUMN(STATE_INT, state_revision, number),
	COLUMN(STATE_INT64, state_revision, number_us),
	COLUMN(STATE_INT64, state_revision, pending_us),
	COLUMN(STATE_TEXT, state_revision, version),
	COLUMN(STATE_INT64, state_revision, discovered_us),
	COLUMN(STATE_INT64, state_revision, next_check_us),
};

#define ROW(tbl, cols, st) \
	{ tbl, cols, sizeof(cols) / sizeof(cols[0]), sizeof(struct st) }

/* state_row_find's callers keep the positions in arrays of this size. */
_Static_assert(sizeof(feed_columns) / sizeof(feed_columns[0]) <=
    STATE_MAX_COLUMNS, "STATE_MAX_COLUMNS is too small for feeds");

const struct state_row state_feed_row = ROW("feeds", feed_columns,
    state_feed);
/* No select list is made of these: their statements name each column. */
const struct state_row state_pending_row = ROW(NULL, pending_columns,
    state_pending);
const struct state_row state_found_row = ROW(NULL, found_columns,
    state_found);
const struct state_row state_story_row = ROW(NULL, story_columns,
    state_story);
const struct state_row state_revision_row = ROW(NULL, revision_columns,
    state_revision);

/* "feeds.id AS id, ...": qualified, so no name is taken for a word of
 * either dialect, and named, so decoding finds each by its name. */
static void
add_select_list(struct strbuf *b, const struct state_row *kind)
{
	for (size_t i = 0; i < kind->ncolumns; i++) {
		const char *name = kind->columns[i].name;

		if (i > 0)
			strbuf_add(b, ", ", 2);
		strbuf_add(b, kind->table, strlen(kind->table));
		strbuf_add(b, ".", 1);
		strbuf_add(b, name, strlen(name));
		strbuf_add(b, " AS ", 4);
		strbuf_add(b, name, strlen(name));
	}
}

/* The words the dialects spell differently: [0] SQLite, [1] PostgreSQL.
 * The feeds' id is SQLite's rowid, PostgreSQL's identity column. */
static const struct {
	const char *word;
	const char *text[2];
} words[] = {
	{ "@I64@", { "INTEGER", "BIGINT" } },
	{ "@FEED_ID@", { "INTEGER PRIMARY KEY",
	    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" } },
	{ "@NOROWID@", { " WITHOUT ROWID", "" } },
};

char *
state_sql(enum state_dialect d, const char *tmpl)
{
	struct strbuf b = { 0 };
	const char *p = tmpl, *at;

	while ((at = strchr(p, '@')) != NULL) {
		size_t i, len;

		strbuf_add(&b, p, (size_t)(at - p));
		if (strncmp(at, "@FEED_COLUMNS@", 14) == 0) {
			add_select_list(&b, &state_feed_row);
			p = at + 14;
			continue;
		}
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strncmp(at, words[i].word,
			    len = strlen(words[i].word)) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			/* Not a word of ours: an @ of the SQL itself. */
			strbuf_add(&b, "@", 1);
			p = at + 1;
			continue;
		}
		strbuf_add(&b, words[i].text[d == STATE_PG],
		    strlen(words[i].text[d == STATE_PG]));
		p = at + len;
	}
	strbuf_add(&b, p, strlen(p));
	return strbuf_finish(&b);
}

int
state_row_find(const struct state_row *kind, const struct state_cells *c,
    const void *res, int at[STATE_MAX_COLUMNS], const char *what, char *err,
    size_t errlen)
{
	int n = c->count(res);

	for (size_t i = 0; i < kind->ncolumns; i++) {
		const char *want = kind->columns[i].name, *name;

		at[i] = -1;
		for (int col = 0; col < n && at[i] == -1; col++)
			if ((name = c->name(res, col)) != NULL &&
			    strcmp(name, want) == 0)
				at[i] = col;
		if (at[i] == -1) {
			snprintf(err, errlen, "cannot %s: the state's answer"
			    " lacks column %s", what, want);
			return -1;
		}
	}
	return 0;
}

void
state_row_clear(const struct state_row *kind, void *row)
{
	for (size_t i = 0; i < kind->ncolumns; i++)
		if (kind->columns[i].type == STATE_TEXT)
			free(*(char **)((char *)row + kind->columns[i].offset));
	memset(row, 0, kind->size);
}

int
state_row_decode(const struct state_row *kind, const struct state_cells *c,
    const void *res, int row, const int at[STATE_MAX_COLUMNS], void *out)
{
	memset(out, 0, kind->size);
	for (size_t i = 0; i < kind->ncolumns; i++) {
		void *field = (char *)out + kind->columns[i].offset;
		const char *text;

		switch (kind->columns[i].type) {
		case STATE_INT:
			*(int *)field = (int)c->int64(res, row, at[i]);
			break;
		case STATE_INT64:
			*(int64_t *)field = c->int64(res, row, at[i]);
			break;
		case STATE_TEXT:
			if (c->is_null(res, row, at[i]))
				break;
			if ((text = c->text(res, row, at[i])) == NULL ||
			    (*(char **)field = strdup(text)) == NULL) {
				state_row_clear(kind, out);
				return -1;
			}
			break;
		}
	}
	return 0;
}

void
state_rows_free(const struct state_row *kind, void *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		state_row_clear(kind, (char *)rows + i * kind->size);
	free(rows);
}

int
state_rows_take_one(const struct state_row *kind, void *rows, size_t n,
    void *out)
{
	if (n != 1) {
		state_rows_free(kind, rows, n);
		return 0;
	}
	memcpy(out, rows, kind->size);
	free(rows);
	return 1;
}
