/*
 * cmd_status.c - newswatch status and tail: what the state says of each
 * feed, and the newest items of the spool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../feeds/date.h"
#include "../feeds/feed.h"
#include "../store/redis_sink.h"

#include "clock.h"
#include "cmd.h"
#include "tail.h"

const char *
when(int64_t t, char *buf, size_t len)
{
	if (t <= 0)
		return "-";
	return date_format_rfc3339(t, buf, len);
}

static void
status_row(const char *name, const char *url, const struct state_feed *f)
{
	char last[32], next[32], ok[32], http[16], span[48], interval[64];

	if (f && f->last_status)
		snprintf(http, sizeof(http), "%d", f->last_status);
	else
		snprintf(http, sizeof(http), "-");
	if (f && f->interval_why)
		snprintf(interval, sizeof(interval), "%s (%s)",
		    clock_duration(f->interval, span, sizeof(span)),
		    f->interval_why);
	else
		snprintf(interval, sizeof(interval), "-");
	printf("%-24s %-20s %-4s %7lld %-20s %-26s %4d %-20s %s", name,
	    when(f ? f->last_poll : 0, last, sizeof(last)), http,
	    (long long)(f ? f->entries_seen : 0),
	    f && f->disabled ? "disabled (410 Gone)" :
	    when(f ? f->next_poll : 0, next, sizeof(next)), interval,
	    f ? f->failures : 0, when(f ? f->last_success : 0, ok, sizeof(ok)),
	    url);
	if (f && f->config_url && strcmp(f->config_url, url) != 0 &&
	    strcmp(f->url, url) == 0)
		printf("  (moved permanently from %s)", f->config_url);
	if (f && f->last_error)
		printf("  error: %s", f->last_error);
	putchar('\n');
}

json_t *
time_or_null(int64_t t)
{
	char buf[32];

	return t > 0 ? json_string(date_format_rfc3339(t, buf, sizeof(buf))) :
	    json_null();
}

/* status_row's facts for tools: times RFC 3339 or null, durations in
 * seconds. */
json_t *
status_object(const char *name, const char *url, const struct state_feed *f,
    int removed)
{
	struct state_feed none = { .ttl = -1 };

	if (f == NULL)
		f = &none;
	return json_pack("{s:s, s:s, s:b, s:b, s:o, s:o, s:I, s:o, s:o, s:o, "
	    "s:i, s:o, s:o, s:o, s:I, s:I}", "name", name, "url", url,
	    "configured", !removed, "disabled", f->disabled,
	    "last_poll", time_or_null(f->last_poll),
	    "http_status", f->last_status ? json_integer(f->last_status) :
	    json_null(), "entries_seen", (json_int_t)f->entries_seen,
	    "next_poll", time_or_null(f->next_poll),
	    "interval", f->interval_why ? json_integer(f->interval) : json_null(),
	    "interval_why", feed_json_str(f->interval_why),
	    "failures", f->failures,
	    "last_success", time_or_null(f->last_success),
	    "last_error", feed_json_str(f->last_error),
	    "moved_from", f->config_url && strcmp(f->config_url, url) != 0 &&
	    f->url && strcmp(f->url, url) == 0 ? json_string(f->config_url) :
	    json_null(), "revisions", (json_int_t)f->revisions,
	    "duplicates", (json_int_t)f->duplicates);
}

int
print_json(json_t *obj, int compact)
{
	size_t flags = JSON_PRESERVE_ORDER | (compact ? JSON_COMPACT :
	    JSON_INDENT(2));
	int rc = obj && json_dumpf(obj, stdout, flags) == 0 ? 0 : 1;

	if (rc == 0)
		putchar('\n');
	else
		fprintf(stderr, "newswatch: out of memory\n");
	json_decref(obj);
	return rc;
}

/* One row of status: a configured feed (f NULL until polled) or one the
 * config no longer names (removed), all borrowed. */
struct status_entry {
	const char *name;
	const char *url;
	const struct state_feed *f;
	int removed;
	size_t order;           /* its place in the plain listing */
};

/* buf = "3 min ago", "in 7 min": t against now, in its largest unit;
 * "-" for a time not known (0). */
