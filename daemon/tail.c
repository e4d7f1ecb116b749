/* tail.c - see tail.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <jansson.h>

#include "../feeds/text.h"
#include "tail.h"

/* A block shows this many lines of text, each cut to this many bytes. */
#define TEXT_LINES 3
#define LINE_BYTES 160

struct entry {
	char *name;     /* file name, the sort key */
	char *path;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

/* A spool item's name (in cur/ Maildir readers may add ":2,FLAGS"). */
static int
item_file(const char *name)
{
	return name[0] != '.' && strstr(name, ".json") != NULL;
}

static int
list_dir(const char *dir, const char *sub, struct entry **v, size_t *n,
    size_t *cap, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct entry *e;

		/* Not a file (a FIFO, say) takes none of the last n places;
		 * print_item checks again what it opens. */
		if (!item_file(de->d_name) ||
		    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 256;
			struct entry *nv = realloc(*v, ncap * sizeof(*nv));

			if (nv == NULL)
				goto nomem;
			*v = nv;
			*cap = ncap;
		}
		e = &(*v)[*n];
		e->name = strdup(de->d_name);
		if (e->name == NULL || asprintf(&e->path, "%s/%s", path,
		    de->d_name) == -1) {
			free(e->name);
			goto nomem;
		}
		(*n)++;
	}
	closedir(d);
	return 0;
nomem:
	closedir(d);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static const char *
field(json_t *obj, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(obj, a), b));
}

/* Up to TEXT_LINES non-empty lines of text, indented, each cut at a
 * character boundary. */
static void
print_text(const char *text, FILE *out)
{
	int lines = 0;

	while (text && *text && lines < TEXT_LINES) {
		size_t len = strcspn(text, "\n"), show = len;

		if (len > 0 && strspn(text, " \t") < len) {
			if (show > LINE_BYTES) {
				show = LINE_BYTES;
				while (show > 0 && (text[show] & 0xc0) == 0x80)
					show--;
			}
			fprintf(out, "    %.*s%s\n", (int)show, text,
			    show < len ? "..." : "");
			lines++;
		}
		text += len + (text[len] == '\n');
	}
}

static void
print_block(json_t *item, FILE *out)
{
	const char *title = field(item, "entry", "title");
	const char *link = field(item, "entry", "link");
	const char *when = json_string_value(json_object_get(item,
	    "discovered_at"));
	const char *text = field(item, "article", "text");
	const char *html = field(item, "entry", "summary");
	char *plain = NULL;

	if (text == NULL) {
		if (html == NULL)
			html = field(item, "entry", "content");
		if (html != NULL)
			text = plain = text_from_html(html);
	}
	fprintf(out, "%s  %s\n  %s\n", when ? when : "-",
	    field(item, "feed", "name") ? field(item, "feed", "name") : "-",
	    title ? title : "(no title)");
	if (link)
		fprintf(out, "  %s\n", link);
	print_text(text, out);
	putc('\n', out);
	free(plain);
}

/*
 * new/ is group-writable, so anything may sit there: a FIFO would block
 * the read (and tail) forever, a symlink would lead elsewhere.  Only a
 * regular file is read; O_NONBLOCK makes the open itself safe, fstat the
 * check free of races.
 */
static json_t *
load_item(const char *path, json_error_t *jerr)
{
	struct stat sb;
	json_t *item;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(jerr->text, sizeof(jerr->text), "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(jerr->text, sizeof(jerr->text), "not a regular file");
		close(fd);
		return NULL;
	}
	item = json_loadfd(fd, JSON_REJECT_DUPLICATES, jerr);
	close(fd);
	return item;
}

static void
print_item(const char *path, int flags, FILE *out)
{
	json_error_t jerr;
	json_t *item = load_item(path, &jerr);

	if (item == NULL || !json_is_object(item)) {
		fprintf(stderr, "newswatch: %s: not a spool item: %s\n", path,
		    item ? "not an object" : jerr.text);
		json_decref(item);
		return;
	}
	if (flags & TAIL_JSON) {
		json_dumpf(item, out, JSON_PRESERVE_ORDER | JSON_COMPACT);
		putc('\n', out);
	} else
		print_block(item, out);
	json_decref(item);
	fflush(out);
}

/* Each item renamed into new/ from now on, except those already shown
 * (shown[0..nshown), sorted). */
static int
follow(const char *dir, int fd, const struct entry *shown, size_t nshown,
    int flags, FILE *out, char *err, size_t errlen)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];

	for (;;) {
		ssize_t len = read(fd, buf, sizeof(buf));

		if (len <= 0) {
			if (len == -1 && errno == EINTR)
				continue;
			snprintf(err, errlen, "inotify: %s",
			    len ? strerror(errno) : "end of file");
			return -1;
		}
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;
			struct entry key = { .name = (char *)ev->name };

			p += sizeof(*ev) + ev->len;
			if (ev->len == 0 || !item_file(ev->name) ||
			    (nshown && bsearch(&key, shown, nshown,
			    sizeof(*shown), by_name)))
				continue;
			snprintf(path, sizeof(path), "%s/new/%s", dir, ev->name);
			print_item(path, flags, out);
		}
	}
}

int
tail_spool(const char *dir, long n, int flags, FILE *out, char *err,
    size_t errlen)
{
	struct entry *v = NULL;
	size_t nv = 0, cap = 0, first;
	char path[PATH_MAX];
	int fd = -1, rc = -1;

	/* Watch before listing, so an item landing in between is not lost;
	 * the listing is then kept to skip what it already showed. */
	if (flags & TAIL_FOLLOW) {
		snprintf(path, sizeof(path), "%s/new", dir);
		if ((fd = inotify_init1(IN_CLOEXEC)) == -1 ||
		    inotify_add_watch(fd, path, IN_MOVED_TO) == -1) {
			snprintf(err, errlen, "cannot watch %s: %s", path,
			    strerror(errno));
			goto out;
		}
	}
	if (list_dir(dir, "new", &v, &nv, &cap, err, errlen) == -1 ||
	    list_dir(dir, "cur", &v, &nv, &cap, err, errlen) == -1)
		goto out;
	if (nv > 0)
		qsort(v, nv, sizeof(*v), by_name);
	first = (size_t)n < nv ? nv - (size_t)n : 0;
	for (size_t i = first; i < nv; i++)
		print_item(v[i].path, flags, out);
	fflush(out);
	rc = fd == -1 ? 0 : follow(dir, fd, v, nv, flags, out, err, errlen);
out:
	if (fd != -1)
		close(fd);
	for (size_t i = 0; i < nv; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
	return rc;
}
