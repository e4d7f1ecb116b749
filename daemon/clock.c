/* clock.c - see clock.h */
#include <stdlib.h>
#include <time.h>

#include "clock.h"

static int64_t
offset_us(void)
{
	static int known;
	static int64_t offset;

	if (!known) {
		const char *s = getenv("NEWSWATCH_TEST_CLOCK_OFFSET");

		offset = s ? (int64_t)(strtod(s, NULL) * 1e6) : 0;
		known = 1;
	}
	return offset;
}

int64_t
clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + offset_us();
}

int64_t
clock_now(void)
{
	return clock_now_us() / 1000000;
}
