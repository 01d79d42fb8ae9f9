/* timer.h - the cycle timer the benchmarks time single calls with (C and C++).
 *
 * x86: lfence; rdtsc; lfence ... rdtscp; lfence, so the timed code can neither start before the
 * first read nor finish after the second. Elsewhere: clock_gettime(CLOCK_MONOTONIC). Ticks are
 * converted to nanoseconds with bench_timer_calibrate(); the cost of an empty timed region (the
 * timer alone) is measured by whoever reports figures, and stated next to them.
 */
#ifndef SHMLOG_BENCH_TIMER_H
#define SHMLOG_BENCH_TIMER_H

#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

static inline int64_t bench_timer_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#define BENCH_TIMER_NAME "rdtsc (lfence; rdtsc; lfence ... rdtscp; lfence)"
static inline uint64_t tick_begin(void)
{
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
}
static inline uint64_t tick_end(void)
{
	unsigned aux;
	uint64_t t = __rdtscp(&aux);
	_mm_lfence();
	return t;
}
#else
#define BENCH_TIMER_NAME "clock_gettime(CLOCK_MONOTONIC)"
static inline uint64_t tick_begin(void)
{
	return (uint64_t)bench_timer_mono_ns();
}
static inline uint64_t tick_end(void)
{
	return (uint64_t)bench_timer_mono_ns();
}
#endif

/* Ticks per nanosecond, from the ticks that pass in MS milliseconds of CLOCK_MONOTONIC. */
static inline double bench_timer_calibrate(int ms)
{
	struct timespec nap = {ms / 1000, (long)(ms % 1000) * 1000000};
	int64_t n0 = bench_timer_mono_ns();
	uint64_t t0 = tick_begin();
	nanosleep(&nap, NULL);
	int64_t n1 = bench_timer_mono_ns();
	uint64_t t1 = tick_end();
	return (double)(t1 - t0) / (double)(n1 - n0);
}

/* A tick count as a 32-bit sample (saturating). */
static inline uint32_t bench_ticks32(uint64_t d)
{
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

#endif
