/*
 * cmd_config.c - newswatch check, import-opml and export-opml: the config
 * validated, added to, and listed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../feeds/opml.h"
#include "../feeds/url.h"
#include "../store/redis_sink.h"

#include "clock.h"
#include "cmd.h"
#include "config_append.h"
#include "log.h"

/* Can this user create or write path (a directory when dir)?  Its nearest
 * existing ancestor decides for what is not there yet, as the daemon
 * creates missing directories.  0, or -1 with the reason in why. */
static int
writable(const char *path, int dir, char *why, size_t len)
{
	char p[PATH_MAX], *slash;
	struct stat sb;

	snprintf(p, sizeof(p), "%s", path);
	while (stat(p, &sb) == -1) {
		if (errno != ENOENT) {
			snprintf(why, len, "%s: %s", p, strerror(errno));
			return -1;
		}
		/* Missing: it would be created in the directory above. */
		dir = 1;
		if ((slash = strrchr(p, '/')) == NULL)
			snprintf(p, sizeof(p), ".");
		else if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (dir && !S_ISDIR(sb.st_mode)) {
		snprintf(why, len, "%s is not a directory", p);
		return -1;
	}
	if (access(p, dir ? W_OK | X_OK : W_OK) == -1) {
		snprintf(why, len, "%s: %s", p, strerror(errno));
		return -1;
	}
	return 0;
}

/* Does the sink's Redis answer?  0, or -1 with the reason in why. */
static int
sink_reachable(const struct config *cfg, char *why, size_t len)
{
	struct redis_sink *sink;
	int rc;

	if (redis_sink_open(cfg->sink, cfg->sink_maxlen, &sink, why,
	    len) == -1)
		return -1;
	rc = redis_sink_ping(sink, why, len);
	redis_sink_close(sink);
	return rc;
}

/* What loads but will not work as meant; each a warning, never an error,
 * so that ExecStartPre does not stop a daemon that would run. */
static size_t
check_warnings(const struct config *cfg)
{
	char why[PATH_MAX + 128], a[48], b[48];
	size_t n = 0, *first;

	if (cfg->spool && writable(cfg->spool, 1, why, sizeof(why)) == -1 &&
	    ++n)
		printf("%s: warning: spool %s cannot be written: %s\n",
		    cfg->path, cfg->spool, why);
	if (!state_is_postgresql(cfg->state) &&
	    writable(cfg->state, 0, why, sizeof(why)) == -1 && ++n)
		printf("%s: warning: state %s cannot be written: %s\n",
		    cfg->path, cfg->state, why);
	if (cfg->sink && sink_reachable(cfg, why, sizeof(why)) == -1 && ++n)
		printf("%s: warning: sink cannot be reached: %s\n",
		    cfg->path, why);
	if (cfg->interval < cfg->min_interval && ++n)
		printf("%s: warning: interval %s is below min_interval %s, "
		    "which bounds the feeds that do not set their own\n",
		    cfg->path, clock_duration((int64_t)cfg->interval, a,
		    sizeof(a)), clock_duration((int64_t)cfg->min_interval, b,
		    sizeof(b)));
	if ((first = calloc(cfg->nfeeds ? cfg->nfeeds : 1,
	    sizeof(*first))) == NULL || config_url_firsts(cfg, first) == -1)
		fatalx("out of memory");
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *f = &cfg->feeds[i];
		const struct config_feed *orig = &cfg->feeds[first[i]];

		if (orig != f && ++n)
			printf("%s:%d: warning: feed %s has the url of feed %s "
			    "(line %d): polled twice\n", cfg->path, f->line,
			    f->name, orig->name, orig->line);
		if (f->interval_pinned && f->interval < f->min_interval && ++n)
			printf("%s:%d: warning: feed %s: interval %s is below "
			    "min_interval %s\n", cfg->path, f->line, f->name,
			    clock_duration((int64_t)f->interval, a,
			    sizeof(a)), clock_duration((int64_t)f->min_interval,
			    b, sizeof(b)));
	}
	free(first);
	return n;
}

/* How the sink's stream is trimmed, for check and status. */
const char *
sink_trim(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->sink_maxlen == 0)
		return "never trimmed";
	snprintf(buf, len, "trimmed to about %ld entries", cfg->sink_maxlen);
	return buf;
}

int
cmd_check(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	size_t enabled = 0, warnings = check_warnings(cfg);
	char trim[64], shown[1024];

	for (size_t i = 0; i < cfg->nfeeds; i++)
		enabled += cfg->feeds[i].enabled != 0;
	printf("%s: ok, %zu feeds (%zu enabled), spool %s, state %s", cfg->path,
	    cfg->nfeeds, enabled, cfg->spool ? cfg->spool : "off", cfg->state);
	if (cfg->sink) {
		redis_sink_url_redact(cfg->sink, shown, sizeof(shown));
		printf(", sink %s (%s)", shown, sink_trim(cfg, trim,
		    sizeof(trim)));
	}
	if (warnings)
		printf(", %zu warning%s", warnings, warnings > 1 ? "s" : "");
	putchar('\n');
	config_free(cfg);
	return 0;
}

