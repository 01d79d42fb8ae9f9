/* test_ring_dead_writers - writers killed at any point, between reserve and claim, between claim
 * and commit, or at random, never stop the ring: the consumer goes on delivering the other
 * writers' records, skips the dead ones' unfinished records, and counts them exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testhook.h"
#include "testutil.h"

enum { LIVE = 4, DOOMED = 4, WRITERS = LIVE + DOOMED, PER_WRITER = 20000 };

static const char *g_name;
static enum testhook_point g_point;

/* Writers LIVE.. die at the hook point on record 1000 + 1500 * k, or run until killed. */
static int writer(void *arg, int w)
{
	(void)arg;
	struct shmlog *lg = shmlog_open(g_name, NULL);
	uint64_t rnd = (uint64_t)w * 31;
	char buf[1200];
	if (!lg)
		return 1;
#ifdef SHMLOG_TEST_HOOKS
	if (w >= LIVE && g_point != TH_NONE)
		testhook_arm(g_point, 1000 + 1500 * (w - LIVE));
#endif
	for (uint64_t i = 0; i < PER_WRITER; i++) {
		size_t n = tu_payload(buf, sizeof(buf), (unsigned)w, i, tu_rand(&rnd) % 1000);
		if (shmlog_write(lg, SHMLOG_INFO, "dw", buf, n) != 0)
			return 2;
		if (w >= LIVE && g_point == TH_NONE)
			usleep(20); /* random kills need these writers to live a while */
	}
	shmlog_close(lg);
	return 0;
}

struct check {
	struct tu_order order;
	uint64_t abandoned;
	int64_t last_ms, max_gap_ms;
};

static int verify(void *arg, int ev, const struct shmlog_record *rec)
{
	struct check *c = arg;
	int64_t now = tu_now_ms();
	if (c->last_ms && now - c->last_ms > c->max_gap_ms)
		c->max_gap_ms = now - c->last_ms;
	c->last_ms = now;
	if (ev == SHMLOG_NEXT_ABANDONED)
		c->abandoned += rec->count;
	else if (ev == SHMLOG_NEXT_RECORD)
		tu_order_note(&c->order, WRITERS, rec);
	return 0;
}

/* Runs WRITERS writers through a small ring; the doomed ones die by hook or by KILLS. */
static struct check run(enum testhook_point point, int random_kills)
{
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 64 * 1024;
	g_name = tu_ring_name("dead");
	g_point = point;
	struct shmlog_consumer *c = shmlog_consumer_open(g_name, &o);
	assert_non_null(c);
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++)
		pids[w] = tu_fork(writer, NULL, w);
	if (random_kills) {
		/* Kill the doomed writers at random moments while the consumer runs in a child. */
		pid_t killer = fork();
		if (killer == 0) {
			uint64_t rnd = (uint64_t)getpid();
			for (int w = LIVE; w < WRITERS; w++) {
				usleep((useconds_t)(50000 + tu_rand(&rnd) % 200000));
				kill(pids[w], SIGKILL);
			}
			_exit(0);
		}
		struct check chk = {0};
		tu_drain(c, (long)WRITERS * PER_WRITER, 3000, verify, &chk);
		assert_int_equal(tu_wait(killer), 0);
		for (int w = 0; w < WRITERS; w++)
			assert_int_equal(tu_wait(pids[w]), w < LIVE ? 0 : 128 + SIGKILL);
		shmlog_consumer_close(c);
		shmlog_unlink(g_name);
		return chk;
	}
	struct check chk = {0};
	tu_drain(c, (long)WRITERS * PER_WRITER, 3000, verify, &chk);
	for (int w = 0; w < WRITERS; w++)
		assert_int_equal(tu_wait(pids[w]), w < LIVE ? 0 : 128 + SIGKILL);
	shmlog_consumer_close(c);
	shmlog_unlink(g_name);
	return chk;
}

