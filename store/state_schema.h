/*
 * state_schema.h - the one description of the state's tables that both
 * backends use (private to store/): the schema steps, and the rows they
 * read back by column name into the structs of state.h.
 *
 * Promises: each schema step is written once, in SQL both dialects
 * share, with the few words that differ spelled as @WORDS@ that
 * state_sql expands per dialect; a step one dialect lacks (the shared
 * work, PostgreSQL only) is skipped in that dialect's numbering, so each
 * backend's version numbers stay what they were.  A row is decoded by the
 * names of its result columns, never by their positions, through a
 * backend's cell readers.  Knows no library: the backends translate.
 */
#ifndef NW_STATE_SCHEMA_H
#define NW_STATE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

enum state_dialect {
	STATE_SQLITE = 1,
	STATE_PG = 2,
};

/* The number of schema steps dialect d has: the version it writes. */
int state_schema_version(enum state_dialect d);

/* The SQL (caller frees) that takes a state of dialect d from version to
 * version + 1, for 0 <= version < state_schema_version(d); NULL when out
 * of memory. */
char *state_schema_step(enum state_dialect d, int version);

/*
 * tmpl with its @WORDS@ expanded for dialect d (caller frees; NULL when
 * out of memory): @FEED_COLUMNS@ the select list of state_feed_row,
 * @I64@ a 64-bit integer type, @FEED_ID@ the feeds' id column, @NOROWID@
 * SQLite's WITHOUT ROWID.  Other text is copied as it is.
 */
char *state_sql(enum state_dialect d, const char *tmpl);

enum state_type {
	STATE_INT,      /* an int field */
	STATE_INT64,    /* an int64_t field */
	STATE_TEXT,     /* a char * field, NULL for SQL NULL; the row owns it */
};

struct state_column {
	const char *name;       /* the result column's name */
	enum state_type type;
	size_t offset;          /* of the field in the row's struct */
};

/* A kind of row: which struct it fills, from which columns. */
struct state_row {
	const char *table;      /* the table a select list of it reads,
	                         * NULL when none is made */
	const struct state_column *columns;
	size_t ncolumns;
	size_t size;            /* of the struct */
};

#define STATE_MAX_COLUMNS 24

extern const struct state_row state_feed_row;     /* struct state_feed */
extern const struct state_row state_pending_row;  /* struct state_pending */
extern const struct state_row state_found_row;    /* struct state_found */
extern const struct state_row state_story_row;    /* struct state_story */

/* What both backends select of a story, for state_story_row. */
#define STATE_STORY_SELECT "SELECT name, discovered_us, url_key, fp," \
	" band0, band1, band2, band3, band4, band5, band6, band7," \
	" duplicate_of FROM stories"
extern const struct state_row state_revision_row; /* struct state_revision */

/* How a backend reads its results; res is its result (a statement, a
 * PGresult), row a row of it. */
struct state_cells {
	int (*count)(const void *res);           /* columns in a row */
	const char *(*name)(const void *res, int col);
	int (*is_null)(const void *res, int row, int col);
	int64_t (*int64)(const void *res, int row, int col);
	const char *(*text)(const void *res, int row, int col);
};

/* at[i] = the result column named as kind's column i.  -1 with "cannot
 * <what>: ..." and the first missing name in err when the result lacks
 * one (a statement out of step with the description), else 0. */
int state_row_find(const struct state_row *kind, const struct state_cells *c,
    const void *res, int at[STATE_MAX_COLUMNS], const char *what, char *err,
    size_t errlen);

/* Fill out (a struct of kind, zeroed first) from row of res, the columns
 * where state_row_find put them.  -1 when out of memory, with out's
 * strings freed. */
int state_row_decode(const struct state_row *kind, const struct state_cells *c,
    const void *res, int row, const int at[STATE_MAX_COLUMNS], void *out);

/* rows[0..n) of kind, read by a unique key so one at most: that one
 * moved into out (its strings with it), the rest and rows freed.
 * Returns 1 when there was one, else 0. */
int state_rows_take_one(const struct state_row *kind, void *rows, size_t n,
    void *out);

/* Free the strings of row (a struct of kind) and zero it. */
void state_row_clear(const struct state_row *kind, void *row);

/* Free the strings of rows[0..n) of kind, then rows. */
void state_rows_free(const struct state_row *kind, void *rows, size_t n);

#endif
