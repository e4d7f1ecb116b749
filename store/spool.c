/* spool.c - see spool.h */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

#define NAME_MAX_LEN 200
#define FEED_PART_MAX 64

/* The last microsecond a 4-digit year can hold: names keep a fixed-width
 * time prefix, so they sort by discovery time. */
#define ITEM_US_MAX INT64_C(253402300799999999)

struct names {
	char **v;
	size_t n, cap;
};

struct spool {
	char *dir;
	int tmpfd;   /* dir/tmp, where items are written */
	int newfd;   /* dir/new, where complete items appear */
	int fault_errno;   /* NEWSWATCH_FAULT_SPOOL: the error to inject */
	/* spool_put runs on worker threads: the lock guards what follows. */
	pthread_mutex_t lock;
	long fault_left;   /* how many more spool_put calls fail with it */
	struct names pending;     /* written to tmp/ since the last spool_sync */
	unsigned long failures;   /* spool_sync calls that failed */
};

/*
 * NEWSWATCH_FAULT_SPOOL=ENOSPC:N (or EROFS, EIO, EDQUOT) makes the next N
 * spool_put calls fail as a full, read-only or broken disk would, after
 * the file in tmp/ is created: the tests' way to prove that no entry is
 * marked seen without its item, where a real full file system cannot be
 * had (root ignores file modes; tmpfs mounts need privileges).
 */
static void
fault_init(struct spool *spool)
{
	static const struct { const char *name; int err; } errs[] = {
		{ "ENOSPC", ENOSPC }, { "EROFS", EROFS }, { "EIO", EIO },
		{ "EDQUOT", EDQUOT },
	};
	const char *v = getenv("NEWSWATCH_FAULT_SPOOL");
	const char *colon;

	if (v == NULL || (colon = strchr(v, ':')) == NULL)
		return;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (strncmp(v, errs[i].name, (size_t)(colon - v)) == 0 &&
		    errs[i].name[colon - v] == '\0') {
			spool->fault_errno = errs[i].err;
			spool->fault_left = strtol(colon + 1, NULL, 10);
		}
}