static void
relative(int64_t t, int64_t now, char *buf, size_t len)
{
	static const struct { const char *unit; int64_t secs; } units[] = {
		{ "d", 86400 }, { "h", 3600 }, { "min", 60 }, { "s", 1 },
	};
	int64_t d = t > now ? t - now : now - t;
	size_t u = 0;

	if (t <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (d < 5) {
		snprintf(buf, len, "%s", t > now ? "now" : "just now");
		return;
	}
	while (d < units[u].secs)
		u++;
	snprintf(buf, len, "%s%lld %s%s", t > now ? "in " : "",
	    (long long)(d / units[u].secs), units[u].unit,
	    t > now ? "" : " ago");
}

/* Columns on a screen: bytes that begin a UTF-8 character. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* s cut to width columns (at a character's start), padded to it when pad;
 * the cut shows as a "~" in the last column. */
static void
print_cell(const char *s, size_t width, int pad)
{
	size_t w = text_width(s), n = 0, cols = 0;

	if (w > width) {
		while (s[n] && cols < width - 1)
			if (((unsigned char)s[++n] & 0xc0) != 0x80)
				cols++;
		printf("%.*s~", (int)n, s);
		w = width;
	} else
		fputs(s, stdout);
	if (pad)
		printf("%*s", (int)(width - w), "");
}

/* A poll's error without the feed's URL in front, which the row names
 * anyway: on a screen, room goes to the reason. */
static const char *
error_text(const char *error, const char *url)
{
	size_t len = strlen(url);

	return strncmp(error, url, len) == 0 && strncmp(error + len, ": ",
	    2) == 0 ? error + len + 2 : error;
}

static int
failing_first(const void *a, const void *b)
{
	const struct status_entry *x = a, *y = b;
	int fx = x->f && x->f->failures > 0, fy = y->f && y->f->failures > 0;

	/* qsort is not stable: the config's order breaks ties. */
	return fx != fy ? fy - fx : (x->order > y->order) -
	    (x->order < y->order);
}

#define STATUS_COLS 10

/* status on a terminal: failing feeds first, times relative to now, the
 * columns aligned and the whole as wide as the terminal, the last column
 * (a failing feed's error, else its URL) and long names cut to fit. */
static void
status_table(struct status_entry *e, size_t n)
{
	static const char *head[STATUS_COLS] = { "NAME", "HTTP", "ERRS",
	    "SEEN", "REVS", "DUPS", "LAST POLL", "NEXT POLL", "LAST SUCCESS",
	    "URL / ERROR" };
	char (*cell)[STATUS_COLS][96] = calloc(n ? n : 1, sizeof(*cell));
	size_t width[STATUS_COLS], screen = 80, fixed = 0, last;
	int64_t now = clock_now();
	struct winsize ws;

	if (cell == NULL) {
		fprintf(stderr, "newswatch: out of memory\n");
		return;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		screen = ws.ws_col;
	qsort(e, n, sizeof(*e), failing_first);
	for (size_t c = 0; c < STATUS_COLS; c++)
		width[c] = text_width(head[c]);
	for (size_t i = 0; i < n; i++) {
		const struct state_feed *f = e[i].f;
		char (*row)[96] = cell[i];

		snprintf(row[0], sizeof(row[0]), "%s%s", e[i].name,
		    e[i].removed ? " (removed)" : "");
		snprintf(row[1], sizeof(row[1]), f && f->last_status ? "%d" :
		    "-", f ? f->last_status : 0);
		snprintf(row[2], sizeof(row[2]), "%d", f ? f->failures : 0);
		snprintf(row[3], sizeof(row[3]), "%lld",
		    (long long)(f ? f->entries_seen : 0));
		snprintf(row[4], sizeof(row[4]), "%lld",
		    (long long)(f ? f->revisions : 0));
		snprintf(row[5], sizeof(row[5]), "%lld",
		    (long long)(f ? f->duplicates : 0));
		relative(f ? f->last_poll : 0, now, row[6], sizeof(row[6]));
		if (f && f->disabled)
			snprintf(row[7], sizeof(row[7]), "disabled (410)");
		else
			relative(f ? f->next_poll : 0, now, row[7],
			    sizeof(row[7]));
		relative(f ? f->last_success : 0, now, row[8], sizeof(row[8]));
		snprintf(row[9], sizeof(row[9]), "%s", f && f->last_error ?
		    error_text(f->last_error, e[i].url) : e[i].url);
		for (size_t c = 0; c < STATUS_COLS; c++)
			if (text_width(row[c]) > width[c])
				width[c] = text_width(row[c]);
	}
	/* What the columns between the name and the last one take, with
	 * their separating spaces; the name and the last column share the
	 * rest, the name giving way first. */
	for (size_t c = 1; c < STATUS_COLS - 1; c++)
		fixed += width[c] + 2;
	last = width[STATUS_COLS - 1];
	if (fixed + 2 + width[0] + last >= screen) {
		size_t room = screen > fixed + 3 ? screen - fixed - 3 : 0;
		size_t name = room > last ? room - last : 0;

		if (name < room / 3)
			name = room / 3;
		if (name < 12)
			name = 12;
		if (name < width[0])
			width[0] = name;
		last = room > width[0] + 8 ? room - width[0] : 8;
	}
	width[STATUS_COLS - 1] = last;
	for (size_t i = 0; i <= n; i++) {
		for (size_t c = 0; c < STATUS_COLS; c++) {
			const char *text = i == 0 ? head[c] : cell[i - 1][c];

			if (c > 0)
				fputs("  ", stdout);
			/* Numbers right-aligned, the rest left. */
			if (c >= 1 && c <= 4 && text_width(text) < width[c])
				printf("%*s", (int)(width[c] -
				    text_width(text)), "");
			print_cell(text, width[c], c < STATUS_COLS - 1 &&
			    !(c >= 1 && c <= 4));
		}
		putchar('\n');
	}
	free(cell);
}

/* One row per feed the config names, then one per feed the state still
 * holds but the config no longer names; NULL when out of memory. */
static struct status_entry *
status_rows(const struct config *cfg, const struct state_feed *feeds,
    size_t n, size_t *nrows)
{
	struct status_entry *rows = calloc(cfg->nfeeds + n + 1, sizeof(*rows));

	*nrows = 0;
	if (rows == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		const struct state_feed *f = NULL;

		for (size_t j = 0; j < n && !f; j++)
			if (strcmp(feeds[j].name, cf->name) == 0)
				f = &feeds[j];
		/* Until polled, a URL changed in the config is not yet in
		 * the state. */
		rows[*nrows] = (struct status_entry){ cf->name,
		    f && f->config_url && strcmp(f->config_url, cf->url) == 0 ?
		    f->url : cf->url, f, 0, *nrows };
		(*nrows)++;
	}
	/* Feeds no longer configured keep their state: show them too. */
	for (size_t j = 0; j < n; j++) {
		int configured = 0;

		for (size_t i = 0; i < cfg->nfeeds && !configured; i++)
			configured = strcmp(feeds[j].name, cfg->feeds[i].name) == 0;
		if (!configured) {
			rows[*nrows] = (struct status_entry){ feeds[j].name,
			    feeds[j].url, &feeds[j], 1, *nrows };
			(*nrows)++;
		}
	}
	return rows;
}

int
cmd_status(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct state_feed *feeds = NULL;
	struct status_entry *rows = NULL;
	struct state *st = NULL;
	size_t n = 0, nrows = 0;
	char err[1024], trim[64], label[80], shown[1024];
	struct stat sb;
	int rc = 0;

	if (state_is_postgresql(cfg->state) || stat(cfg->state, &sb) == 0) {
		if (state_open(cfg->state, &st, err, sizeof(err)) == -1 ||
		    state_feed_list(st, &feeds, &n, err, sizeof(err)) == -1) {
			fprintf(stderr, "newswatch: %s\n", err);
			rc = 1;
			goto done;
		}
	}
	if ((rows = status_rows(cfg, feeds, n, &nrows)) == NULL) {
		fprintf(stderr, "newswatch: out of memory\n");
		rc = 1;
		goto done;
	}
	if (opt->json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < nrows; i++)
			json_array_append_new(arr, status_object(rows[i].name,
			    rows[i].url, rows[i].f, rows[i].removed));
		rc = print_json(arr, 0);
		goto done;
	}
	if (isatty(STDOUT_FILENO))
		status_table(rows, nrows);
	else {
		printf("%-24s %-20s %-4s %7s %-20s %-26s %4s %-20s %s\n",
		    "NAME", "LAST POLL", "HTTP", "SEEN", "NEXT POLL",
		    "INTERVAL (WHY)", "ERRS", "LAST SUCCESS", "URL");
		for (size_t i = 0; i < nrows; i++) {
			snprintf(label, sizeof(label), "%s%s", rows[i].name,
			    rows[i].removed ? " (removed)" : "");
			status_row(label, rows[i].url, rows[i].f);
		}
	}
	/* After the rows, which tools read as they were. */
	if (cfg->sink) {
		redis_sink_url_redact(cfg->sink, shown, sizeof(shown));
		printf("items go to %s%s (stream %s)\n", cfg->spool ?
		    "the spool and " : "", shown, sink_trim(cfg, trim,
		    sizeof(trim)));
	}
done:
	free(rows);
	state_feed_list_free(feeds, n);
	state_close(st);
	config_free(cfg);
	return rc;
}

int
cmd_tail(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	char err[1024], shown[1024];
	int rc;

	if (cfg->spool == NULL) {
		redis_sink_url_redact(cfg->sink, shown, sizeof(shown));
		fprintf(stderr, "newswatch: spool: off in %s: items go to %s "
		    "only\n", cfg->path, shown);
		config_free(cfg);
		return 1;
	}
	rc = tail_spool(cfg->spool, opt->lines, (opt->json ? TAIL_JSON : 0) |
	    (opt->follow ? TAIL_FOLLOW : 0), stdout, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "newswatch: %s\n", err);
	config_free(cfg);
	return rc == -1;
}