static int
name_taken(const struct config *cfg, char *const *chosen, size_t n,
    const char *name)
{
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(chosen[i], name) == 0)
			return 1;
	return 0;
}

/*
 * *name: the name an imported feed goes by, unlike any other: the one
 * derived from its URL when free (*given 0: nothing to write), else one
 * made of its title, else the derived one numbered.  Readers' lists often
 * hold feeds of one host and path that differ in the query only (YouTube
 * channels), whose derived names clash.  Returns 0, or -1 when out of
 * memory.
 */
static int
import_name(const struct config *cfg, char *const *chosen, size_t n,
    const struct opml_feed *of, char **name, int *given)
{
	char *derived = config_derive_name(of->url), buf[80];

	*name = NULL;
	*given = 1;
	if (derived == NULL)
		return -1;
	if (*derived && !name_taken(cfg, chosen, n, derived)) {
		*name = derived;
		*given = 0;
		return 0;
	}
	if (of->title && (*name = config_name_from(of->title,
	    strlen(of->title))) == NULL)
		goto nomem;
	if (*name && **name && !name_taken(cfg, chosen, n, *name)) {
		free(derived);
		return 0;
	}
	free(*name);
	for (size_t k = 2; ; k++) {
		snprintf(buf, sizeof(buf), "%.58s-%zu", *derived ? derived :
		    "feed", k);
		if (!name_taken(cfg, chosen, n, buf))
			break;
	}
	free(derived);
	return (*name = strdup(buf)) == NULL ? -1 : 0;
nomem:
	free(derived);
	return -1;
}

/* The feeds of an OPML file or URL not yet in the config (by URL), added
 * to feeds.yaml with their titles as comments and folders as tags. */
int
cmd_import_opml(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct opml_feed *of = NULL;
	struct config_new_feed *add = NULL;
	struct fetched f = { 0 };
	size_t n = 0, nadd = 0, present = 0;
	char err[1024], **names = NULL;
	int rc = 1, given;

	if (load_input(opt, opt->inputs[0], &f) == -1)
		goto out;
	if (opml_parse(f.body, f.len, &of, &n, err, sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s: %s\n", opt->inputs[0], err);
		goto out;
	}
	if (n > 0 && ((add = calloc(n, sizeof(*add))) == NULL ||
	    (names = calloc(n, sizeof(*names))) == NULL)) {
		fprintf(stderr, "newswatch: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		if (!url_is_http(of[i].url)) {
			fprintf(stderr, "newswatch: skipping '%s': not an http "
			    "or https URL\n", of[i].url);
			continue;
		}
		for (size_t j = 0; j < cfg->nfeeds && !dup; j++)
			dup = strcmp(cfg->feeds[j].url, of[i].url) == 0;
		for (size_t j = 0; j < nadd && !dup; j++)
			dup = strcmp(add[j].url, of[i].url) == 0;
		if (dup) {
			present++;
			continue;
		}
		if (import_name(cfg, names, nadd, &of[i], &names[nadd],
		    &given) == -1) {
			fprintf(stderr, "newswatch: out of memory\n");
			goto out;
		}
		add[nadd] = (struct config_new_feed){ .url = of[i].url,
		    .name = given ? names[nadd] : NULL, .comment = of[i].title,
		    .tags = of[i].tags, .ntags = of[i].ntags };
		nadd++;
	}
	if (nadd > 0 && config_append_feeds(cfg->path, add, nadd, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s\n", err);
		goto out;
	}
	printf("%s: %zu feeds added, %zu already there\n", cfg->path, nadd,
	    present);
	rc = 0;
out:
	for (size_t i = 0; names && i < nadd; i++)
		free(names[i]);
	free(names);
	free(add);
	opml_free(of, n);
	fetched_free(&f);
	config_free(cfg);
	return rc;
}

int
cmd_export_opml(const struct options *opt)
{
	struct config *cfg = load_config_or_exit(opt);
	struct opml_feed *of = calloc(cfg->nfeeds + 1, sizeof(*of));
	char *text = NULL;

	for (size_t i = 0; of && i < cfg->nfeeds; i++)
		of[i] = (struct opml_feed){ .url = cfg->feeds[i].url,
		    .title = cfg->feeds[i].name, .tags = cfg->feeds[i].tags,
		    .ntags = cfg->feeds[i].ntags };
	if (of)
		text = opml_write(of, cfg->nfeeds, "newswatch feeds");
	if (text)
		fputs(text, stdout);
	else
		fprintf(stderr, "newswatch: out of memory\n");
	free(text);
	free(of);
	config_free(cfg);
	return text == NULL;
}