int
spool_mkdirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat sb;
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path)) {
		snprintf(err, errlen, "cannot create directory '%s': %s", dir,
		    strerror(len == 0 ? ENOENT : ENAMETOOLONG));
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (char *p = path + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		/* EROFS or EACCES can hide an existing directory: only a
		 * missing one is an error. */
		if (mkdir(path, 0755) == -1 && errno != EEXIST &&
		    (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
			snprintf(err, errlen, "cannot create directory %s: %s",
			    path, strerror(errno));
			return -1;
		}
		*p = c;
		if (c == '\0')
			return 0;
	}
}

static int
open_subdir(int dirfd, const char *dir, const char *sub, char *err,
    size_t errlen)
{
	int fd;

	if (mkdirat(dirfd, sub, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s/%s: %s",
		    dir, sub, strerror(errno));
		return -1;
	}
	if ((fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		snprintf(err, errlen, "cannot open %s/%s: %s", dir, sub,
		    strerror(errno));
	return fd;
}

/* Anything in tmp/ at open was cut short by a crash; its item is written
 * again when the entry is re-emitted. */
static int
clean_tmp(struct spool *spool, char *err, size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = dup(spool->tmpfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		snprintf(err, errlen, "cannot read %s/tmp: %s", spool->dir,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Not ours to remove: a directory someone put there. */
		if (unlinkat(spool->tmpfd, de->d_name, 0) == -1 &&
		    errno != EISDIR && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s/tmp/%s: %s",
			    spool->dir, de->d_name, strerror(errno));
			closedir(d);
			return -1;
		}
		errno = 0;
	}
	if (errno != 0) {
		snprintf(err, errlen, "cannot read %s/tmp: %s", spool->dir,
		    strerror(errno));
		closedir(d);
		return -1;
	}
	closedir(d);
	return 0;
}

static int
names_add(struct names *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = reallocarray(l->v, cap, sizeof(*p));

		if (p == NULL)
			return -1;
		l->v = p;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(name)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* Forget the names of l; those from index renamed on are removed from
 * tmp/: their items will not be delivered. */
static void
names_drop(struct spool *spool, struct names *l, size_t renamed)
{
	for (size_t i = 0; i < l->n; i++) {
		if (i >= renamed)
			unlinkat(spool->tmpfd, l->v[i], 0);
		free(l->v[i]);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
spool_open(const char *dir, struct spool **out, char *err, size_t errlen)
{
	struct spool *spool;
	int dirfd = -1;

	*out = NULL;
	if ((spool = calloc(1, sizeof(*spool))) == NULL ||
	    (spool->dir = strdup(dir)) == NULL) {
		snprintf(err, errlen, "spool %s: %s", dir, strerror(ENOMEM));
		free(spool);
		return -1;
	}
	spool->tmpfd = spool->newfd = -1;
	pthread_mutex_init(&spool->lock, NULL);
	if (spool_mkdirs(dir, err, errlen) == -1)
		goto fail;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if ((spool->tmpfd = open_subdir(dirfd, dir, "tmp", err, errlen)) == -1 ||
	    (spool->newfd = open_subdir(dirfd, dir, "new", err, errlen)) == -1 ||
	    clean_tmp(spool, err, errlen) == -1)
		goto fail;
	/* Items synced into a new/ whose own entry was lost would be lost
	 * with it. */
	if (fsync(dirfd) == -1) {
		snprintf(err, errlen, "cannot sync %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	close(dirfd);
	fault_init(spool);
	*out = spool;
	return 0;

fail:
	if (dirfd != -1)
		close(dirfd);
	spool_close(spool);
	return -1;
}

void
spool_close(struct spool *spool)
{
	if (spool == NULL)
		return;
	names_drop(spool, &spool->pending, 0);
	pthread_mutex_destroy(&spool->lock);
	if (spool->tmpfd != -1)
		close(spool->tmpfd);
	if (spool->newfd != -1)
		close(spool->newfd);
	free(spool->dir);
	free(spool);
}

/* The fault to inject into this put, if any (NEWSWATCH_FAULT_SPOOL). */
static int
fault_take(struct spool *spool)
{
	int e = 0;

	if (spool->fault_errno == 0)
		return 0;
	pthread_mutex_lock(&spool->lock);
	if (spool->fault_left > 0) {
		spool->fault_left--;
		e = spool->fault_errno;
	}
	pthread_mutex_unlock(&spool->lock);
	return e;
}

int
spool_put(struct spool *spool, const char *name, const void *buf,
    size_t len, unsigned long *gen, char *err, size_t errlen)
{
	const char *p = buf;
	const char *what = "write";
	int fd, added;

	if (!spool_name_valid(name)) {
		snprintf(err, errlen, "invalid spool item name '%s'", name);
		return -1;
	}
	fd = openat(spool->tmpfd, name,
	    O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	if (fd == -1) {
		what = "create";
		goto fail;
	}
	if ((errno = fault_take(spool)) != 0)
		goto fail;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* A regular file never writes 0 bytes of a non-empty
			 * buffer unless it is out of room. */
			if (n == 0)
				errno = ENOSPC;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	/* close is where NFS reports a failed write-back. */
	if (close(fd) == -1) {
		fd = -1;
		what = "close";
		goto fail;
	}
	fd = -1;
	pthread_mutex_lock(&spool->lock);
	added = names_add(&spool->pending, name);
	if (gen != NULL)
		*gen = spool->failures;
	pthread_mutex_unlock(&spool->lock);
	if (added == -1)
		goto fail;
	return 0;

fail:
	snprintf(err, errlen, "cannot %s %s/tmp/%s: %s", what, spool->dir,
	    name, strerror(errno));
	if (fd != -1)
		close(fd);
	unlinkat(spool->tmpfd, name, 0);
	return -1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One syncfs makes the data of every pending item durable at once: a
 * fdatasync per item costs a device cache flush each, milliseconds, and a
 * poll cycle brings thousands of new items.  Only then are the items
 * renamed into new/, so new/ never holds a file a crash could tear, and one
 * fsync of new/ makes the renames durable.
 */
int
spool_sync(struct spool *spool, char *err, size_t errlen)
{
	struct names batch;
	const char *prev = NULL;
	size_t i = 0;

	/* Items put from here on wait for the next sync: each was closed
	 * before its name was added, so the syncfs below covers the batch. */
	pthread_mutex_lock(&spool->lock);
	batch = spool->pending;
	memset(&spool->pending, 0, sizeof(spool->pending));
	pthread_mutex_unlock(&spool->lock);
	/* The last spool_sync made everything before it durable: a cycle of
	 * 304s syncs nothing. */
	if (batch.n == 0)
		return 0;
	if (syncfs(spool->tmpfd) == -1) {
		snprintf(err, errlen, "cannot sync %s/tmp: %s", spool->dir,
		    strerror(errno));
		goto fail;
	}
	/* A name put twice is one file, the newer. */
	qsort(batch.v, batch.n, sizeof(*batch.v), by_name);
	for (; i < batch.n; i++) {
		const char *name = batch.v[i];

		if (prev && strcmp(prev, name) == 0)
			continue;
		if (renameat(spool->tmpfd, name, spool->newfd, name) == -1) {
			snprintf(err, errlen, "cannot rename %s/tmp/%s to "
			    "new/%s: %s", spool->dir, name, name,
			    strerror(errno));
			goto fail;
		}
		prev = name;
	}
	names_drop(spool, &batch, batch.n);
	if (fsync(spool->newfd) == -1) {
		snprintf(err, errlen, "cannot sync %s/new: %s", spool->dir,
		    strerror(errno));
		goto failed;
	}
	return 0;

fail:
	names_drop(spool, &batch, i);
failed:
	pthread_mutex_lock(&spool->lock);
	spool->failures++;
	pthread_mutex_unlock(&spool->lock);
	return -1;
}

unsigned long
spool_failures(struct spool *spool)
{
	unsigned long n;

	pthread_mutex_lock(&spool->lock);
	n = spool->failures;
	pthread_mutex_unlock(&spool->lock);
	return n;
}

int
spool_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '.')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == NAME_MAX_LEN)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return i > 0;
}

/* 64-bit FNV-1a: stable across builds and hosts, so a re-emitted item
 * gets the name it had before. */
static uint64_t
fnv1a(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* feed_name reduced to [A-Za-z0-9.-]: every run of other bytes (a UTF-8
 * letter is several) becomes one '-', no '-' at either end. */
static void
feed_part(char out[FEED_PART_MAX + 1], const char *name)
{
	size_t n = 0;

	for (const char *p = name; *p != '\0' && n < FEED_PART_MAX; p++) {
		unsigned char c = (unsigned char)*p;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-';

		if (!keep)
			c = '-';
		if (c == '-' && (n == 0 || out[n - 1] == '-'))
			continue;
		out[n++] = (char)c;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	if (n == 0) {
		memcpy(out, "feed", sizeof("feed"));
		return;
	}
	out[n] = '\0';
}

char *
spool_item_name(char *buf, size_t buflen, int64_t discovered_us,
    const char *feed_name, const char *entry_id)
{
	char feed[FEED_PART_MAX + 1];
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	int64_t us = discovered_us;
	time_t secs;
	struct tm tm;
	int n;

	if (us < 0)
		us = 0;
	else if (us > ITEM_US_MAX)
		us = ITEM_US_MAX;
	secs = (time_t)(us / 1000000);
	if (gmtime_r(&secs, &tm) == NULL)
		return NULL;
	feed_part(feed, feed_name);
	h = fnv1a(h, feed_name, strlen(feed_name) + 1);  /* with its NUL */
	h = fnv1a(h, entry_id, strlen(entry_id));
	n = snprintf(buf, buflen,
	    "%04d%02d%02dT%02d%02d%02d.%06dZ_%s_%016" PRIx64 ".json",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(us % 1000000), feed, h);
	if (n < 0 || (size_t)n >= buflen)
		return NULL;
	return buf;
}

/* "YYYYMMDDTHHMMSS.uuuuuuZ", the discovery time an item's name starts
 * with (in cur/ a reader may have added a suffix). */
#define STAMP_LEN 23

static int
stamped(const char *name)
{
	for (int i = 0; i < STAMP_LEN; i++) {
		int want = i == 8 ? 'T' : i == 15 ? '.' : i == 22 ? 'Z' : 0;

		if (want ? name[i] != want : name[i] < '0' || name[i] > '9')
			return 0;
	}
	return 1;
}

int
spool_prune(const char *dir, int64_t before_us, size_t *removed, char *err,
    size_t errlen)
{
	static const char *const subdirs[] = { "new", "cur" };
	char cutoff[128], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*removed = 0;
	if (spool_item_name(cutoff, sizeof(cutoff), before_us, "", "") == NULL) {
		snprintf(err, errlen, "spool %s: bad cutoff time", dir);
		return -1;
	}
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subdirs[i]);
		if ((d = opendir(path)) == NULL) {
			if (errno == ENOENT)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			return -1;
		}
		while ((de = readdir(d)) != NULL) {
			if (!stamped(de->d_name) ||
			    strncmp(de->d_name, cutoff, STAMP_LEN) >= 0)
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				(*removed)++;
			/* ENOENT: a consumer took it meanwhile, fine. */
			else if (errno != ENOENT) {
				snprintf(err, errlen, "cannot remove %s/%s: %s",
				    path, de->d_name, strerror(errno));
				closedir(d);
				return -1;
			}
		}
		closedir(d);
	}
	return 0;
}
