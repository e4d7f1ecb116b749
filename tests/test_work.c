/* test_work.c - the worker pool: results come back on the loop's thread,
 * once each; cancel and finish keep their word with tasks still running. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "../daemon/work.h"

struct job {
	struct work_task task;   /* first */
	pthread_t loop_thread;
	pthread_t ran_on;
	int ran;
	int done;
	int cancelled;
	int all_signals_blocked;
	atomic_int *gate;        /* run spins until *gate, when not NULL */
	atomic_int *started;     /* set as run begins, when not NULL */
	int *left;               /* done counts down; at 0 the loop stops */
	struct ev_loop *loop;
};

static void
job_run(struct work_task *t)
{
	struct job *j = (struct job *)t;
	sigset_t mask;

	j->ran_on = pthread_self();
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	j->all_signals_blocked = sigismember(&mask, SIGTERM) &&
	    sigismember(&mask, SIGHUP) && sigismember(&mask, SIGINT);
	if (j->started)
		*j->started = 1;
	while (j->gate && !*j->gate)
		usleep(1000);
	j->ran++;
}

static void
job_done(struct work_task *t, int cancelled)
{
	struct job *j = (struct job *)t;

	/* The loop's thread, whether from the loop or from cancel. */
	assert_true(pthread_equal(pthread_self(), j->loop_thread));
	j->done++;
	j->cancelled = cancelled;
	if (j->left && --*j->left == 0)
		ev_break(j->loop, EVBREAK_ALL);
}

static void
job_init(struct job *j, struct ev_loop *loop, const void *owner, int *left)
{
	memset(j, 0, sizeof(*j));
	j->task.run = job_run;
	j->task.done = job_done;
	j->task.owner = owner;
	j->loop_thread = pthread_self();
	j->left = left;
	j->loop = loop;
}

static void
test_tasks_run_off_the_loop_and_come_back_once(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct job jobs[200];
	char err[256];
	struct work *w = work_new(loop, 2, err, sizeof(err));
	int left = 200;

	(void)state;
	assert_non_null(w);
	for (int i = 0; i < 200; i++) {
		job_init(&jobs[i], loop, &jobs[i % 7], &left);
		work_submit(w, &jobs[i].task);
	}
	ev_run(loop, 0);
	assert_int_equal(left, 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(jobs[i].ran, 1);
		assert_int_equal(jobs[i].done, 1);
		assert_int_equal(jobs[i].cancelled, 0);
		assert_false(pthread_equal(jobs[i].ran_on, pthread_self()));
		assert_true(jobs[i].all_signals_blocked);
	}
	work_free(w);
	ev_loop_destroy(loop);
}

/* The gate opener: it waits for the test's thread to go to sleep in the
 * call it is about to make (state 'S' in /proc: blocked, not merely
 * preempted), and only then opens the gate. */
struct opener {
	pid_t tid;              /* the thread that calls */
	atomic_int calling;     /* set just before the call */
	atomic_int gate;
};

static int
thread_sleeps(pid_t tid)
{
	char path[64], buf[512], *end;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", (long)tid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* "TID (COMM) STATE ...": COMM may hold anything, even ')'. */
	return (end = strrchr(buf, ')')) != NULL && end[1] == ' ' &&
	    end[2] == 'S';
}

static void *
open_gate_once_blocked(void *arg)
{
	struct opener *o = arg;

	while (!o->calling || !thread_sleeps(o->tid))
		usleep(1000);
	o->gate = 1;
	return NULL;
}

/* Cancel waits for the owner's running task, drops its queued ones, and
 * leaves other owners' tasks alone. */
static void
test_cancel_waits_for_the_running_task(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];
	struct work *w = work_new(loop, 1, err, sizeof(err));
	struct job slow, queued, other;
	static struct opener o;
	atomic_int started = 0;
	int owner_a, owner_b, left = 1;
	pthread_t opener;

	(void)state;
	assert_non_null(w);
	o.tid = gettid();
	o.calling = 0;
	o.gate = 0;
	job_init(&slow, loop, &owner_a, NULL);
	slow.gate = &o.gate;
	slow.started = &started;
	job_init(&queued, loop, &owner_a, NULL);
	job_init(&other, loop, &owner_b, &left);
	work_submit(w, &slow.task);
	work_submit(w, &queued.task);
	work_submit(w, &other.task);
	while (!started)
		usleep(1000);
	/* The slow task ends only once cancel sleeps: had cancel returned
	 * without waiting, the task would not have run to its end yet. */
	assert_int_equal(pthread_create(&opener, NULL, open_gate_once_blocked,
	    &o), 0);
	o.calling = 1;
	work_cancel(w, &owner_a);
	assert_int_equal(slow.ran, 1);
	pthread_join(opener, NULL);
	assert_int_equal(slow.done, 1);
	assert_int_equal(slow.cancelled, 1);
	assert_int_equal(queued.ran, 0);
	assert_int_equal(queued.done, 1);
	assert_int_equal(queued.cancelled, 1);
	ev_run(loop, 0);
	assert_int_equal(other.ran, 1);
	assert_int_equal(other.done, 1);
	assert_int_equal(other.cancelled, 0);
	work_free(w);
	ev_loop_destroy(loop);
}

/* Finish returns with the owner's tasks run and their done called, no
 * loop needed. */
static void
test_finish_completes_without_the_loop(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];
	struct work *w = work_new(loop, 2, err, sizeof(err));
	struct job jobs[20];
	int owner;

	(void)state;
	assert_non_null(w);
	for (int i = 0; i < 20; i++) {
		job_init(&jobs[i], loop, &owner, NULL);
		work_submit(w, &jobs[i].task);
	}
	work_finish(w, &owner);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(jobs[i].ran, 1);
		assert_int_equal(jobs[i].done, 1);
		assert_int_equal(jobs[i].cancelled, 0);
	}
	work_free(w);
	ev_loop_destroy(loop);
}

/* Free takes back what is still queued: done(cancelled) once each. */
static void
test_free_cancels_what_is_left(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];
	struct work *w = work_new(loop, 1, err, sizeof(err));
	struct job slow, rest[10];
	atomic_int gate = 0, started = 0;
	int owner;

	(void)state;
	assert_non_null(w);
	job_init(&slow, loop, &owner, NULL);
	slow.gate = &gate;
	slow.started = &started;
	work_submit(w, &slow.task);
	for (int i = 0; i < 10; i++) {
		job_init(&rest[i], loop, &owner, NULL);
		work_submit(w, &rest[i].task);
	}
	while (!started)
		usleep(1000);
	gate = 1;
	work_free(w);
	assert_int_equal(slow.done, 1);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(rest[i].done, 1);
		assert_int_equal(rest[i].cancelled, 1);
	}
	ev_loop_destroy(loop);
}

static void
test_thread_counts_are_checked(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];

	(void)state;
	assert_null(work_new(loop, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "workers"));
	assert_null(work_new(loop, WORK_MAX_THREADS + 1, err, sizeof(err)));
	assert_true(work_default_threads() >= 1);
	assert_true(work_default_threads() <= WORK_MAX_THREADS);
	ev_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tasks_run_off_the_loop_and_come_back_once),
		cmocka_unit_test(test_cancel_waits_for_the_running_task),
		cmocka_unit_test(test_finish_completes_without_the_loop),
		cmocka_unit_test(test_free_cancels_what_is_left),
		cmocka_unit_test(test_thread_counts_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
