/*
 * config_append.h - add feeds to a feeds.yaml without rewriting it.
 *
 * Promises: every byte of the file stays as it was (comments, quoting,
 * order, blank lines); the new feeds are inserted as block-style entries
 * right after the last line of the last existing feed, indented like it
 * (or as a new feeds: list at the end when there is none).  The result is
 * checked with config_load before it replaces the file (atomically, by
 * rename, keeping the file's mode), so a file that would not load is
 * never left behind.
 */
#ifndef NW_CONFIG_APPEND_H
#define NW_CONFIG_APPEND_H

#include <stddef.h>

struct config_new_feed {
	const char *url;
	const char *name;       /* NULL: the one derived from the url */
	const char *comment;    /* written after the url as "# comment", may be NULL */
	char *const *tags;
	size_t ntags;
};

/* Add n feeds to the config file at path.  Returns 0, or -1 with the
 * reason in err (the file is then unchanged). */
int config_append_feeds(const char *path, const struct config_new_feed *feeds,
    size_t n, char *err, size_t errlen);

#endif
