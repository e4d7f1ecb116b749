/* work.c - see work.h */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "work.h"

struct task_list {
	struct work_task *head, *tail;
};

struct worker {
	struct work *w;
	pthread_t thread;
	struct work_task *current;   /* running, under w->lock */
};

struct work {
	struct ev_loop *loop;
	ev_async finished_ready;
	pthread_mutex_t lock;
	pthread_cond_t wake;         /* a task was queued, or stop */
	pthread_cond_t idle;         /* a worker finished its task */
	struct task_list todo;
	struct task_list finished;   /* run, done not called yet */
	int stop;
	int nthreads;
	struct worker *workers;
};

static void
list_push(struct task_list *l, struct work_task *t)
{
	t->next = NULL;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static struct work_task *
list_pop(struct task_list *l)
{
	struct work_task *t = l->head;

	if (t && (l->head = t->next) == NULL)
		l->tail = NULL;
	return t;
}

/* Move the tasks of owner (every task when owner is NULL) from l to out. */
static void
list_take(struct task_list *l, const void *owner, struct task_list *out)
{
	struct task_list keep = { 0 };
	struct work_task *t;

	while ((t = list_pop(l)) != NULL)
		list_push(owner == NULL || t->owner == owner ? out : &keep, t);
	*l = keep;
}

static void *
worker_main(void *arg)
{
	struct worker *self = arg;
	struct work *w = self->w;
	struct work_task *t;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && w->todo.head == NULL)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stop)
			break;
		t = list_pop(&w->todo);
		self->current = t;
		pthread_mutex_unlock(&w->lock);
		t->run(t);
		pthread_mutex_lock(&w->lock);
		self->current = NULL;
		list_push(&w->finished, t);
		pthread_cond_broadcast(&w->idle);
		ev_async_send(w->loop, &w->finished_ready);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* One done call at a time, the lock dropped around it: a done function
 * may submit or cancel. */
static void
on_finished(struct ev_loop *loop, ev_async *a, int revents)
{
	struct work *w = a->data;
	struct work_task *t;

	(void)loop;
	(void)revents;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		t = list_pop(&w->finished);
		pthread_mutex_unlock(&w->lock);
		if (t == NULL)
			return;
		t->done(t, 0);
	}
}

static int
running(const struct work *w, const void *owner)
{
	for (int i = 0; i < w->nthreads; i++)
		if (w->workers[i].current &&
		    (owner == NULL || w->workers[i].current->owner == owner))
			return 1;
	return 0;
}

static int
queued(const struct work *w, const void *owner)
{
	for (const struct work_task *t = w->todo.head; t; t = t->next)
		if (t->owner == owner)
			return 1;
	return 0;
}

/* Settle the tasks of owner (every task when owner is NULL): cancel 1
 * drops those queued, 0 lets them run; either way wait for the running
 * ones, then call done(task, cancel) for each not called yet. */
static void
settle(struct work *w, const void *owner, int cancel)
{
	struct task_list out = { 0 };
	struct work_task *t;

	pthread_mutex_lock(&w->lock);
	if (cancel)
		list_take(&w->todo, owner, &out);
	while ((!cancel && queued(w, owner)) || running(w, owner))
		pthread_cond_wait(&w->idle, &w->lock);
	list_take(&w->finished, owner, &out);
	pthread_mutex_unlock(&w->lock);
	while ((t = list_pop(&out)) != NULL)
		t->done(t, cancel);
}

void
work_cancel(struct work *w, const void *owner)
{
	settle(w, owner, 1);
}

void
work_finish(struct work *w, const void *owner)
{
	settle(w, owner, 0);
}

void
work_submit(struct work *w, struct work_task *task)
{
	pthread_mutex_lock(&w->lock);
	list_push(&w->todo, task);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

int
work_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WORK_MAX_THREADS ? WORK_MAX_THREADS : (int)n;
}

static void
stop_threads(struct work *w, int n)
{
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < n; i++)
		pthread_join(w->workers[i].thread, NULL);
}

struct work *
work_new(struct ev_loop *loop, int threads, char *err, size_t errlen)
{
	sigset_t all, old;
	struct work *w;
	int i, rc = 0;

	if (threads < 1 || threads > WORK_MAX_THREADS) {
		snprintf(err, errlen, "workers: %d is not in 1..%d", threads,
		    WORK_MAX_THREADS);
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->workers = calloc((size_t)threads, sizeof(*w->workers))) == NULL) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->loop = loop;
	w->nthreads = threads;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	ev_async_init(&w->finished_ready, on_finished);
	w->finished_ready.data = w;
	ev_async_start(loop, &w->finished_ready);
	/* Threads inherit the mask: signals must find the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < threads && rc == 0; i++) {
		w->workers[i].w = w;
		rc = pthread_create(&w->workers[i].thread, NULL, worker_main,
		    &w->workers[i]);
		/* Told apart from the loop in top -H and perf. */
		if (rc == 0)
			pthread_setname_np(w->workers[i].thread, "newswatch-work");
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start worker threads: %s",
		    strerror(rc));
		w->nthreads = i - 1;
		work_free(w);
		return NULL;
	}
	return w;
}

void
work_free(struct work *w)
{
	if (w == NULL)
		return;
	settle(w, NULL, 1);
	stop_threads(w, w->nthreads);
	ev_async_stop(w->loop, &w->finished_ready);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->workers);
	free(w);
}
