/*
 * log.h - one line per event on stderr.
 *
 * Promises: under systemd (JOURNAL_STREAM names our stderr) each line
 * carries a "<N>" syslog priority prefix and no timestamp, since the
 * journal adds its own; otherwise lines read "TIME LEVEL: message".
 * Messages below the level are not even formatted.  fatalx() is
 * for start-up only: they log and exit(1).
 */
#ifndef NW_LOG_H
#define NW_LOG_H

#include <syslog.h>

#define NW_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Pick the output style from the environment; level is a LOG_* value. */
void log_init(int level);
void log_set_level(int level);

/* "debug", "info", "warning", "error" -> LOG_*; -1 when unknown. */
int log_level_parse(const char *name);

void log_warnx(const char *fmt, ...) NW_PRINTF(1, 2);
void log_errorx(const char *fmt, ...) NW_PRINTF(1, 2);
void log_info(const char *fmt, ...) NW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) NW_PRINTF(1, 2);
/* For a terminal only (the caller checks): line stays below the log
 * lines, redrawn in place with \r; each log line erases it and draws it
 * again under itself.  The caller keeps line shorter than the terminal is
 * wide, or the redraw leaves copies.  NULL ends it: the line last drawn
 * stays, ended by a newline. */
void log_status(const char *line);

void fatalx(const char *fmt, ...) NW_PRINTF(1, 2) __attribute__((noreturn));

/*
 * NW_ASSERT(x): an invariant of our own (a counter that never goes below
 * zero, a job in exactly one stage), as redis has serverAssert and curl
 * DEBUGASSERT.  Checked in the sanitizer build (make sanitize defines
 * NW_DEBUG), where a broken one logs the expression and its place and
 * aborts, so the tests that run there stop at the first wrong step;
 * otherwise x is not evaluated and costs nothing.  Never for what the
 * network, the disk or the config can make false: those are errors.
 */
#ifdef NW_DEBUG
#define NW_ASSERT(x) ((x) ? (void)0 : \
	log_assert_failed(#x, __FILE__, __LINE__, __func__))
#else
#define NW_ASSERT(x) ((void)sizeof(!(x)))
#endif
void log_assert_failed(const char *expr, const char *file, int line,
    const char *func) __attribute__((noreturn));

#endif
