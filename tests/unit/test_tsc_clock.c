/* test_tsc_clock - a writer thread's TSC anchor (tsc.h) turns ticks into ns since the epoch at the
 * ring's rate, serves 10 ms of ticks, keeps one thread's times from going back when the wall
 * clock is found a little behind at a renewal but follows a real step of it, refuses rates a
 * damaged header could hold, and, read for real, stays within a few microseconds of
 * CLOCK_REALTIME. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "tsc.h"

#define HZ 2500000000ULL /* 2.5 GHz: 2.5 ticks a ns */
#define T0 1000000ULL
#define NS0 1800000000000000000LL /* 2027-01-15 */
#define MS 1000000LL

static struct tsc_clock anchored(void)
{
	struct tsc_clock c = {0};

	assert_int_equal(tsc_clock_set(&c, T0, NS0, tsc_mult(HZ)), NS0);
	return c;
}

static void test_an_anchor_gives_the_time_its_rate_says(void **state)
{
	struct tsc_clock c = anchored();

	(void)state;
	assert_int_equal(tsc_clock_at(&c, T0), NS0);
	/* 2.5 M ticks are 1 ms; the rate's rounding costs under a ns per 10 ms. */
	assert_true(llabs(tsc_clock_at(&c, T0 + HZ / 1000) - (NS0 + MS)) <= 1);
	assert_true(llabs(tsc_clock_at(&c, T0 + 5) - (NS0 + 2)) <= 1);
	assert_true(llabs(tsc_clock_at(&c, T0 + c.limit - 1) - (NS0 + 10 * MS)) <= 1);
}

static void test_an_anchor_serves_ten_milliseconds_of_ticks(void **state)
{
	struct tsc_clock c = anchored();

	(void)state;
	assert_true(llabs((long long)c.limit - (long long)(HZ / 100)) <= 1);
	/* The slowest rate allowed still keeps limit * mult far from overflowing. */
	c = (struct tsc_clock){0};
	tsc_clock_set(&c, T0, NS0, tsc_mult(1000000));
	assert_true(c.limit * c.mult >> TSC_SHIFT <= 10 * MS);
}

static void test_times_wait_for_a_wall_clock_found_a_little_behind(void **state)
{
	struct tsc_clock c = anchored();
	int64_t last = tsc_clock_at(&c, T0 + c.limit - 1), now;
	uint64_t t = T0 + c.limit;

	(void)state;
	/* At the renewal the wall clock reads 3 us less than the old anchor's rate gave. */
	int64_t wall = last - 3000;
	now = tsc_clock_set(&c, t, wall, tsc_mult(HZ));
	assert_true(now >= last);
	for (uint64_t d = 0; d < 20000; d += 250) {
		int64_t ns = tsc_clock_at(&c, t + d);
		assert_true(ns >= last);
		last = ns;
	}
	/* 8 us of ticks later the wall clock has caught up, and the times are its again. */
	assert_true(llabs(tsc_clock_at(&c, t + 20000) - (wall + 8000)) <= 1);
}

static void test_times_follow_a_step_of_the_wall_clock(void **state)
{
	struct tsc_clock c = anchored();
	uint64_t t = T0 + c.limit;

	(void)state;
	assert_int_equal(tsc_clock_set(&c, t, NS0 - 2000 * MS, tsc_mult(HZ)), NS0 - 2000 * MS);
	assert_true(llabs(tsc_clock_at(&c, t + 2500) - (NS0 - 2000 * MS + 1000)) <= 1);
	c = anchored();
	assert_int_equal(tsc_clock_set(&c, t, NS0 + 3600000 * MS, tsc_mult(HZ)),
			 NS0 + 3600000 * MS);
	/* A thread that slept long has nothing to wait for either. */
	c = anchored();
	assert_int_equal(tsc_clock_set(&c, T0 + 1000 * c.limit, NS0 + 5000 * MS, tsc_mult(HZ)),
			 NS0 + 5000 * MS);
}

static void test_rates_a_damaged_header_could_hold_are_refused(void **state)
{
	(void)state;
	assert_int_equal(tsc_mult(0), 0);
	assert_int_equal(tsc_mult(999999), 0);
	assert_int_equal(tsc_mult(100000000001ULL), 0);
	assert_int_equal(tsc_mult(UINT64_MAX), 0);
#if defined(__x86_64__)
	assert_int_equal(tsc_mult(1000000), 1000ULL << TSC_SHIFT);
	assert_int_not_equal(tsc_mult(100000000000ULL), 0);
#else
	assert_int_equal(tsc_mult(HZ), 0); /* no TSC to read */
#endif
}

/* Read for real across many renewals: each time lies within a few microseconds of a
 * CLOCK_REALTIME bracket around it, and they never go back. */
static void test_a_thread_reads_the_wall_clock_through_its_anchor(void **state)
{
	struct tsc_clock c = {0};
	int64_t last = INT64_MIN, worst = 0;
	uint64_t hz, mult;

	(void)state;
	setenv("SHMLOG_CLOCK", "tsc", 1);
	hz = tsc_calibrate();
	mult = tsc_mult(hz);
	if (!mult) {
		printf("# skipped: no TSC on this machine\n");
		skip();
	}
	int64_t end = clock_ns(CLOCK_REALTIME) + 60 * MS;
	while (clock_ns(CLOCK_REALTIME) < end) {
		int64_t before = clock_ns(CLOCK_REALTIME);
		int64_t ns = tsc_clock_ns(&c, mult);
		int64_t after = clock_ns(CLOCK_REALTIME);
		int64_t off = ns < before ? before - ns : ns > after ? ns - after : 0;

		/* A preempted read stretches the bracket; only the distance outside it counts. */
		worst = off > worst ? off : worst;
		assert_true(ns >= last);
		last = ns;
	}
	printf("# tsc_hz %llu: worst distance from a CLOCK_REALTIME bracket %lld ns\n",
	       (unsigned long long)hz, (long long)worst);
	assert_true(worst < 50000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_anchor_gives_the_time_its_rate_says),
		cmocka_unit_test(test_an_anchor_serves_ten_milliseconds_of_ticks),
		cmocka_unit_test(test_times_wait_for_a_wall_clock_found_a_little_behind),
		cmocka_unit_test(test_times_follow_a_step_of_the_wall_clock),
		cmocka_unit_test(test_rates_a_damaged_header_could_hold_are_refused),
		cmocka_unit_test(test_a_thread_reads_the_wall_clock_through_its_anchor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