static void expect_hook_deaths(struct check chk)
{
	assert_int_equal(chk.order.torn, 0);
	assert_int_equal(chk.order.out_of_order, 0);
	for (int w = 0; w < LIVE; w++)
		assert_int_equal(chk.order.next[w], PER_WRITER);
	/* A writer armed for record k dies inside record k: records 0..k-2 are its whole life. */
	for (int w = LIVE; w < WRITERS; w++)
		assert_int_equal(chk.order.next[w], 1000 + 1500 * (w - LIVE) - 1);
	assert_int_equal(chk.abandoned, DOOMED);
	printf("# longest pause in delivery: %lld ms\n", (long long)chk.max_gap_ms);
	assert_true(chk.max_gap_ms < 3000);
}

static void test_writers_killed_between_claim_and_commit_are_skipped_and_counted(void **s)
{
	(void)s;
#ifndef SHMLOG_TEST_HOOKS
	skip();
#endif
	expect_hook_deaths(run(TH_WRITER_AFTER_CLAIM, 0));
}

static void test_writers_killed_between_reserve_and_claim_are_skipped_and_counted(void **s)
{
	(void)s;
#ifndef SHMLOG_TEST_HOOKS
	skip();
#endif
	expect_hook_deaths(run(TH_WRITER_AFTER_RESERVE, 0));
}

static void test_writers_killed_at_random_leave_a_gap_free_prefix(void **s)
{
	(void)s;
	struct check chk = run(TH_NONE, 1);
	assert_int_equal(chk.order.torn, 0);
	assert_int_equal(chk.order.out_of_order, 0); /* covers the prefixes: no gap, no repeat */
	for (int w = 0; w < LIVE; w++)
		assert_int_equal(chk.order.next[w], PER_WRITER);
	for (int w = LIVE; w < WRITERS; w++)
		assert_true(chk.order.next[w] < PER_WRITER);
	assert_true(chk.abandoned <= DOOMED); /* at most one record in flight per killed writer */
	printf("# random kills: %llu abandoned records\n", (unsigned long long)chk.abandoned);
}

static int die_on_first_reservation(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	struct shmlog *lg = shmlog_open(g_name, NULL);
#ifdef SHMLOG_TEST_HOOKS
	testhook_arm(TH_WRITER_AFTER_RESERVE, 1);
#endif
	shmlog_log(lg, SHMLOG_INFO, "first", "never claimed");
	return 0;
}

static void test_unclaimed_reservation_at_the_very_start_still_gets_its_grace(void **s)
{
	(void)s;
#ifndef SHMLOG_TEST_HOOKS
	skip();
#endif
	g_name = tu_ring_name("pos0");
	struct shmlog_consumer *c = shmlog_consumer_open(g_name, NULL);
	struct shmlog *lg = shmlog_open(g_name, NULL);
	assert_non_null(c);
	assert_int_equal(tu_wait(tu_fork(die_on_first_reservation, NULL, 0)), 128 + SIGKILL);
	int64_t t0 = tu_now_ms();
	assert_int_equal(shmlog_log(lg, SHMLOG_INFO, "second", "after"), 0);
	struct shmlog_record rec;
	/* The reservation at position 0 is waited for like any other, then counted. */
	assert_int_equal(shmlog_consumer_next(c, &rec, 5000), SHMLOG_NEXT_ABANDONED);
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.seq, 1); /* where the loss shows: just before record 1 */
	assert_non_null(strstr(rec.msg, "abandoned 1 records"));
	assert_true(tu_now_ms() - t0 >= 900);
	assert_int_equal(shmlog_consumer_next(c, &rec, 1000), SHMLOG_NEXT_RECORD);
	assert_int_equal(rec.seq, 1);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(g_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writers_killed_between_claim_and_commit_are_skipped_and_counted),
		cmocka_unit_test(test_writers_killed_between_reserve_and_claim_are_skipped_and_counted),
		cmocka_unit_test(test_writers_killed_at_random_leave_a_gap_free_prefix),
		cmocka_unit_test(test_unclaimed_reservation_at_the_very_start_still_gets_its_grace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
