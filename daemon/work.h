/*
 * work.h - CPU work off the event loop: a fixed set of threads runs tasks,
 * and each task's result comes back to the loop, in the loop's thread.
 *
 * Promises: a task's run function runs once, on a worker thread, and may
 * only read what the loop leaves alone until the task is done; its done
 * function is then called exactly once on the loop thread, from the loop.
 * Tasks have an owner: work_cancel(owner) returns only once none of the
 * owner's tasks is running, after calling done with cancelled set for
 * each of them that had not been called yet.  The pool never allocates
 * per task (the task is the caller's), so submitting cannot fail.  Worker
 * threads block every signal: signals reach the loop's thread.
 */
#ifndef NW_WORK_H
#define NW_WORK_H

#include <stddef.h>

struct ev_loop;
struct work;
struct work_task;

typedef void work_run_fn(struct work_task *task);

/* cancelled 1: from work_cancel or work_free, where done must only free
 * what belongs to the task, as its owner may be going away. */
typedef void work_done_fn(struct work_task *task, int cancelled);

struct work_task {
	work_run_fn *run;
	work_done_fn *done;
	const void *owner;
	struct work_task *next;   /* the pool's */
};

/* A pool of threads (1..WORK_MAX_THREADS) for loop.  Returns NULL with
 * the reason in err. */
#define WORK_MAX_THREADS 64
struct work *work_new(struct ev_loop *loop, int threads, char *err,
    size_t errlen);

/* Cancel every task (as work_cancel does), stop the threads, free; NULL
 * is a no-op. */
void work_free(struct work *w);

/* Queue task, whose run, done and owner are set. */
void work_submit(struct work *w, struct work_task *task);

/* Take back every task of owner: queued ones are dropped, running ones
 * waited for (tasks are short), and done(task, 1) is called for each task
 * whose done was not called yet. */
void work_cancel(struct work *w, const void *owner);

/* Wait for every task of owner to run, and call their done functions
 * (cancelled 0) now, from here: for a caller that cannot return to the
 * loop, as before exiting. */
void work_finish(struct work *w, const void *owner);

/* How many threads suit this machine: its online processors, at least 1. */
int work_default_threads(void);

#endif
