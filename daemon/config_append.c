/* config_append.c - see config_append.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "config_append.h"

/* Where the new entries go and how they are indented. */
struct spot {
	size_t at;              /* byte offset to insert at */
	int dash;               /* column of "-" */
	int key;                /* column of the keys after it */
	int header;             /* write "feeds:" first */
};

/* Past the end of the line pos is on (and any comment on it). */
static size_t
line_end(const unsigned char *buf, size_t len, size_t pos)
{
	while (pos < len && buf[pos] != '\n')
		pos++;
	return pos < len ? pos + 1 : len;
}

/* Where the last scalar under id ends.  A block mapping's or sequence's
 * own end mark lies at the next token, past trailing comments, which the
 * last scalar's keeps below the new entries. */
static yaml_mark_t
scalar_end(yaml_document_t *doc, int id, int depth)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	yaml_mark_t end = { 0 }, e;

	if (n == NULL || depth > 64)
		return end;
	if (n->type == YAML_SCALAR_NODE)
		return n->end_mark;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		    i < n->data.sequence.items.top; i++)
			if ((e = scalar_end(doc, *i, depth + 1)).index > end.index)
				end = e;
	} else {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++)
			if ((e = scalar_end(doc, p->value, depth + 1)).index >
			    end.index)
				end = e;
	}
	return end;
}

static int
find_spot(const char *path, const unsigned char *buf, size_t len,
    struct spot *spot, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *v = NULL, *k = NULL, *last;
	yaml_mark_t end;
	int rc = -1;

	*spot = (struct spot){ .at = len, .dash = 2, .key = 4, .header = 1 };
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s: not valid YAML", path);
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
		    p < root->data.mapping.pairs.top && !v; p++) {
			k = yaml_document_get_node(&doc, p->key);
			if (k->type == YAML_SCALAR_NODE &&
			    strcmp((char *)k->data.scalar.value, "feeds") == 0)
				v = yaml_document_get_node(&doc, p->value);
		}
	if (v == NULL) {
		rc = 0;         /* no feeds: yet */
	} else if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0) {
		/* "feeds:" and nothing: the entries go on the next line. */
		spot->at = line_end(buf, len, k->end_mark.index);
		spot->header = 0;
		rc = 0;
	} else if (v->type == YAML_SEQUENCE_NODE &&
	    v->data.sequence.style == YAML_BLOCK_SEQUENCE_STYLE &&
	    v->data.sequence.items.top > v->data.sequence.items.start) {
		last = yaml_document_get_node(&doc, v->data.sequence.items.top[-1]);
		spot->dash = (int)v->start_mark.column;
		spot->key = last->type == YAML_MAPPING_NODE ?
		    (int)last->start_mark.column : spot->dash + 2;
		end = scalar_end(&doc, v->data.sequence.items.top[-1], 0);
		spot->at = line_end(buf, len, end.index);
		/* A block scalar (| or >) ends at the start of a line, past
		 * the blank lines after it: back to its own last line. */
		if (end.column == 0)
			for (spot->at = end.index; spot->at >= 2 &&
			    buf[spot->at - 1] == '\n' && buf[spot->at - 2] == '\n';)
				spot->at--;
		spot->header = 0;
		rc = 0;
	} else {
		snprintf(err, errlen, "%s:%zu:%zu: feeds: cannot append to this "
		    "list; write it in block style, one '- url: ...' per line",
		    path, v->start_mark.line + 1, v->start_mark.column + 1);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* s as a YAML double-quoted scalar. */
static void
put_quoted(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

static void
put_entry(FILE *f, const struct spot *spot, const struct config_new_feed *nf)
{
	fprintf(f, "%*s- url: ", spot->dash, "");
	put_quoted(f, nf->url);
	if (nf->comment) {
		fputs("  # ", f);
		for (const char *c = nf->comment; *c; c++)
			putc((unsigned char)*c < 0x20 ? ' ' : *c, f);
	}
	putc('\n', f);
	if (nf->name)
		fprintf(f, "%*sname: %s\n", spot->key, "", nf->name);
	if (nf->ntags == 0)
		return;
	fprintf(f, "%*stags: [", spot->key, "");
	for (size_t i = 0; i < nf->ntags; i++) {
		if (i)
			fputs(", ", f);
		put_quoted(f, nf->tags[i]);
	}
	fputs("]\n", f);
}

/* Write buf to a new file beside path and check that it loads; *tmp gets
 * its name. */
static int
write_checked(const char *path, const char *buf, size_t len, mode_t mode,
    char *tmp, size_t tmplen, char *err, size_t errlen)
{
	struct config *cfg;
	char why[1024];
	int fd;

	snprintf(tmp, tmplen, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, buf, len) != (ssize_t)len || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	close(fd);
	if (config_load(tmp, &cfg, why, sizeof(why)) == -1) {
		/* Name the file the user knows, not the temporary one. */
		size_t tl = strlen(tmp);

		snprintf(err, errlen, "%s%s (not changed)", path,
		    strncmp(why, tmp, tl) == 0 ? why + tl : why);
		goto fail;
	}
	config_free(cfg);
	return 0;
fail:
	unlink(tmp);
	return -1;
}

int
config_append_feeds(const char *path, const struct config_new_feed *feeds,
    size_t n, char *err, size_t errlen)
{
	unsigned char *old = NULL;
	char *buf = NULL, tmp[PATH_MAX];
	size_t len, blen = 0;
	struct spot spot;
	struct stat sb;
	FILE *f;
	int rc = -1;

	if (stat(path, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (config_read_file(path, &old, &len, err, errlen) == -1 ||
	    find_spot(path, old, len, &spot, err, errlen) == -1)
		goto out;
	if ((f = open_memstream(&buf, &blen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fwrite(old, 1, spot.at, f);
	if (spot.at > 0 && old[spot.at - 1] != '\n')
		putc('\n', f);
	if (spot.header)
		fputs("feeds:\n", f);
	for (size_t i = 0; i < n; i++)
		put_entry(f, &spot, &feeds[i]);
	fwrite(old + spot.at, 1, len - spot.at, f);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (write_checked(path, buf, blen, sb.st_mode & 07777, tmp, sizeof(tmp),
	    err, errlen) == -1)
		goto out;
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(old);
	free(buf);
	return rc;
}
