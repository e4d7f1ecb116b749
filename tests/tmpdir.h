/*
 * tmpdir.h - a fresh directory under /tmp for the cmocka tests that work
 * on files: tmpdir_setup and tmpdir_teardown are a group's (or a test's)
 * setup and teardown, and tmpdir names the directory in between.
 *
 * Header only, every function static: each test program is one file.
 */
#ifndef NW_TEST_TMPDIR_H
#define NW_TEST_TMPDIR_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[64];

static int
tmpdir_rm_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
tmpdir_setup(void **ctx)
{
	(void)ctx;
	strcpy(tmpdir, "/tmp/newswatch-test.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Removes the directory and everything below it. */
static int
tmpdir_teardown(void **ctx)
{
	(void)ctx;
	return nftw(tmpdir, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
