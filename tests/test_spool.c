/* test_spool.c - the spool: atomic puts, tmp/ cleanup, item names */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../store/spool.h"
#include "tmpdir.h"

static char err[512];

static int
setup(void **ctx)
{
	umask(022);
	return tmpdir_setup(ctx);
}

/* tmpdir/a/b/c from the parts given; valid until the next call. */
static const char *
path(const char *fmt, ...)
{
	static char buf[512];
	char rel[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, rel);
	return buf;
}

static struct spool *
open_ok(const char *dir)
{
	struct spool *sp = NULL;

	if (spool_open(dir, &sp, err, sizeof(err)) == -1)
		fail_msg("spool_open %s: %s", dir, err);
	return sp;
}

static int
count_files(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
assert_file(const char *file, const char *want)
{
	char got[256] = "";
	FILE *fp = fopen(file, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(got, 1, sizeof(got) - 1, fp);
	fclose(fp);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void
write_file(const char *file, const char *text)
{
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
test_put(void **ctx)
{
	struct spool *sp = open_ok(path("put/deep/spool"));
	struct stat sb;

	(void)ctx;
	assert_int_equal(spool_put(sp, "item.json", "{\"a\":1}\n", 8, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_put(sp, "empty", "", 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);
	assert_file(path("put/deep/spool/new/item.json"), "{\"a\":1}\n");
	assert_file(path("put/deep/spool/new/empty"), "");
	assert_int_equal(stat(path("put/deep/spool/new/item.json"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(count_files(path("put/deep/spool/tmp")), 0);
	assert_int_equal(count_files(path("put/deep/spool/new")), 2);
	spool_close(sp);
	spool_close(NULL);
}

static void
test_replace(void **ctx)
{
	struct spool *sp = open_ok(path("replace"));

	(void)ctx;
	assert_int_equal(spool_put(sp, "x", "first, and longer", 17, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(spool_put(sp, "x", "second", 6, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);
	assert_file(path("replace/new/x"), "second");
	assert_int_equal(count_files(path("replace/new")), 1);
	assert_int_equal(count_files(path("replace/tmp")), 0);
	spool_close(sp);
}

static void
test_tmp_cleanup(void **ctx)
{
	struct spool *sp = open_ok(path("clean"));

	(void)ctx;
	assert_int_equal(spool_put(sp, "done", "ok", 2, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);
	spool_close(sp);
	write_file(path("clean/tmp/half-written"), "{\"trunc");
	write_file(path("clean/tmp/another"), "");

	sp = open_ok(path("clean"));
	assert_int_equal(count_files(path("clean/tmp")), 0);
	assert_file(path("clean/new/done"), "ok");
	spool_close(sp);
}

static void
test_open_errors(void **ctx)
{
	struct spool *sp = (struct spool *)1;

	(void)ctx;
	write_file(path("afile"), "x");
	assert_int_equal(spool_open(path("afile"), &sp, err, sizeof(err)), -1);
	assert_null(sp);
	assert_non_null(strstr(err, "Not a directory"));

	assert_int_equal(mkdir(path("badtmp"), 0755), 0);
	write_file(path("badtmp/tmp"), "x");
	assert_int_equal(spool_open(path("badtmp"), &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "badtmp/tmp: Not a directory"));
}

static void
test_invalid_name_refused(void **ctx)
{
	struct spool *sp = open_ok(path("invalid"));

	(void)ctx;
	assert_int_equal(spool_put(sp, "../escape", "x", 1, NULL, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "invalid spool item name '../escape'"));
	assert_int_equal(count_files(path("invalid/tmp")), 0);
	assert_int_equal(count_files(path("invalid/new")), 0);
	assert_int_equal(access(path("escape"), F_OK), -1);
	spool_close(sp);
}

/* A write cut short (here: EFBIG past RLIMIT_FSIZE, which works as root
 * too) leaves no partial file and keeps the older complete one. */
static void
test_write_failure(void **ctx)
{
	struct spool *sp = open_ok(path("efbig"));
	struct rlimit saved, small;
	char *big = malloc(65536);
	void (*oldsig)(int);

	(void)ctx;
	assert_non_null(big);
	memset(big, 'x', 65536);
	assert_int_equal(spool_put(sp, "item", "old", 3, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small = saved;
	small.rlim_cur = 4096;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(spool_put(sp, "item", big, 65536, NULL, err, sizeof(err)),
	    -1);
	assert_int_equal(spool_put(sp, "other", big, 65536, NULL, err, sizeof(err)),
	    -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, oldsig);

	assert_non_null(strstr(err, "cannot write "));
	assert_non_null(strstr(err, "efbig/tmp/other: File too large"));
	assert_int_equal(count_files(path("efbig/tmp")), 0);
	assert_int_equal(count_files(path("efbig/new")), 1);
	assert_file(path("efbig/new/item"), "old");
	free(big);
	spool_close(sp);
}

/* A rename that fails (new/NAME is a directory) fails the sync, counts
 * as a failure and cleans tmp/ of the items it did not move. */
static void
test_rename_failure(void **ctx)
{
	struct spool *sp = open_ok(path("rename"));

	(void)ctx;
	assert_int_equal(mkdir(path("rename/new/item"), 0755), 0);
	write_file(path("rename/new/item/keep"), "k");
	assert_int_equal(spool_put(sp, "a", "first", 5, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_put(sp, "item", "data", 4, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_put(sp, "z", "last", 4, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_failures(sp), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), -1);
	assert_int_equal(spool_failures(sp), 1);
	assert_non_null(strstr(err, "cannot rename "));
	assert_non_null(strstr(err, "rename/tmp/item to new/item"));
	assert_int_equal(count_files(path("rename/tmp")), 0);
	assert_file(path("rename/new/item/keep"), "k");
	/* The next batch is not held back by the failed one. */
	assert_int_equal(spool_put(sp, "b", "next", 4, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);
	assert_file(path("rename/new/b"), "next");
	assert_int_equal(spool_failures(sp), 1);
	spool_close(sp);
}

/* Items appear in new/ only at spool_sync, all at once; those never synced
 * are gone at close, so a reader never sees an item not durable. */
static void
test_visible_at_sync(void **ctx)
{
	struct spool *sp = open_ok(path("batch"));

	(void)ctx;
	assert_int_equal(spool_put(sp, "one", "1", 1, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_put(sp, "two", "2", 1, NULL, err, sizeof(err)), 0);
	assert_int_equal(count_files(path("batch/new")), 0);
	assert_int_equal(count_files(path("batch/tmp")), 2);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);
	assert_int_equal(count_files(path("batch/new")), 2);
	assert_int_equal(count_files(path("batch/tmp")), 0);
	assert_int_equal(spool_sync(sp, err, sizeof(err)), 0);
	assert_int_equal(spool_put(sp, "three", "3", 1, NULL, err, sizeof(err)), 0);
	spool_close(sp);
	assert_int_equal(count_files(path("batch/new")), 2);
	assert_int_equal(count_files(path("batch/tmp")), 0);
}

static void
test_name_valid(void **ctx)
{
	char longest[202];

	(void)ctx;
	assert_true(spool_name_valid("a"));
	assert_true(spool_name_valid("20231114T221320.123456Z_lwn.net_0123456789abcdef.json"));
	assert_true(spool_name_valid("A-b_c.9"));
	assert_true(spool_name_valid("-dash"));
	assert_false(spool_name_valid(NULL));
	assert_false(spool_name_valid(""));
	assert_false(spool_name_valid("."));
	assert_false(spool_name_valid(".."));
	assert_false(spool_name_valid(".hidden"));
	assert_false(spool_name_valid("a/b"));
	assert_false(spool_name_valid("a b"));
	assert_false(spool_name_valid("caf\xc3\xa9"));
	assert_false(spool_name_valid("tab\t"));
	memset(longest, 'n', sizeof(longest));
	longest[200] = '\0';
	assert_true(spool_name_valid(longest));
	longest[200] = 'n';
	longest[201] = '\0';
	assert_false(spool_name_valid(longest));
}

static void
test_item_name_format(void **ctx)
{
	char buf[128];

	(void)ctx;
	/* Pinned: a changed hash would rename every re-emitted item. */
	assert_string_equal(spool_item_name(buf, sizeof(buf),
	    INT64_C(1700000000123456), "feed", "entry-1"),
	    "20231114T221320.123456Z_feed_4331855d74b133e7.json");
	assert_string_equal(spool_item_name(buf, sizeof(buf), 7, "f", "e"),
	    "19700101T000000.000007Z_f_dd299f18ff3f433a.json");
	/* Before the epoch: clamped, keeps the fixed width. */
	assert_non_null(spool_item_name(buf, sizeof(buf), -5, "f", "e"));
	assert_int_equal(strncmp(buf, "19700101T000000.000000Z_f_", 26), 0);
	assert_non_null(spool_item_name(buf, sizeof(buf), INT64_MAX, "f", "e"));
	assert_int_equal(strncmp(buf, "99991231T235959.999999Z_f_", 26), 0);

	/* Too small a buffer: NULL, never a cut name. */
	assert_null(spool_item_name(buf, 20, 0, "f", "e"));
	assert_null(spool_item_name(buf, strlen(
	    "19700101T000000.000000Z_f_dd299f18ff3f433a.json"), 7, "f", "e"));
}

static void
test_item_name_feed_part(void **ctx)
{
	static const struct {
		const char *feed, *part;
	} cases[] = {
		{ "lwn.net", "lwn.net" },
		{ "Le Monde: Actu!", "Le-Monde-Actu" },
		{ "S\xc3\xbc" "ddeutsche Zeitung", "S-ddeutsche-Zeitung" },
		{ "a__b--c", "a-b-c" },
		{ "  padded  ", "padded" },
		{ "", "feed" },
		{ "!!!", "feed" },
		{ "a/../b", "a-..-b" },
	};
	char buf[128], want[128], longname[300];
	const char *part;

	(void)ctx;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(spool_item_name(buf, sizeof(buf), 0,
		    cases[i].feed, "id"));
		assert_true(spool_name_valid(buf));
		snprintf(want, sizeof(want), "_%s_", cases[i].part);
		part = buf + strlen("19700101T000000.000000Z");
		assert_int_equal(strncmp(part, want, strlen(want)), 0);
		assert_int_equal(strlen(part), strlen(want) + 16 + 5);
	}

	/* The longest feed part and a huge entry id fit 128 bytes. */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_non_null(spool_item_name(buf, sizeof(buf), INT64_C(1) << 62,
	    longname, longname));
	assert_true(spool_name_valid(buf));
	assert_int_equal(strlen(buf), 23 + 1 + 64 + 1 + 16 + 5);
}

static void
test_item_name_identity(void **ctx)
{
	char a[128], b[128];

	(void)ctx;
	spool_item_name(a, sizeof(a), 1, "feed", "id");
	spool_item_name(b, sizeof(b), 1, "feed", "id");
	assert_string_equal(a, b);
	spool_item_name(b, sizeof(b), 1, "feed", "id2");
	assert_string_not_equal(a, b);
	/* Same sanitised feed part, different feeds: different hashes. */
	spool_item_name(a, sizeof(a), 1, "a b", "id");
	spool_item_name(b, sizeof(b), 1, "a!b", "id");
	assert_string_not_equal(a, b);
	/* The feed/entry boundary is part of the hash. */
	spool_item_name(a, sizeof(a), 1, "ab", "c");
	spool_item_name(b, sizeof(b), 1, "a", "bc");
	assert_string_not_equal(strrchr(a, '_'), strrchr(b, '_'));
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(x, y);
}

/* ls order is discovery order, whatever the feed. */
static void
test_item_name_order(void **ctx)
{
	static const int64_t times[] = {
		0, 1, 999999, 1000000, 1000001, 59999999, 60000000,
		INT64_C(978307199999999), INT64_C(978307200000000),
		INT64_C(1700000000000000), INT64_C(1700000000000001),
		INT64_C(4102444800000000),
	};
	enum { N = sizeof(times) / sizeof(times[0]) };
	static const char *feeds[] = { "zzz", "aaa", "M", "0" };
	char names[N][128];

	(void)ctx;
	for (size_t i = 0; i < N; i++)
		assert_non_null(spool_item_name(names[N - 1 - i], 128, times[i],
		    feeds[i % 4], "same"));
	qsort(names, N, sizeof(names[0]), by_name);
	for (size_t i = 0; i < N; i++) {
		char want[128];

		spool_item_name(want, sizeof(want), times[i], feeds[i % 4],
		    "same");
		assert_string_equal(names[i], want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_tmp_cleanup),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_invalid_name_refused),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_rename_failure),
		cmocka_unit_test(test_visible_at_sync),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_item_name_format),
		cmocka_unit_test(test_item_name_feed_part),
		cmocka_unit_test(test_item_name_identity),
		cmocka_unit_test(test_item_name_order),
	};

	return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
