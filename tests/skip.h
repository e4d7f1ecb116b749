/*
 * skip.h - SKIP_BECAUSE(why): cmocka's skip() with the reason said first,
 * so a test run never counts a skip without telling why.
 */
#ifndef NW_TEST_SKIP_H
#define NW_TEST_SKIP_H

#define SKIP_BECAUSE(why) do {					\
	print_message("skipped: %s: %s\n", __func__, (why));	\
	skip();							\
} while (0)

#endif
