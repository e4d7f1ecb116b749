/*
 * clock.h - the wall clock of the scheduler and the poller.
 *
 * Promises: UTC time, shifted by NEWSWATCH_TEST_CLOCK_OFFSET seconds when
 * that variable is set (read once), so that tests can live hours ahead
 * without sleeping.  Everything that decides or records when a feed is
 * polled reads this clock; libev timers run on real time, which is fine:
 * only differences between two readings of this clock reach them.
 */
#ifndef NW_CLOCK_H
#define NW_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch. */
int64_t clock_now(void);

/* Microseconds since the epoch. */
int64_t clock_now_us(void);

/* secs as its two largest units, "1h30m", "7m48s", "45s"; "-" when not
 * positive.  Returns buf, or that constant "-". */
const char *clock_duration(int64_t secs, char *buf, size_t len);

#endif
