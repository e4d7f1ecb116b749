/*
 * opml.h - OPML subscription lists, as feed readers import and export them.
 *
 * Promises: opml_parse is a pure function of bytes: every outline with an
 * xmlUrl (any nesting, any case of the attribute name) becomes a feed, in
 * document order; its tags are the text of the outlines it is nested in
 * (the reader's folders) and the names in its category attribute (OPML
 * 2.0: "/a/b,c" gives b and c), each once.  Never the network (no
 * external entities, no DTD loading).  opml_write produces OPML 2.0.
 */
#ifndef NW_OPML_H
#define NW_OPML_H

#include <stddef.h>

struct opml_feed {
	char *url;              /* xmlUrl, trimmed */
	char *title;            /* title, else text; NULL when neither */
	char **tags;
	size_t ntags;
};

/* Parse len bytes of buf.  Returns 0 with *out (an array of *n feeds,
 * free with opml_free), or -1 with the reason in err. */
int opml_parse(const char *buf, size_t len, struct opml_feed **out, size_t *n,
    char *err, size_t errlen);

void opml_free(struct opml_feed *feeds, size_t n);

/* The n feeds as an OPML 2.0 document titled title (UTF-8, indented):
 * a malloc'ed NUL-terminated string (caller frees), or NULL when out of
 * memory. */
char *opml_write(const struct opml_feed *feeds, size_t n, const char *title);

#endif
