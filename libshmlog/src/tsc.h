/* tsc.h - record timestamps: the TSC where it is trustworthy, CLOCK_REALTIME otherwise.
 *
 * Private header. clock_gettime(CLOCK_REALTIME) was measured at 22 ns here, about half of a
 * whole shmlog_write; rdtsc costs under 10 ns. So when the CPU has an invariant TSC and the
 * kernel itself uses the TSC as its clocksource (it checks the TSCs of all CPUs agree before it
 * does), the ring's creator records CLOCK_TSC and the TSC rate in the header, writers store raw
 * ticks, and readers convert them to wall-clock time against a recent anchor: the error is the
 * rate error times the record's age, about a microsecond for a record a second old.
 */
#ifndef SHMLOG_TSC_H
#define SHMLOG_TSC_H

#include <stdint.h>

enum { CLOCK_SRC_REALTIME = 0, CLOCK_SRC_TSC = 1 };

/* Picks the clock for a new ring; *tsc_hz gets the measured TSC rate (takes ~20 ms). */
uint32_t clock_choose(uint64_t *tsc_hz);

static inline uint64_t clock_tsc(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#else
	return 0;
#endif
}

/* A reader's converter from a ring's raw record times to ns since the epoch. */
struct clock_conv {
	uint32_t source;
	double ns_per_tick;
	uint64_t anchor_tsc, renew_tsc; /* the anchor; a record past renew_tsc renews it */
	uint64_t renew_ticks;
	int64_t anchor_ns;              /* wall clock at the anchor */
};

void clock_conv_init(struct clock_conv *cv, uint32_t source, uint64_t tsc_hz);
int64_t clock_conv_ns(struct clock_conv *cv, uint64_t raw);

#endif
