/*
 * cmd.h - the newswatch command's families, one file each, and what they
 * share; for daemon/main.c and daemon/cmd_*.c only.
 *
 * main.c reads the command line and runs one command; cmd_run.c is the
 * daemon (run, once), cmd_config.c the config's tools (check,
 * import-opml, export-opml), cmd_status.c what the state and spool hold
 * (status, tail), cmd_why.c why an item was (not) delivered, cmd_tools.c
 * the parsers on one document (parse, extract).  Each cmd_* function
 * returns the process's exit status.
 */
#ifndef NW_CMD_H
#define NW_CMD_H

#include <stdint.h>

#include <jansson.h>

#include "../store/state.h"
#include "config.h"

struct command;

struct options {
	const struct command *command;
	const char *config;
	const char *url;
	const char *content_type;
	char **inputs;          /* parse's and extract's FILE|URL arguments */
	int ninputs;
	int verbose;
	int json;               /* status, tail, why: JSON instead of text */
	int follow;             /* tail -f */
	long lines;             /* tail -n */
	int html;               /* extract --html */
};

/* The config file opt names, else $NEWSWATCH_CONFIG, else the default. */
const char *config_path(const struct options *opt);

/* The config, or exit(EX_CONFIG) with the reason on stderr. */
struct config *load_config_or_exit(const struct options *opt);

/* A document read for parse, extract or import-opml. */
struct fetched {
	char *body;
	size_t len;
	char *url;
	char *content_type;
	char error[1024];
	int done;
	/* Set by the caller: a regular file may be mapped (then body is
	 * not NUL-terminated and mapped is its length). */
	int may_map;
	size_t mapped;
};

/* Read input, a file or an http(s) URL, into f (opt: --content-type);
 * 0, or -1 once the reason is on stderr.  fetched_free(f) either way. */
int load_input(const struct options *opt, const char *input,
    struct fetched *f);
void fetched_free(struct fetched *f);

/* How the sink's stream is trimmed, in words (buf may hold them). */
const char *sink_trim(const struct config *cfg, char *buf, size_t len);

/* cmd_status.c's, for why and the tools too: */
/* t (UTC seconds) as RFC 3339 in buf, or "-" when 0 or less. */
const char *when(int64_t t, char *buf, size_t len);
/* t as a JSON RFC 3339 string, or null when 0 or less. */
json_t *time_or_null(int64_t t);
/* A feed's row of status as JSON (f NULL: never polled; removed: no
 * longer in the config). */
json_t *status_object(const char *name, const char *url,
    const struct state_feed *f, int removed);
/* obj on stdout, indented, or on one line when compact; takes obj.
 * 0, or 1 when out of memory or stdout failed. */
int print_json(json_t *obj, int compact);

int cmd_run(const struct options *opt);
int cmd_once(const struct options *opt);
int cmd_check(const struct options *opt);
int cmd_import_opml(const struct options *opt);
int cmd_export_opml(const struct options *opt);
int cmd_status(const struct options *opt);
int cmd_tail(const struct options *opt);
int cmd_why(const struct options *opt);
int cmd_parse(const struct options *opt);
int cmd_extract(const struct options *opt);

#endif
