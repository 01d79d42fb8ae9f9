/* test_ring_clock - a record's time is the wall-clock time it was logged at, whichever clock its
 * writer read (the TSC through the thread's anchor, or CLOCK_REALTIME), for consumers and
 * observers alike; a new ring always says its records hold ns since the epoch, and gives writers
 * a TSC rate where the TSC is trusted and the realtime clock was not asked for; and a ring of raw
 * ticks, as older versions made them, still reads as wall-clock times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
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

static uint64_t last_tsc_hz; /* the header's tsc_hz in check_times()'s last ring */

/* What a ring made by an older version on a machine with a trusted TSC looked like: its
 * records hold raw ticks, and the header says so. */
static void make_it_an_old_tsc_ring(const char *name, const struct shmlog_options *o)
{
	struct shmlog *lg = shmlog_open(name, o);
	struct ring r;

	assert_non_null(lg);
	shmlog_close(lg);
	assert_int_equal(ring_attach(&r, name, NULL, RING_WRITE), 0);
	r.hdr->clock_source = CLOCK_SRC_TSC;
	r.hdr->tsc_hz = tsc_calibrate();
	ring_detach(&r);
}

static void check_times(unsigned flags, uint32_t expect_source)
{
	const char *name = tu_ring_name("clock");
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 1 << 20;
	o.flags = flags;
	if (expect_source == CLOCK_SRC_TSC)
		make_it_an_old_tsc_ring(name, &o);
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
	last_tsc_hz = r.tsc_hz;
	printf("# clock source %s, tsc_hz %llu\n", r.clock_source == CLOCK_SRC_TSC ? "tsc" : "realtime",
	       (unsigned long long)r.tsc_hz);
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
	assert_int_equal(last_tsc_hz, 0);
}

static void test_record_times_are_wall_clock_times_from_the_tsc(void **s)
{
	(void)s;
	setenv("SHMLOG_CLOCK", "tsc", 1);
	check_times(0, CLOCK_SRC_REALTIME);
	unsetenv("SHMLOG_CLOCK");
#if defined(__x86_64__)
	assert_true(last_tsc_hz >= 1000000);
#endif
}

static void test_record_times_are_wall_clock_times_in_a_ring_of_raw_ticks(void **s)
{
	(void)s;
	setenv("SHMLOG_CLOCK", "tsc", 1);
	if (!tsc_mult(tsc_calibrate())) {
		printf("# skipped: no TSC on this machine\n");
		skip();
	}
	check_times(0, CLOCK_SRC_TSC);
	unsetenv("SHMLOG_CLOCK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_times_are_wall_clock_times_with_the_default_clock),
		cmocka_unit_test(test_record_times_are_wall_clock_times_with_the_realtime_clock),
		cmocka_unit_test(test_record_times_are_wall_clock_times_from_the_tsc),
		cmocka_unit_test(test_record_times_are_wall_clock_times_in_a_ring_of_raw_ticks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
