/* log.c - see log.h */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"

static int log_level = LOG_INFO;
static int log_journal;
/* log_status's line ("" none), and the lock that keeps it under the log
 * lines the loop and the workers write. */
static char status_line[512];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* JOURNAL_STREAM is "DEV:INO" of the stream systemd connected; it only
 * counts when that is still our stderr (a child may inherit the variable
 * with stderr redirected elsewhere). */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int level)
{
	log_level = level;
	log_journal = stderr_is_journal();
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_level_parse(const char *name)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
		{ "warning", LOG_WARNING }, { "error", LOG_ERR },
	};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(name, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

static void
log_vemit(int pri, const char *errstr, const char *fmt, va_list ap)
{
	static const char *names[] = { "emerg", "alert", "crit", "error",
	    "warning", "notice", "info", "debug" };
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pthread_mutex_lock(&log_lock);
	if (status_line[0])
		fputs("\r\033[K", stderr);
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s%s\n", pri, msg,
		    errstr ? ": " : "", errstr ? errstr : "");
	} else {
		char when[32];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s %s: %s%s%s\n", when, names[pri & 7], msg,
		    errstr ? ": " : "", errstr ? errstr : "");
	}
	fputs(status_line, stderr);
	pthread_mutex_unlock(&log_lock);
}

void
log_status(const char *line)
{
	pthread_mutex_lock(&log_lock);
	if (line) {
		snprintf(status_line, sizeof(status_line), "%s", line);
		fprintf(stderr, "\r%s\033[K", status_line);
	} else if (status_line[0]) {
		fputc('\n', stderr);
		status_line[0] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
}

#define LOG_BODY(pri, errstr) do {		\
	va_list ap;				\
	if ((pri) > log_level)			\
		return;				\
	va_start(ap, fmt);			\
	log_vemit((pri), (errstr), fmt, ap);	\
	va_end(ap);				\
} while (0)

void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_WARNING, NULL); }
void log_errorx(const char *fmt, ...) { LOG_BODY(LOG_ERR, NULL); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_INFO, NULL); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_DEBUG, NULL); }

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_assert_failed(const char *expr, const char *file, int line,
    const char *func)
{
	log_errorx("assertion failed: %s (%s:%d, %s)", expr, file, line, func);
	abort();
}
