/*
 * test_assert.c - NW_ASSERT (daemon/log.h): with NW_DEBUG (the sanitizer
 * build) a false invariant logs the expression and aborts; without it,
 * the expression is not even evaluated.  make test builds this file both
 * ways, so each half runs in one of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../daemon/log.h"

static int evaluated;

static int
count_true(void)
{
	evaluated++;
	return 1;
}

static void
test_true_invariant_passes(void **ctx)
{
	(void)ctx;
	evaluated = 0;
	NW_ASSERT(count_true());
#ifdef NW_DEBUG
	assert_int_equal(evaluated, 1);
#else
	/* Compiled out: a costly check costs nothing in the release build. */
	assert_int_equal(evaluated, 0);
#endif
}

/* Run NW_ASSERT(1 == 2) in a child; its status and what it wrote to
 * stderr come back. */
static int
false_in_child(char *out, size_t outlen)
{
	int fds[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		log_init(LOG_INFO);
		NW_ASSERT(1 == 2);
		_exit(0);
	}
	close(fds[1]);
	while (got + 1 < outlen &&
	    (n = read(fds[0], out + got, outlen - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_false_invariant(void **ctx)
{
	char out[512];
	int status = false_in_child(out, sizeof(out));

	(void)ctx;
#ifdef NW_DEBUG
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(out,
	    "assertion failed: 1 == 2 (tests/test_assert.c:"));
#else
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "");
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_true_invariant_passes),
		cmocka_unit_test(test_false_invariant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
