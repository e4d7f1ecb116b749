/*
 * parse_bench.c - feed_parse over many documents in one process, for
 * `make bench` (bench/parse.py drives it and compares with sfeed).
 *
 *   parse_bench [--json] [--seconds N] FILE...
 *
 * Every file is read into memory first; then the whole set is parsed
 * again and again until N seconds (default 3) have passed, so that disk
 * and start-up are not measured.  With --json each entry is also turned
 * into its spool JSON and serialised, as the daemon does.  Prints one
 * line: files, bytes, rounds, seconds, MB/s, entries/s, failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "../feeds/feed.h"
#include "../feeds/strbuf.h"

struct doc {
	char *buf;
	size_t len;
};

static int
slurp(const char *path, struct doc *d)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	rewind(f);
	d->len = (size_t)n;
	if ((d->buf = malloc(d->len + 1)) == NULL ||
	    fread(d->buf, 1, d->len, f) != d->len) {
		perror(path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Serialise what the spool would get, as poll_entry_text makes it, so
 * the compiler cannot drop it. */
static size_t
to_json(const struct feed *feed)
{
	size_t bytes = 0;

	for (size_t i = 0; i < feed->nentries; i++) {
		struct strbuf b = { 0 };
		char *s;

		feed_entry_json_text(&b, &feed->entries[i], -1);
		s = strbuf_finish(&b);
		bytes += s != NULL ? strlen(s) : 0;
		free(s);
	}
	return bytes;
}

int
main(int argc, char **argv)
{
	struct doc *docs;
	int ndocs = 0, json = 0, failures = 0;
	double seconds = 3, start, elapsed;
	size_t bytes = 0, entries = 0, rounds = 0, out = 0;

	if ((docs = calloc((size_t)argc, sizeof(*docs))) == NULL)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (slurp(argv[i], &docs[ndocs]) == 0)
			bytes += docs[ndocs++].len;
		else
			return 1;
	}
	if (ndocs == 0) {
		fprintf(stderr, "usage: parse_bench [--json] [--seconds N] "
		    "FILE...\n");
		return 2;
	}
	xmlInitParser();
	start = now();
	do {
		for (int i = 0; i < ndocs; i++) {
			struct feed *feed = NULL;

			if (feed_parse(docs[i].buf, docs[i].len, NULL, NULL, &feed,
			    NULL, 0) != 0) {
				failures += rounds == 0;
				continue;
			}
			entries += feed->nentries;
			if (json)
				out += to_json(feed);
			feed_free(feed);
		}
		rounds++;
	} while ((elapsed = now() - start) < seconds);
	printf("files %d bytes %zu rounds %zu seconds %.3f mb_per_s %.2f "
	    "entries_per_s %.0f failures %d json_bytes %zu\n", ndocs, bytes,
	    rounds, elapsed, (double)bytes * rounds / elapsed / 1e6,
	    (double)entries / elapsed, failures, out / rounds);
	for (int i = 0; i < ndocs; i++)
		free(docs[i].buf);
	free(docs);
	xmlCleanupParser();
	return 0;
}
