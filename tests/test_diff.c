/* test_diff.c - the diff engine against a real SQLite state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../daemon/diff.h"

struct fixture {
	char dir[64];
	char path[128];
	struct state *st;
	int64_t feed_id;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct state_feed sf = { 0 };
	char err[256];

	strcpy(fx->dir, "/tmp/nw-diff-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/state.db", fx->dir);
	assert_int_equal(state_open(fx->path, &fx->st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_get(fx->st, "f", "http://x/f", &sf, NULL,
	    err, sizeof(err)), 0);
	fx->feed_id = sf.id;
	state_feed_clear(&sf);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[160];

	state_close(fx->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* A feed of n entries with ids "e0".."e(n-1)"; dated when dated != 0,
 * entry k published at 1000 + dates[k]. */
static struct feed *
make_feed(size_t n, const int *dates)
{
	struct feed *f = calloc(1, sizeof(*f));

	f->entries = calloc(n, sizeof(*f->entries));
	f->nentries = n;
	for (size_t k = 0; k < n; k++) {
		char id[32];
		snprintf(id, sizeof(id), "e%zu", k);
		f->entries[k].id = strdup(id);
		f->entries[k].published = dates ? 1000 + dates[k] : NW_TIME_UNSET;
		f->entries[k].updated = NW_TIME_UNSET;
	}
	return f;
}

static void
free_feed(struct feed *f)
{
	for (size_t k = 0; k < f->nentries; k++)
		free(f->entries[k].id);
	free(f->entries);
	free(f);
}

static void
test_all_new_oldest_first(void **state)
{
	struct fixture *fx = *state;
	static const int dates[] = { 30, 10, 20 };
	struct feed *f = make_feed(3, dates);
	struct diff_item *items;
	size_t n;
	char err[256];

	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 5000, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].index, 1);
	assert_int_equal(items[1].index, 2);
	assert_int_equal(items[2].index, 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(items[i].known, 0);
		assert_int_equal(items[i].discovered_us, 5000 + (int64_t)i);
	}
	free(items);
	free_feed(f);
}

static void
test_undated_reverse_document_order(void **state)
{
	struct fixture *fx = *state;
	static const int dates[] = { 30, 10, 20 };
	struct feed *f = make_feed(3, dates);
	struct diff_item *items;
	size_t n;
	char err[256];

	/* One undated entry is enough to distrust dates for ordering. */
	f->entries[1].published = NW_TIME_UNSET;
	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 1, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].index, 2);
	assert_int_equal(items[1].index, 1);
	assert_int_equal(items[2].index, 0);
	free(items);
	free_feed(f);
}

static void
test_seen_skipped_pending_kept(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = make_feed(4, NULL);
	const char *seen_id[] = { "e0" }, *pending_id[] = { "e2" };
	int64_t seen_us = 7, pending_us = 42;
	struct diff_item *items;
	size_t n;
	char err[256];
	int added;

	assert_int_equal(state_begin(fx->st, err, sizeof(err)), 0);
	assert_int_equal(state_entries_mark_seen(fx->st, fx->feed_id, seen_id,
	    &seen_us, 1, err, sizeof(err)), 0);
	assert_int_equal(state_entries_discover(fx->st, fx->feed_id,
	    pending_id, &pending_us, NULL, 1, &added, err, sizeof(err)), 0);
	assert_int_equal(state_commit(fx->st, err, sizeof(err)), 0);

	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 100, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].index, 3);
	assert_int_equal(items[0].known, 0);
	assert_int_equal(items[0].discovered_us, 100);
	/* A pending entry keeps its first discovery time: same spool name. */
	assert_int_equal(items[1].index, 2);
	assert_int_equal(items[1].known, 1);
	assert_int_equal(items[1].discovered_us, 42);
	assert_int_equal(items[2].index, 1);
	assert_int_equal(items[2].discovered_us, 102);
	free(items);
	free_feed(f);
}

static void
test_repeated_ids_count_once(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = make_feed(3, NULL);
	struct diff_item *items;
	size_t n;
	char err[256];

	free(f->entries[2].id);
	f->entries[2].id = strdup("e0");
	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 1, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].index, 1);
	assert_int_equal(items[1].index, 0);
	free(items);
	free_feed(f);
}

static void
test_nothing_new(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = make_feed(2, NULL);
	const char *ids[] = { f->entries[0].id, f->entries[1].id };
	int64_t us[] = { 1, 1 };
	struct diff_item *items = (void *)1;
	size_t n = 9;
	char err[256];

	assert_int_equal(state_begin(fx->st, err, sizeof(err)), 0);
	assert_int_equal(state_entries_mark_seen(fx->st, fx->feed_id, ids, us,
	    2, err, sizeof(err)), 0);
	assert_int_equal(state_commit(fx->st, err, sizeof(err)), 0);
	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 1, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(items);
	free_feed(f);
}

static void
test_large_feed(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = make_feed(10000, NULL);
	struct diff_item *items;
	size_t n;
	char err[256];

	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 1, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 10000);
	assert_int_equal(items[0].index, 9999);
	assert_int_equal(items[9999].index, 0);
	free(items);
	free_feed(f);
}

static void
check_item(const struct diff_item *it, size_t index, int known, int64_t us)
{
	assert_int_equal(it->index, index);
	assert_int_equal(it->known, known);
	assert_int_equal(it->discovered_us, us);
}

/* A pending entry its document no longer lists comes back from what the
 * state kept, and is delivered as known under its discovery time; one
 * listed, or kept with nothing, is not added. */
static void
test_left_entries_put_back(void **state)
{
	struct fixture *fx = *state;
	struct feed *f = make_feed(2, NULL);
	const char *ids[] = { "gone", "e1", "old" };
	const int64_t us[] = { 11, 12, 13 };
	const char *kept[] = { "{\"id\":\"gone\",\"title\":\"Gone\","
	    "\"link\":\"http://x/gone\",\"published\":\"2026-11-02T10:00:00Z\"}",
	    "{\"id\":\"e1\"}", NULL };
	struct diff_item *items;
	size_t n, added;
	char err[256];
	int recorded[3];

	assert_int_equal(state_entries_discover(fx->st, fx->feed_id, ids, us,
	    kept, 3, recorded, err, sizeof(err)), 0);
	assert_int_equal(diff_left_entries(fx->st, fx->feed_id, "f", f, &added,
	    err, sizeof(err)), 0);
	assert_int_equal(added, 1);
	assert_int_equal(f->nentries, 3);
	assert_string_equal(f->entries[2].id, "gone");
	assert_string_equal(f->entries[2].title, "Gone");
	assert_string_equal(f->entries[2].link, "http://x/gone");
	assert_int_equal(f->entries[2].published, 1793613600);
	assert_int_equal(diff_new_entries(fx->st, fx->feed_id, f, 5000, &items,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	/* Reverse document order: the one put back first. */
	check_item(&items[0], 2, 1, 11);
	check_item(&items[1], 1, 1, 12);
	check_item(&items[2], 0, 0, 5002);
	free(items);
	feed_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_new_oldest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undated_reverse_document_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left_entries_put_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_seen_skipped_pending_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_ids_count_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_feed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
