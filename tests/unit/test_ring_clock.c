/* test_ring_clock - a record's time is the wall-clock time it was logged at, whichever clock the
 * ring records with (TSC ticks converted by readers, or CLOCK_REALTIME), for consumers and
 * observers alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "testutil.h"

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check_times(unsigned flags, uint32_t expect_source)
{
	const char *name = tu_ring_name("clock");
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 1 << 20;
	o.flags = flags;
	struct shmlog_consumer *c = shmlog_consumer_open(name, &o);
	struct shmlog *lg = shmlog_open(name, &o);
	struct shmlog_observer *ob = shmlog_observer_open(name, SHMLOG_OBSERVE_OLDEST);
	assert_non_null(c);
	assert_non_null(lg);
	assert_non_null(ob);
	struct ring r;
	assert_int_equal(ring_attach(&r, name, NULL, 0), 0);
	if (expect_source != UINT32_MAX)
		assert_int_equal(r.clock_source, expect_source);
	printf("# clock source %s\n", r.clock_source == CLOCK_SRC_TSC ? "tsc" : "realtime");
	ring_detach(&r);

	enum { N = 20 };
	int64_t before[N], after[N];
	for (int i = 0; i < N; i++) {
		before[i] = wall_ns();
		assert_int_equal(shmlog_log(lg, SHMLOG_INFO, "clk", "%d", i), 0);
		after[i] = wall_ns();
		usleep(15000); /* spread over a few re-anchorings of the converter */
	}
	struct shmlog_record rec;
	for (int i = 0; i < N; i++) {
		assert_int_equal(shmlog_consumer_next(c, &rec, 1000), SHMLOG_NEXT_RECORD);
		/* Within 100 us of the bracket: conversion error is far below that. */
		assert_true(rec.time_ns >= before[i] - 100000);
		assert_true(rec.time_ns <= after[i] + 100000);
		assert_int_equal(shmlog_observer_next(ob, &rec, 1000), SHMLOG_NEXT_RECORD);
		assert_true(rec.time_ns >= before[i] - 100000);
		assert_true(rec.time_ns <= after[i] + 100000);
	}
	shmlog_observer_close(ob);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

static void test_record_times_are_wall_clock_times_with_the_default_clock(void **s)
{
	(void)s;
	check_times(0, UINT32_MAX);
}

static void test_record_times_are_wall_clock_times_with_the_realtime_clock(void **s)
{
	(void)s;
	check_times(SHMLOG_OPEN_REALTIME_CLOCK, CLOCK_SRC_REALTIME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_times_are_wall_clock_times_with_the_default_clock),
		cmocka_unit_test(test_record_times_are_wall_clock_times_with_the_realtime_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
