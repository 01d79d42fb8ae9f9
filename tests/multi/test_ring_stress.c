/* test_ring_stress - 8 writer processes x 200,000 records of random length (0-2 KiB) through a
 * 64 KiB ring: the consumer sees every record exactly once, in each writer's order, intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { WRITERS = 8, PER_WRITER = 200000 };

static const char *g_name;

static int writer(void *arg, int w)
{
	(void)arg;
	struct shmlog *lg = shmlog_open(g_name, NULL);
	uint64_t rnd = (uint64_t)w * 7919;
	char buf[2048 + 128];
	if (!lg)
		return 1;
	for (uint64_t i = 0; i < PER_WRITER; i++) {
		size_t n = tu_payload(buf, sizeof(buf), (unsigned)w, i, tu_rand(&rnd) % 2048);
		if (shmlog_write(lg, SHMLOG_INFO, "stress", buf, n) != 0)
			return 2;
	}
	shmlog_close(lg);
	return 0;
}

struct check {
	struct tu_order order;
	long other;
};

static int verify(void *arg, int ev, const struct shmlog_record *rec)
{
	struct check *c = arg;
	if (ev == SHMLOG_NEXT_RECORD)
		tu_order_note(&c->order, WRITERS, rec);
	else
		c->other++;
	return 0;
}

static void test_many_writers_through_a_small_ring_deliver_every_record_once_in_order(void **s)
{
	(void)s;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 64 * 1024;
	g_name = tu_ring_name("stress");
	struct shmlog_consumer *c = shmlog_consumer_open(g_name, &o);
	assert_non_null(c);
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++)
		pids[w] = tu_fork(writer, NULL, w);
	struct check chk = {0};
	int64_t t0 = tu_now_ms();
	long got = tu_drain(c, (long)WRITERS * PER_WRITER, 10000, verify, &chk);
	int64_t ms = tu_now_ms() - t0;
	for (int w = 0; w < WRITERS; w++)
		assert_int_equal(tu_wait(pids[w]), 0);
	printf("# %ld records in %lld ms (%.0f records/s)\n", got, (long long)ms,
	       got * 1000.0 / (double)(ms ? ms : 1));
	assert_int_equal(got, (long)WRITERS * PER_WRITER);
	assert_int_equal(chk.order.torn, 0);
	assert_int_equal(chk.order.out_of_order, 0);
	assert_int_equal(chk.other, 0);
	for (int w = 0; w < WRITERS; w++)
		assert_int_equal(chk.order.next[w], PER_WRITER);
	shmlog_consumer_close(c);
	shmlog_unlink(g_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_writers_through_a_small_ring_deliver_every_record_once_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
