/* clock.c - see clock.h */
#include <stdio.h>
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

const char *
clock_duration(int64_t secs, char *buf, size_t len)
{
	static const struct { char unit; int64_t secs; } units[] = {
		{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
	};
	size_t u = 0;

	if (secs <= 0)
		return "-";
	while (secs < units[u].secs)
		u++;
	if (u + 1 < 4 && secs % units[u].secs >= units[u + 1].secs)
		snprintf(buf, len, "%lld%c%lld%c",
		    (long long)(secs / units[u].secs), units[u].unit,
		    (long long)(secs % units[u].secs / units[u + 1].secs),
		    units[u + 1].unit);
	else
		snprintf(buf, len, "%lld%c", (long long)(secs / units[u].secs),
		    units[u].unit);
	return buf;
}
